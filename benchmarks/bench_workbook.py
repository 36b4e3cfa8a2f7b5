"""Benchmark: `costing check` as a budget unit feels it (the whole command, wall time).

Goals, against the baseline `python -c "import pandas, numpy, openpyxl"` measured in the same run:

- `costing check` on the bus example workbook ≤ 1.3× the baseline (issue 16; it now builds the
  project and back-calculates the need on a clean workbook, as the commands do);
- `costing check` on a portfolio workbook whose spending sheet has 10,000 rows ≤ 3× (issue 12);
- reported, no goal: the same with a 100,000-row spending sheet, its wall time and the peak
  memory (resident set) of the process.

Each figure is the best of REPEAT runs of a fresh process. Prints the figures; asserts nothing.

    PYTHONPATH=src python benchmarks/bench_workbook.py [REPEAT]
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from costing.workbook import new_workbook

ROOT = Path(__file__).resolve().parents[1]
REPEAT = int(sys.argv[1]) if len(sys.argv) > 1 else 5
N_SPENDING = 10_000
N_LARGE = 100_000


#: as an installed package runs: byte-code cached (a sandbox may set PYTHONDONTWRITEBYTECODE, which makes
#: every run recompile the package's sources but not pandas', and would time the compiler, not the check)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def best_wall(cmd: list[str]) -> float:
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)  # warm: byte-code written
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        times.append(time.perf_counter() - t0)
    return min(times)


def peak_memory(cmd: list[str]) -> tuple[float, int]:
    """(wall seconds, peak resident set in MB) of one run of a command, measured in its own process."""
    import resource

    code = ("import resource, sys; from costing.cli import main; rc = main(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", code, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       env=ENV)
    wall = time.perf_counter() - t0
    return wall, int(r.stderr.strip().splitlines()[-1]) // 1024


def big_spending_workbook(path: Path, n: int = N_SPENDING) -> Path:
    """The example portfolio with a spending sheet of ``n`` cumulative amounts (projects × dates)."""
    import datetime as dt

    from openpyxl import load_workbook

    new_workbook("portfolio", path, source=ROOT / "data" / "portfolios" / "example_portfolio.toml")
    wb = load_workbook(path)
    pids = [r[0].value for r in wb["项目"].iter_rows(min_row=2, max_col=1)]
    ws = wb["支出进度"]
    ws.delete_rows(2, ws.max_row)
    per_project = -(-n // len(pids))
    k = 0
    for pid in pids:
        for d in range(per_project):
            if k == n:
                break
            ws.append([pid, dt.datetime(2026, 1, 1) + dt.timedelta(minutes=d), round(1.5 * (d + 1), 2)])
            k += 1
    wb.save(path)
    return path


def main() -> None:
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        bus = new_workbook("bus", Path(tmp) / "bus.xlsx", source=ROOT / "data" / "projects" / "bus_example.toml")
        big = big_spending_workbook(Path(tmp) / "spending.xlsx")
        large = big_spending_workbook(Path(tmp) / "large.xlsx", N_LARGE)
        base = best_wall([py, "-c", "import pandas, numpy, openpyxl"])
        t_bus = best_wall([py, "-m", "costing.cli", "check", str(bus)])
        t_big = best_wall([py, "-m", "costing.cli", "check", str(big)])
        t_large, mb = peak_memory(["check", str(large)])
    print(f"baseline  python -c 'import pandas, numpy, openpyxl'   {base:6.2f} s")
    print(f"costing check  bus example workbook                   {t_bus:6.2f} s  = {t_bus / base:4.2f}× baseline"
          f"  (goal ≤ 1.3×)")
    print(f"costing check  portfolio, {N_SPENDING:,}-row spending sheet   {t_big:6.2f} s  = {t_big / base:4.2f}× baseline"
          f"  (goal ≤ 3×)")
    print(f"costing check  portfolio, {N_LARGE:,}-row spending sheet  {t_large:6.2f} s  "
          f"peak memory {mb:,} MB  (reported)")


if __name__ == "__main__":
    main()
