"""Stochastic frontier analysis (SFA): a normal/half-normal frontier fitted by maximum likelihood.

The model (Aigner, Lovell & Schmidt 1977) for observation i is

    y_i = x_i'β + v_i - s·u_i,   v_i ~ N(0, σv²),   u_i ~ |N(0, σu²)|,

with s = +1 for a production frontier (inefficiency lowers output) and
s = -1 for a cost frontier (``cost=True``: inefficiency raises cost). ``y`` is
usually a logarithm (ln output, ln cost) and ``X`` the logged regressors
without the intercept, which is added as the first parameter.

Parameterisation and outputs follow FRONTIER 4.1 (Coelli 1996) and R's
``frontier`` package, so results can be compared one for one:

- σ² = σu² + σv² and γ = σu²/σ² ∈ (0, 1);
- start values: OLS, then a grid search over γ = 0.1, 0.2, ..., 0.9 that
  corrects the intercept and σ² by the half-normal moments;
- the log-likelihood is maximised with BFGS on (β, ln σ², logit γ) using the
  analytic gradient; standard errors come from the inverse of the observed
  information (the numerically differentiated analytic gradient) in
  (β, σ², γ);
- efficiency is E[exp(-u_i) | ε_i] (Battese & Coelli 1988), in (0, 1], for
  both production and cost frontiers (for a cost frontier it is the
  efficiency of the observed cost, as R frontier reports with its default
  ``minusU = TRUE``).

When the OLS residuals are skewed the wrong way (right-skewed for a
production frontier, left-skewed for a cost frontier) the ML estimate of γ is
0: there is no inefficiency in the data. As FRONTIER does, :func:`sfa` then
reports the OLS fit with γ = 0 and every efficiency 1, sets
``SFAResult.wrong_skew`` and warns with :class:`WrongSkewWarning`.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ..errors import InputError, ModelError

__all__ = ["SFAResult", "WrongSkewWarning", "sfa", "GAMMA_GRID"]

#: the γ grid of FRONTIER 4.1's grid search
GAMMA_GRID = np.round(np.arange(0.1, 0.91, 0.1), 10)
_LN_HALF_PI = np.log(np.pi / 2.0)


class WrongSkewWarning(UserWarning):
    """The OLS residuals are skewed the wrong way: no inefficiency was found (γ = 0)."""


@dataclass(frozen=True)
class SFAResult:
    """A fitted stochastic frontier.

    Attributes
    ----------
    params : ndarray
        β, intercept first [units of y per unit of each regressor].
    sigma2 : float
        σ² = σu² + σv² [units of y, squared].
    gamma : float
        γ = σu²/σ² [fraction].
    loglik : float
        Log-likelihood at the estimate.
    efficiency : ndarray
        E[exp(-u_i) | ε_i] per observation (Battese–Coelli 1988) [fraction,
        (0, 1]].
    bse : ndarray
        Standard errors of (β..., σ², γ); NaN for σ² and γ when no
        inefficiency was found (γ on its boundary).
    cov : ndarray
        Covariance matrix of (β..., σ², γ).
    residuals : ndarray
        ε = y - Xβ [units of y].
    names : tuple of str
        Parameter names: "const", the regressors, then "sigma2", "gamma".
    cost : bool
        True for a cost frontier.
    wrong_skew : bool
        True when the OLS residuals had the wrong skew (γ = 0, OLS reported).
    ols_params, ols_loglik :
        The OLS fit (ML log-likelihood, σ² = SSR/n).
    converged : bool
        The optimiser's convergence flag.
    """

    params: np.ndarray
    sigma2: float
    gamma: float
    loglik: float
    efficiency: np.ndarray
    bse: np.ndarray
    cov: np.ndarray
    residuals: np.ndarray
    names: tuple
    cost: bool
    wrong_skew: bool
    ols_params: np.ndarray
    ols_loglik: float
    converged: bool

    @property
    def sigma_u2(self) -> float:
        """σu² = γσ², variance of the (pre-truncation) inefficiency term."""
        return self.gamma * self.sigma2

    @property
    def sigma_v2(self) -> float:
        """σv² = (1 - γ)σ², variance of the noise term."""
        return (1.0 - self.gamma) * self.sigma2

    @property
    def mean_efficiency(self) -> float:
        """Mean of the observations' E[exp(-u)|ε] (FRONTIER's "mean efficiency")."""
        return float(np.mean(self.efficiency))

    @property
    def lr_statistic(self) -> float:
        """LR test of the one-sided error: 2 (loglik − OLS loglik).

        Under H0 (γ = 0) it follows a mixed χ² (Kodde & Palm 1986 critical
        values: 2.706 at 5% with one restriction)."""
        return 2.0 * (self.loglik - self.ols_loglik)

    @property
    def all_params(self) -> np.ndarray:
        """(β..., σ², γ), in the order of ``bse`` and ``names``."""
        return np.r_[self.params, self.sigma2, self.gamma]

    def summary(self) -> pd.DataFrame:
        """Coefficient table: estimate, standard error and t-ratio, as FRONTIER prints."""
        est = self.all_params
        with np.errstate(divide="ignore", invalid="ignore"):
            t = est / self.bse
        return pd.DataFrame({"coef": est, "std_err": self.bse, "t_ratio": t},
                            index=list(self.names))


# --------------------------------------------------------------------- likelihood
def _loglik_grad(beta, sigma2, gamma, y, X, sign):
    """Log-likelihood and its gradient in (β, σ², γ). ``sign`` = +1 production, -1 cost."""
    n = len(y)
    eps = y - X @ beta
    sigma = np.sqrt(sigma2)
    lam = np.sqrt(gamma / (1.0 - gamma))
    z = -sign * eps * lam / sigma
    log_cdf = special.log_ndtr(z)
    ll = -0.5 * n * _LN_HALF_PI - 0.5 * n * np.log(sigma2) + log_cdf.sum() \
        - (eps @ eps) / (2.0 * sigma2)
    mills = np.exp(stats.norm.logpdf(z) - log_cdf)  # φ(z)/Φ(z)
    g_beta = X.T @ (sign * lam * mills / sigma + eps / sigma2)
    g_sigma2 = -0.5 * n / sigma2 - (mills @ z) / (2.0 * sigma2) + (eps @ eps) / (2.0 * sigma2 ** 2)
    g_gamma = (mills @ z) / (2.0 * gamma * (1.0 - gamma))
    return ll, np.r_[g_beta, g_sigma2, g_gamma]


def _efficiency(eps, sigma2, gamma, sign):
    """Battese–Coelli (1988) E[exp(-u)|ε] for the half-normal model."""
    mu_star = -sign * eps * gamma
    sigma_star = np.sqrt(gamma * (1.0 - gamma) * sigma2)
    a = mu_star / sigma_star
    log_eff = special.log_ndtr(a - sigma_star) - special.log_ndtr(a) - mu_star \
        + 0.5 * sigma_star ** 2
    return np.exp(log_eff)


# --------------------------------------------------------------------- input handling
def _prepare(y, X):
    names = None
    if isinstance(X, pd.Series):
        X = X.to_frame()
    if isinstance(X, pd.DataFrame):
        names = [str(c) for c in X.columns]
    try:
        Xa = np.asarray(X, dtype=float)
        ya = np.asarray(y, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise InputError("SFA data must be numeric", expected="numbers", found=str(exc)) from None
    if Xa.ndim == 1:
        Xa = Xa[:, None]
    if Xa.ndim != 2 or Xa.shape[0] != ya.shape[0]:
        raise InputError("X must have one row per observation of y",
                         expected=f"{ya.shape[0]} rows", found=Xa.shape)
    if names is None:
        names = [f"x{j + 1}" for j in range(Xa.shape[1])]
    for arr, label, cols in ((ya[:, None], "y", ["y"]), (Xa, "X", names)):
        bad = ~np.isfinite(arr)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise InputError(f"{label} holds a missing or infinite value (observation {i}; "
                             f"{int(bad.sum())} in all); a log of a zero gives -inf",
                             row=int(i), column=cols[j], expected="a finite number",
                             found=float(arr[i, j]))
    n, k = Xa.shape[0], Xa.shape[1] + 1
    if n <= k + 2:
        raise ModelError(f"SFA needs more observations than parameters: {n} observations "
                         f"for {k + 2} parameters (β with intercept, σ², γ)")
    Z = np.column_stack([np.ones(n), Xa])
    rank = np.linalg.matrix_rank(Z)
    if rank < k:
        # name the first column that adds nothing to those before it
        for j in range(1, k + 1):
            if np.linalg.matrix_rank(Z[:, :j]) < j:
                break
        label = "const" if j == 1 else names[j - 2]
        raise ModelError(f"singular regression: the regressors are collinear (rank {rank} < "
                         f"{k} columns with the intercept); column {label!r} is a linear "
                         "combination of the columns before it (or constant)")
    return ya, Z, ["const"] + names


def _numeric_hessian(fun_grad, theta):
    """Central-difference Jacobian of the analytic gradient, symmetrised."""
    p = theta.size
    H = np.empty((p, p))
    for j in range(p):
        h = 1e-5 * max(1.0, abs(theta[j]))
        e = np.zeros(p)
        e[j] = h
        H[:, j] = (fun_grad(theta + e) - fun_grad(theta - e)) / (2 * h)
    return 0.5 * (H + H.T)


# --------------------------------------------------------------------- the estimator
def sfa(y, X, *, cost: bool = False, gamma_grid=GAMMA_GRID) -> SFAResult:
    """Fit a normal/half-normal stochastic frontier by maximum likelihood.

    Parameters
    ----------
    y : array_like, shape (n,)
        Dependent variable, usually logged: ln output [ln units] for a
        production frontier, ln cost [ln 元] for a cost frontier.
    X : array_like or DataFrame, shape (n, k)
        Regressors without the intercept (usually logged). DataFrame column
        names name the parameters.
    cost : bool
        False: production frontier, y = Xβ + v − u. True: cost frontier,
        y = Xβ + v + u (inefficiency raises cost).
    gamma_grid : array_like
        The γ values tried for start values (FRONTIER's 0.1, ..., 0.9).

    Returns
    -------
    SFAResult
        ``params`` (intercept first), ``sigma2``, ``gamma``, ``loglik``,
        ``efficiency`` E[exp(−u)|ε] ∈ (0, 1], ``bse``, ``cov`` and more.

    Raises
    ------
    InputError
        Non-numeric, missing or infinite data (for example the log of a 0).
    ModelError
        Too few observations, or collinear regressors (a singular regression).

    Warns
    -----
    WrongSkewWarning
        OLS residuals skewed the wrong way: no inefficiency found; the OLS fit
        is returned with γ = 0 and every efficiency 1.

    References
    ----------
    Coelli, T. (1996). A guide to FRONTIER version 4.1. CEPA Working Paper 96/07.
    Battese, G. E. & Coelli, T. J. (1988). J. Econometrics 38, 387–399.
    doi:10.1016/0304-4076(88)90053-X
    """
    ya, Z, names = _prepare(y, X)
    n, k = Z.shape
    sign = -1.0 if cost else 1.0
    beta_ols, *_ = np.linalg.lstsq(Z, ya, rcond=None)
    resid = ya - Z @ beta_ols
    ssr = float(resid @ resid)
    s2_ml = ssr / n
    ols_ll = -0.5 * n * (np.log(2 * np.pi * s2_ml) + 1.0)
    third = float(np.mean(resid ** 3))
    wrong = sign * third >= 0  # production needs negative skew, cost positive

    if wrong:
        warnings.warn(f"the OLS residuals are skewed the wrong way for a "
                      f"{'cost' if cost else 'production'} frontier (third moment "
                      f"{third:.4g}): no inefficiency was found, γ = 0 and the OLS "
                      "estimates are reported, as FRONTIER does", WrongSkewWarning,
                      stacklevel=2)
        cov_beta = s2_ml * n / (n - k) * np.linalg.inv(Z.T @ Z)
        cov = np.full((k + 2, k + 2), np.nan)
        cov[:k, :k] = cov_beta
        cov[k, k] = 2 * s2_ml ** 2 / n
        bse = np.sqrt(np.diag(cov))
        return SFAResult(params=beta_ols, sigma2=s2_ml, gamma=0.0, loglik=ols_ll,
                         efficiency=np.ones(n), bse=bse, cov=cov, residuals=resid,
                         names=tuple(names) + ("sigma2", "gamma"), cost=cost, wrong_skew=True,
                         ols_params=beta_ols, ols_loglik=ols_ll, converged=True)

    # grid search over γ (FRONTIER 4.1): σ² and the intercept from the half-normal moments
    best = None
    for g in np.asarray(gamma_grid, float):
        s2 = s2_ml / (1.0 - 2.0 * g / np.pi)
        b = beta_ols.copy()
        b[0] += sign * np.sqrt(2.0 * g * s2 / np.pi)
        ll, _ = _loglik_grad(b, s2, g, ya, Z, sign)
        if best is None or ll > best[0]:
            best = (ll, b, s2, g)
    _, b0, s20, g0 = best

    def unpack(th):
        return th[:k], np.exp(th[k]), special.expit(th[k + 1])

    def negll(th):
        b, s2, g = unpack(th)
        ll, gr = _loglik_grad(b, s2, g, ya, Z, sign)
        # chain rule to (ln σ², logit γ)
        gr = gr.copy()
        gr[k] *= s2
        gr[k + 1] *= g * (1.0 - g)
        return -ll, -gr

    th0 = np.r_[b0, np.log(s20), special.logit(g0)]
    opt = optimize.minimize(negll, th0, jac=True, method="BFGS",
                            options={"gtol": 1e-9, "maxiter": 2000})
    beta, s2, g = unpack(opt.x)
    ll, grad = _loglik_grad(beta, s2, g, ya, Z, sign)
    converged = bool(opt.success) or np.max(np.abs(grad)) < 1e-4
    if not (np.isfinite(ll) and 0.0 < g < 1.0):  # pragma: no cover - defensive
        raise ModelError(f"SFA maximum likelihood failed: {opt.message}")
    theta = np.r_[beta, s2, g]

    def grad_only(th):
        return _loglik_grad(th[:k], th[k], th[k + 1], ya, Z, sign)[1]

    H = _numeric_hessian(grad_only, theta)
    try:
        cov = np.linalg.inv(-H)
    except np.linalg.LinAlgError:
        raise ModelError("SFA: the information matrix is singular at the estimate, "
                         "so no standard errors (γ at a boundary?)") from None
    diag = np.diag(cov)
    if np.any(diag <= 0):
        warnings.warn("SFA: the information matrix is not positive definite at the "
                      "estimate; some standard errors are NaN", UserWarning, stacklevel=2)
    with np.errstate(invalid="ignore"):
        bse = np.sqrt(np.where(diag > 0, diag, np.nan))
    if not converged:
        warnings.warn(f"SFA optimiser did not converge: {opt.message}", UserWarning,
                      stacklevel=2)
    eps = ya - Z @ beta
    return SFAResult(params=beta, sigma2=float(s2), gamma=float(g), loglik=float(ll),
                     efficiency=_efficiency(eps, s2, g, sign), bse=bse, cov=cov,
                     residuals=eps, names=tuple(names) + ("sigma2", "gamma"), cost=cost,
                     wrong_skew=False, ols_params=beta_ols, ols_loglik=float(ols_ll),
                     converged=converged)
