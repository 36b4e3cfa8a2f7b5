"""Word documents from editable templates (costing.report.word): the bus report's .docx
against its own xlsx and HTML, a bureau's edited template, unknown fields, number display."""
from __future__ import annotations

import json
from pathlib import Path

import docx  # python-docx, installed with docxtpl (a hard dependency)
import nbformat
import pytest
from openpyxl import load_workbook

from costing.errors import InputError
from costing.report import export, word

ROOT = Path(__file__).resolve().parents[1]
BUS = ROOT / "data" / "projects" / "bus_example.toml"
HEADINGS = ["一、项目基本情况", "二、测算依据和方法", "三、测算过程和结果", "四、审核意见及审减情况", "五、有关建议"]


def test_show_value_rules():
    # hand-written expectations: what a bureau reader should see
    assert word.show_number(67582586.42993064, "元", "subsidy") == "6,758.26"   # 元 -> 万元
    assert word.show_number(0.259611, "fraction", "cut_rate") == "25.96%"
    assert word.show_number(9.305049, "元/车公里", "unit_cost_standard") == "9.3050"
    assert word.show_number(2026, "plain", "price_year") == "2026"            # a year (declared): no separator
    assert word.show_number(1234, None, "n_projects") == "1,234"
    assert word.show_value(float("nan")) == "—" and word.show_value(None) == "—"
    assert word.show_value(274.3) == "274.30" and word.show_value(20.0) == "20"
    assert word.show_value(3626.0, "money") == "3,626.00"                     # money keeps decimals


def test_show_table_formats_by_recorded_units():
    import pandas as pd

    frame = pd.DataFrame({"项目": ["单位成本标准", "核定补贴", "审减率"], "数值": [9.30504, 6758.2586, 0.2596],
                          "单位": ["元/车公里", "万元", "fraction"]})
    t = word.show_table(export.RecordedTable("预算汇总", frame))
    assert t.rows == [["单位成本标准", "9.3050", "元/车公里"], ["核定补贴", "6,758.26", "万元"],
                      ["审减率", "25.96%", ""]]
    frame = pd.DataFrame({"部门": ["甲", "乙"], "申报数（万元）": [10.0, 2.5], "审减率（%）": [0.1, None],
                          "项目数": [3.0, 12.0]})
    t = word.show_table(export.RecordedTable("x", frame, unit={"申报数（万元）": "万元", "审减率（%）": "%",
                                                                  "项目数": "个"}))
    assert t.header == ["部门", "申报数（万元）", "审减率", "项目数"]  # the cells carry the %
    assert t.rows == [["甲", "10.00", "10.00%", "3"], ["乙", "2.50", "—", "12"]]
    assert t.without("部门", "项目数").header == ["申报数（万元）", "审减率"]
    assert t.without("审减率（%）").header == ["部门", "申报数（万元）", "项目数"]  # the recorded name works too


def _word_build():
    """tools/word_build.py, the maintainer's script that makes the shipped templates (not in the package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("word_build", ROOT / "tools" / "word_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_word_build_is_not_in_the_installed_package():
    import costing.report

    assert not (Path(costing.report.__file__).parent / "word_build.py").exists()


def test_shipped_templates_are_rebuilt_by_the_builder(tmp_path):
    """The .docx in the package are what tools/word_build.py makes (compared part by part, not zip bytes)."""
    from zipfile import ZipFile

    for built in _word_build().build(tmp_path):
        shipped = word.TEMPLATE_DIR / built.name
        with ZipFile(built) as a, ZipFile(shipped) as b:
            parts = sorted(n for n in a.namelist() if n != "docProps/core.xml")
            assert parts == sorted(n for n in b.namelist() if n != "docProps/core.xml"), built.name
            for n in parts:
                assert a.read(n) == b.read(n), f"{built.name}:{n} differs: run python tools/word_build.py"


def test_each_shipped_template_uses_known_fields_only():
    from costing.report.word_docs import FORM_FIELDS, KEY_FIELDS, NOTICE_FIELDS

    build = _word_build()
    DOCUMENTS, REPORTS = build.DOCUMENTS, build.REPORTS
    fields = {"self_evaluation_form": FORM_FIELDS, "rectification_notice": NOTICE_FIELDS,
              "key_projects": KEY_FIELDS}
    assert set(DOCUMENTS) == set(fields)
    for name in [*REPORTS, *DOCUMENTS]:
        word.WordTemplate(word.default_template(name), fields.get(name, word.REPORT_FIELDS))
    with pytest.raises(InputError, match="notice"):  # a notice template is not a report template
        word.WordTemplate(word.default_template("rectification_notice"))


def test_east_asian_fonts_and_fallbacks_are_in_the_template():
    d = docx.Document(word.default_template("cost_standard"))
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def east_asian(style):
        return d.styles[style].element.rPr.rFonts.get(f"{ns}eastAsia")

    assert east_asian("Normal") == "仿宋_GB2312" and east_asian("Heading 1") == "黑体"
    assert east_asian("表格文字") == "宋体"
    font_table = next(r.target_part for r in d.part.rels.values() if r.reltype.endswith("/fontTable")).blob
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in font_table.decode("utf-8")


def _template_with(tmp_path, old: str, new: str) -> Path:
    d = docx.Document(word.default_template("cost_standard"))
    hits = [p for p in d.paragraphs if old in p.text]
    assert hits, old
    for p in hits:
        text = p.text.replace(old, new)
        for r in p.runs[1:]:
            r.text = ""
        p.runs[0].text = text
    path = tmp_path / "bureau.docx"
    d.save(path)
    return path


def test_unknown_top_level_field_is_bad_input_before_anything_runs(tmp_path):
    from costing.cli import main
    from costing.report import plan_report

    bad = _template_with(tmp_path, "一、项目基本情况", "一、{{ bureau_name }}项目基本情况")
    with pytest.raises(InputError) as e:
        plan_report(BUS, word_templates={None: bad})
    msg = str(e.value)
    assert "bureau.docx" in msg and "bureau_name" in msg and "figures" in msg
    assert main(["report", str(BUS), "--word-template", str(bad), "--out", str(tmp_path / "r"),
                 "--no-progress"]) == 2
    assert not (tmp_path / "r" / "bus_example").exists()


def test_project_file_names_its_word_template(tmp_path):
    import shutil

    from costing.report import plan_report

    fixtures = ROOT / "tests" / "fixtures" / "report"
    for name in ("bus_tiny.toml", "costs_tiny.csv", "report_fixture.ipynb"):
        shutil.copy(fixtures / name, tmp_path / name)
    project = tmp_path / "bus_tiny.toml"
    assert plan_report(project, templates_dir=tmp_path).templates[0].word is None  # no Word template for this one
    bad = _template_with(tmp_path, "二、测算依据和方法", "二、{{ nonsense }}")
    text = project.read_text(encoding="utf-8")
    project.write_text(text.replace("[report]\n", '[report]\nword_template = { report_fixture = "bureau.docx" }\n'),
                       encoding="utf-8")
    with pytest.raises(InputError, match="nonsense"):
        plan_report(project, templates_dir=tmp_path)
    good = _template_with(tmp_path, "二、测算依据和方法", "二、测算依据")
    assert plan_report(project, templates_dir=tmp_path).templates[0].word.path == good


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from costing.report import run_report

    return run_report(BUS, tmp_path_factory.mktemp("reports"))


def _text(path) -> str:
    d = docx.Document(path)
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


@pytest.mark.slow
def test_docx_headings_figures_equal_xlsx_and_html_and_images(report):
    path = report.report_dir / "bus_example_cost_standard.docx"
    d = docx.Document(path)
    assert [p.text for p in d.paragraphs if p.style.name == "Heading 1"] == HEADINGS
    # headline figures: the values on the xlsx's 说明 sheet, shown as the HTML shows them
    about = load_workbook(report.report_dir / "bus_example_cost_standard.xlsx")["说明"]
    values = {r[0]: r[1] for r in about.iter_rows(min_row=2, values_only=True)}  # money in 万元 on 说明
    html = (report.report_dir / "bus_example_cost_standard.html").read_text(encoding="utf-8")
    text = _text(path)
    from costing.fmt import fmt

    shown = {"subsidy": fmt(values["主要指标：核定补贴"], "money"),
             "requested": fmt(values["主要指标：申报数"], "money"),
             "cut_amount": fmt(values["主要指标：审减额"], "money"),
             "cut_rate": fmt(values["主要指标：审减率"], "rate"),
             "unit_cost_standard": fmt(values["主要指标：单位成本标准"], "unit_cost")}
    assert shown == {"subsidy": "6,758.26", "requested": "9,128.00", "cut_amount": "2,369.74",
                     "cut_rate": "25.96%", "unit_cost_standard": "9.3050"}  # regression values of the synthetic bus example
    for name, s in shown.items():
        assert s in text, name
        assert s in html, name
    # every chart of the notebook is embedded as an image; tables are native Word tables
    nb = nbformat.read(report.report_dir / "bus_example_cost_standard.ipynb", as_version=4)
    pngs = sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    assert len(d.inline_shapes) == pngs == 9
    assert len(d.tables) >= 5 and "驾驶员工资" in text
    manifest = json.loads((report.report_dir / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["templates"]["cost_standard"]
    assert entry["files"]["docx"] == path.name and entry["word_template_sha256"]
    assert path.name in {o["name"] for o in manifest["outputs"]}


@pytest.mark.slow
def test_html_has_the_sections_of_the_word_document(report):
    """The HTML report and the Word document carry the same numbered sections, and the same 有关建议."""
    import re

    html = (report.report_dir / "bus_example_cost_standard.html").read_text(encoding="utf-8")
    assert re.findall(r'<h2 class="costing-section" id="sec-\d+">(.*?)</h2>', html) == HEADINGS
    d = docx.Document(report.report_dir / "bus_example_cost_standard.docx")
    paras = [p.text for p in d.paragraphs]
    advice = paras[paras.index("五、有关建议") + 1:paras.index("五、有关建议") + 4]
    assert advice[0].startswith("（一）按核定的单位成本标准 9.3050 元/车公里安排补贴预算 6,758.26 万元")
    for text in advice:
        assert text in html


@pytest.mark.slow
def test_edited_template_gives_the_edited_heading(report, tmp_path):
    nb = nbformat.read(report.report_dir / "bus_example_cost_standard.ipynb", as_version=4)
    headline, tables = export.collect_records(nb)
    info = {"project_id": "bus_example", "project_name": "示例区公交", "project_file": str(BUS)}
    edited = _template_with(tmp_path, "五、有关建议", "五、意见和建议")
    out = word.WordTemplate(edited).render(word.report_context(nb, headline, tables, info),
                                           tmp_path / "out.docx")
    heads = [p.text for p in docx.Document(out).paragraphs if p.style.name == "Heading 1"]
    assert heads == HEADINGS[:4] + ["五、意见和建议"]


@pytest.mark.slow
def test_unknown_nested_field_is_named_when_rendering(report, tmp_path):
    nb = nbformat.read(report.report_dir / "bus_example_cost_standard.ipynb", as_version=4)
    headline, tables = export.collect_records(nb)
    bad = _template_with(tmp_path, "五、有关建议", "五、{{ figures.subsidy_total }}")
    with pytest.raises(InputError) as e:
        word.WordTemplate(bad).render(word.report_context(nb, headline, tables, {"project_file": str(BUS)}),
                                      tmp_path / "x.docx")
    assert "figures.subsidy_total" in str(e.value) and "bureau.docx" in str(e.value)
    assert "'subsidy'" in str(e.value)  # what there is
    assert not (tmp_path / "x.docx").exists()


# ------------------------------------------------------------------ bulk documents

PORTFOLIO = ROOT / "data" / "portfolios" / "example_portfolio.toml"


@pytest.fixture(scope="module")
def portfolio():
    import costing.performance as cp

    pf = cp.load_portfolio(PORTFOLIO)
    return pf, cp.evaluate_portfolio(pf), cp.monitor(pf, "2026-09-30")


def test_self_evaluation_forms_are_word_tables_and_a_failure_leaves_the_rest(portfolio, tmp_path):
    from costing.report.word_docs import write_self_evaluation_docs

    pf, ev, _ = portfolio
    written, failed = write_self_evaluation_docs(ev, tmp_path, year=2026, projects=["P001", "P999", "P002"])
    assert [p.name for p in written] == ["自评表_P001_城市公交运行补贴.docx", "自评表_P002_农村客运班线补贴.docx"]
    assert list(failed) == ["P999"] and "P999" in failed["P999"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)  # no temp files
    d = docx.Document(written[0])
    (table,) = d.tables
    n_ind = int((ev.indicators["project_id"] == "P001").sum())
    # name, department, funds header + 4 funding rows (年度资金总额 / 财政拨款 / 上年结转 / 其他资金),
    # 预期目标 / 实际完成情况 header + text, indicator header, one row per indicator, 总分, 说明
    assert len(table.rows) == 2 + 5 + 2 + 1 + n_ind + 2
    p1 = ev.projects.set_index("project_id").loc["P001"]
    last = [c.text for c in table.rows[-2].cells]
    assert last[0] == "总分" and last[7] == f"{p1['score']:.2f}" and f"等级：{p1['grade']}" in last[8]
    funds = [c.text for c in table.rows[3].cells]
    assert funds[2] == "年度资金总额" and funds[4] == "8,242.00"  # 全年预算数 [万元], as on the xlsx (82,420,000 元)
    assert [c.text for c in table.rows[4].cells][2] == "其中：当年财政拨款"
    assert p1["budget"] == 82_420_000
    goal = [c.text for c in table.rows[8].cells]
    assert goal[2] == p1["goal_expected"] and goal[5] == p1["goal_result"]
    first = [c.text for c in table.rows[10].cells]
    assert first[3] == "运营车公里" and first[4] == "1,200万车公里"


def test_key_projects_for_the_peoples_congress(portfolio, tmp_path):
    from costing.report.word_docs import write_key_projects_doc

    _, ev, _ = portfolio
    p = ev.projects
    key = p[(p["budget_initial"] >= 10_000_000) | (p["project_id"] == "P025")]  # 1000万元 and more, or flagged 重点
    path = write_key_projects_doc(ev, tmp_path / "人大.docx", year=2026)
    d = docx.Document(path)
    table, goals = d.tables
    assert len(table.rows) == 1 + len(key) and len(key) > 0
    # 绩效目标, 实际完成值 and 列入原因 per project (issue 19)
    assert [c.text for c in goals.rows[0].cells] == ["序号", "项目名称", "列入原因", "绩效目标（年度指标值）", "实际完成值"]
    assert len(goals.rows) == 1 + len(key)
    assert [c.text for c in table.rows[1].cells][1] == key["project_name"].iloc[0]
    text = _text(path)
    from costing.units import fmt_money, fmt_rate

    assert f"共{len(key)}个，年初预算{fmt_money(key['budget_initial'].sum())}万元" in text
    assert f"预算执行率{fmt_rate(key['spent'].sum() / key['budget'].sum())}" in text
    assert "1,000万元及以上" in text


def test_evaluate_docx_and_monitor_notices_commands(portfolio, tmp_path):
    from costing.cli import main

    pf, ev, mon = portfolio
    assert main(["evaluate", str(PORTFOLIO), "--docx", str(tmp_path / "forms")]) == 0
    assert len(list((tmp_path / "forms").glob("自评表_*.docx"))) == len(ev.projects) == 26   # 4 not funded
    assert (tmp_path / "forms" / "重点项目预算绩效情况_2026.docx").is_file()
    assert main(["monitor", str(PORTFOLIO), "--as-of", "2026-09-30", "--notices", str(tmp_path / "n")]) == 0
    docs = sorted((tmp_path / "n").glob("*.docx"))
    assert [p.stem for p in docs] == [p.stem for p in sorted((tmp_path / "n").glob("整改建议书_*.xlsx"))]
    from costing.performance.notices import rectification_notices

    notices = rectification_notices(pf, mon)
    first = notices[0]
    d = docx.Document(docs[0])
    text = _text(docs[0])
    assert first.title in text and f"{first.department_name}：" in text
    items = d.tables[0]
    assert len(items.rows) == 1 + len(first.items)
    assert [c.text for c in items.rows[1].cells][:3] == ["1", first.items["project_name"].iloc[0],
                                                        first.items["problem_type"].iloc[0]]
    if len(first.adjustments):
        adj = d.tables[1]
        from costing.units import fmt_money

        assert [c.text for c in adj.rows[1].cells][5] == fmt_money(first.adjustments["adjustment"].iloc[0])


# ------------------------------------------------------------------------- PDF


def test_pdf_without_a_converter_says_what_to_install(monkeypatch, tmp_path, capsys):
    from costing.cli import main
    from costing.report import pdf

    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    assert pdf.find_converter() is None
    assert main(["report", str(BUS), "--pdf", "--out", str(tmp_path), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "apt-get install libreoffice-writer-nogui" in err and "apt-get install chromium" in err
    assert not any(tmp_path.iterdir())  # nothing ran


@pytest.mark.slow
@pytest.mark.parametrize("exe,source", [("soffice", "docx"), ("chromium", "html")])
def test_pdf_converters_when_installed(exe, source, portfolio, tmp_path):
    import shutil

    from costing.report import pdf
    from costing.report.word_docs import write_self_evaluation_docs

    path = shutil.which(exe)
    if path is None:
        pytest.skip(f"{exe} is not installed")
    if source == "docx":
        (src,), _ = write_self_evaluation_docs(portfolio[1], tmp_path, year=2026, projects=["P001"])
    else:
        src = tmp_path / "r.html"
        src.write_text("<html><body><h1>一、项目基本情况</h1><p>审减率 25.96%</p></body></html>", encoding="utf-8")
    out = pdf.Converter(exe, path, source).convert(src, tmp_path / "out.pdf")
    assert out.read_bytes()[:5] == b"%PDF-"
    assert [p.name for p in tmp_path.glob("*.pdf*")] == ["out.pdf"]


@pytest.mark.slow
def test_portfolio_reports_have_their_documents_and_the_notices(tmp_path):
    """ex_ante, monitoring and self_evaluation through the pipeline: each Word template fills
    from its notebook's records, and the monitoring report carries one 整改建议书 per unit."""
    from costing.report import run_report

    res = run_report(PORTFOLIO, tmp_path)
    folder = res.report_dir
    for name, first in (("ex_ante", "一、评估对象基本情况"), ("monitoring", "一、总体情况"),
                        ("self_evaluation", "一、自评结果")):
        d = docx.Document(folder / f"example_portfolio_{name}.docx")
        heads = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
        # the self-evaluation report has a sixth section: 绩效管理工作考核 (issue 19)
        assert heads[0] == first and len(heads) == (6 if name == "self_evaluation" else 5), name
        if name == "self_evaluation":
            assert heads[4] == "五、绩效管理工作考核" and heads[5] == "六、结果应用"
        assert "2026年9月30日" in [p.text for p in d.paragraphs][:6], name  # dated by as_of, not the clock
    notices = sorted(p.name for p in folder.glob("整改建议书_*.docx"))
    assert notices == ["整改建议书_文财绩〔2026〕1号_D01_区交通运输局.docx", "整改建议书_文财绩〔2026〕2号_D02_区城市管理局.docx",
                       "整改建议书_文财绩〔2026〕3号_D03_区民政局.docx"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert set(notices) <= {o["name"] for o in manifest["outputs"]}
    text = _text(folder / "example_portfolio_monitoring.docx")
    assert "文财绩〔2026〕1号" in text  # the 整改建议书汇总 table ([bureau] doc_prefix)
