"""The three performance report templates: a parameters cell, and a run on their defaults (papermill)."""
from __future__ import annotations

from pathlib import Path

import nbformat
import papermill as pm
import pytest

TEMPLATES = Path(__file__).resolve().parents[1] / "notebooks" / "templates"
NAMES = ["ex_ante", "monitoring", "self_evaluation"]


@pytest.mark.parametrize("name", NAMES)
def test_template_has_literal_parameters_cell_and_no_outputs(name):
    nb = nbformat.read(TEMPLATES / f"{name}.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    src = tagged[0].source
    assert 'project_path = "../../data/portfolios/example_portfolio.toml"' in src
    assert 'output_dir = "../../reports/example_portfolio"' in src
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_template_runs_on_defaults(name, tmp_path):
    from costing.report.execute import DEFAULT_TIMEOUT

    out = tmp_path / f"{name}.ipynb"
    pm.execute_notebook(str(TEMPLATES / f"{name}.ipynb"), str(out), kernel_name="python3",
                        cwd=str(TEMPLATES), parameters={"output_dir": str(tmp_path / "reports")},
                        progress_bar=False, execution_timeout=DEFAULT_TIMEOUT)
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    # a failing cell leaves an output of type "error" (ename, evalue, traceback) and papermill's
    # exception flag; a warning goes to the stderr stream
    errors = [f"{o.get('ename')}: {o.get('evalue')}" for o in outputs if o.get("output_type") == "error"]
    assert errors == [] and not nb.metadata.get("papermill", {}).get("exception")
    assert [o.get("text") for o in outputs if o.get("name") == "stderr"] == []
    text = "".join(str(o.get("data", {})) + o.get("text", "") for o in outputs)
    if name == "ex_ante":
        assert "cut_rate" in text
    if name == "monitoring":
        assert "n_low_execution" in text and "image/png" in text
    if name == "self_evaluation":
        assert (tmp_path / "reports" / "self_evaluation_forms.xlsx").exists()
