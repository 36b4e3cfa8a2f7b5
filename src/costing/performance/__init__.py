"""The budget performance life cycle (预算绩效全生命周期管理) over a portfolio of projects.

- :mod:`.portfolio` — the data model (departments, projects, indicators,
  spending, scores) and :func:`load_portfolio` / :func:`build_portfolio`;
- :mod:`.indicators` — the indicator library (绩效目标指标库), search, SMART check;
- :mod:`.profile` — scoring profiles: the rules that vary by place or year, as data;
- :mod:`.exante` — ex-ante assessment (事前绩效评估), :func:`cut_amount`, :func:`cut_rate`,
  :func:`funded_projects` (the funded set that monitoring and evaluation run on);
- :mod:`.monitoring` — dual monitoring (双监控) at an as-of date;
- :mod:`.scoring` / :mod:`.evaluation` — self-evaluation (绩效自评) by the portfolio's profile;
- :mod:`.notices` — 整改建议书 and 预算调整建议 per budget unit, as data;
- :mod:`.department` — whole-department performance (部门整体绩效);
- :mod:`.excel`, :mod:`.charts`, :mod:`.display` — outputs; :mod:`.cli` — commands.

Money is in 元 and rates are fractions throughout; display helpers convert.
"""
from .._lazy import attach

# each name loads its module on first use, so `costing monitor --help` parses without pandas
_MODULES = {
    "department": ("DepartmentScores", "department_performance", "load_framework", "score_departments"),
    "evaluation": ("EvaluationResult", "SelfEvaluation", "evaluate_portfolio", "feed_forward", "key_projects",
                   "self_evaluate"),
    "exante": ("CONCLUSION_THRESHOLDS", "ExAnteResult", "FundedSet", "conclude", "cut_amount", "cut_rate", "cut_summary",
               "ex_ante", "funded_projects"),
    "indicators": ("LEVELS", "load_library", "project_types", "search_indicators", "smart_check"),
    "monitoring": ("DEFAULT_DEVIATION_THRESHOLD", "DEFAULT_TOLERANCE", "MonitoringResult", "MonitoringRounds",
                   "execution_rate", "expected_to_date", "monitor", "monitor_dates", "one_table", "target_achievement",
                   "time_progress"),
    "ledger": ("load_ledger", "write_ledger", "with_adjustments"),
    "notices": ("RectificationNotice", "rectification_notices"),
    "portfolio": ("EX_ANTE_DIMENSIONS", "Portfolio", "Project", "build_portfolio", "load_portfolio"),
    "profile": ("ScoringProfile", "bundled_profiles", "load_profile"),
    "scoring": ("DEFAULT_WEIGHTS", "GRADE_BANDS", "QUALITATIVE_BANDS", "RECOMMENDATION_RULES", "grade", "recommend",
                "score_execution", "score_indicator"),
}
__getattr__, __dir__ = attach(__name__, _MODULES, submodules=(
    *_MODULES, "charts", "cli", "display", "excel", "example", "rollover"))
__all__ = [name for names in _MODULES.values() for name in names]
