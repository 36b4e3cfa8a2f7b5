"""The CBA report template: one `parameters` cell with literal defaults, no
outputs committed, and it executes with papermill on its defaults."""
import ast
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "notebooks" / "templates" / "cba.ipynb"


def test_template_has_one_literal_parameters_cell_and_no_outputs():
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
def test_template_runs_through_the_report_pipeline(tmp_path):
    """Tier 2 and 3: the bundled CBA project reports, and its headline equals cba.appraise."""
    import json

    import nbformat

    from costing import cba
    from costing.report import run_report

    project = REPO / "data" / "projects" / "cba_ebus_replacement.toml"
    res = run_report(project, tmp_path, overrides={"n_draws": 2000})
    assert res.status == "ok"
    p = cba.load_cba_project(project)
    r = cba.appraise(p.model, p.discount, timing=p.timing)
    head = res.headline["cba"]
    assert head["enpv"] == pytest.approx(r.enpv, rel=1e-12)
    assert head["eirr"] == pytest.approx(r.eirr, rel=1e-12)
    assert head["bcr"] == pytest.approx(r.bcr, rel=1e-12)
    html = (res.report_dir / "cba_ebus_replacement_cba.html").read_text(encoding="utf-8")
    assert "成本效益分析" in html and "data:image/png;base64" in html
    nb = nbformat.read(res.report_dir / "cba_ebus_replacement_cba.ipynb", as_version=4)
    images = sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    assert images == 2  # the tornado and the CDF, each shown once
    manifest = json.loads((res.report_dir / "manifest.json").read_text(encoding="utf-8"))
    assert "cashflows.csv" in json.dumps(manifest)
