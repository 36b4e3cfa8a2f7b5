"""Per-project and per-unit Word documents in bulk: the 自评表 of each project and the
整改建议书 of each budget unit.

Each document is rendered from one shipped template (``word_templates/
self_evaluation_form.docx``, ``rectification_notice.docx``) or a bureau's own
(checked once against :data:`FORM_FIELDS` / :data:`NOTICE_FIELDS`), and
written atomically; a document that fails is reported and the others are
still written (:func:`write_documents`). Money is shown in 万元.

Fields of the 自评表 template (:data:`FORM_FIELDS`)::

    year                              the evaluated budget year
    project.id, .name, .department, .unit, .goal (预期目标), .result (实际完成情况)
    funds                             rows 年度资金总额 / 其中：当年财政拨款 / 上年结转资金 / 其他资金:
                                      item, initial, budget, spent [万元]; weight, rate (%), score
                                      (分值 and 得分 on the 年度资金总额 row only, "—" elsewhere)
    indicators                        rows: level1, level2, level3, target, actual,
                                      weight, score, reason
    total.weight, .score, .grade, .recommendation
    date

Fields of the 整改建议书 template (:data:`NOTICE_FIELDS`)::

    notice.title, .number, .issuer, .department, .budget_year, .as_of, .deadline,
           .time_progress, .n_projects
    items         rows: seq, project_id, project_name, unit, problem_type, problem,
                  requirement, deadline
    adjustments   rows: project_name, budget, spent, forecast, forecast_source,
                  proposed, adjustment [万元], rule
    rules         rows: name, text
    date

The summary of key projects for the People's Congress (人大), :data:`KEY_FIELDS`::

    year, rule                        the budget year; how key projects were chosen
    summary.n, .budget_initial, .budget, .spent [万元], .execution_rate (%),
           .grades ("优 3 个、良 1 个")
    projects      rows: id, name, department, unit, goal, reason (列入原因), targets (绩效目标),
                  results (实际完成值), budget_initial, budget, spent [万元],
                  execution_rate (% of 全年预算数), score, grade, recommendation
    date
"""
from __future__ import annotations

from pathlib import Path

from ..units import fmt_money, from_yuan
from .word import UNDATED, Fields, WordTemplate, default_template, show_date, show_value

FORM_FIELDS = frozenset({"year", "project", "funds", "indicators", "total", "date"})
NOTICE_FIELDS = frozenset({"notice", "items", "adjustments", "rules", "date"})
KEY_FIELDS = frozenset({"year", "rule", "summary", "projects", "date"})


def _day(d) -> str:
    return show_date(d)


def _issued_day(issued) -> str:
    """The date line of a form: the issue date given, else blank for the signer (never the machine clock)."""
    return show_date(issued) if issued else UNDATED


def _as_date(issued):
    from .spec import parse_issued

    return parse_issued(issued)


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else str(v)


def _with_unit(v, unit) -> str:
    if isinstance(v, str):
        return v
    shown = show_value(v)
    return f"{shown}{unit}" if unit and shown != "—" else shown


def form_context(project, indicators, year: int, execution_weight: float | None = None, *,
                 issued=None) -> dict:
    """The fields of one 自评表: ``project`` a row of :attr:`EvaluationResult.projects`,
    ``indicators`` its rows of :attr:`EvaluationResult.indicators`."""
    rows = []
    for r in indicators.itertuples(index=False):
        qualitative = r.direction == "qualitative"
        unit = "" if qualitative else _text(r.unit)
        rows.append(Fields("indicator", {
            "level1": r.level1, "level2": r.level2, "level3": r.level3,
            "target": _with_unit(r.target, unit),
            "actual": _text(r.band) if qualitative else _with_unit(r.final_actual, unit),
            "weight": show_value(r.weight), "score": show_value(r.score, integer=False),
            "reason": _text(r.deviation_reason)}))
    from ..performance.evaluation import funding_block

    weight = execution_weight if execution_weight is not None else 100 - float(indicators["weight"].sum())
    funds = [Fields("fund", {
        "item": f.label, "initial": fmt_money(f.budget_initial), "budget": fmt_money(f.budget),
        "spent": fmt_money(f.spent), "weight": show_value(f.weight) if k == "total" else "—",
        "rate": show_value(f.execution_rate, "rate") if f.execution_rate == f.execution_rate else "—",
        "score": show_value(f.execution_score, integer=False) if k == "total" else "—"})
        for k, f in funding_block(project, weight).iterrows()]
    return {
        "year": year,
        "project": Fields("project", {"id": project["project_id"], "name": project["project_name"],
                                      "department": project["department_name"],
                                      "unit": _text(project.get("implementing_unit")),
                                      "goal": _text(project.get("goal_expected", project.get("annual_goal"))),
                                      "result": _text(project.get("goal_result"))}),
        "funds": funds,
        "indicators": rows,
        "total": Fields("total", {"weight": show_value(weight + float(indicators["weight"].sum())),
                                  "score": show_value(project["score"], integer=False),
                                  "grade": project["grade"], "recommendation": project["recommendation"]}),
        "date": _issued_day(issued),
    }


def notice_context(notice) -> dict:
    """The fields of one 整改建议书 (:class:`costing.performance.notices.RectificationNotice`)."""
    items = [Fields("item", {"seq": str(r.seq), "project_id": r.project_id, "project_name": r.project_name,
                             "unit": _text(r.implementing_unit), "problem_type": r.problem_type,
                             "problem": r.problem, "requirement": r.requirement,
                             "deadline": _day(r.deadline)})
             for r in notice.items.itertuples(index=False)]
    adjustments = [Fields("adjustment", {
        "project_name": r.project_name, "budget": fmt_money(r.budget), "spent": fmt_money(r.spent),
        "forecast": fmt_money(r.forecast), "forecast_source": r.forecast_source,
        "proposed": fmt_money(r.proposed), "adjustment": fmt_money(r.adjustment), "rule": r.rule})
        for r in notice.adjustments.itertuples(index=False)]
    return {
        "notice": Fields("notice", {
            "title": notice.title, "number": notice.number, "issuer": notice.issuer,
            "department": notice.department_name, "budget_year": notice.budget_year,
            "as_of": _day(notice.as_of), "deadline": _day(notice.deadline),
            "time_progress": show_value(notice.time_progress, "rate"),
            "n_projects": notice.items["project_id"].nunique(), "request": notice.request}),
        "items": items,
        "adjustments": adjustments,
        "rules": [Fields("rule", {"name": k, "text": v}) for k, v in notice.rules.items()],
        "date": _day(notice.issued or notice.as_of),   # dated by its round, never the machine's clock
    }


def key_projects_context(result, year: int, threshold: float | None = None, *, issued=None) -> dict:
    """The fields of the key-project summary for the People's Congress (money in 万元); the selection is
    :func:`costing.performance.evaluation.key_projects` (threshold default: the scoring profile's)."""
    from ..performance.evaluation import key_projects

    p = key_projects(result, threshold)
    threshold = result.profile.key_project_threshold if threshold is None else threshold
    grades = p["grade"].value_counts()
    rows = [Fields("project", {
        "id": r.project_id, "name": r.project_name, "department": r.department_name,
        "unit": _text(getattr(r, "implementing_unit", "")), "goal": _text(getattr(r, "annual_goal", "")),
        "reason": _text(r.key_reason), "targets": _text(r.targets), "results": _text(r.results),
        "budget_initial": fmt_money(r.budget_initial), "budget": fmt_money(r.budget), "spent": fmt_money(r.spent),
        "execution_rate": show_value(r.execution_rate, "rate"), "score": show_value(r.score, integer=False),
        "grade": r.grade, "recommendation": r.recommendation}) for r in p.itertuples(index=False)]
    budget, spent = float(p["budget"].sum()), float(p["spent"].sum())
    return {
        "year": year,
        "rule": f"年初预算数在{show_value(from_yuan(threshold, '万元'))}万元及以上或列为重点的项目",
        "summary": Fields("summary", {
            "n": len(p), "budget_initial": fmt_money(p["budget_initial"].sum()), "budget": fmt_money(budget),
            "spent": fmt_money(spent), "execution_rate": show_value(spent / budget if budget else None, "rate"),
            "grades": "、".join(f"{g} {int(grades[g])} 个" for g in ("优", "良", "中", "差") if grades.get(g))}),
        "projects": rows,
        "date": _issued_day(issued),
    }


def write_key_projects_doc(result, path, *, year: int, template=None,
                           threshold: float | None = None, issued=None) -> Path:
    """The key-project summary for the People's Congress as one .docx (atomic), dated ``issued``
    (a date or ISO string; default: a blank date line to fill in when signed)."""
    tpl = WordTemplate(template or default_template("key_projects"), KEY_FIELDS)
    return tpl.render(key_projects_context(result, year, threshold, issued=_as_date(issued)), path)


def safe_name(text: str) -> str:
    """``text`` without characters a file name cannot hold."""
    return "".join(ch for ch in str(text) if ch not in '\\/:*?"<>|').strip() or "_"


def write_documents(template: WordTemplate, documents, folder) -> tuple[list[Path], dict[str, str]]:
    """Render ``documents`` (an iterable of (key, file name, context builder)) into ``folder``.

    Each document is written atomically; a failure (while building its context or
    rendering) is recorded and the others are still written.

    Returns
    -------
    (written paths, {key: error message} of the failures)
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written, failed = [], {}
    for key, name, build in documents:
        try:
            written.append(template.render(build(), folder / name))
        except Exception as exc:  # noqa: BLE001 - reported per document, the batch goes on
            failed[key] = f"{type(exc).__name__}: {exc}"
    return written, failed


def write_self_evaluation_docs(result, folder, *, year: int, template=None,
                               projects=None, issued=None) -> tuple[list[Path], dict[str, str]]:
    """One 《项目支出绩效自评表》 .docx per project: ``自评表_<id>_<name>.docx``.

    Parameters
    ----------
    result : costing.performance.EvaluationResult
    folder : path-like
    year : int
        The evaluated budget year.
    template : path-like, optional
        A bureau's own template (default: the shipped ``self_evaluation_form.docx``).
    projects : list of str, optional
        Project ids (default: all).
    issued : date or ISO string, optional
        The 填报日期 (default: blank, filled in by the unit when it signs).
    """
    tpl = WordTemplate(template or default_template("self_evaluation_form"), FORM_FIELDS)
    issued = _as_date(issued)
    groups = dict(tuple(result.indicators.groupby("project_id", sort=False)))
    prj = result.projects.set_index("project_id", drop=False)
    ids = list(prj.index) if projects is None else list(projects)
    empty = result.indicators.iloc[:0]

    def document(pid):
        name = f"自评表_{safe_name(pid)}_{safe_name(prj['project_name'].get(pid, ''))}.docx"
        return pid, name, lambda: form_context(prj.loc[pid], groups.get(pid, empty), year,
                                               execution_weight=result.profile.execution_weight,
                                               issued=issued)

    return write_documents(tpl, map(document, ids), folder)


def write_notice_docs(notices, folder, *, template=None) -> tuple[list[Path], dict[str, str]]:
    """One 整改建议书 .docx per budget unit: ``整改建议书_<文号>_<department id>_<name>.docx`` (``notice.file_stem``)."""
    tpl = WordTemplate(template or default_template("rectification_notice"), NOTICE_FIELDS)
    return write_documents(
        tpl, ((n.department_id, n.file_stem + ".docx",
               (lambda n=n: notice_context(n))) for n in notices), folder)
