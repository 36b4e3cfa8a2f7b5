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
"""
from __future__ import annotations

import ast
import operator
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


@lru_cache(maxsize=4096)
def _parse(src: str) -> ast.Expression:
    return ast.parse(src.strip(), mode="eval")


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
        raise InputError(f"formula has a syntax error ({e.msg})", **w,
                         expected="a formula such as 'vehicles * driver_per_vehicle'", found=text) from None
    try:
        return _eval(tree.body, env, rows)
    except _Unknown as e:
        raise InputError(f"formula uses an unknown name {e.args[0]!r}", **w,
                         expected=f"one of {sorted(k for k in env)}", found=text) from None
    except _Forbidden as e:
        raise InputError(f"formula uses a construct that is not allowed ({e.args[0]})", **w,
                         expected=f"arithmetic, comparisons and {sorted(FUNCTIONS)}", found=text) from None


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
        return _BIN[type(node.op)](_eval(node.left, env, rows), _eval(node.right, env, rows))
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
