"""costing: budget costing and cost-benefit analysis for full-cost budget
performance management (全成本预算绩效管理).

Public entry points (notebooks, reports and scripts rely on these names):

- :func:`load_project` reads and validates a project file.
- :func:`run_method` runs the four steps and returns a result with
  ``.target``, ``.need``, ``.benchmark``, ``.standard`` and ``.budget``.

The steps themselves are in :mod:`costing.method` (``set_target``,
``back_calculate``, ``benchmark``, ``set_standard``, ``compile_budget``);
the benchmarking engine in :mod:`costing.benchmark`, cost-benefit analysis
in :mod:`costing.cba`, the performance life cycle in
:mod:`costing.performance`, and reports in :mod:`costing.report`.
"""
from ._lazy import attach
from .errors import CostingError, InputError, ModelError, ParameterError

__version__ = "0.1.0"

__getattr__, __dir__ = attach(__name__, {
    "method": ("MethodResult", "back_calculate", "compile_budget", "run_method", "set_standard", "set_target",
               "subsidy_sensitivity"),
    "project": ("Project", "load_project"),
}, submodules=("benchmark", "cba", "performance", "report", "workbook", "charts", "present", "glossary", "io",
               "units", "rules", "method", "project", "plotting", "examples", "whatif", "teach"))

__all__ = ["CostingError", "InputError", "ModelError", "ParameterError", "Project", "MethodResult",
           "load_project", "run_method", "set_target", "back_calculate", "set_standard", "compile_budget",
           "subsidy_sensitivity", "__version__"]
