"""Self-evaluation (绩效自评), vectorised over a whole portfolio, by the portfolio's scoring profile.

A project's score [points, of 100] is the execution-rate score
(:func:`costing.performance.scoring.score_execution`, 10 points in the
national profile) plus the scores of its indicators (:func:`score_indicator`;
the indicator weights sum to the rest: outputs 50, benefits 30, satisfaction
10 nationally). Grades, recommendations, the reverse-indicator rule and the
qualitative bands come from the profile (:mod:`.profile`).

Only funded projects are evaluated (:func:`costing.performance.exante.funded_projects`):
the approved amount is the year's budget, and the others are listed in
:attr:`EvaluationResult.excluded`.

The execution rate uses the latest spending record of the year (全年执行数)
over the annual budget (全年预算数). An indicator that missed its target (a
quantitative one scoring below its weight, a qualitative one rated below the
top band) or that over-achieved (actual ≥ the profile's ratio × target)
carries a deviation reason: the input's ``deviation_reason`` or "未说明"
(not explained). ``problem`` lists what the unit must still supply (填报问题):
a qualitative rating without the rater's score, an over-achievement or a
missed target without a reason (shown as 未说明 on the form and counted).

Rounding (the 《项目支出绩效自评表》 as filed): each line score — the
execution-rate score and every indicator's — is rounded first, half away from
zero to :data:`SCORE_DECIMALS` decimals (:func:`costing.units.round_half_up`,
Excel's ROUND); the 总分 is the sum of the rounded lines, so the lines shown
add up to the 总分 shown, and the grade is read from that 总分 (89.996 before
rounding may show as 90.00 and is then graded 优). The unrounded indicator
score is kept as ``score_exact``.

:func:`evaluate_portfolio` scores every project at once (pandas group sums,
no loop per project); :func:`self_evaluate` is the same code on one project.
:func:`feed_forward` turns the results into next year's
``previous_evaluation`` table (事后评价+事前评估).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError
from ..fmt import round_half_away_array
from .exante import funded_projects
from .monitoring import execution_rate, latest_on_or_before, spending_at
from .portfolio import EX_ANTE_COLUMNS, PREVIOUS_COLUMNS, Portfolio, Project, _empty
from .scoring import grade, recommend, score_execution, score_indicator
from ..units import round_half_up

#: text of an unexplained deviation
UNEXPLAINED = "未说明"
#: tolerance below the weight before an indicator counts as missed [points]
SCORE_TOLERANCE = 1e-9
#: decimals of a line score on the 自评表 (rounded half away from zero before the 总分 is summed)
SCORE_DECIMALS = 2
#: rows of the 自评表's funding block (财预〔2020〕10号 附件2 项目资金): key -> label
FUND_ROWS = {"total": "年度资金总额", "fiscal": "其中：当年财政拨款", "carryover": "上年结转资金", "other": "其他资金"}


def round_scores(x) -> np.ndarray:
    """Line scores as shown: half away from zero to :data:`SCORE_DECIMALS` decimals [points]
    (:func:`costing.fmt.round_half_away_array`, the formatter's rule on arrays)."""
    return round_half_away_array(np.asarray(x, dtype=float).reshape(-1), SCORE_DECIMALS)


@dataclass
class EvaluationResult:
    """Self-evaluation of a portfolio.

    Attributes
    ----------
    projects : DataFrame
        One row per project: ``budget_initial, budget, spent`` [元],
        ``execution_rate`` [fraction], ``execution_score``,
        ``output_score, benefit_score, satisfaction_score, score`` [points],
        ``grade``, ``recommendation``, ``n_missed`` (indicators below target).
    indicators : DataFrame
        One row per indicator: ``target_value, final_actual`` [unit; for a
        qualitative one the rating, fraction], ``weight, score`` [points],
        ``missed``, ``over_achieved``, ``deviation_reason``, ``problem``.
    departments : DataFrame
        Per department: projects, budget-weighted mean score [points] and the
        count of each grade.
    grade_counts : Series
        Number of projects per grade (every grade listed).
    bands : dict
        The grade bands used.
    excluded : DataFrame
        Projects not funded this year, not evaluated, with the reason
        (:attr:`costing.performance.exante.FundedSet.excluded`).
    profile : ScoringProfile
        The rules used.
    """

    projects: pd.DataFrame
    indicators: pd.DataFrame
    departments: pd.DataFrame
    grade_counts: pd.Series
    bands: dict
    excluded: pd.DataFrame
    profile: object


@dataclass
class SelfEvaluation:
    """Self-evaluation of one project.

    Attributes
    ----------
    project_id : str
    score : float
        Total [points, of 100].
    grade : str
        优 / 良 / 中 / 差.
    recommendation : str
        延续 / 调整 / 取消.
    execution_rate : float
        [fraction]
    execution_score : float
        [points]
    breakdown : DataFrame
        Per indicator: level1..3, target, actual, weight, score, missed, deviation_reason.
    """

    project_id: str
    score: float
    grade: str
    recommendation: str
    execution_rate: float
    execution_score: float
    breakdown: pd.DataFrame


def evaluate_portfolio(portfolio: Portfolio, *, bands: Mapping[str, float] | None = None,
                       rules: Mapping[str, str] | None = None) -> EvaluationResult:
    """Self-evaluate every funded project of a portfolio (vectorised).

    Parameters
    ----------
    portfolio : Portfolio
        Scored by its ``profile``; only the projects funded by the ex-ante
        decision are evaluated (:func:`funded_projects`).
    bands : mapping grade -> lowest score, optional
        Default the profile's grade bands.
    rules : mapping grade -> recommendation, optional
        Overrides of the profile's recommendations.

    Raises
    ------
    InputError
        A quantitative indicator without a final actual (names the row), or
        a qualitative one without a rating band.
    """
    fs = funded_projects(portfolio)
    prof = portfolio.profile
    pf = fs.portfolio
    ind = portfolio.indicators
    funded = ind["project_id"].isin(pf.projects["project_id"])
    quant = ind["direction"] != "qualitative"
    missing = funded & quant & ind["final_actual"].isna()
    if missing.any():
        i = ind.index[missing][0]
        raise InputError("指标没有全年实际完成值", **portfolio.where("indicators", "final_actual", i),
                         expected="全年实际完成值", found="")
    no_band = funded & ~quant & (ind["band"] == "")
    if no_band.any():
        i = ind.index[no_band][0]
        raise InputError("定性指标没有评价档次", **portfolio.where("indicators", "band", i),
                         expected=" / ".join(prof.qualitative_bands), found="")
    r = pf.indicators[["project_id", "indicator_id", "level1", "level2", "level3", "unit", "direction", "target",
             "target_value", "final_actual", "weight", "band", "deviation_reason"]].copy()
    r["score_exact"] = score_indicator(r["target_value"], r["final_actual"], direction=r["direction"],
                                       weight=r["weight"], band=r["band"], reverse=prof.reverse_rule,
                                       bands=prof.qualitative_bands, blank=prof.blank_rating)
    r["score"] = round_scores(r["score_exact"])
    qual = r["direction"] == "qualitative"
    top_band = next(iter(prof.qualitative_bands))
    r["missed"] = np.where(qual, r["band"] != top_band, r["score_exact"] < r["weight"] - SCORE_TOLERANCE)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(r["direction"] == "lower", r["target_value"] / r["final_actual"],
                         r["final_actual"] / r["target_value"])
    r["over_achieved"] = ~qual & bool(prof.over_achievement) & (ratio >= prof.over_achievement)
    reason = r["deviation_reason"].str.strip()
    needs_reason = r["missed"] | r["over_achieved"]
    r["deviation_reason"] = np.where(needs_reason, np.where(reason == "", UNEXPLAINED, reason), "")
    blank_rating = qual & r["final_actual"].isna() & (prof.blank_rating == "flag")
    texts = [np.where(blank_rating, [f"定性指标未填写评分（按“{b}”档下限计分）" for b in r["band"]], ""),
             np.where(r["over_achieved"] & (reason == ""), f"超额完成（≥{prof.over_achievement:.0%}）未说明原因", ""),
             np.where(r["missed"] & ~r["over_achieved"] & (reason == ""), f"未达到年度指标值，偏差原因{UNEXPLAINED}", "")]
    r["problem"] = ["；".join(t for t in row if t) for row in zip(*texts)]

    prj = pf.projects
    names = pf.departments.set_index("department_id")["department_name"]
    t = prj[["project_id", "project_name", "department_id", "project_type", "implementing_unit",
             "annual_goal", "key_project", "budget_initial", "budget", "budget_carryover", "budget_other",
             "goal_result"]].copy()
    t.insert(3, "department_name", t["department_id"].map(names))
    t = t.join(spending_at(pf.spending, prj["project_id"]))
    last = latest_on_or_before(pf.spending, ["project_id"], pd.Timestamp.max).reindex(prj["project_id"].to_numpy())
    for c in ("spent_carryover", "spent_other"):
        t[c] = last[c].to_numpy(dtype=float) if c in last else np.nan
    t["execution_rate"] = execution_rate(t["spent"], t["budget"])
    t["execution_score"] = round_scores(score_execution(t["spent"], t["budget"], weight=prof.execution_weight))
    by_level = r.pivot_table(index="project_id", columns="level1", values="score", aggfunc="sum", fill_value=0.0)
    for col, l1 in (("output_score", "产出指标"), ("benefit_score", "效益指标"), ("satisfaction_score", "满意度指标")):
        t[col] = t["project_id"].map(by_level[l1]).fillna(0.0) if l1 in by_level else 0.0
    # 总分 = the sum of the rounded lines (exact in 2 decimals, so rounding the sum only removes float noise)
    t["score"] = round_scores(t["execution_score"] + t[["output_score", "benefit_score", "satisfaction_score"]]
                              .sum(axis=1))
    b = dict(bands) if bands is not None else dict(prof.grade_bands)
    t["grade"] = grade(t["score"], b)
    t["recommendation"] = recommend(t["grade"], {**prof.recommendations, **(rules or {})})
    g = r.groupby("project_id", sort=False)
    t["n_missed"] = t["project_id"].map(g["missed"].sum()).fillna(0).astype(int)
    t["goal_expected"] = t["annual_goal"]
    t["goal_result"] = np.where(t["goal_result"].fillna("").astype(str).str.strip() != "", t["goal_result"],
                                _goal_result(t, r))
    t["n_problems"] = t["project_id"].map((r["problem"] != "").groupby(r["project_id"]).sum()).fillna(0).astype(int)

    grades = list(b)
    counts = t["grade"].value_counts().reindex(grades, fill_value=0)
    counts.name = "n_projects"
    t["_w"] = t["score"] * t["budget"]
    dep = t.groupby("department_id", sort=False).agg(n_projects=("project_id", "size"), budget=("budget", "sum"),
                                                     _w=("_w", "sum"), mean_score=("score", "mean"))
    dep.insert(0, "department_name", dep.index.map(names))
    dep["weighted_score"] = dep["_w"] / dep["budget"]
    dep = dep.drop(columns="_w")
    dep = dep.join(pd.crosstab(t["department_id"], t["grade"]).reindex(columns=grades, fill_value=0))
    t = t.drop(columns="_w")
    return EvaluationResult(projects=t, indicators=r, departments=dep, grade_counts=counts, bands=b,
                            excluded=fs.excluded, profile=prof)


def _goal_result(t: pd.DataFrame, r: pd.DataFrame) -> list[str]:
    """年度总体目标的实际完成情况 written from the indicators when the unit gave none (Chinese)."""
    m = r["missed"].to_numpy(dtype=bool)
    missed: dict[str, list[str]] = {}
    for pid, name in zip(r["project_id"].to_numpy(dtype=object)[m], r["level3"].to_numpy(dtype=object)[m]):
        missed.setdefault(pid, []).append(str(name))
    names = {pid: "、".join(v) for pid, v in missed.items()}
    n_missed = {pid: len(v) for pid, v in missed.items()}
    n = r.groupby("project_id", sort=False).size().to_dict()
    rate = [round_half_up(100 * v, 2) for v in t["execution_rate"].to_numpy(dtype=float)]
    out = []
    for pid, pct in zip(t["project_id"], rate):
        total, miss = int(n.get(pid, 0)), names.get(pid, "")
        text = f"预算执行率{pct:.2f}%；{total}项绩效指标中{total - n_missed.get(pid, 0)}项达到年度指标值"
        out.append(text + (f"，未达到的有：{miss}。" if miss else "。"))
    return out


def funding_block(project: pd.Series, weight: float) -> pd.DataFrame:
    """The 自评表's funding block (项目资金) of one project, money in 元.

    Rows :data:`FUND_ROWS` (年度资金总额; 其中：当年财政拨款, 上年结转资金,
    其他资金); columns ``budget_initial, budget, spent`` [元],
    ``weight, execution_rate, execution_score``. The 资金来源 come from the
    projects table (``budget_carryover``, ``budget_other``: parts of 全年预算数)
    and the spending table (``spent_carryover``, ``spent_other``: parts of the
    cumulative spending); when none are given, the whole budget is 当年财政拨款
    (财政拨款 = 全年预算数) and the other rows are 0. 年初预算数 is all 财政拨款
    (carried-over and other funds arrive after the budget is passed: local
    practice). Only the 年度资金总额 row carries 分值 and 得分, as on the form.
    """
    num = lambda k: float(project.get(k)) if pd.notna(project.get(k)) else 0.0  # noqa: E731
    bc, bo, sc, so = (num(k) for k in ("budget_carryover", "budget_other", "spent_carryover", "spent_other"))
    budget, spent = float(project["budget"]), float(project["spent"])
    rows = {"total": (float(project["budget_initial"]), budget, spent),
            "fiscal": (float(project["budget_initial"]), budget - bc - bo, spent - sc - so),
            "carryover": (0.0, bc, sc), "other": (0.0, bo, so)}
    df = pd.DataFrame([(FUND_ROWS[k], *v) for k, v in rows.items()], index=list(rows),
                      columns=["label", "budget_initial", "budget", "spent"])
    with np.errstate(divide="ignore", invalid="ignore"):
        df["execution_rate"] = np.where(df["budget"] > 0, df["spent"] / df["budget"], np.nan)
    df["weight"] = [weight, np.nan, np.nan, np.nan]
    df["execution_score"] = [float(project["execution_score"]), np.nan, np.nan, np.nan]
    return df


def _one_row(row: pd.Series | None, columns) -> pd.DataFrame:
    """A project's row of a table as a one-row frame (an empty frame with the table's columns if None)."""
    return _empty(columns) if row is None else row.to_frame().T.reset_index(drop=True).infer_objects()


def self_evaluate(project: Project | Portfolio, project_id: str | None = None, **kwargs) -> SelfEvaluation:
    """Self-evaluate one project: score, grade, per-indicator breakdown and recommendation.

    Parameters
    ----------
    project : Project or Portfolio
        A :class:`Project` (``portfolio.project(id)``), or a portfolio with ``project_id``.
    project_id : str, optional
    **kwargs
        ``bands``, ``rules`` as in :func:`evaluate_portfolio`.

    Returns
    -------
    SelfEvaluation
    """
    if isinstance(project, Portfolio):
        if project_id is None:
            raise InputError("对项目组合做绩效自评须指定项目编码", column="project_id",
                             expected="一个项目编码")
        pf = project.subset([project_id])
        if pf.projects.empty:
            raise InputError("未知的项目", column="project_id", expected="本项目组合中的项目编码",
                             found=project_id)
    else:
        pf = Portfolio(id=project.project_id, name=project.name, budget_year=project.budget_year,
                       departments=pd.DataFrame({"department_id": [project.info["department_id"]],
                                                 "department_name": [project.department_name]}),
                       projects=project.info.to_frame().T.reset_index(drop=True).infer_objects(),
                       indicators=project.indicators,
                       ex_ante_scores=_one_row(project.ex_ante, EX_ANTE_COLUMNS), spending=project.spending,
                       previous_evaluation=_one_row(project.previous, PREVIOUS_COLUMNS),
                       profile=project.profile)
    res = evaluate_portfolio(pf, **kwargs)
    if res.projects.empty:
        raise InputError("项目本年度未安排资金，不参加评价", column="project_id",
                         expected="本年度安排了资金的项目", found=f"{res.excluded['project_id'].iloc[0]}："
                         f"{res.excluded['exclusion_reason'].iloc[0]}")
    row = res.projects.iloc[0]
    return SelfEvaluation(project_id=str(row["project_id"]), score=float(row["score"]), grade=str(row["grade"]),
                          recommendation=str(row["recommendation"]), execution_rate=float(row["execution_rate"]),
                          execution_score=float(row["execution_score"]),
                          breakdown=res.indicators.reset_index(drop=True))


def key_projects(result: EvaluationResult, threshold: float | None = None) -> pd.DataFrame:
    """Key projects reported to the People's Congress (人大): their targets, results and grades.

    Selection rule: 年初预算数 (the approved amount) ≥ ``threshold`` [元]
    (default the profile's ``[key_projects] threshold``, 1000万元 nationally,
    local practice), or flagged 重点 in the projects table (``key_project``).

    Returns
    -------
    DataFrame
        One row per key project, in the evaluation's order: the project
        columns of :attr:`EvaluationResult.projects` (money in 元), ``key_reason``,
        ``targets`` (每个指标：年度指标值) and ``results`` (每个指标：实际完成值 or
        the rating band), separated by "；".
    """
    th = result.profile.key_project_threshold if threshold is None else float(threshold)
    p = result.projects
    by_amount = p["budget_initial"] >= th
    pick = p[by_amount | p["key_project"]].copy()
    pick.insert(3, "key_reason", np.where(by_amount[pick.index], "金额达到标准", "列为重点"))
    r = result.indicators[result.indicators["project_id"].isin(pick["project_id"])]
    qual = r["direction"] == "qualitative"
    unit = r["unit"].fillna("").astype(str)
    num = lambda v: v.map(lambda x: "" if pd.isna(x) else f"{x:g}")  # noqa: E731
    target = np.where(qual, r["target"].astype(str), num(r["target_value"]) + unit)
    actual = np.where(qual, r["band"], num(r["final_actual"]) + unit)
    g = r.assign(t=r["level3"] + "：" + target, a=r["level3"] + "：" + actual).groupby("project_id", sort=False)
    pick["targets"] = pick["project_id"].map(g["t"].agg("；".join))
    pick["results"] = pick["project_id"].map(g["a"].agg("；".join))
    return pick.reset_index(drop=True)


def feed_forward(result: EvaluationResult, year: int) -> pd.DataFrame:
    """Next year's ``previous_evaluation`` table from this year's self-evaluation.

    Parameters
    ----------
    result : EvaluationResult
    year : int
        The evaluated year (recorded in the ``year`` column).

    Returns
    -------
    DataFrame
        ``project_id, year, score, grade, recommendation, budget`` [元] — pass it as
        ``previous_evaluation`` of next year's portfolio; :func:`ex_ante` then
        shows the grade and blocks a 取消 unless overridden with a reason.
    """
    out = result.projects[["project_id", "score", "grade", "recommendation", "budget"]].copy()
    out.insert(1, "year", int(year))
    return out.reset_index(drop=True)
