"""The cost-standard report template, tiers 1-3, on the bundled bus example.

Tier 1: the template has a parameters cell and the bundled projects validate.
Tier 2: it runs on a project (here the real example: one execution, ~6 s).
Tier 3: the headline figures it records equal costing.run_method.
"""
import json
from pathlib import Path

import nbformat
import pytest
from openpyxl import load_workbook

import costing

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "notebooks" / "templates" / "cost_standard.ipynb"
BUS = ROOT / "data" / "projects" / "bus_example.toml"


def test_tier1_parameters_cell_has_literal_defaults():
    import ast

    nb = nbformat.read(TEMPLATE, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    tree = ast.parse(tagged[0].source)
    for node in tree.body:
        assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant), ast.dump(node)
    names = {n.targets[0].id for n in tree.body}
    assert {"project_path", "output_dir"} <= names


def test_tier1_template_holds_no_formulas():
    """Notebooks stay thin: no arithmetic on figures in code cells (display formatting aside)."""
    import ast

    nb = nbformat.read(TEMPLATE, as_version=4)
    for c in nb.cells:
        if c.cell_type != "code" or "parameters" in c.metadata.get("tags", []):
            continue
        for node in ast.walk(ast.parse(c.source)):
            if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Mod):
                # only string concatenation/formatting is allowed
                assert isinstance(node.left, (ast.Constant, ast.JoinedStr)) or \
                    isinstance(node.right, (ast.Constant, ast.JoinedStr)), ast.unparse(node)


@pytest.mark.parametrize("name", ["bus_example.toml", "sanitation_example.toml"])
def test_tier1_bundled_projects_validate(name):
    from costing.report import plan_report

    plan = plan_report(ROOT / "data" / "projects" / name)
    assert plan.templates
    costing.load_project(ROOT / "data" / "projects" / name)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from costing.report import run_report

    out = tmp_path_factory.mktemp("reports")
    return run_report(BUS, out)


@pytest.mark.slow
def test_tier2_report_files(report):
    assert report.status == "ok"
    names = {p.name for p in report.report_dir.iterdir()}
    assert names == {"bus_example_cost_standard.html", "bus_example_cost_standard.xlsx",
                     "bus_example_cost_standard.ipynb", "bus_example_cost_standard.docx",
                     "manifest.json"}


@pytest.mark.slow
def test_tier3_headline_equals_run_method(report):
    r = costing.run_method(costing.load_project(BUS))
    nb = nbformat.read(report.report_dir / "bus_example_cost_standard.ipynb", as_version=4)
    head = nb.metadata["costing"]["headline"]
    for k, v in r.headline().items():
        assert head[k]["value"] == pytest.approx(v, rel=1e-12), k
    assert head["unit_cost_standard"]["unit"] == "元/车公里"


@pytest.mark.slow
def test_every_chart_is_shown_once_as_an_image(report):
    template = nbformat.read(TEMPLATE, as_version=4)
    calls = sum(c.source.count("charts.") for c in template.cells if c.cell_type == "code")
    nb = nbformat.read(report.report_dir / "bus_example_cost_standard.ipynb", as_version=4)
    images = sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    assert images == calls == 9


@pytest.mark.slow
def test_html_is_chinese_self_contained_and_codeless(report):
    html = (report.report_dir / "bus_example_cost_standard.html").read_text(encoding="utf-8")
    assert "标靶划线" in html and "审减率" in html and "示例区公交运行补贴" in html
    assert "data:image/png;base64" in html
    assert "costing.run_method(project" not in html  # no code cells
    assert "missing from font" not in html


@pytest.mark.slow
def test_xlsx_and_manifest(report):
    wb = load_workbook(report.report_dir / "bus_example_cost_standard.xlsx")
    assert {"成本标准表", "预算汇总", "审减情况", "同行比较"} <= set(wb.sheetnames)
    man = json.loads((report.report_dir / "manifest.json").read_text(encoding="utf-8"))
    text = json.dumps(man, ensure_ascii=False)
    assert "peers.xlsx" in text and "actual_costs.csv" in text and costing.__version__ in text


def test_bad_data_is_invalid_before_anything_runs(tmp_path):
    """A broken table is reported as bad input (file, row, column) at planning time, not as a failed cell."""
    import shutil

    from costing.errors import InputError
    from costing.report import plan_report, run_batch

    root = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "raw" / "bus_example", root / "raw" / "bus_example")
    (root / "projects").mkdir()
    shutil.copy(BUS, root / "projects" / "bus_example.toml")
    ops = root / "raw" / "bus_example" / "operations.csv"
    lines = ops.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",", ",x", 1)  # a non-numeric vehicle_km in row 3
    ops.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"operations.csv，第 3 行，列“vehicle_km”：不是数字"):
        plan_report(root / "projects" / "bus_example.toml")
    (res,) = run_batch([root / "projects" / "bus_example.toml"], tmp_path / "out", jobs=1, progress=False)
    assert res.status == "invalid" and "第 3 行" in res.error
    assert not (tmp_path / "out" / "bus_example").exists()
