"""Benchmark: the bureau's year-end quality control on a generated portfolio (issue 19).

Times, on N generated projects (default 5,000 × 10 indicators), the spot-check sample
(``choose_sample``: risk rules + seeded random share), the 绩效管理工作考核 (``assess_work``: it runs
monitoring at each tracking date) and, on a 20-project sample, writing and re-reading the 复核底稿
(per workpaper). Each is printed as a ratio to the self-evaluation (``evaluate_portfolio``) measured in
the same run, the baseline every year-end step starts from. Prints the figures; asserts nothing.

    PYTHONPATH=src python benchmarks/bench_spotcheck.py [N_PROJECTS]
"""
from __future__ import annotations

import sys
import tempfile
import time

from costing.performance import evaluate_portfolio
from costing.performance.assessment import assess_work
from costing.performance.example import generate_portfolio
from costing.performance.spotcheck import Sample, choose_sample, recheck, write_workpapers

N = int(sys.argv[1]) if len(sys.argv) > 1 else 5000


def best_of(fn, k=3):
    best, out = float("inf"), None
    for _ in range(k):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    pf = generate_portfolio(N, n_indicators=10)
    t_eval, ev = best_of(lambda: evaluate_portfolio(pf))
    t_sample, sample = best_of(lambda: choose_sample(pf, ev, share=0.05, seed=2027))
    t_work, _ = best_of(lambda: assess_work(pf, ev), k=1)
    small = Sample(table=sample.table.assign(sampled=sample.table.index < 20), share=sample.share,
                   seed=sample.seed, rules=sample.rules)
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        written, _, _ = write_workpapers(small, ev, d)
        t_write = (time.perf_counter() - t) / max(len(written), 1)
        t = time.perf_counter()
        recheck(d)
        t_read = (time.perf_counter() - t) / max(len(written), 1)
    print(f"projects {len(ev.projects)}, indicators {len(ev.indicators)}, sampled {len(sample.ids)}")
    print(f"evaluate_portfolio (baseline)   {t_eval:8.3f} s")
    print(f"choose_sample                  {t_sample:8.3f} s   {t_sample / t_eval:6.2f}× baseline")
    print(f"assess_work (考核)              {t_work:8.3f} s   {t_work / t_eval:6.2f}× baseline")
    print(f"复核底稿 write, per project     {t_write:8.3f} s;  read back and re-score, per project {t_read:.3f} s")


if __name__ == "__main__":
    main()
