"""Word tables that fit (costing.report.word_layout): widths from content, landscape, column groups,
notes; and the policy numbers of the templates taken from the profile and the parameters."""
from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from costing.report import word, word_layout as wl

ROOT = Path(__file__).resolve().parents[1]


def test_text_width_by_character_class():
    # 12,000.00: 7 digits × 0.5 em + 2 separators × 0.28 em = 4.06 em; 1 em at 10.5 pt = 10.5 × 25.4 / 72 mm
    # = 3.7042 mm; with the 5 % allowance 4.06 × 3.7042 × 1.05 = 15.79 mm
    assert wl.text_mm("12,000.00") == pytest.approx(15.79, abs=0.01)
    # 问题类型: 4 CJK characters × 1 em = 4 × 3.7042 × 1.05 = 15.56 mm, + 4.6 mm cell padding
    assert wl.min_width("问题类型") == pytest.approx(15.56 + 4.6, abs=0.01)
    # a long text may break between characters: its minimum is 4 characters, not its length
    assert wl.min_width("完成工作任务数量、验收合格率") == pytest.approx(wl.min_width("四个汉字"))
    assert wl.lines_needed("一二三四五六七八", 4 * 3.7042 * 1.05 + 4.6 + 0.01) == 2


def test_distribute_gives_the_room_to_what_wants_it():
    # room 40 − 20 = 20 shared 10 : 30 -> [10 + 5, 10 + 15]
    assert wl.distribute([10, 10], [20, 40], 40) == pytest.approx([15, 25])
    # everything wanted fits (30 of 60): widths scaled to fill, 20:40 -> [20, 40]
    assert wl.distribute([10, 10], [10, 20], 60) == pytest.approx([20, 40])
    assert wl.distribute([30, 30], [40, 40], 50) == [30, 30]  # too narrow: the minima (the caller turns the page)


def test_column_groups_repeat_the_key_columns():
    header = ["项目编码", "项目名称", "主管部门", *[f"列{j}" for j in range(10)]]
    assert wl.key_columns(header) == [0, 1]
    groups = wl.column_groups([20.0] * 13, [0, 1], 100)
    # 100 mm = 2 key columns (40) + 3 more of 20: 11 others -> 3 + 3 + 3 + 2
    assert groups == [[0, 1, 2, 3, 4], [0, 1, 5, 6, 7], [0, 1, 8, 9, 10], [0, 1, 11, 12]]


def _wide_document(n_cols: int, tmp_path, long_text: str = "", tail: int = 6):
    """A rendered-like document: a caption, then a 100 %-wide table of numbers (as loop_table makes)."""
    template = docx.Document(word.default_template("ex_ante"))
    body = template.element.body
    for el in list(body):
        if el.tag != qn("w:sectPr"):
            body.remove(el)
    template.add_paragraph("表2　事前绩效评估表", style="图表题注")
    t = template.add_table(rows=3, cols=n_cols, style="Table Grid")
    tblpr = t._tbl.tblPr
    for el in tblpr.findall(qn("w:tblW")):
        tblpr.remove(el)
    from docx.oxml import OxmlElement

    w = OxmlElement("w:tblW")
    w.set(qn("w:w"), "5000")
    w.set(qn("w:type"), "pct")
    tblpr.append(w)
    for j in range(n_cols):
        t.cell(0, j).text = ["项目编码", "项目名称"][j] if j < 2 else f"指标{j}"
        t.cell(1, j).text = ["P001", "城市公交运行补贴"][j] if j < 2 else "12,000.00"
        t.cell(2, j).text = ["P002", "农村客运班线补贴"][j] if j < 2 else (long_text or "-3.50%")
    for k in range(tail):
        template.add_paragraph(f"后文{k}")
    return template


def _sections(body):
    return [s for s in body.iter(qn("w:sectPr"))]


def test_a_narrow_table_stays_portrait_with_fixed_widths(tmp_path):
    d = _wide_document(5, tmp_path)
    assert wl.fit_tables(d.element.body) == 1
    (tbl,) = d.element.body.findall(qn("w:tbl"))
    assert tbl.find(f"{qn('w:tblPr')}/{qn('w:tblLayout')}").get(qn("w:type")) == "fixed"
    widths = [int(c.get(qn("w:w"))) for c in tbl.find(qn("w:tblGrid"))]
    assert abs(sum(widths) - wl._twips(156)) <= len(widths)  # 210 − 28 − 26 mm, the portrait text block
    rows = tbl.findall(qn("w:tr"))
    assert all(r.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for r in rows)
    assert rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
    assert len(_sections(d.element.body)) == 1  # no section break


def test_a_wide_table_turns_landscape_and_a_wider_one_splits(tmp_path):
    d = _wide_document(10, tmp_path)  # 2 × ~20 + 8 × 20 mm > 156 mm, < 243 mm
    wl.fit_tables(d.element.body)
    sects = _sections(d.element.body)
    assert [s.find(qn("w:pgSz")).get(qn("w:orient")) for s in sects] == [None, "landscape", None]
    # two lines after it to the end: they stay on its landscape page (no portrait page for two lines)
    d = _wide_document(10, tmp_path, tail=2)
    wl.fit_tables(d.element.body)
    assert [s.find(qn("w:pgSz")).get(qn("w:orient")) for s in _sections(d.element.body)] == [None, "landscape"]
    d = _wide_document(21, tmp_path)  # ex-ante 表2: 21 columns
    wl.fit_tables(d.element.body)
    tables = d.element.body.findall(qn("w:tbl"))
    assert len(tables) >= 2
    for tbl in tables:  # every group repeats 项目编码 and 项目名称 and fits the landscape text block
        first = ["".join(t.text for t in tc.iter(qn("w:t"))) for tc in tbl.find(qn("w:tr")).findall(qn("w:tc"))]
        assert first[:2] == ["项目编码", "项目名称"]
        width = sum(int(c.get(qn("w:w"))) for c in tbl.find(qn("w:tblGrid")))
        assert width <= wl._twips(297 - 28 - 26) + 25
    text = [p.text for p in d.paragraphs]
    assert "表2　事前绩效评估表（续表）" in text


def test_long_text_goes_to_a_numbered_note(tmp_path):
    reason = "受项目实施进度影响，设备采购延后至第四季度，下阶段加快推进并按月报送进度" * 2
    d = _wide_document(4, tmp_path, long_text=reason)
    wl.fit_tables(d.element.body)
    cells = [c.text for row in d.tables[0].rows for c in row.cells]
    assert "见注1" in cells and reason not in cells
    assert any(p.text == f"注1：{reason}" for p in d.paragraphs)


def test_policy_numbers_come_from_the_profile_and_the_parameters(tmp_path):
    f = word.policy_fields(ROOT / "data" / "portfolios" / "example_portfolio.toml")
    assert (f.execution, f.output, f.benefit, f.satisfaction) == ("10", "50", "30", "10")  # national.toml
    assert f.grades == "90分及以上为优，80分（含）至90分为良，60分（含）至80分为中，60分以下为差"
    assert f.recommendations == "优、良建议延续，中建议调整，差建议取消"
    other = tmp_path / "p.toml"
    other.write_text('[project]\nid = "x"\nkind = "portfolio"\n[scoring]\nprofile = "variant_20"\n', encoding="utf-8")
    assert word.policy_fields(other).execution == "20"  # variant_20.toml: execution = 20
    bus = word.policy_fields(ROOT / "data" / "projects" / "bus_example.toml")
    assert bus.profit_rate_cap == "3.00%"  # templates/bus.toml: profit_rate_cap = 0.03


def test_no_policy_number_is_typed_into_a_template():
    from zipfile import ZipFile

    for name in ("cost_standard", "self_evaluation"):
        with ZipFile(word.default_template(name)) as z:
            xml = z.read("word/document.xml").decode("utf-8")
        assert "3%" not in xml and "执行率10分" not in xml and "90分及以上" not in xml, name
        assert "policy." in xml


# ------------------------------------------------------------------ HTML print


def test_print_css_numbers_pages_and_forces_no_section_break():
    from costing.report import export

    css = export.READER_CSS
    assert '@bottom-center { content: "— " counter(page) " —"' in css  # CSS paged media, printed by Chromium
    assert "break-before: page" not in css  # sections run on: no near-empty page per section


def test_a_table_too_wide_to_print_gets_column_groups_repeating_its_keys():
    import pandas as pd

    from costing import present
    from costing.report import export

    wide = pd.DataFrame({"项目编码": ["P001", "P002"], "项目名称": ["城市公交运行补贴", "农村客运班线补贴"],
                         **{f"指标{j}（万元）": [12000.0 + j, 8242.0] for j in range(19)}})
    html = export.print_column_groups(present.table_html(wide))
    assert "costing-has-groups" in html
    groups = html.split('<div class="costing-print-groups">')[1]
    heads = [h.split("</tr></thead>")[0] for h in groups.split("<thead><tr>")[1:]]
    assert len(heads) >= 2 and all(h.startswith("<th>项目编码</th><th>项目名称</th>") for h in heads)
    # every column printed once beside the repeated keys: 19 others over the groups
    assert sum(h.count("<th>") - 2 for h in heads) == 19
    narrow = present.table_html(wide.iloc[:, :4])
    assert export.print_column_groups(narrow) == narrow  # a table that fits is left alone


def test_the_same_advice_text_for_html_and_word():
    from costing.report.advice import cost_standard_advice, report_advice

    paras = cost_standard_advice(9.305049, "元/车公里", 67582586.43)
    # 9.305049 元/车公里 shown with 4 decimals; 67,582,586.43 元 = 6,758.26 万元
    assert paras[0] == "（一）按核定的单位成本标准 9.3050 元/车公里安排补贴预算 6,758.26 万元，超出标准的部分不予安排。"
    headline = {"unit_cost_standard": {"value": 9.305049, "unit": "元/车公里"},
                "subsidy": {"value": 67582586.43, "unit": "元"}}
    assert report_advice("cost_standard", headline) == paras and report_advice("cba", headline) == []
