"""Exports of an executed report notebook: records, HTML, xlsx, manifest.

Everything here is in-process (no ``jupyter nbconvert`` subprocess): the
HTML exporter is built once per thread and reused.
"""
from __future__ import annotations

import copy
import json
import platform
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from ..io import sha256_file  # noqa: F401  (re-exported: manifests hash with the readers' function)
from ..units import MONEY_UNITS
from .record import HEADLINE_MIME, RECORD_MIMES, TABLE_MIME

#: Text in a kernel's stderr that means matplotlib could not draw a character.
GLYPH_MARKERS = ("missing from font", "Glyph ")

#: Unit label -> kind. Money units come from costing.units; ``元/...`` is money too.
RATE_UNITS = frozenset({"%", "fraction", "rate", "比率", "率", "百分比"})
MONEY_PREFIXES = ("元", "万元", "亿元", "yuan", "wan_yuan", "yi_yuan")

#: Excel number format by kind of column.
NUMBER_FORMATS = {
    "money": "#,##0.00",
    "rate": "0.00%",
    "int": "#,##0",
    "number": "#,##0.00",
}

HEADER_FILL = "DDEBF7"


@dataclass
class RecordedTable:
    """A table recorded with :func:`costing.report.record_table`.

    Attributes
    ----------
    name : str
    frame : pandas.DataFrame
        Index (when not a RangeIndex) already moved into leading columns.
    unit : str, dict or None
    n_index : int
        How many leading columns came from the index.
    """

    name: str
    frame: object
    unit: object = None
    n_index: int = 0


def unit_kind(unit, column: str = "") -> str | None:
    """Classify a unit label: ``"money"``, ``"rate"`` or None (pure, rule table above).

    With no unit, a column whose name ends in 率 or ``rate`` is a rate (a fraction).
    """
    if unit is None:
        low = column.lower()
        return "rate" if column.endswith("率") or low.endswith("rate") else None
    u = str(unit).strip()
    if u in RATE_UNITS or u.lower() in RATE_UNITS:
        return "rate"
    if u in MONEY_UNITS or u.lower() in MONEY_UNITS or u.startswith(MONEY_PREFIXES):
        return "money"
    return None


#: Column-name fragments of integer columns that are labels, not quantities
#: (a year shows as 2024, not 2,024).
PLAIN_INT_NAMES = ("年", "年份", "年度", "year", "编号", "代码", "code")


def numeric_kind(column: str, *, integer: bool) -> str:
    """Format kind of a numeric column without a unit: ``"plain"`` (years, codes),
    ``"int"`` or ``"number"``."""
    low = column.lower()
    if integer and low.endswith(PLAIN_INT_NAMES):
        return "plain"
    return "int" if integer else "number"


# ----------------------------------------------------------------- records


def collect_records(nb) -> tuple[dict, list[RecordedTable]]:
    """Headline figures and tables displayed by the kernel, in notebook order.

    Returns
    -------
    headline : dict
        name -> {"value": ..., "unit": ...}; a later record of the same name wins.
    tables : list[RecordedTable]
        Same-named tables: the later one wins, at the position of the first.
    """
    import pandas as pd

    headline: dict = {}
    tables: dict[str, RecordedTable] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if HEADLINE_MIME in data:
                rec = data[HEADLINE_MIME]
                headline[rec["name"]] = {"value": rec["value"], "unit": rec.get("unit")}
            if TABLE_MIME in data:
                rec = data[TABLE_MIME]
                d = rec["data"]
                frame = pd.DataFrame(d["data"], columns=d["columns"])
                n_index = 0
                if rec.get("index"):
                    names = rec.get("index_names") or [""]
                    idx = d["index"]
                    if len(names) > 1:
                        cols = {n or f"index_{i}": [v[i] for v in idx] for i, n in enumerate(names)}
                    else:
                        cols = {names[0] or "": idx}
                    for pos, (label, values) in enumerate(cols.items()):
                        frame.insert(pos, label if label not in frame.columns else f"{label}_",
                                     values)
                    n_index = len(cols)
                if rec.get("row_units"):
                    frame.attrs["row_units"] = rec["row_units"]
                tables[rec["name"]] = RecordedTable(rec["name"], frame, rec.get("unit"), n_index)
    return headline, list(tables.values())


def strip_records(nb):
    """A deep copy of ``nb`` without the costing record bundles (for the HTML)."""
    nb2 = copy.deepcopy(nb)
    for cell in nb2.cells:
        if "outputs" in cell:
            cell.outputs = [o for o in cell.outputs
                            if not any(m in o.get("data", {}) for m in RECORD_MIMES)]
    return nb2


def glyph_warnings(nb) -> list[tuple[int, str]]:
    """(cell index, stderr line) for every missing-glyph warning in the notebook."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                for line in str(out.get("text", "")).splitlines():
                    if any(m in line for m in GLYPH_MARKERS):
                        found.append((i, line.strip()))
    return found


def unrendered_figures(nb) -> list[tuple[int, str]]:
    """(cell index, text) for every matplotlib Figure that was displayed as text only.

    A ``Figure`` built without pyplot displays as ``<Figure size ... with 1 Axes>``
    unless the inline backend is active (``%matplotlib inline``); the chart is then
    missing from the report.
    """
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            text = str(data.get("text/plain", ""))
            if set(data) == {"text/plain"} and text.startswith("<Figure size"):
                found.append((i, text.strip()))
    return found


# -------------------------------------------------------------------- HTML

_local = threading.local()

#: The lab template without the scripts it would fetch from a CDN (require.js,
#: MathJax, mermaid): the report opens offline and shows the same. LaTeX in
#: markdown then shows as source; reports should not rely on it.
#: The report's own look, on screen and in print (A4): a document, not a notebook.
#: Sections start on a new page when printed; tables, charts and the 摘要 are not split.
READER_CSS = """
body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", SimSun, serif; }
.jp-Notebook { max-width: 210mm; margin: 0 auto; padding: 12px 24px; }
.jp-RenderedHTMLCommon h1, .jp-RenderedHTMLCommon h2, .jp-RenderedHTMLCommon h3 {
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", SimHei, sans-serif; }
.jp-RenderedHTMLCommon h1 { text-align: center; }
.jp-RenderedHTMLCommon table.costing-table { border-collapse: collapse; margin: 4px 0 10px; font-size: 12px;
  table-layout: auto; }
.jp-RenderedHTMLCommon table.costing-table th { background: #dde7f3; border: 1px solid #8a9bb0;
  padding: 3px 6px; text-align: center; font-weight: bold; }
.jp-RenderedHTMLCommon table.costing-table td { border: 1px solid #b8c2cc; padding: 3px 6px; text-align: left; }
.jp-RenderedHTMLCommon table.costing-table td.num { text-align: right; white-space: nowrap;
  font-variant-numeric: tabular-nums; }
.jp-RenderedHTMLCommon table.costing-table td.short { white-space: nowrap; }
.jp-RenderedHTMLCommon table.costing-table td.text { min-width: 10em; }
.costing-note { font-size: 12px; color: #444; margin: 2px 0 10px; }
.costing-abstract { border: 1px solid #8a9bb0; background: #f6f8fb; padding: 10px 16px; margin: 6px 0 12px; }
.costing-figures { display: flex; flex-wrap: wrap; gap: 8px 24px; margin-bottom: 8px; }
.costing-figure-value { font-size: 20px; font-weight: bold; color: #1f5aa6; white-space: nowrap; }
.costing-figure-name { font-size: 12px; color: #444; }
.costing-judgement { font-size: 15px; }
.jp-RenderedHTMLCommon .costing-toc ol { list-style: none; padding-left: 0; }
.jp-RenderedHTMLCommon .costing-toc ol ol { list-style: none; padding-left: 2em; }
.costing-toc a { text-decoration: none; color: inherit; }
@page { size: A4; margin: 18mm 16mm; }
@media print {
  body { font-size: 11pt; }
  .jp-Notebook { max-width: none; padding: 0; }
  .jp-RenderedHTMLCommon h2.costing-section { break-before: page; }
  h2, h3 { break-after: avoid; }
  table, img, .costing-abstract, .costing-table-wrap { break-inside: avoid; }
  .jp-OutputArea-output, .costing-table-wrap { overflow: visible !important; }
  .costing-wide { zoom: 0.72; }
  .jp-RenderedHTMLCommon table.costing-table { font-size: 8pt; }
  .jp-RenderedHTMLCommon table.costing-table th { font-size: 8pt; padding: 2px 3px; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  img { max-width: 100% !important; }
  a.anchor-link { display: none; }
}
"""

OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}<style type="text/css">""" + READER_CSS + """</style>{%- endblock extra_css -%}
"""

#: Level-2 headings that are not numbered (摘要, 目录, 附录…); the others get 一、二、三…
UNNUMBERED = ("摘要", "目录", "附录")
_NUMERALS = "一二三四五六七八九十"


def chinese_numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一 (n < 100)."""
    tens, ones = divmod(n, 10)
    return ((_NUMERALS[tens - 1] if tens > 1 else "") + ("十" if tens else "")
            + (_NUMERALS[ones - 1] if ones else ""))


def reader_notebook(nb):
    """A copy of ``nb`` for readers: record bundles and stderr (warnings, logs) dropped,
    ``##`` sections numbered 一、二、三… and ``###`` subsections （一）（二）…, and a
    table of contents (目录) before the first numbered section."""
    import nbformat

    nb2 = strip_records(nb)
    toc, sec, sub, first, numbered = [], 0, 0, None, False
    for i, cell in enumerate(nb2.cells):
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            continue
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        for j, line in enumerate(lines):
            m = re.match(r"^(##|###)\s+(.+?)\s*$", line)
            if not m:
                continue
            title = m.group(2)
            if m.group(1) == "##":
                numbered = not title.startswith(UNNUMBERED)
                if not numbered:
                    anchor = f"sec-appendix-{len(toc)}" if title.startswith("附录") else "sec-abstract"
                    lines[j] = f'<h2 id="{anchor}">{escape(title)}</h2>'
                    if title.startswith("附录"):
                        toc.append((2, anchor, title))
                    continue
                sec, sub = sec + 1, 0
                first = i if first is None else first
                label = f"{chinese_numeral(sec)}、{title}"
                lines[j] = f'<h2 id="sec-{sec}" class="costing-section">{escape(label)}</h2>'
                toc.append((2, f"sec-{sec}", label))
            elif numbered:
                sub += 1
                label = f"（{chinese_numeral(sub)}）{title}"
                lines[j] = f'<h3 id="sec-{sec}-{sub}">{escape(label)}</h3>'
                toc.append((3, f"sec-{sec}-{sub}", label))
        cell.source = "\n".join(lines)
    if first is not None:
        nb2.cells.insert(first, nbformat.v4.new_markdown_cell(toc_html(toc)))
    return nb2


def toc_html(entries) -> str:
    """The 目录: (level, anchor, label) entries as nested lists of links."""
    out, open_sub = ['<nav class="costing-toc"><h2 id="sec-toc">目录</h2><ol>'], False
    for level, anchor, label in entries:
        if level == 3 and not open_sub:
            out.append("<ol>")
            open_sub = True
        elif level == 2 and open_sub:
            out.append("</ol>")
            open_sub = False
        out.append(f'<li><a href="#{anchor}">{escape(label)}</a></li>')
    out.append("</ol>" * (1 + open_sub) + "</nav>")
    return "".join(out)


def report_title(nb) -> str:
    """The first ``#`` heading of the notebook (the HTML page title)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+?)\s*$", cell.source, flags=re.M)
            if m:
                return m.group(1)
    return "报告"


def _html_exporter():
    exp = getattr(_local, "html", None)
    if exp is None:
        from jinja2 import DictLoader
        from nbconvert import HTMLExporter

        exp = HTMLExporter(extra_loaders=[DictLoader({"costing_report.html.j2": OFFLINE_TEMPLATE})],
                           template_file="costing_report.html.j2", exclude_input=True,
                           exclude_input_prompt=True, exclude_output_prompt=True,
                           embed_images=True)
        _local.html = exp
    return exp


def to_html(nb) -> str:
    """Self-contained HTML of an executed notebook for readers (:func:`reader_notebook`):
    no code cells, no prompts, images embedded as base64, A4 print stylesheet."""
    body, _ = _html_exporter().from_notebook_node(reader_notebook(nb),
                                                  resources={"metadata": {"name": report_title(nb)}})
    return body


# -------------------------------------------------------------------- xlsx


def display_width(value) -> int:
    """Width of a value's text in Excel/terminal columns (CJK characters count two)."""
    text = str(value) if value is not None else ""
    # CJK and other wide characters take two columns in Excel's default font.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _sheet_title(name: str, used: set) -> str:
    bad = '[]:*?/\\'
    title = "".join("_" if ch in bad else ch for ch in name).strip("'") or "表"
    title = title[:31]
    base, k = title, 2
    while title.lower() in used:
        suffix = f"_{k}"
        title = base[: 31 - len(suffix)] + suffix
        k += 1
    used.add(title.lower())
    return title


def _cell_value(v):
    """openpyxl-safe cell value: numpy scalars -> Python, NaN -> empty, containers -> JSON."""
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, (list, dict, str)):
        v = v.item()
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, (list, dict, tuple)):
        return json.dumps(v, ensure_ascii=False)
    return v


def _style_header(ws, ncols: int) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    bold = Font(bold=True)
    fill = PatternFill("solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
    border = Border(bottom=Side(style="thin"))
    align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for c in range(1, ncols + 1):
        cell = ws.cell(row=1, column=c)
        cell.font, cell.fill, cell.border, cell.alignment = bold, fill, border, align


def _fit_widths(ws, rows) -> None:
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in rows:
        for j, v in enumerate(row, start=1):
            shown = f"{v:,.2f}" if isinstance(v, float) else v
            widths[j] = max(widths.get(j, 0), display_width(shown))
    for j, w in widths.items():
        ws.column_dimensions[get_column_letter(j)].width = min(max(w + 2, 8), 60)


def _write_table(ws, table: RecordedTable) -> None:
    import pandas as pd

    df = table.frame
    units = table.unit if isinstance(table.unit, dict) else {}
    common = None if isinstance(table.unit, dict) else table.unit
    headers, formats = [], []
    for j, col in enumerate(df.columns):
        col = str(col)
        series = df.iloc[:, j]
        numeric = j >= table.n_index and pd.api.types.is_numeric_dtype(series) \
            and not pd.api.types.is_bool_dtype(series)
        unit = units.get(col, common) if numeric else None
        kind = unit_kind(unit, col) if numeric else None
        if kind is None and numeric:
            kind = numeric_kind(col, integer=pd.api.types.is_integer_dtype(series))
        label = col
        if unit and kind != "rate" and str(unit) not in col:
            label = f"{col}（{unit}）"
        headers.append(label)
        formats.append(NUMBER_FORMATS.get(kind) if kind else None)
    ws.append(headers)
    rows = [headers]
    for rec in df.itertuples(index=False, name=None):
        row = [_cell_value(v) for v in rec]
        ws.append(row)
        rows.append(row)
    for j, fmt in enumerate(formats, start=1):
        if fmt:
            for i in range(2, len(df) + 2):
                ws.cell(row=i, column=j).number_format = fmt
    _style_header(ws, len(headers))
    ws.freeze_panes = ws.cell(row=2, column=table.n_index + 1)
    _fit_widths(ws, rows)


def _write_about(ws, info: dict, headline: dict, tables: list[RecordedTable]) -> None:
    """The first sheet, 说明: project, template, parameters, headline figures, tables."""
    rows = [["项目 (item)", "值 (value)", "单位 (unit)"]]
    for key in ("project_id", "project_name", "project_file", "template"):
        if info.get(key) is not None:
            rows.append([key, str(info[key]), None])
    for name, value in info.get("parameters", {}).items():
        rows.append([f"parameter: {name}", _cell_value(value if not isinstance(value, bool)
                                                        else str(value)), None])
    fmt_rows = {}
    for name, rec in headline.items():
        fmt_rows[len(rows) + 1] = (name, unit_kind(rec.get("unit"), name))
        rows.append([f"headline: {name}", _cell_value(rec["value"]), rec.get("unit")])
    for t in tables:
        unit = t.unit if not isinstance(t.unit, dict) else json.dumps(t.unit, ensure_ascii=False)
        rows.append([f"table: {t.name}", f"{len(t.frame)} rows", unit])
    for row in rows:
        ws.append(row)
    for i, (name, kind) in fmt_rows.items():
        cell = ws.cell(row=i, column=2)
        if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
            kind = kind or numeric_kind(name, integer=isinstance(cell.value, int))
            if kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[kind]
    _style_header(ws, 3)
    ws.freeze_panes = "A2"
    _fit_widths(ws, rows)


def write_xlsx(path, tables: list[RecordedTable], headline: dict, info: dict) -> Path:
    """Write the report workbook: sheet 说明 then one sheet per recorded table.

    Parameters
    ----------
    path : str or Path
    tables : list[RecordedTable]
    headline : dict
        name -> {"value", "unit"}.
    info : dict
        ``project_id``, ``project_name``, ``project_file``, ``template``,
        ``parameters`` (shown on 说明). No timestamps, so two runs on the same
        inputs give identical cell values.
    """
    from openpyxl import Workbook

    wb = Workbook()
    about = wb.active
    about.title = "说明"
    _write_about(about, info, headline, tables)
    used = {"说明"}
    for t in tables:
        _write_table(wb.create_sheet(_sheet_title(t.name, used)), t)
    path = Path(path)
    wb.save(path)
    return path


# ---------------------------------------------------------------- manifest


def package_versions() -> dict:
    """Versions recorded in the manifest: costing, Python and the libraries a report uses."""
    from importlib.metadata import PackageNotFoundError, version

    import costing

    out = {"costing": costing.__version__, "python": platform.python_version()}
    for pkg in ("numpy", "pandas", "matplotlib", "papermill", "nbconvert", "openpyxl"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover
            out[pkg] = None
    return out


def now_iso() -> str:
    """The local time in ISO 8601 with its UTC offset, e.g. 2025-03-01T09:30:00+08:00."""
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def input_entries(files, base_dir) -> list[dict]:
    """Manifest entries (path, relative name, bytes, sha256) for input files."""
    base = Path(base_dir)
    out = []
    for f in files:
        f = Path(f)
        try:
            rel = f.relative_to(base).as_posix()
        except ValueError:
            rel = f.as_posix()
        out.append({"name": rel, "path": str(f), "bytes": f.stat().st_size,
                    "sha256": sha256_file(f)})
    return out


def write_json(path, data) -> Path:
    path = Path(path)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n",
                    encoding="utf-8")
    return path
