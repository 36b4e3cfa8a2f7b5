"""Issue 17 item 1: every headline figure and every table value reads identically in the HTML, the Word
document and the workbook as Excel shows it (LibreOffice's "as shown" CSV export), for every bundled project.

The workbook keeps numbers with number formats; the HTML and the Word text come from the one formatter
(costing.fmt). A table is matched across surfaces by its header row.
"""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from costing.fmt import fmt_figure
from costing.report.export import collect_records
from costing.report.word import show_table

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = [ROOT / "data" / "projects" / f"{p}.toml" for p in ("bus_example", "sanitation_example",
                                                                "cba_ebus_replacement")]
PORTFOLIO = ROOT / "data" / "portfolios" / "example_portfolio.toml"

pytestmark = pytest.mark.slow


class _Tables(HTMLParser):
    """The reader tables of a report's HTML (class costing-table): header and rows of cell text."""

    def __init__(self):
        super().__init__()
        self.tables, self._in, self._cell, self._row = [], False, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("class", "costing-table") in attrs:
            self._in = True
            self.tables.append([])
        elif self._in and tag == "tr":
            self._row = []
        elif self._in and tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "table" and self._in:
            self._in = False
        elif self._in and tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell)
            self._cell = None
        elif self._in and tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from costing.report.batch import run_batch

    out = tmp_path_factory.mktemp("same")
    results = run_batch([*PROJECTS, PORTFOLIO], out, jobs=2, progress=False, summary=False)
    assert all(r.status == "ok" for r in results), [(r.project_id, r.error) for r in results if r.status != "ok"]
    return out


def _notebooks(folder):
    return sorted(p for p in folder.glob("*/*.ipynb"))


def _as_shown(xlsx: Path, tmp: Path) -> dict[str, list[list[str]]]:
    """Every sheet of ``xlsx`` as LibreOffice shows it (formatted text), by sheet name."""
    tmp.mkdir(parents=True, exist_ok=True)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp / 'lo'}", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
                    "--outdir", str(tmp), str(xlsx)], check=True, capture_output=True, timeout=180)
    from openpyxl import load_workbook

    names = load_workbook(xlsx, read_only=True).sheetnames
    out = {}
    for name in names:
        f = tmp / f"{xlsx.stem}-{name}.csv"
        with f.open(encoding="utf-8", newline="") as fh:
            out[name] = [row for row in csv.reader(fh)]
    return out


def test_html_word_and_excel_as_shown_read_the_same(reports, tmp_path):
    """One test (one batch of reports): HTML and Word first, then the workbook as LibreOffice shows it."""
    _html_and_word(reports)
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: the workbook cannot be shown as Excel shows it")
    _workbook_as_shown(reports, tmp_path)


def _html_and_word(reports):
    import docx
    import nbformat

    checked = 0
    for nb_path in _notebooks(reports):
        nb = nbformat.read(nb_path, as_version=4)
        headline, tables = collect_records(nb)
        parser = _Tables()
        parser.feed(nb_path.with_suffix(".html").read_text(encoding="utf-8"))
        html = {}
        for t in parser.tables:
            if t:
                html.setdefault(tuple(t[0]), []).append(t[1:])
        word_doc = nb_path.with_suffix(".docx")
        word = {}
        if word_doc.exists():
            for t in docx.Document(word_doc).tables:
                rows = [[c.text for c in r.cells] for r in t.rows]
                if rows:
                    word.setdefault(tuple(rows[0]), []).append(rows[1:])
        for t in tables:
            shown = show_table(t)
            key = tuple(shown.header)
            if key in html:
                assert shown.rows in html[key], (nb_path.name, t.name, html[key])
                checked += 1
            if key in word:
                # long text may move to a numbered note under the table (见注3): every other cell is equal
                assert any(len(w) == len(shown.rows) and all(
                    a == b or re.fullmatch(r"见注\d+", a) for wr, sr in zip(w, shown.rows) for a, b in zip(wr, sr))
                    for w in word[key]), (nb_path.name, t.name, "docx")
                checked += 1
        # headline figures: the shown text is in the HTML and (when the document uses it) in Word
        text = nb_path.with_suffix(".html").read_text(encoding="utf-8")
        for name, rec in headline.items():
            if isinstance(rec["value"], (int, float)) and not isinstance(rec["value"], bool) \
                    and not name.startswith("n_"):
                assert fmt_figure(rec["value"], rec.get("unit"))[0] in text, (nb_path.name, name)
    assert checked >= 20  # most reader tables are compared in the HTML, the docx tables too


def _workbook_as_shown(reports, tmp_path):
    import nbformat

    from costing.glossary import display_name

    for nb_path in _notebooks(reports):
        nb = nbformat.read(nb_path, as_version=4)
        headline, tables = collect_records(nb)
        sheets = _as_shown(nb_path.with_suffix(".xlsx"), tmp_path / nb_path.stem)
        about = {r[0]: r[1:] for r in sheets["说明"][1:]}
        for name, rec in headline.items():
            value, unit = fmt_figure(rec["value"], rec.get("unit"))
            row = about[f"主要指标：{display_name(name)}"]
            assert row[0] == value, (nb_path.name, name)
        for t in tables:
            shown = show_table(t)
            sheet = sheets[display_name(t.name)[:31].replace("/", "_")]
            body = sheet[1:]
            # the workbook keeps unnamed index columns (row numbers) that the reader table drops
            drop = [j for j, c in enumerate(t.frame.columns) if j < t.n_index and not str(c)]
            body = [[v for j, v in enumerate(r) if j not in drop] for r in body]
            want = [[("" if v == "—" else v) for v in r] for r in shown.rows]
            assert body == want, (nb_path.name, t.name)
