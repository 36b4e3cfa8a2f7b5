"""costing: budget costing and cost-benefit analysis for full-cost budget
performance management (全成本预算绩效管理).

Public entry points (notebooks, reports and scripts rely on these names):

- :func:`load_project` reads and validates a project file.
- :func:`run_method` runs the four steps and returns a result with
  ``.target``, ``.need``, ``.benchmark``, ``.standard`` and ``.budget``.
"""
from .errors import CostingError, InputError, ModelError, ParameterError

__version__ = "0.1.0"

__all__ = ["CostingError", "InputError", "ModelError", "ParameterError", "__version__"]
