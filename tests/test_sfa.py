"""Tests of costing.benchmark.sfa against FRONTIER 4.1 example 1, statsmodels and invariants.

Published reference data live in tests/fixtures/reference/sfa (sources in its README), so
every clone checks against them.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import integrate, optimize, stats

from costing.benchmark.sfa import SFAResult, WrongSkewWarning, _loglik_grad, sfa
from costing.errors import InputError, ModelError

REF = Path(__file__).resolve().parent / "fixtures" / "reference" / "sfa"

# FRONTIER 4.1 example 1 (frontier41_EG1.OUT, Coelli 1996): final MLE
EG1_BETA = [0.56161963, 0.28110205, 0.53647981]
EG1_SIGMA2, EG1_GAMMA = 0.21700046, 0.79720730
EG1_LOGLIK, EG1_MEAN_EFF, EG1_LR = -17.027229, 0.74056772, 0.28392402e01
EG1_SE = [0.20261668, 0.047643365, 0.045251553, 0.063909106, 0.13642399]
# FRONTIER's OLS step: coefficients, standard errors, σ² (with n-k), log-likelihood
EG1_OLS = [0.24489834, 0.28049246, 0.53330637]
EG1_OLS_SE = [0.21360307, 0.048066617, 0.051498586]
EG1_OLS_SIGMA2, EG1_OLS_LOGLIK = 0.11398496, -18.446849


@pytest.fixture(scope="module")
def eg1():
    d = pd.read_csv(REF / "front41Data.txt", sep=r"\s+")
    text = (REF / "frontier41_EG1.OUT").read_text()
    block = text.split("technical efficiency estimates :")[1].split("mean efficiency")[0]
    eff = {int(f): float(v) for f, v in re.findall(r"^\s+(\d+)\s+([0-9.E+-]+)\s*$", block, re.M)}
    y, X = np.log(d["output"]), np.log(d[["capital", "labour"]])
    return y, X, np.array([eff[i] for i in range(1, 61)]), sfa(y, X)


def test_eg1_estimates(eg1):
    _, _, _, r = eg1
    assert isinstance(r, SFAResult) and not r.wrong_skew and r.converged
    np.testing.assert_allclose(r.params, EG1_BETA, atol=2e-5)
    assert r.sigma2 == pytest.approx(EG1_SIGMA2, abs=2e-5)
    assert r.gamma == pytest.approx(EG1_GAMMA, abs=2e-5)
    # our optimiser stops at a log-likelihood as high as FRONTIER's (it stops at 1e-5 tol)
    assert r.loglik == pytest.approx(EG1_LOGLIK, abs=1e-5)
    assert r.loglik >= EG1_LOGLIK - 1e-6
    assert r.lr_statistic == pytest.approx(EG1_LR, abs=1e-4)
    assert list(r.names) == ["const", "capital", "labour", "sigma2", "gamma"]
    assert r.sigma_u2 + r.sigma_v2 == pytest.approx(r.sigma2)


def test_eg1_every_firm_efficiency(eg1):
    _, _, eff_published, r = eg1
    assert len(eff_published) == 60
    np.testing.assert_allclose(r.efficiency, eff_published, atol=2e-6)
    assert r.mean_efficiency == pytest.approx(EG1_MEAN_EFF, abs=1e-6)
    assert eff_published.mean() == pytest.approx(EG1_MEAN_EFF, abs=1e-8)


def test_eg1_standard_errors(eg1):
    # FRONTIER inverts its DFP quasi-Newton Hessian; we invert the observed
    # information, so the two agree to about 2 % (γ's is the loosest, 1.5 %)
    _, _, _, r = eg1
    np.testing.assert_allclose(r.bse, EG1_SE, rtol=0.02)
    assert np.allclose(r.cov, r.cov.T)


def test_eg1_ols_step(eg1):
    y, X, _, r = eg1
    # FRONTIER prints 8 digits of a computation on its 4-digit data: agree to 1e-5
    np.testing.assert_allclose(r.ols_params, EG1_OLS, atol=1e-6)
    assert r.ols_loglik == pytest.approx(EG1_OLS_LOGLIK, abs=1e-5)
    ols = sm.OLS(np.asarray(y), sm.add_constant(np.asarray(X))).fit()
    np.testing.assert_allclose(ols.bse, EG1_OLS_SE, rtol=1e-6)
    assert ols.scale == pytest.approx(EG1_OLS_SIGMA2, rel=1e-6)
    assert ols.llf == pytest.approx(r.ols_loglik, abs=1e-9)


def test_gradient_is_the_derivative_of_the_loglik():
    rng = np.random.default_rng(0)
    Z = np.column_stack([np.ones(40), rng.normal(size=(40, 2))])
    y = Z @ [1.0, 0.5, -0.2] + rng.normal(0, .2, 40) - np.abs(rng.normal(0, .4, 40))
    th = np.array([0.9, 0.45, -0.25, 0.2, 0.6])
    for sign in (1.0, -1.0):
        f = lambda t: _loglik_grad(t[:3], t[3], t[4], y, Z, sign)[0]  # noqa: E731
        num = optimize.approx_fprime(th, f, 1e-7)
        np.testing.assert_allclose(_loglik_grad(th[:3], th[3], th[4], y, Z, sign)[1], num,
                                   rtol=1e-5, atol=1e-5)


def test_efficiency_formula_by_quadrature():
    # E[exp(-u)|ε] with u|ε ~ N+(μ*, σ*²), μ* = -εγ, σ*² = γ(1-γ)σ² (production),
    # checked by integrating exp(-u) against that truncated-normal density
    rng = np.random.default_rng(1)
    n = 300
    Z = np.column_stack([np.ones(n), rng.normal(size=n)])
    y = Z @ [2.0, 0.7] + rng.normal(0, .15, n) - np.abs(rng.normal(0, .35, n))
    r = sfa(y, Z[:, 1:])
    eps = r.residuals[:3]
    mu, sd = -eps * r.gamma, np.sqrt(r.gamma * (1 - r.gamma) * r.sigma2)
    for i in range(3):
        dens = stats.truncnorm(-mu[i] / sd, np.inf, loc=mu[i], scale=sd)
        val, _ = integrate.quad(lambda u: np.exp(-u) * dens.pdf(u), 0, np.inf)
        assert r.efficiency[i] == pytest.approx(val, rel=1e-8)


def test_recovers_simulated_frontier():
    # 3,000 draws from y = 1 + 0.6 x1 + 0.3 x2 + v - u, σv = 0.15, σu = 0.3:
    # σ² = 0.1125, γ = 0.8; estimates within a few standard errors
    rng = np.random.default_rng(42)
    n = 3000
    X = rng.normal(size=(n, 2))
    y = 1 + X @ [0.6, 0.3] + rng.normal(0, 0.15, n) - np.abs(rng.normal(0, 0.3, n))
    r = sfa(y, X)
    truth = np.array([1, 0.6, 0.3, 0.1125, 0.8])
    assert np.all(np.abs(r.all_params - truth) < 4 * r.bse)
    assert 0 < r.efficiency.min() and r.efficiency.max() <= 1


def test_cost_frontier_mirrors_production():
    # if y = Xβ + v - u then -y = X(-β) + (-v) + u: a cost frontier with -β and the
    # same σ², γ, log-likelihood and efficiencies
    rng = np.random.default_rng(7)
    n = 400
    X = rng.normal(size=(n, 2))
    y = 0.5 + X @ [0.4, 0.2] + rng.normal(0, 0.1, n) - np.abs(rng.normal(0, 0.25, n))
    p, c = sfa(y, X), sfa(-y, X, cost=True)
    np.testing.assert_allclose(c.params, -p.params, atol=1e-6)
    assert c.sigma2 == pytest.approx(p.sigma2, rel=1e-5)
    assert c.gamma == pytest.approx(p.gamma, abs=1e-5)
    assert c.loglik == pytest.approx(p.loglik, abs=1e-8)
    np.testing.assert_allclose(c.efficiency, p.efficiency, atol=1e-5)


def test_rice_cost_frontier_smoke():
    d = pd.read_csv(REF / "riceProdPhil.csv")
    cost = d["LABOR"] * d["LABORP"] + d["NPK"] * d["NPKP"]
    X = np.log(d[["PROD", "AREA", "LABORP", "NPKP"]])
    r = sfa(np.log(cost), X, cost=True)
    assert len(r.efficiency) == 344 and not r.wrong_skew and 0 < r.gamma < 1
    assert np.all((r.efficiency > 0) & (r.efficiency <= 1))
    assert r.params[1] > 0 and r.params[2] > 0  # cost rises with output and area
    # the residual skew that fits a cost frontier is the wrong one for production
    with pytest.warns(WrongSkewWarning, match="no inefficiency was found"):
        p = sfa(np.log(cost), X, cost=False)
    assert p.wrong_skew and p.gamma == 0.0


def test_wrong_skew_reports_ols_with_gamma_zero():
    rng = np.random.default_rng(3)
    n = 200
    X = rng.normal(size=(n, 1))
    y = 1 + 0.5 * X[:, 0] + rng.normal(0, .1, n) + np.abs(rng.normal(0, .3, n))  # u added
    with pytest.warns(WrongSkewWarning, match="skewed the wrong way for a production"):
        r = sfa(y, X)
    ols = sm.OLS(y, sm.add_constant(X)).fit()
    np.testing.assert_allclose(r.params, ols.params, atol=1e-10)
    np.testing.assert_allclose(r.bse[:2], ols.bse, rtol=1e-10)
    assert r.gamma == 0.0 and r.sigma2 == pytest.approx(ols.ssr / n)
    assert r.loglik == pytest.approx(ols.llf) and r.lr_statistic == pytest.approx(0.0)
    np.testing.assert_array_equal(r.efficiency, 1.0)
    assert r.summary().loc["gamma", "coef"] == 0.0


def test_singular_regression():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"ln_km": rng.normal(size=30), "ln_fleet": rng.normal(size=30)})
    X["ln_km_copy"] = 2 * X["ln_km"]
    with pytest.raises(ModelError, match="singular regression.*'ln_km_copy'"):
        sfa(rng.normal(size=30), X)
    with pytest.raises(ModelError, match="singular regression.*'const'|'wage'"):
        sfa(rng.normal(size=30), pd.DataFrame({"wage": np.ones(30)}))


def test_bad_data():
    with pytest.raises(InputError, match="missing or infinite") as exc:
        sfa([1.0, 2.0, np.nan, 4.0, 5.0, 6.0], np.arange(6.0))
    assert exc.value.location.row == 2
    with pytest.raises(InputError, match="missing or infinite"), np.errstate(divide="ignore"):
        sfa(np.arange(6.0), np.log(np.array([1.0, 2, 0, 3, 4, 5])))
    with pytest.raises(ModelError, match="more observations than parameters"):
        sfa([1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 2.0, 5.0])
    with pytest.raises(InputError, match="one row per observation"):
        sfa(np.arange(6.0), np.arange(5.0))
