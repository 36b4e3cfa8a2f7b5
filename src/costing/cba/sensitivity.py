"""One-way sensitivity (敏感性分析), sensitivity coefficients (敏感度系数),
switching values (临界点) and the tornado chart.

The functions take an *output function* ``f(multipliers) -> float``, where
``multipliers`` maps each factor name to a multiplier (1.0 = base case). So
the same code serves a CBA model (NPV or IRR) and any other model, e.g. a
subsidy. :func:`model_output` builds such a function from a
:class:`~costing.cba.CashFlowModel`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from ..errors import ParameterError
from .cashflow import CashFlowModel
from .discounting import discount_factors, get_preset
from .measures import irr

__all__ = [
    "DEFAULT_CHANGES",
    "OUTPUTS",
    "model_output",
    "sensitivity_coefficient",
    "one_way",
    "SensitivityTable",
    "SwitchingValue",
    "switching_value",
    "switching_values",
    "tornado_chart",
]

#: the one-way variations of 《建设项目经济评价方法与参数》: -20%, -10%, +10%, +20%
DEFAULT_CHANGES: tuple[float, ...] = (-0.20, -0.10, 0.10, 0.20)

OutputFn = Callable[[Mapping[str, float]], float]


def _npv_output(model, factor_items, preset, timing):
    S = model.signed_matrix()
    pv_items = S @ discount_factors(preset, S.shape[1], timing=timing)

    def f(mult):
        return float(sum(pv_items[i] * _item_multiplier(model.names[i], mult, factor_items)
                         for i in range(len(pv_items))))
    return f


def _irr_output(model, factor_items, preset, timing):
    def f(mult):
        scale = {n: _item_multiplier(n, mult, factor_items) for n in model.names}
        return float(irr(model.net(scale)))
    return f


#: output name -> builder(model, factor_items, preset, timing) -> f(multipliers)
OUTPUTS: dict[str, Callable] = {"npv": _npv_output, "irr": _irr_output}
#: an output's name on a chart
OUTPUT_NAMES = {"npv": "经济净现值", "irr": "经济内部收益率"}


def _item_multiplier(item: str, mult: Mapping[str, float], factor_items: Mapping[str, Sequence[str]]) -> float:
    m = 1.0
    for factor, items in factor_items.items():
        if item in items:
            m *= float(mult.get(factor, 1.0))
    return m


def model_output(model: CashFlowModel, factor_items: Mapping[str, Sequence[str]], *,
                 output: str = "npv", discount="china_8", timing: str = "start") -> OutputFn:
    """Output function of a CBA model for the sensitivity tools.

    Parameters
    ----------
    model : CashFlowModel
    factor_items : mapping factor name -> item names
        A factor multiplies every item it lists (e.g. ``"投资": ["bus", "charger"]``).
    output : {"npv", "irr"}
        NPV [元] at ``discount`` or IRR [fraction].
    discount, timing :
        As in :func:`costing.cba.appraise`.

    Returns
    -------
    callable
        ``f(multipliers: dict factor -> float) -> float``; missing factors are 1.
    """
    if output not in OUTPUTS:
        raise ParameterError("unknown sensitivity output", expected=f"one of {list(OUTPUTS)}", found=output)
    unknown = {i for items in factor_items.values() for i in items} - set(model.names)
    if unknown:
        raise ParameterError("factors name unknown cash-flow items", expected=f"items of {model.names}",
                             found=sorted(unknown))
    return OUTPUTS[output](model, factor_items, get_preset(discount), timing)


def sensitivity_coefficient(base_output: float, new_output: float, change: float) -> float:
    """Sensitivity coefficient E = (ΔA/A) / (ΔF/F) [dimensionless].

    Parameters
    ----------
    base_output : float
        A, the output in the base case (e.g. ENPV [元]).
    new_output : float
        The output after the factor changed.
    change : float
        ΔF/F, the relative change of the factor [fraction], non-zero.

    Returns
    -------
    float
        NaN when ``base_output`` is 0 (the ratio is undefined).

    Examples
    --------
    NPV 100 falls to 70 when investment rises 10%: E = (-30/100)/0.10 = -3.

    >>> round(sensitivity_coefficient(100.0, 70.0, 0.10), 12)
    -3.0
    """
    if change == 0:
        raise ParameterError("the factor change must be non-zero", found=change)
    if base_output == 0 or not np.isfinite(base_output):
        return float("nan")
    return ((new_output - base_output) / base_output) / change


@dataclass(frozen=True)
class SensitivityTable:
    """One-way sensitivity results.

    Attributes
    ----------
    base : float
        Output in the base case.
    values : DataFrame
        Rows: factors; columns: changes [fraction]; cells: the output.
    coefficients : DataFrame
        Same layout; cells: E = (ΔA/A)/(ΔF/F).
    output : str
        Name of the output (for labels).
    """

    base: float
    values: pd.DataFrame
    coefficients: pd.DataFrame
    output: str = "npv"

    def to_frame(self) -> pd.DataFrame:
        """Values and coefficients side by side, columns labelled like "+10%"."""
        v = self.values.rename(columns=lambda c: f"{c:+.0%}")
        e = self.coefficients.rename(columns=lambda c: f"E {c:+.0%}")
        return pd.concat([v, e], axis=1)

    def _repr_html_(self):
        return self.to_frame().to_html()


def one_way(f: OutputFn, factors: Sequence[str], changes: Sequence[float] = DEFAULT_CHANGES, *,
            output: str = "npv") -> SensitivityTable:
    """One-way sensitivity: vary each factor alone by each change.

    Parameters
    ----------
    f : callable
        Output function (see :func:`model_output`).
    factors : sequence of str
        Factor names.
    changes : sequence of float
        Relative changes [fraction], default ±10% and ±20%.

    Returns
    -------
    SensitivityTable
    """
    factors = list(factors)
    changes = [float(c) for c in changes]
    base = float(f({}))
    vals = np.array([[f({fa: 1.0 + c}) for c in changes] for fa in factors], dtype=float)
    coef = np.array([[sensitivity_coefficient(base, vals[i, j], c) for j, c in enumerate(changes)]
                     for i in range(len(factors))])
    idx = pd.Index(factors, name="因素 (factor)")
    return SensitivityTable(base, pd.DataFrame(vals, index=idx, columns=changes),
                            pd.DataFrame(coef, index=idx, columns=changes), output)


@dataclass(frozen=True)
class SwitchingValue:
    """The change of one factor at which the output reaches its target.

    Attributes
    ----------
    factor : str
    change : float
        Relative change of the factor [fraction] (e.g. -0.29 = 29% lower);
        NaN when none exists in the searched range.
    multiplier : float
        ``1 + change``.
    target : float
        The output level (0 for NPV, the benchmark rate for IRR).
    """

    factor: str
    change: float
    multiplier: float
    target: float


def switching_value(f: OutputFn, factor: str, *, target: float = 0.0,
                    search: tuple[float, float] = (-0.99, 10.0), n_grid: int = 200) -> SwitchingValue:
    """Switching value (临界点) of one factor, found with Brent's root finder.

    Parameters
    ----------
    f : callable
        Output function (see :func:`model_output`).
    factor : str
    target : float
        Output level to reach: 0 for NPV [元]; the benchmark rate for IRR
        [fraction].
    search : (float, float)
        Range of relative changes scanned [fraction].
    n_grid : int
        Grid points scanned for a sign change before ``brentq`` refines it.

    Returns
    -------
    SwitchingValue
        The change closest to 0 at which ``f == target``; NaN when the output
        never reaches the target in ``search``.
    """
    def g(d):
        return f({factor: 1.0 + d}) - target

    grid = np.unique(np.concatenate([np.linspace(search[0], search[1], n_grid), [0.0]]))
    gv = np.array([g(d) for d in grid])
    found = []
    for i in range(len(grid) - 1):
        a, b = gv[i], gv[i + 1]
        if not (np.isfinite(a) and np.isfinite(b)):
            continue
        if a == 0:
            found.append(grid[i])
        elif a * b < 0:
            found.append(brentq(g, grid[i], grid[i + 1], xtol=1e-13))
    if not found:
        return SwitchingValue(factor, float("nan"), float("nan"), target)
    d = min(found, key=abs)
    return SwitchingValue(factor, float(d), 1.0 + float(d), target)


def switching_values(f: OutputFn, factors: Sequence[str], *, target: float = 0.0) -> pd.DataFrame:
    """:func:`switching_value` of each factor as a table."""
    rows = [switching_value(f, fa, target=target) for fa in factors]
    return pd.DataFrame({"临界变化率 (switching change)": [r.change for r in rows],
                         "临界倍数 (multiplier)": [r.multiplier for r in rows]},
                        index=pd.Index(list(factors), name="因素 (factor)"))


def tornado_chart(table: SensitivityTable, *, low: float | None = None, high: float | None = None,
                  scale: float = 1e4, unit: str = "万元", labels: Mapping[str, str] | None = None,
                  ax=None, title: str = "经济净现值敏感性（龙卷风图）"):
    """Tornado chart: output at the low and high change of each factor.

    Parameters
    ----------
    table : SensitivityTable
    low, high : float, optional
        Changes to draw (default: the smallest and largest in the table).
    scale : float
        Divisor for display (1e4: 元 -> 万元). Use 0.01 for IRR in percent.
    unit : str
        Axis unit label.
    labels : mapping factor -> display label, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..plotting import new_figure, setup_fonts

    setup_fonts()
    cols = list(table.values.columns)
    low = min(cols) if low is None else low
    high = max(cols) if high is None else high
    lo = table.values[low] / scale
    hi = table.values[high] / scale
    base = table.base / scale
    order = (hi - lo).abs().sort_values().index
    if ax is None:
        fig, ax = new_figure(7, 0.5 * len(order) + 1.5)
    else:
        fig = ax.figure
    names = [(labels or {}).get(k, k) for k in order]
    y = np.arange(len(order))
    ax.barh(y, lo[order] - base, left=base, color="#d95f02", label=f"因素 {low:+.0%}")
    ax.barh(y, hi[order] - base, left=base, color="#1b9e77", label=f"因素 {high:+.0%}")
    ax.axvline(base, color="black", lw=1)
    ax.set_yticks(y, names)
    ax.set_xlabel(f"{OUTPUT_NAMES.get(table.output, table.output)}（{unit}）")
    ax.set_title(title)
    ax.legend(loc="lower right")
    return fig
