"""``costing check --annotate``: a copy of the workbook with each problem cell highlighted and commented."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ..errors import InputError
from ..outputs import atomic_path
from .check import ERROR, Problem

FILLS = {ERROR: "FFC7CE", "警告": "FFEB9C"}


def annotate(path, out, problems: list[Problem]) -> Path:
    """Write ``out``: ``path`` with a fill and a comment (批注) on every problem's cell.

    A problem without a cell is noted on its column's header, or on cell A1
    of its sheet (or of the first sheet when the sheet is missing). The
    input is never modified.
    """
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    path, out = Path(path).resolve(), Path(out).resolve()
    if out == path:
        raise InputError("标注副本会覆盖原文件", file=str(path),
                         expected="为 --annotate 另取一个文件名", found=str(out))
    wb = load_workbook(path)
    notes: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    for p in problems:
        ws = wb[p.sheet] if p.sheet in wb.sheetnames else wb.worksheets[0]
        cell = p.cell if p.sheet in wb.sheetnames else None
        if cell is None and p.column and ws.title == p.sheet:
            cell = next((c.coordinate for c in ws[1] if c.value is not None and str(c.value) == p.column), None)
        notes[(ws.title, cell or "A1")].append(p)
    for (sheet, cell), ps in notes.items():
        c = wb[sheet][cell]
        worst = ERROR if any(p.severity == ERROR for p in ps) else ps[0].severity
        c.fill = PatternFill("solid", fgColor=FILLS[worst])
        text = "\n".join(_note(p) for p in ps)
        c.comment = Comment(text, "costing check", width=360, height=min(600, 90 + 60 * len(ps)))
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out


def _note(p: Problem) -> str:
    head = f"【{p.severity}】{p.problem}" + (f"（{p.ref}）" if not p.cell else "")
    return "\n".join([head, *(f"{k}：{v}" for k, v in p.details())])
