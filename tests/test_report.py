"""Report pipeline, fast tier: project spec, ids, parameter schema, records, exports, CLI input.

Nothing here starts a kernel; see test_report_run.py for the notebook-executing tests.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from costing.errors import InputError, ModelError, ParameterError
from costing.report import cli, export
from costing.report.batch import format_summary, run_batch
from costing.report.execute import CliValue, ReportResult, plan_report
from costing.report.params import (coerce_cli_value, inspect_template, parse_parameters_cell,
                                   templates_dir, validate_parameters)
from costing.report.record import HEADLINE_MIME, TABLE_MIME, headline_bundle, table_bundle
from costing.report.spec import read_report_spec, sanitise_id

FIX = Path(__file__).parent / "fixtures" / "report"
REPO = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ project spec


def test_spec_toml_reads_only_report_keys():
    spec = read_report_spec(FIX / "bus_tiny.toml")
    assert spec.project_id == "bus_tiny"
    assert spec.name == "小型公交项目（测试）"
    assert spec.tables == {"costs": (FIX / "costs_tiny.csv").resolve()}
    assert spec.templates == ("report_fixture",)
    assert spec.parameters == {"profit_rate": 0.02, "show_chart": True}
    assert spec.input_files == [(FIX / "bus_tiny.toml").resolve(), (FIX / "costs_tiny.csv").resolve()]


def test_spec_yaml_table_form_and_cjk_id():
    spec = read_report_spec(FIX / "sanitation_tiny.yaml")
    assert spec.project_id == "环卫_测试"
    assert spec.safe_id == "环卫_测试"
    assert spec.tables["costs"] == (FIX / "costs_tiny.csv").resolve()
    assert spec.parameters == {"profit_rate": 3}


def test_spec_defaults_and_errors(tmp_path):
    p = tmp_path / "p.toml"
    p.write_text('[project]\nid = "x"\n[other]\nanything = 1\n', encoding="utf-8")
    spec = read_report_spec(p)
    assert spec.templates == ("cost_standard",) and spec.tables == {} and spec.parameters == {}

    p.write_text('[project]\nname = "no id"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"p\.toml.*\[project\] id"):
        read_report_spec(p)
    p.write_text('[project]\nid = "x"\n[tables]\ncosts = "nope.csv"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"tables\.costs.*table file not found.*nope\.csv"):
        read_report_spec(p)
    p.write_text('[project]\nid = "x"\n[report]\ntemplates = []\n', encoding="utf-8")
    with pytest.raises(InputError, match="templates"):
        read_report_spec(p)
    bad = tmp_path / "p.json"
    bad.write_text("{}")
    with pytest.raises(InputError, match=r"expected a \.toml"):
        read_report_spec(bad)
    broken = tmp_path / "b.toml"
    broken.write_text("[project\n")
    with pytest.raises(InputError, match=r"b\.toml.*不是有效的 TOML 文件（第 1 行第 9 列附近有语法错误）"):
        read_report_spec(broken)


# ------------------------------------------------------------------ safe ids


@pytest.mark.parametrize("raw", ["../../etc", "..", "a/b", "a\\b", ".hidden", "/etc/passwd",
                                 "x/../../y", "…", "   "])
def test_sanitise_blocks_traversal(raw):
    with pytest.raises(InputError):
        sanitise_id(raw)


@pytest.mark.parametrize("raw, safe", [("公交 2025", "公交_2025"), ("bus-1_x", "bus-1_x"),
                                       ("环卫:保洁*?", "环卫_保洁"), ("a.b", "a_b")])
def test_sanitise_keeps_cjk_digits_dash_underscore(raw, safe):
    assert sanitise_id(raw) == safe


@given(st.text(min_size=1, max_size=40))
def test_sanitised_id_never_leaves_the_out_dir(raw):
    out = Path("/srv/reports")
    try:
        safe = sanitise_id(raw)
    except InputError:
        return
    assert "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert re.fullmatch(r"[\w\-]+", safe)
    assert (out / safe).resolve().parent == out


def test_traversal_id_rejected_before_anything_runs(tmp_path):
    p = tmp_path / "evil.toml"
    p.write_text('[project]\nid = "../../etc"\n[report]\ntemplates = ["report_fixture"]\n')
    with pytest.raises(InputError, match="escape"):
        plan_report(p, templates_dir=FIX)
    out = tmp_path / "out"
    results = run_batch([p], out, jobs=1, progress=False, summary=False, templates_dir=FIX)
    assert results[0].status == "invalid" and "escape" in results[0].error
    assert not (tmp_path / "etc").exists() and not any(out.glob("*"))


# ------------------------------------------------------------------ parameter schema


def test_parse_parameters_cell_types_defaults_help():
    src = ('# comment\nx = 1  # an int\ny: float = 2\nflag = False\nname = "公交"\n'
           'items = ["a", "b"]\nopt = None\n%matplotlib inline\n')
    ps = parse_parameters_cell(src)
    assert {k: (v.type, v.default) for k, v in ps.items()} == {
        "x": ("int", 1), "y": ("float", 2), "flag": ("bool", False), "name": ("str", "公交"),
        "items": ("list", ["a", "b"]), "opt": (None, None)}
    assert ps["x"].help == "an int"
    with pytest.raises(ParameterError, match="literal"):
        parse_parameters_cell("x = compute()\n")


def test_inspect_fixture_template():
    ps = inspect_template("report_fixture", search_dir=FIX)
    assert list(ps) == ["project_path", "output_dir", "notes_path", "show_chart", "use_cjk_font",
                        "profit_rate", "title"]
    assert ps["profit_rate"].type == "float" and ps["show_chart"].type == "bool"
    with pytest.raises(ParameterError, match=r"did you mean 'report_fixture'"):
        inspect_template("report_fixtur", search_dir=FIX)


def _schema():
    return inspect_template(FIX / "report_fixture.ipynb")


def test_unknown_parameter_lists_valid_names_and_suggests():
    with pytest.raises(ParameterError) as e:
        validate_parameters({"profit_rat": 0.03}, _schema(), project_file="p.toml",
                            template="report_fixture")
    msg = str(e.value)
    assert "p.toml" in msg and "'profit_rat'" in msg and "did you mean 'profit_rate'" in msg
    assert "['notes_path', 'output_dir', 'profit_rate', 'project_path', 'show_chart', 'title'" in msg


@pytest.mark.parametrize("name, value, expected", [
    ("profit_rate", "0.02", "float"),   # a string where a float is declared
    ("profit_rate", True, "float"),     # bool is not a number here
    ("show_chart", 1, "bool"),          # an int is not a bool
    ("title", 3, "str"),
])
def test_wrong_type_names_parameter_expected_and_found(name, value, expected):
    with pytest.raises(ParameterError) as e:
        validate_parameters({name: value}, _schema(), project_file="p.toml")
    msg = str(e.value)
    assert f"'{name}'" in msg and f"expected {expected}" in msg and repr(value) in msg


def test_int_accepted_as_float_and_paths_made_absolute(tmp_path):
    (tmp_path / "n.md").write_text("x")
    out = validate_parameters({"profit_rate": 3, "notes_path": "n.md"}, _schema(), base_dir=tmp_path)
    assert out["profit_rate"] == 3.0 and isinstance(out["profit_rate"], float)
    assert out["notes_path"] == str((tmp_path / "n.md").resolve())
    with pytest.raises(ParameterError, match=r"'notes_path'.*missing file.*found 'gone\.md'"):
        validate_parameters({"notes_path": "gone.md"}, _schema(), project_file="p.toml",
                            base_dir=tmp_path)


@pytest.mark.parametrize("raw, typ, value", [("false", "bool", False), ("是", "bool", True),
                                             ("3", "int", 3), ("0.5", "float", 0.5),
                                             ("[1, 2]", "list", [1, 2]), ("abc", "str", "abc"),
                                             ("x", "float", "x")])
def test_coerce_cli_value(raw, typ, value):
    assert coerce_cli_value(raw, typ) == value


def test_plan_validates_project_parameters_and_overrides(tmp_path):
    plan = plan_report(FIX / "sanitation_tiny.yaml", templates_dir=FIX)
    (tpl,) = plan.templates
    assert tpl.name == "report_fixture" and tpl.parameters == {"profit_rate": 3.0}
    plan = plan_report(FIX / "bus_tiny.toml", {"use_cjk_font": CliValue("false")},
                       templates_dir=FIX)
    assert plan.templates[0].parameters["use_cjk_font"] is False
    with pytest.raises(ParameterError, match=r"bus_tiny\.toml.*did you mean 'show_chart'"):
        plan_report(FIX / "bus_tiny.toml", {"show_chrat": CliValue("1")}, templates_dir=FIX)
    with pytest.raises(ParameterError, match="set by the report pipeline"):
        plan_report(FIX / "bus_tiny.toml", {"output_dir": "x"}, templates_dir=FIX)


def test_shared_parameters_go_to_the_templates_that_declare_them(tmp_path):
    nb = nbformat.read(FIX / "report_fixture.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = 'project_path = "x.toml"\noutput_dir = "."\nas_of = "2026-09-30"\n'
    nbformat.write(nb, tmp_path / "other.ipynb")
    shutil.copy(FIX / "report_fixture.ipynb", tmp_path)
    p = tmp_path / "p.toml"
    p.write_text('[project]\nid = "p"\n[report]\ntemplates = ["report_fixture", "other"]\n'
                 '[report.parameters]\nas_of = "2026-06-30"\ntitle = "半年"\n', encoding="utf-8")
    plan = plan_report(p, {"profit_rate": CliValue("0.03")}, templates_dir=tmp_path)
    assert [(t.name, t.parameters) for t in plan.templates] == [
        ("report_fixture", {"title": "半年", "profit_rate": 0.03}),
        ("other", {"as_of": "2026-06-30"})]
    with pytest.raises(ParameterError, match=r"'as_off' for templates report_fixture, other.*"
                                             r"did you mean 'as_of'"):
        plan_report(p, {"as_off": CliValue("x")}, templates_dir=tmp_path)


# ------------------------------------------------------------------ bundled templates (tier 1)

BUNDLED_TEMPLATES = sorted((REPO / "notebooks" / "templates").glob("*.ipynb"))
BUNDLED_PROJECTS = sorted(p for ext in ("toml", "yaml", "yml")
                          for p in (REPO / "data" / "projects").glob(f"*.{ext}"))


@pytest.mark.parametrize("tpl", BUNDLED_TEMPLATES or [None], ids=lambda p: getattr(p, "stem", "none"))
def test_every_template_has_parameters_cell_with_pipeline_names(tpl):
    if tpl is None:
        pytest.skip("no templates in notebooks/templates yet")
    ps = inspect_template(tpl)
    assert {"project_path", "output_dir"} <= set(ps)
    nb = nbformat.read(tpl, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), \
        "templates are committed without outputs"


@pytest.mark.parametrize("project", BUNDLED_PROJECTS or [None],
                         ids=lambda p: getattr(p, "name", "none"))
def test_every_bundled_project_validates(project):
    if project is None:
        pytest.skip("no projects in data/projects yet")
    if not BUNDLED_TEMPLATES:
        pytest.skip("no templates in notebooks/templates yet")
    plan = plan_report(project)
    assert plan.templates and plan.spec.safe_id


def test_templates_dir_default_is_the_checkout():
    assert templates_dir() == REPO / "notebooks" / "templates"


# ------------------------------------------------------------------ records (kernel side)


def _nb_with(*bundles, stderr=None):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data=b) for b in bundles]
    if stderr:
        cell.outputs.append(nbformat.v4.new_output("stream", name="stderr", text=stderr))
    nb.cells = [nbformat.v4.new_markdown_cell("# 标题"), cell]
    return nb


def test_headline_bundle_plain_values_and_nan_refused():
    b = headline_bundle("subsidy", np.float64(1234.5), unit="元")
    assert b[HEADLINE_MIME] == {"name": "subsidy", "value": 1234.5, "unit": "元"}
    assert type(b[HEADLINE_MIME]["value"]) is float
    assert headline_bundle("n", np.int64(7))[HEADLINE_MIME]["value"] == 7
    assert b["text/plain"] == ""  # JupyterLab shows no "[costing] subsidy = …" log line
    with pytest.raises(ModelError, match="subsidy.*finite"):
        headline_bundle("subsidy", float("nan"))
    with pytest.raises(ModelError, match="must be a number"):
        headline_bundle("x", [1, 2])


def test_table_roundtrip_through_notebook_outputs():
    df = pd.DataFrame({"审减额": [1.0 / 3, 2.5e8], "审减率": [0.304, 0.1], "n": [1, 2]},
                      index=pd.Index(["人工", "能源"], name="项目"))
    nb = _nb_with(table_bundle("审减", df, unit={"审减额": "万元", "审减率": "%"}),
                  headline_bundle("cut_rate", 0.304, "fraction"),
                  headline_bundle("cut_rate", 0.305, "fraction"))
    json.dumps(nb.cells[1].outputs[0]["data"][TABLE_MIME])  # JSON-serialisable
    headline, tables = export.collect_records(nb)
    assert headline == {"cut_rate": {"value": 0.305, "unit": "fraction"}}  # later record wins
    (t,) = tables
    assert t.name == "审减" and t.n_index == 1 and list(t.frame.columns) == ["项目", "审减额", "审减率", "n"]
    assert t.frame["审减额"].tolist() == [1.0 / 3, 2.5e8]  # full float precision survives JSON
    assert t.frame["项目"].tolist() == ["人工", "能源"]
    stripped = export.strip_records(nb)
    assert all(not o for c in stripped.cells if c.cell_type == "code" for o in [c.outputs])
    assert len(nb.cells[1].outputs) == 3  # original untouched


def test_declared_row_units_survive_recording():
    """A table's per-row units (df.attrs["row_units"]) reach the Word and xlsx readers:
    0.2325 in a "fraction" row reads 23.25% after the notebook round trip."""
    from costing.present import reader_frame

    df = pd.DataFrame({"指标": ["票款回收率", "车公里成本"], "单位": ["fraction", "元/车公里"],
                       "本项目": [0.2325, 10.5991]})
    df.attrs["row_units"] = {"本项目": "单位"}
    _, (t,) = export.collect_records(_nb_with(table_bundle("同行比较", df)))
    assert t.frame.attrs["row_units"] == {"本项目": "单位"}
    assert reader_frame(t.frame)["本项目"].tolist() == ["23.25%", "10.5991"]


def test_glyph_warnings_found_in_stderr_only():
    warn = "UserWarning: Glyph 25104 (\\N{CJK UNIFIED IDEOGRAPH-6210}) missing from font(s) DejaVu Sans."
    nb = _nb_with(headline_bundle("a", 1), stderr="fine\n" + warn + "\n")
    assert export.glyph_warnings(nb) == [(1, warn)]
    assert export.glyph_warnings(_nb_with(headline_bundle("a", 1), stderr="fine\n")) == []


def test_unrendered_figure_detected():
    nb = _nb_with({"text/plain": "<Figure size 990x528 with 1 Axes>"},
                  {"text/plain": "<Figure size 640x480 with 1 Axes>", "image/png": "iVBOR"},
                  {"text/plain": "42"})
    assert export.unrendered_figures(nb) == [(1, "<Figure size 990x528 with 1 Axes>")]


# ------------------------------------------------------------------ xlsx, manifest


def test_xlsx_formats_frozen_header_widths(tmp_path):
    df = pd.DataFrame({"项目": ["人工", "能源"], "年份": [2024, 2024], "审减额": [1234567.891, 0.5],
                       "审减率": [0.30403, 0.1], "车辆": [10, 2000], "单位成本": [9.03125, 1.0]})
    # the builder declares every kind: nothing is read from the header text
    table = export.RecordedTable("审减/汇总", df, {"年份": "plain", "审减额": "万元", "审减率": "%",
                                                  "单位成本": "元/车公里"}, n_index=1)
    path = export.write_xlsx(tmp_path / "r.xlsx", [table],
                             {"cut_rate": {"value": 0.304, "unit": "fraction"},
                              "subsidy": {"value": 67582586.43, "unit": "元"},
                              "price_year": {"value": 2024, "unit": "plain"}},
                             {"project_id": "bus", "project_name": "公交", "template": "cost_standard",
                              "parameters": {"show_need_detail": True},
                              "inputs": [{"name": "a.csv", "sha256": "ab" * 32}], "version": "1.0"})
    wb = load_workbook(path)
    assert wb.sheetnames == ["说明", "审减_汇总"]
    ws = wb["审减_汇总"]
    assert [c.value for c in ws[1]] == ["项目", "年份", "审减额（万元）", "审减率", "车辆", "单位成本（元/车公里）"]
    assert ws["C2"].value == 1234567.891 and ws["C2"].number_format == "#,##0.00"
    assert ws["D2"].number_format == "0.00%" and ws["E3"].number_format == "#,##0"
    assert ws["F2"].value == 9.03125 and ws["F2"].number_format == "#,##0.0000"
    assert ws["B2"].number_format == "0"  # a year is not 2,024
    assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb.endswith(export.HEADER_FILL)
    assert ws.freeze_panes == "B2"
    assert ws.column_dimensions["C"].width >= len("1,234,567.89")
    about = wb["说明"]
    assert [c.value for c in about[1]] == ["项目", "内容", "单位"]
    rows = {r[0].value: r for r in about.iter_rows(min_row=2)}
    assert rows["项目代码"][1].value == "bus" and rows["项目名称"][1].value == "公交"
    assert rows["报告模板"][1].value == "成本标准测算报告"
    assert rows["参数：展示资源测算明细"][1].value == "是"
    assert rows["输入文件：a.csv"][1].value == "ab" * 32 and rows["输入文件：a.csv"][2].value == "SHA-256"
    assert rows["主要指标：审减率"][1].number_format == "0.00%"
    # money in 元 goes to 万元 on 说明: 67,582,586.43 / 10,000 = 6,758.258643
    assert rows["主要指标：核定补贴"][1].value == pytest.approx(6758.258643)
    assert rows["主要指标：核定补贴"][2].value == "万元" and rows["主要指标：核定补贴"][1].number_format == "#,##0.00"
    assert rows["主要指标：价格基年"][1].value == 2024 and rows["主要指标：价格基年"][1].number_format == "0"
    assert rows["版本"][1].value == "costing 1.0" and "口径说明" in rows
    assert about.freeze_panes == "A2"
    # reader text only: no English key on 说明 (file names aside)
    assert not any(re.search(r"[A-Za-z]{3,}", str(r[0].value).split("：")[0]) for r in about.iter_rows(min_row=2))


def test_sha256_and_time_and_versions(tmp_path):
    f = tmp_path / "a.csv"
    f.write_bytes("项目,金额\n人工,1\n".encode() * 300_000)  # several 1 MiB read chunks
    assert export.sha256_file(f) == hashlib.sha256(f.read_bytes()).hexdigest()
    (entry,) = export.input_entries([f], tmp_path)
    assert entry["name"] == "a.csv" and entry["bytes"] == f.stat().st_size
    t = datetime.fromisoformat(export.now_iso())
    assert t.utcoffset() is not None
    v = export.package_versions()
    assert {"costing", "python", "numpy", "pandas", "papermill"} <= set(v)
    assert v["numpy"] == np.__version__ and v["pandas"] == pd.__version__


def test_summary_table():
    rs = [ReportResult(Path("a.toml"), "公交", "ok", Path("/r/公交"), seconds=2.04),
          ReportResult(Path("b.toml"), None, "failed", error="cell 3 raised KeyError\nmore")]
    text = format_summary(rs, "/r", 3.0)
    lines = text.splitlines()
    assert lines[2].startswith("公交  ") and "ok" in lines[2] and "2.0" in lines[2]
    assert "b.toml" in lines[3] and "cell 3 raised KeyError" in lines[3] and "more" not in text
    assert lines[-1] == "1/2 reports written under /r in 3.0 s"


# ------------------------------------------------------------------ CLI input handling


def _args(*argv):
    return cli.add_arguments(argparse.ArgumentParser()).parse_args(list(argv))


def test_cli_bad_input_exits_2_without_traceback(tmp_path, capsys):
    assert cli.run(_args("--no-progress")) == 2
    assert "no project files" in capsys.readouterr().err
    assert cli.run(_args(str(FIX / "bus_tiny.toml"), "-p", "oops")) == 2
    assert "expected NAME=VALUE" in capsys.readouterr().err
    code = cli.run(_args(str(FIX / "bus_tiny.toml"), "--templates-dir", str(FIX), "--out",
                         str(tmp_path), "-p", "profit_rte=0.1", "--no-progress"))
    captured = capsys.readouterr()
    assert code == 2
    assert "did you mean 'profit_rate'" in captured.err and "Traceback" not in captured.err
    assert "invalid" in captured.out and not (tmp_path / "bus_tiny").exists()


def test_cli_collects_all_dir(tmp_path):
    for name in ("b.toml", "a.yaml", "c.yml", "x.csv", ".hidden.toml"):
        (tmp_path / name).write_text("")
    assert [p.name for p in cli.collect_projects([], [tmp_path])] == ["a.yaml", "b.toml", "c.yml"]
