"""Every bundled Word document as a bureau reader sees it: built, converted to PDF by LibreOffice,
read back with ``pdftotext -raw``.

- :func:`build_documents` writes the documents of ``make report`` (cost standard, CBA, ex-ante,
  monitoring with its 整改建议书, self-evaluation) and of ``costing evaluate --docx`` (one 自评表
  per project and the 人大 summary of key projects);
- :func:`to_pdf` converts a folder of .docx in one LibreOffice run (a private profile);
- :func:`broken_cells` lists the table cells a reader sees broken across lines: every number in a
  cell and every cell of at most 4 characters must appear unbroken in the PDF's text;
- :func:`latin_words` lists English words and codes in reader text (outside 代码对照表 and columns
  labelled 代码).

``python tests/render/render_check.py [OUT]`` builds, converts and prints the broken cells and
page counts per document (the figures of the closing note).
"""
from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORTFOLIO = ROOT / "data" / "portfolios" / "example_portfolio.toml"
#: a number as a reader sees it: 12,000.00 / -3.5 / 25.96%
NUMBER = re.compile(r"[-−+]?\d[\d,]*(?:\.\d+)?%?")
#: an English word or a code (two or more Latin letters/digits starting with a letter)
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_]*[A-Za-z0-9]")
SHORT = 4


def build_documents(out: Path) -> list[Path]:
    """Build every bundled Word document under ``out``; returns the .docx paths."""
    out.mkdir(parents=True, exist_ok=True)
    exe = Path(sys.executable).with_name("costing")
    subprocess.run([str(exe), "report", "--all", str(ROOT / "data" / "projects"), "--all",
                    str(ROOT / "data" / "portfolios"), "--out", str(out / "reports"), "--no-progress"],
                   check=True, capture_output=True, text=True)
    subprocess.run([str(exe), "evaluate", str(PORTFOLIO), "--docx", str(out / "forms")],
                   check=True, capture_output=True, text=True)
    return sorted(out.rglob("*.docx"))


def to_pdf(docs: list[Path], profile: Path) -> dict[Path, Path]:
    """Convert ``docs`` to PDF beside each (one LibreOffice run per folder); {docx: pdf}."""
    by_dir: dict[Path, list[Path]] = {}
    for d in docs:
        by_dir.setdefault(d.parent, []).append(d)
    for folder, files in by_dir.items():
        subprocess.run(["soffice", f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(folder), *map(str, files)],
                       check=True, capture_output=True, text=True, timeout=1800)
    return {d: d.with_suffix(".pdf") for d in docs}


#: the space pdftotext puts where the script changes (CJK | Latin), which is not in the document
_SCRIPT_SPACE = re.compile(r"(?<=[\u2e80-\uffff]) (?=[0-9A-Za-z%(（-])|(?<=[0-9A-Za-z%)）]) (?=[\u2e80-\uffff])")


def pdf_text(pdf: Path) -> str:
    """The PDF's text as ``pdftotext -raw`` reads it, without the spaces it adds between scripts."""
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return _SCRIPT_SPACE.sub("", text)


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _cells(docx_path: Path):
    """Each table cell's text once (a vertically merged cell is read at its first row)."""
    import docx
    from docx.oxml.ns import qn

    body = docx.Document(docx_path).element.body
    for tc in body.iter(qn("w:tc")):
        pr = tc.tcPr
        vmerge = None if pr is None else pr.find(qn("w:vMerge"))
        if vmerge is not None and vmerge.get(qn("w:val")) != "restart":
            continue
        yield "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))).strip()


def cell_tokens(docx_path: Path) -> Counter:
    """What must read unbroken: every cell of at most 4 characters, every number of 2+ characters."""
    found = Counter()
    for text in _cells(docx_path):
        if not text:
            continue
        if len(text) <= SHORT and not NUMBER.fullmatch(text):
            found[text] += 1
        found.update(n for n in NUMBER.findall(text) if len(n) >= 2)
    return found


def broken_cells(docx_path: Path, text: str) -> dict[str, int]:
    """{token: times it is missing from the PDF text} (a broken cell reads as pieces on several lines)."""
    numbers = Counter(NUMBER.findall(text))
    missing = {}
    for token, n in cell_tokens(docx_path).items():
        have = numbers[token] if NUMBER.fullmatch(token) else text.count(token)
        if have < n:
            missing[token] = n - have
    return missing


def reader_text(docx_path: Path) -> list[str]:
    """The text a reader reads: paragraphs and table cells, without the 代码对照表 (a heading and the
    table after it) and without columns labelled 代码."""
    import docx
    from docx.oxml.ns import qn

    d = docx.Document(docx_path)
    out, skip_next_table = [], False
    for el in d.element.body.iterchildren():
        if el.tag == qn("w:p"):
            text = "".join(t.text or "" for t in el.iter(qn("w:t")))
            if "代码对照表" in text:
                skip_next_table = True
                continue
            out.append(text)
        elif el.tag == qn("w:tbl"):
            if skip_next_table:
                skip_next_table = False
                continue
            rows = el.findall(qn("w:tr"))
            texts = [["".join(t.text or "" for t in tc.iter(qn("w:t"))) for tc in tr.findall(qn("w:tc"))]
                     for tr in rows]
            code_cols = {j for j, h in enumerate(texts[0] if texts else []) if "代码" in h or "编码" in h}
            out += [v for r in texts for j, v in enumerate(r) if j not in code_cols]
    sections = d.sections
    for s in sections:
        out += [p.text for p in s.header.paragraphs + s.footer.paragraphs]
    return out


def print_html(htmls: list[Path]) -> dict[Path, Path]:
    """Print each HTML report to PDF with Chromium, as ``costing report --pdf`` does; {html: pdf}."""
    import shutil

    from costing.report.pdf import Converter

    conv = Converter("chromium", shutil.which("chromium"), "html")
    return {h: conv.convert(h, h.with_name(h.stem + ".print.pdf")) for h in htmls}


_GROUPED = re.compile(r'(costing-has-groups"><table class="costing-table">).*?</table>', re.S)
_NUM_CELL = re.compile(r'<td class="num">([^<]*)</td>')


def html_missing_numbers(html_path: Path, text: str) -> dict[str, int]:
    """Numbers of the HTML's tables that the printout lacks (a clipped column or row); a table
    printed as column groups is checked in its groups."""
    import html as _html

    page = _GROUPED.sub(r"\1</table>", html_path.read_text(encoding="utf-8"))
    want = Counter(n for c in _NUM_CELL.findall(page) for n in NUMBER.findall(_html.unescape(c)) if len(n) >= 2)
    have = Counter(NUMBER.findall(text))
    return {k: v - have[k] for k, v in want.items() if have[k] < v}


def latin_words(docx_path: Path) -> Counter:
    return Counter(w for line in reader_text(docx_path) for w in LATIN.findall(line))


def main(out: Path) -> None:
    docs = build_documents(out)
    pdfs = to_pdf(docs, out / "lo-profile")
    total = 0
    for d in docs:
        missing = broken_cells(d, pdf_text(pdfs[d]))
        n = sum(missing.values())
        total += n
        print(f"{d.relative_to(out)}\tpages {page_count(pdfs[d])}\tbroken {n}\t"
              f"{dict(list(missing.items())[:8])}\tlatin {dict(latin_words(d).most_common(6))}")
    print(f"{len(docs)} documents, {total} broken cells")
    htmls = sorted((out / "reports").rglob("*.html"))
    for h, pdf in print_html(htmls).items():
        text = pdf_text(pdf)
        print(f"{h.name}\tprinted pages {page_count(pdf)}\tmissing numbers {sum(html_missing_numbers(h, text).values())}"
              f"\tpage numbers {'— 2 —' in text}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/costing-render").resolve())
