"""Tests of costing.cba measures: published examples, numpy-financial on the same
inputs, invariants, hypothesis fuzzing and bad input."""
import datetime as dt
import warnings

import numpy as np
import numpy_financial as npf  # a test dependency (pyproject [test]): the reference implementation
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from costing import cba
from costing.errors import InputError, NotComputable, ParameterError


# ---------------------------------------------------------------- published values
def test_npv_numpy_financial_docstring_example():
    # numpy-financial npv docstring: npv(0.08, [-40000, 5000, 8000, 12000, 30000]).round(5) == 3065.22267
    assert cba.npv(0.08, [-40_000, 5_000, 8_000, 12_000, 30_000]) == pytest.approx(3065.22267, abs=5e-6)


def test_npv_numpy_financial_test_suite_value():
    # numpy-financial tests (test_npv): npv(0.05, [-15000, 1500, 2500, 3500, 4500, 6000]) ~ 122.89
    # Decimal reference in the same suite: 122.894854950942692161628715
    assert cba.npv(0.05, [-15000, 1500, 2500, 3500, 4500, 6000]) == pytest.approx(122.894854950942692, rel=1e-13)


@pytest.mark.parametrize("values, expected, places", [
    # numpy-financial irr docstring examples (Gitman 2003, p. 348)
    ([-100, 39, 59, 55, 20], 0.28095, 5),
    ([-100, 0, 0, 74], -0.0955, 5),
    ([-100, 100, 0, -7], -0.0833, 5),
    ([-100, 100, 0, 7], 0.06206, 5),
    ([-5, 10.5, 1, -8, 1], 0.0886, 5),
    # numpy-financial test suite, test_irr
    ([-150000, 15000, 25000, 35000, 45000, 60000], 0.0524, 4),
])
def test_irr_numpy_financial_published(values, expected, places):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cba.MultipleIRRWarning)
        assert round(cba.irr(values), places) == expected


@pytest.mark.parametrize("values, fr, rr, expected, places", [
    # numpy-financial test suite, TestMirr
    ([-4500, -800, 800, 800, 600, 600, 800, 800, 700, 3000], 0.08, 0.055, 0.0666, 4),
    ([-120000, 39000, 30000, 21000, 37000, 46000], 0.10, 0.12, 0.126094, 6),
    ([100, 200, -50, 300, -200], 0.05, 0.06, 0.3428, 4),
])
def test_mirr_numpy_financial_published(values, fr, rr, expected, places):
    assert round(cba.mirr(values, fr, rr), places) == expected
    assert cba.mirr(values, fr, rr) == pytest.approx(npf.mirr(values, fr, rr), rel=1e-12)


def test_mirr_all_positive_is_nan_or_raises():
    assert np.isnan(cba.mirr([39000, 30000, 21000, 37000, 46000], 0.10, 0.12))
    with pytest.raises(NotComputable):
        cba.mirr([39000, 30000], 0.10, 0.12, raise_exceptions=True)


def test_excel_npv_microsoft_examples():
    # Microsoft support, "NPV function": example 1, rate 10%, -10000, 3000, 4200, 6800 -> $1,188.44
    assert round(cba.excel_npv(0.10, [-10_000, 3_000, 4_200, 6_800]), 2) == 1188.44
    # example 2: =NPV(8%, 8000, 9200, 10000, 12000, 14500) - 40000 -> $1,922.06; with a -9000 sixth year -> -$3,749.47
    assert round(cba.excel_npv(0.08, [8000, 9200, 10000, 12000, 14500]) - 40000, 2) == 1922.06
    assert round(cba.excel_npv(0.08, [8000, 9200, 10000, 12000, 14500, -9000]) - 40000, 2) == -3749.47
    # and Excel NPV = npv / (1 + rate)
    v = [-10_000, 3_000, 4_200, 6_800]
    assert cba.excel_npv(0.10, v) == pytest.approx(cba.npv(0.10, v) / 1.10, rel=1e-14)


XDATES = [dt.date(2008, 1, 1), dt.date(2008, 3, 1), dt.date(2008, 10, 30), dt.date(2009, 2, 15), dt.date(2009, 4, 1)]
XVALUES = [-10_000, 2_750, 4_250, 3_250, 2_750]


def test_xnpv_xirr_microsoft_examples():
    # Microsoft support, "XNPV function": 9%, these flows and dates -> 2,086.65
    assert round(cba.xnpv(0.09, XVALUES, XDATES), 2) == 2086.65
    # Microsoft support, "XIRR function": same flows and dates -> 0.373362535. Excel stops
    # iterating at 0.000001% accuracy, so compare to 1e-8 (our root: 0.3733625335).
    assert cba.xirr(XVALUES, XDATES) == pytest.approx(0.373362535, abs=1e-8)
    assert cba.xnpv(cba.xirr(XVALUES, XDATES), XVALUES, XDATES) == pytest.approx(0, abs=1e-7)


def test_xnpv_yearly_dates_equal_npv():
    # dates 365 days apart -> the exponents are exactly 0, 1, 2 -> XNPV == NPV
    dates = ["2021-01-01", "2022-01-01", "2023-01-01"]  # 2021, 2022 are not leap years
    assert cba.xnpv(0.07, [-100, 50, 70], dates) == pytest.approx(cba.npv(0.07, [-100, 50, 70]), rel=1e-14)


def test_bcr_payback_cer_hand_computed():
    # PV benefits at 10%: 60/1.1 + 60/1.21 = 54.5454.. + 49.5867.. = 104.1322..; costs 100 -> BCR 1.041322
    assert cba.bcr(0.10, [0, 60, 60], [-100, 0, 0]) == pytest.approx((60 / 1.1 + 60 / 1.21) / 100, rel=1e-14)
    # cumulative -100, -70, -30, +20: repaid in year 3: 2 + 30/50 = 2.6
    assert cba.payback_period([-100, 30, 40, 50, 60]) == pytest.approx(2.6)
    # discounted at 10%: -100, 27.2727, 33.0579, 37.5657 -> cum -2.1037 after t=3; t=4: 40.98 -> 3 + 2.1037/40.981
    d = np.array([-100, 30, 40, 50, 60]) / 1.1 ** np.arange(5)
    expected = 3 + (-(d[:4].sum())) / d[4]
    assert cba.discounted_payback_period([-100, 30, 40, 50, 60], 0.10) == pytest.approx(expected, rel=1e-12)
    assert np.isnan(cba.payback_period([-100, 10, 10]))
    assert cba.payback_period([5, -1, 3]) == 0.0
    # CER, undiscounted: 300 元 / 6 t = 50 元/t
    assert cba.cost_effectiveness_ratio([-100, -100, -100], [0, 3, 3]) == pytest.approx(50.0)
    assert cba.incremental_cost_effectiveness_ratio(1500, 30, 1000, 20) == 50.0
    assert np.isnan(cba.incremental_cost_effectiveness_ratio(1500, 30, 1000, 30))


# ---------------------------------------------------------------- 2-D and numpy-financial comparison
def _random_flows(rng, n, T):
    v = np.empty((n, T))
    v[:, 0] = -rng.uniform(50, 150, n)
    v[:, 1:] = rng.normal(10, 6, (n, T - 1))  # some rows change sign several times
    return v


def test_npv_2d_one_value_per_row_matches_numpy_financial():
    rng = np.random.default_rng(0)
    v = _random_flows(rng, 200, 12)
    got = cba.npv(0.06, v)
    assert got.shape == (200,)
    np.testing.assert_allclose(got, [npf.npv(0.06, row) for row in v], rtol=1e-12, atol=1e-9)
    # one rate per row
    rates = rng.uniform(0, 0.2, 200)
    np.testing.assert_allclose(cba.npv(rates, v), [npf.npv(r, row) for r, row in zip(rates, v)], rtol=1e-12)


def test_irr_2d_matches_numpy_financial_loop():
    rng = np.random.default_rng(1)
    v = _random_flows(rng, 400, 15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cba.MultipleIRRWarning)
        res = cba.irr(v, full_output=True)
    ref = np.array([npf.irr(row) for row in v])
    assert res.irr.shape == (400,)
    both = np.isfinite(ref) & np.isfinite(res.irr)
    assert both.sum() > 350
    np.testing.assert_allclose(res.irr[both], ref[both], atol=1e-9, rtol=0)
    # NaN exactly where numpy-financial has none
    np.testing.assert_array_equal(np.isnan(res.irr), np.isnan(ref))
    assert set(res.method) <= {"newton", "isolated", "eigen", "none"}
    assert (res.method == "newton").sum() > 100 and (res.method == "isolated").sum() > 10


@settings(max_examples=150, deadline=None)
@given(arrays(np.float64, st.integers(2, 25), elements=st.floats(-1e4, 1e4, allow_nan=False).map(round)))
def test_irr_fuzz_against_numpy_financial(values):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cba.MultipleIRRWarning)
        got = cba.irr(values)
    try:
        ref = npf.irr(values)
    except np.linalg.LinAlgError:
        return
    scale = np.abs(values).sum()
    if np.isfinite(ref):
        # numpy-financial found a root: so do we, the same one or one where the NPV is ~0
        assert np.isfinite(got), f"numpy-financial finds IRR {ref!r}, ours is NaN"
        assert abs(got - ref) <= 1e-9 * max(1.0, abs(ref)) or \
            abs(cba.npv(got, values)) <= 1e-7 * scale * max(1.0, (1 + got) ** -len(values))
    elif np.isfinite(got):
        # numpy-financial found no real root with r > -1: ours is a root up to ill-conditioning
        assert abs(cba.npv(got, values)) <= 1e-6 * scale * max(1, (1 + got) ** -len(values))


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, st.integers(2, 30), elements=st.floats(0.1, 1e3)), st.floats(10, 1e4))
def test_irr_invariant_npv_zero_for_conventional_flows(inflows, outlay):
    values = np.concatenate([[-outlay], inflows])
    r = cba.irr(values)
    res = cba.irr(values, full_output=True)
    assert res.n_roots == 1 and not res.multiple  # one sign change: exactly one IRR (Descartes)
    assert abs(cba.npv(r, values)) <= 1e-8 * np.abs(values).sum() * max(1.0, (1 + r) ** -values.size)
    # NPV decreases in the rate for such flows: positive below the IRR, negative above
    assert cba.npv(r - 0.01, values) > 0 > cba.npv(r + 0.01, values) or r < -0.98


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 20), elements=st.floats(-1e6, 1e6)),
       arrays(np.float64, 20, elements=st.floats(-1e6, 1e6)), st.floats(-0.5, 1.0), st.floats(-3, 3))
def test_npv_invariants_linearity_and_zero_rate(a, b, rate, k):
    b = b[: a.size]
    # NPV at 0 is the sum
    assert cba.npv(0.0, a) == pytest.approx(a.sum(), rel=1e-12, abs=1e-6)
    # linearity: npv(a + k b) = npv(a) + k npv(b)
    lhs = cba.npv(rate, a + k * b)
    rhs = cba.npv(rate, a) + k * cba.npv(rate, b)
    assert lhs == pytest.approx(rhs, rel=1e-9, abs=1e-6 * (1 + abs(k)) * (1 + 1 / (1 + rate)) ** a.size)


# ---------------------------------------------------------------- multiple roots and no roots
def test_multiple_roots_are_flagged_and_rule_documented():
    # -100 + 230 x - 132 x^2 = -(1.1x-1)... roots at r = 10% and 20%
    v = [-100, 230, -132]
    np.testing.assert_allclose(cba.irr_roots(v), [0.1, 0.2], atol=1e-12)
    with pytest.warns(cba.MultipleIRRWarning, match="closest to zero"):
        r = cba.irr(v)
    assert r == pytest.approx(0.1, abs=1e-12)  # the root closest to zero (numpy-financial's rule)
    with pytest.warns(cba.MultipleIRRWarning):
        assert cba.irr(v, guess=0.19) == pytest.approx(0.2, abs=1e-12)  # closest to the guess
    with pytest.warns(cba.MultipleIRRWarning):
        res = cba.irr(np.array([v, [-100, 110, 0]]), full_output=True)
    np.testing.assert_array_equal(res.multiple, [True, False])
    np.testing.assert_array_equal(res.n_roots, [2, 1])


def test_no_sign_change_nan_or_raise():
    assert np.isnan(cba.irr([100, 200, 300]))
    assert np.isnan(cba.irr([0, 0, 0]))  # all zeros: documented NaN
    out = cba.irr(np.array([[-1, 2.0], [1, 2.0]]))
    assert out[0] == pytest.approx(1.0) and np.isnan(out[1])
    with pytest.raises(NotComputable, match="row 1"):
        cba.irr(np.array([[-1, 2.0], [1, 2.0]]), raise_exceptions=True)
    # two sign changes but no real root: -1 + 1x - 1x^2 has complex roots
    assert np.isnan(cba.irr([-1, 1, -1]))
    assert cba.irr_roots([-1, 1, -1]).size == 0


def test_irr_of_zero_padded_flows():
    # leading zero (start delayed) shifts nothing in r; trailing zeros change nothing
    base = cba.irr([-100, 60, 60])
    assert cba.irr([-100, 60, 60, 0, 0]) == pytest.approx(base, abs=1e-12)
    assert cba.npv(cba.irr([0, -100, 60, 60]), [0, -100, 60, 60]) == pytest.approx(0, abs=1e-9)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad, match", [
    ([], "empty"),
    ([1.0, np.nan, 2.0], r"values\[1\] is not a finite"),
    ([[1.0, 2.0], [3.0, np.inf]], r"values\[1, 1\]"),
    (np.zeros((2, 2, 2)), "2-D"),
    (["a", "b"], "numbers"),
])
def test_bad_values_raise_input_error(bad, match):
    with pytest.raises(InputError, match=match):
        cba.npv(0.05, bad)
    with pytest.raises(InputError):
        cba.irr(bad)


def test_bad_rates_and_lengths():
    with pytest.raises(InputError, match="greater than -1"):
        cba.npv(-1.0, [1, 2])
    with pytest.raises(InputError, match="different numbers of periods"):
        cba.bcr(0.05, [0, 1, 2], [-1, 0])
    with pytest.raises(InputError, match="wrong sign"):
        cba.bcr(0.05, [0, 1, 2], [1, 0, 0])
    with pytest.raises(ParameterError, match="unknown discount preset"):
        cba.bcr("china_9", [0, 1], [-1, 0])


def test_dates_bad_input():
    with pytest.raises(InputError, match="different lengths"):
        cba.xnpv(0.05, [1, 2, 3], ["2020-01-01", "2021-01-01"])
    with pytest.raises(InputError, match="precedes the first date"):
        cba.xnpv(0.05, [-100, 50, 60], ["2020-06-01", "2020-01-01", "2021-01-01"])
    with pytest.raises(InputError, match="calendar dates"):
        cba.xirr([-100, 50], ["2020-01-01", "not a date"])
    # dates after the first may be in any order (Excel's rule): same result as sorted
    a = cba.xnpv(0.05, [-100, 60, 50], ["2020-01-01", "2021-06-01", "2020-07-01"])
    b = cba.xnpv(0.05, [-100, 50, 60], ["2020-01-01", "2020-07-01", "2021-06-01"])
    assert a == pytest.approx(b, rel=1e-15)
    assert np.isnan(cba.xirr([100, 50], ["2020-01-01", "2021-01-01"]))


def test_two_roots_either_side_of_zero_isolated_path():
    # P(x) = -(x - 1/0.9)(x - 1/1.2): IRRs -10% and +20%; rule: the one closest to zero
    x1, x2 = 1 / 0.9, 1 / 1.2
    v = np.array([-x1 * x2, x1 + x2, -1.0]) * 100
    with pytest.warns(cba.MultipleIRRWarning):
        res = cba.irr(np.vstack([v, v]), full_output=True)
    assert res.method[0] == "isolated" and res.n_roots[0] == 2 and res.multiple[0]
    assert res.irr[0] == pytest.approx(-0.1, abs=1e-12)
    assert res.irr[0] == pytest.approx(npf.irr(v), abs=1e-12)
    np.testing.assert_allclose(cba.irr_roots(v), [-0.1, 0.2], atol=1e-12)


def test_replacement_year_flows_match_numpy_financial():
    # a mid-life replacement makes the net flow negative again: several sign changes, one root
    rng = np.random.default_rng(5)
    v = np.tile(np.r_[-1000.0, np.full(14, 150.0)], (300, 1)) * rng.uniform(0.7, 1.3, (300, 15))
    v[:, 7] -= 500 * rng.uniform(0.5, 1.5, 300)
    res = cba.irr(v, full_output=True)
    assert (res.method == "isolated").sum() > 0
    np.testing.assert_allclose(res.irr, [npf.irr(row) for row in v], atol=1e-9, rtol=0)
