"""Portfolios (performance life cycle) as workbooks, built from the portfolio's table definitions.

Every table of :data:`costing.performance.portfolio.TABLES` becomes a sheet
with its columns, so a column or table added there appears here unchanged;
a column with ``choices`` gets a drop-down list. The indicator sheet has
dependent lists: 二级指标 offers the level-2 indicators of the 一级指标 chosen
in the same row, 三级指标 the library's indicators of that 二级指标 (Excel
``INDIRECT`` over named ranges).
"""
from __future__ import annotations

import tempfile
import tomllib
from collections import defaultdict
from pathlib import Path

import pandas as pd

from . import info as I
from .check import Checker, _show
from .layout import INFO_SHEET, TableSheet, header

TITLES = {"departments": "部门", "projects": "项目", "indicators": "绩效指标", "ex_ante_scores": "事前评估",
          "spending": "支出进度", "tracking": "监控跟踪", "previous_evaluation": "上年评价",
          "department_targets": "部门整体目标"}
PURPOSES = {
    "departments": "每个主管部门一行（部门编码唯一）。",
    "projects": "每个项目一行：部门编码须在“部门”表中；金额注明单位。",
    "indicators": "每个项目的绩效指标，一行一个：一级/二级/三级指标从下拉列表选择（二级、三级随上一级变化），"
                  "或只填指标编码（从指标库带出）；权重合计 + 预算执行率权重 = 100。",
    "ex_ante_scores": "（可选）事前绩效评估各维度得分。",
    "spending": "（可选）各项目截至各日期的累计支出。",
    "tracking": "（可选）监控：各指标截至各日期的完成值、完成目标可能性和偏差原因。",
    "previous_evaluation": "（可选）上年度绩效评价得分和等级。",
    "department_targets": "（可选）部门整体绩效目标。",
}
#: key columns (unique) of the tables that have one, as the loader checks them
KEYS = {"projects": ("project_id",), "departments": ("department_id",)}


def sheets() -> list[TableSheet]:
    from ..performance.portfolio import REQUIRED_TABLES, TABLES

    return [TableSheet(k, TITLES.get(k, k), tuple(cols), KEYS.get(k, ()), k in REQUIRED_TABLES,
                       PURPOSES.get(k, "")) for k, cols in TABLES.items()]


def _indicator_lists() -> tuple[dict[str, list], dict[str, list]]:
    """level1 -> its level2 names; level2 -> the library's level3 names."""
    from ..performance import indicators as lib

    level3 = defaultdict(list)
    for l2, l3 in lib.load_library()[["level2", "level3"]].drop_duplicates().itertuples(index=False):
        level3[l2].append(l3)
    return {k: list(v) for k, v in lib.LEVELS.items()}, {l2: level3.get(l2, []) for v in lib.LEVELS.values()
                                                         for l2 in v}


def write(kind: str, out: Path, source, w) -> Path:
    from ..io import read_table
    from ..performance import indicators as lib
    from ..performance.scoring import QUALITATIVE_BANDS
    from ..units import money_factor

    with tempfile.TemporaryDirectory() as tmp:
        blank = source is None
        if blank:
            from ..performance.example import write_example

            source = Path(tmp) / "portfolios" / "portfolio.toml"  # the example names ../raw/portfolio_example/
            write_example(Path(tmp) / "raw" / "portfolio_example", source)
        source = Path(source)
        mapping = tomllib.loads(source.read_text(encoding="utf-8"))
        tables = mapping.pop("tables", {})
        if blank:
            mapping["project"] = {"id": "", "name": "", "kind": "portfolio",
                                  "budget_year": mapping["project"]["budget_year"]}
        mapping.setdefault("project", {})["kind"] = "portfolio"
        l2, l3 = _indicator_lists()
        lists = {"一级指标": list(l2), "指标方向": ["正向", "反向", "定性"], "进度类型": ["累计", "时点", "比率"],
                 "定性评级": list(QUALITATIVE_BANDS), "指标编码": list(lib.load_library()["indicator_id"].unique()),
                 "项目类型": ["generic", *lib.project_types()]}
        named = {f"L_{k}": v for k, v in {**l2, **l3}.items()}
        specs = sheets()
        lists.update({f"{s.title}_{c.name}": list(c.choices) for s in specs for c in s.columns if c.choices})
        w.add_lists({**lists, **named})
        for name, ref in w.list_refs.items():  # defined names for the dependent lists
            if name.startswith("L_"):
                w.define_name(name[2:], ref)
        for s in specs:
            if s.table in tables:
                frame, meta = read_table(source.parent / tables[s.table], s.columns, key=s.key or None, label=s.table)
                cols, units = [c for c in s.columns if c.name in meta.headers], meta.units
            elif blank:  # every table, so the unit sees the optional ones too
                frame, units = pd.DataFrame(columns=[c.name for c in s.columns]), {}
            else:
                continue
            if blank:  # every column; the example indicators show their levels from the library
                cols = list(s.columns)
                frame = frame.reindex(columns=[c.name for c in cols])
                if s.table == "indicators":
                    known = lib.load_library().drop_duplicates("indicator_id").set_index("indicator_id")
                    for c in ("level1", "level2", "level3", "unit", "direction", "progress", "data_source"):
                        if c in known:
                            frame[c] = frame[c].where(frame[c].notna() & (frame[c] != ""),
                                                      frame["indicator_id"].map(known[c]))
            data = frame[[c.name for c in cols]].copy()
            heads = []
            for c in cols:
                unit = units.get(c.name) if c.kind == "money" else None
                if c.kind == "money":
                    data[c.name] = data[c.name] / money_factor(unit or "万元")
                heads.append(header(c, unit))
            col = {c.name: j for j, c in enumerate(cols, start=1)}
            choices = {j: (f"{s.title}_{c.name}", True) for c, j in ((c, col[c.name]) for c in cols) if c.choices}
            for name, lst, strict in (("level1", "一级指标", True), ("direction", "指标方向", False),
                                      ("progress", "进度类型", False), ("band", "定性评级", False),
                                      ("indicator_id", "指标编码", False), ("project_type", "项目类型", False)):
                if name in col and not cols[col[name] - 1].choices:
                    choices[col[name]] = (lst, strict)
            years = [j for c, j in ((c, col[c.name]) for c in cols) if c.kind == "year"]
            ws = w.table_sheet(s, data.head(2) if blank else data, heads, choices, years, 2 if blank else 0)
            if s.table == "indicators" and "level1" in col:
                from openpyxl.utils import get_column_letter

                a = get_column_letter(col["level1"])
                for child, parent in (("level2", a), ("level3", get_column_letter(col.get("level2", 0) or 1))):
                    if child in col:
                        c = get_column_letter(col[child])
                        w.validate(ws, f"{c}2:{c}5000", formula=f"INDIRECT(${parent}2)", strict=child == "level2",
                                   prompt="先选上一级指标，再从列表选择")
        w.info_sheet(I.rows_from_mapping(mapping, kind), kind)
        from .write import COMMON_STEPS

        rows = [(INFO_SHEET, "项目库编号、名称、预算年度；监控和评价的参数", "财政部门", "是")]
        rows += [(s.title, s.purpose, "预算单位" if s.table in ("projects", "indicators", "spending", "tracking")
                  else "财政部门", "是" if s.required else "否") for s in specs if blank or s.table in tables]
        w.guide_sheet("项目支出绩效管理填报表", [
            "项目支出绩效管理（事前绩效评估、双监控、绩效自评）填报工作簿：预算单位填写项目、绩效指标和支出进度。",
            *COMMON_STEPS[:1],
            "多出选择题、少出问答题、留有填空题：指标名称、方向、评级等尽量从下拉列表选择。"],
            rows, ["绩效指标：P001 | BUS-01 | 产出指标 | 数量指标 | 运营车公里 | 万车公里 | 正向 | 年度指标值 1200。",
                   "项目：P001 | 城市公交运行补贴 | D01 | 申报数 12000（万元）。"])
        return w.save(out)


def check(ck: Checker, sheets_: dict, mapping: dict, path: Path) -> None:
    """Every table, then the rules that span tables (ids, indicator tree, weights)."""
    from ..performance import indicators as lib
    from ..performance.scoring import BAND_ALIASES, DEFAULT_WEIGHTS, DIRECTION_ALIASES

    specs = sheets()
    t = {s.table: ck.table(sheets_, s) for s in specs}
    mapping["tables"] = {s.table: {"path": path.name, "sheet": s.title} for s in specs if t[s.table].present}
    ck.tables = t
    deps = {r.get("department_id") for r in t["departments"].rows}
    prj = t["projects"]
    pids = {r.get("project_id") for r in prj.rows}
    for r in prj.rows:
        if r.get("department_id") and r["department_id"] not in deps:
            ck.error(prj.sheet.title, prj.ref("department_id", r["_row"]), "未知的部门编码",
                     expected=f"“{TITLES['departments']}”表中的部门编码", found=r["department_id"], fix="改为已有的部门编码")
    for name, tb in t.items():
        if name == "projects" or "project_id" not in tb.col:
            continue
        for r in tb.rows:
            if r.get("project_id") and r["project_id"] not in pids:
                ck.error(tb.sheet.title, tb.ref("project_id", r["_row"]), "未知的项目编码",
                         expected=f"“{TITLES['projects']}”表中的项目编码", found=r["project_id"], fix="改为已有的项目编码")
    ind = t["indicators"]
    with_ind = {r.get("project_id") for r in ind.rows}
    for r in prj.rows:
        if r.get("project_id") and ind.present and r["project_id"] not in with_ind:
            ck.error(prj.sheet.title, prj.ref("project_id", r["_row"]), "项目没有绩效指标",
                     expected=f"“{ind.sheet.title}”表中至少一行", found=r["project_id"], fix="为该项目填写绩效指标")
    library = lib.load_library().drop_duplicates("indicator_id").set_index("indicator_id")
    weights = defaultdict(list)
    for r in ind.rows:
        row, code = r["_row"], r.get("indicator_id")
        known = code in library.index
        l1 = lib.normalize_level1(r.get("level1") or (library.at[code, "level1"] if known else ""))
        l2 = lib.normalize_level2(r.get("level2") or (library.at[code, "level2"] if known else ""))
        if code and not known and not (r.get("level1") and r.get("level2") and r.get("level3")):
            ck.error(ind.sheet.title, ind.ref("indicator_id", row), "指标编码不在指标库中，且未填写一级/二级/三级指标",
                     expected="指标库中的编码，或填写一级、二级、三级指标和方向", found=code, fix="从下拉列表选择编码或指标")
            continue
        if l1 and l1 not in lib.LEVELS:
            ck.error(ind.sheet.title, ind.ref("level1", row), "一级指标不在指标体系中", expected="、".join(lib.LEVELS),
                     found=l1, fix="从下拉列表选择")
        elif l1 and l2 and l2 not in lib.LEVELS[l1]:
            ck.error(ind.sheet.title, ind.ref("level2", row), f"二级指标不属于“{l1}”", expected="、".join(lib.LEVELS[l1]),
                     found=l2, fix="先选一级指标，再从下拉列表选择二级指标")
        for col, aliases in (("direction", DIRECTION_ALIASES), ("band", BAND_ALIASES)):
            v = r.get(col)
            if v and str(v).strip().lower() not in aliases:
                ck.error(ind.sheet.title, ind.ref(col, row), "不在可选值之内", expected="从下拉列表选择", found=v,
                         fix="从下拉列表选择")
        direction = DIRECTION_ALIASES.get(str(r.get("direction") or (library.at[code, "direction"] if known else "")
                                              ).strip().lower())
        if direction in ("higher", "lower") and not isinstance(r.get("target"), float) and "target" in ind.col:
            ck.error(ind.sheet.title, ind.ref("target", row), "定量指标没有数值目标", expected="年度指标值（数字，按计量单位）",
                     found=_show(r.get("target")), fix="填写量化的年度指标值")
        weights[r.get("project_id")].append((row, r.get("weight")))
    execution = DEFAULT_WEIGHTS["execution"]
    missing = [r for ws in weights.values() for r, w in ws if w is None]
    if missing and len(missing) < sum(map(len, weights.values())):  # weights on every row or on none
        for row in missing:
            ck.error(ind.sheet.title, ind.ref("weight", row), "部分指标有权重、部分没有", expected="每个指标都填权重，或都不填",
                     found="（空）", fix="补齐权重")
        return
    for pid, ws in weights.items():
        given = [w for _, w in ws if w is not None]
        if given and abs(sum(given) + execution - 100.0) > 1e-6:
            ck.error(ind.sheet.title, ind.ref("weight", ws[0][0]), f"项目 {pid} 的指标权重合计不是 {100 - execution:g}",
                     expected=f"指标权重合计 {100 - execution:g}（另加预算执行率 {execution:g} 分 = 100）",
                     found=f"{sum(given):g}", fix="调整各指标权重")
    ck.deferred.append({"kind": "portfolio"})


def check_clean(ck: Checker, sheets: dict, mapping: dict, path: Path) -> None:
    """On a clean workbook: the loader's own rules, then the SMART warnings on the completed indicators."""
    import copy

    from ..errors import InputError
    from ..performance.indicators import smart_check
    from ..performance.portfolio import portfolio_from_mapping
    from .check import _from_error
    from .standard import load_rules

    try:
        pf = portfolio_from_mapping(copy.deepcopy(mapping), path)
    except InputError as e:
        ck.problems.append(_from_error(e, sheets, ck))
        return
    ind, tb = pf.indicators, ck.tables["indicators"]
    [rule] = [r for r in load_rules("portfolio") if r["kind"] == "smart"]
    flags = smart_check(ind)
    for i, problem in flags.loc[~flags["smart"], "problem"].items():
        row = tb.rows[i]["_row"] if i < len(tb.rows) else None
        ck.warn(tb.sheet.title, tb.ref("target", row) if row else None, f"{rule['label']}：{problem}",
                expected="量化指标值、计量单位、数据来源", found=f"{ind.at[i, 'project_id']} {ind.at[i, 'level3']}",
                fix=rule["fix"], rule=rule["id"], basis=rule["basis"], column=None if row else "年度指标值")
