"""Benchmark: vectorised IRR of 100,000 Monte Carlo draws x 30 years.

Builds a 30-year project (investment at t = 0 and t = 1, a battery-type
replacement in year 10, yearly benefits and O&M), draws 100,000 sets of
multipliers with :func:`costing.cba.sample_factors`, and times
:func:`costing.cba.irr` on the (100000, 30) array. In the same run it
times a loop of ``numpy_financial.irr`` over a 2,000-row sample and scales
it to 100,000 rows. Prints the figures; goals: <= 0.5 s, >= 50x faster than
the loop, |delta| <= 1e-9 where both converge.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_cba.py``
"""
from __future__ import annotations

import time
import warnings

import numpy as np
import numpy_financial as npf

from costing import cba

N, T, SAMPLE = 100_000, 30, 2_000


def draws() -> np.ndarray:
    years = T
    items = (
        cba.CashFlowItem("capex", "capital", np.r_[6000.0, 1500.0, np.zeros(years - 2)]),
        cba.CashFlowItem("battery", "capital", np.where(np.arange(years) == 10, 1200.0, 0.0)),
        cba.CashFlowItem("om", "operating", np.r_[0.0, np.full(years - 1, 80.0)]),
        cba.CashFlowItem("benefit", "benefit", np.r_[0.0, 0.0, np.full(years - 2, 900.0)]),
    )
    model = cba.CashFlowModel(items, start_year=2025)
    specs = {"capex": {"dist": "pert", "low": 0.9, "mode": 1.0, "high": 1.4},
             "battery": {"dist": "triangular", "low": 0.5, "mode": 0.9, "high": 1.3},
             "om": {"dist": "uniform", "low": 0.8, "high": 1.3},
             "benefit": {"dist": "lognormal", "mu": 0.0, "sigma": 0.35}}
    f = cba.sample_factors(specs, N, seed=12345)
    return model.net({"capex": f["capex"], "battery": f["battery"], "om": f["om"], "benefit": f["benefit"]})


def main() -> None:
    flows = draws()
    assert flows.shape == (N, T)
    cba.irr(flows[:1000])  # warm-up
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cba.MultipleIRRWarning)
            res = cba.irr(flows, full_output=True)
        times.append(time.perf_counter() - t0)
    t_vec = min(times)

    t0 = time.perf_counter()
    ref = np.array([npf.irr(row) for row in flows[:SAMPLE]])
    t_loop_sample = time.perf_counter() - t0
    t_loop = t_loop_sample * N / SAMPLE

    got = res.irr[:SAMPLE]
    both = np.isfinite(got) & np.isfinite(ref)
    delta = np.abs(got[both] - ref[both]).max()
    methods = {m: int((res.method == m).sum()) for m in ("newton", "isolated", "eigen", "none")}
    print(f"cba.irr on {N:,} x {T} draws: best of 5 = {t_vec:.3f} s (median {np.median(times):.3f} s)")
    print(f"numpy_financial.irr loop: {t_loop_sample:.3f} s for {SAMPLE:,} rows -> {t_loop:.1f} s scaled to {N:,}")
    print(f"speed-up: {t_loop / t_vec:.0f}x")
    print(f"max |delta| vs numpy_financial where both converge: {delta:.2e} ({both.sum():,} of {SAMPLE:,} rows)")
    print(f"rows by method: {methods}; rows with several IRRs: {int(res.multiple.sum())}")
    print(f"IRR percentiles P10/P50/P90: {np.nanpercentile(res.irr, [10, 50, 90]).round(4).tolist()}")
    ok = t_vec <= 0.5 and t_loop / t_vec >= 50 and delta <= 1e-9
    print("goals (<= 0.5 s, >= 50x, |delta| <= 1e-9):", "MET" if ok else "NOT MET")


if __name__ == "__main__":
    main()
