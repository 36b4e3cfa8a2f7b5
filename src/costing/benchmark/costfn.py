"""Cost functions across peers, with statsmodels.

- **Cobb-Douglas** (log-log): ln C = β0 + Σ βk ln xk + ε.
- **Translog**: adds ½·Σ_k Σ_l βkl ln xk ln xl (squares and pairwise products).

Fitted by OLS with heteroskedasticity-robust (HC3 by default) standard errors,
or by quantile regression (``method="quantile"``, median by default). The
expected cost at a point is exp(ŷ): the *median* cost for that scale under a
log-normal error (no smearing correction is applied; say so in reports). The
interval is the 95% prediction interval of ln C, exponentiated.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ModelError

FORMS = ("cobb_douglas", "translog")


def design(df: pd.DataFrame, regressors: Sequence[str], form: str = "cobb_douglas") -> pd.DataFrame:
    """The design matrix (with a constant) of a cost function in logs."""
    if form not in FORMS:
        raise ValueError(f"unknown cost-function form {form!r}; expected one of {FORMS}")
    logs = {f"ln_{r}": np.log(np.asarray(df[r], dtype=float)) for r in regressors}
    X = pd.DataFrame(logs, index=df.index)
    if form == "translog":
        names = list(logs)
        for i, a in enumerate(names):
            for b in names[i:]:
                X[f"{a}*{b}" if a != b else f"½{a}²"] = (0.5 if a == b else 1.0) * X[a] * X[b]
    X.insert(0, "const", 1.0)  # as statsmodels' add_constant(X, has_constant="add")
    return X


@dataclass
class CostFunctionResult:
    """A fitted cost function.

    Attributes
    ----------
    form, method : str
    params, bse : Series
        Coefficients and robust standard errors (log scale).
    rsquared : float
        R² (OLS) or pseudo-R² (quantile).
    n : int
        Peers used.
    fit : statsmodels results
        The statsmodels results object (``.summary()`` for diagnostics).
    fitted, residuals : Series
        ln C fitted and residual per peer.
    """

    form: str
    method: str
    regressors: list[str]
    params: pd.Series
    bse: pd.Series
    rsquared: float
    n: int
    fit: object
    fitted: pd.Series
    residuals: pd.Series

    def expected_cost(self, points: pd.DataFrame) -> np.ndarray:
        """Expected cost exp(ŷ) [元] at many points at once (one row per point)."""
        X = design(points, self.regressors, self.form)[self.params.index]
        return np.exp(X.to_numpy() @ self.params.to_numpy())

    def predict(self, point: Mapping[str, float], alpha: float = 0.05) -> dict:
        """Expected cost [元] at ``point`` with a (1 − alpha) interval.

        Returns ``{"expected", "lower", "upper", "ln_expected", "se"}``; for a
        quantile fit the interval is that of the coefficient uncertainty only.
        """
        row = pd.DataFrame({r: [float(point[r])] for r in self.regressors})
        X = design(row, self.regressors, self.form)
        X = X[self.params.index]
        if self.method == "ols":
            pr = self.fit.get_prediction(X).summary_frame(alpha=alpha)
            ln = float(pr["mean"].iloc[0])
            lo, hi = float(pr["obs_ci_lower"].iloc[0]), float(pr["obs_ci_upper"].iloc[0])
            se = float(pr["mean_se"].iloc[0])
        else:
            ln = float((X.to_numpy() @ self.params.to_numpy())[0])
            cov = np.asarray(self.fit.cov_params())
            x = X.to_numpy()[0]
            se = float(np.sqrt(x @ cov @ x))
            from scipy.stats import norm
            z = norm.ppf(1 - alpha / 2)
            lo, hi = ln - z * se, ln + z * se
        return {"expected": float(np.exp(ln)), "lower": float(np.exp(lo)), "upper": float(np.exp(hi)),
                "ln_expected": ln, "se": se}

    def residual(self, point: Mapping[str, float], cost: float) -> float:
        """ln(actual cost) − ln(expected cost): > 0 means dearer than peers of its scale."""
        return float(np.log(cost) - self.predict(point)["ln_expected"])


def fit_cost_function(df: pd.DataFrame, cost: str, regressors: Sequence[str], *, form: str = "cobb_douglas",
                      method: str = "ols", cov_type: str = "HC3", q: float = 0.5,
                      min_obs: int | None = None) -> CostFunctionResult:
    """Fit ln(cost) on the logs of ``regressors`` across peers.

    Parameters
    ----------
    df : DataFrame
        One row per peer; ``cost`` [元] and every regressor must be > 0.
    cost : str
        Total-cost column.
    regressors : sequence of str
        Scale and input-price columns (``vehicle_km``, ``vehicles``, ``avg_wage``).
    form : {"cobb_douglas", "translog"}
    method : {"ols", "quantile"}
    cov_type : str
        statsmodels robust covariance for OLS (``HC0``–``HC3``, ``nonrobust``).
    q : float
        Quantile for ``method="quantile"``.
    min_obs : int, optional
        Fewest peers accepted (default: parameters + 2).

    Raises
    ------
    ModelError
        Too few peers, non-positive values, or a singular design (collinear regressors).
    """
    regressors = list(regressors)
    data = df[[cost] + regressors].astype(float)
    if (data <= 0).to_numpy().any() or data.isna().to_numpy().any():
        bad = data.columns[((data <= 0) | data.isna()).any()].tolist()
        raise ModelError(f"cost function needs positive values; non-positive or missing in {bad}")
    X = design(data, regressors, form)
    k = X.shape[1]
    need = min_obs if min_obs is not None else k + 2
    if len(data) < need:
        raise ModelError(f"too few peers for the {form} cost regression: {len(data)} peers for {k} "
                         f"coefficients; need at least {need}")
    rank = np.linalg.matrix_rank(X.to_numpy())
    if rank < k:
        raise ModelError(f"singular cost regression: the regressors {regressors} are collinear "
                         f"(design rank {rank} < {k} columns)")
    y = np.log(data[cost])
    if method == "ols":
        from statsmodels.regression.linear_model import OLS

        fit = OLS(y, X).fit(cov_type=cov_type)
        r2 = float(fit.rsquared)
    elif method == "quantile":
        from statsmodels.regression.quantile_regression import QuantReg

        fit = QuantReg(y, X).fit(q=q)
        r2 = float(fit.prsquared)
    else:
        raise ValueError(f"unknown method {method!r}; expected 'ols' or 'quantile'")
    fitted = pd.Series(np.asarray(X.to_numpy() @ fit.params.to_numpy()), index=df.index)
    return CostFunctionResult(form=form, method=method, regressors=regressors, params=fit.params,
                              bse=fit.bse, rsquared=r2, n=len(data), fit=fit, fitted=fitted,
                              residuals=y - fitted)


def residual_plot(cf: CostFunctionResult, *, title: str | None = None):
    """Residuals of a fitted cost function against fitted ln cost (a statsmodels-style diagnostic).

    Returns ``(fig, ax)`` so callers can mark more on it.
    """
    from ..glossary import display_name
    from ..plotting import new_figure

    fig, ax = new_figure(8, 4.2)
    ax.scatter(cf.fitted, cf.residuals, s=14, color="#9a9a9a", label="同行单位")
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xlabel("拟合值：总成本的自然对数")
    ax.set_ylabel("残差")
    ax.set_title(title or f"成本函数残差（{display_name(cf.form)}，{display_name(cf.method)}，R² = {cf.rsquared:.3f}，"
                          f"同行样本 {cf.n} 个）")
    return fig, ax
