"""绩效管理工作考核: every department scored 0–100 on how it does performance management.

The components and their weights are data (``assessment_framework.toml``,
weights local practice). Each component is a rate from the workbench's own
records, scored ``100 × rate`` (自评质量: the spot-check's grade points):

- 事前评估覆盖率 — projects with an ex-ante assessment ÷ projects requested;
- 绩效目标规范率 — indicators passing :func:`costing.performance.indicators.smart_check` ÷ indicators;
- 跟踪表按时完整率 — 《绩效跟踪分析表》 forms (funded project × monitoring date
  of the tracking table) with no submission problem (:attr:`MonitoringResult.problems`)
  ÷ forms due;
- 整改回复按时率, 整改完成率 — the rectification ledger's problem rows (not 预算调整):
  replied on or before the deadline, and 已整改, ÷ problem rows;
- 自评质量 — the spot-check's grade points of the department (:mod:`.spotcheck`);
- 结果应用 — last year's 调整 / 取消 recommendations applied this year ÷ such
  recommendations (调整: an adjustment note on the ex-ante sheet; 取消: not
  funded, or a 恢复申报理由 written);
- 信息公开 — the departments table's 信息公开完成率.

Missing information is marked 缺少数据 and a component with nothing to
measure is 不适用; neither is scored 0. Each component's score is rounded half
away from zero to 2 decimals first; the total re-weights the available
components: ``total = Σ weight × score ÷ Σ weight (available)``, rounded the
same way (the PEFA practice of marking D* where data are missing, not scoring
them).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..units import round_half_up
from .evaluation import EvaluationResult, round_scores
from .scoring import grade

FRAMEWORK_FILE = Path(__file__).with_name("assessment_framework.toml")
MISSING = "缺少数据"
NOT_APPLICABLE = "不适用"


@dataclass
class AssessmentFramework:
    """Components (key, name, weight [points], definition, record) and the re-weighting rule."""

    components: pd.DataFrame
    rule: str
    source: str
    path: Path


def load_assessment_framework(path: str | Path | None = None) -> AssessmentFramework:
    """Read the 考核 framework (default :data:`FRAMEWORK_FILE`); weights must sum to 100."""
    path = Path(path) if path is not None else FRAMEWORK_FILE
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    comp = pd.DataFrame(doc.get("component", []))
    known = set(COMPONENTS)
    unknown = sorted(set(comp.get("key", [])) - known)
    if unknown:
        raise InputError("考核框架中有未知的考核内容", file=str(path), column="[[component]] key",
                         expected="、".join(COMPONENTS), found=unknown[0])
    if abs(float(comp["weight"].sum()) - 100) > 1e-6:
        raise InputError("考核内容权重合计应为100", file=str(path), column="[[component]] weight", expected="100",
                         found=float(comp["weight"].sum()))
    return AssessmentFramework(components=comp, rule=str(doc.get("rule", "")), source=str(doc.get("source", "")),
                               path=path)


def _frac(num, den) -> tuple[float, str]:
    """(rate, "num/den") or (NaN, "") when the denominator is 0."""
    return (num / den, f"{num:g}/{den:g}") if den else (np.nan, "")


def _exante_coverage(pf, dep, ctx):
    prj = pf.projects
    assessed = prj["project_id"].isin(pf.ex_ante_scores["project_id"])
    if pf.ex_ante_scores.empty:
        return {d: (np.nan, "", MISSING) for d in dep}
    return {d: (*_frac(int(assessed[prj["department_id"] == d].sum()), int((prj["department_id"] == d).sum())), "")
            for d in dep}


def _smart_rate(pf, dep, ctx):
    from .indicators import smart_check

    ind = pf.indicators
    ok = smart_check(ind)["smart"]
    dept = ind["project_id"].map(pf.projects.set_index("project_id")["department_id"])
    return {d: (*_frac(int(ok[dept == d].sum()), int((dept == d).sum())), "") for d in dep}


def _tracking_complete(pf, dep, ctx):
    from .monitoring import monitor

    ev = ctx["evaluation"]
    dates = sorted(pd.to_datetime(pf.tracking["date"]).dt.date.unique()) if len(pf.tracking) else []
    if not dates:
        return {d: (np.nan, "", MISSING) for d in dep}
    funded = ev.projects[["project_id", "department_id"]]
    bad = []
    for day in dates:
        m = monitor(pf, day)
        bad.append(m.problems[["project_id"]].drop_duplicates().assign(date=day))
    bad = pd.concat(bad, ignore_index=True)
    out = {}
    for d in dep:
        ids = set(funded.loc[funded["department_id"] == d, "project_id"])
        due = len(ids) * len(dates)
        incomplete = int(bad["project_id"].isin(ids).sum())
        out[d] = (*_frac(due - incomplete, due), "") if due else (np.nan, "", NOT_APPLICABLE)
    return out


def _ledger_rows(ctx):
    led = ctx.get("ledger")
    if led is None:
        return None
    return led[led["problem_type"] != "预算调整"]


def _reply_on_time(pf, dep, ctx):
    led = _ledger_rows(ctx)
    if led is None:
        return {d: (np.nan, "", MISSING) for d in dep}
    out = {}
    for d in dep:
        rows = led[led["department_id"] == d]
        if rows.empty:
            out[d] = (np.nan, "", NOT_APPLICABLE)
            continue
        replied = rows["replied"].astype(str).str.strip()
        on_time = (replied != "") & (replied <= rows["deadline"].astype(str).str.strip())   # ISO dates compare as text
        out[d] = (*_frac(int(on_time.sum()), len(rows)), "")
    return out


def _rectified(pf, dep, ctx):
    led = _ledger_rows(ctx)
    if led is None:
        return {d: (np.nan, "", MISSING) for d in dep}
    out = {}
    for d in dep:
        rows = led[led["department_id"] == d]
        out[d] = ((*_frac(int((rows["status"] == "已整改").sum()), len(rows)), "") if len(rows)
                  else (np.nan, "", NOT_APPLICABLE))
    return out


def _selfeval_quality(pf, dep, ctx):
    rc = ctx.get("recheck")
    if rc is None:
        return {d: (np.nan, "", MISSING) for d in dep}
    q = rc.quality.set_index("department_id")
    out = {}
    for d in dep:
        if d in q.index:
            out[d] = (float(q.loc[d, "quality_points"]) / 100, f"{q.loc[d, 'quality_grade']}（抽查{int(q.loc[d, 'n_projects'])}个项目）", "")
        else:
            out[d] = (np.nan, "", MISSING + "（未抽查）")
    return out


def _results_applied(pf, dep, ctx):
    from .exante import funded_projects

    pv = pf.previous_evaluation
    if pv.empty:
        return {d: (np.nan, "", MISSING) for d in dep}
    prj = pf.projects.set_index("project_id")
    pv = pv[pv["project_id"].isin(prj.index) & pv["recommendation"].isin(["调整", "取消"])]
    funded = set(funded_projects(pf).portfolio.projects["project_id"])
    ea = pf.ex_ante_scores.set_index("project_id")
    note = ea["adjustment_note"].reindex(pv["project_id"]).fillna("").astype(str).str.strip().to_numpy()
    override = prj["override_reason"].reindex(pv["project_id"]).fillna("").astype(str).str.strip().to_numpy()
    ov2 = ea["override_reason"].reindex(pv["project_id"]).fillna("").astype(str).str.strip().to_numpy()
    applied = np.where(pv["recommendation"] == "调整", note != "",
                       ~pv["project_id"].isin(funded).to_numpy() | (override != "") | (ov2 != ""))
    dept = pv["project_id"].map(prj["department_id"]).to_numpy()
    out = {}
    for d in dep:
        m = dept == d
        out[d] = (*_frac(int(applied[m].sum()), int(m.sum())), "") if m.any() else (np.nan, "", NOT_APPLICABLE)
    return out


def _disclosure(pf, dep, ctx):
    v = pf.departments.set_index("department_id")["disclosure"].astype(float)
    return {d: ((float(v[d]), f"{100 * v[d]:g}%", "") if np.isfinite(v.get(d, np.nan)) else (np.nan, "", MISSING))
            for d in dep}


#: component key -> function(portfolio, department ids, context) -> {department: (rate, data text, note)}
COMPONENTS = {"exante_coverage": _exante_coverage, "smart_rate": _smart_rate, "tracking_complete": _tracking_complete,
              "reply_on_time": _reply_on_time, "rectified": _rectified, "selfeval_quality": _selfeval_quality,
              "results_applied": _results_applied, "disclosure": _disclosure}


@dataclass
class WorkAssessment:
    """The 绩效管理工作考核.

    Attributes
    ----------
    detail : DataFrame
        One row per department and component: ``department_id, department_name,
        component, data`` (counts as "n/N"), ``rate`` [fraction, NaN when missing],
        ``score`` [0–100, NaN when missing], ``weight`` [points], ``note`` (缺少数据 /
        不适用), ``definition``, ``record``.
    table : DataFrame
        Ranked: ``rank, department_id, department_name``, one column per
        component (its 0–100 score, NaN when missing), ``available_weight``
        [points], ``total_score`` [0–100, re-weighted], ``grade``, ``missing``
        (the components without data).
    framework : AssessmentFramework
    """

    detail: pd.DataFrame
    table: pd.DataFrame
    framework: AssessmentFramework


def assess_work(portfolio, evaluation: EvaluationResult, *, ledger: pd.DataFrame | None = None,
                recheck=None, framework: AssessmentFramework | None = None, bands=None) -> WorkAssessment:
    """Score every department's performance-management work (see the module docstring).

    Parameters
    ----------
    portfolio : Portfolio
    evaluation : EvaluationResult
        The year's self-evaluation (the funded projects, whose tracking forms are due).
    ledger : DataFrame, optional
        The rectification ledger (:func:`costing.performance.ledger.load_ledger`); None: 缺少数据.
    recheck : RecheckResult, optional
        The spot-check read back (:func:`costing.performance.spotcheck.recheck`); None: 缺少数据.
    framework : AssessmentFramework, optional
        Default :func:`load_assessment_framework`.
    bands : mapping grade -> lowest score, optional
        Default the scoring profile's grade bands.
    """
    fw = framework or load_assessment_framework()
    dep = portfolio.departments.set_index("department_id")["department_name"]
    ctx = {"evaluation": evaluation, "ledger": ledger, "recheck": recheck}
    rows = []
    for c in fw.components.to_dict("records"):
        values = COMPONENTS[c["key"]](portfolio, list(dep.index), ctx)
        for d in dep.index:
            rate, data, note = values[d]
            rows.append({"department_id": d, "department_name": dep[d], "component": c["name"], "key": c["key"],
                         "data": data, "rate": rate,
                         "score": round_half_up(100 * min(rate, 1.0), 2) if np.isfinite(rate) else np.nan,
                         "weight": float(c["weight"]), "note": note, "definition": c["definition"],
                         "record": c["record"]})
    detail = pd.DataFrame(rows)
    order = {d: i for i, d in enumerate(dep.index)}
    detail = detail.sort_values(by="department_id", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    have = detail["score"].notna()
    w = detail["weight"].where(have, 0.0)
    g = detail.assign(_ws=w * detail["score"].fillna(0.0), _w=w).groupby("department_id", sort=False)
    table = detail.pivot_table(index="department_id", columns="component", values="score", aggfunc="first",
                               dropna=False).reindex(index=dep.index, columns=list(fw.components["name"]))
    table.columns.name = None
    table["available_weight"] = g["_w"].sum().reindex(dep.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        total = (g["_ws"].sum() / g["_w"].sum()).reindex(dep.index)
    table["total_score"] = round_scores(total)
    prof = evaluation.profile
    table["grade"] = grade(table["total_score"], bands if bands is not None else prof.grade_bands)
    table["missing"] = detail[~have].groupby("department_id", sort=False)["component"].agg("、".join).reindex(
        dep.index).fillna("")
    table.insert(0, "department_name", dep)
    table.insert(0, "rank", table["total_score"].rank(ascending=False, method="min").astype("Int64"))
    table = table.sort_values("rank", kind="stable").reset_index()
    table = table[["rank", "department_id", *[c for c in table.columns if c not in ("rank", "department_id")]]]
    return WorkAssessment(detail=detail, table=table, framework=fw)


#: Chinese headers of the 考核 tables
HEADERS = {"rank": "排名", "department_id": "部门编码", "department_name": "部门名称", "component": "考核内容",
           "data": "数据", "rate": "比率（%）", "score": "得分（0–100）", "weight": "权重", "note": "说明",
           "definition": "计算口径", "record": "数据来源", "available_weight": "有数据的权重合计",
           "total_score": "考核得分（折算）", "grade": "等级", "missing": "缺少数据或不适用"}


def shown(assessment: WorkAssessment) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ranked table, detail) as a reader sees them: Chinese headers, rates in %, missing scores as their note."""
    t = assessment.table.copy()
    notes = assessment.detail.set_index(["department_id", "component"])["note"]
    for c in assessment.framework.components["name"]:
        if t[c].isna().any():   # a column mixing scores and notes: scores written with 2 decimals, as elsewhere
            t[c] = [notes[(d, c)] if pd.isna(v) else f"{v:.2f}" for d, v in zip(t["department_id"], t[c])]
    # each component's column holds its 0–100 score: "…（分）", so no reader takes 覆盖率 for a percentage
    t = t.rename(columns={**HEADERS, **{c: f"{c}（分）" for c in assessment.framework.components["name"]}})
    d = assessment.detail.drop(columns="key").copy()
    d["rate"] = [round_half_up(100 * r, 2) if np.isfinite(r) else np.nan for r in d["rate"]]
    d["score"] = [s if np.isfinite(s) else n for s, n in zip(d["score"], d["note"])]
    return t, d.rename(columns=HEADERS)
