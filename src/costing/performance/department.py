"""Whole-department performance (部门整体绩效): one summary row per department.

Five groups of measures, each a ratio of sums over the department's projects
(never an average of project ratios unless stated):

- **operating cost** (运行成本): basic expenditure spent [元], per staff
  member [元/人], and its execution against the basic budget [fraction];
- **management efficiency** (管理效率): project budget execution rate
  (Σ spent / Σ budget) [fraction], share of projects with an ex-ante
  assessment, share of indicators that pass the SMART check [fraction];
- **performance of duties** (履职效能): the department's key-task completion
  rate (input), budget-weighted project score (Σ score × budget / Σ budget)
  [points] and share of projects graded 优 or 良 [fraction];
- **social benefit** (社会效益): benefit-indicator marks earned / marks
  available (效益指标) [fraction];
- **satisfaction** (服务对象满意度): satisfaction-indicator marks earned /
  available [fraction], and the department's own survey result, if given.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .evaluation import EvaluationResult, evaluate_portfolio
from .indicators import smart_check
from .portfolio import Portfolio


def department_performance(portfolio: Portfolio, evaluation: EvaluationResult | None = None) -> pd.DataFrame:
    """Whole-department performance summary.

    Parameters
    ----------
    portfolio : Portfolio
    evaluation : EvaluationResult, optional
        The portfolio's self-evaluation (computed when not given).

    Returns
    -------
    DataFrame
        Indexed by ``department_id``; columns ``department_name``,
        ``basic_spent`` [元], ``cost_per_staff`` [元/人], ``basic_execution``,
        ``project_execution``, ``assessed_share``, ``smart_share``,
        ``duty_completion``, ``weighted_score`` [points], ``good_share``,
        ``benefit_rate``, ``satisfaction_rate``, ``satisfaction_survey``
        (rates as fractions; NaN where the input is missing).
    """
    ev = evaluation if evaluation is not None else evaluate_portfolio(portfolio)
    dep = portfolio.departments.set_index("department_id")
    out = pd.DataFrame(index=dep.index)
    out["department_name"] = dep["department_name"]
    staff = dep["staff"].astype(float).replace(0, np.nan)
    out["basic_spent"] = dep["basic_spent"].astype(float)
    out["cost_per_staff"] = out["basic_spent"] / staff
    out["basic_execution"] = dep["basic_spent"].astype(float) / dep["basic_budget"].astype(float).replace(0, np.nan)

    p = ev.projects
    g = p.groupby("department_id")
    out["project_execution"] = g["spent"].sum() / g["budget"].sum()
    assessed = p["project_id"].isin(portfolio.ex_ante_scores["project_id"])
    out["assessed_share"] = assessed.groupby(p["department_id"]).mean()
    ind = portfolio.indicators
    dept_of = ind["project_id"].map(portfolio.projects.set_index("project_id")["department_id"])
    out["smart_share"] = smart_check(ind)["smart"].groupby(dept_of).mean()
    out["duty_completion"] = dep["duty_completion"].astype(float)
    out["weighted_score"] = (p["score"] * p["budget"]).groupby(p["department_id"]).sum() / g["budget"].sum()
    out["good_share"] = p["grade"].isin(["优", "良"]).groupby(p["department_id"]).mean()
    r = ev.indicators
    rd = r["project_id"].map(portfolio.projects.set_index("project_id")["department_id"])
    for col, l1 in (("benefit_rate", "效益指标"), ("satisfaction_rate", "满意度指标")):
        m = r["level1"] == l1
        out[col] = r.loc[m, "score"].groupby(rd[m]).sum() / r.loc[m, "weight"].groupby(rd[m]).sum()
    out["satisfaction_survey"] = dep["satisfaction_survey"].astype(float)
    return out
