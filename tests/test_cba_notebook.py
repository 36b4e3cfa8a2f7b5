"""The CBA report template: one `parameters` cell with literal defaults, no
outputs committed, and it executes with papermill on its defaults."""
import ast
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "notebooks" / "templates" / "cba.ipynb"


def test_template_has_one_literal_parameters_cell_and_no_outputs():
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(TEMPLATE, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    tree = ast.parse(params[0].source)
    names = set()
    for node in tree.body:
        assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        names.add(node.targets[0].id)
    assert {"project_path", "output_dir"} <= names
    assert all(not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code")


@pytest.mark.slow
def test_template_runs_on_defaults_with_papermill(tmp_path, monkeypatch):
    pm = pytest.importorskip("papermill")
    src = str(REPO / "src")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    out = tmp_path / "out"
    pm.execute_notebook(str(TEMPLATE), str(tmp_path / "cba.executed.ipynb"), kernel_name="python3",
                        cwd=str(REPO), parameters={"output_dir": str(out), "n_draws": 2000},
                        progress_bar=False)
    for name in ("summary.csv", "sensitivity.csv", "switching_values.csv", "montecarlo.csv",
                 "tornado.png", "npv_cdf.png"):
        assert (out / name).exists(), name
    summary = (out / "summary.csv").read_text(encoding="utf-8")
    assert "1,863.86" in summary  # ENPV of the bundled example [万元], see test_cba_model
