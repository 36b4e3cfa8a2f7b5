"""Ex-ante assessment (事前绩效评估): the scoring sheet, the conclusion, the cut and the funded set.

The cut arithmetic (审减额, 审减率, :func:`cut_summary`) lives in the core,
:mod:`costing.cuts`, shared with the four-step method; its sign convention:
``cut_amount = requested − approved`` [元], positive when the review cut the request.

Dimension marks and conclusion bands come from the portfolio's scoring
profile (:mod:`.profile`; national: 予以支持 ≥ 80, 部分支持 60 to under 80,
不予支持 under 60). The lowest conclusion is not funded.

Funding rules applied by :func:`ex_ante` (``approved_final``):

- 无绩效，不预算 — a *new* project (新增, or blank) without an assessment gets 0
  (flag ``no_assessment``); a continuing project (延续) needs none;
- every project needs performance targets that pass the SMART check
  (:func:`costing.performance.indicators.smart_check`), else 0
  (flag ``targets_not_smart``);
- the lowest conclusion (不予支持) gets 0;
- 事后评价+事前评估 — a project whose previous evaluation recommended 取消
  (cancel) is blocked (flag ``blocked``) and gets 0 unless its assessment row
  gives an ``override_reason``; one that recommended 调整 (adjust) is flagged
  ``review_required`` and shows last year's budget, the change in the
  request and the unit's ``adjustment_note``;
- otherwise the reviewers' ``approved`` amount stands. An approved amount of
  0 next to a funding conclusion needs an ``approved_note`` (else the
  ``problem`` column says so).

The portfolio cut rate is over the amounts reviewed (assessed projects), as
the source article reports its 2021 review; unreviewed and blocked amounts
are shown on their own lines (:attr:`ExAnteResult.total`).

:func:`funded_projects` carries the decision forward: the approved amount
sets the year's budget, and monitoring and evaluation run on the funded
projects only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from ..cuts import cut_amount, cut_rate, cut_summary  # the core's 审减 arithmetic (re-exported here)
from ..errors import InputError, ParameterError
from .indicators import smart_check
from .portfolio import EX_ANTE_DIMENSIONS, Portfolio
from .profile import check_bands, load_profile, national
from .scoring import GRADE_TOLERANCE, _wrap, recommend

#: conclusion -> lowest total score [points], highest first (the national profile's)
CONCLUSION_THRESHOLDS: dict[str, float] = dict(national().conclusions)
#: conclusion of a continuing project that was not assessed (it needs no assessment)
CONTINUING_NOT_ASSESSED = "延续项目（未评估）"
#: conclusion of a new project without an assessment
NOT_ASSESSED = "未评估"


def conclude(total, thresholds: Mapping[str, float] | None = None):
    """Conclusion of an ex-ante assessment from its total score [points].

    Parameters
    ----------
    total : float, array or Series
    thresholds : mapping conclusion -> lowest score, optional
        Highest first; default :data:`CONCLUSION_THRESHOLDS`.
    """
    b = check_bands(thresholds if thresholds is not None else CONCLUSION_THRESHOLDS)
    s = np.asarray(total, dtype=float)
    out = np.select([s + GRADE_TOLERANCE >= lo for lo in b.values()], list(b), default=list(b)[-1]).astype(object)
    out = np.where(np.isnan(s), "", out)
    res = _wrap(out, total)
    return str(res) if isinstance(res, (str, np.str_)) else res


@dataclass
class ExAnteResult:
    """The ex-ante sheet of a portfolio.

    Attributes
    ----------
    sheet : DataFrame
        One row per project: ids and names, ``new_or_continuing``,
        ``requested``, ``approved``, ``approved_final``, ``cut_amount`` [元],
        ``cut_rate`` [fraction], the five dimension scores and ``total``
        [points], ``conclusion``, ``assessed``, ``no_assessment``,
        ``targets_not_smart`` and ``smart_problems``, the previous evaluation
        (``prev_score``, ``prev_grade``, ``prev_recommendation``,
        ``prev_budget`` [元]), ``requested_change`` (requested − last year's
        budget) [元], ``review_required`` (previous 调整), ``adjustment_note``,
        ``blocked``, ``override_reason``, ``approved_note``, ``fundable``,
        ``exclusion_reason`` and ``problem`` (what the unit must explain).
    departments : DataFrame
        :func:`cut_summary` per department over the reviewed projects, with
        the unreviewed requests and the counts of unassessed and blocked projects.
    total : DataFrame
        The portfolio: the reviewed base (first row, the headline rate), of
        which not supported and blocked, the unreviewed projects, and all projects.
    thresholds : dict
        The conclusion bands used.
    profile : ScoringProfile
    """

    sheet: pd.DataFrame
    departments: pd.DataFrame
    total: pd.DataFrame
    thresholds: dict
    profile: object = None

    @property
    def cut_rate(self) -> float:
        """Cut rate over the amounts reviewed (the assessed projects) [fraction]: the sums of the
        sheet's numbers, not a row of the display table."""
        reviewed = self.sheet[self.sheet["assessed"]]
        return float(cut_rate(reviewed["requested"].sum(), reviewed["approved_final"].sum()))

    @property
    def cut_rate_all(self) -> float:
        """Cut rate over every request, unreviewed ones counted as cut when not funded [fraction]."""
        return float(cut_rate(self.sheet["requested"].sum(), self.sheet["approved_final"].sum()))

    @property
    def n_no_assessment(self) -> int:
        return int(self.sheet["no_assessment"].sum())

    @property
    def n_blocked(self) -> int:
        return int(self.sheet["blocked"].sum())


def _first_reason(conditions: list[tuple[pd.Series, object]], index) -> pd.Series:
    """Per row, the text of the first true condition (texts may be Series), else ''."""
    out = pd.Series("", index=index, dtype=object)
    for cond, text in reversed(conditions):
        out = out.where(~cond, text)
    return out


def ex_ante(portfolio: Portfolio, *, thresholds: Mapping[str, float] | None = None,
            max_scores: Mapping[str, float] | None = None,
            rules: Mapping[str, str] | None = None, profile=None) -> ExAnteResult:
    """Build the ex-ante assessment sheet of a portfolio.

    Parameters
    ----------
    portfolio : Portfolio
    thresholds : mapping, optional
        Conclusion bands; default the profile's ``[ex_ante.conclusions]``.
    max_scores : mapping dimension -> marks, optional
        Maximum marks per dimension (default the profile's); must sum to 100.
    rules : mapping grade -> recommendation, optional
        Used when the previous evaluation gives a grade but no recommendation
        (default the profile's).
    profile : ScoringProfile or str, optional
        Default the portfolio's.

    Returns
    -------
    ExAnteResult
    """
    prof = load_profile(profile) if profile is not None else portfolio.profile
    mx = dict(prof.ex_ante_max)
    if max_scores:
        unknown = set(max_scores) - set(mx)
        if unknown:
            raise ParameterError("未知的事前评估维度", expected=f"{'、'.join(mx)} 之一", found=sorted(unknown)[0])
        mx.update({k: float(v) for k, v in max_scores.items()})
    if abs(sum(mx.values()) - 100.0) > 1e-6:
        raise ParameterError("事前评估各维度满分合计不等于 100", expected="100", found=sum(mx.values()))
    th = check_bands(thresholds if thresholds is not None else prof.conclusions)
    rules = {**prof.recommendations, **(rules or {})}
    prj = portfolio.projects
    names = portfolio.departments.set_index("department_id")["department_name"]
    sheet = prj[["project_id", "project_name", "department_id", "project_type", "new_or_continuing",
                 "requested", "approved"]].copy()
    sheet.insert(3, "department_name", sheet["department_id"].map(names))
    ea = portfolio.ex_ante_scores.set_index("project_id")
    for k in EX_ANTE_DIMENSIONS:
        over = ea[k] > mx[k]
        if over.any():
            pid = ea.index[over][0]
            i = portfolio.ex_ante_scores.index[portfolio.ex_ante_scores["project_id"] == pid][0]
            raise InputError(f"{EX_ANTE_DIMENSIONS[k][0]} score above its maximum",
                             **portfolio.where("ex_ante_scores", k, i), expected=f"0 to {mx[k]:g}", found=ea.loc[pid, k])
        sheet[k] = sheet["project_id"].map(ea[k])
    pid = sheet["project_id"]
    sheet["assessed"] = pid.isin(ea.index)
    continuing = sheet["new_or_continuing"] == "延续"
    sheet["no_assessment"] = ~sheet["assessed"] & ~continuing
    sheet["total"] = sheet[list(EX_ANTE_DIMENSIONS)].sum(axis=1, min_count=len(EX_ANTE_DIMENSIONS))
    sheet["conclusion"] = conclude(sheet["total"], th)
    sheet.loc[~sheet["assessed"], "conclusion"] = np.where(continuing[~sheet["assessed"]],
                                                           CONTINUING_NOT_ASSESSED, NOT_ASSESSED)
    ind = portfolio.indicators
    smart = smart_check(ind)
    bad = smart[~smart["smart"]]
    sheet["targets_not_smart"] = pid.isin(ind.loc[bad.index, "project_id"])
    sheet["smart_problems"] = pid.map((ind.loc[bad.index, "level3"] + "：" + bad["problem"])
                                      .groupby(ind.loc[bad.index, "project_id"]).agg("；".join)).astype(object).fillna("")
    pv = portfolio.previous_evaluation.drop_duplicates("project_id", keep="last").set_index("project_id")
    prev_rec = pv["recommendation"].where(pv["recommendation"] != "", recommend(pv["grade"], rules))
    sheet["prev_score"] = pid.map(pv["score"])
    sheet["prev_grade"] = pid.map(pv["grade"]).astype(object).fillna("")
    sheet["prev_recommendation"] = pid.map(prev_rec).astype(object).fillna("")
    sheet["prev_budget"] = pid.map(pv["budget"]).astype(float)
    sheet["requested_change"] = sheet["requested"] - sheet["prev_budget"]
    sheet["review_required"] = sheet["prev_recommendation"] == "调整"
    for c in ("override_reason", "approved_note", "adjustment_note"):
        sheet[c] = pid.map(ea[c]).astype(object).fillna("").str.strip()
    # or the reason `costing rollover --override` carried into the projects table
    own = prj["override_reason"].str.strip().to_numpy()
    sheet["override_reason"] = sheet["override_reason"].where(sheet["override_reason"] != "", own)
    sheet["blocked"] = (sheet["prev_recommendation"] == "取消") & (sheet["override_reason"] == "")
    # the evaluation's year, and what became of its 取消 (applied, or not applicable with the reason): an
    # evaluation older than the previous budget year is stale and says so
    yr = pid.map(pv["year"]) if "year" in pv else pd.Series(np.nan, index=sheet.index)
    sheet["prev_year"] = yr.map(lambda y: int(y) if pd.notna(y) else "").astype(object)   # a year, not a number
    label = yr.map(lambda y: f"{int(y)}年度" if pd.notna(y) else "上年度")
    stale = yr.notna() & (yr < portfolio.budget_year - 1)
    cancel = sheet["prev_recommendation"] == "取消"
    sheet["prev_note"] = np.select(
        [cancel & sheet["blocked"], cancel & ~sheet["blocked"], stale & (sheet["prev_recommendation"] != "")],
        [label + "评价建议取消" + np.where(stale, "（非上年度评价，仍适用）", "") + "，未说明恢复申报理由：暂停安排",
         label + "评价建议取消，已说明恢复申报理由（" + sheet["override_reason"] + "）：取消建议不再适用，予以安排",
         label + "评价（非上年度评价，仅供参考）"], "")
    not_supported = sheet["assessed"] & (sheet["conclusion"] == list(th)[-1])
    sheet["fundable"] = ~sheet["no_assessment"] & ~not_supported & ~sheet["blocked"] & ~sheet["targets_not_smart"]
    sheet["approved_final"] = sheet["approved"].where(sheet["fundable"], 0.0)
    sheet["cut_amount"] = cut_amount(sheet["requested"], sheet["approved_final"])
    sheet["cut_rate"] = cut_rate(sheet["requested"], sheet["approved_final"])
    zero = sheet["fundable"] & (sheet["approved"] == 0)
    sheet["exclusion_reason"] = _first_reason([
        (sheet["no_assessment"], "新增项目未开展事前绩效评估（无绩效，不预算）"),
        (not_supported, "事前评估结论为" + list(th)[-1]),
        (sheet["blocked"], "上年评价建议取消，未说明恢复申报理由"),
        (sheet["targets_not_smart"], "绩效目标未通过SMART检查：" + sheet["smart_problems"]),
        (zero, "审定数为0：" + sheet["approved_note"].replace("", "未说明理由")),
    ], sheet.index)
    sheet["problem"] = _first_reason([
        (zero & (sheet["approved_note"] == ""), sheet["conclusion"] + "但审定数为0，未说明理由"),
        (sheet["review_required"] & (sheet["adjustment_note"] == ""), "上年评价建议调整，未说明调整情况"),
    ], sheet.index)

    reviewed = sheet[sheet["assessed"]]
    dep = cut_summary(reviewed, "department_id", approved="approved_final")
    dep = dep.reindex(pd.unique(sheet["department_id"]))
    dep["n"] = dep["n"].fillna(0).astype(int)
    # a department with no reviewed project (a rollover skeleton before review) has sums of 0, not NaN;
    # its cut rate stays undefined (shown —)
    for c in ("requested", "approved", "approved_final", "cut_amount"):
        if c in dep:
            dep[c] = dep[c].fillna(0.0)
    dep.insert(0, "department_name", dep.index.map(names))
    by_dep = sheet.groupby("department_id", sort=False)
    dep["unreviewed_requested"] = sheet["requested"].where(~sheet["assessed"], 0.0).groupby(sheet["department_id"]).sum()
    dep["n_unreviewed"] = (~sheet["assessed"]).groupby(sheet["department_id"]).sum()
    dep["n_no_assessment"] = by_dep["no_assessment"].sum()
    dep["n_blocked"] = by_dep["blocked"].sum()
    lines = [("评审项目（审减率口径）", sheet["assessed"]),
             ("　其中：" + list(th)[-1], not_supported),
             ("　其中：因上年取消建议暂停", sheet["assessed"] & sheet["blocked"]),
             ("未评估项目", ~sheet["assessed"]),
             ("全部项目", pd.Series(True, index=sheet.index))]
    total = pd.concat([cut_summary(sheet[m], approved="approved_final", total_label=label) for label, m in lines])
    # the summaries sum 安排数 (approved_final), not the reviewers' 审定数 (approved): one name per figure
    dep = dep.rename(columns={"approved": "approved_final"})
    total = total.rename(columns={"approved": "approved_final"})
    return ExAnteResult(sheet=sheet, departments=dep, total=total, thresholds=th, profile=prof)


@dataclass
class FundedSet:
    """The ex-ante decision carried into the budget year (see :func:`funded_projects`).

    Attributes
    ----------
    portfolio : Portfolio
        The funded projects only, with ``budget_initial`` (年初预算数) = the
        approved amount and ``budget`` (全年预算数) = the approved amount plus
        the in-year adjustment in the file (``budget − budget_initial``), or
        the 调整后预算数 the bureau confirmed in the rectification ledger
        (``portfolio.adjustments``); ``budget_before_adjustment`` keeps the
        budget before that confirmation [元].
    projects : DataFrame
        Every project: ``project_id, project_name, department_id,
        department_name, requested, approved_final, budget_initial, budget``
        [元], ``funded`` and ``exclusion_reason``.
    """

    portfolio: Portfolio
    projects: pd.DataFrame

    @property
    def excluded(self) -> pd.DataFrame:
        """Projects excluded from monitoring and evaluation, with the reason."""
        return self.projects[~self.projects["funded"]].reset_index(drop=True)


def funded_projects(portfolio: Portfolio, ex_ante_result: ExAnteResult | None = None) -> FundedSet:
    """The funded projects and their budgets: what monitoring and evaluation run on.

    The approved amount (``approved_final`` of :func:`ex_ante`) sets the
    year's budget. A project that got 0 (new and not assessed, not
    supported, blocked by a 取消 recommendation, targets not SMART, approved
    0) is excluded from monitoring and evaluation and listed with its reason.

    Parameters
    ----------
    portfolio : Portfolio
    ex_ante_result : ExAnteResult, optional
        Computed with the portfolio's profile when not given.

    Returns
    -------
    FundedSet
    """
    res = ex_ante_result if ex_ante_result is not None else ex_ante(portfolio)
    s = res.sheet.set_index("project_id")
    prj = portfolio.projects
    t = prj[["project_id", "project_name", "department_id", "requested"]].copy()
    t.insert(3, "department_name", t["project_id"].map(s["department_name"]))
    t["approved_final"] = t["project_id"].map(s["approved_final"])
    t["budget_initial"] = t["approved_final"]
    # 全年预算数 = the approved amount + the file's in-year adjustment; a project approved 0 has no budget,
    # so its file adjustment does not apply (a cut of 15 on nothing is not a budget of −15)
    t["budget"] = (t["approved_final"] + (prj["budget"] - prj["budget_initial"])).where(t["approved_final"] > 0, 0.0)
    neg = t.index[t["budget"] < 0]
    if len(neg):
        i = neg[0]
        raise InputError("推算的全年预算数为负数（安排数 + 年中调整 < 0），请核对全年预算数与年初预算数",
                         **portfolio.where("projects", "budget", i),
                         expected=f"全年预算数 − 年初预算数 ≥ −安排数 ({t.at[i, 'approved_final'] / 1e4:g} 万元)",
                         found=f"{t.at[i, 'project_id']}: {t.at[i, 'approved_final'] / 1e4:g} + "
                         f"({prj.at[i, 'budget'] / 1e4:g} − {prj.at[i, 'budget_initial'] / 1e4:g}) = "
                         f"{t.at[i, 'budget'] / 1e4:g} 万元")
    # budgets the bureau confirmed in the rectification ledger replace 全年预算数; the original stays shown
    t["budget_before_adjustment"] = t["budget"]
    adj = getattr(portfolio, "adjustments", None)
    if adj is not None and len(adj):
        confirmed = t["project_id"].map(adj.set_index("project_id")["adjusted_budget"])
        t["budget"] = confirmed.where(confirmed.notna() & (t["approved_final"] > 0), t["budget"])
    t["funded"] = (t["approved_final"] > 0) & (t["budget"] > 0)
    t["exclusion_reason"] = t["project_id"].map(s["exclusion_reason"])
    t.loc[~t["funded"] & (t["exclusion_reason"] == ""), "exclusion_reason"] = "全年预算数为0"
    t.loc[t["funded"], "exclusion_reason"] = ""
    funded = portfolio.subset(t.loc[t["funded"], "project_id"])
    keep = t[t["funded"]].set_index("project_id")
    funded.projects["budget_initial"] = funded.projects["project_id"].map(keep["budget_initial"])
    funded.projects["budget"] = funded.projects["project_id"].map(keep["budget"])
    funded.projects["budget_before_adjustment"] = funded.projects["project_id"].map(keep["budget_before_adjustment"])
    return FundedSet(portfolio=funded, projects=t)
