"""The four steps on a tiny project, every figure worked by hand (see tests/tiny_project.py)."""
import math

import numpy as np
import pandas as pd
import pytest

import costing
from costing.method import cut_amount, cut_rate
from tiny_project import write_tiny


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return costing.run_method(costing.load_project(write_tiny(tmp_path_factory.mktemp("tiny"))))


def test_step1_targets_by_hand(result):
    d = result.target.drivers
    # R1: ceil(60/10)=6 peak vehicles; 2h*60/10 + 10h*60/20 = 12+30 = 42 round trips a day;
    #     42 trips * 2 directions * 10 km * 300 days = 252,000 vkm; 42 * 60 min / 60 * 300 = 12,600 vh.
    # R2: ceil(45/15)=3; 2*60/15 + 10*60/15 = 8+40 = 48 trips; 48*2*5*300 = 144,000 vkm; 48*45/60*300 = 10,800 vh.
    assert d["peak_vehicles"] == 9
    assert d["vehicle_km"] == pytest.approx(252_000 + 144_000)
    assert d["vehicle_hours"] == pytest.approx(12_600 + 10_800)
    assert d["vehicle_km_bev"] == pytest.approx(252_000)
    assert d["vehicle_km_diesel"] == pytest.approx(144_000)
    # spares 10%: ceil(6*1.1)=7 BEV, ceil(3*1.1)=4 diesel, 0 CNG
    assert (d["vehicles_bev"], d["vehicles_diesel"], d["vehicles_cng"], d["vehicles"]) == (7, 4, 0, 11)
    assert d["drivers"] == pytest.approx(11 * 1.3)  # 人车比 1.3 (Shanting default)
    assert d["staff"] == pytest.approx(11 * 0.6)
    assert d["fare_revenue"] == pytest.approx(1_500_000 * 2.0)
    assert result.target.output_amount == pytest.approx(396_000)


NEED = {
    "wages": 14.3 * 100_000,                 # drivers × wage
    "social": 0.3 * 14.3 * 100_000,          # 30% on wages
    "energy": 252_000 * 100 / 100 * 0.8,     # kWh/100km × BEV vkm / 100 × 元/kWh
    "maintenance": 396_000 * 1.0,
    "insurance": 11 * 1 * 10_000,            # 1 万元 per vehicle
}
NEED["management"] = 0.1 * sum(NEED.values())  # 10% of the subtotal before it


def test_step2_need_by_hand(result):
    items = result.need.items
    for k, v in NEED.items():
        assert items.loc[k, "cost"] == pytest.approx(v), k
    assert items.loc["insurance", "unit_price"] == pytest.approx(10_000)  # 万元 converted to 元
    assert result.need.total == pytest.approx(sum(NEED.values()))
    assert items["unit_cost"].sum() * 396_000 == pytest.approx(result.need.total)


def test_step3_actuals_restated_and_averaged(result):
    b = result.benchmark
    # CPI 2022=100, 2023=105, 2024=2025=110: restate to 2025 prices, divide by that year's vkm.
    maint = (360_000 * 110 / 100 / 400_000 + 357_000 * 110 / 105 / 380_000 + 400_000 * 110 / 110 / 400_000) / 3
    ins = (100_000 * 110 / 100 / 400_000 + 105_000 * 110 / 105 / 380_000 + 110_000 / 400_000) / 3
    assert b.actual_3yr_avg["maintenance"] == pytest.approx(maint)
    assert b.actual_3yr_avg["insurance"] == pytest.approx(ins)
    assert b.actual_years_used == [2022, 2023, 2024]
    assert math.isnan(b.actual_3yr_avg["wages"])  # no actuals given for wages


def test_step3_peers_percentiles_and_rank(result):
    b = result.benchmark
    # Peer maintenance per vkm: 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3 -> P50 = (0.9+1.0)/2, P25 = 0.775
    s = b.peer_item_summary.loc["maintenance"]
    assert s["p50"] == pytest.approx(0.95)
    assert s["p25"] == pytest.approx(0.775)  # numpy linear: 0.7 + 0.75*(0.8-0.7)
    # cost per vkm of P1..P8 = 9.0, 9.2, 8.75, 8.8, 8.4167, 8.6, 8.25, 8.4
    cpk = b.peers["cost_per_vehicle_km"]
    assert cpk["P1"] == pytest.approx(9.0)
    assert b.peer_summary.loc["cost_per_vehicle_km", "p50"] == pytest.approx(np.median(
        [2.7e6 / 3e5, 4.6e6 / 5e5, 7e6 / 8e5, 8.8e6 / 1e6, 10.1e6 / 1.2e6, 12.9e6 / 1.5e6, 16.5e6 / 2e6, 21e6 / 2.5e6]))
    # project's 2024 actual: (400,000 + 110,000) / 400,000 = 1.275 元/vkm, cheapest of all -> rank 1
    assert b.peer_summary.loc["cost_per_vehicle_km", "project"] == pytest.approx(510_000 / 400_000)
    assert b.peer_summary.loc["cost_per_vehicle_km", "rank"] == 1


def test_step3_cost_function_matches_statsmodels(result):
    import statsmodels.api as sm

    b = result.benchmark
    peers = b.peers
    X = sm.add_constant(np.log(peers[["vehicle_km", "vehicles", "avg_wage"]].astype(float)))
    ref = sm.OLS(np.log(peers["total_cost"].astype(float)), X).fit(cov_type="HC3")
    np.testing.assert_allclose(b.cost_function.params.to_numpy(), ref.params.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(b.cost_function.bse.to_numpy(), ref.bse.to_numpy(), rtol=1e-10)
    x = np.array([1, np.log(396_000), np.log(11), np.log(100_000)])
    assert b.expected_cost["expected"] == pytest.approx(np.exp(x @ ref.params.to_numpy()))
    assert b.expected_cost["lower"] < b.expected_cost["expected"] < b.expected_cost["upper"]


def test_step4_standard_rules_and_provenance(result):
    s = result.standard.items
    b = result.benchmark
    assert s.loc["maintenance", "chosen"] == "peer_p50"  # min(0.9914, 0.95)
    assert s.loc["maintenance", "unit_cost"] == pytest.approx(0.95)
    assert s.loc["maintenance", "amount"] == pytest.approx(0.95 * 396_000)
    assert s.loc["insurance", "amount"] == pytest.approx(b.actual_3yr_avg["insurance"] * 396_000)
    assert s.loc["wages", "amount"] == pytest.approx(NEED["wages"])
    p = s.loc["maintenance", "provenance"]  # a record, not a string to split
    assert p.basis == "peer_p50" and "2024" in p.source and str(p).startswith(f"规则 {p.rule} → peer_p50：")
    assert "2022–2024" in s.loc["insurance", "provenance"].source


def test_step4_budget_shanting_by_hand(result):
    s = result.standard.items["amount"]
    regulated = s.sum()
    b = result.budget
    # subsidy = regulated + taxes − (fares + other) − higher-level + regulated × 2%
    expected = regulated + 10_000 - (3_000_000 + 0) - 500_000 + 0.02 * regulated
    assert b.subsidy == pytest.approx(expected)
    assert b.requested == 3_000_000
    assert b.cut_amount == pytest.approx(3_000_000 - expected)
    assert b.cut_rate == pytest.approx((3_000_000 - expected) / 3_000_000)
    assert b.unit_cost_standard == pytest.approx(regulated / 396_000)


def test_invariants(result):
    st, b = result.standard, result.budget
    assert st.items["amount"].sum() == pytest.approx(st.total)
    assert st.unit_cost_standard * result.target.output_amount == pytest.approx(st.total)
    assert b.regulated_cost == pytest.approx(st.total)
    np.testing.assert_allclose(b.items["cut_amount"], b.items["requested"] - b.items["approved"])
    np.testing.assert_allclose(b.items["cut_rate"], b.items["cut_amount"] / b.items["requested"])
    w = b.waterfall()  # numbers and ids: the labels come when it is shown
    assert w["id"].iloc[0] == "regulated_cost" and w["id"].iloc[-1] == "subsidy"
    assert w["amount"].iloc[:-1].sum() == pytest.approx(w["amount"].iloc[-1]) == pytest.approx(b.subsidy)
    s = b.summary().set_index("id")
    assert s.loc["cut_rate", "value"] == b.cut_rate and s.loc["cut_rate", "unit"] == "fraction"


def test_profit_rate_is_capped(tmp_path):
    proj = write_tiny(tmp_path, project=__import__("tiny_project").PROJECT.replace("profit_rate = 0.02",
                                                                                   "profit_rate = 0.05"))
    r = costing.run_method(costing.load_project(proj))
    assert r.budget.profit_rate == 0.03
    assert r.budget.profit == pytest.approx(0.03 * r.budget.regulated_cost)
    assert any("上限" in n for n in r.budget.notes)


def test_policy_operating_split_preset(tmp_path):
    from tiny_project import PROJECT

    text = PROJECT.replace('preset = "shanting"', 'preset = "policy_operating_split"').replace(
        "city_avg_wage = 100000.0", "city_avg_wage = 100000.0\nfree_ride_trips = 100000.0\nconcession_trips = 200000.0")
    r = costing.run_method(costing.load_project(write_tiny(tmp_path, project=text)))
    b = r.budget
    policy = 100_000 * 2.0 + 200_000 * 2.0 * 0.5  # free rides at full fare + half fares
    assert b.policy_loss == pytest.approx(policy)
    operating = b.regulated_cost + 10_000 - 3_000_000 - 500_000 - policy
    assert b.operating_loss == pytest.approx(operating)
    assert b.subsidy == pytest.approx(policy + max(operating, 0) + 0.02 * b.regulated_cost)


def test_changing_a_peer_never_changes_the_actuals(tmp_path):
    from tiny_project import TABLES

    a = costing.run_method(costing.load_project(write_tiny(tmp_path / "a")))
    peers = TABLES["peers.csv"].replace("P8,2024,2500000,150000,60,7000000,14000000,21000000",
                                        "P8,2024,2500000,150000,60,7000000,14000000,29000000")
    b = costing.run_method(costing.load_project(write_tiny(tmp_path / "b", files={"peers.csv": peers})))
    pd.testing.assert_frame_equal(a.benchmark.actuals, b.benchmark.actuals)
    pd.testing.assert_series_equal(a.benchmark.actual_3yr_avg, b.benchmark.actual_3yr_avg)
    assert a.benchmark.peers.loc["P8", "total_cost"] != b.benchmark.peers.loc["P8", "total_cost"]


def test_rule_override_argument(result):
    r = costing.run_method(result.project, rules={"maintenance": "actual_3yr_avg"})
    assert r.standard.items.loc["maintenance", "unit_cost"] == pytest.approx(result.benchmark.actual_3yr_avg["maintenance"])


def test_cut_rate_of_the_articles_portfolio():
    # published figures: 文登区 2021 事前评估 checked 38.19亿元, cut 11.61亿元, 审减率 30.40%
    # (杨辉《立足县域实践 探索预算绩效管理路径》（威海市文登区财政局“135”预算绩效管理新模式）)
    assert round(cut_rate(38.19, 38.19 - 11.61), 4) == 0.3040
    assert cut_amount(38.19, 38.19 - 11.61) == pytest.approx(11.61)
    s = cut_rate(pd.Series([100.0, 0.0]), pd.Series([70.0, 0.0]))
    assert s.iloc[0] == pytest.approx(0.3) and math.isnan(s.iloc[1])


def test_sensitivity_is_linear_and_signed(result):
    from costing.method import subsidy_sensitivity

    t = subsidy_sensitivity(result).set_index(["factor", "delta"])
    base = result.budget.subsidy
    # ridership +10% lowers the subsidy by exactly 10% of the fares
    assert t.loc[("ridership", 0.1), "change"] == pytest.approx(-0.1 * 3_000_000)
    # energy +10% raises the regulated cost by 10% of the energy standard, and the profit with it
    e = result.standard.items.loc["energy", "amount"]
    assert t.loc[("energy_price", 0.1), "change"] == pytest.approx(0.1 * e * 1.02)
    assert t.loc[("energy_price", -0.1), "subsidy"] == pytest.approx(base - 0.1 * e * 1.02)


def test_frontier_rule_catch_up(tmp_path):
    """Single input and output under CRS: θ = (output/cost of the project) / (best ratio).

    Project 2024: cost 400,000 + 110,000 = 510,000 元 for 400,000 vkm (ratio 0.7843).
    Added peer P9: 1,000,000 vkm for 637,500 元 (ratio 1.5686 = 2 × 0.7843) -> θ = 0.5.
    """
    from tiny_project import PROJECT, TABLES

    peers = TABLES["peers.csv"] + "P9,2024,1000000,60000,25,3000000,6000000,637500,98000\n"
    text = PROJECT.replace("[budget]", '[benchmark]\nfrontier = { inputs = ["total_cost"], outputs = ["vehicle_km"], '
                                       'rts = "crs" }\n\n[standard]\nmaintenance = "frontier"\n\n[budget]')
    r = costing.run_method(costing.load_project(write_tiny(tmp_path / "a", files={"peers.csv": peers}, project=text)))
    f = r.benchmark.frontier
    assert f.efficiency == pytest.approx(0.5)
    assert f.scores["P9"] == pytest.approx(1.0)
    avg = r.benchmark.actual_3yr_avg["maintenance"]
    # default catch-up 50% of the gap in the first year: 1 − 0.5 × (1 − 0.5) = 0.75
    assert r.standard.items.loc["maintenance", "unit_cost"] == pytest.approx(0.75 * avg)
    assert "规模报酬不变" in r.standard.items.loc["maintenance", "provenance"].source
    # two years of 50% catch-up close 1 − 0.5² = 75% of the gap: 1 − 0.75 × 0.5 = 0.625
    text2 = text.replace("city_avg_wage = 100000.0", "city_avg_wage = 100000.0\nfrontier_catch_up_years = 2.0")
    r2 = costing.run_method(costing.load_project(write_tiny(tmp_path / "b", files={"peers.csv": peers}, project=text2)))
    assert r2.standard.items.loc["maintenance", "unit_cost"] == pytest.approx(0.625 * avg)
    # catch-up 100%: the standard is the frontier itself
    text3 = text.replace("city_avg_wage = 100000.0", "city_avg_wage = 100000.0\nfrontier_catch_up = 1.0")
    r3 = costing.run_method(costing.load_project(write_tiny(tmp_path / "c", files={"peers.csv": peers}, project=text3)))
    assert r3.standard.items.loc["maintenance", "unit_cost"] == pytest.approx(0.5 * avg)


def test_cost_plus_diagnostic_by_hand():
    from costing.benchmark.diagnostics import cost_plus_diagnostic

    years = [2021, 2022, 2023]
    rising = pd.DataFrame({"unit_cost": [9.0, 9.5, 10.0], "cost_per_passenger": [6.0, 6.6, 7.2],
                           "passengers_per_output": [1.5, 1.44, 1.39]}, index=years)
    d = cost_plus_diagnostic(rising)
    assert d["flag"] and d["slopes"]["unit_cost"] == pytest.approx(0.5)
    steady = rising.assign(passengers_per_output=[1.4, 1.45, 1.5])
    assert not cost_plus_diagnostic(steady)["flag"]
