"""Project schemas and the one pure constructor of a cost-standard project.

:func:`build_project` turns a project's settings (a mapping, as a TOML or YAML
file holds them, or as ``costing check`` reads them from a fill-in
workbook's 项目信息 sheet) and a base folder into a validated
:class:`Project`. It is pure: it reads the tables the mapping names and
nothing else, caches nothing and imports neither the workbook package nor
the project-file loader, so :mod:`costing.project` (files) and
:mod:`costing.workbook` (workbooks) both build on it without importing
each other.

The rules that span tables (:func:`cross_problems`: cost-item codes, years,
price-index coverage, peers, formulas, standard rules and the data they
need, the subsidy preset's money, signs and scales of the settings) are
written once here and yield :class:`costing.intake.Problem` records:
:func:`build_project` raises the first as :class:`InputError`, ``costing
check`` lists them all.
"""
from __future__ import annotations

import copy
import math
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from .errors import InputError
from .glossary import rule_label
from .intake import ERROR, WARNING, YEAR_MAX, YEAR_MIN, Column, Problem, chinese_name
from .io import TableMeta, parse_money, read_table, read_text_file

TOP_LEVEL_KEYS = {"project", "tables", "parameters", "money", "standard", "budget", "benchmark",
                  "report", "performance_targets", "targets", "drivers", "operations", "peers",
                  "sensitivity", "type"}
REQUIRED_TABLES = ("targets", "cost_items", "actual_costs", "operations", "peers", "price_index", "requested")
OPTIONAL_TABLES = ("peer_costs",)
#: Chinese names of the tables (the sheet titles of a fill-in workbook)
TABLE_TITLES = {"targets": "目标任务", "cost_items": "成本项目", "actual_costs": "历年成本", "operations": "运营统计",
                "peers": "同行数据", "peer_costs": "同行成本", "price_index": "价格指数", "requested": "申报数"}

#: the standard rules a 核定规则 dropdown offers (any formula over the bases is allowed too)
RULE_CHOICES = ("quota", "actual_3yr_avg", "peer_p25", "peer_p50", "peer_p75", "frontier",
                "min(actual_3yr_avg, quota)", "min(actual_3yr_avg, peer_p50)")

COST_ITEM_COLUMNS = [
    Column("item_id", "text"),
    Column("item_name", "text"),
    Column("category", "text"),
    Column("quantity", "expr"),
    Column("quantity_unit", "text", required=False, allow_empty=True),
    Column("unit_price", "expr"),
    Column("price_unit", "text"),
    Column("price_index", "text", required=False, allow_empty=True, choices=("cpi", "wage", "none"),
           labels=("居民消费价格指数", "工资指数", "不调整"), default="cpi"),
    Column("cost_driver", "text", required=False, allow_empty=True, default=""),
    Column("rule", "text", required=False, allow_empty=True, default="",
           open_labels=tuple((rule_label(r), r) for r in RULE_CHOICES)),
]
ACTUAL_COST_COLUMNS = [Column("year", "year"), Column("item_id", "text"), Column("amount", "money", min_value=0)]
PEER_COST_COLUMNS = [Column("peer_id", "text"), Column("year", "year"), Column("item_id", "text"),
                     Column("amount", "money", min_value=0)]
PRICE_INDEX_COLUMNS = [Column("year", "year"), Column("cpi", positive=True), Column("wage_index", positive=True)]
REQUESTED_COLUMNS = [Column("item_id", "text"), Column("requested", "money", min_value=0)]


#: Chinese names of the settings a unit fills in (messages name these, with their key as 代码)
MONEY_LABELS = {"taxes": "税金", "other_revenue": "其他业务收入", "higher_level_subsidy": "上级补贴",
                "cold_route_loss": "冷僻线路亏损", "requested_subsidy": "申报补贴总额", "fare_revenue": "票款收入"}
#: parameters that are shares (a fraction: 0.32, not 32); a value above 1 is a percent typed as a whole number
FRACTION_PARAMETERS = {"social_insurance_rate": "五险一金费率", "spare_ratio": "备用车比例",
                       "grant_share_bev": "纯电动车购置补助比例", "salvage_rate": "残值率", "management_rate": "管理费率",
                       "concession_discount": "优惠折扣", "profit_rate_cap": "利润率上限", "profit_rate": "合理利润率",
                       "operating_loss_share": "经营性亏损补贴比例"}


@dataclass
class Project:
    """A validated project: its settings and its tables (money in 元).

    Attributes
    ----------
    id, name : str
    path : Path
        The project file.
    spec : dict
        The project type's template merged with the project file's overrides.
    budget_year, price_year : int
        The year budgeted, and the price base of every amount reported.
    parameters : dict[str, float]
        Named numbers used by formulas.
    money : dict[str, float]
        Named amounts [元] (higher-level subsidy, other revenue, taxes, requested subsidy...).
    tables : dict[str, DataFrame]
        ``targets``, ``cost_items``, ``actual_costs``, ``operations``, ``peers``,
        ``peer_costs`` (may be empty), ``price_index``, ``requested``.
    meta : dict[str, TableMeta]
        Where each table came from (for error messages and hashes).
    """

    id: str
    name: str
    path: Path
    spec: dict
    budget_year: int
    price_year: int
    parameters: dict[str, float]
    money: dict[str, float]
    tables: dict[str, pd.DataFrame]
    meta: dict[str, TableMeta]
    rules: dict[str, str] = field(default_factory=dict)
    budget: dict[str, Any] = field(default_factory=dict)
    performance_targets: dict[str, Any] = field(default_factory=dict)
    raw: dict = field(default_factory=dict)

    @property
    def type_id(self) -> str:
        return self.spec["type"]["id"]

    @property
    def output(self) -> str:
        """The unit-cost denominator's identifier (``vehicle_km``)."""
        return self.spec["type"]["output"]

    @property
    def unit_cost_label(self) -> str:
        return self.spec["type"]["unit_cost_label"]


def _deep_merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def parse_settings(path: str | Path) -> dict:
    """Parse a TOML or YAML settings file safely; InputError (Chinese) on a syntax error."""
    import yaml

    path = Path(path)
    suffix = path.suffix.lower()
    text = read_text_file(path, expected="a .toml or .yaml project file")
    try:
        if suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        else:
            raise InputError("项目文件类型不支持", file=str(path), expected=".toml、.yaml 或 .yml（或 .xlsx 填报工作簿）",
                             found=path.suffix or "（无扩展名）", fix="另存为 .toml 项目文件，或用 costing new 生成工作簿")
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"不是有效的 TOML 文件（{toml_syntax_place(e)}）", file=str(path)) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise InputError("不是有效的 YAML 文件（该行附近有语法错误）" if mark else "不是有效的 YAML 文件", file=str(path),
                         row=(mark.line + 1) if mark else None) from None
    if not isinstance(data, dict):
        raise InputError("项目文件不是设置表", file=str(path),
                         expected="“键 = 值”形式的设置", found=type(data).__name__)
    return data


def toml_syntax_place(e: Exception) -> str:
    """Where a TOML syntax error sits, in Chinese (the parser's own words are English)."""
    m = re.search(r"line (\d+), column (\d+)", str(e))
    return f"第 {m[1]} 行第 {m[2]} 列附近有语法错误" if m else "有语法错误"


def load_type(type_ref: str, *, base_dir: Path | None = None, where: dict | None = None) -> dict:
    """A project type template: a name in ``costing/templates`` or a path to a TOML file.

    ``where`` (InputError keywords) is the place that names the type, e.g. the
    project file and ``project.type``.
    """
    w = where or {}
    candidate = (base_dir / type_ref) if base_dir is not None else Path(type_ref)
    if type_ref.endswith(".toml") and candidate.exists():
        try:
            return tomllib.loads(read_text_file(candidate, what="project type template"))
        except tomllib.TOMLDecodeError as e:
            raise InputError(f"项目类型模板不是有效的 TOML 文件（{toml_syntax_place(e)}）", file=str(candidate)) from None
    files = resources.files("costing") / "templates" / f"{type_ref}.toml"
    if not files.is_file():
        known = sorted(p.name[:-5] for p in (resources.files("costing") / "templates").iterdir()
                       if p.name.endswith(".toml"))
        raise InputError("未知的项目类型", **w, expected=f"{'、'.join(known)} 之一，或 .toml 模板文件的路径",
                         found=type_ref)
    return tomllib.loads(files.read_text(encoding="utf-8"))


def _year(head: dict, key: str, pfile: Path, default=None) -> int:
    """``project.<key>`` as a whole year (the readers' one year limit); InputError naming it otherwise."""
    v = head.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int) or not YEAR_MIN <= v <= YEAR_MAX:
        label = {"budget_year": "预算年度", "price_year": "价格基年"}.get(key, key)
        raise InputError(f"{label}不是四位年份", file=str(pfile), column=f"project.{key}",
                         expected=f"四位年份（{YEAR_MIN}–{YEAR_MAX}），如 2026，不带“年”或小数", found=v,
                         fix=f"填写{label}，如 2026")
    return v


def _columns(spec_cols: list[dict]) -> list[Column]:
    cols = []
    for c in spec_cols:
        c = dict(c)
        if "choices" in c:
            c["choices"] = tuple(c["choices"])
        if "aliases" in c:
            c["aliases"] = tuple(c["aliases"])
        cols.append(Column(**c))
    return cols


def _table_ref(ref, base: Path, name: str, pfile: Path) -> tuple[Path, str | None]:
    if isinstance(ref, str):
        return (base / ref).resolve(), None
    if isinstance(ref, dict) and "path" in ref:
        return (base / ref["path"]).resolve(), ref.get("sheet")
    raise InputError(f"表 {name} 的引用写法有误", file=str(pfile), column=f"tables.{name}",
                     expected="文件路径，或 {path = ..., sheet = ...}", found=ref)


def table_schemas(spec: dict) -> dict[str, tuple[list[Column], list[str] | None]]:
    """Table name -> (its columns, its key columns) for a project type's merged spec."""
    return {
        "targets": (_columns(spec["targets"]["columns"]), spec["targets"].get("key")),
        "cost_items": (COST_ITEM_COLUMNS, ["item_id"]),
        "actual_costs": (ACTUAL_COST_COLUMNS, ["year", "item_id"]),
        "operations": (_columns(spec["operations"]["columns"]), ["year"]),
        "peers": (_columns(spec["peers"]["columns"]), ["peer_id", "year"]),
        "peer_costs": (PEER_COST_COLUMNS, ["peer_id", "year", "item_id"]),
        "price_index": (PRICE_INDEX_COLUMNS, ["year"]),
        "requested": (REQUESTED_COLUMNS, ["item_id"]),
    }


def type_spec(mapping: dict, base_dir: Path, *, where: dict | None = None) -> dict:
    """The project type's template merged with the mapping's overrides (targets, drivers, peers ...)."""
    head = mapping.get("project") or {}
    return _deep_merge(load_type(str(head["type"]), base_dir=base_dir, where=where),
                       {k: v for k, v in mapping.items() if k in ("targets", "drivers", "operations", "peers",
                                                                  "benchmark", "sensitivity", "type")})


def build_project(mapping: dict, base_dir: str | Path, *, path: str | Path | None = None,
                  problems: list[Problem] | None = None) -> Project:
    """A validated :class:`Project` from its settings (pure: reads the tables named, caches nothing).

    Parameters
    ----------
    mapping : dict
        The settings a project file holds (``[project]``, ``[tables]``, ``[parameters]``, ``[money]`` ...).
    base_dir : path-like
        The folder table paths are relative to.
    path : path-like, optional
        The file the settings came from (a project file or a workbook), for messages.
    problems : list, optional
        When given, the cross-table rules (:func:`cross_problems`) append every
        problem here instead of raising on the first error.

    Raises
    ------
    InputError
        On bad settings or tables, naming the file (sheet, row, column); and on the
        first cross-table error unless ``problems`` is given.
    """
    base = Path(base_dir)
    pfile = Path(path) if path is not None else base
    data = mapping
    unknown = sorted(set(data) - TOP_LEVEL_KEYS)
    if unknown:
        raise InputError(f"未知的设置节 [{unknown[0]}]", file=str(pfile),
                         expected=f"{'、'.join(sorted(TOP_LEVEL_KEYS))} 之一", found=unknown[0])
    head = data.get("project")
    if not isinstance(head, dict):
        raise InputError("缺少 [project] 节", file=str(pfile), expected="[project] 节，含 id、type、budget_year")
    for k in ("id", "type", "budget_year"):
        if k not in head:
            raise InputError(f"缺少 project.{k}", file=str(pfile), column=f"project.{k}", expected="填写一个值")
    spec, budget_year, price_year, params, budget, money = settings(data, base, pfile)

    refs = data.get("tables") or {}
    missing = [t for t in REQUIRED_TABLES if t not in refs]
    if missing:
        raise InputError(f"缺少表“{TABLE_TITLES[missing[0]]}”", file=str(pfile), column="tables",
                         expected="、".join(f"{TABLE_TITLES[t]}（{t}）" for t in REQUIRED_TABLES),
                         found="、".join(sorted(refs)) or "无", fix=f"在 [tables] 中增加 {missing[0]} = \"文件路径\"")
    tables: dict[str, pd.DataFrame] = {}
    meta: dict[str, TableMeta] = {}
    for name, (cols, key) in table_schemas(spec).items():
        if name not in refs:
            continue
        tpath, sheet = _table_ref(refs[name], base, name, pfile)
        if not tpath.exists():
            raise InputError(f"表“{TABLE_TITLES.get(name, name)}”的文件不存在", file=str(tpath),
                             expected=f"{pfile.name} 中 tables.{name} 指向的文件", fix="检查文件名和路径")
        tables[name], meta[name] = read_table(tpath, cols, sheet=sheet, key=key, label=name)
        if tables[name].empty and name in REQUIRED_TABLES:
            raise InputError(f"表“{TABLE_TITLES.get(name, name)}”没有数据", **meta[name].where(None, 2),
                             expected="表头下至少一行数据", found="只有表头", fix="填写数据（可参照模板的示例行）")
    if "peer_costs" not in tables:
        tables["peer_costs"] = pd.DataFrame({"peer_id": pd.Series(dtype=str), "year": pd.Series(dtype=int),
                                             "item_id": pd.Series(dtype=str), "amount": pd.Series(dtype=float)})

    proj = Project(id=str(head["id"]), name=str(head.get("name", head["id"])), path=pfile, spec=spec,
                   budget_year=budget_year, price_year=price_year, parameters=params, money=money,
                   tables=tables, meta=meta, rules={str(k): str(v) for k, v in (data.get("standard") or {}).items()},
                   budget=budget, performance_targets=dict(data.get("performance_targets") or {}),
                   raw=data)
    found = cross_problems(proj)
    if problems is not None:
        problems.extend(found)
    else:
        first = next((p for p in found if p.severity == ERROR), None)
        if first is not None:
            raise problem_error(first)
    return proj


def settings(data: dict, base: Path, pfile: Path) -> tuple:
    """The validated settings of a project mapping: (spec, budget_year, price_year, parameters, budget, money [元])."""
    head = data["project"]
    spec = type_spec(data, base, where=dict(file=str(pfile), column="project.type"))
    budget_year = _year(head, "budget_year", pfile)
    price_year = _year(head, "price_year", pfile, default=budget_year)

    params: dict[str, float] = dict(spec.get("parameters", {}))
    for k, v in (data.get("parameters") or {}).items():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise InputError(f"参数 {k} 不是数字", file=str(pfile), column=f"parameters.{k}",
                             expected="数字（金额放在 [money] 并注明单位）", found=v, fix="填写数字，不带单位和文字")
        params[k] = float(v)
    budget = dict(data.get("budget") or {})
    for k, v in budget.items():
        if k != "preset" and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)):
            raise InputError(f"budget.{k} 不是数字", file=str(pfile), column=f"budget.{k}",
                             expected="数字（比例写成小数：0.02，不写“2%”）", found=v, fix="填写数字")
    money = {k: parse_money(v, where=dict(file=str(pfile), column=f"money.{k}"))
             for k, v in (data.get("money") or {}).items()}

    return spec, budget_year, price_year, params, budget, money


def problem_error(p: Problem) -> InputError:
    """A problem as the InputError a loader raises (same Chinese text; the problem rides along)."""
    e = InputError(p.problem, file=p.file, sheet=p.sheet, row=p.row, column=p.column,
                   expected=p.expected or None, found=p.found if p.found != "" else None, fix=p.fix or None)
    e.record = p
    return e


# -- the rules that span tables and settings (written once; check lists them, loaders raise the first) -------------
def _at(p: Project, table: str, column: str | None, index: int | None) -> dict:
    """Problem keywords for a table cell (``index`` = the frame's row; None for a whole column)."""
    m = p.meta[table]
    w = m.where(column, None if index is None else index + 2)
    return dict(file=w["file"], sheet=w["sheet"], row=w["row"], column=w["column"])


def _setting(p: Project, key: str) -> dict:
    return dict(file=str(p.path), column=key)


def _err(problem, expected="", found="", fix="", **where) -> Problem:
    return Problem(ERROR, where.pop("sheet", None), None, problem, str(expected), str(found), fix, **where)


def cross_problems(p: Project) -> list[Problem]:
    """Every problem that spans tables or settings, in a fixed order (errors, then scale warnings)."""
    out: list[Problem] = []
    for rule in (_price_units, _item_codes, _years, _price_index, _peer_costs, _peer_count, _formulas,
                 _standard_rules, _preset, _signs_and_scales):
        out.extend(rule(p))
    return out


def _none(v) -> bool:
    """A cell the cell rules already refused (``costing check`` builds the tables with it as None)."""
    return v is None or (isinstance(v, float) and math.isnan(v))


def _vals(s) -> set:
    return {v for v in s if not _none(v)}


def _price_units(p: Project) -> Iterator[Problem]:
    from .units import MONEY_UNITS

    for i, unit in p.tables["cost_items"]["price_unit"].items():
        if _none(unit):
            continue
        part = str(unit).split("/")[0].strip()
        if part not in MONEY_UNITS and part.lower() not in MONEY_UNITS:
            yield _err("单价单位的金额部分未知", "元/…、万元/… 或 亿元/…", unit, "写成“元/人·年”“万元/辆”这样的形式",
                       **_at(p, "cost_items", "price_unit", i))


def _item_codes(p: Project) -> Iterator[Problem]:
    items = [x for x in p.tables["cost_items"]["item_id"] if not _none(x)]
    if len(items) < len(p.tables["cost_items"]):
        return  # a code cell is already refused: which codes are known is not (no follow-on errors)
    known = set(items)
    for tname in ("actual_costs", "requested", "peer_costs"):
        t = p.tables[tname]
        if tname not in p.meta:
            continue
        for i, v in t["item_id"].items():
            if not _none(v) and v not in known:
                yield _err("未知的成本项目代码", f"“{TABLE_TITLES['cost_items']}”表中的代码：{'、'.join(items)}", v,
                           "改为成本项目表中的代码", **_at(p, tname, "item_id", i))


def _years(p: Project) -> Iterator[Problem]:
    years = sorted(_vals(p.tables["operations"]["year"]))
    if len(years) < 3:
        yield _err("历年数据不足三年", "至少 3 年经审计的数据", "、".join(map(str, years)) or "无",
                   "补充近三年经审计的运营数据和成本", **_at(p, "operations", "year", None))
    ac = _vals(p.tables["actual_costs"]["year"])
    for i, y in p.tables["operations"]["year"].items():
        if not _none(y) and y not in ac:
            yield _err(f"{y} 年没有历年成本", f"“{TABLE_TITLES['actual_costs']}”表有 {y} 年各项成本", y,
                       f"在“{TABLE_TITLES['actual_costs']}”表补充 {y} 年的成本", **_at(p, "operations", "year", i))


def _price_index(p: Project) -> Iterator[Problem]:
    have = _vals(p.tables["price_index"]["year"])
    need = _vals(p.tables["operations"]["year"]) | _vals(p.tables["peers"]["year"])
    shown = "、".join(map(str, sorted(have))) or "无"
    for y in sorted(need - have):
        yield _err(f"价格指数缺少 {y} 年", f"{y} 年的价格指数", shown, f"在“{TABLE_TITLES['price_index']}”表增加 {y} 年一行",
                   **_at(p, "price_index", "year", None))
    if p.price_year not in have:
        yield _err("价格基年不在价格指数表中", f"“{TABLE_TITLES['price_index']}”表有 {p.price_year} 年", shown,
                   f"在“{TABLE_TITLES['price_index']}”表增加 {p.price_year} 年，或改价格基年",
                   **_setting(p, "project.price_year"))


def _peer_costs(p: Project) -> Iterator[Problem]:
    pc = p.tables["peer_costs"]
    if not len(pc):
        return
    keys = set(zip(p.tables["peers"]["peer_id"], p.tables["peers"]["year"]))
    for i, (pid, yr) in enumerate(zip(pc["peer_id"], pc["year"])):
        if not _none(pid) and not _none(yr) and (pid, yr) not in keys:
            yield _err("同行成本对应的单位/年度不在同行数据表中", f"“{TABLE_TITLES['peers']}”表中的同行单位和年度",
                       f"{pid} / {int(yr)}", "改正同行单位代码或年度", **_at(p, "peer_costs", "peer_id", i))


def _peer_count(p: Project) -> Iterator[Problem]:
    bspec = p.spec.get("benchmark", {})
    regs = list(bspec.get("regressors", []))
    need = bspec.get("min_peers", len(regs) + 3 if regs else None)
    peers = p.tables["peers"]
    if not need or not _vals(peers["year"]):
        return
    latest = int(max(_vals(peers["year"])))
    n = peers.loc[peers["year"] == latest, "peer_id"].nunique()
    if n < int(need):
        yield _err("同行单位太少", f"{latest} 年至少 {int(need)} 家（成本函数所需）", f"{n} 家",
                   "补充同行单位数据（同一年度）", **_at(p, "peers", "peer_id", None))


def _formulas(p: Project) -> Iterator[Problem]:
    from .expr import names as formula_names

    known = set(p.parameters) | set(p.spec.get("drivers", {}).get("total", {})) | {"subtotal"}
    items = p.tables["cost_items"]
    for i, row in items.iterrows():
        for col in ("quantity", "unit_price"):
            f = row[col]
            if not isinstance(f, str) or not f:
                continue
            try:
                unknown = sorted(formula_names(f) - known)
            except SyntaxError as e:
                why = str(e)
                what = "公式太长" if "longer" in why else ("公式嵌套太深" if "nest" in why else "公式无法解析")
                yield _err(what, "如 drivers * city_avg_wage", f,
                           "拆成几个参数或成本项目" if what != "公式无法解析" else "检查括号、运算符；名称只用字母、数字和下划线",
                           **_at(p, "cost_items", col, i))
                continue
            if unknown:
                yield _err(f"公式中的名称未定义：{'、'.join(unknown)}",
                           "项目信息中的参数、目标测算结果或前面成本项目的 cost_<代码>", f,
                           f"在“项目信息”增加参数 {unknown[0]}，或改正拼写", **_at(p, "cost_items", col, i))
        known.add(f"cost_{row['item_id']}")


def _standard_rules(p: Project) -> Iterator[Problem]:
    from . import rules as _rules
    from .expr import names as formula_names
    from .glossary import rule_label

    items = p.tables["cost_items"]
    pc = p.tables["peer_costs"]
    peer_items = set(pc["item_id"]) if len(pc) else set()
    for i, row in items.iterrows():
        item = row["item_id"]
        if _none(item):
            continue
        rule, where = ("" if _none(row["rule"]) else row["rule"]) or "quota", _at(p, "cost_items", "rule", i)
        if item in p.rules:
            rule, where = p.rules[item], _setting(p, f"standard.{item}")
        offered = "下拉列表中的规则：" + "、".join(rule_label(r) for r in RULE_CHOICES)
        try:
            used = formula_names(rule)
        except SyntaxError:
            yield _err("核定规则无法解析", offered, rule, "从下拉列表选择", **where)
            continue
        unknown = sorted(used - set(_rules.BASES))
        if unknown:
            yield _err("核定规则含未知依据", offered, rule, "从下拉列表选择", **where)
            continue
        peer = sorted(b for b in used if b.startswith("peer_"))
        if peer and item not in peer_items:
            name = row.get("item_name") or item
            yield _err(f"核定规则“{rule_label(rule)}”需要同行成本，但“{TABLE_TITLES['peer_costs']}”表没有"
                       f"“{name}”的数据", f"“{TABLE_TITLES['peer_costs']}”表有“{name}”（代码 {item}）的同行金额",
                       rule_label(rule),
                       f"在“{TABLE_TITLES['peer_costs']}”表填写各同行单位“{name}”的金额，或改用不需要同行数据的规则"
                       "（如定额测算、近三年实际平均）", **where)
    for item in p.rules:
        if item not in set(items["item_id"]):
            yield _err("核定规则对应的成本项目代码未知", "成本项目表中的代码", item, "改为成本项目表中的代码",
                       **_setting(p, f"standard.{item}"))


def _preset(p: Project) -> Iterator[Problem]:
    from . import rules as _rules

    preset = p.budget.get("preset", "shanting")
    if preset not in _rules.SUBSIDY_PRESETS:
        yield _err("补贴口径未知", "、".join(sorted(_rules.SUBSIDY_PRESETS)), preset, "从下拉列表选择",
                   **_setting(p, "budget.preset"))
        return
    for k in _rules.PRESET_REQUIRES[preset]:
        if k not in p.money:
            yield _err(f"缺少金额“{MONEY_LABELS.get(k, k)}”", f"“金额”一项：{MONEY_LABELS.get(k, k)}（代码 {k}）", "无",
                       f"增加一行：金额 | {k} | 数值 | 万元", **_setting(p, "money"))


def _signs_and_scales(p: Project) -> Iterator[Problem]:
    """Amounts that cannot be negative, and rates typed as percents (2 for 2%)."""
    for k, v in p.money.items():
        if v < 0:
            label = MONEY_LABELS.get(k, k)
            yield _err(f"{label}不能为负数", "不小于 0 的金额", f"{v / 1e4:,.2f} 万元",
                       f"去掉负号：{label}按实际金额填正数，它在补贴公式中的加减方向已由口径决定", **_setting(p, f"money.{k}"))
    given = dict(p.raw.get("parameters") or {})
    for k, v in p.parameters.items():
        if k not in given:
            continue
        label = FRACTION_PARAMETERS.get(k, k)
        if v < 0:
            yield _err(f"参数 {label} 不能为负数", "不小于 0 的数", f"{v:g}", "填正数", **_setting(p, f"parameters.{k}"))
        elif k in FRACTION_PARAMETERS and v > 1:
            yield _err(f"{label}应为比例，不是百分数", f"0 到 1 之间的比例，如 {v / 100:g} 表示 {v:g}%", f"{v:g}",
                       f"改为 {v / 100:g}（可能想填 {v:g}%）", **_setting(p, f"parameters.{k}"))
    rate = p.budget.get("profit_rate")
    if isinstance(rate, (int, float)) and not isinstance(rate, bool):
        if rate < 0:
            yield _err("合理利润率不能为负数", "0 到上限之间的比例，如 0.02", f"{rate:g}", "填写 0.02 这样的比例",
                       **_setting(p, "budget.profit_rate"))
        elif rate >= 1:
            yield _err("合理利润率应为比例，不是百分数", f"比例，如 {rate / 100:g} 表示 {rate:g}%", f"{rate:g}",
                       f"改为 {rate / 100:g}（可能想填 {rate:g}%）", **_setting(p, "budget.profit_rate"))
    for k, t in (p.performance_targets or {}).items():
        if isinstance(t, dict) and t.get("unit") in ("fraction", "比例") and isinstance(t.get("target"), (int, float)) \
                and not isinstance(t.get("target"), bool) and t["target"] > 1:
            x = t["target"]
            label = t.get("label", k)
            yield _err(f"绩效目标“{label}”应为比例，不是百分数", f"0 到 1 之间的比例，如 {x / 100:g} 表示 {x:g}%",
                       f"{x:g}", f"改为 {x / 100:g}（可能想填 {x:g}%）", **_setting(p, f"performance_targets.{k}.target"))
