"""Optional adjustments from the appraisal guides: optimism bias, additionality
(deadweight, displacement, leakage) and financial-to-economic conversion
factors. Tables are data with their source.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError

__all__ = [
    "OptimismBias",
    "OPTIMISM_BIAS",
    "OPTIMISM_BIAS_SOURCE",
    "optimism_bias_uplift",
    "additionality",
    "standard_conversion_factor",
    "to_economic",
]

OPTIMISM_BIAS_SOURCE = ("HM Treasury, Green Book supplementary guidance: optimism bias "
                        "(Mott MacDonald, Review of Large Public Procurement in the UK, 2002), "
                        "recommended adjustment ranges")


@dataclass(frozen=True)
class OptimismBias:
    """Recommended optimism-bias adjustments of one project type [fraction].

    ``capex_upper``/``capex_lower``: uplift on capital expenditure at the start
    of appraisal (upper) and once risks are managed (lower);
    ``duration_upper``/``duration_lower``: on works duration (NaN: not given).
    """

    label: str
    duration_upper: float
    duration_lower: float
    capex_upper: float
    capex_lower: float


#: Green Book optimism-bias table (project type -> adjustments)
OPTIMISM_BIAS: dict[str, OptimismBias] = {
    "standard_buildings": OptimismBias("标准建筑 (standard buildings)", 0.04, 0.01, 0.24, 0.02),
    "non_standard_buildings": OptimismBias("非标准建筑 (non-standard buildings)", 0.39, 0.02, 0.51, 0.04),
    "standard_civil_engineering": OptimismBias("标准土木工程 (standard civil engineering)", 0.20, 0.01, 0.44, 0.03),
    "non_standard_civil_engineering": OptimismBias("非标准土木工程 (non-standard civil engineering)",
                                                   0.25, 0.03, 0.66, 0.06),
    "equipment_development": OptimismBias("设备/开发 (equipment / development)", 0.54, 0.10, 2.00, 0.10),
    "outsourcing": OptimismBias("外包 (outsourcing)", float("nan"), float("nan"), 0.41, 0.00),
}


def optimism_bias_uplift(capex, project_type: str, *, level: str = "upper", mitigation: float = 0.0):
    """Capital cost after the optimism-bias uplift [元].

    Parameters
    ----------
    capex : float or array_like
        Capital cost [元] (positive magnitudes).
    project_type : str
        Key of :data:`OPTIMISM_BIAS`.
    level : {"upper", "lower"}
        Upper bound (early appraisal) or lower bound.
    mitigation : float
        Share of the uplift removed by evidenced risk management [0..1].

    Returns
    -------
    float or ndarray
        ``capex * (1 + uplift * (1 - mitigation))``.
    """
    if project_type not in OPTIMISM_BIAS:
        raise ParameterError("unknown optimism-bias project type", expected=f"one of {list(OPTIMISM_BIAS)}",
                             found=project_type)
    if level not in ("upper", "lower"):
        raise ParameterError("level must be 'upper' or 'lower'", found=level)
    if not 0 <= mitigation <= 1:
        raise ParameterError("mitigation must be between 0 and 1", found=mitigation)
    ob = OPTIMISM_BIAS[project_type]
    u = ob.capex_upper if level == "upper" else ob.capex_lower
    return np.asarray(capex, dtype=float) * (1.0 + u * (1.0 - mitigation))


def additionality(gross, *, deadweight: float = 0.0, displacement: float = 0.0,
                  leakage: float = 0.0, substitution: float = 0.0, attribution: float = 1.0):
    """Net additional benefit from a gross benefit [same unit as ``gross``].

    ``gross * (1 - leakage) * (1 - displacement) * (1 - substitution)
    * (1 - deadweight) * attribution`` -- the multiplicative form of the
    additionality adjustments (HCA Additionality Guide, 4th ed. 2014; GMCA
    cost-benefit analysis model). All shares are fractions in [0, 1].
    """
    for name, x in dict(deadweight=deadweight, displacement=displacement, leakage=leakage,
                        substitution=substitution, attribution=attribution).items():
        if not 0 <= x <= 1:
            raise ParameterError(f"{name} must be a share between 0 and 1", found=x)
    return (np.asarray(gross, dtype=float) * (1 - leakage) * (1 - displacement) * (1 - substitution)
            * (1 - deadweight) * attribution)


def standard_conversion_factor(imports: float, exports: float, import_duties: float = 0.0,
                               export_taxes: float = 0.0, import_subsidies: float = 0.0,
                               export_subsidies: float = 0.0) -> float:
    """Standard conversion factor (EU Guide to CBA of Investment Projects, 2014, sec. 2.8.2).

    ``SCF = (M + X) / (M + Tm - Sm + X - Tx + Sx)`` with imports M, exports X,
    import duties Tm and subsidies Sm, export taxes Tx and subsidies Sx (all in
    the same money unit) [dimensionless].
    """
    den = imports + import_duties - import_subsidies + exports - export_taxes + export_subsidies
    if den <= 0:
        raise ParameterError("trade totals give a non-positive denominator", found=den)
    return (imports + exports) / den


def to_economic(financial, conversion_factor):
    """Economic value = financial value x conversion factor [元] (EU CBA guide)."""
    cf = np.asarray(conversion_factor, dtype=float)
    if np.any(cf < 0):
        raise ParameterError("conversion factors must be non-negative", found=conversion_factor)
    return np.asarray(financial, dtype=float) * cf
