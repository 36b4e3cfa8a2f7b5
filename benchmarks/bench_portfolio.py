"""Benchmark: monitoring + self-evaluation of a generated portfolio (5,000 projects × 10 indicators).

Goal (issue 6): under 2 s together, vectorised with pandas. For comparison the
same work is done by a naive loop — one :func:`monitor` + :func:`self_evaluate`
call per project — on a sample of projects, measured in the same run and
extrapolated to the full portfolio. Prints the figures; asserts nothing.

    PYTHONPATH=src python benchmarks/bench_portfolio.py [N_PROJECTS] [N_SAMPLE]
"""
from __future__ import annotations

import sys
import time

from costing.performance import evaluate_portfolio, monitor, self_evaluate
from costing.performance.example import generate_portfolio

N = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
SAMPLE = int(sys.argv[2]) if len(sys.argv) > 2 else 100
AS_OF = "2026-09-30"


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    t0 = time.perf_counter()
    pf = generate_portfolio(N, n_indicators=10, seed=1)
    t_build = time.perf_counter() - t0
    print(f"portfolio: {len(pf.projects):,} projects × 10 indicators = {len(pf.indicators):,} indicator rows, "
          f"{len(pf.spending):,} spending rows (generated and validated in {t_build:.2f} s)")

    t_mon, m = best_of(lambda: monitor(pf, AS_OF))
    t_eval, ev = best_of(lambda: evaluate_portfolio(pf))
    total = t_mon + t_eval
    print(f"vectorised monitoring       : {t_mon:8.3f} s")
    print(f"vectorised self-evaluation  : {t_eval:8.3f} s")
    print(f"vectorised total            : {total:8.3f} s   (goal < 2 s: {'met' if total < 2 else 'NOT met'})")
    print(f"  flags: {m.summary['n_low_execution']:,} low execution, {m.summary['n_deviating_projects']:,} "
          f"projects with deviating targets; grades { {g: int(n) for g, n in ev.grade_counts.items()} }")

    ids = list(pf.projects["project_id"].iloc[:SAMPLE])
    t0 = time.perf_counter()
    for pid in ids:  # the naive way: one small portfolio per project
        sub = pf.subset([pid])
        monitor(sub, AS_OF)
        self_evaluate(pf.project(pid))
    t_loop = time.perf_counter() - t0
    per = t_loop / len(ids)
    print(f"naive per-project loop      : {t_loop:8.3f} s for {len(ids)} projects = {1000 * per:.1f} ms/project "
          f"-> {per * N:.1f} s extrapolated to {N:,}")
    print(f"speed-up of the vectorised path over the loop: {per * N / total:.0f}×")


if __name__ == "__main__":
    main()
