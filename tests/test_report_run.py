"""Report pipeline, slow tier: executes the fixture template (a few seconds per notebook).

Fixture: tests/fixtures/report/report_fixture.ipynb on bus_tiny.toml, whose cost table
costs_tiny.csv holds 人工 600000 + 能源 300000 + 维修 100000 元, so the recorded
total_cost must be 600000 + 300000 + 100000 = 1,000,000 元.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from openpyxl import load_workbook

from costing.report import cli, export
from costing.report.batch import run_batch
from costing.report.execute import CliValue, ReportError, run_report

pytestmark = pytest.mark.slow

FIX = Path(__file__).parent / "fixtures" / "report"


def _copy_fixtures(dst: Path) -> Path:
    shutil.copytree(FIX, dst)
    return dst


def _xlsx_values(path: Path) -> dict:
    """Every cell value, but the 说明 sheet's 生成时间 (the time of the run)."""
    wb = load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows() if row[0].value != "生成时间"] for ws in wb}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The bus_tiny report built twice into the same folder (the second replaces the first)."""
    out = tmp_path_factory.mktemp("reports")
    first = run_report(FIX / "bus_tiny.toml", out, templates_dir=FIX)
    snap = {"headline": first.headline,
            "xlsx": _xlsx_values(first.files["report_fixture.xlsx"]),
            "manifest": json.loads(first.files["manifest"].read_text(encoding="utf-8"))}
    second = run_report(FIX / "bus_tiny.toml", out, templates_dir=FIX)
    return out, snap, second


def test_report_files_and_headline(two_runs):
    out, _, res = two_runs
    assert res.ok and res.report_dir == out / "bus_tiny"
    names = sorted(p.name for p in res.report_dir.iterdir())
    assert names == ["bus_tiny_report_fixture.html", "bus_tiny_report_fixture.ipynb",
                     "bus_tiny_report_fixture.xlsx", "manifest.json"]
    assert [p.name for p in out.iterdir()] == ["bus_tiny"]  # no temporary folders left
    nb = nbformat.read(res.files["report_fixture.ipynb"], as_version=4)
    headline = nb.metadata["costing"]["headline"]
    assert headline["total_cost"] == {"value": 600000 + 300000 + 100000, "unit": "元"}
    assert headline["profit_rate"]["value"] == 0.02
    # kernel "python3" runs this very interpreter (the venv's), not whatever is on PATH
    assert headline["kernel_python"]["value"] == sys.executable
    # papermill's provenance is kept; the kernel saw absolute paths
    pm = nb.metadata["papermill"]
    assert pm["parameters"]["project_path"] == str((FIX / "bus_tiny.toml").resolve())
    assert pm["parameters"]["show_chart"] is True
    assert export.glyph_warnings(nb) == []


def test_html_self_contained_chinese_no_code(two_runs):
    _, _, res = two_runs
    html = res.files["report_fixture.html"].read_text(encoding="utf-8")
    assert "成本构成 (cost composition)" in html          # markdown cell
    assert "小型公交项目（测试）" in html                    # output of a code cell
    assert "本报告由测试模板生成" in html                    # notes_path file shown
    assert "data:image/png;base64," in html                 # chart embedded
    assert "record_table(" not in html and "import matplotlib" not in html  # no code
    assert "<script src=" not in html                       # nothing fetched from a CDN
    assert "[costing]" not in html                          # record bundles dropped
    assert "jp-InputPrompt" not in html.split("</style>")[-1]  # no prompts


def test_running_twice_gives_identical_figures_and_cells(two_runs):
    _, snap, res = two_runs
    assert res.headline == snap["headline"]
    assert _xlsx_values(res.files["report_fixture.xlsx"]) == snap["xlsx"]
    sheets = snap["xlsx"]
    assert list(sheets) == ["说明", "成本明细"]
    assert sheets["成本明细"][0] == ["item", "amount（元）", "share"]
    assert sheets["成本明细"][1] == ["人工", 600000, 0.6]


def test_manifest_hashes_equal_hashlib(two_runs):
    _, snap, res = two_runs
    m = json.loads(res.files["manifest"].read_text(encoding="utf-8"))
    files = {e["name"]: e for e in m["inputs"]}
    assert set(files) == {"bus_tiny.toml", "costs_tiny.csv"}
    for name, e in files.items():
        assert e["sha256"] == hashlib.sha256((FIX / name).read_bytes()).hexdigest()
    tpl = m["templates"]["report_fixture"]
    assert tpl["template_sha256"] == hashlib.sha256(
        (FIX / "report_fixture.ipynb").read_bytes()).hexdigest()
    assert tpl["parameters"]["output_dir"] == str(res.report_dir)  # final folder, not the build dir
    assert tpl["headline"]["total_cost"]["value"] == 1_000_000
    assert datetime.fromisoformat(m["created"]).utcoffset() is not None
    assert m["versions"]["python"] == ".".join(map(str, sys.version_info[:3]))
    assert m["inputs"] == snap["manifest"]["inputs"]
    assert [o["name"] for o in m["outputs"]] == [
        "bus_tiny_report_fixture.html", "bus_tiny_report_fixture.ipynb",
        "bus_tiny_report_fixture.xlsx"]
    assert all(o["bytes"] == (res.report_dir / o["name"]).stat().st_size for o in m["outputs"])


def test_glyph_warning_fails_report_and_keeps_old_one(two_runs, tmp_path):
    out, _, good = two_runs
    out2 = tmp_path / "reports"
    shutil.copytree(out, out2)
    before = (out2 / "bus_tiny" / "manifest.json").read_bytes()
    with pytest.raises(ReportError) as e:
        run_report(FIX / "bus_tiny.toml", out2, templates_dir=FIX,
                   overrides={"use_cjk_font": CliValue("false")})
    msg = str(e.value)
    assert "missing-glyph" in msg and "DejaVu Sans" in msg and "cell" in msg
    kept = out2 / "failed" / "bus_tiny_report_fixture.ipynb"
    assert e.value.notebook_path == kept and kept.exists()
    # the previous complete report is untouched; no partial or temporary folder
    assert (out2 / "bus_tiny" / "manifest.json").read_bytes() == before
    assert sorted(p.name for p in out2.iterdir()) == ["bus_tiny", "failed"]


def test_cli_batch_one_broken_project(tmp_path, capsys):
    proj = _copy_fixtures(tmp_path / "projects")
    (proj / "sanitation_tiny.yaml").unlink()  # YAML and CJK ids: see the Dask test
    out = tmp_path / "reports"
    args = cli.add_arguments(argparse.ArgumentParser()).parse_args(
        ["--all", str(proj), "--out", str(out), "--jobs", "2", "--templates-dir", str(FIX),
         "--no-progress"])
    code = cli.run(args)
    captured = capsys.readouterr()
    assert code == 1
    assert sorted(p.name for p in out.iterdir()) == ["bus_tiny", "failed"]
    assert len(list((out / "bus_tiny").iterdir())) == 4
    assert [p.name for p in (out / "failed").iterdir()] == ["broken_report_fixture.ipynb"]
    # the error names the failing cell (index, first source line) and the exception
    assert "cell 5 (In [4]) `record(\"total_cost\"" in captured.err
    assert "KeyError" in captured.err and "'amount'" in captured.err
    assert "Traceback" not in captured.err
    assert "1/2 reports written" in captured.out and f"Reports are in {out}" in captured.out


def test_batch_on_dask_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "reports"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        results = run_batch([FIX / "bus_tiny.toml", FIX / "sanitation_tiny.yaml"], out,
                            executor=client, progress=False, summary=False, templates_dir=FIX)
    assert [r.status for r in results] == ["ok", "ok"], [r.error for r in results]
    assert [r.headline["report_fixture"]["total_cost"] for r in results] == [1_000_000] * 2
    assert [r.headline["report_fixture"]["profit_rate"] for r in results] == [0.02, 3.0]
    assert [r.report_dir.name for r in results] == ["bus_tiny", "环卫_测试"]
    nb = nbformat.read(out / "环卫_测试" / "环卫_测试_report_fixture.ipynb", as_version=4)
    assert nb.metadata["papermill"]["parameters"]["profit_rate"] == 3.0  # int accepted as float


def test_a_kernel_that_dies_before_its_first_reply_is_started_once_more(tmp_path, monkeypatch):
    """Two kernels started at once can pick the same port and one dies before any cell runs
    (seen in a batch under load); that start is retried once, a second failure is reported."""
    import papermill

    from costing.report import execute

    calls = []

    def flaky(*args, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise RuntimeError(f"{execute.KERNEL_START_FAILED}: ZMQError: Address already in use")
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    tpl = tmp_path / "t.ipynb"
    nb = execute.execute_template(tpl, {}, tmp_path / "out.ipynb")
    assert len(calls) == 2 and nb.cells[0].source == "1"

    calls.clear()

    def dead(*args, **kwargs):
        calls.append(kwargs)
        raise RuntimeError(f"{execute.KERNEL_START_FAILED}: again")

    monkeypatch.setattr(papermill, "execute_notebook", dead)
    with pytest.raises(ReportError, match="execution failed"):
        execute.execute_template(tpl, {}, tmp_path / "out.ipynb")
    assert len(calls) == 2

    calls.clear()

    def other(*args, **kwargs):
        calls.append(kwargs)
        raise RuntimeError("something else")

    monkeypatch.setattr(papermill, "execute_notebook", other)
    with pytest.raises(ReportError, match="something else"):
        execute.execute_template(tpl, {}, tmp_path / "out.ipynb")
    assert len(calls) == 1  # only a kernel that never answered is started again
