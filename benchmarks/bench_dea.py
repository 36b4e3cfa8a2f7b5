"""Benchmark of costing.benchmark.dea against two baselines measured in the same run.

Data: 1,000 synthetic units (seeded), 3 inputs and 2 outputs, from a
Cobb-Douglas technology with half-normal inefficiency. Models: CRS and VRS,
input-oriented.

Baselines:
- a naive loop: one ``scipy.optimize.linprog(method="highs")`` per unit over
  all units (the textbook implementation);
- Pyfrontier (PyPI ``pyfrontier``, PuLP + CBC) on the first 300 units.

Goals (issue 4): >= 2x faster than the naive loop, both models within 1 s,
>= 20x faster than Pyfrontier, identical scores (|Δ| <= 1e-6).

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_dea.py [--no-pyfrontier]``
"""
from __future__ import annotations

import sys
import time

import numpy as np
from scipy.optimize import linprog

from costing.benchmark.dea import dea

N, M, S, N_PYFRONTIER = 1000, 3, 2, 300


def make_data(n=N, seed=20240604):
    rng = np.random.default_rng(seed)
    X = rng.uniform(1.0, 10.0, (n, M))
    frontier = np.prod(X ** np.array([0.3, 0.3, 0.3]), axis=1)
    u = np.abs(rng.normal(0.0, 0.3, n))
    mix = rng.uniform(0.2, 0.8, n)
    Y = np.column_stack([mix, 1.0 - mix]) * (frontier * np.exp(-u))[:, None]
    return X, Y


def naive(X, Y, rts):
    """One linprog per unit, full constraint matrix rebuilt each time."""
    n = len(X)
    out = np.empty(n)
    for k in range(n):
        c = np.r_[1.0, np.zeros(n)]
        A_ub = np.block([[-X[k][:, None], X.T], [np.zeros((S, 1)), -Y.T]])
        b_ub = np.r_[np.zeros(M), -Y[k]]
        eq = dict(A_eq=np.r_[0.0, np.ones(n)][None, :], b_eq=[1.0]) if rts == "vrs" else {}
        res = linprog(c, A_ub=A_ub, b_ub=b_ub, bounds=[(None, None)] + [(0, None)] * n,
                      method="highs", **eq)
        out[k] = res.x[0]
    return out


def pyfrontier(X, Y, rts):
    from Pyfrontier.frontier_model import EnvelopDEA

    model = EnvelopDEA(rts.upper(), "in")
    model.fit(X, Y)
    return np.array([r.score for r in model.result])


def timed(f, *a, **k):
    t = time.perf_counter()
    out = f(*a, **k)
    return time.perf_counter() - t, out


def main(argv):
    X, Y = make_data()
    print(f"DEA benchmark: {N} units, {M} inputs, {S} outputs, input orientation")
    ours_total = 0.0
    ok = True
    for rts in ("crs", "vrs"):
        dea(X[:50], Y[:50], rts=rts)  # warm-up (imports)
        t_ours, e_ours = timed(dea, X, Y, rts=rts)
        t_naive, e_naive = timed(naive, X, Y, rts)
        ours_total += t_ours
        d = np.abs(e_ours - e_naive).max()
        ok &= d <= 1e-6
        print(f"  {rts.upper()}: costing.dea {t_ours:7.3f} s | naive linprog loop {t_naive:7.3f} s"
              f" | speed-up {t_naive / t_ours:6.1f}x | max |Δ| {d:.1e}"
              f" | efficient units {(np.abs(e_ours - 1) < 1e-6).sum()}")
    print(f"  both models: {ours_total:.3f} s (goal <= 1 s)")
    ok &= ours_total <= 1.0
    if "--no-pyfrontier" not in argv:
        Xp, Yp = X[:N_PYFRONTIER], Y[:N_PYFRONTIER]
        for rts in ("crs", "vrs"):
            t_ours, e_ours = timed(dea, Xp, Yp, rts=rts)
            t_pf, e_pf = timed(pyfrontier, Xp, Yp, rts)
            d = np.abs(e_ours - e_pf).max()
            ok &= d <= 1e-6 and t_pf / t_ours >= 20
            print(f"  {rts.upper()} on {N_PYFRONTIER} units: costing.dea {t_ours:7.3f} s |"
                  f" Pyfrontier {t_pf:7.3f} s | speed-up {t_pf / t_ours:6.1f}x | max |Δ| {d:.1e}")
    print("all goals met" if ok else "SOME GOAL MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
