"""Benchmark: 1,000 per-project Word documents (《项目支出绩效自评表》, one .docx each).

Goal (issue 11): 30 documents per second or more. The path timed is
:func:`costing.report.word_docs.write_self_evaluation_docs` (template read and
checked once, each part's tag clean-up and Jinja compilation done once, atomic
writes). The baseline, measured in the same run on a sample, is the naive
docxtpl loop: open the template file, render, save, for each document. Prints
the figures; asserts nothing.

    PYTHONPATH=src python benchmarks/bench_word.py [N_DOCUMENTS] [N_SAMPLE]
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import dataclasses

import pandas as pd

from costing.performance import evaluate_portfolio, load_portfolio
from costing.report.word import default_template
from costing.report.word_docs import form_context, write_self_evaluation_docs

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
SAMPLE = int(sys.argv[2]) if len(sys.argv) > 2 else 100
GOAL = 30.0  # documents per second
ROOT = Path(__file__).resolve().parents[1]


def naive(result, ids, folder: Path, year: int) -> None:
    """The docxtpl tutorial loop: a fresh DocxTemplate from the file per document."""
    from docxtpl import DocxTemplate
    from jinja2 import Environment

    path = default_template("self_evaluation_form")
    prj = result.projects.set_index("project_id", drop=False)
    groups = dict(tuple(result.indicators.groupby("project_id", sort=False)))
    for pid in ids:
        tpl = DocxTemplate(path)
        tpl.render(form_context(prj.loc[pid], groups[pid], year), Environment(autoescape=True))
        tpl.save(folder / f"{pid}.docx")


def tiled(ev, n: int):
    """The example portfolio's evaluation repeated to ``n`` projects (ids P001-0, P001-1, …)."""
    k = -(-n // len(ev.projects))
    projects = pd.concat([ev.projects.assign(project_id=ev.projects["project_id"] + f"-{i}") for i in range(k)],
                         ignore_index=True).iloc[:n]
    indicators = pd.concat([ev.indicators.assign(project_id=ev.indicators["project_id"] + f"-{i}")
                            for i in range(k)], ignore_index=True)
    indicators = indicators[indicators["project_id"].isin(projects["project_id"])]
    return dataclasses.replace(ev, projects=projects, indicators=indicators)


def main() -> None:
    pf = load_portfolio(ROOT / "data" / "portfolios" / "example_portfolio.toml")
    ev = tiled(evaluate_portfolio(pf), N)
    print(f"{len(ev.projects):,} projects (the example portfolio repeated), "
          f"{len(ev.indicators) / len(ev.projects):.1f} indicators each")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ids = list(ev.projects["project_id"].iloc[:SAMPLE])
        (tmp / "naive").mkdir()
        t0, c0 = time.perf_counter(), time.process_time()
        naive(ev, ids, tmp / "naive", pf.budget_year)
        t_naive, c_naive = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        written, failed = write_self_evaluation_docs(ev, tmp / "ours", year=pf.budget_year)
        t_ours, c_ours = time.perf_counter() - t0, time.process_time() - c0
        size = sum(p.stat().st_size for p in written) / max(len(written), 1)
    rate, rate_naive = len(written) / t_ours, len(ids) / t_naive
    print(f"write_self_evaluation_docs : {len(written):,} documents in {t_ours:6.2f} s = {rate:6.1f} docs/s "
          f"({size / 1024:.0f} KiB each, {len(failed)} failed)   goal ≥ {GOAL:.0f}/s: "
          f"{'met' if rate >= GOAL else 'NOT met'}")
    print(f"naive docxtpl loop         : {len(ids):,} documents in {t_naive:6.2f} s = {rate_naive:6.1f} docs/s")
    print(f"speed-up over the naive loop: {rate / rate_naive:.1f}× wall clock, "
          f"{(len(written) / c_ours) / (len(ids) / c_naive):.1f}× CPU time "
          f"({1000 * c_ours / len(written):.1f} against {1000 * c_naive / len(ids):.1f} ms of CPU per document; "
          "the wall-clock figures move with the machine's load)")


if __name__ == "__main__":
    main()
