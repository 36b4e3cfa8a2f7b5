"""Every bundled Word document rendered by LibreOffice as a bureau reader sees it (issue 17):
no number and no short label (at most 4 characters) of a table is broken across lines, and
no English word or code reaches the reader outside the 代码对照表 and the columns of codes."""
from __future__ import annotations

import shutil

import pytest

from render_check import (broken_cells, build_documents, html_missing_numbers, latin_words, page_count, pdf_text,
                          print_html, to_pdf)

pytestmark = pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                                reason="LibreOffice (soffice) and poppler-utils (pdftotext) are needed")

#: unit symbols a Chinese official document writes in Latin letters (GB 3100)
UNIT_SYMBOLS = {"km", "kWh", "kg", "MW", "kW"}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("render")
    docs = build_documents(out)
    pdfs = to_pdf(docs, out / "lo-profile")
    return out, {d: (pdfs[d], pdf_text(pdfs[d])) for d in docs}


def test_every_bundled_document_is_built(rendered):
    out, docs = rendered
    names = {d.name for d in docs}
    # make report: 2 cost standards, CBA, ex-ante, monitoring + 3 整改建议书, self-evaluation;
    # costing evaluate --docx: 26 自评表 (4 projects unfunded) and the 人大 summary
    assert len([n for n in names if n.startswith("自评表_")]) == 26
    assert len([n for n in names if n.startswith("整改建议书_")]) == 3
    assert {"example_portfolio_ex_ante.docx", "example_portfolio_monitoring.docx",
            "example_portfolio_self_evaluation.docx", "bus_example_cost_standard.docx",
            "sanitation_example_cost_standard.docx", "cba_ebus_replacement_cba.docx",
            "重点项目预算绩效情况_2026.docx"} <= names
    for d, (pdf, _) in docs.items():
        print(f"{d.name}: {page_count(pdf)} pages")


def test_table_numbers_and_short_labels_read_unbroken(rendered):
    out, docs = rendered
    broken = {d.name: miss for d, (_, text) in docs.items() if (miss := broken_cells(d, text))}
    assert not broken, f"{sum(sum(m.values()) for m in broken.values())} broken cells: {broken}"


def test_no_english_word_or_code_in_reader_text(rendered):
    out, docs = rendered
    found = {d.name: words for d in docs
             if (words := {w: n for w, n in latin_words(d).items() if w not in UNIT_SYMBOLS})}
    assert not found, f"English words or codes reach the reader outside 代码对照表: {found}"


@pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium prints the HTML reports")
def test_html_reports_print_every_number_with_page_numbers(rendered):
    """Each HTML report printed by Chromium (as costing report --pdf does without LibreOffice): every
    number of its tables is on paper (no clipped column), and the pages are numbered — N —."""
    out, _ = rendered
    htmls = sorted((out / "reports").rglob("*.html"))
    assert len(htmls) == 6  # bus, sanitation, CBA, ex-ante, monitoring, self-evaluation
    for h, pdf in print_html(htmls).items():
        text = pdf_text(pdf)
        print(f"{h.name}: {page_count(pdf)} printed pages")
        assert not html_missing_numbers(h, text), h.name
        assert "— 1 —" in text and (page_count(pdf) == 1 or "— 2 —" in text), h.name
