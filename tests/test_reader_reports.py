"""Reports a bureau reader can file (issue 11): one presentation layer for every template.

Fast tests check the pieces (cell formats, section numbering, the glossary's names);
the slow ones walk the executed notebooks and HTML of every bundled project: 摘要 first,
no internal key in any reader-facing table or chart label, rates as %, no log lines.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

import costing
from costing import present
from costing.glossary import ALIASES, DISPLAY_NAMES, display_name
from costing.report.export import chinese_numeral, reader_notebook

ROOT = Path(__file__).resolve().parents[1]
BUS = ROOT / "data" / "projects" / "bus_example.toml"


# ------------------------------------------------------------------ cells


def test_cell_formats():
    f = present.fmt_value
    assert f(0.72, "rate") == "72.00%"
    assert f(0.25961233096044434, "rate") == "25.96%"
    assert f(67582586.43 / 1e4, "money") == "6,758.26"
    assert f(9.304999616791424, "unit_cost") == "9.3050"
    assert f(20.0, "count") == "20" and f(274.3, "count") == "274.3"
    assert f(-0.0001, "money") == "0.00"          # no "-0.00"
    assert f(np.nan, "money") == f(None, "rate") == "—"
    assert f(2026, "plain") == "2026"


def test_execution_rate_is_shown_as_a_percentage():
    """Issue 10 item 6: 执行率 72.00%, not 0.72 under a "（%）" header."""
    from costing.performance.display import report_units, to_display

    df = pd.DataFrame({"project_id": ["P001", "P002"], "budget": [1e6, 2e6], "spent": [7.2e5, 1.1e6],
                       "execution_rate": [0.72, 0.55], "n_deviating": [0, 3]})
    shown = present.reader_frame(to_display(df, rates_as_fractions=True), report_units(df))
    assert list(shown.columns) == ["项目编码", "全年预算数（万元）", "执行数（万元）", "预算执行率", "偏离指标数"]
    assert list(shown["预算执行率"]) == ["72.00%", "55.00%"]
    assert list(shown["全年预算数（万元）"]) == ["100.00", "200.00"]
    assert list(shown["偏离指标数"]) == ["0", "3"]


def test_row_units_format_each_row_and_no_row_numbers():
    df = pd.DataFrame({"项目": ["线路数", "审减率", "核定成本"], "数值": [20.0, 0.2596, 10829.0],
                       "单位": ["条", "fraction", "万元"]})
    html = present.table_html(df, row_units={"数值": "单位"})
    assert ">20<" in html and ">25.96%<" in html and ">10,829.00<" in html
    assert "fraction" not in html and ">0<" not in html  # no row numbers


def test_rule_and_preset_names_come_from_the_glossary():
    assert present.rule_label("min(actual_3yr_avg, peer_p50)") == "近三年实际平均与同行中位数取低"
    assert present.rule_label("quota") == "定额测算"
    assert display_name("shanting") == "山亭口径"
    assert display_name("execution_rate") == "预算执行率"
    from costing.performance.display import LABELS

    assert LABELS is DISPLAY_NAMES  # one source of display names


def test_peer_rank_is_shown_against_the_units_compared():
    """The bus example's 车公里成本 is the highest of 18 peers and the project: "19 / 19"."""
    r = costing.run_method(costing.load_project(BUS))
    t = present.peer_table(r)
    row = t.set_index("指标").loc["车公里成本"]
    assert row["同行单位数"] == 18 and row["排名（由低到高）"] == "19 / 19"


def test_peer_table_shows_each_row_by_its_unit():
    """票款回收率 is a rate: its P25…本项目 cells read as %, and its unit cell is not "fraction";
    a unit-cost row reads like the standard (4 decimals, 元/车公里)."""
    r = costing.run_method(costing.load_project(BUS))
    t = present.peer_table(r)
    shown = present.reader_frame(t).set_index("指标")
    raw = t.set_index("指标")
    fare = raw.loc["票款回收率"]
    assert shown.loc["票款回收率", "单位"] == ""
    for c in ("25%分位数", "中位数", "75%分位数", "本项目"):
        assert shown.loc["票款回收率", c] == f"{fare[c] * 100:.2f}%"
    assert shown.loc["车公里成本", "本项目"] == f"{raw.loc['车公里成本', '本项目']:.4f}"
    assert shown.loc["车公里成本", "单位"] == "元/车公里"


def test_waterfall_title_names_the_preset():
    from costing import charts
    from costing.plotting import chart_labels

    r = costing.run_method(costing.load_project(BUS))
    fig = charts.subsidy_waterfall(r)
    fig.canvas.draw()
    assert "补贴测算瀑布图（山亭口径）" in chart_labels(fig)


# --------------------------------------------------------------- sections


def test_chinese_numerals():
    assert [chinese_numeral(n) for n in (1, 5, 10, 12, 20, 21)] == ["一", "五", "十", "十二", "二十", "二十一"]


def test_sections_are_numbered_with_a_table_of_contents_after_the_abstract():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 报告"), nbformat.v4.new_markdown_cell("## 摘要"),
                nbformat.v4.new_markdown_cell("## 项目基本情况\n\n正文"),
                nbformat.v4.new_markdown_cell("## 测算过程\n\n### 反推所需\n\n### 核定标准"),
                nbformat.v4.new_markdown_cell("## 附录\n\n### 附录一 代码对照表")]
    out = reader_notebook(nb)
    text = "\n".join(c.source for c in out.cells)
    assert [c.source.startswith('<nav class="costing-toc">') for c in out.cells] == [False, False, True, False,
                                                                                      False, False]
    for label in ("一、项目基本情况", "二、测算过程", "（一）反推所需", "（二）核定标准"):
        assert f">{label}</h" in text
    assert ">附录</h2>" in text and "\n### 附录一 代码对照表" in text  # appendix not numbered
    toc = out.cells[2].source
    assert 'href="#sec-1">一、项目基本情况' in toc and 'href="#sec-2-2">（二）核定标准' in toc and ">附录<" in toc
    assert nb.cells[2].source == "## 项目基本情况\n\n正文"  # the executed notebook is not changed


# ------------------------------------------------------- executed reports

#: identifiers that are internal keys wherever they appear in a reader-facing label
INTERNAL = set(DISPLAY_NAMES) | set(ALIASES)
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


def internal_keys(texts) -> list[str]:
    return [t for t in texts if t.strip() in INTERNAL or SNAKE.match(t.strip()) or t.strip().lower() == "nan"]


class _Cells(HTMLParser):
    """Texts of every <th> and <td>."""

    def __init__(self):
        super().__init__()
        self.cells, self._buf = [], None

    def handle_starttag(self, tag, attrs):
        if tag in ("th", "td"):
            self._buf = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._buf is not None:
            self.cells.append("".join(self._buf).strip())
            self._buf = None

    def handle_data(self, data):
        if self._buf is not None:
            self._buf.append(data)


def reader_outputs(nb):
    """(cell index, output) of every output before the appendix (附录)."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and re.search(r"^##\s+附录", cell.source, flags=re.M):
            return
        for out in cell.get("outputs", []):
            yield i, out


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from costing.report import run_report

    out = tmp_path_factory.mktemp("reports")
    results = [run_report(BUS, out), run_report(ROOT / "data" / "portfolios" / "example_portfolio.toml", out),
               run_report(ROOT / "data" / "projects" / "cba_ebus_replacement.toml", out,
                          overrides={"n_draws": 2000})]
    return {t: (nbformat.read(p, as_version=4), p.with_suffix(".html").read_text(encoding="utf-8"))
            for r in results for k, p in r.files.items() if k.endswith(".ipynb") for t in [k[:-6]]}


@pytest.mark.slow
def test_every_template_reports(reports):
    assert set(reports) == {"cost_standard", "cba", "ex_ante", "monitoring", "self_evaluation"}


@pytest.mark.slow
def test_no_reader_facing_table_or_chart_label_is_an_internal_key(reports):
    from costing.plotting import LABELS_KEY

    for template, (nb, _) in reports.items():
        n_tables = n_charts = 0
        for i, out in reader_outputs(nb):
            data = out.get("data", {})
            if "text/html" in data:
                parser = _Cells()
                parser.feed(data["text/html"])
                n_tables += bool(parser.cells)
                assert not internal_keys(parser.cells), (template, i, internal_keys(parser.cells))
            if "image/png" in data:
                labels = out.get("metadata", {}).get("image/png", {}).get(LABELS_KEY)
                assert labels, (template, i, "chart without recorded labels")
                n_charts += 1
                assert not internal_keys(labels), (template, i, internal_keys(labels))
        assert n_tables >= 2, template
        if template in ("cost_standard", "cba", "monitoring"):
            assert n_charts >= 2, template


@pytest.mark.slow
def test_abstract_comes_first_with_the_headline_figures(reports):
    expected = {"cost_standard": ["9.3050 元/车公里", "6,758.26 万元", "25.96%"], "cba": ["经济净现值"],
                "ex_ante": ["审减率"], "monitoring": ["预算执行率"], "self_evaluation": ["优"]}
    for template, (nb, html) in reports.items():
        abstract = html.index('<div class="costing-abstract">')
        assert html.index(">摘要</h2>") < abstract < html.index('class="costing-toc"') \
            < html.index('class="costing-section"') < html.index('<table class="costing-table"'), template
        block = html[abstract:html.index("</ul></div>", abstract)]
        for figure in expected[template]:
            assert figure in block, (template, figure)
        assert ">一、" in html and "@page" in html and "counter(page)" in html


@pytest.mark.slow
def test_rates_are_percentages_and_counts_integers(reports):
    _, html = reports["monitoring"]
    assert "（%）" not in html
    assert re.search(r">\d{1,3}\.\d{2}%<", html)                 # 预算执行率 such as 72.49%
    _, html = reports["cost_standard"]
    assert ">20<" in html and "20.00" not in html.split("线路数", 1)[1][:200]
    assert "19 / 19" in html and "同行单位数 + 1" in html


@pytest.mark.slow
def test_no_log_lines_warnings_or_code(reports):
    for template, (nb, html) in reports.items():
        for i, out in reader_outputs(nb):
            assert out.get("output_type") != "stream", (template, i, out.get("text", "")[:200])
            assert out.get("output_type") != "error", (template, i)
            assert "[costing]" not in str(out.get("data", {}).get("text/plain", "")), (template, i)
        body = html.split('">附录</h2>')[0]                          # the appendix maps the keys
        words = re.sub(r"data:image/png;base64,[^\"]+", "", body)  # the text, without the charts' bytes
        for text in ("[costing]", "Warning", "import costing", "NaN", "shanting"):
            assert text not in words, (template, text)
