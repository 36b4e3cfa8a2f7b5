"""Peer statistics and cost functions: hand-computed values and statsmodels on the same input."""
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from costing.benchmark import fit_cost_function, outlier_flags, percentile_rank, summarize_peers
from costing.benchmark.costfn import design
from costing.errors import ModelError


def test_percentile_rank_mid_rank_rule():
    # 3 peers below 5, one equal: rank 4; percentile (3 + 0.5*1)/5 = 0.7
    assert percentile_rank([1, 2, 3, 5, 8], 5) == (4, pytest.approx(0.7))
    assert percentile_rank([1, 2, 3], 0.5) == (1, 0.0)


def test_outlier_flags_by_hand():
    x = np.array([10.0, 11, 12, 13, 14, 40])
    f = outlier_flags(x)
    # Q1 = 11.25, Q3 = 13.75 (linear), IQR = 2.5: fences 7.5 and 17.5 -> only 40 is out
    assert f["outlier_iqr"].tolist() == [False] * 5 + [True]
    # median 12.5, MAD = median(|x - 12.5|) = median(2.5,1.5,.5,.5,1.5,27.5) = 1.5; z(40) = 0.6745*27.5/1.5
    assert f["robust_z"].iloc[5] == pytest.approx(0.6745 * 27.5 / 1.5)
    assert f["outlier_z"].tolist() == [False] * 5 + [True]


def test_summarize_peers_percentiles():
    m = pd.DataFrame({"cost_per_vehicle_km": [8.0, 9.0, 10.0, 11.0]})
    s = summarize_peers(m, {"cost_per_vehicle_km": 9.5}).loc["cost_per_vehicle_km"]
    assert (s["p25"], s["p50"], s["p75"]) == (8.75, 9.5, 10.25)  # numpy linear interpolation
    assert s["rank"] == 3 and s["percentile"] == pytest.approx(0.5)


@pytest.fixture
def peers():
    rng = np.random.default_rng(7)
    n = 40
    vkm = np.exp(rng.normal(np.log(1e7), 0.5, n))
    veh = vkm / rng.uniform(50000, 70000, n)
    wage = 90000 * np.exp(rng.normal(0, 0.1, n))
    cost = np.exp(1.0 + 0.9 * np.log(vkm) + 0.1 * np.log(veh) + 0.4 * np.log(wage) + rng.normal(0, 0.05, n))
    return pd.DataFrame({"total_cost": cost, "vehicle_km": vkm, "vehicles": veh, "avg_wage": wage})


def test_cobb_douglas_equals_statsmodels(peers):
    r = fit_cost_function(peers, "total_cost", ["vehicle_km", "vehicles", "avg_wage"])
    X = sm.add_constant(np.log(peers[["vehicle_km", "vehicles", "avg_wage"]]))
    ref = sm.OLS(np.log(peers["total_cost"]), X).fit(cov_type="HC3")
    np.testing.assert_allclose(r.params, ref.params, rtol=1e-12)
    np.testing.assert_allclose(r.bse, ref.bse, rtol=1e-12)
    assert r.rsquared == pytest.approx(ref.rsquared)
    # the generating elasticity of scale (0.9) is recovered within 3 standard errors
    assert abs(r.params["ln_vehicle_km"] - 0.9) < 3 * r.bse["ln_vehicle_km"]
    pt = peers.iloc[0].to_dict()
    assert r.residual(pt, pt["total_cost"]) == pytest.approx(r.residuals.iloc[0])


def test_translog_design_and_fit(peers):
    X = design(peers.head(3), ["vehicle_km", "avg_wage"], "translog")
    a, w = np.log(peers["vehicle_km"].iloc[0]), np.log(peers["avg_wage"].iloc[0])
    # const, ln a, ln w, ½(ln a)², (ln a)(ln w), ½(ln w)²
    np.testing.assert_allclose(X.iloc[0].to_numpy(), [1, a, w, 0.5 * a * a, a * w, 0.5 * w * w])
    r = fit_cost_function(peers, "total_cost", ["vehicle_km", "avg_wage"], form="translog")
    assert r.n == 40 and len(r.params) == 6


def test_quantile_regression_equals_statsmodels(peers):
    r = fit_cost_function(peers, "total_cost", ["vehicle_km", "avg_wage"], method="quantile", q=0.5)
    X = sm.add_constant(np.log(peers[["vehicle_km", "avg_wage"]]))
    ref = sm.QuantReg(np.log(peers["total_cost"]), X).fit(q=0.5)
    np.testing.assert_allclose(r.params, ref.params, rtol=1e-10)
    p = r.predict({"vehicle_km": 1e7, "avg_wage": 9e4})
    assert p["lower"] < p["expected"] < p["upper"]


def test_singular_and_too_few(peers):
    bad = peers.assign(vehicles=peers["vehicle_km"] / 60000)  # ln vehicles = ln vkm − ln 60000: collinear
    with pytest.raises(ModelError, match="singular"):
        fit_cost_function(bad, "total_cost", ["vehicle_km", "vehicles"])
    with pytest.raises(ModelError, match="too few peers"):
        fit_cost_function(peers.head(4), "total_cost", ["vehicle_km", "vehicles", "avg_wage"])
    with pytest.raises(ModelError, match="positive"):
        fit_cost_function(peers.assign(avg_wage=0.0), "total_cost", ["vehicle_km", "avg_wage"])


def test_expected_cost_vectorised_equals_predict(peers):
    r = fit_cost_function(peers, "total_cost", ["vehicle_km", "avg_wage"], form="translog")
    pts = peers[["vehicle_km", "avg_wage"]].head(5)
    many = r.expected_cost(pts)
    one = [r.predict(row)["expected"] for row in pts.to_dict("records")]
    np.testing.assert_allclose(many, one, rtol=1e-12)
