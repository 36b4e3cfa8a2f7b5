"""Exports of an executed report notebook: records, HTML, xlsx, manifest.

Everything here is in-process (no ``jupyter nbconvert`` subprocess): the
HTML exporter is built once per thread and reused.
"""
from __future__ import annotations

import copy
import json
import os
import platform
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from ..fmt import KINDS, excel_format, fmt, kind_of, value_kind
from ..io import sha256_file  # noqa: F401  (re-exported: manifests hash with the readers' function)
from .record import HEADLINE_MIME, RECORD_MIMES, TABLE_MIME

#: Text in a kernel's stderr that means matplotlib could not draw a character.
GLYPH_MARKERS = ("missing from font", "Glyph ")

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
#: Printed: page numbers in the bottom margin box (— N —, CSS paged media, which Chromium prints),
#: sections run on (no forced page break, so no near-empty pages), a heading stays with what
#: follows, charts and the 摘要 are not split, a long table breaks between rows with its header
#: repeated, and a wide table (present.WIDE_COLUMNS) goes to a landscape page ("wide" named page)
#: instead of being clipped: printed, a table wider than the A4 text block is replaced by column groups
#: that repeat its key columns (:func:`print_column_groups`; Chromium lays every page out at the first
#: page's width, so a landscape page would not widen it).
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
.costing-print-groups { display: none; }
.costing-group-title { font-size: 8pt; color: #444; margin: 4px 0 2px; }
@page { size: A4; margin: 18mm 16mm 20mm;
  @bottom-center { content: "— " counter(page) " —"; font-size: 10pt; } }
@media print {
  body { font-size: 11pt; }
  .jp-Notebook { max-width: none; padding: 0; }
  h2, h3 { break-after: avoid; }
  img, .costing-abstract { break-inside: avoid; }
  .jp-OutputArea, .jp-OutputArea-child, .jp-OutputArea-output, .jp-Cell-outputWrapper, .costing-table-wrap {
    overflow: visible !important; max-height: none !important; }
  .costing-has-groups > table.costing-table { display: none; }
  .costing-print-groups { display: block; }
  .costing-print-groups table.costing-table { margin-bottom: 6px; }
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
    return print_column_groups(body)


#: [mm] text width of the printed A4 page (210 mm − 2 × 16 mm margins)
PRINT_WIDTH_MM = 178
#: [pt] printed table text (8 pt, estimated a little wider for the sans-serif digits)
PRINT_TABLE_PT = 8.5
_READER_TABLE = re.compile(r'(<div class="costing-table-wrap[^"]*)("><table class="costing-table"><thead><tr>)'
                           r'(.*?)(</tr></thead><tbody>)(.*?)(</tbody></table>)', re.S)
_TH = re.compile(r"<th>(.*?)</th>", re.S)
_TR = re.compile(r"<tr>(.*?)</tr>", re.S)
_TD = re.compile(r'<td class="([^"]*)">(.*?)</td>', re.S)


def print_column_groups(html: str) -> str:
    """After each reader table too wide for the printed page, a print-only copy split into column
    groups that each repeat the key columns (编码, 名称, the first column): the screen shows the table
    whole, the printout shows every column, none clipped (widths as :mod:`costing.report.word_layout`
    estimates them)."""
    from html import unescape

    from .word_layout import column_groups, column_needs, key_columns

    def split(m) -> str:
        header = _TH.findall(m.group(3))
        rows = [_TD.findall(r) for r in _TR.findall(m.group(5))]
        grid = [[unescape(h) for h in header]] + [[unescape(v) for _, v in r] for r in rows]
        if not header or any(len(r) != len(header) for r in grid):
            return m.group(0)
        mins, wants = column_needs(grid, PRINT_TABLE_PT)
        if sum(mins) <= PRINT_WIDTH_MM:
            return m.group(0)
        groups = column_groups([(a + b) / 2 for a, b in zip(mins, wants)], key_columns(grid[0]), PRINT_WIDTH_MM)
        parts = []
        for k, cols in enumerate(groups, 1):
            head = "".join(f"<th>{header[j]}</th>" for j in cols)
            body = "".join("<tr>" + "".join(f'<td class="{r[j][0]}">{r[j][1]}</td>' for j in cols) + "</tr>"
                           for r in rows)
            title = f'<p class="costing-group-title">（{k}/{len(groups)}）</p>' if k > 1 else ""
            parts.append(f'{title}<table class="costing-table"><thead><tr>{head}</tr></thead>'
                         f"<tbody>{body}</tbody></table>")
        return (m.group(1) + " costing-has-groups" + m.group(0)[len(m.group(1)):]
                + '<div class="costing-print-groups">' + "".join(parts) + "</div>")

    return _READER_TABLE.sub(split, html)


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
    """Column widths from the text as shown (rows of shown text)."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in rows:
        for j, v in enumerate(row, start=1):
            widths[j] = max(widths.get(j, 0), display_width(v))
    for j, w in widths.items():
        ws.column_dimensions[get_column_letter(j)].width = min(max(w + 2, 8), 60)


def _header(col: str, unit) -> str:
    """A column header with its unit appended (``审减额（万元）``) unless the unit is a rate, a
    kind name or already in the header."""
    if unit is None or isinstance(unit, dict) or kind_of(unit) == "rate" or str(unit) in KINDS \
            or str(unit) in col:
        return col
    return f"{col}（{unit}）"


def _write_table(ws, table: RecordedTable) -> None:
    """One recorded table: numbers stay numbers, each with the number format that shows it
    as the HTML does (:func:`costing.fmt.excel_format` of the kind its builder declared;
    a table with per-row units formats each row by its unit)."""
    from ..present import column_kind, declared_units

    df = table.frame
    declared = declared_units(df, table.unit)
    units = declared if isinstance(declared, dict) else {}
    common = None if isinstance(declared, dict) else declared
    row_units = dict(df.attrs.get("row_units") or ({"数值": "单位"} if {"数值", "单位"} <= set(df.columns) else {}))
    headers, kinds = [], []
    for j, col in enumerate(df.columns):
        col = str(col)
        series = df.iloc[:, j]
        unit = None if j < table.n_index or col in row_units or col in row_units.values() \
            else units.get(col, common)
        kinds.append("text" if j < table.n_index else column_kind(series, unit))
        headers.append(_header(col, unit))
    ws.append(headers)
    shown = [headers]
    cols = list(df.columns)
    for rec in df.itertuples(index=False, name=None):
        row = [_cell_value(v) for v in rec]
        line = []
        for j, v in enumerate(row):
            kind = kinds[j]
            if cols[j] in row_units:
                kind = value_kind(v, rec[cols.index(row_units[cols[j]])])
            elif cols[j] in row_units.values():
                if kind_of(v) == "rate" or v in KINDS:
                    row[j] = None  # a rate's unit: the cell carries the %
            elif kind == "text" and j >= table.n_index:
                kind = value_kind(v)  # mixed values without a declared unit: each by its own type
            line.append((v, kind))
        ws.append(row)
        i = ws.max_row
        for j, (v, kind) in enumerate(line, start=1):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                f = excel_format(kind, v)
                if f:
                    ws.cell(row=i, column=j).number_format = f
        shown.append([fmt(v, k) if v is not None else "" for v, k in line])
    _style_header(ws, len(headers))
    ws.freeze_panes = ws.cell(row=2, column=table.n_index + 1)
    _fit_widths(ws, shown)


#: a report template's name for readers
TEMPLATE_TITLES = {"cost_standard": "成本标准测算报告", "cba": "成本效益分析报告", "ex_ante": "事前绩效评估报告",
                   "monitoring": "绩效运行监控报告", "self_evaluation": "绩效自评报告",
                   "costing standard": "成本标准测算（命令行）"}

#: how the workbook's figures are shown (the 口径说明 row of 说明)
BASIS_NOTE = ("金额单位为万元（元 ÷ 10,000），保留两位小数；比率以百分数列示，保留两位小数；单位成本（元/产出单位）"
              "保留四位小数；显示时四舍五入（逢五进位），计算过程不舍入。单元格保存未舍入的数值。")


def _figure_cell(value, unit):
    """A headline figure as a cell: (value, unit shown, kind); money in 元 goes to 万元."""
    from ..units import from_yuan

    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return (str(value) if value is not None else None), "", "text"
    if unit == "元":
        return from_yuan(float(value), "万元"), "万元", "money"
    kind = kind_of(unit) or ("count" if float(value).is_integer() else "number")
    shown_unit = "" if unit is None or kind == "rate" or str(unit) in KINDS or unit == "points" else str(unit)
    if unit == "points":
        kind, shown_unit = "score", "分"
    return value, shown_unit, kind


def _write_about(ws, info: dict, headline: dict, tables: list[RecordedTable]) -> None:
    """The first sheet, 说明, in Chinese: 项目、模板、参数（中文名与取值）、输入文件及其 SHA-256、
    主要指标、各表、版本、生成时间、口径说明."""
    from ..glossary import display_name

    rows: list[list] = [["项目", "内容", "单位"]]
    kinds: dict[int, str] = {}

    def add(label, value, unit="", kind="text"):
        rows.append([label, _cell_value(value), unit or None])
        kinds[len(rows)] = kind

    if info.get("project_name") is not None:
        add("项目名称", info["project_name"])
    if info.get("project_id") is not None:
        add("项目代码", info["project_id"])
    if info.get("template") is not None:
        add("报告模板", TEMPLATE_TITLES.get(info["template"], info["template"]))
    if info.get("project_file") is not None:
        add("项目文件", Path(str(info["project_file"])).name)
    for name, value in info.get("parameters", {}).items():
        if name in ("project_path", "output_dir"):
            continue
        v = ("是" if value else "否") if isinstance(value, bool) else value
        add(f"参数：{display_name(name)}", v if not isinstance(v, (list, dict)) else json.dumps(v, ensure_ascii=False),
            kind="text" if isinstance(v, str) else ("rate" if name.endswith(("delta", "rate")) else "number"
                                                    if isinstance(v, float) else "plain"))
    for f in info.get("inputs", []):
        name = f["name"]
        if info.get("project_file") and f.get("path"):  # relative to the project file: ../raw/x.csv
            name = Path(os.path.relpath(f["path"], Path(str(info["project_file"])).parent)).as_posix()
        add(f"输入文件：{name}", f["sha256"], "SHA-256")
    for name, rec in headline.items():
        value, unit, kind = _figure_cell(rec["value"], rec.get("unit"))
        add(f"主要指标：{display_name(name)}", value, unit, kind)
    for t in tables:
        add(f"表：{display_name(t.name)}", f"{len(t.frame)} 行")
    if info.get("version") is not None:
        add("版本", f"costing {info['version']}")
    if info.get("created") is not None:
        add("生成时间", info["created"])
    add("口径说明", BASIS_NOTE)
    shown = []
    for i, row in enumerate(rows, start=1):
        ws.append(row)
        kind = kinds.get(i, "text")
        cell = ws.cell(row=i, column=2)
        if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
            f = excel_format(kind, cell.value)
            if f:
                cell.number_format = f
        shown.append([row[0], fmt(row[1], kind) if i > 1 and row[1] is not None else row[1], row[2]])
    _style_header(ws, 3)
    ws.freeze_panes = "A2"
    _fit_widths(ws, shown)
    ws.column_dimensions["B"].width = min(ws.column_dimensions["B"].width, 70)


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
        ``parameters``, and optionally ``inputs`` (manifest entries: name, sha256),
        ``version`` and ``created`` (shown on 说明, in Chinese).
    """
    from openpyxl import Workbook

    wb = Workbook()
    about = wb.active
    about.title = "说明"
    _write_about(about, info, headline, tables)
    used = {"说明"}
    from ..glossary import display_name

    for t in tables:  # a table recorded under an id gets the glossary's Chinese name as its sheet
        _write_table(wb.create_sheet(_sheet_title(display_name(t.name), used)), t)
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
