"""A small, safe formula language for project-type templates.

Driver and quantity formulas (``ceil(cycle_time_min / headway_peak_min)``,
``vehicles * driver_per_vehicle``) are data, written by analysts in TOML files
and spreadsheets. They are parsed with :mod:`ast` and evaluated over a
whitelist of operations; nothing else (attributes, subscripts, imports,
lambdas) is accepted, so a project file can never run code.

Names resolve to table columns, parameters or earlier results. Operations are
elementwise over numpy arrays. Functions:

``ceil floor round abs min max log exp sqrt where sum``

``sum(x)`` adds up a row-level quantity; ``sum(x, condition)`` adds the rows
where the condition holds (``sum(vehicle_km, vehicle_type == 'BEV')``).
``min``/``max`` with two or more arguments are elementwise.

Work is bounded: a formula is at most :data:`MAX_LENGTH` characters and
:data:`MAX_DEPTH` levels deep, powers are computed in floating point (so
``9**9**9`` overflows at once instead of building a huge integer), text cannot
take part in arithmetic, and a result that is not finite (a division by zero,
an overflow, ``sqrt`` of a negative number) is bad input naming the formula's
place and the values it used.
"""
from __future__ import annotations

import ast
import operator
import warnings
from functools import lru_cache
from typing import Any, Mapping

import numpy as np

from .errors import InputError

_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv, ast.Pow: operator.pow, ast.Mod: operator.mod}
_CMP = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
        ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}


def _sum(x, cond=None):
    x = np.asarray(x, dtype=float)
    if cond is None:
        return float(np.sum(x))
    return float(np.sum(np.where(np.asarray(cond, dtype=bool), x, 0.0)))


def _reduce(ufunc, args):
    if len(args) == 1:
        return ufunc.reduce(np.ravel(args[0]))
    out = args[0]
    for a in args[1:]:
        out = ufunc(out, a)
    return out


def _min(*a):
    return _reduce(np.minimum, a)


def _max(*a):
    return _reduce(np.maximum, a)


FUNCTIONS = {
    "ceil": np.ceil, "floor": np.floor, "round": np.round, "abs": np.abs,
    "min": _min, "max": _max, "log": np.log, "exp": np.exp, "sqrt": np.sqrt,
    "where": np.where, "sum": _sum,
}


#: longest formula accepted [characters]
MAX_LENGTH = 500
#: deepest formula accepted [levels of its syntax tree]
MAX_DEPTH = 40


class _TooBig(SyntaxError):
    pass


def _depth(tree: ast.AST) -> int:
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((c, d + 1) for c in ast.iter_child_nodes(node))
    return deepest


@lru_cache(maxsize=4096)
def _parse(src: str) -> ast.Expression:
    """Parse a formula; SyntaxError if it is not one, too long or too deeply nested."""
    if len(src) > MAX_LENGTH:
        raise _TooBig(f"formula is longer than {MAX_LENGTH} characters ({len(src)})")
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" and the like: the SyntaxError says it
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(src.strip(), mode="eval")
    except (RecursionError, MemoryError, ValueError):  # nesting the parser itself refuses; NUL bytes
        raise _TooBig("formula is too deeply nested or holds characters that are not allowed") from None
    if _depth(tree) > MAX_DEPTH:
        raise _TooBig(f"formula is nested deeper than {MAX_DEPTH} levels")
    return tree


def names(src: str) -> set[str]:
    """Names a formula refers to (excluding function names)."""
    tree = _parse(str(src))
    fn = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - fn


def evaluate(src: str | float | int, env: Mapping[str, Any], *, where: dict | None = None,
             rows: Mapping[str, Any] | None = None):
    """Evaluate a formula (or pass a number through) in ``env``.

    ``rows``, if given, is the row-level namespace: inside ``sum(...)`` names
    resolve there first, so a total ``vehicle_km = "sum(vehicle_km)"`` can
    share its name with the row driver it adds up.

    Raises
    ------
    InputError
        For a syntax error, an unknown name or a forbidden construct; the
        message names the formula and the place given by ``where``.
    """
    if isinstance(src, (int, float, np.integer, np.floating)):
        return float(src)
    w = where or {}
    text = str(src)
    try:
        tree = _parse(text)
    except SyntaxError as e:
        why = str(e.msg)
        problem = ("公式太长" if "longer" in why else "公式嵌套太深或含不允许的字符" if "nest" in why else why) \
            if isinstance(e, _TooBig) else "公式无法解析"
        raise InputError(problem, **w, expected="如 vehicles * driver_per_vehicle 的公式", found=text,
                         fix="检查括号和运算符；名称只用字母、数字和下划线；过长的公式拆成几个参数") from None
    try:
        with np.errstate(all="ignore"):
            value = _eval(tree.body, env, rows)
    except ZeroDivisionError:
        raise InputError("公式的除数为 0", **w, expected="不为 0 的除数", found=text,
                         fix="检查作除数的参数或单元格是否为 0") from None
    except OverflowError:
        raise InputError("公式结果太大", **w, expected="有限的数", found=text, fix="核对参数的位数") from None
    except (TypeError, ValueError):  # wrong number or kind of arguments
        raise InputError("公式无法计算（函数的参数个数或类型不对）", **w,
                         expected="四则运算、比较和函数 " + "、".join(sorted(FUNCTIONS)), found=text,
                         fix="检查函数括号内的参数，如 ceil(x)、min(a, b)") from None
    except _Unknown as e:
        raise InputError(f"公式中的名称未定义：{e.args[0]}", **w,
                         expected="已定义的名称：" + "、".join(sorted(k for k in env)), found=text,
                         fix=f"在“项目信息”增加参数 {e.args[0]}，或改正拼写") from None
    except _Forbidden as e:
        raise InputError("公式含不允许的写法", **w,
                         expected="四则运算、比较和函数 " + "、".join(sorted(FUNCTIONS)), found=text,
                         fix=f"只用四则运算、比较和列出的函数（不允许：{e.args[0]}）") from None
    arr = np.asarray(value)
    if arr.dtype.kind in "fc" and not np.isfinite(arr).all():
        used = {n: env.get(n, (rows or {}).get(n)) for n in sorted(names(text))}
        inputs = ", ".join(f"{n} = {_show(v)}" for n, v in used.items() if v is not None)
        raise InputError("公式结果不是有限的数（除数为 0、数值溢出或缺少数值）", **w,
                         expected=f"有限的输入；该公式用到 {inputs or '（无名称）'}", found=text,
                         fix="检查公式用到的参数是否为 0、负数开方或过大")
    return value


def _show(v) -> str:
    a = np.asarray(v)
    if a.ndim == 0:
        return f"{a.item():g}" if a.dtype.kind in "fiu" else repr(a.item())
    if a.dtype.kind not in "fiu":
        return f"{a.size} values"
    f = a.astype(float)
    finite = f[np.isfinite(f)]
    shown = f"{a.size} values"
    if finite.size:
        shown += f", largest {np.abs(finite).max():g}"
    if finite.size < f.size:
        shown += f", {f.size - finite.size} not finite"
    return shown


class _Unknown(Exception):
    pass


class _Forbidden(Exception):
    pass


def _eval(node, env, rows=None):
    if isinstance(node, ast.Constant):
        if isinstance(node.value, (int, float, str, bool)):
            return node.value
        raise _Forbidden(type(node.value).__name__)
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        raise _Unknown(node.id)
    if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
        left, right = _eval(node.left, env, rows), _eval(node.right, env, rows)
        if isinstance(left, str) or isinstance(right, str):
            raise _Forbidden("text in arithmetic")
        if isinstance(node.op, ast.Pow):  # in floats: overflow gives inf at once, never a huge integer
            out = np.power(np.asarray(left, dtype=float), np.asarray(right, dtype=float))
            return out[()] if out.ndim == 0 else out
        return _BIN[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, env, rows)
        if isinstance(node.op, ast.USub):
            return -v
        if isinstance(node.op, ast.UAdd):
            return v
        if isinstance(node.op, ast.Not):
            return np.logical_not(v)
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMP:
        left = _eval(node.left, env, rows)
        right = _eval(node.comparators[0], env, rows)
        return _CMP[type(node.ops[0])](np.asarray(left), right)
    if isinstance(node, ast.BoolOp):
        vals = [np.asarray(_eval(v, env, rows), dtype=bool) for v in node.values]
        f = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        return f.reduce(vals)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        fn = FUNCTIONS.get(node.func.id)
        if fn is None:
            raise _Forbidden(f"function {node.func.id}")
        inner = env if rows is None or node.func.id != "sum" else {**env, **rows}
        return fn(*[_eval(a, inner, rows) for a in node.args])
    raise _Forbidden(type(node).__name__)
