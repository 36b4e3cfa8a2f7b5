"""Tests of costing.cba discounting presets, the cash-flow model, sensitivity,
switching values, Monte Carlo, adjustments and the project reader."""
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from costing import cba
from costing.errors import InputError, ParameterError

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "data" / "projects" / "cba_ebus_replacement.toml"


# ---------------------------------------------------------------- presets and discount factors
def test_presets_record_source_and_date():
    for p in cba.DISCOUNT_PRESETS.values():
        assert p.source and p.date
    assert cba.get_preset("china_8").rate == 0.08
    assert "6%" in cba.get_preset("china_8").note
    assert cba.get_preset("china_6").rate == 0.06 and "SL 72" in cba.get_preset("china_6").source
    assert cba.get_preset("nz_non_commercial").rate == 0.02 and cba.get_preset("nz_commercial").rate == 0.08
    with pytest.raises(ParameterError, match="china_8"):
        cba.get_preset("nope")


def test_green_book_declining_schedule_cumulative_product():
    gb = cba.get_preset("uk_green_book")
    rates = gb.year_rates(302)
    # years 1..30 at 3.5%, 31..75 at 3.0%, 76..125 2.5%, 126..200 2.0%, 201..300 1.5%, 301+ 1.0%
    assert rates[29] == 0.035 and rates[30] == 0.030 and rates[74] == 0.030 and rates[75] == 0.025
    assert rates[124] == 0.025 and rates[125] == 0.020 and rates[199] == 0.020 and rates[200] == 0.015
    assert rates[299] == 0.015 and rates[300] == 0.010
    df = cba.discount_factors(gb, 302)
    assert df[30] == pytest.approx(1.035 ** -30, rel=1e-14)
    assert df[31] == pytest.approx(1.035 ** -30 / 1.03, rel=1e-14)
    assert df[100] == pytest.approx(1.035 ** -30 * 1.03 ** -45 * 1.025 ** -25, rel=1e-13)
    assert np.all(np.diff(df) < 0)
    # mid-year: DF(0.5) = 1.035**-0.5; DF(30.5) = DF(30) / 1.03**0.5
    mid = cba.discount_factors(gb, 32, timing="mid")
    assert mid[0] == pytest.approx(1.035 ** -0.5) and mid[30] == pytest.approx(1.035 ** -30 / 1.03 ** 0.5)


def test_timing_options_and_excel_compatibility():
    v = np.array([-100.0, 40, 50, 60])
    assert cba.present_value(v, 0.08) == pytest.approx(cba.npv(0.08, v), rel=1e-14)
    assert cba.present_value(v, 0.08, timing="end") == pytest.approx(cba.excel_npv(0.08, v), rel=1e-14)
    assert cba.present_value(v, 0.08, timing="mid") == pytest.approx(cba.npv(0.08, v) / 1.08 ** 0.5, rel=1e-14)
    with pytest.raises(ParameterError, match="timing"):
        cba.discount_factors(0.08, 3, timing="beginning")


def test_fisher_rates():
    assert cba.real_rate(0.1025, 0.05) == pytest.approx(0.05)
    assert cba.nominal_rate(0.05, 0.05) == pytest.approx(0.1025)


# ---------------------------------------------------------------- model
def _model():
    items = (cba.CashFlowItem("capex", "capital", [100.0, 0, 0, 0]),
             cba.CashFlowItem("om", "operating", [0, 10.0, 10, 10]),
             cba.CashFlowItem("saving", "benefit", [0, 50.0, 50, 50]),
             cba.CashFlowItem("residual", "residual", [0, 0, 0, 20.0]))
    return cba.CashFlowModel(items, start_year=2025, price_year=2024)


def test_model_signs_and_appraisal_hand_computed():
    m = _model()
    np.testing.assert_allclose(m.net(), [-100, 40, 40, 60])
    r = cba.appraise(m, 0.10)
    # ENPV = -100 + 40/1.1 + 40/1.21 + 60/1.331 = -100 + 36.3636 + 33.0579 + 45.0789 = 14.5004
    assert r.enpv == pytest.approx(-100 + 40 / 1.1 + 40 / 1.21 + 60 / 1.331, rel=1e-12)
    pv_b = 50 / 1.1 + 50 / 1.21 + 70 / 1.331
    pv_c = 100 + 10 / 1.1 + 10 / 1.21 + 10 / 1.331
    assert r.bcr == pytest.approx(pv_b / pv_c, rel=1e-12)
    assert r.enpv == pytest.approx(r.pv_benefits - r.pv_costs, rel=1e-12)
    assert cba.npv(r.eirr, m.net()) == pytest.approx(0, abs=1e-9)
    assert r.payback == pytest.approx(2 + 20 / 60)  # cum -100, -60, -20, +40
    assert list(r.summary()["指标"])[0].startswith("经济净现值")


def test_model_validation():
    with pytest.raises(InputError, match="收支项“b”的年数与其他收支项不同；应为：2 年"):
        cba.CashFlowModel((cba.CashFlowItem("a", "capital", [1.0, 0]),
                           cba.CashFlowItem("b", "benefit", [0, 1.0, 1.0])), 2025)
    with pytest.raises(InputError, match="收支项“a”在 t = 0（从 0 起算）的金额为负数"):
        cba.CashFlowItem("a", "capital", [-5.0, 0])
    with pytest.raises(ParameterError, match="unknown kind"):
        cba.CashFlowItem("a", "grant", [1.0])
    with pytest.raises(InputError, match="not a finite"):
        cba.CashFlowItem("a", "benefit", [1.0, np.nan])


def test_rebasing_and_residual():
    idx = {2020: 100.0, 2024: 110.0}
    assert cba.rebase_prices(1000.0, 2020, 2024, idx) == pytest.approx(1100.0)
    np.testing.assert_allclose(cba.to_real([110.0, 121.0], [2024, 2025], {2024: 100, 2025: 110}, 2024),
                               [110.0, 110.0])
    with pytest.raises(InputError, match="2019"):
        cba.rebase_prices(1.0, 2019, 2024, idx)
    assert cba.straight_line_residual(1200, 20, 12) == pytest.approx(480.0)
    assert cba.straight_line_residual(1200, 10, 12) == 0.0


# ---------------------------------------------------------------- sensitivity
def test_one_way_and_coefficients_linear_npv():
    m = _model()
    fi = {"investment": ["capex"], "benefit": ["saving"]}
    f = cba.model_output(m, fi, discount=0.10)
    t = cba.one_way(f, list(fi))
    base = cba.appraise(m, 0.10).enpv
    assert t.base == pytest.approx(base)
    # +10% investment lowers NPV by exactly 10 (capex at t=0): E = (-10/base)/0.1
    assert t.values.loc["investment", 0.1] == pytest.approx(base - 10)
    assert t.coefficients.loc["investment", 0.1] == pytest.approx((-10 / base) / 0.1)
    assert cba.sensitivity_coefficient(100.0, 70.0, 0.10) == pytest.approx(-3.0)
    assert np.isnan(cba.sensitivity_coefficient(0.0, 70.0, 0.10))


def test_switching_value_fed_back_gives_npv_zero():
    m = _model()
    fi = {"investment": ["capex"], "benefit": ["saving"]}
    f = cba.model_output(m, fi, discount=0.10)
    base = f({})
    sv = cba.switching_value(f, "investment")
    # NPV is linear in the capex multiplier: base - 100 * d = 0 -> d = base / 100
    assert sv.change == pytest.approx(base / 100, rel=1e-10)
    assert f({"investment": sv.multiplier}) == pytest.approx(0, abs=1e-8)
    sb = cba.switching_value(f, "benefit")
    assert f({"benefit": sb.multiplier}) == pytest.approx(0, abs=1e-8)
    # IRR switching at the 10% benchmark is the same point as NPV@10% = 0
    fi_irr = cba.model_output(m, fi, output="irr")
    si = cba.switching_value(fi_irr, "investment", target=0.10)
    assert si.change == pytest.approx(sv.change, rel=1e-8)
    # no switching value within the range -> NaN
    assert np.isnan(cba.switching_value(lambda mult: 5.0 + mult.get("x", 1.0), "x").change)


def test_tornado_chart_renders_chinese_labels():
    import matplotlib
    matplotlib.use("Agg")
    m = _model()
    f = cba.model_output(m, {"investment": ["capex"], "benefit": ["saving"]}, discount=0.10)
    fig = cba.tornado_chart(cba.one_way(f, ["investment", "benefit"]), scale=1.0, unit="元",
                            labels={"investment": "投资", "benefit": "效益"})
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["投资", "效益"]
    fig.canvas.draw()
    import matplotlib.pyplot as plt
    plt.close(fig)


# ---------------------------------------------------------------- Monte Carlo
def test_distributions_moments():
    pert = cba.make_distribution({"dist": "pert", "low": 0.0, "mode": 1.0, "high": 4.0})
    assert pert.mean() == pytest.approx((0 + 4 * 1 + 4) / 6)  # PERT mean (a + 4m + b) / 6
    tri = cba.make_distribution({"dist": "triangular", "low": 1.0, "mode": 2.0, "high": 6.0})
    assert tri.mean() == pytest.approx(3.0)
    ln = cba.make_distribution({"dist": "lognormal", "mu": 0.0, "sigma": 0.5})
    assert ln.median() == pytest.approx(1.0)
    with pytest.raises(ParameterError, match="missing"):
        cba.make_distribution({"dist": "normal", "mean": 1.0})
    with pytest.raises(ParameterError, match="unknown distribution"):
        cba.make_distribution({"dist": "weibull"})
    with pytest.raises(ParameterError, match="low <= mode"):
        cba.make_distribution({"dist": "pert", "low": 2, "mode": 1, "high": 3})


def test_sampling_seeded_and_correlated():
    specs = {"a": {"dist": "normal", "mean": 0, "sd": 1}, "b": {"dist": "uniform", "low": 0, "high": 1}}
    C = np.array([[1, 0.7], [0.7, 1]])
    s1 = cba.sample_factors(specs, 20_000, seed=7, correlation=C)
    s2 = cba.sample_factors(specs, 20_000, seed=7, correlation=C)
    np.testing.assert_array_equal(s1["a"], s2["a"])
    # Gaussian copula with rho=0.7: Spearman rho_s = 6/pi * asin(rho/2) = 0.6829
    rs = stats.spearmanr(s1["a"], s1["b"]).statistic
    assert rs == pytest.approx(6 / np.pi * np.arcsin(0.35), abs=0.015)
    assert 0 <= s1["b"].min() and s1["b"].max() <= 1
    with pytest.raises(ParameterError, match="positive definite"):
        cba.sample_factors(specs, 10, seed=1, correlation=np.array([[1, 1.5], [1.5, 1]]))


def test_simulate_matches_direct_computation():
    m = _model()
    fi = {"investment": ["capex"], "benefit": ["saving"]}
    specs = {"investment": {"dist": "triangular", "low": 0.9, "mode": 1.0, "high": 1.4},
             "benefit": {"dist": "normal", "mean": 1.0, "sd": 0.1}}
    res = cba.simulate(m, specs, fi, n=2000, seed=3, discount=0.10)
    draws = cba.sample_factors(specs, 2000, seed=3)
    f = cba.model_output(m, fi, discount=0.10)
    for i in (0, 1, 1999):  # vectorised NPV == the scalar model at the same multipliers
        assert res.npv[i] == pytest.approx(f({k: v[i] for k, v in draws.items()}), rel=1e-12)
    assert res.irr[5] == pytest.approx(cba.irr(m.net({"capex": draws["investment"][5],
                                                       "saving": draws["benefit"][5]})), abs=1e-12)
    # total cost draws: capex * multiplier + om (30)
    np.testing.assert_allclose(res.cost, 100 * draws["investment"] + 30)
    assert res.prob_negative == pytest.approx(np.mean(res.npv < 0))
    p = res.npv_percentiles()
    assert p["P10"] < p["P50"] < p["P90"]
    b = cba.budget_levels(res.cost)
    assert b["P50"] <= b["P80"] and b["P80"] == pytest.approx(np.quantile(res.cost, 0.8))


# ---------------------------------------------------------------- adjustments
def test_adjustments():
    # Green Book supplementary guidance: standard buildings 24%, non-standard civil engineering 66%
    assert cba.OPTIMISM_BIAS["standard_buildings"].capex_upper == 0.24
    assert cba.OPTIMISM_BIAS["non_standard_civil_engineering"].capex_upper == 0.66
    assert cba.optimism_bias_uplift(100.0, "standard_buildings") == pytest.approx(124.0)
    assert cba.optimism_bias_uplift(100.0, "non_standard_civil_engineering", mitigation=0.5) == pytest.approx(133.0)
    assert cba.additionality(100.0, deadweight=0.2, displacement=0.25) == pytest.approx(60.0)
    # SCF = (M + X) / (M + Tm + X - Tx) = (100 + 80) / (100 + 20 + 80) = 0.9
    assert cba.standard_conversion_factor(100, 80, import_duties=20) == pytest.approx(0.9)
    with pytest.raises(ParameterError):
        cba.additionality(1.0, deadweight=1.5)


# ---------------------------------------------------------------- project file and example
def test_bundled_example_loads_and_appraises():
    p = cba.load_cba_project(EXAMPLE)
    assert p.synthetic and p.model.period == 12 and p.model.start_year == 2025
    r = cba.appraise(p.model, p.discount)
    # hand check (万元): -6700 + 1204 x annuity(8%, 12) - 1200/1.08**7 + 480/1.08**12
    annuity = (1 - 1.08 ** -12) / 0.08
    expected = (-6700 + 1204 * annuity - 1200 / 1.08 ** 7 + 480 / 1.08 ** 12) * 1e4
    assert r.enpv == pytest.approx(expected, rel=1e-12)
    assert r.eirr > 0.08 and r.bcr > 1


def _write_project(tmp_path, csv_text, **over):
    (tmp_path / "cf.csv").write_text(csv_text, encoding="utf-8")
    toml = EXAMPLE.read_text(encoding="utf-8").replace('cashflows = "../raw/cba_ebus/cashflows.csv"', 'cashflows = "cf.csv"')
    for k, v in over.items():
        toml = toml.replace(k, v)
    (tmp_path / "p.toml").write_text(toml, encoding="utf-8")
    return tmp_path / "p.toml"


def test_project_bad_input_names_the_place(tmp_path):
    src = (REPO / "data/raw/cba_ebus/cashflows.csv").read_text(encoding="utf-8").splitlines()
    header_line = next(i for i, line in enumerate(src) if line.startswith("year")) + 1
    # year out of order
    bad = src.copy()
    bad[header_line + 2], bad[header_line + 3] = bad[header_line + 3], bad[header_line + 2]
    with pytest.raises(InputError, match=f"第 {header_line + 3} 行.*年份顺序不对或不连续"):
        cba.load_cba_project(_write_project(tmp_path, "\n".join(bad)))
    # text in an amount cell
    bad = src.copy()
    bad[header_line + 1] = bad[header_line + 1].replace(",846,", ",abc,")
    with pytest.raises(InputError, match=f"第 {header_line + 2} 行，列“energy_saving”：不是数字"):
        cba.load_cba_project(_write_project(tmp_path, "\n".join(bad)))
    # missing column
    with pytest.raises(InputError, match="noise_benefit"):
        cba.load_cba_project(_write_project(tmp_path, "\n".join(src).replace("noise_benefit", "noise")))
    # unknown preset
    with pytest.raises(ParameterError, match="unknown discount preset"):
        cba.load_cba_project(_write_project(tmp_path, "\n".join(src), **{'preset = "china_8"': 'preset = "x"'}))


@pytest.mark.parametrize("module", ["measures", "discounting", "sensitivity"])
def test_docstring_examples(module):
    import doctest
    import importlib
    mod = importlib.import_module(f"costing.cba.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
