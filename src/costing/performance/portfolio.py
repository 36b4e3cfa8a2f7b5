"""The portfolio data model: departments, their projects, indicators, spending and scores.

A portfolio file (TOML) names its tables; each table is a CSV (UTF-8 or GBK)
or XLSX file with Chinese or English headers, read and validated by
:func:`costing.io.read_table`::

    [project]
    id = "example_portfolio"
    name = "某区2026年度项目支出（合成示例）"
    kind = "portfolio"
    budget_year = 2026

    [tables]                       # paths relative to this file
    departments = "../raw/portfolio_example/departments.csv"
    projects = "../raw/portfolio_example/projects.csv"
    indicators = "../raw/portfolio_example/indicators.csv"
    ex_ante_scores = "../raw/portfolio_example/ex_ante_scores.xlsx"   # optional
    spending = "../raw/portfolio_example/spending.csv"                # optional
    tracking = "../raw/portfolio_example/tracking.csv"                # optional
    previous_evaluation = "../raw/portfolio_example/previous_evaluation.csv"  # optional
    department_targets = "../raw/portfolio_example/department_targets.csv"   # optional

    [scoring]
    profile = "national"           # the scoring profile (:mod:`.profile`); default national

Money is in 元 after reading (headers declare 元/万元/亿元). Every problem
raises :class:`costing.errors.InputError` naming the file, row and column:
a budget of zero, an indicator with no target, weights that do not sum to
100, a spending date outside the budget year, a duplicate project id, an
unknown department, an indicator or score of an unknown project, an
undated indicator actual, a tracking row that names no indicator of its
project.

Indicator actuals during the year are dated: the ``tracking`` table
(绩效跟踪填报, the unit's answers on the 《绩效跟踪分析表》) holds one row per
indicator and date with the actual to date (截至执行情况), the likelihood of
meeting the target (完成目标可能性: 确定能 / 有可能 / 不可能), the cause group
(偏差原因类别, :data:`REASON_GROUPS`), the cause (偏差原因) and the measures
(改进措施). A row names its indicator by ``indicator_id`` or, when that is
blank, by ``level3`` (三级指标); either must be unique within the project.
Monitoring uses the latest row dated on or before its as-of date.

:func:`build_portfolio` runs the same validation on in-memory frames (tests,
benchmarks, notebooks that assemble data by hand).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ..errors import InputError
from ..intake import Bad, check_value, chinese_name
from ..io import Column, TableMeta, read_table
from ..project import read_project_file
from . import indicators as lib
from .profile import EX_ANTE_NAMES, ScoringProfile, load_profile, national
from .scoring import DIRECTION_ALIASES, normalize_band, normalize_direction

#: ex-ante dimensions: identifier -> (Chinese name, maximum marks [points] in the national profile).
#: A scoring profile sets the marks (``[ex_ante.max_scores]``).
EX_ANTE_DIMENSIONS: dict[str, tuple[str, float]] = {k: (v, national().ex_ante_max[k]) for k, v in EX_ANTE_NAMES.items()}
#: 新增 (new) / 延续 (continuing) spellings. A new project needs an ex-ante assessment to be funded;
#: a blank counts as new (无绩效，不预算).
NEW_OR_CONTINUING: dict[str, str] = {"新增": "新增", "新": "新增", "new": "新增", "延续": "延续", "续": "延续",
                                     "continuing": "延续", "continue": "延续", "": ""}

#: headers of an undated in-year actual in the indicators table (refused: actuals are dated, in ``tracking``)
UNDATED_ACTUAL = ("actual_to_date", "截至目前完成值", "累计完成值", "actual to date")
#: 完成目标可能性 on the monitoring form, best first
LIKELIHOODS = ("确定能", "有可能", "不可能")
#: 偏差原因 groups on the monitoring form (e.g. 黄石 2019 《项目支出绩效监控表》)
REASON_GROUPS = ("规划和目标设计", "投入保障", "制度保障", "项目管理")

DEPARTMENT_COLUMNS = [
    Column("department_id", "text", aliases=("部门编码", "主管部门编码", "department")),
    Column("department_name", "text", aliases=("部门名称", "主管部门", "department name")),
    Column("staff", "int", required=False, allow_empty=True, min_value=0, aliases=("编制人数", "在职人数")),
    Column("basic_budget", "money", required=False, allow_empty=True, min_value=0,
           aliases=("基本支出预算数", "基本支出预算", "basic expenditure budget")),
    Column("basic_spent", "money", required=False, allow_empty=True, min_value=0,
           aliases=("基本支出执行数", "基本支出决算数", "basic expenditure spent")),
    Column("duty_completion", "number", required=False, allow_empty=True, min_value=0,
           aliases=("重点工作完成率", "履职完成率", "duty completion")),
    Column("satisfaction_survey", "number", required=False, allow_empty=True, min_value=0,
           aliases=("部门满意度", "满意度调查得分", "satisfaction survey")),
    Column("disclosure", "number", required=False, allow_empty=True, min_value=0,
           aliases=("信息公开完成率", "信息公开", "disclosure")),
    # inputs of the scored whole-department performance (costing.performance.department)
    Column("staff_quota", "int", required=False, allow_empty=True, min_value=0, aliases=("核定编制数", "编制数")),
    Column("staff_on_post", "int", required=False, allow_empty=True, min_value=0, aliases=("实有在职人数", "在职人员数")),
    Column("three_public", "money", required=False, allow_empty=True, min_value=0,
           aliases=("三公经费支出", "三公经费", "three public expenses")),
    Column("three_public_prev", "money", required=False, allow_empty=True, min_value=0,
           aliases=("上年三公经费支出", "上年三公经费")),
    Column("public_budget", "money", required=False, allow_empty=True, min_value=0, aliases=("公用经费预算数",)),
    Column("public_spent", "money", required=False, allow_empty=True, min_value=0, aliases=("公用经费支出数",)),
    Column("key_spending", "money", required=False, allow_empty=True, min_value=0,
           aliases=("重点项目支出", "重点支出")),
    Column("carryover", "money", required=False, allow_empty=True, min_value=0,
           aliases=("年末结转结余", "结转结余资金", "carry-over")),
]

PROJECT_COLUMNS = [
    Column("project_id", "text", aliases=("项目编码", "项目代码", "项目编号", "project")),
    Column("project_name", "text", aliases=("项目名称", "project name")),
    Column("department_id", "text", aliases=("部门编码", "主管部门编码", "department")),
    Column("project_type", "text", required=False, allow_empty=True, default="generic",
           aliases=("项目类型", "project type")),
    Column("implementing_unit", "text", required=False, allow_empty=True, aliases=("实施单位", "implementing unit")),
    Column("requested", "money", min_value=0),
    Column("approved", "money", min_value=0),
    Column("budget_initial", "money", required=False, allow_empty=True, min_value=0,
           aliases=("年初预算数", "initial budget")),
    Column("budget", "money", positive=True, aliases=("全年预算数", "预算数", "调整后预算数", "annual budget")),
    Column("annual_goal", "text", required=False, allow_empty=True, aliases=("年度总体目标", "annual goal")),
    Column("change_required", "text", required=False, allow_empty=True,
           aliases=("调整要求", "须调整事项", "change required")),
    # a 取消 project carried by `costing rollover --override` brings its reason here
    Column("override_reason", "text", required=False, allow_empty=True, aliases=("恢复申报理由", "override reason")),
    Column("new_or_continuing", "text", required=False, allow_empty=True,
           aliases=("新增/延续", "新增或延续", "项目性质", "new or continuing")),
    Column("key_project", "text", required=False, allow_empty=True, aliases=("重点项目", "是否重点", "key project")),
    # 资金来源 of the year's budget (parts of 全年预算数; the rest is 当年财政拨款), for the 自评表's funding block
    Column("budget_carryover", "money", required=False, allow_empty=True, min_value=0,
           aliases=("上年结转资金", "其中：上年结转资金")),
    Column("budget_other", "money", required=False, allow_empty=True, min_value=0,
           aliases=("其他资金", "其中：其他资金")),
    Column("goal_result", "text", required=False, allow_empty=True,
           aliases=("年度总体目标实际完成情况", "实际完成情况")),
]

INDICATOR_COLUMNS = [
    Column("project_id", "text", aliases=("项目编码", "项目代码", "项目编号", "project")),
    Column("indicator_id", "text", required=False, allow_empty=True, aliases=("指标编码", "指标代码", "indicator")),
    Column("level1", "text", required=False, allow_empty=True, aliases=("一级指标", "level 1")),
    Column("level2", "text", required=False, allow_empty=True, aliases=("二级指标", "level 2")),
    Column("level3", "text", required=False, allow_empty=True, aliases=("三级指标", "指标名称", "indicator name")),
    Column("unit", "text", required=False, allow_empty=True, aliases=("计量单位", "指标单位")),
    Column("direction", "text", required=False, allow_empty=True, aliases=("指标方向", "方向")),
    Column("progress", "text", required=False, allow_empty=True, aliases=("进度类型",)),
    Column("target", "expr", required=True, allow_empty=True, aliases=("年度指标值", "指标值", "目标值")),
    Column("final_actual", "expr", required=False, allow_empty=True,
           aliases=("实际完成值", "全年实际完成值", "final actual")),
    Column("weight", "number", required=False, allow_empty=True, min_value=0, aliases=("分值", "权重")),
    Column("band", "text", required=False, allow_empty=True, aliases=("定性评级", "评价档次", "rating band")),
    Column("deviation_reason", "text", required=False, allow_empty=True,
           aliases=("偏差原因", "偏差原因分析及改进措施", "deviation reason")),
    Column("data_source", "text", required=False, allow_empty=True, aliases=("数据来源", "source")),
]

EX_ANTE_COLUMNS = [
    Column("project_id", "text", aliases=("项目编码", "项目代码", "项目编号", "project")),
    *[Column(k, "number", min_value=0, aliases=(v[0],)) for k, v in EX_ANTE_DIMENSIONS.items()],
    Column("override_reason", "text", required=False, allow_empty=True,
           aliases=("恢复申报理由", "取消建议复核意见", "override reason")),
    Column("approved_note", "text", required=False, allow_empty=True,
           aliases=("审定说明", "审定数说明", "approved note")),
    Column("adjustment_note", "text", required=False, allow_empty=True,
           aliases=("调整情况说明", "按上年建议调整情况", "adjustment note")),
    Column("assessor", "text", required=False, allow_empty=True, aliases=("评估机构", "评估人")),
]

SPENDING_COLUMNS = [
    Column("project_id", "text", aliases=("项目编码", "项目代码", "项目编号", "project")),
    Column("date", "date", aliases=("日期", "截至日期", "as of")),
    Column("spent", "money", min_value=0, aliases=("累计支出数", "累计执行数", "支出数", "spent to date")),
    Column("forecast", "money", required=False, allow_empty=True, min_value=0,
           aliases=("全年预计执行数", "预计全年执行数", "forecast")),
    # 资金来源 of the cumulative spending (parts of ``spent``; the rest is 财政拨款), for the 自评表's funding block
    Column("spent_carryover", "money", required=False, allow_empty=True, min_value=0,
           aliases=("其中：上年结转", "上年结转资金执行数", "上年结转")),
    Column("spent_other", "money", required=False, allow_empty=True, min_value=0,
           aliases=("其中：其他资金", "其他资金执行数", "其他资金")),
]

TRACKING_COLUMNS = [
    Column("project_id", "text", aliases=("项目编码", "项目代码", "项目编号", "project")),
    Column("indicator_id", "text", required=False, allow_empty=True, aliases=("指标编码", "指标代码", "indicator")),
    Column("level3", "text", required=False, allow_empty=True, aliases=("三级指标", "指标名称", "indicator name")),
    Column("date", "date", aliases=("截至日期", "填报截至日期", "as of")),
    Column("actual", "expr", required=False, allow_empty=True, aliases=("截至执行情况", "截至目前完成值", "执行情况")),
    Column("likelihood", "text", required=False, allow_empty=True, choices=LIKELIHOODS,
           aliases=("完成目标可能性", "likelihood")),
    Column("reason_group", "text", required=False, allow_empty=True, choices=REASON_GROUPS,
           aliases=("偏差原因类别", "原因类别", "reason group")),
    Column("cause", "text", required=False, allow_empty=True, aliases=("偏差原因", "cause")),
    Column("measures", "text", required=False, allow_empty=True,
           aliases=("改进措施", "相关建议或举措", "完成目标采取的措施", "measures")),
]

DEPARTMENT_TARGET_COLUMNS = [
    Column("department_id", "text", aliases=("部门编码", "主管部门编码", "department")),
    Column("dimension", "text", aliases=("维度", "一级指标", "dimension")),
    Column("name", "text", aliases=("指标名称", "三级指标", "indicator name")),
    Column("unit", "text", required=False, allow_empty=True, aliases=("计量单位", "指标单位")),
    Column("direction", "text", aliases=("指标方向", "方向")),
    Column("target", "number", min_value=0, aliases=("年度指标值", "目标值")),
    Column("actual", "number", required=False, allow_empty=True, min_value=0, aliases=("实际完成值",)),
]

PREVIOUS_COLUMNS = [
    Column("project_id", "text", aliases=("项目编码", "项目代码", "项目编号", "project")),
    Column("year", "year", required=False, allow_empty=True),
    Column("score", "number", required=False, allow_empty=True, min_value=0, aliases=("自评得分", "评价得分", "得分")),
    Column("grade", "text", required=False, allow_empty=True, aliases=("等级", "评价等级")),
    Column("recommendation", "text", required=False, allow_empty=True, aliases=("评价建议", "结果应用建议")),
    Column("budget", "money", required=False, allow_empty=True, min_value=0,
           aliases=("上年预算数", "预算数", "previous budget")),
]

TABLES: dict[str, list[Column]] = {
    "departments": DEPARTMENT_COLUMNS,
    "projects": PROJECT_COLUMNS,
    "indicators": INDICATOR_COLUMNS,
    "ex_ante_scores": EX_ANTE_COLUMNS,
    "spending": SPENDING_COLUMNS,
    "tracking": TRACKING_COLUMNS,
    "previous_evaluation": PREVIOUS_COLUMNS,
    "department_targets": DEPARTMENT_TARGET_COLUMNS,
}
REQUIRED_TABLES = ("departments", "projects", "indicators")

#: tolerance when checking that weights sum to 100 [points]
WEIGHT_TOLERANCE = 1e-6

Where = Callable[[str, object], dict]


def _where_for(meta: TableMeta | None, label: str) -> Where:
    """A function (column, index) -> InputError keywords for a table from a file or memory."""
    if meta is not None:
        return lambda col, i: meta.where(col, int(i) + 2)
    return lambda col, i: dict(file=f"<{label}>", row=int(i) + 2, column=col)


@dataclass
class Project:
    """One project of a portfolio, with its own rows of each table (thin view, no maths)."""

    project_id: str
    info: pd.Series
    indicators: pd.DataFrame
    spending: pd.DataFrame
    ex_ante: pd.Series | None
    previous: pd.Series | None
    budget_year: int
    department_name: str = ""
    profile: ScoringProfile = field(default_factory=national)

    @property
    def name(self) -> str:
        return str(self.info["project_name"])


@dataclass
class Portfolio:
    """A bureau's project portfolio for one budget year.

    Attributes
    ----------
    id, name : str
    budget_year : int
    departments : DataFrame
        One row per department (``department_id`` unique).
    projects : DataFrame
        One row per project; money columns ``requested``, ``approved``,
        ``budget_initial``, ``budget`` [元].
    indicators : DataFrame
        One row per project indicator, completed from the library:
        ``level1..3, unit, direction (higher/lower/qualitative), progress
        (cumulative/level), target, target_value [unit] (NaN for qualitative),
        actual_to_date, final_actual [unit] (for qualitative: rating
        [fraction]), weight [points], band, deviation_reason, data_source``.
    ex_ante_scores, spending, previous_evaluation : DataFrame
        Possibly empty. ``spending.spent`` is cumulative spending [元] at
        ``date``; ``spending.forecast`` the unit's 全年预计执行数 [元] reported
        at that date (NaN when not reported).
    tracking : DataFrame
        The dated in-year actuals and monitoring-form answers, one row per
        indicator and date: ``project_id, ind_no`` (the indicator's
        sequence number within its project, column ``ind_no`` of
        ``indicators``), ``date``, ``actual`` [unit] (NaN for qualitative),
        ``actual_text`` (as written), ``likelihood``, ``reason_group``,
        ``cause``, ``measures`` (text, "" when blank).
    department_targets : DataFrame
        The departments' own targets (两头锁定): ``department_id, dimension,
        name, unit, direction (higher/lower), target, actual``.
    path : Path or None
        The portfolio file.
    parameters : dict
        The file's ``[parameters]`` table (thresholds), if any.
    profile : ScoringProfile
        The scoring rules (the file's ``[scoring] profile``, default national).
    report : dict
        The file's ``[report]`` table.
    bureau : dict
        The file's ``[bureau]`` table (:data:`BUREAU_KEYS`): ``name`` (the
        finance bureau issuing notices, e.g. 示例区财政局) and ``doc_prefix``
        (its 机关代字 in notice numbers, e.g. 文财绩 -> 文财绩〔2026〕3号).
    adjustments : DataFrame
        Budget adjustments the bureau confirmed in the rectification ledger
        (:func:`costing.performance.ledger.with_adjustments`):
        ``project_id, adjusted_budget`` [元], ``confirmed`` (date) and
        ``notice_number``; :func:`costing.performance.exante.funded_projects`
        measures against them. Empty by default.
    """

    id: str
    name: str
    budget_year: int
    departments: pd.DataFrame
    projects: pd.DataFrame
    indicators: pd.DataFrame
    ex_ante_scores: pd.DataFrame
    spending: pd.DataFrame
    previous_evaluation: pd.DataFrame
    path: Path | None = None
    parameters: dict = field(default_factory=dict)
    report: dict = field(default_factory=dict)
    metas: dict = field(default_factory=dict, repr=False)
    tracking: pd.DataFrame = field(default_factory=lambda: _empty_tracking())
    department_targets: pd.DataFrame = field(default_factory=lambda: _empty(DEPARTMENT_TARGET_COLUMNS))
    profile: ScoringProfile = field(default_factory=national)
    bureau: dict = field(default_factory=dict)
    adjustments: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"project_id": pd.Series(dtype=object), "adjusted_budget": pd.Series(dtype=float),
         "confirmed": pd.Series(dtype=object), "notice_number": pd.Series(dtype=object)}))

    def project(self, project_id: str) -> Project:
        """The :class:`Project` view of one project."""
        rows = self.projects[self.projects["project_id"] == project_id]
        if rows.empty:
            raise InputError("未知的项目", column="project_id",
                             expected="本项目组合中的项目编码", found=project_id)
        info = rows.iloc[0]
        ea = self.ex_ante_scores[self.ex_ante_scores["project_id"] == project_id]
        pv = self.previous_evaluation[self.previous_evaluation["project_id"] == project_id]
        dept = self.departments.loc[self.departments["department_id"] == info["department_id"], "department_name"]
        return Project(
            project_id=project_id, info=info,
            indicators=self.indicators[self.indicators["project_id"] == project_id],
            spending=self.spending[self.spending["project_id"] == project_id],
            ex_ante=None if ea.empty else ea.iloc[0],
            previous=None if pv.empty else pv.iloc[0],
            budget_year=self.budget_year,
            department_name=str(dept.iloc[0]) if len(dept) else "",
            profile=self.profile,
        )

    def where(self, table: str, column: str, index) -> dict:
        """InputError keywords for a cell of one of the portfolio's tables (row = index + 2)."""
        return _where_for(self.metas.get(table), table)(column, index)

    def subset(self, project_ids) -> "Portfolio":
        """A portfolio restricted to some projects (same departments)."""
        ids = set(project_ids)
        pick = lambda df: df[df["project_id"].isin(ids)].reset_index(drop=True)  # noqa: E731
        return Portfolio(self.id, self.name, self.budget_year, self.departments,
                         pick(self.projects), pick(self.indicators), pick(self.ex_ante_scores),
                         pick(self.spending), pick(self.previous_evaluation), self.path,
                         dict(self.parameters), dict(self.report), dict(self.metas),
                         pick(self.tracking), self.department_targets, self.profile, dict(self.bureau),
                         pick(self.adjustments))


def _empty(columns: list[Column]) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=float if c.kind in ("number", "money", "int", "year") else object)
                         for c in columns})


def _empty_tracking() -> pd.DataFrame:
    return pd.DataFrame({"project_id": pd.Series(dtype=object), "ind_no": pd.Series(dtype=int),
                         "date": pd.Series(dtype="datetime64[ns]"), "actual": pd.Series(dtype=float),
                         **{c: pd.Series(dtype=object) for c in ("actual_text", "likelihood", "reason_group",
                                                                 "cause", "measures")}})


def _num(v) -> float:
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return float(v)
    return np.nan


def _default_weights(ind: pd.DataFrame, profile: ScoringProfile, where: Where) -> pd.Series:
    """The profile's level-1 marks split evenly within each project's level-1 group.

    A project without a satisfaction indicator moves the satisfaction marks
    as the profile says (``[satisfaction] when_missing``).
    """
    w = {k: profile.weights[k] for k in ("产出指标", "效益指标", "满意度指标")}
    has_sat = ind.groupby("project_id")["level1"].transform(lambda s: (s == "满意度指标").any())
    move = profile.satisfaction_missing
    if move == "error" and not has_sat.all():
        i = ind.index[~has_sat][0]
        raise InputError("项目没有满意度指标", **where("level1", i),
                         expected="至少一个满意度指标（评分方案要求）",
                         found=ind.loc[i, "project_id"])
    target = "效益指标" if move == "to_benefit" else "产出指标"
    marks = ind["level1"].map(w).astype(float)
    marks = marks.where(has_sat | (ind["level1"] != target), marks + w["满意度指标"])
    n = ind.groupby(["project_id", "level1"])["level1"].transform("size")
    return marks / n


def _complete_indicators(ind: pd.DataFrame, projects: pd.DataFrame, where: Where,
                         profile: ScoringProfile | None = None) -> pd.DataFrame:
    """Fill blanks from the library, normalise labels, check targets and weights."""
    ind = ind.copy()
    library = lib.load_library().drop_duplicates("indicator_id").set_index("indicator_id")
    fill_cols = ["level1", "level2", "level3", "unit", "direction", "progress", "data_source"]
    for c in fill_cols:
        if c not in ind:
            ind[c] = ""
        ind[c] = ind[c].fillna("").astype(str).str.strip()
    has_id = ind["indicator_id"].fillna("").astype(str).str.strip() != ""
    known = ind["indicator_id"].isin(library.index)
    for i in ind.index[has_id & ~known]:
        if ind.loc[i, ["level1", "level2", "level3", "direction"]].eq("").any():
            raise InputError("指标编码不在指标库中，且未填写各级指标和指标方向",
                             **where("indicator_id", i), expected=f"指标库中的编码（如 {library.index[0]}），"
                             "或填写一级指标、二级指标、三级指标和指标方向", found=ind.loc[i, "indicator_id"])
    for c in fill_cols:
        src = ind["indicator_id"].map(library[c]) if c in library else None
        if src is not None:
            blank = (ind[c] == "") & known
            ind.loc[blank, c] = src[blank]
    for c in ("level1", "level2", "level3", "direction"):
        empty = ind[c] == ""
        if empty.any():
            i = ind.index[empty][0]
            raise InputError(f"指标缺少“{chinese_name(c)}”", **where(c, i),
                             expected="填写该项（或填写指标库中的指标编码）", found="")
    ind["level1"] = ind["level1"].map(lib.normalize_level1)
    ind["level2"] = ind["level2"].map(lib.normalize_level2)
    lib.check_tree(ind, where)
    profile = profile or national()
    for col, fn in (("direction", normalize_direction),
                    ("band", lambda v: normalize_band(v, profile.qualitative_bands))):
        vals = ind[col] if col in ind else pd.Series("", index=ind.index)
        try:
            ind[col] = fn(vals.to_numpy())
        except InputError:
            for i, v in vals.items():  # find the row
                try:
                    fn(np.array([v], dtype=object))
                except InputError as e:
                    raise InputError(e.problem, **where(col, i), expected=e.expected, found=e.found) from None
    try:
        ind["progress"] = lib.normalize_progress(ind["progress"])
    except InputError as e:
        i = ind.index[~ind["progress"].str.lower().isin(lib.PROGRESS_ALIASES)][0]
        raise InputError(e.problem, **where("progress", i), expected=e.expected, found=e.found) from None

    quant = ind["direction"] != "qualitative"
    ind["target_value"] = ind["target"].map(_num)
    for col in [c for c in UNDATED_ACTUAL if c in ind]:
        undated = _text(ind[col]) != ""
        if undated.any():
            i = ind.index[undated][0]
            raise InputError("绩效指标表中填了未注明日期的累计实际值", **where(col, i),
                             expected="绩效指标表中不填实际值：年中实际值填入绩效跟踪填报表，"
                             "并注明截至日期", found=ind.loc[i, col])
        ind = ind.drop(columns=col)
    if "final_actual" not in ind:
        ind["final_actual"] = np.nan
    ind["final_actual"] = ind["final_actual"].map(_num)
    no_target = quant & ind["target_value"].isna()
    if no_target.any():
        i = ind.index[no_target][0]
        raise InputError("指标没有年度指标值", **where("target", i),
                         expected="按指标计量单位填写的数值（年度指标值）", found=ind.loc[i, "target"])
    qual_no_target = ~quant & (ind["target"].astype(str).str.strip() == "")
    if qual_no_target.any():
        i = ind.index[qual_no_target][0]
        raise InputError("定性指标没有年度指标值", **where("target", i),
                         expected="文字目标，如“建立并有效运行”", found="")
    neg = quant & (ind["target_value"] < 0)
    if neg.any():
        i = ind.index[neg][0]
        raise InputError("年度指标值为负数", **where("target", i), expected="不小于 0 的数",
                         found=ind.loc[i, "target_value"])
    rating = ~quant & ind["final_actual"].notna() & ((ind["final_actual"] < 0) | (ind["final_actual"] > 1))
    if rating.any():
        i = ind.index[rating][0]
        raise InputError("定性指标评分超出范围", **where("final_actual", i),
                         expected="0 至 1 之间的数，表示得分占该指标分值的比例（或空白）",
                         found=ind.loc[i, "final_actual"])

    # weights: given per row, or the profile's weights split evenly within each level-1 group
    if "weight" not in ind:
        ind["weight"] = np.nan
    given = ind["weight"].notna()
    if given.any() and not given.all():
        i = ind.index[~given][0]
        raise InputError("部分指标填了权重，部分没有填", **where("weight", i),
                         expected="每一行都填权重，或整列不填", found="")
    if not given.any():
        ind["weight"] = _default_weights(ind, profile, where)
    ew = profile.execution_weight
    total = ind.groupby("project_id", sort=False)["weight"].sum() + ew
    bad = total[(total - 100.0).abs() > WEIGHT_TOLERANCE]
    if not bad.empty:
        pid = bad.index[0]
        i = ind.index[ind["project_id"] == pid][0]
        raise InputError(f"项目 {pid} 的指标权重合计不等于 100", **where("weight", i),
                         expected=f"指标权重合计 {profile.indicator_total:g} "
                         f"（加预算执行率 {ew:g} 分 = 100，评分方案 {profile.name}）",
                         found=f"{total[pid] - ew:g}")
    if "deviation_reason" not in ind:
        ind["deviation_reason"] = ""
    ind["deviation_reason"] = ind["deviation_reason"].fillna("").astype(str)
    ind["ind_no"] = ind.groupby("project_id", sort=False).cumcount() + 1
    return ind


def _text(s: pd.Series) -> pd.Series:
    return s.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip())


def _complete_tracking(tr: pd.DataFrame, ind: pd.DataFrame, year: int, where: Where) -> pd.DataFrame:
    """Link each tracking row to its indicator (``ind_no``), check dates, numbers and form answers."""
    if tr.empty:
        return _empty_tracking()
    tr = tr.copy()
    for c in ("indicator_id", "level3", "likelihood", "reason_group", "cause", "measures"):
        tr[c] = _text(tr[c])
    for c, allowed in (("likelihood", LIKELIHOODS), ("reason_group", REASON_GROUPS)):
        bad = (tr[c] != "") & ~tr[c].isin(allowed)
        if bad.any():
            i = tr.index[bad][0]
            raise InputError(f"“{chinese_name(c)}”填写有误", **where(c, i), expected=f"{'、'.join(allowed)} 之一，或空白",
                             found=tr.loc[i, c])
    by_id = tr["indicator_id"] != ""
    no_key = ~by_id & (tr["level3"] == "")
    if no_key.any():
        i = tr.index[no_key][0]
        raise InputError("跟踪填报行没有指明指标", **where("indicator_id", i),
                         expected="指标编码或三级指标名称", found="")
    tr["ind_no"] = np.nan
    for key, rows in (("indicator_id", by_id), ("level3", ~by_id)):
        if not rows.any():
            continue
        ref = ind[["project_id", key, "ind_no"]]
        dup = ref.duplicated(["project_id", key], keep=False)
        lookup = ref[~dup].set_index(["project_id", key])["ind_no"]
        keys = pd.MultiIndex.from_arrays([tr.loc[rows, "project_id"], tr.loc[rows, key]])
        tr.loc[rows, "ind_no"] = lookup.reindex(keys).to_numpy()
        unmatched = rows & tr["ind_no"].isna()
        if unmatched.any():
            i = tr.index[unmatched][0]
            pid, k = tr.loc[i, "project_id"], tr.loc[i, key]
            ambiguous = ((ref["project_id"] == pid) & (ref[key] == k)).sum() > 1
            raise InputError(f"跟踪填报行{'对应项目 ' + str(pid) + ' 的多个指标' if ambiguous else '在项目 ' + str(pid) + ' 中找不到对应指标'}",
                             **where(key, i), expected=f"在该项目指标中只出现一次的{chinese_name(key)}",
                             found=k)
    tr["ind_no"] = tr["ind_no"].astype(int)
    tr["date"] = _parse_dates(tr, year, where)
    dup = tr.duplicated(["project_id", "ind_no", "date"])
    if dup.any():
        i = tr.index[dup][0]
        raise InputError("同一指标同一日期重复填报", **where("date", i),
                         expected="每个指标每个日期一行", found=str(tr.loc[i, "date"].date()))
    direction = pd.Series(ind["direction"].to_numpy(), index=pd.MultiIndex.from_frame(ind[["project_id", "ind_no"]]))
    quant = direction.reindex(pd.MultiIndex.from_frame(tr[["project_id", "ind_no"]])).to_numpy() != "qualitative"
    tr["actual_text"] = _text(tr["actual"])
    tr["actual"] = tr["actual"].map(_num)
    bad = quant & (tr["actual_text"] != "") & ~(np.isfinite(tr["actual"]) & (tr["actual"] >= 0))
    if bad.any():
        i = tr.index[bad][0]
        raise InputError("定量指标的实际值不是不小于 0 的数", **where("actual", i),
                         expected="按指标计量单位填写的数，或空白", found=tr.loc[i, "actual_text"])
    tr.loc[~quant, "actual"] = np.nan
    return tr[list(_empty_tracking().columns)]


def _parse_dates(sp: pd.DataFrame, year: int, where: Where) -> pd.Series:
    dates = pd.to_datetime(sp["date"], errors="coerce", format="mixed")
    bad = dates.isna()
    if bad.any():
        i = sp.index[bad][0]
        raise InputError("不是日期", **where("date", i), expected="日期，如 2026-09-30", found=sp.loc[i, "date"])
    out = dates.dt.year != year
    if out.any():
        i = sp.index[out][0]
        raise InputError("日期不在预算年度内", **where("date", i),
                         expected=f"{year} 年内的日期", found=str(sp.loc[i, "date"]))
    return dates.dt.normalize()


def _check_numbers(s: pd.Series, c: Column, where: Where) -> None:
    """A numeric column of a frame built in memory, through the readers' one rule set
    (:func:`costing.intake.check_value`: finite, required, sign, positive, whole); money already in 元."""
    vals = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    fine = np.isfinite(vals) | (np.isnan(vals) & s.isna().to_numpy() & c.allow_empty)
    if c.min_value is not None:
        fine &= ~(vals < c.min_value)
    if c.positive:
        fine &= ~(vals <= 0)
    if c.kind in ("int", "year"):
        fine &= ~(np.isfinite(vals) & (vals != np.round(vals)))
    if fine.all():
        return  # the fast path: every cell passes
    for i, v in s[~fine].items():
        try:
            check_value(c, None if (isinstance(v, float) and math.isnan(v)) else v, "元" if c.kind == "money" else None)
        except Bad as e:
            raise InputError(e.problem, **where(c.name, i), expected=e.expected, found="" if v is None else v,
                             fix=e.fix) from None


def _table(df: pd.DataFrame | None, k: str, cols: list[Column], where: Where) -> pd.DataFrame:
    """One portfolio table built in memory: its columns through the one rule set, defaults for the optional ones."""
    if df is None:
        return _empty(cols)
    df = df.reset_index(drop=True).copy()
    for c in cols:
        if c.name in df and c.kind in ("number", "money", "int", "year"):
            _check_numbers(df[c.name], c, where)
        if c.name not in df:
            if c.required and k in REQUIRED_TABLES and c.name not in ("project_type",):
                raise InputError(f"缺少列“{chinese_name(c)}”", **where(c.name, -1), expected=f"列“{chinese_name(c)}”"
                                 f"（代码 {c.name}）", found="、".join(map(str, df.columns)), fix="在表头增加该列")
            df[c.name] = c.default if c.default is not None else (
                np.nan if c.kind in ("number", "money", "int", "year") else "")
    return df


def _unique(df: pd.DataFrame, key: str | list[str], where: Where, what: str) -> None:
    """Each ``key`` once (the readers' duplicate rule, for a frame built in memory)."""
    keys = [key] if isinstance(key, str) else key
    dup = df.duplicated(keys)
    if dup.any():
        i = df.index[dup][0]
        found = " / ".join(str(df.loc[i, k].date()) if hasattr(df.loc[i, k], "date") else str(df.loc[i, k]) for k in keys)
        raise InputError(f"重复的{what}", **where(keys[-1], i), expected=f"每个{what}只出现一次", found=found,
                         fix="删除或改正重复的一行")


def _known(df: pd.DataFrame, column: str, allowed, where: Where, what: str, table: str) -> None:
    """Every ``column`` value names a row of another table (``allowed``)."""
    bad = ~df[column].isin(allowed)
    if bad.any():
        i = df.index[bad][0]
        raise InputError(f"未知的{what}", **where(column, i), expected=f"“{table}”表中的{what}",
                         found=df.loc[i, column], fix=f"改为“{table}”表中已有的{what}，或先在“{table}”表增加该行")


def _validate_departments(dep: pd.DataFrame, w: Where) -> pd.DataFrame:
    _unique(dep, "department_id", w, "部门编码")
    return dep


def _validate_projects(prj: pd.DataFrame, dep: pd.DataFrame, w: Where) -> pd.DataFrame:
    """Codes unique, departments known, 新增/延续 and 重点 read, defaults filled (budget > 0 is a column rule)."""
    _unique(prj, "project_id", w, "项目编码")
    _known(prj, "department_id", dep["department_id"], w, "部门编码", "部门")
    prj["project_type"] = prj["project_type"].replace("", "generic").fillna("generic")
    prj["budget_initial"] = prj["budget_initial"].fillna(prj["budget"])
    for c in ("implementing_unit", "annual_goal", "change_required", "override_reason", "new_or_continuing",
              "key_project"):
        prj[c] = prj[c].fillna("").astype(str).str.strip()
    status = prj["new_or_continuing"].str.lower().map(NEW_OR_CONTINUING)
    if status.isna().any():
        i = prj.index[status.isna()][0]
        raise InputError("新增/延续 填写有误", **w("new_or_continuing", i), expected="新增 或 延续（空白按新增）",
                         found=prj.loc[i, "new_or_continuing"], fix="填“新增”或“延续”")
    prj["new_or_continuing"] = status
    prj["key_project"] = prj["key_project"].str.lower().isin(["重点", "是", "y", "yes", "true", "1", "key"])
    return prj


def _validate_links(frames: dict, prj: pd.DataFrame, w: dict) -> None:
    """Rows of the project tables name a project of the 项目 table; every project has indicators."""
    for k in ("indicators", "ex_ante_scores", "spending", "tracking", "previous_evaluation"):
        _known(frames[k], "project_id", prj["project_id"], w[k], "项目编码", "项目")
    missing = ~prj["project_id"].isin(frames["indicators"]["project_id"])
    if missing.any():
        i = prj.index[missing][0]
        raise InputError("项目没有绩效指标", **w["projects"]("project_id", i), expected="绩效指标表中至少一行",
                         found=prj.loc[i, "project_id"], fix="在绩效指标表为该项目填写指标")


def _validate_ex_ante(ea: pd.DataFrame, profile: ScoringProfile, w: Where) -> pd.DataFrame:
    """One assessment per project, each dimension within its maximum."""
    _unique(ea, "project_id", w, "项目编码")
    for k2, cn in EX_ANTE_NAMES.items():
        mx = profile.ex_ante_max[k2]
        over = ea[k2].astype(float) > mx
        if over.any():
            i = ea.index[over][0]
            raise InputError(f"{cn}得分超过满分", **w(k2, i), expected=f"0 至 {mx:g} 分", found=ea.loc[i, k2],
                             fix=f"按评分标准填写，不超过 {mx:g} 分")
    for c in ("override_reason", "approved_note", "adjustment_note"):
        ea[c] = ea[c].fillna("").astype(str)
    return ea


def _validate_spending(sp: pd.DataFrame, year: int, w: Where) -> pd.DataFrame:
    """Dates within the budget year, one cumulative amount per project and date."""
    if len(sp):
        sp["date"] = _parse_dates(sp, year, w)
        _unique(sp, ["project_id", "date"], w, "项目编码/日期")
    else:
        sp["date"] = pd.to_datetime(sp["date"])
    return sp


def _validate_department_targets(dt: pd.DataFrame, dep: pd.DataFrame, w: Where) -> pd.DataFrame:
    """Departments known, every target quantitative (a direction)."""
    if len(dt):
        _known(dt, "department_id", dep["department_id"], w, "部门编码", "部门")
        known = dt["direction"].map(lambda v: DIRECTION_ALIASES.get(str(v).strip().lower(), "qualitative"))
        qual = known == "qualitative"
        if qual.any():
            i = dt.index[qual][0]
            raise InputError("部门整体绩效指标应为定量指标", **w("direction", i), expected="正向（≥）或反向（≤）",
                             found=dt.loc[i, "direction"], fix="填写指标方向：正向或反向")
        dt["direction"] = known
    return dt


def build_portfolio(departments: pd.DataFrame, projects: pd.DataFrame, indicators: pd.DataFrame, *,
                    budget_year: int, ex_ante_scores: pd.DataFrame | None = None,
                    spending: pd.DataFrame | None = None, previous_evaluation: pd.DataFrame | None = None,
                    tracking: pd.DataFrame | None = None, department_targets: pd.DataFrame | None = None,
                    id: str = "portfolio", name: str = "", metas: dict | None = None,
                    path: Path | None = None, parameters: dict | None = None,
                    report: dict | None = None, profile: ScoringProfile | str | None = None,
                    bureau: dict | None = None) -> Portfolio:
    """Validate and assemble a :class:`Portfolio` from frames that use the glossary names.

    Money columns must already be in 元. ``profile`` is a :class:`ScoringProfile`
    or a bundled profile's name (default national). ``metas`` maps a table name to the
    :class:`costing.io.TableMeta` it was read with, so errors name the file;
    without it errors name ``<projects>`` etc. and the row as if the frame
    were a sheet (header = row 1).
    """
    metas = metas or {}
    profile = load_profile(profile)
    w = {k: _where_for(metas.get(k), k) for k in TABLES}
    given = {"departments": departments, "projects": projects, "indicators": indicators,
             "ex_ante_scores": ex_ante_scores, "spending": spending, "previous_evaluation": previous_evaluation,
             "tracking": tracking, "department_targets": department_targets}
    frames = {k: _table(given[k], k, cols, w[k]) for k, cols in TABLES.items()}  # each column: the one rule set
    dep = _validate_departments(frames["departments"], w["departments"])
    prj = _validate_projects(frames["projects"], dep, w["projects"])
    _validate_links(frames, prj, w)
    frames["indicators"] = _complete_indicators(frames["indicators"], prj, w["indicators"], profile)
    ea = _validate_ex_ante(frames["ex_ante_scores"], profile, w["ex_ante_scores"])
    sp = _validate_spending(frames["spending"], budget_year, w["spending"])
    pv = frames["previous_evaluation"]
    for c in ("grade", "recommendation"):
        pv[c] = pv[c].fillna("").astype(str)
    tr = _complete_tracking(frames["tracking"], frames["indicators"], budget_year, w["tracking"])
    dt = _validate_department_targets(frames["department_targets"], dep, w["department_targets"])
    return Portfolio(id=id, name=name or id, budget_year=int(budget_year), departments=dep, projects=prj,
                     indicators=frames["indicators"], ex_ante_scores=ea, spending=sp,
                     previous_evaluation=pv, path=path, parameters=dict(parameters or {}),
                     report=dict(report or {}), metas=metas, tracking=tr, department_targets=dt,
                     profile=profile, bureau=dict(bureau or {}))


#: ``[parameters]`` of a portfolio file that must be numbers (thresholds as fractions)
NUMERIC_PARAMETERS = ("tolerance", "deviation_threshold")


def _check_parameters(params, path: Path) -> None:
    """``[parameters]``: a table; numbers finite; the thresholds numbers, not text."""
    if not isinstance(params, dict):
        raise InputError("[parameters] 不是表", file=str(path), column="[parameters]",
                         expected="“名称 = 值”形式的行", found=params)
    for k, v in params.items():
        number = isinstance(v, (int, float)) and not isinstance(v, bool)
        if (number and not math.isfinite(v)) or (k in NUMERIC_PARAMETERS and not number):
            raise InputError("参数不是有限的数", file=str(path), column=f"[parameters] {k}",
                             expected="数值，如 0.15（小数，不写“15%”）", found=v)


def load_portfolio(path: str | Path) -> Portfolio:
    """Read, validate and assemble a portfolio from its TOML file and tables.

    Parameters
    ----------
    path : path-like
        The portfolio file (``kind = "portfolio"``).

    Raises
    ------
    InputError
        Naming the file, row and column of the first problem.
    """
    path = Path(path)
    doc = read_project_file(path)  # TOML, YAML or a fill-in workbook (costing new portfolio)
    return portfolio_from_mapping(doc, path)


def portfolio_from_mapping(doc: dict, path: str | Path) -> Portfolio:
    """A portfolio from its settings (as a portfolio file or a workbook's 项目信息 holds them); pure.

    ``path`` is the file the settings came from: table paths are relative to its folder.
    """
    path = Path(path)
    proj = doc.get("project", {})
    if proj.get("kind", "portfolio") != "portfolio":
        raise InputError("不是项目组合文件", file=str(path), column="[project] kind",
                         expected="kind = \"portfolio\"", found=proj.get("kind"))
    for k in ("id",):
        if not proj.get(k):
            raise InputError(f"[project] 缺少 {k}", file=str(path), column=f"[project] {k}", expected="填写一个值")
    year = proj.get("budget_year", doc.get("budget_year"))
    if not isinstance(year, int) or not 1990 <= year <= 2100:
        raise InputError("预算年度缺失或不是四位年份", file=str(path), column="[project] budget_year",
                         expected="四位年份，如 2026", found=year)
    tables = doc.get("tables", {})
    if not isinstance(tables, dict):
        raise InputError("[tables] 不是表", file=str(path), column="[tables]",
                         expected="“表名 = \"路径/表.csv\"”形式的行", found=tables)
    bad = next((k for k, v in tables.items() if not (isinstance(v, str) or (
        isinstance(v, dict) and isinstance(v.get("path"), str)))), None)
    if bad is not None:
        raise InputError("表的引用不是路径", file=str(path), column=f"[tables] {bad}",
                         expected="相对于项目组合文件的 .csv 或 .xlsx 文件路径，"
                         "或 {path = ..., sheet = ...}", found=tables[bad])
    _check_parameters(doc.get("parameters", {}), path)
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        raise InputError("未知的表", file=str(path), column=f"[tables] {unknown[0]}",
                         expected=f"{'、'.join(TABLES)} 之一", found=unknown[0])
    frames, metas = {}, {}
    for k, cols in TABLES.items():
        if k not in tables:
            if k in REQUIRED_TABLES:
                raise InputError(f"缺少表 {k}", file=str(path), column=f"[tables] {k}",
                                 expected="相对于项目组合文件的 .csv 或 .xlsx 文件路径")
            continue
        key = ["project_id"] if k in ("projects",) else (["department_id"] if k == "departments" else None)
        ref = tables[k]
        rel, sheet = (ref["path"], ref.get("sheet")) if isinstance(ref, dict) else (ref, None)
        frames[k], metas[k] = read_table(path.parent / rel, cols, sheet=sheet, key=key, label=k)
        if frames[k].empty and k in REQUIRED_TABLES:
            raise InputError("该表没有数据行", **metas[k].where(None, 2),
                             expected="表头下至少一行数据", found="只有表头")
    return build_portfolio(frames["departments"], frames["projects"], frames["indicators"],
                           budget_year=year, ex_ante_scores=frames.get("ex_ante_scores"),
                           spending=frames.get("spending"), previous_evaluation=frames.get("previous_evaluation"),
                           tracking=frames.get("tracking"), department_targets=frames.get("department_targets"),
                           id=str(proj["id"]), name=str(proj.get("name", proj["id"])), metas=metas, path=path,
                           parameters=doc.get("parameters", {}), report=doc.get("report", {}),
                           profile=load_profile(doc.get("scoring", {}).get("profile"), base_dir=path.parent),
                           bureau=_check_bureau(doc.get("bureau", {}), path))


#: keys of a portfolio's ``[bureau]`` table -> meaning
BUREAU_KEYS = {"name": "发文机关（财政局）名称", "doc_prefix": "发文机关代字，如 文财绩（文号 文财绩〔2026〕3号）"}


def _check_bureau(bureau, path: Path) -> dict:
    """The ``[bureau]`` table: known keys, non-empty text values."""
    if not isinstance(bureau, dict):
        raise InputError("[bureau] 不是表", file=str(path), column="[bureau]",
                         expected='name = "…" 与 doc_prefix = "…"', found=bureau)
    for k, v in bureau.items():
        if k not in BUREAU_KEYS:
            raise InputError("[bureau] 中有未知的设置", file=str(path), column=f"[bureau] {k}",
                             expected=f"{list(BUREAU_KEYS)} 之一", found=k)
        if not isinstance(v, str) or not v.strip() or any(ch in v for ch in "〔〕\n"):
            raise InputError("[bureau] 的设置须为非空文字（不含〔〕）", file=str(path), column=f"[bureau] {k}",
                             expected=BUREAU_KEYS[k], found=v)
    return {k: v.strip() for k, v in bureau.items()}
