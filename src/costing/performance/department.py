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

:func:`department_performance` describes; :func:`score_departments` scores:
the five dimensions and their common indicators (在职人员控制率, 三公经费变动率,
公用经费控制率, 预算执行率, 结转结余率, 预算调整率, 重点支出安排率, 重点工作完成率,
项目效益指标得分率, 服务对象满意度) plus each department's own targets
(``department_targets``), weights and rules held as data in
``department_framework.toml`` (:func:`load_framework`), give per-indicator
scores, a total of 100, a grade and a ranked table.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError
from .evaluation import EvaluationResult, evaluate_portfolio
from .indicators import smart_check
from .portfolio import Portfolio
from ..units import fmt_rate
from .scoring import grade, score_indicator


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


# ---- scored whole-department performance ------------------------------------------------------

#: the default framework (dimensions, common indicators, weights, rules, sources), as data
FRAMEWORK_FILE = Path(__file__).with_name("department_framework.toml")
#: tolerance when checking that weights add up [points]
WEIGHT_TOLERANCE = 1e-6


def _ceiling(v, ind):
    over = 100 * np.maximum(v - ind["limit"], 0.0)                     # percentage points over the limit
    return np.clip(1 - ind["per_point"] * over, 0.0, 1.0)


def _proportional(v, ind):
    return np.clip(v / ind["target"], 0.0, 1.0)


def _reverse(v, ind):
    t = ind["target"]
    return np.where(v <= t, 1.0, np.clip(1 - (v - t) / t, 0.0, 1.0))


#: rule name -> (fraction of the weight earned for values v, the parameters it needs)
RULES = {"ceiling": (_ceiling, ("limit", "per_point")), "proportional": (_proportional, ("target",)),
         "reverse": (_reverse, ("target",)), "own_targets": (None, ())}


@dataclass
class DepartmentFramework:
    """Dimensions with their weights [points] and the indicators scored under them (one row each)."""

    dimensions: dict[str, float]
    indicators: pd.DataFrame
    source: str = ""


def load_framework(path: str | Path | None = None) -> DepartmentFramework:
    """Read and check a department framework (default :data:`FRAMEWORK_FILE`).

    Raises
    ------
    InputError
        Weights that do not add up, an unknown rule or dimension, a missing rule parameter.
    """
    path = Path(path) if path is not None else FRAMEWORK_FILE
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    dims = {d["name"]: float(d["weight"]) for d in doc.get("dimension", [])}
    ind = pd.DataFrame(doc.get("indicator", []))
    if abs(sum(dims.values()) - 100) > WEIGHT_TOLERANCE:
        raise InputError("各维度权重合计不等于 100", file=str(path), column="[[dimension]] weight",
                         expected="100", found=sum(dims.values()))
    for i, row in ind.iterrows():
        where = dict(file=str(path), column=f"[[indicator]] {row.get('key', i)}")
        if row["rule"] not in RULES:
            raise InputError("未知的计分规则", **where, expected=f"{'、'.join(RULES)} 之一", found=row["rule"])
        if row["dimension"] not in dims:
            raise InputError("未知的维度", **where, expected=f"{'、'.join(dims)} 之一", found=row["dimension"])
        missing = [p for p in RULES[row["rule"]][1] if pd.isna(row.get(p))]
        if missing:
            raise InputError(f"计分规则 {row['rule']} 缺少参数 {missing[0]}", **where, expected="一个数", found="")
    sums = ind.groupby("dimension")["weight"].sum()
    for dim, w in dims.items():
        if abs(sums.get(dim, 0.0) - w) > WEIGHT_TOLERANCE:
            raise InputError(f"维度“{dim}”的指标权重合计不等于该维度权重", file=str(path),
                             column="[[indicator]] weight", expected=f"{w:g}", found=f"{sums.get(dim, 0.0):g}")
    for c in ("definition", "limit", "per_point", "target"):
        if c not in ind:
            ind[c] = np.nan
    ind["definition"] = ind["definition"].fillna("")
    return DepartmentFramework(dimensions=dims, indicators=ind, source=str(path))


def department_values(portfolio: Portfolio, evaluation: EvaluationResult) -> pd.DataFrame:
    """The common indicators' values per department [fractions], NaN where an input is missing.

    Definitions (money summed before dividing): ``staff_control`` = staff on
    post / establishment; ``three_public_change`` = this year's 三公经费 /
    last year's − 1; ``public_control`` = 公用经费 spent / budget;
    ``execution`` = (project spent + basic spent) / (project budget + basic
    budget); ``carryover_rate`` = year-end carry-over / (project budget +
    basic budget); ``adjustment_rate`` = Σ|budget − budget_initial| /
    Σ budget_initial over projects; ``key_share`` = key-project spending /
    project spending; ``duty_completion``; ``benefit_rate`` (project benefit
    marks earned / available); ``satisfaction`` (the survey).
    """
    dep = portfolio.departments.set_index("department_id")
    num = lambda c: dep[c].astype(float) if c in dep else pd.Series(np.nan, index=dep.index)  # noqa: E731
    p = evaluation.projects
    g = p.groupby("department_id")
    spent, budget = g["spent"].sum().reindex(dep.index), g["budget"].sum().reindex(dep.index)
    out = pd.DataFrame(index=dep.index)
    out["staff_control"] = num("staff_on_post") / num("staff_quota").replace(0, np.nan)
    out["three_public_change"] = num("three_public") / num("three_public_prev").replace(0, np.nan) - 1
    out["public_control"] = num("public_spent") / num("public_budget").replace(0, np.nan)
    total = budget + num("basic_budget")
    out["execution"] = (spent + num("basic_spent")) / total
    out["carryover_rate"] = num("carryover") / total
    change = (p["budget"] - p["budget_initial"]).abs()
    out["adjustment_rate"] = change.groupby(p["department_id"]).sum() / g["budget_initial"].sum()
    out["key_share"] = num("key_spending") / spent.replace(0, np.nan)
    out["duty_completion"] = num("duty_completion")
    r = evaluation.indicators
    m = r["level1"] == "效益指标"
    rd = r.loc[m, "project_id"].map(portfolio.projects.set_index("project_id")["department_id"])
    out["benefit_rate"] = r.loc[m, "score"].groupby(rd).sum() / r.loc[m, "weight"].groupby(rd).sum()
    out["satisfaction"] = num("satisfaction_survey")
    return out


@dataclass
class DepartmentScores:
    """Scored whole-department performance.

    Attributes
    ----------
    indicators : DataFrame
        One row per department and indicator (an own target is a row of its
        own): ``department_id, department_name, dimension, key, name, value``
        [fraction or the target's unit], ``target`` (as text), ``weight,
        score`` [points], ``rule``, ``source``, ``note`` (missing data, no
        targets set).
    table : DataFrame
        The ranked table: ``rank, department_id, department_name``, one
        column per dimension [points], ``total_score`` [points] and ``grade``.
    framework : DepartmentFramework
    """

    indicators: pd.DataFrame
    table: pd.DataFrame
    framework: DepartmentFramework


def _target_text(ind) -> str:
    if ind["rule"] == "ceiling":
        return f"≤{100 * ind['limit']:g}%"
    return f"{'≥' if ind['rule'] == 'proportional' else '≤'}{100 * ind['target']:g}%"


def score_departments(portfolio: Portfolio, evaluation: EvaluationResult | None = None, *,
                      framework: DepartmentFramework | None = None,
                      bands: Mapping[str, float] | None = None) -> DepartmentScores:
    """Score every department on the framework, total, grade and rank them.

    Parameters
    ----------
    portfolio : Portfolio
        Departments with the inputs of :func:`department_values`, and the
        ``department_targets`` table (own targets with their actuals).
    evaluation : EvaluationResult, optional
        The year's self-evaluation (computed when not given).
    framework : DepartmentFramework, optional
        Default :func:`load_framework`.
    bands : mapping grade -> lowest score, optional
        Default the project grade bands (优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差).

    A missing input scores 0 and is noted; a dimension with an own-targets
    slot but no targets set scores 0 there ("两头锁定" requires targets).
    Ties in the total share a rank (``min`` method).
    """
    fw = framework or load_framework()
    ev = evaluation if evaluation is not None else evaluate_portfolio(portfolio)
    values = department_values(portfolio, ev)
    names = portfolio.departments.set_index("department_id")["department_name"]
    rows = []
    for ind in fw.indicators.to_dict("records"):
        if ind["rule"] == "own_targets":
            continue
        v = values[ind["key"]].to_numpy(dtype=float)
        frac = RULES[ind["rule"]][0](v, ind)
        rows.append(pd.DataFrame({
            "department_id": values.index, "dimension": ind["dimension"], "key": ind["key"], "name": ind["name"],
            "value": v, "value_text": [fmt_rate(x) if np.isfinite(x) else "—" for x in v], "target": _target_text(ind), "weight": float(ind["weight"]),
            "score": np.where(np.isnan(v), 0.0, float(ind["weight"]) * frac), "rule": ind["rule"],
            "source": ind["source"], "note": np.where(np.isnan(v), "缺少数据：" + ind["definition"], "")}))
    dt = portfolio.department_targets
    for ind in fw.indicators[fw.indicators["rule"] == "own_targets"].to_dict("records"):
        own = dt[dt["dimension"] == ind["dimension"]]
        n = own.groupby("department_id")["name"].transform("size")
        w = float(ind["weight"]) / n
        given = own["actual"].notna()
        score = np.where(given, score_indicator(own["target"], own["actual"].fillna(0.0), direction=own["direction"],
                                                weight=w), 0.0)
        rows.append(pd.DataFrame({
            "department_id": own["department_id"], "dimension": ind["dimension"], "key": ind["key"],
            "name": own["name"], "value": own["actual"],
            "value_text": [f"{a:g}{u}" if np.isfinite(a) else "—" for a, u in zip(own["actual"], own["unit"].fillna(""))],
            "target": (own["direction"].map({"higher": "≥", "lower": "≤"})
                                                                    + own["target"].map(lambda x: f"{x:g}")
                                                                    + own["unit"].fillna("")),
            "weight": w, "score": score, "rule": ind["rule"], "source": ind["source"],
            "note": np.where(given, "", "缺少实际完成值")}))
        unset = values.index[~values.index.isin(own["department_id"])]
        rows.append(pd.DataFrame({
            "department_id": unset, "dimension": ind["dimension"], "key": ind["key"], "name": ind["name"],
            "value": np.nan, "value_text": "—", "target": "", "weight": float(ind["weight"]), "score": 0.0, "rule": ind["rule"],
            "source": ind["source"], "note": "未设定部门整体绩效目标"}))
    long = pd.concat(rows, ignore_index=True)
    order = {d: i for i, d in enumerate(values.index)}
    dims = {d: i for i, d in enumerate(fw.dimensions)}
    long = long.assign(_d=long["department_id"].map(order), _m=long["dimension"].map(dims)).sort_values(
        ["_d", "_m"], kind="stable").drop(columns=["_d", "_m"]).reset_index(drop=True)
    long.insert(1, "department_name", long["department_id"].map(names))
    table = long.pivot_table(index="department_id", columns="dimension", values="score", aggfunc="sum",
                             fill_value=0.0).reindex(index=values.index, columns=list(fw.dimensions), fill_value=0.0)
    table["total_score"] = table.sum(axis=1)
    table["grade"] = grade(table["total_score"], bands)
    table.insert(0, "department_name", names.reindex(table.index))
    table.insert(0, "rank", table["total_score"].rank(ascending=False, method="min").astype(int))
    table = table.sort_values(["rank"], kind="stable").reset_index()
    table = table[["rank", "department_id", *[c for c in table.columns if c not in ("rank", "department_id")]]]
    table.columns.name = None
    return DepartmentScores(indicators=long, table=table, framework=fw)
