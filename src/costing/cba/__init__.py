"""Cost-benefit analysis (成本效益分析) for ex-ante appraisal (事前绩效评估).

Conventions, stated once for the whole subpackage
-------------------------------------------------
* **Sign.** Benefits and inflows are positive; costs and outflows negative.
  Input tables hold positive magnitudes; an item's ``kind`` (capital,
  operating, benefit, residual) gives its sign (:data:`KIND_SIGN`).
* **Timing.** Yearly periods; ``values[t]`` falls at the end of year ``t``
  and ``t = 0`` (now) is **not discounted** (numpy-financial's convention).
  ``timing="mid"`` or ``"end"`` shifts every flow by half or one year;
  :func:`excel_npv` reproduces Excel's ``NPV()`` (first value discounted).
* **Money** is float 元; rates are fractions per year (0.08 = 8%).
* **Prices** are real (constant prices of ``price_year``) unless a model says
  ``price_basis="nominal"``; :func:`rebase_prices` and :func:`to_real` convert.

Layers: pure measures (:mod:`.measures`), presets and discount factors
(:mod:`.discounting`), the cash-flow model and appraisal (:mod:`.cashflow`),
sensitivity (:mod:`.sensitivity`), Monte Carlo (:mod:`.montecarlo`),
optional adjustments (:mod:`.adjustments`) and the project-file reader
(:mod:`.project`).
"""
from .._lazy import attach

_MODULES = {
    "discounting": ("DISCOUNT_PRESETS", "TIMINGS", "DiscountPreset", "custom_preset", "discount_factors",
                    "get_preset", "nominal_rate", "preset_label", "present_value", "real_rate"),
    "measures": ("IRRResult", "MultipleIRRWarning", "bcr", "cost_effectiveness_ratio", "discounted_payback_period",
                 "excel_npv", "incremental_cost_effectiveness_ratio", "irr", "irr_roots", "mirr", "npv",
                 "payback_period", "xirr", "xnpv"),
    "adjustments": ("OPTIMISM_BIAS", "OPTIMISM_BIAS_SOURCE", "OptimismBias", "additionality", "optimism_bias_uplift",
                    "standard_conversion_factor", "to_economic"),
    "cashflow": ("KIND_LABELS", "KIND_SIGN", "CashFlowItem", "CashFlowModel", "CBAResult", "appraise",
                 "compare_presets", "rebase_prices", "straight_line_residual", "to_real"),
    "montecarlo": ("DISTRIBUTIONS", "MonteCarloResult", "budget_levels", "cdf_chart", "correlation_matrix",
                   "make_distribution", "sample_factors", "simulate"),
    "project": ("CBAProject", "load_cba_project"),
    "sensitivity": ("DEFAULT_CHANGES", "OUTPUTS", "SensitivityTable", "SwitchingValue", "model_output", "one_way",
                    "sensitivity_coefficient", "switching_value", "switching_values", "tornado_chart"),
}
# scipy.optimize loads with the measures, scipy.stats with the Monte Carlo: each on first use
__getattr__, __dir__ = attach(__name__, _MODULES, submodules=tuple(_MODULES))
__all__ = [name for names in _MODULES.values() for name in names]
