"""The 项目信息 sheet: a project's settings as label/value rows, and back.

Columns ``类别 | 名称 | 值 | 单位 | 说明``. A project file's settings map onto
rows one to one, so a workbook carries everything its TOML did:

- fixed rows (项目编号, 项目类型, 预算年度, 补贴口径...) for the keys a unit fills in;
- ``参数`` rows: ``[parameters]`` (名称 = the identifier formulas use);
- ``金额`` rows: ``[money]`` amounts with their unit (元/万元/亿元);
- ``核定规则`` rows: ``[standard]`` rules per cost item;
- ``其他`` rows: every remaining setting as a dotted key and a TOML value
  (``report.templates`` = ``["cost_standard"]``), for analysts.
"""
from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass

#: Chinese names of parameters and money items, with their unit in brackets (项目信息 shows the name, the unit
#: in 单位 and the code in 代码; formulas use the code)
LABELS = {
    "average_fare": "平均票价（元/人次）", "city_avg_wage": "城市社会平均工资（元/人·年）",
    "driver_wage_factor": "驾驶员工资系数（× 社平工资）", "staff_wage_factor": "管理人员工资系数（× 社平工资）",
    "worker_wage_factor": "作业人员工资系数（× 社平工资）", "supervisor_wage_factor": "管理人员工资系数",
    "social_insurance_rate": "五险一金费率（比例）", "spare_ratio": "备用车比例", "driver_per_vehicle": "人车比（驾驶员/车）",
    "staff_per_vehicle": "综合人车比（管理及辅助人员/车）", "profit_rate_cap": "利润率上限",
    "energy_per_100km_bev": "纯电动百公里电耗（kWh）", "energy_per_100km_diesel": "柴油车百公里油耗（升）",
    "energy_per_100km_cng": "CNG 车百公里气耗（立方米）", "electricity_price": "电价（元/kWh）",
    "diesel_price": "柴油价格（元/升）", "cng_price": "天然气价格（元/立方米）", "bev_price": "纯电动车购置价（元/辆）",
    "diesel_bus_price": "柴油车购置价（元/辆）", "cng_bus_price": "CNG 车购置价（元/辆）",
    "grant_share_bev": "纯电动车购置补助比例", "salvage_rate": "残值率", "bev_life_years": "纯电动车折旧年限（年）",
    "diesel_life_years": "柴油车折旧年限（年）", "depot_area_m2": "场站面积（平方米）", "management_rate": "管理费率",
    "free_ride_trips": "免费乘车人次", "concession_trips": "优惠乘车人次", "concession_discount": "优惠折扣",
    "taxes": "税金", "other_revenue": "其他业务收入", "higher_level_subsidy": "上级补贴",
    "cold_route_loss": "冷僻线路亏损", "requested_subsidy": "申报补贴总额",
}


def split_label(code: str, labels: dict | None = None) -> tuple[str, str]:
    """(Chinese name, unit) of a parameter or money code: ``electricity_price`` -> ``("电价", "元/kWh")``."""
    from ..glossary import split_header

    text = (labels or LABELS).get(code)
    if not text:
        return code, ""
    name, unit = split_header(text)
    return name, unit or ""


def code_of(name: str, labels: dict | None = None) -> str:
    """The code of a parameter or money row typed as its code or its Chinese name (with or without unit)."""
    from ..glossary import split_header

    text = str(name).strip()
    for code, label in (labels or LABELS).items():
        if text in (code, label) or text == split_header(label)[0]:
            return code
    return text


#: what the 补贴口径 / 核定规则 / 项目类型 dropdowns show; the code stays behind (read back by :func:`value_code`)
def value_labels(codes) -> dict[str, str]:
    from ..glossary import display_name, rule_label

    return {c: (rule_label(c) if "(" in c else display_name(c)) for c in codes}


def value_code(text, codes) -> str:
    """A dropdown value typed as its code or its Chinese label -> the code."""
    t = "" if text is None else str(text).strip()
    for code, label in value_labels(codes).items():
        if t in (code, label):
            return code
    return t


def choice_labels(list_name: str) -> dict[str, str]:
    """code -> Chinese label of a fixed row's dropdown (项目类型, 补贴口径, 价格口径, 折现率口径, 折现时点);
    empty for lists that are Chinese already (年度, 金额单位)."""
    from .layout import KIND_LABELS

    if list_name == "项目类型":
        return dict(KIND_LABELS)
    if list_name == "补贴口径":
        from ..rules import SUBSIDY_PRESETS

        return value_labels(sorted(SUBSIDY_PRESETS))
    if list_name == "价格口径":
        return {"real": "不变价", "nominal": "现价"}
    if list_name == "折现时点":
        return {"start": "期初", "mid": "年中", "end": "期末"}
    if list_name == "折现率口径":
        from ..cba.discounting import DISCOUNT_PRESETS

        return {k: p.label for k, p in DISCOUNT_PRESETS.items()}
    return {}


def choice_code(list_name: str, text):
    """A fixed row's dropdown value typed as its code or its Chinese label -> the code."""
    t = "" if text is None else str(text).strip()
    return next((c for c, label in choice_labels(list_name).items() if t in (c, label)), t)


#: category names of the rows
FIXED, PARAM, MONEY, RULE, OTHER = "项目", "参数", "金额", "核定规则", "其他"
CATEGORIES = (FIXED, PARAM, MONEY, RULE, OTHER)


@dataclass(frozen=True)
class Field:
    """A fixed label/value row: the label a unit sees and the project-file key it fills."""

    label: str
    key: str
    kind: str = "text"        # text | year | number
    unit: str = ""
    note: str = ""
    required: bool = False
    choices: str | None = None  # name of a list on the 选项 sheet


PROJECT_FIELDS = (
    Field("项目编号", "project.id", note="字母、数字、-、_，用作报告文件夹名", required=True),
    Field("项目名称", "project.name", note="报告标题使用的名称"),
)
FIELDS: dict[str, tuple[Field, ...]] = {
    "standard": PROJECT_FIELDS + (
        Field("项目类型", "project.type", note="从下拉列表选择（公交运行补贴、环卫保洁）", required=True,
              choices="项目类型"),
        Field("预算年度", "project.budget_year", "year", "年", required=True, choices="年度"),
        Field("价格基年", "project.price_year", "year", "年", "所有金额按此年价格重述（默认为预算年度）",
              choices="年度"),
        Field("补贴口径", "budget.preset", note="从下拉列表选择（山亭口径；三门峡口径：政策性、经营性亏损分列）",
              choices="补贴口径"),
        Field("合理利润率", "budget.profit_rate", "number", "比例", "如 0.02 表示 2%"),
    ),
    "cba": PROJECT_FIELDS + (
        Field("项目类型", "project.kind", note="从下拉列表选择", required=True, choices="项目类型"),
        Field("报告标题", "project.title"),
        Field("金额单位", "cashflows.unit", note="现金流表金额的单位", required=True, choices="金额单位"),
        Field("起始年度", "cashflows.start_year", "year", "年", "现金流表第一年", choices="年度"),
        Field("价格口径", "cashflows.price_basis", note="从下拉列表选择：不变价或现价", choices="价格口径"),
        Field("价格基年", "cashflows.price_year", "year", "年", choices="年度"),
        Field("折现率口径", "discount.preset", note="从下拉列表选择，如“中国 社会折现率 8%”", choices="折现率口径"),
        Field("折现时点", "discount.timing", note="从下拉列表选择：期初、年中或期末", choices="折现时点"),
        Field("基准收益率", "discount.benchmark_rate", "number", "比例", "IRR 的比较基准"),
    ),
    "portfolio": PROJECT_FIELDS + (
        Field("项目类型", "project.kind", note="从下拉列表选择", required=True,
              choices="项目类型"),
        Field("预算年度", "project.budget_year", "year", "年", required=True, choices="年度"),
    ),
}


def fields_for(kind: str) -> tuple[Field, ...]:
    return FIELDS["standard" if kind in ("bus", "sanitation") else kind]


def toml_literal(v) -> str:
    """A value as a TOML inline literal (strings, numbers, booleans, arrays, inline tables)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_literal(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {toml_literal(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


def parse_literal(text: str):
    """Inverse of :func:`toml_literal`; ValueError on text that is not a TOML value."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError as e:
        raise ValueError(str(e)) from None


def _get(mapping: dict, dotted: str):
    cur = mapping
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _set(mapping: dict, dotted: str, value) -> None:
    parts = dotted.split(".")
    cur = mapping
    for part in parts[:-1]:
        cur = cur.setdefault(part, {})
    cur[parts[-1]] = value


def _flatten(d: dict, prefix: str = ""):
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            yield from _flatten(v, key + ".")
        else:
            yield key, v


#: sections that become sheets, not rows
TABLE_SECTIONS = ("tables", "items")


def rows_from_mapping(mapping: dict, kind: str, labels: dict | None = None, note: str = "") -> list[tuple]:
    """The 项目信息 rows ``(类别, 名称, 值, 单位, 说明, 代码)`` for a project file's settings.

    Parameters and money amounts are named in Chinese (``labels``: code -> ``名称（单位）``),
    with their unit and their code (the name formulas use) in the 代码 column; dropdown
    settings (项目类型, 补贴口径, 核定规则) show their Chinese label; ``其他`` rows hold plain values.
    """
    labels = labels or {}
    rows, used = [], set()
    for f in fields_for(kind):
        v = _get(mapping, f.key)
        if f.choices and isinstance(v, str):
            v = choice_labels(f.choices).get(v, v)
        rows.append((FIXED, f.label, v, f.unit, f.note, ""))
        used.add(f.key)
    standard = kind in ("bus", "sanitation")
    for k, v in (mapping.get("parameters") or {}).items():
        name, unit = split_label(k, labels)
        rows.append((PARAM, name, v, unit, note, k))
    if standard:
        for k, v in (mapping.get("money") or {}).items():
            if isinstance(v, dict) and set(v) == {"amount", "unit"}:
                rows.append((MONEY, split_label(k, labels)[0], v["amount"], v["unit"], note, k))
            else:
                rows.append((OTHER, f"money.{k}", _plain(v), "", "", f"money.{k}"))
        for k, v in (mapping.get("standard") or {}).items():
            rows.append((RULE, k, value_labels([v])[v] if isinstance(v, str) else v, "",
                         "该成本项目（代码）的核定规则，优先于成本项目表", k))
    skip = set(TABLE_SECTIONS) | {"parameters"} | ({"money", "standard"} if standard else set())
    for k, v in _flatten({k: v for k, v in mapping.items() if k not in skip}):
        if k not in used:
            rows.append((OTHER, k, _plain(v), "", "", k))
    return rows


def plain_value(cell):
    """A 其他 row's value read back: numbers as numbers, text as text; a list or table (``[...]``,
    ``{...}``), a quoted string or true/false as the TOML value it spells."""
    if cell is None:
        return ""
    if not isinstance(cell, str):
        return cell
    text = cell.strip()
    if text in ("true", "false") or text[:1] in ("[", "{", '"'):
        try:
            return parse_literal(text)
        except ValueError:
            return text
    return text


def _plain(v):
    """A setting as a 其他 row shows it: text and numbers as they are, lists and tables as TOML values."""
    if isinstance(v, str) or (isinstance(v, (int, float)) and not isinstance(v, bool)):
        return v
    return toml_literal(v)


def numeric_parameters(kind: str) -> bool:
    """Whether ``[parameters]`` hold numbers only (cost-standard projects; a portfolio's may be text)."""
    return kind in ("bus", "sanitation")
