"""Start-up cost (issue 11): ``import costing`` and ``costing --help`` against ``import pandas, numpy``.

Each figure is the wall time of a fresh interpreter (``python -X importtime`` is not used:
it slows imports down), the minimum over ``--repeat`` runs, measured in this run alongside
its baseline:

- baseline: ``python -c "import pandas, numpy"``;
- ``import costing`` (goal <= 1.3x the baseline);
- ``costing --help`` (goal <= 0.6x the baseline: parsing arguments needs no pandas);
- for information: the interpreter alone, and the working sets a notebook pays for
  (the four steps, cost-benefit analysis, the performance life cycle, the report pipeline).

Usage: ``python benchmarks/bench_import.py [--repeat 7]``
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASES = {
    "python (interpreter only)": "pass",
    "import pandas, numpy": "import pandas, numpy",
    "import costing": "import costing",
    "costing --help": None,
    "from costing import run_method": "from costing import run_method, load_project",
    "import costing.cba": "import costing.cba",
    "import costing.performance": "import costing.performance",
    "import costing.report": "import costing.report",
}


def command(name: str, code: str | None) -> list[str]:
    if code is not None:
        return [sys.executable, "-c", code]
    script = Path(sys.executable).with_name("costing")
    return [str(script), "--help"] if script.exists() else [sys.executable, "-m", "costing.cli", "--help"]


def wall(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    cmds = {name: command(name, code) for name, code in CASES.items()}
    for cmd in cmds.values():  # warm the file cache and the .pyc files
        wall(cmd, env)
    times = {name: [] for name in cmds}
    for _ in range(args.repeat):  # interleaved, so that load from other processes hits all alike
        for name, cmd in cmds.items():
            times[name].append(wall(cmd, env))
    best = {name: min(v) for name, v in times.items()}
    base = best["import pandas, numpy"]
    print(f"{'':34}{'seconds':>9}{'x pandas+numpy':>16}")
    for name, t in best.items():
        print(f"{name:34}{t:>9.3f}{t / base:>16.2f}")
    print()
    ok = True
    for name, goal in (("import costing", 1.3), ("costing --help", 0.6)):
        r = best[name] / base
        ok &= r <= goal
        print(f"{name:16} = {r:.2f}x import pandas, numpy  (goal <= {goal})  {'ok' if r <= goal else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
