"""Workbooks (.xlsx, openpyxl): formatted headers, number formats, frozen panes, atomic writes.

Every writer builds the workbook in memory, saves it to a temporary file in
the target folder and moves it into place with :func:`os.replace`, so a
reader never sees a half-written file.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..outputs import atomic_path
from ..fmt import excel_format, fmt_date, kind_of
from ..units import from_yuan
from .department import DepartmentScores
from .display import to_display
from .evaluation import EvaluationResult, funding_block, key_projects
from .exante import ExAnteResult
from .monitoring import MonitoringResult
from ..glossary import display_name
from .notices import ADJUSTMENT_RULES, REPLY_COLUMNS, RectificationNotice
from .profile import ScoringProfile, national

#: columns of the key-project table for the People's Congress
#: (全年预算数 stands next to the execution rate, which is computed on it; 年初预算数 is the selection basis)
KEY_PROJECT_COLUMNS = ["project_id", "project_name", "department_name", "key_reason", "budget_initial", "budget",
                       "spent", "execution_rate", "annual_goal", "targets", "results", "score", "grade",
                       "recommendation"]

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(bold=True, size=14)
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
MONEY_FORMAT = "#,##0.00"
RATE_FORMAT = '0.00"%"'


def save_atomic(wb: Workbook, path: str | Path) -> Path:
    """Save ``wb`` to ``path`` atomically (temporary file in the same folder, then os.replace)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def _cell_value(v):
    if v is None:
        return None
    if isinstance(v, (np.floating, float)):
        return None if not np.isfinite(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


def add_table_sheet(wb: Workbook, title: str, df: pd.DataFrame, *, freeze: str = "B2") -> None:
    """Add a sheet holding a display table (see :func:`to_display`): bold filled header, formats by unit."""
    ws = wb.create_sheet(title=title[:31])
    cols = list(df.columns)
    for j, c in enumerate(cols, 1):
        cell = ws.cell(row=1, column=j, value=str(c))
        cell.font, cell.fill, cell.alignment, cell.border = HEADER_FONT, HEADER_FILL, CENTER, BORDER
    # a display table declares its columns' kinds (to_display): the one formatter's Excel formats;
    # a table built elsewhere without declarations keeps the formats by its headers
    declared = df.attrs.get("units") or {}
    kinds = [kind_of(declared.get(c)) for c in cols]
    fmts = [None if k else MONEY_FORMAT if "元" in str(c) else RATE_FORMAT if "（%）" in str(c) else
            "0.00" if "百分点" in str(c) else None for c, k in zip(cols, kinds)]
    for i, row in enumerate(df.itertuples(index=False), 2):
        for j, v in enumerate(row, 1):
            cell = ws.cell(row=i, column=j, value=_cell_value(v))
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                f = fmts[j - 1] or (excel_format(kinds[j - 1], cell.value) if kinds[j - 1] else None)
                if f:
                    cell.number_format = f
    for j, c in enumerate(cols, 1):
        width = max([len(str(c))] + [len(str(v)) for v in df.iloc[:200, j - 1]]) if len(df) else len(str(c))
        ws.column_dimensions[get_column_letter(j)].width = min(max(8, 1.6 * width), 48)
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = freeze


def add_rules_sheet(wb: Workbook, profile: ScoringProfile) -> None:
    """The 说明 sheet: the scoring rules in force and the source of each (:meth:`ScoringProfile.rules`)."""
    add_table_sheet(wb, "说明", profile.rules(), freeze="A2")


def write_tables(path: str | Path, sheets: Mapping[str, pd.DataFrame], *, profile: ScoringProfile | None = None,
                 **display) -> Path:
    """Write frames (money in 元, rates as fractions) as formatted sheets, one per item, after a 说明 sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    add_rules_sheet(wb, profile or national())
    for name, df in sheets.items():
        add_table_sheet(wb, name, to_display(df, **display))
    return save_atomic(wb, path)


def write_ex_ante_xlsx(result: ExAnteResult, path: str | Path) -> Path:
    """The ex-ante sheet (事前绩效评估表), department and portfolio cut summaries."""
    return write_tables(path, {"事前绩效评估表": result.sheet, "部门汇总": result.departments,
                               "全部项目汇总": result.total}, profile=result.profile)


#: columns of the monitoring form (《绩效跟踪分析表》): per project, and per indicator
FORM_PROJECT_COLUMNS = ["project_id", "project_name", "department_name", "budget_initial", "budget_before_adjustment",
                        "budget", "spent",
                        "forecast", "execution_rate", "time_progress", "gap", "low_execution", "n_deviating",
                        "deviating_indicators", "n_problems"]
FORM_INDICATOR_COLUMNS = ["project_id", "ind_no", "level1", "level2", "level3", "unit", "target", "actual_text",
                          "actual_date", "expected", "achievement", "light", "likelihood", "reason_group", "cause",
                          "measures", "deviation"]
LIGHT_FILLS = {"绿": "C6EFCE", "黄": "FFEB9C", "红": "FFC7CE"}


def write_tracking_xlsx(result: MonitoringResult, path: str | Path, *, profile: ScoringProfile | None = None,
                        rounds=None) -> Path:
    """The monitoring form (《绩效跟踪分析表》): 说明 (rules), projects, indicators with their lights, submission
    problems, departments, the projects not monitored because they were not funded, and 无预算支出.

    ``rounds`` (:class:`costing.performance.monitoring.MonitoringRounds` of several dates) adds the
    一表通观 sheet after 说明 (:func:`costing.performance.monitoring.one_table`); ``result`` is then its
    last date. One date: the workbook is as before.
    """
    wb = Workbook()
    wb.remove(wb.active)
    add_rules_sheet(wb, profile or national())
    if rounds is not None and len(rounds.results) > 1:
        from .monitoring import one_table

        add_table_sheet(wb, "一表通观", one_table(rounds), freeze="D2")
    add_table_sheet(wb, "绩效跟踪分析表", to_display(result.projects[FORM_PROJECT_COLUMNS]))
    add_table_sheet(wb, "指标监控明细", to_display(result.indicators[FORM_INDICATOR_COLUMNS]))
    ws = wb["指标监控明细"]
    j = FORM_INDICATOR_COLUMNS.index("light") + 1
    for i, light in enumerate(result.indicators["light"], 2):
        if light in LIGHT_FILLS:
            ws.cell(row=i, column=j).fill = PatternFill("solid", fgColor=LIGHT_FILLS[light])
    add_table_sheet(wb, "填报问题", to_display(result.problems))
    add_table_sheet(wb, "部门汇总", to_display(result.departments))
    add_table_sheet(wb, "未安排预算项目", to_display(result.excluded))
    add_table_sheet(wb, "无预算支出", to_display(result.unbudgeted))
    groups = dict(tuple(result.indicators.groupby("project_id", sort=False)))
    for row in result.projects.itertuples(index=False):
        add_tracking_form_sheet(wb, row, groups.get(row.project_id, result.indicators.iloc[:0]), result)
    return save_atomic(wb, path)


def period_label(as_of) -> str:
    """The form's period: ``1—9月`` at a month's end, else ``1月1日—9月15日``."""
    import datetime as _dt

    end_of_month = (as_of + _dt.timedelta(days=1)).day == 1
    return f"1—{as_of.month}月" if end_of_month else f"1月1日—{as_of.month}月{as_of.day}日"


def add_tracking_form_sheet(wb: Workbook, project, indicators: pd.DataFrame, result: MonitoringResult) -> None:
    """One project's 《项目支出绩效跟踪分析表》 in the official layout (sheet ``跟踪表_<id>``).

    Funding block: 年初预算数 | 全年预算数 (调整前 when a confirmed adjustment changed it) | 1—N月执行数 |
    全年预计执行数 [万元] | 预算执行率 | 时间进度 [%] | 偏差 [百分点]; 年度总体目标; then one row per
    indicator: 一级/二级/三级指标, 年度指标值, 1—N月执行情况, 序时目标值, 实现程度 [%], 预警灯,
    完成目标可能性, 偏差原因类别, 偏差原因, 改进措施.
    """
    period = period_label(result.as_of)
    ws = wb.create_sheet(title=f"跟踪表_{project.project_id}"[:31])
    widths = [12, 14, 18, 12, 14, 12, 12, 8, 12, 14, 24, 24]
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = w
    n = len(widths)
    _box(ws, 1, 1, 1, n, f"项目支出绩效跟踪分析表（{result.as_of.year}年{period}）").font = TITLE_FONT
    _box(ws, 2, 1, 2, 2, "项目名称", bold=True)
    _box(ws, 2, 3, 2, 6, f"{project.project_name}（{project.project_id}）", align=WRAP)
    _box(ws, 2, 7, 2, 8, "主管部门", bold=True)
    _box(ws, 2, 9, 2, n, project.department_name, align=WRAP)
    _box(ws, 3, 1, 4, 2, "项目资金（万元）", bold=True)
    adjusted = abs(project.budget - project.budget_before_adjustment) > 0.005
    heads = ["年初预算数", "全年预算数" + ("（调整后）" if adjusted else ""), f"{period}执行数", "全年预计执行数",
             "预算执行率（%）", "时间进度（%）", "偏差（百分点）"]
    vals = [from_yuan(project.budget_initial, "万元"), from_yuan(project.budget, "万元"),
            from_yuan(project.spent, "万元"), from_yuan(project.forecast, "万元"), 100 * project.execution_rate,
            100 * project.time_progress, 100 * project.gap]
    fmts = [MONEY_FORMAT] * 4 + [RATE_FORMAT, RATE_FORMAT, "0.00"]
    spans = [(3, 3), (4, 4), (5, 6), (7, 7), (8, 9), (10, 10), (11, 11)]
    for (c1, c2), h, v, f in zip(spans, heads, vals, fmts):
        _box(ws, 3, c1, 3, c2, h, bold=True)
        _box(ws, 4, c1, 4, c2, v, fmt=f)
    note = (f"调整前全年预算数 {from_yuan(project.budget_before_adjustment, '万元'):,.2f}" if adjusted else
            ("执行偏慢" if project.low_execution else ""))
    _box(ws, 3, 12, 3, 12, "说明", bold=True)
    _box(ws, 4, 12, 4, 12, note + ("；执行偏慢" if adjusted and project.low_execution else ""), align=WRAP)
    goal = getattr(project, "annual_goal", "")
    _box(ws, 5, 1, 5, 2, "年度总体目标", bold=True)
    _box(ws, 5, 3, 5, n, goal or "", align=WRAP)
    ws.row_dimensions[5].height = 40
    ih = ["一级指标", "二级指标", "三级指标", "年度指标值", f"{period}执行情况", "序时目标值", "实现程度（%）", "预警灯",
          "完成目标可能性", "偏差原因类别", "偏差原因", "改进措施"]
    for j, h in enumerate(ih, 1):
        _box(ws, 6, j, 6, j, h, bold=True).fill = HEADER_FILL
    for i, r in enumerate(indicators.itertuples(index=False), 7):
        unit = ("" if r.direction == "qualitative" or not isinstance(r.unit, str) or not r.unit
                else r.unit if r.unit == "%" else f" {r.unit}")
        target = r.target if isinstance(r.target, str) else f"{r.target:g}{unit}"
        actual = r.actual_text if r.direction == "qualitative" else (
            "" if np.isnan(r.actual_to_date) else f"{r.actual_to_date:g}{unit}")
        expected = "" if r.direction == "qualitative" or np.isnan(r.expected) else f"{r.expected:,.2f}{unit}"
        ach = None if not np.isfinite(r.achievement) else 100 * r.achievement
        row = [r.level1, r.level2, r.level3, target, actual, expected, ach, r.light, r.likelihood, r.reason_group,
               r.cause, r.measures]
        for j, v in enumerate(row, 1):
            cell = _box(ws, i, j, i, j, v, fmt=RATE_FORMAT if j == 7 else None, align=WRAP if j >= 10 else CENTER)
            if j == 8 and v in LIGHT_FILLS:
                cell.fill = PatternFill("solid", fgColor=LIGHT_FILLS[v])
    ws.freeze_panes = "A7"


def add_notice_sheets(wb: Workbook, notice: RectificationNotice) -> None:
    """The sheets of one 整改建议书: the notice with its reply columns, 预算调整建议, 填报问题 and 说明."""
    ws = wb.create_sheet(title="整改建议书")
    cols = ["seq", "project_id", "project_name", "implementing_unit", "problem_type", "problem", "requirement",
            "deadline", "previous_number", *REPLY_COLUMNS]
    heads = [display_name(c) for c in cols]     # the reply columns say （单位填写）; the ledger reads them back by name
    widths = [6, 10, 18, 18, 12, 48, 40, 12, 16, 30, 14, 24]
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = w
    n = len(cols)
    _box(ws, 1, 1, 1, n, notice.title).font = TITLE_FONT
    _box(ws, 2, 1, 2, n, f"{notice.issuer}  编号：{notice.number}  发文日期：{fmt_date(notice.issued or notice.as_of)}",
         align=CENTER)
    _box(ws, 3, 1, 3, n, notice.opening, align=Alignment(wrap_text=True, vertical="top"))
    ws.row_dimensions[3].height = 96
    for j, h in enumerate(heads, 1):
        _box(ws, 4, j, 4, j, h, bold=True).fill = HEADER_FILL
    for i, row in enumerate(notice.items[cols].itertuples(index=False), 5):
        for j, v in enumerate(row, 1):
            _box(ws, i, j, i, j, v.isoformat() if hasattr(v, "isoformat") else v, align=WRAP)
    ws.freeze_panes = "A5"
    adj = notice.adjustments.assign(rule=notice.adjustments["rule"].map(lambda k: ADJUSTMENT_RULES.get(k, k)))
    add_table_sheet(wb, "预算调整建议", to_display(adj))
    add_table_sheet(wb, "填报问题", to_display(notice.submission))
    add_table_sheet(wb, "说明", pd.DataFrame({"项目": list(notice.rules), "规则": list(notice.rules.values())}))


def write_notice_xlsx(notice: RectificationNotice, path: str | Path) -> Path:
    """One 整改建议书 as a workbook (atomic)."""
    wb = Workbook()
    wb.remove(wb.active)
    add_notice_sheets(wb, notice)
    return save_atomic(wb, path)


def notice_filename(notice: RectificationNotice) -> str:
    """``整改建议书_<文号>_<department id>_<department name>.xlsx`` (:attr:`RectificationNotice.file_stem`)."""
    return notice.file_stem + ".xlsx"


def write_notices(notices: list[RectificationNotice], folder: str | Path) -> tuple[list[Path], dict[str, str]]:
    """Write each notice to ``folder`` (atomic per file); one failure does not stop the others.

    Returns
    -------
    (written paths, {department_id: error message} of the failures)
    """
    folder = Path(folder)
    written, failed = [], {}
    for n in notices:
        try:
            written.append(write_notice_xlsx(n, folder / notice_filename(n)))
        except Exception as e:  # noqa: BLE001 - reported per unit, the batch goes on
            failed[n.department_id] = f"{type(e).__name__}: {e}"
    return written, failed


def _box(ws, r1, c1, r2, c2, value=None, *, bold=False, fmt=None, align=CENTER):
    if (r1, c1) != (r2, c2):
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    cell = ws.cell(row=r1, column=c1, value=_cell_value(value))
    cell.alignment = align
    if bold:
        cell.font = HEADER_FONT
    if fmt and isinstance(cell.value, (int, float)):
        cell.number_format = fmt
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            ws.cell(row=r, column=c).border = BORDER
    return cell


def add_self_evaluation_sheet(wb: Workbook, project: pd.Series, indicators: pd.DataFrame, year: int,
                              *, title: str | None = None, execution_weight: float | None = None) -> None:
    """One 《项目支出绩效自评表》 in the layout of the national form (财预〔2020〕10号 附件2).

    ``project`` is a row of :attr:`EvaluationResult.projects`, ``indicators``
    its rows of :attr:`EvaluationResult.indicators`; ``execution_weight`` is
    the profile's marks of the execution rate (分值, default national). The
    funding block (:func:`funding_block`: 年度资金总额, 其中：当年财政拨款,
    上年结转资金, 其他资金) is shown in 万元; 年度总体目标 is split into 预期目标
    and 实际完成情况; the 总分 is the sum of the rounded lines shown.
    """
    ew = national().execution_weight if execution_weight is None else execution_weight
    ws = wb.create_sheet(title=(title or str(project["project_id"]))[:31])
    widths = [14, 14, 18, 22, 14, 14, 10, 10, 36]
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = w
    _box(ws, 1, 1, 1, 9, f"项目支出绩效自评表（{year}年度）", align=CENTER).font = TITLE_FONT
    _box(ws, 2, 1, 2, 2, "项目名称", bold=True)
    _box(ws, 2, 3, 2, 9, project["project_name"], align=WRAP)
    _box(ws, 3, 1, 3, 2, "主管部门", bold=True)
    _box(ws, 3, 3, 3, 5, project["department_name"], align=WRAP)
    _box(ws, 3, 6, 3, 7, "实施单位", bold=True)
    _box(ws, 3, 8, 3, 9, project.get("implementing_unit", ""), align=WRAP)
    fb = funding_block(project, ew)
    _box(ws, 4, 1, 4 + len(fb), 2, "项目资金（万元）", bold=True)
    _box(ws, 4, 3, 4, 3, "", bold=True)
    for j, h in enumerate(["年初预算数", "全年预算数", "全年执行数", "分值", "执行率（%）", "得分"], 4):
        _box(ws, 4, j, 4, j, h, bold=True)
    for i, row in enumerate(fb.itertuples(index=False), 5):
        _box(ws, i, 3, i, 3, row.label, align=WRAP)
        vals = [from_yuan(row.budget_initial, "万元"), from_yuan(row.budget, "万元"), from_yuan(row.spent, "万元"),
                row.weight if i == 5 else "—", 100 * row.execution_rate if np.isfinite(row.execution_rate) else "—",
                row.execution_score if i == 5 else "—"]
        for j, (v, f) in enumerate(zip(vals, [MONEY_FORMAT] * 3 + ["0.00", RATE_FORMAT, "0.00"]), 4):
            _box(ws, i, j, i, j, v, fmt=f)
    r = 5 + len(fb)
    _box(ws, r, 1, r + 1, 2, "年度总体目标", bold=True)
    _box(ws, r, 3, r, 5, "预期目标", bold=True)
    _box(ws, r, 6, r, 9, "实际完成情况", bold=True)
    _box(ws, r + 1, 3, r + 1, 5, project.get("goal_expected", project.get("annual_goal", "")), align=WRAP)
    _box(ws, r + 1, 6, r + 1, 9, project.get("goal_result", ""), align=WRAP)
    ws.row_dimensions[r + 1].height = 60
    r += 2
    heads = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    n = len(indicators)
    _box(ws, r, 1, r + n, 1, "绩效指标", bold=True)
    for j, h in enumerate(heads, 2):
        _box(ws, r, j, r, j, h, bold=True)
    r += 1
    for row in indicators.itertuples(index=False):
        actual = (row.band + ("" if np.isnan(row.final_actual) else f"（{100 * row.final_actual:g}%）")
                  if row.direction == "qualitative" else row.final_actual)
        unit = "" if row.direction == "qualitative" or not row.unit else f" {row.unit}"
        target = row.target if isinstance(row.target, str) else f"{row.target:g}{unit}"
        shown = actual if isinstance(actual, str) else f"{actual:g}{unit}"
        for j, v in enumerate([row.level1, row.level2, row.level3, target, shown, row.weight, row.score,
                               row.deviation_reason], 2):
            _box(ws, r, j, r, j, v, fmt="0.00" if j in (7, 8) else None, align=WRAP if j in (4, 9) else CENTER)
        r += 1
    _box(ws, r, 1, r, 6, "总分", bold=True)
    _box(ws, r, 7, r, 7, ew + float(indicators["weight"].sum()), fmt="0.00")
    _box(ws, r, 8, r, 8, project["score"], fmt="0.00", bold=True)
    _box(ws, r, 9, r, 9, f"等级：{project['grade']}    评价建议：{project['recommendation']}", bold=True)
    ws.freeze_panes = "A2"


#: columns of the whole-department score detail as filed
DEPARTMENT_SCORE_COLUMNS = ["department_id", "department_name", "dimension", "name", "value_text", "target", "weight",
                            "score", "note", "source"]


def write_self_evaluation_xlsx(result: EvaluationResult, path: str | Path, *, year: int,
                               projects: list[str] | None = None,
                               departments: DepartmentScores | None = None, work=None,
                               key_evaluations=None, project_names: dict | None = None) -> Path:
    """The self-evaluation workbook: 说明 (rules), summary, departments, projects not evaluated,
    whole-department scores if given, and one 自评表 per project.

    Parameters
    ----------
    result : EvaluationResult
    path : path-like
    year : int
        The evaluated budget year (in the sheet titles).
    projects : list of str, optional
        Project ids that get their own 自评表 sheet (default: all).
    departments : DepartmentScores, optional
        The scored whole-department performance: a ranked sheet and its detail.
    work : WorkAssessment, optional
        The 绩效管理工作考核 (:func:`costing.performance.assessment.assess_work`): a ranked
        sheet with 缺少数据 marked, its detail, and the rule of re-weighting.
    key_evaluations : KeyEvaluations, optional
        Third-party key evaluations (:mod:`costing.performance.key_evaluations`): the 重点评价质量管控
        sheet, the agency scorecard across the years on file and the quality sheets used, when any is recorded.
    """
    wb = Workbook()
    wb.remove(wb.active)
    add_rules_sheet(wb, result.profile)
    add_table_sheet(wb, "自评汇总", to_display(result.projects.drop(columns=["spent_date"], errors="ignore")))
    add_table_sheet(wb, "部门汇总", to_display(result.departments))
    add_table_sheet(wb, "未评价项目", to_display(result.excluded))
    add_table_sheet(wb, "重点项目（报人大）", to_display(key_projects(result)[KEY_PROJECT_COLUMNS]))
    if departments is not None:
        add_table_sheet(wb, "部门整体绩效排名", to_display(departments.table))
        add_table_sheet(wb, "部门整体绩效评分", to_display(departments.indicators[DEPARTMENT_SCORE_COLUMNS]))
    if work is not None:
        from .assessment import shown as shown_assessment

        table, detail = shown_assessment(work)
        add_table_sheet(wb, "绩效管理工作考核", table)
        add_table_sheet(wb, "绩效管理工作考核明细", detail)
        add_table_sheet(wb, "考核规则", pd.DataFrame({"规则": ["折算", "权重"], "内容": [
            work.framework.rule, "；".join(f"{n} {w:g}分" for n, w in zip(work.framework.components["name"],
                                                                    work.framework.components["weight"]))],
            "依据": [work.framework.source] * 2}), freeze="A2")
    if key_evaluations is not None and len(key_evaluations.evaluations):
        from .key_evaluations import agency_scorecard, key_evaluation_control, sheets_table

        add_table_sheet(wb, "重点评价质量管控", key_evaluation_control(key_evaluations, project_names))
        add_table_sheet(wb, "评价机构记分卡", agency_scorecard(key_evaluations))
        add_table_sheet(wb, "报告质量评分表", sheets_table(key_evaluations), freeze="A2")
    ids = list(result.projects["project_id"]) if projects is None else list(projects)
    groups = dict(tuple(result.indicators.groupby("project_id", sort=False)))
    prj = result.projects.set_index("project_id", drop=False)
    for pid in ids:
        add_self_evaluation_sheet(wb, prj.loc[pid], groups.get(pid, result.indicators.iloc[:0]), year,
                                  execution_weight=result.profile.execution_weight)
    return save_atomic(wb, path)
