"""The teaching notebook runs on its defaults, shows Chinese without missing glyphs, and matches run_method."""
from pathlib import Path

import nbformat
import papermill as pm
import pytest

import costing
from costing.report.export import glyph_warnings

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / "notebooks" / "four_steps_tutorial.ipynb"


@pytest.mark.slow
def test_tutorial_runs(tmp_path):
    out = tmp_path / "tut.ipynb"
    pm.execute_notebook(str(NB), str(out), kernel_name="python3", cwd=str(NB.parent), progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    assert glyph_warnings(nb) == []
    text = "".join(str(o.get("data", {}).get("text/markdown", "")) for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))
    r = costing.run_method(costing.load_project(ROOT / "data" / "projects" / "bus_example.toml"))
    assert f"{r.budget.unit_cost_standard:,.4f}" in text
