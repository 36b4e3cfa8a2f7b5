"""Tests of costing.benchmark.dea against published DEA results and invariants.

Published reference data live in tests/fixtures/reference/dea (sources in its README), so
every clone checks against them. Small published tables are typed in with their source. Only
the NTD real-data check reads ../shared/data and skips when it is absent.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costing.benchmark.dea import (RTS_LAMBDA_SUM, DEAResult, LowDiscriminationWarning, dea,
                                   dea_full, super_efficiency)
from costing.errors import InputError

REF = Path(__file__).resolve().parent / "fixtures" / "reference" / "dea"
BACKENDS = ["highs", "linprog"]

# pyDEA test suite, data set "small5" (reference/README.md): x1, x2 -> q
SMALL5_X = np.array([[2, 5], [2, 4], [6, 6], [3, 2], [6, 2]], float)
SMALL5_Y = np.array([[1], [2], [3], [1], [2]], float)

# pyDEA test suite, "DEA_example2_data": I1..I3 -> O1, O2 (11 units)
EX2 = np.array([
    [5, 13, 1, 12.0, 34], [16, 12, 2, 14.0, 13], [16, 26, 2, 25.0, 56], [17, 15, 3, 26.0, 23],
    [18, 14, 1, 8.0, 18], [23, 6, 2, 9.0, 39], [25, 10, 2, 27.0, 21], [27, 22, 3, 30.0, 10],
    [37, 14, 1, 31.0, 25], [42, 25, 2, 26.5, 17], [5, 17, 3, 12.0, 37]])

# dealib's "simple" case (dealib test suite, reference/dea/dealib_ref_dea_simple.json)
SIMPLE_X = np.array([[1, 5], [2, 2], [4, 1], [6, 1], [4, 4]], float)
SIMPLE_Y = np.full((5, 1), 2.0)
# (orientation, rts) -> (efficiency, slacks [s_x1, s_x2, s_y]) typed from the JSON
SIMPLE_REF = {
    ("input", "crs"): ([1, 1, 1, 1, 0.5], [[0, 0, 0]] * 3 + [[2, 0, 0], [0, 0, 0]]),
    ("input", "vrs"): ([1, 1, 1, 1, 0.5], [[0, 0, 0]] * 3 + [[2, 0, 0], [0, 0, 0]]),
    ("input", "drs"): ([1, 1, 1, 1, 0.5], [[0, 0, 0]] * 3 + [[2, 0, 0], [0, 0, 0]]),
    ("input", "irs"): ([1, 1, 1, 1, 0.5], [[0, 0, 0]] * 3 + [[2, 0, 0], [0, 0, 0]]),
    ("output", "crs"): ([1, 1, 1, 1, 2], [[0, 0, 0]] * 3 + [[2, 0, 0], [0, 0, 0]]),
    ("output", "vrs"): ([1, 1, 1, 1, 1], [[0, 0, 0]] * 3 + [[2, 0, 0], [2, 2, 0]]),
    ("output", "drs"): ([1, 1, 1, 1, 1], [[0, 0, 0]] * 3 + [[2, 0, 0], [2, 2, 0]]),
    ("output", "irs"): ([1, 1, 1, 1, 2], [[0, 0, 0]] * 3 + [[2, 0, 0], [0, 0, 0]]),
}


def random_units(n=60, m=3, s=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(1, 10, (n, m))
    mix = rng.dirichlet(np.ones(s), n)
    Y = mix * (np.prod(X, axis=1) ** (0.8 / m) * np.exp(-np.abs(rng.normal(0, .3, n))))[:, None]
    return X, Y


# ----------------------------------------------------------------- published cases
@pytest.mark.parametrize("backend", BACKENDS)
def test_small5_pydea_published(backend):
    # reference/README.md, pyDEA small5
    crs_in = dea(SMALL5_X, SMALL5_Y, rts="crs", backend=backend)
    np.testing.assert_allclose(crs_in, [0.5, 1, 0.8333333, 0.7142857, 1], atol=1e-7)
    crs_out = dea(SMALL5_X, SMALL5_Y, rts="crs", orientation="output", backend=backend)
    np.testing.assert_allclose(1 / crs_out, [0.5, 1, 1 / 1.2, 1 / 1.4, 1], atol=1e-9)
    vrs_in = dea(SMALL5_X, SMALL5_Y, rts="vrs", backend=backend)
    np.testing.assert_allclose(vrs_in, [1, 1, 1, 1, 1], atol=1e-9)
    vrs_out = dea(SMALL5_X, SMALL5_Y, rts="vrs", orientation="output", backend=backend)
    np.testing.assert_allclose(1 / vrs_out, [0.5, 1, 1, 1, 1], atol=1e-9)


def test_small5_by_hand():
    # Unit A (2,5)->1 against B (2,4)->2 under CRS: λ_B = 1/2 gives (1,2)->1, so
    # θ_A = max(1/2, 2/5) = 0.5. Unit D (3,2)->1: the CRS frontier through B and E
    # (6,2)->2, i.e. per unit of output (1,2) and (3,1); the ray through D's
    # (3,2) meets the segment at a·(1,2)+(1-a)(3,1) = θ(3,2) -> a = 1/7... θ = 5/7.
    e = dea(SMALL5_X, SMALL5_Y)
    assert e[0] == pytest.approx(0.5, abs=1e-12)
    assert e[3] == pytest.approx(5 / 7, abs=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_pydea_example2_crs_input(backend):
    e = dea(EX2[:, :3], EX2[:, 3:], rts="crs", backend=backend)
    np.testing.assert_allclose(e, [1, 0.64858757, 0.90924776, 1, 0.54907162, 1, 1, 0.8241206,
                                   1, 0.62673338, 1], atol=1e-7)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", sorted(SIMPLE_REF))
def test_dealib_simple_with_slacks(case, backend):
    orientation, rts = case
    eff, slack = SIMPLE_REF[case]
    res = dea_full(SIMPLE_X, SIMPLE_Y, rts=rts, orientation=orientation, backend=backend)
    np.testing.assert_allclose(res.efficiency, eff, atol=1e-9)
    np.testing.assert_allclose(np.c_[res.slacks_in, res.slacks_out], slack, atol=1e-9)
    # unit 4 (index 3) is radially efficient but has an input slack of 2: weakly efficient
    assert res.radially_efficient[3] and not res.efficient[3]


def test_simple_typed_table_matches_the_dealib_json():
    # SIMPLE_X/Y and SIMPLE_REF were typed in; the published files are the authority
    ref = json.loads((REF / "dealib_ref_dea_simple.json").read_text())
    assert sorted((o, r) for o in ref for r in ref[o]) == sorted(SIMPLE_REF)
    for (o, r), (eff, slack) in SIMPLE_REF.items():
        assert ref[o][r]["eff"] == eff and ref[o][r]["slack"] == slack
    np.testing.assert_array_equal(pd.read_csv(REF / "simple_inputs.csv").to_numpy(float), SIMPLE_X)
    np.testing.assert_array_equal(pd.read_csv(REF / "simple_outputs.csv").to_numpy(float), SIMPLE_Y)


@pytest.fixture(scope="module")
def charnes():
    X = pd.read_csv(REF / "charnes1981_inputs.csv").to_numpy(float)
    Y = pd.read_csv(REF / "charnes1981_outputs.csv").to_numpy(float)
    ref = json.loads((REF / "dealib_ref_dea_charnes.json").read_text())
    return X, Y, ref


@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("rts", ["crs", "vrs", "drs", "irs"])
def test_charnes1981_all_70_units(charnes, rts, orientation):
    X, Y, ref = charnes
    res = dea_full(X, Y, rts=rts, orientation=orientation)
    want = ref[orientation][rts]
    np.testing.assert_allclose(res.efficiency, want["eff"], atol=1e-6)
    np.testing.assert_allclose(np.c_[res.slacks_in, res.slacks_out],
                               np.array(want["slack"], float), atol=1e-5)
    # README: 19 of 70 CRS-efficient and 27 VRS-efficient
    if rts in ("crs", "vrs"):
        assert res.radially_efficient.sum() == {"crs": 19, "vrs": 27}[rts]


# ----------------------------------------------------------------- invariants
@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs", "ndrs"])
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_backends_agree(rts, orientation):
    X, Y = random_units(n=80, seed=3)
    a = dea_full(X, Y, rts=rts, orientation=orientation, backend="highs")
    b = dea_full(X, Y, rts=rts, orientation=orientation, backend="linprog")
    np.testing.assert_allclose(a.efficiency, b.efficiency, atol=1e-9)
    # phase 2 may have alternative optimal λ, but the optimal slack sum is unique
    np.testing.assert_allclose(a.slacks_in.sum(1) + a.slacks_out.sum(1),
                               b.slacks_in.sum(1) + b.slacks_out.sum(1), atol=1e-7)


def test_crs_input_is_reciprocal_of_output():
    X, Y = random_units(seed=1)
    np.testing.assert_allclose(dea(X, Y, rts="crs"), 1 / dea(X, Y, rts="crs",
                                                              orientation="output"), atol=1e-9)


def test_rts_ordering():
    X, Y = random_units(seed=2)
    crs, vrs = dea(X, Y, rts="crs"), dea(X, Y, rts="vrs")
    nirs, ndrs = dea(X, Y, rts="nirs"), dea(X, Y, rts="ndrs")
    tol = 1e-9
    assert np.all(vrs >= crs - tol) and np.all(vrs <= 1 + tol) and np.all(crs > 0)
    # NIRS and NDRS frontiers lie between CRS and VRS; CRS score = min of the two
    assert np.all(nirs >= crs - tol) and np.all(nirs <= vrs + tol)
    assert np.all(ndrs >= crs - tol) and np.all(ndrs <= vrs + tol)
    np.testing.assert_allclose(np.minimum(nirs, ndrs), crs, atol=1e-9)
    out_vrs = dea(X, Y, rts="vrs", orientation="output")
    assert np.all(out_vrs >= 1 - tol)


@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_rescaling_an_input_changes_no_score(rts):
    X, Y = random_units(seed=4)
    X2, Y2 = X.copy(), Y.copy()
    X2[:, 1] *= 1e4  # e.g. 元 -> 万元 the other way round
    Y2[:, 0] *= 1e-3
    for o in ("input", "output"):
        np.testing.assert_allclose(dea(X, Y, rts=rts, orientation=o),
                                   dea(X2, Y2, rts=rts, orientation=o), atol=1e-9)
    s1, s2 = dea_full(X, Y, rts=rts), dea_full(X2, Y2, rts=rts)
    np.testing.assert_allclose(s1.efficiency, s2.efficiency, atol=1e-9)


@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_adding_a_dominated_unit_changes_no_other_score(rts):
    X, Y = random_units(seed=5)
    Xd = np.vstack([X, X[7] * 1.3])  # more inputs ...
    Yd = np.vstack([Y, Y[7] * 0.8])  # ... and less output than unit 7
    for o in ("input", "output"):
        before = dea(X, Y, rts=rts, orientation=o)
        after = dea(Xd, Yd, rts=rts, orientation=o)
        np.testing.assert_allclose(after[:-1], before, atol=1e-9)
        assert (after[-1] < before[7]) if o == "input" else (after[-1] > before[7])


def test_slack_identities_and_targets():
    X, Y = random_units(seed=6)
    for o in ("input", "output"):
        r = dea_full(X, Y, rts="vrs", orientation=o)
        assert isinstance(r, DEAResult)
        t = r.efficiency[:, None]
        if o == "input":
            np.testing.assert_allclose(r.target_inputs, t * X - r.slacks_in, atol=1e-9)
            np.testing.assert_allclose(r.target_outputs, Y + r.slacks_out, atol=1e-9)
        else:
            np.testing.assert_allclose(r.target_inputs, X - r.slacks_in, atol=1e-9)
            np.testing.assert_allclose(r.target_outputs, t * Y + r.slacks_out, atol=1e-9)
        assert np.all(r.slacks_in >= -1e-9) and np.all(r.slacks_out >= -1e-9)
        np.testing.assert_allclose(r.lambdas.sum(1), 1.0, atol=1e-9)  # VRS
        # a peer of anyone is itself efficient (score 1)
        peers = np.unique(np.concatenate(r.peers))
        assert np.all(np.abs(r.efficiency[peers] - 1) < 1e-6)
        df = r.to_frame()
        assert list(df.columns[:4]) == ["efficiency", "radially_efficient", "efficient", "peers"]


def test_dataframe_labels():
    df_x = pd.DataFrame(SMALL5_X, columns=["x1", "x2"], index=list("ABCDE"))
    r = dea_full(df_x, pd.Series(SMALL5_Y[:, 0], index=list("ABCDE"), name="q"))
    assert r.labels == tuple("ABCDE")
    assert r.to_frame().loc["A", "peers"] == "B"  # A projects onto 0.5 x B


@pytest.mark.parametrize("backend", BACKENDS)
def test_super_efficiency(backend):
    # small5 CRS input, per unit of output the units are A (2,5), B (1,2), C (2,2),
    # D (3,2), E (3,1). Without B, every other unit needs x2 >= 2 per unit of output
    # and C gives (2,2) <= θ(1,2) at θ = 2, so θ_B = 2. Without E, B gives
    # (1,2) <= θ(3,1) at θ = max(1/3, 2) = 2 and nothing has x2 < 2, so θ_E = 2.
    # Inefficient units keep their ordinary score.
    se = super_efficiency(SMALL5_X, SMALL5_Y, backend=backend)
    e = dea(SMALL5_X, SMALL5_Y)
    np.testing.assert_allclose(se, [0.5, 2.0, 5 / 6, 5 / 7, 2.0], atol=1e-9)
    ineff = e < 1 - 1e-9
    np.testing.assert_allclose(se[ineff], e[ineff], atol=1e-9)
    assert np.all(se[~ineff] >= 1 - 1e-9)
    np.testing.assert_allclose(se, super_efficiency(SMALL5_X, SMALL5_Y, backend="linprog"),
                               atol=1e-9)


def test_super_efficiency_hand_value():
    # Two units, one input, one output, CRS input: A = 1 -> 1, B = 2 -> 1.
    # A against B alone: θ·1 >= 2λ, λ >= 1 -> θ_A = 2. B against A: θ·2 >= 1 -> 0.5.
    se = super_efficiency([[1.0], [2.0]], [[1.0], [1.0]])
    np.testing.assert_allclose(se, [2.0, 0.5], atol=1e-12)


def test_super_efficiency_vrs_infeasible_warns():
    # the unit with the largest output cannot be reached by a convex combination of the others
    X = np.array([[1.0], [2.0], [3.0], [4.0]])
    Y = np.array([[1.0], [3.0], [4.0], [6.0]])
    with pytest.warns(UserWarning, match="infeasible for units"):
        se = super_efficiency(X, Y, rts="vrs")
    assert np.isnan(se[3]) and np.isfinite(se[:3]).all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(6, 25),
       rts=st.sampled_from(sorted(RTS_LAMBDA_SUM)), orientation=st.sampled_from(["input", "output"]))
def test_fuzz_hot_start_equals_linprog(seed, n, rts, orientation):
    rng = np.random.default_rng(seed)
    X = rng.integers(1, 6, (n, 2)).astype(float)  # integers: ties and duplicates
    Y = rng.integers(0, 6, (n, 2)).astype(float)
    Y[Y.max(1) == 0, 0] = 1.0
    a = dea(X, Y, rts=rts, orientation=orientation, backend="highs")
    b = dea(X, Y, rts=rts, orientation=orientation, backend="linprog")
    np.testing.assert_allclose(a, b, atol=1e-8)


# ----------------------------------------------------------------- bad input
@pytest.mark.parametrize("value, word", [(0.0, "non-positive"), (-1.0, "non-positive"),
                                         (np.nan, "missing")])
def test_bad_inputs_raise_with_place(value, word):
    X = SMALL5_X.copy()
    X[2, 1] = value
    with pytest.raises(InputError, match=word) as exc:
        dea(pd.DataFrame(X, columns=["vehicles", "staff"]), SMALL5_Y)
    assert exc.value.location.column == "staff" and exc.value.location.row == 2


def test_bad_outputs_raise():
    Y = SMALL5_Y.copy()
    Y[1, 0] = -2
    with pytest.raises(InputError, match="negative"):
        dea(SMALL5_X, Y)
    Y[1, 0] = 0.0
    with pytest.raises(InputError, match="produces nothing"):
        dea(SMALL5_X, Y)
    with pytest.raises(InputError, match="one row per unit"):
        dea(SMALL5_X, SMALL5_Y[:4])
    with pytest.raises(InputError, match="numeric"):
        dea([["a", "b"]], [[1]])


def test_unknown_options():
    with pytest.raises(InputError, match="returns to scale"):
        dea(SMALL5_X, SMALL5_Y, rts="variable")
    with pytest.raises(InputError, match="orientation"):
        dea(SMALL5_X, SMALL5_Y, orientation="in")
    with pytest.raises(InputError, match="backend"):
        dea(SMALL5_X, SMALL5_Y, backend="cplex")


def test_identical_units_warn():
    X = np.tile([[3.0, 4.0]], (6, 1))
    Y = np.tile([[2.0]], (6, 1))
    with pytest.warns(LowDiscriminationWarning, match="identical"):
        e = dea(X, Y)
    np.testing.assert_allclose(e, 1.0)


def test_too_few_units_warn():
    with pytest.warns(LowDiscriminationWarning, match="fewer units than inputs plus outputs"):
        dea(SMALL5_X[:2], SMALL5_Y[:2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dea(SMALL5_X, SMALL5_Y)  # 5 units for 3 variables: no warning


# ----------------------------------------------------------------- real data (optional)
def test_ntd_loader_sanity_figure():
    # ../shared/data/ntd/README.md: 287 full-reporter directly operated bus services,
    # median operating cost per vehicle revenue mile about 9.5 USD
    ntd = Path(__file__).resolve().parents[2] / "shared" / "data" / "ntd"
    if not (ntd / "ntd2022_bus_MB_merged.csv").exists():
        pytest.skip("../shared/data/ntd is absent")
    from costing.benchmark.ntd import cost_per_vrm, frontier_sample, load_ntd_bus, ntd_peer_group

    raw = load_ntd_bus(ntd)
    assert not raw.duplicated(["ntd_id", "mode", "tos"]).any()
    assert raw.attrs["duplicates_removed"] == 2
    peers = ntd_peer_group(raw)
    assert len(peers) == 287
    assert cost_per_vrm(peers).median() == pytest.approx(9.5, abs=0.05)
    sample = frontier_sample(peers)
    r = dea(sample[["opex_total", "mode_voms"]], sample[["vehicle_revenue_miles", "fares_total"]],
            rts="vrs")
    assert np.all((r > 0) & (r <= 1 + 1e-9))


def test_ntd_loader_missing_dir(tmp_path):
    from costing.benchmark.ntd import load_ntd_bus

    with pytest.raises(InputError, match="ntd_dir"):
        load_ntd_bus(tmp_path)
