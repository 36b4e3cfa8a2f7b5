"""Word tables that fit the page: widths from content, landscape pages, column groups, notes.

A report template's recorded tables (``loop_table`` in ``tools/word_build.py``) are laid out
after rendering, when their text is known (:func:`fit_tables`):

1. Each column gets a width from its content: never narrower than its longest unbreakable
   piece (a number such as ``12,000.00`` or ``74.79%``, a code, a label of at most 4
   characters such as ``序号`` or ``问题类型``), and as wide as its longest line needs when the
   page has room. Widths are fixed (``w:tblLayout fixed``), so LibreOffice, WPS and Word show
   the same table.
2. A table whose narrowest layout is wider than the portrait text block goes to a landscape
   section of its own (the caption above it moves with it). Wider still, it is split into
   column groups, each repeating the key columns (编码, 名称) and titled ``（续表）``.
3. A cell whose text would stretch its row beyond :data:`MAX_LINES` lines (偏差原因,
   恢复申报理由, a list of indicators) keeps a reference ``见注N``; the text goes to a numbered
   note under the table.
4. Rows do not split across pages (``w:cantSplit``); the header row repeats (``w:tblHeader``).

Sizes are estimated from the characters (a CJK character is 1 em, a digit ½ em) at the
table's font size; a table a bureau designed with fixed widths (the 自评表, the 整改建议书)
is left as it is.
"""
from __future__ import annotations

import copy
import functools
import math
import re

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": W}

#: [pt] font size of table text (表格文字, 五号)
TABLE_PT = 10.5
#: [pt] the size a table takes (小五) when that saves turning the page or splitting the table
SMALL_PT = 9.0
#: [mm] left + right cell margins (Table Grid: 0.19 cm each) and a safety allowance
PADDING_MM = 3.8 + 0.8
#: a row may take this many lines before a long text goes to a note below the table
MAX_LINES = 4
#: a text shorter than this stays in its cell whatever its height
NOTE_MIN_CHARS = 24
#: [mm] a column is never given more than this for its longest line
MAX_COLUMN_MM = 60.0
#: header words that mark a key column, repeated in every column group
KEY_WORDS = ("编码", "代码", "名称", "编号")
#: a label of at most this many characters is never broken
SHORT = 4
_UNBREAKABLE = re.compile(r"[-−+]?\d[\d,]*(?:\.\d+)?%?|[A-Za-z0-9_.\-/]+")


@functools.cache
def _q(tag: str) -> str:
    return f"{{{W}}}{tag.split(':')[1]}"


def _twips(mm: float) -> int:
    return int(round(mm / 25.4 * 1440))


def _mm(twips) -> float:
    return int(twips) / 1440 * 25.4


def char_em(ch: str) -> float:
    """Width of a character in em (Times New Roman / 宋体)."""
    o = ord(ch)
    if o >= 0x2E80 or 0xFF00 <= o <= 0xFFEF:
        return 1.0
    if ch.isdigit():
        return 0.5
    if ch in " .,:;'!|il":
        return 0.28
    if ch in "%@MWmw":
        return 0.85
    if ch.isupper():
        return 0.7
    return 0.5


#: [mm per em per pt] 1 pt = 25.4 / 72 mm, with a 5 % allowance
_MM_PER_EM_PT = 25.4 / 72 * 1.05


@functools.lru_cache(maxsize=65536)
def _em(text: str) -> float:
    return sum(char_em(c) for c in text)


def text_mm(text: str, pt: float = TABLE_PT) -> float:
    """Estimated width of ``text`` on one line [mm] at ``pt`` points."""
    return _em(text) * pt * _MM_PER_EM_PT


def _short(text: str) -> bool:
    return len(text) <= SHORT


@functools.lru_cache(maxsize=65536)
def _min_natural_em(text: str) -> tuple[float, float]:
    """(narrowest, one-line) width of a cell's text [em]: the narrowest is its longest unbreakable
    piece (the whole text when it is a number, a code or a label of ≤ 4 characters), at least
    4 characters for a text that may break."""
    lines = [s.strip() for s in text.split("\n") if s.strip()]
    need = 0.0
    for line in lines:
        if _short(line) or _UNBREAKABLE.fullmatch(line):
            need = max(need, _em(line))
            continue
        longest = max((_em(p) for p in _UNBREAKABLE.findall(line)), default=0.0)
        need = max(need, longest, 4.0)
    return need, max((_em(s.strip()) for s in text.split("\n")), default=0.0)


def min_width(text: str, pt: float = TABLE_PT) -> float:
    """The narrowest a cell holding ``text`` may be [mm, padding included] (:func:`_min_natural_em`)."""
    return _min_natural_em(text)[0] * pt * _MM_PER_EM_PT + PADDING_MM


def natural_width(text: str, pt: float = TABLE_PT) -> float:
    """Width of ``text`` with each of its lines unbroken [mm, padding included]."""
    return _min_natural_em(text)[1] * pt * _MM_PER_EM_PT + PADDING_MM


def lines_needed(text: str, width_mm: float, pt: float = TABLE_PT) -> int:
    inner = max(width_mm - PADDING_MM, 1.0)
    return sum(max(1, math.ceil(text_mm(s, pt) / inner)) for s in text.split("\n"))


# ----------------------------------------------------------------- XML helpers

#: child order of the properties elements edited here (ECMA-376 Part 1, 17.4 and 17.3)
_ORDER = {
    "tblPr": ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
              "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
              "tblCaption", "tblDescription"],
    "tcPr": ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark"],
    "trPr": ["cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight",
             "tblHeader", "tblCellSpacing", "jc", "hidden"],
    "rPr": ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
            "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w",
            "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign",
            "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"],
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
            "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
            "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
            "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
            "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"],
}


_RANK = {f"{{{W}}}{owner}": {f"{{{W}}}{n}": i for i, n in enumerate(names)} for owner, names in _ORDER.items()}


def _put(parent, tag: str, attrs: dict | None = None):
    """Set the child ``tag`` of a properties element (replacing one there), in schema order."""
    qt = _q(tag)
    for old in parent.findall(qt):
        parent.remove(old)
    el = parent.makeelement(qt, {_q(f"w:{k}"): v for k, v in (attrs or {}).items()})
    ranks = _RANK[parent.tag]
    rank = ranks[qt]
    for i, child in enumerate(parent):
        if ranks.get(child.tag, -1) > rank:
            parent.insert(i, el)
            return el
    parent.append(el)
    return el


def _cell_text(tc) -> str:
    return "\n".join("".join(t.text or "" for t in p.iter(_q("w:t"))) for p in tc.iter(_q("w:p"))).strip()


def _set_cell_text(tc, text: str) -> None:
    """Replace a cell's text, keeping its first paragraph's and run's properties."""
    paras = tc.findall(_q("w:p"))
    first = paras[0]
    for p in paras[1:]:
        tc.remove(p)
    runs = first.findall(_q("w:r"))
    rpr = None
    if runs:
        rpr = runs[0].find(_q("w:rPr"))
    for child in list(first):
        if child.tag != _q("w:pPr"):
            first.remove(child)
    r = first.makeelement(_q("w:r"), {})
    if rpr is not None:
        r.append(copy.deepcopy(rpr))
    t = r.makeelement(_q("w:t"), {})
    t.text = text
    r.append(t)
    first.append(r)


def _child(parent, tag: str, *, first: bool = False):
    el = parent.find(_q(tag))
    if el is None:
        el = parent.makeelement(_q(tag), {})
        if first:
            parent.insert(0, el)
        else:
            parent.append(el)
    return el


def _tcpr(tc):
    return _child(tc, "w:tcPr", first=True)


def _trpr(tr):
    pr = tr.find(_q("w:trPr"))
    if pr is None:
        pr = tr.makeelement(_q("w:trPr"), {})
        idx = 1 if tr.find(_q("w:tblPrEx")) is not None else 0
        tr.insert(idx, pr)
    return pr


def _is_fit_table(tbl) -> bool:
    """A table laid out here: the template's loop tables (width 100%, no fixed layout, no merges)."""
    pr = tbl.find(_q("w:tblPr"))
    if pr is None:
        return False
    width = pr.find(_q("w:tblW"))
    layout = pr.find(_q("w:tblLayout"))
    if width is None or width.get(_q("w:type")) != "pct" or layout is not None:
        return False
    return not any(True for _ in tbl.iter(_q("w:gridSpan"), _q("w:vMerge")))


def _rows(tbl):
    return tbl.findall(_q("w:tr"))


def _grid(tbl) -> list[list[str]]:
    return [[_cell_text(tc) for tc in tr.findall(_q("w:tc"))] for tr in _rows(tbl)]


def _sect_sizes(sect) -> tuple[float, float, float, float, float, float]:
    """(page width, page height, top, right, bottom, left) [mm] of a w:sectPr."""
    pg, mar = sect.find(_q("w:pgSz")), sect.find(_q("w:pgMar"))
    return tuple(_mm(el.get(_q(f"w:{a}"))) for el, a in ((pg, "w"), (pg, "h"), (mar, "top"), (mar, "right"),
                                                         (mar, "bottom"), (mar, "left")))


def _landscape(sect):
    """A landscape copy of a portrait w:sectPr: the page turned, the side margins kept left/right
    and also used top/bottom (the footer's page number stays inside the page)."""
    land = copy.deepcopy(sect)
    pg, mar = land.find(_q("w:pgSz")), land.find(_q("w:pgMar"))
    w, h = pg.get(_q("w:w")), pg.get(_q("w:h"))
    pg.set(_q("w:w"), h)
    pg.set(_q("w:h"), w)
    pg.set(_q("w:orient"), "landscape")
    mar.set(_q("w:top"), mar.get(_q("w:left")))
    mar.set(_q("w:bottom"), mar.get(_q("w:right")))
    for el in land.findall(_q("w:titlePg")):
        land.remove(el)
    return land


def _break_paragraph(sect, like):
    """An empty paragraph that ends a section with the properties ``sect``."""
    p = like.makeelement(_q("w:p"), {})
    ppr = p.makeelement(_q("w:pPr"), {})
    spacing = ppr.makeelement(_q("w:spacing"), {_q("w:before"): "0", _q("w:after"): "0",
                                                _q("w:line"): "20", _q("w:lineRule"): "exact"})
    ppr.append(spacing)
    s = copy.deepcopy(sect)
    for el in s.findall(_q("w:type")):
        s.remove(el)
    ppr.append(s)
    p.append(ppr)
    return p


# ------------------------------------------------------------------ layout


def distribute(mins: list[float], wants: list[float], total: float) -> list[float]:
    """Column widths summing to ``total`` (when the minima fit): each at least its minimum, the
    room left shared in proportion to what each still wants, any room beyond that in proportion
    to the widths."""
    floor = sum(mins)
    if floor >= total:
        return list(mins)
    extra = [max(w - m, 0.0) for m, w in zip(mins, wants)]
    room = total - floor
    if sum(extra) >= room:
        return [m + e * room / sum(extra) for m, e in zip(mins, extra)]
    widths = [m + e for m, e in zip(mins, extra)]
    scale = total / sum(widths)
    return [w * scale for w in widths]


def column_needs(grid: list[list[str]], pt: float = TABLE_PT) -> tuple[list[float], list[float]]:
    """(minimum, wanted) width of each column [mm]; a long text wants at most :data:`MAX_COLUMN_MM`
    and a long header is content to take two lines."""
    n = max(len(r) for r in grid)
    mins, wants = [PADDING_MM] * n, [PADDING_MM] * n
    for i, row in enumerate(grid):
        for j, text in enumerate(row):
            mins[j] = max(mins[j], min_width(text, pt))
            natural = natural_width(text, pt)
            if i == 0 and not _short(text):
                natural = max(min_width(text, pt), (natural - PADDING_MM) / 2 + PADDING_MM)
            wants[j] = max(wants[j], min(natural, MAX_COLUMN_MM))
    wants = [max(w, m) for m, w in zip(mins, wants)]
    return mins, wants


def key_columns(header: list[str]) -> list[int]:
    """The columns repeated in every column group: those among the first three whose header names
    a code or a name (编码, 名称…); the first column when none does."""
    keys = [j for j, h in enumerate(header[:3]) if any(k in h for k in KEY_WORDS)]
    return keys or [0]


def column_groups(mins: list[float], keys: list[int], width: float) -> list[list[int]]:
    """Split the non-key columns into groups that fit ``width`` beside the key columns."""
    base = sum(mins[k] for k in keys)
    groups, current, used = [], [], base
    for j in range(len(mins)):
        if j in keys:
            continue
        if current and used + mins[j] > width:
            groups.append(current)
            current, used = [], base
        current.append(j)
        used += mins[j]
    if current:
        groups.append(current)
    return [sorted(keys + g) for g in groups]


def _apply_widths(tbl, widths: list[float]) -> None:
    pr = tbl.find(_q("w:tblPr"))
    _put(pr, "w:tblW", {"w": str(sum(_twips(w) for w in widths)), "type": "dxa"})
    _put(pr, "w:tblLayout", {"type": "fixed"})
    grid = tbl.find(_q("w:tblGrid"))
    for col in list(grid):
        grid.remove(col)
    for w in widths:
        grid.append(grid.makeelement(_q("w:gridCol"), {_q("w:w"): str(_twips(w))}))
    tw = [str(_twips(w)) for w in widths]
    q_tc, q_tcw, q_w, q_type = _q("w:tc"), _q("w:tcW"), _q("w:w"), _q("w:type")
    for tr in _rows(tbl):
        for tc, w in zip(tr.findall(q_tc), tw):
            pr_ = _tcpr(tc)
            if len(pr_):  # keep the schema order among what is there
                _put(pr_, "w:tcW", {"w": w, "type": "dxa"})
            else:
                pr_.append(pr_.makeelement(q_tcw, {q_w: w, q_type: "dxa"}))
            text = _cell_text(tc)
            if text and (_short(text) or _UNBREAKABLE.fullmatch(text)):
                _put(pr_, "w:noWrap")


def _keep_rows_whole(tbl) -> None:
    rows = _rows(tbl)
    for i, tr in enumerate(rows):
        pr = _trpr(tr)
        _put(pr, "w:cantSplit")
        if i == 0:
            _put(pr, "w:tblHeader")


def _only_columns(tbl, keep: list[int]):
    """A copy of ``tbl`` with the columns ``keep`` only."""
    new = copy.deepcopy(tbl)
    for tr in _rows(new):
        tcs = tr.findall(_q("w:tc"))
        for j, tc in enumerate(tcs):
            if j not in keep:
                tr.remove(tc)
    return new


def _paragraph_like(caption, text: str, *, style: str | None = None):
    """A paragraph with ``caption``'s properties (or style ``style``) holding ``text``."""
    p = caption.makeelement(_q("w:p"), {})
    ppr = caption.find(_q("w:pPr"))
    if ppr is not None:
        ppr = copy.deepcopy(ppr)
        for el in ppr.findall(_q("w:sectPr")):
            ppr.remove(el)
        if style is not None:
            st = ppr.find(_q("w:pStyle"))
            if st is not None:
                st.set(_q("w:val"), style)
        p.append(ppr)
    r = p.makeelement(_q("w:r"), {})
    t = r.makeelement(_q("w:t"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
    t.text = text
    r.append(t)
    p.append(r)
    return p


def _note_paragraph(tbl, text: str):
    """A left-aligned note paragraph in the table's text style, placed under a table."""
    first_p = next(tbl.iter(_q("w:p")))
    p = _paragraph_like(first_p, text)
    ppr = p.find(_q("w:pPr"))
    if ppr is None:
        ppr = p.makeelement(_q("w:pPr"), {})
        p.insert(0, ppr)
    _put(ppr, "w:jc", {"val": "both"})
    return p


#: at most this many plain paragraphs between two landscape tables (or after the last one) are
#: kept on the landscape pages rather than given a portrait page of their own
SHORT_RUN = 4


def _short_run(el, step: str) -> list:
    """The plain paragraphs (no picture, no section break) from ``el`` on in direction ``step``
    ("getprevious"/"getnext"), when there are at most :data:`SHORT_RUN` of them before a table, a
    picture, a section break or the end; else []."""
    run = []
    while el is not None and el.tag == _q("w:p"):
        if el.find(f"{_q('w:pPr')}/{_q('w:sectPr')}") is not None or next(el.iter(_q("w:drawing")), None) is not None:
            break
        run.append(el)
        if len(run) > SHORT_RUN:
            return []
        el = getattr(el, step)()
    return run


def _keeps_with_next(p) -> bool:
    """A heading (or any paragraph kept with the next) just above a table's caption."""
    if p is None or p.tag != _q("w:p") or p.find(f"{_q('w:pPr')}/{_q('w:sectPr')}") is not None:
        return False
    styles = [el.get(_q("w:val")) or "" for el in p.iter(_q("w:pStyle"))]
    return any(s.lower().startswith("heading") for s in styles) or p.find(
        f"{_q('w:pPr')}/{_q('w:keepNext')}") is not None


def _font_size(tbl, pt: float) -> None:
    """Every run of ``tbl`` at ``pt`` points."""
    half = str(int(round(pt * 2)))
    for r in tbl.iter(_q("w:r")):
        rpr = r.find(_q("w:rPr"))
        if rpr is None:
            rpr = r.makeelement(_q("w:rPr"), {})
            r.insert(0, rpr)
        for tag in ("w:sz", "w:szCs"):
            _put(rpr, tag, {"val": half})


def _move_long_text_to_notes(tbl, widths: list[float], start: int, pt: float = TABLE_PT) -> list[str]:
    """Replace each body cell that would take more than :data:`MAX_LINES` lines by ``见注N``;
    returns the notes' texts in order (numbered from ``start``)."""
    notes = []
    for tr in _rows(tbl)[1:]:
        for tc, w in zip(tr.findall(_q("w:tc")), widths):
            text = _cell_text(tc)
            if len(text) >= NOTE_MIN_CHARS and lines_needed(text, w, pt) > MAX_LINES:
                notes.append(text)
                _set_cell_text(tc, f"见注{start + len(notes) - 1}")
    return notes


def fit_tables(body, sect=None) -> int:
    """Lay out every loop table of a rendered document body (see the module docstring).

    Parameters
    ----------
    body : lxml element
        ``w:body`` of the rendered document.
    sect : lxml element, optional
        The portrait section properties (default: the body's last ``w:sectPr``).

    Returns
    -------
    int
        Number of tables laid out.
    """
    sect = sect if sect is not None else body.find(_q("w:sectPr"))
    if sect is None:
        return 0
    page_w, page_h, _top, right, _bottom, left = _sect_sizes(sect)
    portrait = page_w - left - right
    landscape = page_h - left - right
    land_sect = _landscape(sect)
    done, ends = 0, set()
    for tbl in [t for t in body.findall(_q("w:tbl")) if _is_fit_table(t)]:
        grid = _grid(tbl)
        if not grid or not grid[0]:
            continue
        done += 1
        caption = tbl.getprevious()
        if caption is None or caption.tag != _q("w:p") or not _is_caption(caption):
            caption = None
        turn = False
        for pt, width in ((TABLE_PT, portrait), (SMALL_PT, portrait), (TABLE_PT, landscape), (SMALL_PT, landscape)):
            mins, wants = column_needs(grid, pt)
            if sum(mins) <= width:
                tables = [(tbl, list(range(len(mins))))]
                break
        else:
            groups = column_groups([(m + w) / 2 for m, w in zip(mins, wants)], key_columns(grid[0]), landscape)
            tables = [(_only_columns(tbl, g), g) for g in groups]
            tbl.getparent().replace(tbl, tables[0][0])
        turn = width == landscape
        anchor = None
        notes: list[str] = []
        for i, (t, cols) in enumerate(tables):
            ws = distribute([mins[j] for j in cols], [wants[j] for j in cols], width)
            notes += _move_long_text_to_notes(t, ws, len(notes) + 1, pt)
            _apply_widths(t, ws)
            if pt != TABLE_PT:
                _font_size(t, pt)
            _keep_rows_whole(t)
            if i:
                if caption is not None:
                    cont = _paragraph_like(caption, _caption_text(caption) + "（续表）")
                    anchor.addnext(cont)
                    anchor = cont
                anchor.addnext(t)
            anchor = t
        for k, text in enumerate(notes, 1):
            p = _note_paragraph(tables[-1][0], f"注{k}：{text}")
            anchor.addnext(p)
            anchor = p
        if turn:
            first = caption if caption is not None else tables[0][0]
            while _keeps_with_next(first.getprevious()):  # its heading turns with it
                first = first.getprevious()
            between = _short_run(first.getprevious(), "getprevious")
            before = between[-1].getprevious() if between else first.getprevious()
            if before is not None and before in ends:
                # a landscape section just before, with a few lines between: it goes on (no page
                # holding only those lines)
                before.getparent().remove(before)
            else:
                first.addprevious(_break_paragraph(sect, first))
            after = _short_run(anchor.getnext(), "getnext")
            last = after[-1] if after else anchor
            if last.getnext() is not None and last.getnext().tag == _q("w:sectPr"):
                # the table and the document's last few lines end the document: its last section
                # turns (no portrait page holding only those lines)
                for tag in ("w:pgSz", "w:pgMar"):
                    body_el = sect.find(_q(tag))
                    body_el.getparent().replace(body_el, copy.deepcopy(land_sect.find(_q(tag))))
                continue
            end = _break_paragraph(land_sect, anchor)
            anchor.addnext(end)
            ends.add(end)
    return done


def _is_caption(p) -> bool:
    """The caption of a table: a paragraph in the 图表题注 style, or one reading 表N…"""
    styles = [el.get(_q("w:val")) or "" for el in p.iter(_q("w:pStyle"))]
    return any("题注" in s for s in styles) or _caption_text(p).startswith("表")


def _caption_text(p) -> str:
    return "".join(t.text or "" for t in p.iter(_q("w:t")))
