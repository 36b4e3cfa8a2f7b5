"""Cost-benefit projects as workbooks: 现金流项目 (the items) and 现金流 (one row per year)."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd

from ..io import Column
from . import info as I
from .check import Checker, _show
from .layout import INFO_SHEET, TableSheet, header

ITEMS = TableSheet("items", "现金流项目", (
    Column("name", "text", aliases=("项目代码", "code")),
    Column("kind", "text", choices=("capital", "operating", "benefit", "residual"), aliases=("类型",)),
    Column("label", "text", required=False, allow_empty=True, aliases=("项目名称", "说明")),
), ("name",), True, "每个现金流项目一行：代码（字母、数字、下划线）、类型（capital 投资 / operating 运营成本 / "
                   "benefit 效益 / residual 残值）和中文名称。")
CASHFLOWS_TITLE = "现金流"
KIND_NOTE = "capital 投资；operating 运营成本；benefit 效益；residual 期末残值（金额一律填正数，类型决定正负）"
#: a blank workbook's items and example years (the unit replaces them)
BLANK_ITEMS = [("investment", "capital", "初始投资"), ("operating_cost", "operating", "运行维护成本"),
               ("benefit", "benefit", "年度效益")]
BLANK_ROWS = [(2026, 1000.0, 0.0, 0.0), (2027, 0.0, 50.0, 260.0)]


def cashflow_sheet(names: list[str]) -> TableSheet:
    cols = (Column("year", "year"), *(Column(n, "number", min_value=0) for n in names))
    return TableSheet("cashflows", CASHFLOWS_TITLE, cols, ("year",), True,
                      "每年一行，每个现金流项目一列，金额为正数，单位见列名（项目信息“金额单位”）；年度须连续。")


def write(kind: str, out: Path, source, w) -> Path:
    from ..cba import load_cba_project

    if source is None:
        mapping = {"project": {"id": "", "name": "", "kind": "cba", "title": ""},
                   "cashflows": {"unit": "万元", "start_year": BLANK_ROWS[0][0], "price_basis": "real"},
                   "discount": {"preset": "china_8", "timing": "start"}}
        items = pd.DataFrame(BLANK_ITEMS, columns=["name", "kind", "label"])
        flows = pd.DataFrame(BLANK_ROWS, columns=["year", *items["name"]])
        examples = len(BLANK_ROWS)
    else:
        proj = load_cba_project(source)
        mapping = tomllib.loads(Path(source).read_text(encoding="utf-8"))
        mapping.setdefault("project", {})["kind"] = "cba"
        model = proj.model
        items = pd.DataFrame([(it.name, it.kind, it.label) for it in model.items], columns=["name", "kind", "label"])
        from ..units import money_factor

        f = money_factor(mapping.get("cashflows", {}).get("unit", "元"))
        flows = pd.DataFrame({"year": model.years, **{it.name: it.amounts / f for it in model.items}})
        examples = 0
    unit = mapping.get("cashflows", {}).get("unit", "元")
    w.add_lists({"现金流项目类型": list(ITEMS.columns[1].choices)})
    cf = cashflow_sheet(list(items["name"]))
    w.table_sheet(ITEMS, items, [header(c) for c in ITEMS.columns], {2: ("现金流项目类型", True)}, [], 0)
    w.table_sheet(cf, flows, [header(c, None if c.name == "year" else unit) for c in cf.columns], {}, [1], examples)
    w.info_sheet(I.rows_from_mapping(mapping, kind), kind)
    from .write import COMMON_STEPS

    w.guide_sheet("成本效益分析填报表", [
        "成本效益分析（NPV、IRR、BCR、敏感性、蒙特卡洛）填报工作簿：预算单位列出各年的投资、运营成本、效益和残值。",
        *COMMON_STEPS[:1], "金额单位在“项目信息”的“金额单位”一行选择（元/万元/亿元），现金流表列名会注明。"],
        [(INFO_SHEET, "项目编号、金额单位、起始年度、折现率口径等", "预算单位/财政部门", "是"),
         (ITEMS.title, ITEMS.purpose + KIND_NOTE, "预算单位", "是"),
         (CASHFLOWS_TITLE, cf.purpose, "预算单位", "是")],
        ["现金流项目：investment | capital | 初始投资；benefit | benefit | 年度效益。",
         "现金流：2026 | 1000 | 0 | 0；2027 | 0 | 50 | 260（万元）。"])
    return w.save(out)


def check(ck: Checker, sheets: dict, mapping: dict, path: Path) -> None:
    """Items, cash flows (numbers >= 0, consecutive years from the start year) and the settings that name items."""
    from ..cba.discounting import DISCOUNT_PRESETS, TIMINGS

    items = ck.table(sheets, ITEMS)
    names = [r["name"] for r in items.rows if r.get("name")]
    mapping["items"] = [{k: r[k] for k in ("name", "kind", "label") if r.get(k) is not None} for r in items.rows
                        if r.get("name")]
    for it in mapping["items"]:
        it.setdefault("label", it["name"])
    cf = ck.table(sheets, cashflow_sheet(names))
    mapping["tables"] = {"cashflows": {"path": path.name, "sheet": CASHFLOWS_TITLE}}
    refs = {(v[0], str(v[1]).strip()): r for r, v in sheets[INFO_SHEET].rows if len(v) > 1 and v[1] is not None}
    years = [(r["_row"], r["year"]) for r in cf.rows if r.get("year") is not None]
    for (_, a), (row, b) in zip(years, years[1:]):
        if b != a + 1:
            ck.error(cf.sheet.title, cf.ref("year", row), "年度不连续", expected=str(a + 1), found=_show(b),
                     fix="按年份顺序每年一行，不跳年")
    start = mapping.get("cashflows", {}).get("start_year")
    if years and start is not None and years[0][1] != start:
        ck.error(cf.sheet.title, cf.ref("year", years[0][0]), "第一年与起始年度不一致", expected=str(start),
                 found=_show(years[0][1]), fix="改正起始年度或现金流表的第一年")
    unit = mapping.get("cashflows", {}).get("unit")
    from ..units import MONEY_UNITS

    if unit is not None and unit not in MONEY_UNITS:
        ck.error(INFO_SHEET, f"C{refs.get((I.FIXED, '金额单位'))}", "金额单位未知", expected="元、万元 或 亿元",
                 found=unit, fix="从下拉列表选择")
    disc = mapping.get("discount", {})
    for label, value, allowed in (("折现率口径", disc.get("preset"), DISCOUNT_PRESETS),
                                  ("折现时点", disc.get("timing"), TIMINGS)):
        if value is not None and value not in allowed:
            ck.error(INFO_SHEET, f"C{refs.get((I.FIXED, label))}", f"{label}未知", expected="、".join(allowed),
                     found=value, fix="从下拉列表选择")
    for fname, fcfg in (mapping.get("factors") or {}).items():
        unknown = [i for i in (fcfg.get("items") or []) if i not in names]
        if unknown:
            r = refs.get((I.OTHER, f"factors.{fname}.items"))
            ck.error(INFO_SHEET, f"C{r}" if r else None, f"敏感性因素 {fname} 含未知的现金流项目",
                     expected="、".join(names), found="、".join(unknown), fix="改为现金流项目表中的代码",
                     column=None if r else "名称")
