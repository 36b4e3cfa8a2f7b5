"""Time the four steps in-process: the bundled bus example, and a scaled case.

Scaled case: the example with 1,000 peers × 10 years of peer statistics and
peer item costs (10,000 peer rows, 60,000 peer-cost rows). Goal: run_method
under 0.5 s on the 2-core CI machine. Loading (reading and validating the
files) is timed separately: it is I/O at the boundary, not the method.

Run: ``.venv/bin/python benchmarks/bench_method.py``
"""
from __future__ import annotations

import copy
import time
from pathlib import Path

import numpy as np
import pandas as pd

import costing

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 0.5


def best_of(fn, n=5):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), float(np.median(times))


def scaled(project, n_peers=1000, n_years=10, seed=1):
    """The example project with its peers resampled to n_peers × n_years (seeded)."""
    rng = np.random.default_rng(seed)
    p = copy.copy(project)
    p.tables = dict(project.tables)
    base = project.tables["peers"]
    years = list(range(project.budget_year - n_years, project.budget_year))
    idx = rng.integers(0, len(base), n_peers)
    rows = []
    for y in years:
        b = base.iloc[idx].copy()
        b["peer_id"] = [f"Q{i:04d}" for i in range(n_peers)]
        b["year"] = y
        jitter = np.exp(rng.normal(0, 0.05, n_peers))
        for c in ("vehicle_km", "vehicle_hours", "passengers"):
            b[c] = b[c].to_numpy() * jitter
        b["total_cost"] = b["total_cost"].to_numpy() * jitter * np.exp(rng.normal(0, 0.05, n_peers))
        rows.append(b)
    p.tables["peers"] = pd.concat(rows, ignore_index=True)
    pc = project.tables["peer_costs"]
    shares = pc.groupby("item_id")["amount"].sum() / project.tables["peers"]["total_cost"].sum()
    pcs = p.tables["peers"][["peer_id", "year", "total_cost"]].merge(shares.rename("share").reset_index(), how="cross")
    pcs["amount"] = pcs["total_cost"] * pcs["share"]
    p.tables["peer_costs"] = pcs[["peer_id", "year", "item_id", "amount"]]
    idx_years = set(p.tables["price_index"]["year"])
    missing = [y for y in years if y not in idx_years]
    if missing:
        pi = p.tables["price_index"]
        first = pi.sort_values("year").iloc[0]
        extra = pd.DataFrame({"year": missing, "cpi": first["cpi"], "wage_index": first["wage_index"]})
        p.tables["price_index"] = pd.concat([extra, pi], ignore_index=True)
    return p


def main() -> None:
    path = ROOT / "data" / "projects" / "bus_example.toml"
    load_best, _ = best_of(lambda: costing.load_project(path))
    project = costing.load_project(path)
    ex_best, ex_med = best_of(lambda: costing.run_method(project))
    big = scaled(project)
    big_best, big_med = best_of(lambda: costing.run_method(big))
    r = costing.run_method(big)
    print(f"load_project (bus example, read + validate 8 tables): {load_best * 1e3:8.1f} ms")
    print(f"run_method   bus example ({len(project.tables['peers'])} peers):      best {ex_best * 1e3:7.1f} ms, "
          f"median {ex_med * 1e3:7.1f} ms")
    print(f"run_method   scaled ({big.tables['peers']['peer_id'].nunique()} peers x "
          f"{big.tables['peers']['year'].nunique()} years, {len(big.tables['peer_costs'])} peer-cost rows): "
          f"best {big_best * 1e3:7.1f} ms, median {big_med * 1e3:7.1f} ms")
    print(f"scaled / example ratio: {big_best / ex_best:.2f}x")
    print(f"goal: scaled case under {GOAL_S:.1f} s -> {'met' if big_best < GOAL_S else 'NOT met'}")
    print(f"(scaled unit-cost standard {r.budget.unit_cost_standard:.4f} 元/车公里, "
          f"{r.benchmark.cost_function.n} peers in the regression)")


if __name__ == "__main__":
    main()
