"""Benchmark: the in-year and year-end life cycle of a generated portfolio (5,000 projects × 10 indicators).

Monitoring with the new form (dated actuals from the tracking table, lights,
submission problems), self-evaluation, the 整改建议书 data of every unit and
the scored whole-department performance. Goal (issues 6 and 10): under 2 s
in all, vectorised with pandas. For comparison the same work is done by a
naive loop — monitor + notices + self-evaluation per project — on a sample
of projects, measured in the same run and extrapolated to the full portfolio
(department scoring, once per portfolio, is added to the loop's total as
measured). Prints the figures; asserts nothing.

Issue 18 adds the 一表通观: monitoring at 4 dates (3-31, 6-30, 9-30, 12-31)
with the trajectory and the wide one-view table, against one date
(monitor + the same table for one date) in the same run; goal ≤ 2.5×.

    PYTHONPATH=src python benchmarks/bench_portfolio.py [N_PROJECTS] [N_SAMPLE]
"""
from __future__ import annotations

import sys
import time

from costing.performance import evaluate_portfolio, monitor, rectification_notices, score_departments, self_evaluate
from costing.performance.example import generate_portfolio
from costing.performance.monitoring import monitor_dates, one_table

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
    t_not, notices = best_of(lambda: rectification_notices(pf, m, ev))
    t_dep, dep = best_of(lambda: score_departments(pf, ev))
    total = t_mon + t_eval + t_not + t_dep
    print(f"vectorised monitoring (form)     : {t_mon:8.3f} s")
    print(f"vectorised self-evaluation       : {t_eval:8.3f} s")
    print(f"整改建议书 data, every unit       : {t_not:8.3f} s")
    print(f"department scoring               : {t_dep:8.3f} s")
    print(f"vectorised total                 : {total:8.3f} s   (goal < 2 s: {'met' if total < 2 else 'NOT met'})")
    print(f"  flags: {m.summary['n_low_execution']:,} low execution, {m.summary['n_deviating_projects']:,} "
          f"projects with deviating targets, {m.summary['n_problems']:,} submission problems; "
          f"grades { {g: int(n) for g, n in ev.grade_counts.items()} }")
    print(f"  notices: {len(notices)} units, {sum(len(n.items) for n in notices):,} problems, "
          f"{sum(len(n.adjustments) for n in notices):,} adjustment proposals; department totals "
          f"{', '.join(f'{r.department_id} {r.total_score:.2f}' for r in dep.table.itertuples())}")

    dates = ["2026-03-31", "2026-06-30", "2026-09-30", "2026-12-31"]
    t_one, _ = best_of(lambda: one_table(monitor_dates(pf, [AS_OF])))
    t_four, rounds = best_of(lambda: one_table(monitor_dates(pf, dates)))
    ratio = t_four / t_one
    print(f"一表通观, 1 date                  : {t_one:8.3f} s")
    print(f"一表通观, 4 dates                 : {t_four:8.3f} s   = {ratio:.2f}× one date "
          f"(goal ≤ 2.5×: {'met' if ratio <= 2.5 else 'NOT met'}); {len(rounds):,} rows × {rounds.shape[1]} columns")

    ids = list(pf.projects["project_id"].iloc[:SAMPLE])
    t0 = time.perf_counter()
    for pid in ids:  # the naive way: one small portfolio per project
        sub = pf.subset([pid])
        mon = monitor(sub, AS_OF)
        rectification_notices(sub, mon)
        self_evaluate(pf.project(pid))
    t_loop = time.perf_counter() - t0
    per = t_loop / len(ids)
    loop_total = per * N + t_dep
    print(f"naive per-project loop           : {t_loop:8.3f} s for {len(ids)} projects = {1000 * per:.1f} ms/project "
          f"-> {loop_total:.1f} s extrapolated to {N:,} (+ department scoring)")
    print(f"speed-up of the vectorised path over the loop: {loop_total / total:.0f}×")


if __name__ == "__main__":
    main()
