"""Benchmark: run-all time of each course lesson 00–07, against the start-up every lesson pays.

Each lesson is executed top to bottom in a fresh ``costing`` kernel (nbclient, as
papermill does; the answer cells left at None). In the same run the baseline is a
notebook of two cells that every lesson's first cells amount to: start the kernel,
import ``costing.teach``, ``charts``, ``present``, ``whatif`` and load the bus example
(``teach.bus_case``: the four steps with statsmodels and the DEA). Prints seconds and the
ratio to the baseline. Goal: every lesson ≤ 15 s run-all in the browser on the course
machine (the browser adds rendering; measured by hand there, see README); the ratio says
how much of that is the lesson's own work.

Run: ``.venv/bin/python benchmarks/bench_course.py``
"""
from __future__ import annotations

import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "notebooks" / "course"
BASELINE = ("from costing import charts, present, teach, whatif\n"
            "teach.explain_errors()\n"
            "case = teach.bus_case('../../data/projects/bus_example.toml')")


def run(nb) -> float:
    t = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="costing", resources={"metadata": {"path": str(COURSE)}}).execute()
    return time.perf_counter() - t


def main() -> None:
    base = run(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(BASELINE)]))
    print(f"baseline (kernel, imports, bus example): {base:.1f} s", flush=True)
    worst = 0.0
    for path in sorted(COURSE.glob("0[0-7]_*.ipynb")):
        s = run(nbformat.read(path, as_version=4))
        worst = max(worst, s)
        print(f"{path.name:32s} {s:5.1f} s  {s / base:4.2f}x baseline", flush=True)
    print(f"slowest lesson {worst:.1f} s (goal in the browser: <= 15 s)")


if __name__ == "__main__":
    main()
