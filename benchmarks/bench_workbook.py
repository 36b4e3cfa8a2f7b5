"""Benchmark: `costing check` as a budget unit feels it (the whole command, wall time).

Goals (issue 12), against the baseline `python -c "import pandas, numpy, openpyxl"`
measured in the same run:

- `costing check` on the bus example workbook ≤ 1.8× the baseline;
- `costing check` on a portfolio workbook whose spending sheet has 10,000 rows ≤ 3×.

Each figure is the best of REPEAT runs of a fresh process. Prints the figures; asserts nothing.

    PYTHONPATH=src python benchmarks/bench_workbook.py [REPEAT]
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from costing.workbook import new_workbook

ROOT = Path(__file__).resolve().parents[1]
REPEAT = int(sys.argv[1]) if len(sys.argv) > 1 else 5
N_SPENDING = 10_000


def best_wall(cmd: list[str]) -> float:
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return min(times)


def big_spending_workbook(path: Path) -> Path:
    """The example portfolio with a spending sheet of 10,000 cumulative amounts (projects × dates)."""
    import datetime as dt

    from openpyxl import load_workbook

    new_workbook("portfolio", path, source=ROOT / "data" / "portfolios" / "example_portfolio.toml")
    wb = load_workbook(path)
    pids = [r[0].value for r in wb["项目"].iter_rows(min_row=2, max_col=1)]
    ws = wb["支出进度"]
    ws.delete_rows(2, ws.max_row)
    per_project = -(-N_SPENDING // len(pids))
    n = 0
    for pid in pids:
        for d in range(per_project):
            if n == N_SPENDING:
                break
            ws.append([pid, dt.datetime(2026, 1, 1) + dt.timedelta(days=d), round(1.5 * (d + 1), 2)])
            n += 1
    wb.save(path)
    return path


def main() -> None:
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        bus = new_workbook("bus", Path(tmp) / "bus.xlsx", source=ROOT / "data" / "projects" / "bus_example.toml")
        big = big_spending_workbook(Path(tmp) / "spending.xlsx")
        base = best_wall([py, "-c", "import pandas, numpy, openpyxl"])
        t_bus = best_wall([py, "-m", "costing.cli", "check", str(bus)])
        t_big = best_wall([py, "-m", "costing.cli", "check", str(big)])
    print(f"baseline  python -c 'import pandas, numpy, openpyxl'   {base:6.2f} s")
    print(f"costing check  bus example workbook                   {t_bus:6.2f} s  = {t_bus / base:4.2f}× baseline"
          f"  (goal ≤ 1.8×)")
    print(f"costing check  portfolio, {N_SPENDING:,}-row spending sheet   {t_big:6.2f} s  = {t_big / base:4.2f}× baseline"
          f"  (goal ≤ 3×)")


if __name__ == "__main__":
    main()
