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
        Field("项目类型", "project.type", note="bus 公交运行补贴；sanitation 环卫保洁", required=True,
              choices="项目类型"),
        Field("预算年度", "project.budget_year", "year", "年", required=True, choices="年度"),
        Field("价格基年", "project.price_year", "year", "年", "所有金额按此年价格重述（默认为预算年度）",
              choices="年度"),
        Field("补贴口径", "budget.preset", note="shanting 山亭口径；policy_operating_split 政策性/经营性分列",
              choices="补贴口径"),
        Field("合理利润率", "budget.profit_rate", "number", "比例", "如 0.02 表示 2%"),
    ),
    "cba": PROJECT_FIELDS + (
        Field("项目类型", "project.kind", note="cba 成本效益分析", required=True, choices="项目类型"),
        Field("报告标题", "project.title"),
        Field("金额单位", "cashflows.unit", note="现金流表金额的单位", required=True, choices="金额单位"),
        Field("起始年度", "cashflows.start_year", "year", "年", "现金流表第一年", choices="年度"),
        Field("价格口径", "cashflows.price_basis", note="real 不变价；nominal 现价", choices="价格口径"),
        Field("价格基年", "cashflows.price_year", "year", "年", choices="年度"),
        Field("折现率口径", "discount.preset", note="如 china_8 社会折现率 8%", choices="折现率口径"),
        Field("折现时点", "discount.timing", note="start 期初；end 期末；mid 年中", choices="折现时点"),
        Field("基准收益率", "discount.benchmark_rate", "number", "比例", "IRR 的比较基准"),
    ),
    "portfolio": PROJECT_FIELDS + (
        Field("项目类型", "project.kind", note="portfolio 项目库（绩效管理全周期）", required=True,
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


def rows_from_mapping(mapping: dict, kind: str, labels: dict | None = None) -> list[tuple]:
    """The 项目信息 rows ``(类别, 名称, 值, 单位, 说明)`` for a project file's settings.

    ``labels`` maps a parameter or money name to its Chinese description.
    """
    labels = labels or {}
    rows, used = [], set()
    for f in fields_for(kind):
        rows.append((FIXED, f.label, _get(mapping, f.key), f.unit, f.note))
        used.add(f.key)
    standard = kind in ("bus", "sanitation")
    for k, v in (mapping.get("parameters") or {}).items():
        rows.append((PARAM, k, v, "", labels.get(k, "")))
    if standard:
        for k, v in (mapping.get("money") or {}).items():
            if isinstance(v, dict) and set(v) == {"amount", "unit"}:
                rows.append((MONEY, k, v["amount"], v["unit"], labels.get(k, "")))
            else:
                rows.append((OTHER, f"money.{k}", toml_literal(v), "", ""))
        for k, v in (mapping.get("standard") or {}).items():
            rows.append((RULE, k, v, "", "该成本项目的核定规则（优先于成本项目表）"))
    skip = set(TABLE_SECTIONS) | {"parameters"} | ({"money", "standard"} if standard else set())
    for k, v in _flatten({k: v for k, v in mapping.items() if k not in skip}):
        if k not in used:
            rows.append((OTHER, k, toml_literal(v), "", ""))
    return rows


def numeric_parameters(kind: str) -> bool:
    """Whether ``[parameters]`` hold numbers only (cost-standard projects; a portfolio's may be text)."""
    return kind in ("bus", "sanitation")
