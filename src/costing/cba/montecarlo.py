"""Monte Carlo risk analysis: factor distributions (scipy.stats), optional
correlation (Gaussian copula), seeded and vectorised over draws.

Each factor is a multiplier on the cash-flow items it lists (1.0 = base
case). All draws are built at once: the net flows of N draws are one matrix
product (draws x items) @ (items x years), then :func:`costing.cba.npv` and
:func:`costing.cba.irr` run on the 2-D array. No Python loop per draw.

Percentiles: ``P10`` is the 10th percentile (10% of draws lie below).
Budget levels ``P50``/``P80`` are percentiles of the total undiscounted cost:
a P80 budget is not exceeded in 80% of draws.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ParameterError
from .cashflow import CashFlowModel
from .discounting import discount_factors, get_preset
from .measures import irr

__all__ = [
    "DISTRIBUTIONS",
    "make_distribution",
    "correlation_matrix",
    "sample_factors",
    "MonteCarloResult",
    "simulate",
    "budget_levels",
    "cdf_chart",
]


def _triangular(low, mode, high):
    _order(low, mode, high)
    return stats.triang(c=(mode - low) / (high - low), loc=low, scale=high - low)


def _pert(low, mode, high):
    """PERT as a scaled beta: alpha = 1 + 4(m-a)/(b-a), beta = 1 + 4(b-m)/(b-a)."""
    _order(low, mode, high)
    a = 1.0 + 4.0 * (mode - low) / (high - low)
    b = 1.0 + 4.0 * (high - mode) / (high - low)
    return stats.beta(a, b, loc=low, scale=high - low)


def _normal(mean, sd):
    _positive(sd, "sd")
    return stats.norm(loc=mean, scale=sd)


def _lognormal(mu, sigma):
    """Log of the variable is normal(mu, sigma); median exp(mu)."""
    _positive(sigma, "sigma")
    return stats.lognorm(s=sigma, scale=np.exp(mu))


def _uniform(low, high):
    if not high > low:
        raise ParameterError("uniform needs low < high", found=(low, high))
    return stats.uniform(loc=low, scale=high - low)


def _order(low, mode, high):
    if not (low <= mode <= high and high > low):
        raise ParameterError("distribution needs low <= mode <= high and low < high",
                             found={"low": low, "mode": mode, "high": high})


def _positive(x, name):
    if not x > 0:
        raise ParameterError(f"{name} must be positive", found=x)


#: distribution name -> (builder, required parameter names)
DISTRIBUTIONS: dict[str, tuple] = {
    "triangular": (_triangular, ("low", "mode", "high")),
    "pert": (_pert, ("low", "mode", "high")),
    "normal": (_normal, ("mean", "sd")),
    "lognormal": (_lognormal, ("mu", "sigma")),
    "uniform": (_uniform, ("low", "high")),
}


def make_distribution(spec: Mapping):
    """A frozen scipy.stats distribution from a spec like
    ``{"dist": "pert", "low": 0.95, "mode": 1.0, "high": 1.3}``.

    Raises ParameterError naming the missing or unknown parameters.
    """
    spec = dict(spec)
    name = spec.pop("dist", None)
    spec.pop("items", None)
    spec.pop("label", None)
    if name not in DISTRIBUTIONS:
        raise ParameterError("unknown distribution", expected=f"one of {list(DISTRIBUTIONS)}", found=name)
    builder, params = DISTRIBUTIONS[name]
    missing = [p for p in params if p not in spec]
    extra = [p for p in spec if p not in params]
    if missing or extra:
        raise ParameterError(f"{name} distribution parameters", expected=list(params),
                             found={"missing": missing, "unknown": extra})
    return builder(**{p: float(spec[p]) for p in params})


def correlation_matrix(factors: Sequence[str], pairs: Sequence[Mapping]) -> np.ndarray:
    """Correlation matrix from pairs ``{"a": f1, "b": f2, "rho": 0.5}`` (others 0)."""
    idx = {f: i for i, f in enumerate(factors)}
    C = np.eye(len(factors))
    for p in pairs:
        try:
            i, j, rho = idx[p["a"]], idx[p["b"]], float(p["rho"])
        except KeyError as exc:
            raise ParameterError("correlation pair names an unknown factor or lacks a key",
                                 expected=f"a, b in {list(factors)} and rho", found=dict(p)) from exc
        C[i, j] = C[j, i] = rho
    return C


def sample_factors(specs: Mapping[str, Mapping], n: int, *, seed=None,
                   correlation: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Draw ``n`` values of each factor.

    Parameters
    ----------
    specs : mapping factor -> distribution spec (see :func:`make_distribution`)
    n : int
        Number of draws.
    seed : int or numpy Generator
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same draws.
    correlation : ndarray (k, k), optional
        Rank-type correlation of the factors, in the order of ``specs``,
        imposed by a Gaussian copula: correlated standard normals
        ``Z @ cholesky(C).T`` are mapped to uniforms by the normal CDF and
        then through each factor's inverse CDF.

    Returns
    -------
    dict factor -> ndarray (n,)
    """
    names = list(specs)
    dists = [make_distribution(specs[f]) for f in names]
    if n < 1:
        raise ParameterError("number of draws must be positive", found=n)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, len(names)))
    if correlation is not None:
        C = np.asarray(correlation, dtype=float)
        if C.shape != (len(names), len(names)) or not np.allclose(C, C.T) or not np.allclose(np.diag(C), 1):
            raise ParameterError("correlation must be a symmetric matrix with unit diagonal, one row per factor",
                                 expected=f"shape {(len(names), len(names))}", found=C.round(3).tolist())
        try:
            L = np.linalg.cholesky(C)
        except np.linalg.LinAlgError:
            raise ParameterError("correlation matrix is not positive definite",
                                 found=C.round(3).tolist()) from None
        z = z @ L.T
    u = np.clip(stats.norm.cdf(z), 1e-12, 1 - 1e-12)
    return {f: d.ppf(u[:, i]) for i, (f, d) in enumerate(zip(names, dists))}


@dataclass(frozen=True)
class MonteCarloResult:
    """Draws of a Monte Carlo appraisal.

    Attributes
    ----------
    npv : ndarray (n,)
        NPV of each draw [元].
    irr : ndarray (n,)
        IRR of each draw [fraction]; NaN where the draw has none.
    cost : ndarray (n,)
        Total undiscounted cost of each draw (capital + operating) [元, > 0].
    factors : dict factor -> ndarray (n,)
        The sampled multipliers.
    seed : object
        The seed used.
    """

    npv: np.ndarray
    irr: np.ndarray
    cost: np.ndarray
    factors: dict
    seed: object = None

    @property
    def expected_npv(self) -> float:
        """Mean NPV [元] (the EU CBA guide's acceptance criterion)."""
        return float(np.mean(self.npv))

    @property
    def prob_negative(self) -> float:
        """P(NPV < 0) [fraction]."""
        return float(np.mean(self.npv < 0))

    def npv_percentiles(self, q=(10, 50, 90)) -> dict[str, float]:
        """NPV percentiles [元], keys like "P10"."""
        return {f"P{int(x)}": float(v) for x, v in zip(q, np.percentile(self.npv, q))}

    def irr_percentiles(self, q=(10, 50, 90)) -> dict[str, float]:
        """IRR percentiles over the draws that have an IRR [fraction]."""
        ok = np.isfinite(self.irr)
        if not ok.any():
            return {f"P{int(x)}": float("nan") for x in q}
        return {f"P{int(x)}": float(v) for x, v in zip(q, np.percentile(self.irr[ok], q))}

    def summary(self, unit: str = "万元") -> pd.DataFrame:
        """Headline risk figures, labelled in Chinese (shown text; :func:`costing.present.cba_risk_table`
        gives them as numbers with units)."""
        from ..fmt import fmt, fmt_money, fmt_rate

        p = self.npv_percentiles()
        ip = self.irr_percentiles()
        b = budget_levels(self.cost)
        rows = [("抽样次数", fmt(self.npv.size, "count"), "次"),
                ("期望净现值", fmt_money(self.expected_npv, unit), unit),
                ("净现值为负的概率", fmt_rate(self.prob_negative), "%")]
        rows += [(f"净现值 {k}", fmt_money(v, unit), unit) for k, v in p.items()]
        rows += [(f"内部收益率 {k}", fmt_rate(v), "%") for k, v in ip.items()]
        rows += [("无内部收益率的抽样占比", fmt_rate(float(np.mean(~np.isfinite(self.irr)))), "%")]
        rows += [(f"预算水平 {k}（总费用）", fmt_money(v, unit), unit) for k, v in b.items()]
        return pd.DataFrame(rows, columns=["指标", "数值", "单位"])

    def _repr_html_(self):
        return self.summary().to_html(index=False)


def budget_levels(cost_draws, levels: Sequence[float] = (0.5, 0.8)) -> dict[str, float]:
    """P50/P80 budget levels: percentiles of simulated total cost [元].

    A ``P80`` budget covers the cost in 80% of draws.
    """
    c = np.asarray(cost_draws, dtype=float)
    return {f"P{round(100 * q)}": float(np.quantile(c, q)) for q in levels}


def simulate(model: CashFlowModel, factor_specs: Mapping[str, Mapping],
             factor_items: Mapping[str, Sequence[str]], *, n: int = 10_000, seed=None,
             discount="china_8", timing: str = "start", correlation=None,
             with_irr: bool = True) -> MonteCarloResult:
    """Monte Carlo appraisal of a cash-flow model.

    Parameters
    ----------
    model : CashFlowModel
    factor_specs : mapping factor -> distribution spec of its multiplier
    factor_items : mapping factor -> item names it multiplies
    n : int
        Draws.
    seed : int, optional
        Seed; the same seed gives the same result.
    discount, timing :
        As in :func:`costing.cba.appraise`.
    correlation : ndarray or list of pairs, optional
        Matrix in the order of ``factor_specs``, or pairs
        ``{"a", "b", "rho"}`` (see :func:`correlation_matrix`).
    with_irr : bool
        Compute the IRR of every draw (vectorised :func:`costing.cba.irr`).

    Returns
    -------
    MonteCarloResult
    """
    missing = [f for f in factor_specs if f not in factor_items]
    if missing:
        raise ParameterError("Monte Carlo factors without items", expected=f"factors of {list(factor_items)}",
                             found=missing)
    if correlation is not None and not isinstance(correlation, np.ndarray) and len(correlation) and \
            isinstance(correlation[0], Mapping):
        correlation = correlation_matrix(list(factor_specs), correlation)
    draws = sample_factors(factor_specs, n, seed=seed, correlation=correlation)
    scale = {}
    for f, d in draws.items():
        for item in factor_items[f]:
            scale[item] = scale.get(item, 1.0) * d
    flows = model.net(scale)  # (n, T)
    if flows.ndim == 1:
        flows = np.broadcast_to(flows, (n, flows.size))
    df = discount_factors(get_preset(discount), flows.shape[1], timing=timing)
    npv_draws = flows @ df
    cost_names = [it.name for it in model.items if it.kind in ("capital", "operating")]
    cost = np.zeros(n)
    for name in cost_names:
        cost = cost + model.item(name).amounts.sum() * np.broadcast_to(scale.get(name, 1.0), (n,))
    if with_irr:
        import warnings

        from .measures import MultipleIRRWarning
        with warnings.catch_warnings():
            # Counted in the summary instead: draws with several IRRs are rare and listed by irr(full_output).
            warnings.simplefilter("ignore", MultipleIRRWarning)
            irr_draws = irr(flows)
    else:
        irr_draws = np.full(n, np.nan)
    return MonteCarloResult(npv_draws, irr_draws, cost, draws, seed)


def cdf_chart(result: MonteCarloResult, *, scale: float = 1e4, unit: str = "万元", ax=None,
              title: str = "净现值累积分布"):
    """Empirical CDF of the NPV draws with P10/P50/P90 and the NPV = 0 line.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..fmt import fmt_rate
    from ..plotting import new_figure, setup_fonts

    setup_fonts()
    x = np.sort(result.npv) / scale
    y = np.arange(1, x.size + 1) / x.size
    if ax is None:
        fig, ax = new_figure(7, 4)
    else:
        fig = ax.figure
    ax.plot(x, y, color="#1f78b4", lw=1.5, label="模拟结果的累积分布")
    ax.axvline(0, color="black", lw=1)
    for k, v in result.npv_percentiles().items():
        ax.axvline(v / scale, color="grey", ls="--", lw=0.8)
        ax.annotate(k, (v / scale, 0.02), rotation=90, fontsize=8, ha="right")
    ax.set_xlabel(f"净现值（{unit}）")
    ax.set_ylabel("累积概率")
    ax.set_title(f"{title}（净现值为负的概率 {fmt_rate(result.prob_negative)}）")
    ax.legend(loc="upper left")
    return fig
