"""Ex-ante assessment (事前绩效评估): the scoring sheet, the conclusion and the cut.

Sign convention: ``cut_amount = requested − approved`` [元] is positive when
the review cut the request (审减) and negative when it raised it;
``cut_rate = cut_amount / requested`` [fraction]. Aggregates (a project's line
items, a department, the portfolio) sum the amounts first and divide once —
never average the rates (:func:`cut_summary`).

Conclusions by total score (of 100) are data, :data:`CONCLUSION_THRESHOLDS`:
予以支持 (support) ≥ 80, 部分支持 (partial support) 60 to under 80, 不予支持
(no support) under 60.

Funding rules applied by :func:`ex_ante` (``approved_final``):

- 无绩效，不预算 — a project without an assessment gets 0 (flag ``no_assessment``);
- 不予支持 gets 0;
- 事后评价+事前评估 — a project whose previous evaluation recommended 取消
  (cancel) is blocked (flag ``blocked``) and gets 0 unless its assessment row
  gives an ``override_reason``;
- otherwise the reviewers' ``approved`` amount stands.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError, NotComputable, ParameterError
from .portfolio import EX_ANTE_DIMENSIONS, Portfolio
from .scoring import GRADE_TOLERANCE, _wrap, check_bands, recommend

#: conclusion -> lowest total score [points], highest first (configurable)
CONCLUSION_THRESHOLDS: dict[str, float] = {"予以支持": 80.0, "部分支持": 60.0, "不予支持": float("-inf")}
#: English names of the conclusions
CONCLUSION_EN = {"予以支持": "support", "部分支持": "partial support", "不予支持": "no support"}


def cut_amount(requested, approved):
    """Cut amount (审减额) = requested − approved [元].

    Parameters
    ----------
    requested, approved : float, array or Series
        申报数 and 审定数 [元]; broadcast together.

    Returns
    -------
    float, array or Series
        Positive when the request was cut.
    """
    r = np.asarray(requested, dtype=float)
    a = np.asarray(approved, dtype=float)
    return _wrap(r - a, requested, approved)


def cut_rate(requested, approved, *, raise_exceptions: bool = False):
    """Cut rate (审减率) = (requested − approved) / requested [fraction].

    Per item only: to aggregate, sum the amounts and call this once on the
    sums (:func:`cut_summary`), do not average rates.

    Parameters
    ----------
    requested, approved : float, array or Series
        [元].
    raise_exceptions : bool
        A zero request has no cut rate: NaN by default, or raise
        :class:`costing.errors.NotComputable` when True (numpy-financial's convention).

    Examples
    --------
    The article's 2021 review: 38.19亿元 requested, 11.61亿元 cut.

    >>> round(cut_rate(38.19e8, 38.19e8 - 11.61e8), 4)
    0.304
    """
    r = np.asarray(requested, dtype=float)
    a = np.asarray(approved, dtype=float)
    if np.any(r < 0):
        raise InputError("negative requested amount", column="requested", expected="an amount >= 0",
                         found=float(r[r < 0].reshape(-1)[0]))
    zero = r == 0
    if raise_exceptions and np.any(zero):
        raise NotComputable("cut rate of a zero request is undefined")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(zero, np.nan, (r - a) / np.where(zero, 1.0, r))
    return _wrap(out, requested, approved)


def cut_summary(df: pd.DataFrame, by: str | list[str] | None = None, *, requested: str = "requested",
                approved: str = "approved", total_label: str = "合计") -> pd.DataFrame:
    """Requested, approved, cut amount and cut rate per group, amounts summed before dividing.

    Parameters
    ----------
    df : DataFrame
        One row per line item or project, money in 元.
    by : str or list of str, optional
        Grouping columns (``department_id``); None gives one portfolio row.
    requested, approved : str
        Column names.

    Returns
    -------
    DataFrame
        ``requested, approved, cut_amount`` [元], ``cut_rate`` [fraction] and
        ``n`` (rows summed), indexed by the groups (or ``total_label``).
    """
    for c in (requested, approved):
        if c not in df:
            raise ParameterError(f"column {c!r} missing", expected=f"columns {requested!r} and {approved!r}",
                                 found=list(df.columns))
    if by is None:
        g = pd.DataFrame({"requested": [df[requested].sum()], "approved": [df[approved].sum()],
                          "n": [len(df)]}, index=pd.Index([total_label], name="group"))
    else:
        g = df.groupby(by, sort=False).agg(requested=(requested, "sum"), approved=(approved, "sum"),
                                           n=(requested, "size"))
    g["cut_amount"] = cut_amount(g["requested"], g["approved"])
    g["cut_rate"] = cut_rate(g["requested"], g["approved"])
    return g[["n", "requested", "approved", "cut_amount", "cut_rate"]]


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
        One row per project: ids and names, ``requested``, ``approved``,
        ``approved_final``, ``cut_amount`` [元], ``cut_rate`` [fraction],
        the five dimension scores and ``total`` [points], ``conclusion``,
        ``assessed``, ``no_assessment``, the previous evaluation
        (``prev_score``, ``prev_grade``, ``prev_recommendation``), ``blocked``,
        ``override_reason`` and ``fundable``.
    departments : DataFrame
        :func:`cut_summary` per department on ``approved_final``.
    total : DataFrame
        One row for the portfolio.
    thresholds : dict
    """

    sheet: pd.DataFrame
    departments: pd.DataFrame
    total: pd.DataFrame
    thresholds: dict

    @property
    def cut_rate(self) -> float:
        """Portfolio cut rate [fraction]."""
        return float(self.total["cut_rate"].iloc[0])

    @property
    def n_no_assessment(self) -> int:
        return int(self.sheet["no_assessment"].sum())

    @property
    def n_blocked(self) -> int:
        return int(self.sheet["blocked"].sum())


def ex_ante(portfolio: Portfolio, *, thresholds: Mapping[str, float] | None = None,
            max_scores: Mapping[str, float] | None = None,
            rules: Mapping[str, str] | None = None) -> ExAnteResult:
    """Build the ex-ante assessment sheet of a portfolio.

    Parameters
    ----------
    portfolio : Portfolio
    thresholds : mapping, optional
        Conclusion thresholds, default :data:`CONCLUSION_THRESHOLDS`.
    max_scores : mapping dimension -> marks, optional
        Maximum marks per dimension (default :data:`EX_ANTE_DIMENSIONS`); must sum to 100.
    rules : mapping grade -> recommendation, optional
        Used when the previous evaluation gives a grade but no recommendation.

    Returns
    -------
    ExAnteResult
    """
    mx = {k: v[1] for k, v in EX_ANTE_DIMENSIONS.items()}
    if max_scores:
        unknown = set(max_scores) - set(mx)
        if unknown:
            raise ParameterError("unknown ex-ante dimension", expected=f"one of {list(mx)}", found=sorted(unknown)[0])
        mx.update({k: float(v) for k, v in max_scores.items()})
    if abs(sum(mx.values()) - 100.0) > 1e-6:
        raise ParameterError("ex-ante maximum marks do not sum to 100", expected="100", found=sum(mx.values()))
    th = check_bands(thresholds if thresholds is not None else CONCLUSION_THRESHOLDS)
    prj = portfolio.projects
    names = portfolio.departments.set_index("department_id")["department_name"]
    sheet = prj[["project_id", "project_name", "department_id", "project_type", "requested", "approved"]].copy()
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
    sheet["assessed"] = sheet["project_id"].isin(ea.index)
    sheet["no_assessment"] = ~sheet["assessed"]
    sheet["total"] = sheet[list(EX_ANTE_DIMENSIONS)].sum(axis=1, min_count=len(EX_ANTE_DIMENSIONS))
    sheet["conclusion"] = conclude(sheet["total"], th)
    sheet.loc[sheet["no_assessment"], "conclusion"] = "未评估"
    pv = portfolio.previous_evaluation.drop_duplicates("project_id", keep="last").set_index("project_id")
    prev_rec = pv["recommendation"].where(pv["recommendation"] != "", recommend(pv["grade"], rules))
    sheet["prev_score"] = sheet["project_id"].map(pv["score"])
    sheet["prev_grade"] = sheet["project_id"].map(pv["grade"]).astype(object).fillna("")
    sheet["prev_recommendation"] = sheet["project_id"].map(prev_rec).astype(object).fillna("")
    sheet["override_reason"] = sheet["project_id"].map(ea["override_reason"]).astype(object).fillna("")
    sheet["blocked"] = (sheet["prev_recommendation"] == "取消") & (sheet["override_reason"].str.strip() == "")
    lowest = list(th)[-1]
    sheet["fundable"] = sheet["assessed"] & (sheet["conclusion"] != lowest) & ~sheet["blocked"]
    sheet["approved_final"] = sheet["approved"].where(sheet["fundable"], 0.0)
    sheet["cut_amount"] = cut_amount(sheet["requested"], sheet["approved_final"])
    sheet["cut_rate"] = cut_rate(sheet["requested"], sheet["approved_final"])
    dep = cut_summary(sheet, "department_id", approved="approved_final")
    dep.insert(0, "department_name", dep.index.map(names))
    dep["n_no_assessment"] = sheet.groupby("department_id", sort=False)["no_assessment"].sum()
    dep["n_blocked"] = sheet.groupby("department_id", sort=False)["blocked"].sum()
    total = cut_summary(sheet, approved="approved_final")
    total["n_no_assessment"] = int(sheet["no_assessment"].sum())
    total["n_blocked"] = int(sheet["blocked"].sum())
    return ExAnteResult(sheet=sheet, departments=dep, total=total, thresholds=th)
