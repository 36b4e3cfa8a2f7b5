"""The bundled examples: reproducible from their seeded generator, at the scale the issue asks for."""
import filecmp
from pathlib import Path

import pytest

import costing
from costing.examples import write_all

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    write_all(root)
    return root


def test_generator_reproduces_the_committed_files(regenerated):
    for kind in ("bus_example", "sanitation_example"):
        for f in sorted((DATA / "raw" / kind).iterdir()):
            new = regenerated / "raw" / kind / f.name
            assert filecmp.cmp(f, new, shallow=False), f  # xlsx too: timestamps are fixed
        assert (DATA / "projects" / f"{kind}.toml").read_text(encoding="utf-8") == \
            (regenerated / "projects" / f"{kind}.toml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def bus():
    return costing.run_method(costing.load_project(DATA / "projects" / "bus_example.toml"))


def test_bus_example_scale(bus):
    d = bus.target.drivers
    assert 180 <= d["vehicles"] <= 230                 # about 200 buses
    assert d["vehicles_bev"] / d["vehicles"] > 0.7     # mostly battery-electric
    assert d["routes"] == 20
    assert 10e6 <= d["vehicle_km"] <= 14e6             # about 12 million vehicle-km
    assert 13e6 <= d["passengers"] <= 17e6             # about 15 million passengers
    assert 8 <= bus.budget.unit_cost_standard <= 12    # 元/车公里
    fr = bus.benchmark.peer_summary.loc["fare_recovery"]
    assert 0.20 <= fr["project"] <= 0.35 and 0.20 <= fr["p50"] <= 0.35
    assert len(bus.benchmark.peers) >= 15
    assert len(bus.benchmark.trend) == 5


def test_bus_example_reads_gbk_and_xlsx(bus):
    assert bus.project.meta["actual_costs"].encoding == "gbk"
    assert bus.project.meta["peers"].sheet == "同行数据"


def test_sanitation_runs_through_the_same_steps():
    r = costing.run_method(costing.load_project(DATA / "projects" / "sanitation_example.toml"))
    assert r.standard.unit_cost_label == "元/m²·年"
    assert r.target.output == "area_m2"
    assert r.standard.unit_cost_standard * r.target.drivers["area_m2"] == pytest.approx(r.standard.total)
    assert r.budget.fare_revenue == 0
    assert 5 <= r.budget.unit_cost_standard <= 20
