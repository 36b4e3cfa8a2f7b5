"""``costing new``: write a fill-in workbook for a project type, blank or from a project file.

The workbook has a 填表说明 sheet, a 项目信息 sheet (label/value rows), one
sheet per table with Chinese headers that state units, example rows marked
as examples, input cells styled as inputs and everything else protected,
and Excel data validation on every choice (lists on a hidden 选项 sheet).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..outputs import atomic_path
from . import info as _info
from .layout import (EXAMPLE_COLUMN, EXAMPLE_MARK, GUIDE_SHEET, INFO_HEADERS, INFO_SHEET, KINDS,
                     LISTS_SHEET, MONEY_UNITS, TableSheet)

HEADER_FILL, INPUT_FILL, EXAMPLE_FILL = "DDEBF7", "FFF2CC", "EDEDED"
#: rows of a table sheet that carry data validation (Excel applies it to blank rows too)
VALIDATED_ROWS = 5000
#: how many example rows a blank workbook shows per table
N_EXAMPLES = 2


def lists(kind: str) -> dict[str, list]:
    """The choice lists of the 选项 sheet (name -> values)."""
    from ..cba.discounting import DISCOUNT_PRESETS, TIMINGS

    from ..schema import COST_ITEM_COLUMNS, RULE_CHOICES
    from .layout import KIND_LABELS

    years = list(range(2015, 2041))
    price_index = next(c for c in COST_ITEM_COLUMNS if c.name == "price_index")
    return {  # Chinese labels; the reader maps each back to its code
        "项目类型": list(KIND_LABELS.values()),
        "金额单位": list(MONEY_UNITS),
        "年度": years,
        "补贴口径": list(_info.choice_labels("补贴口径").values()),
        "核定规则": list(_info.value_labels(RULE_CHOICES).values()),
        "价格指数类型": list(price_index.shown_choices()),
        "价格口径": list(_info.choice_labels("价格口径").values()),
        "折现率口径": [_info.choice_labels("折现率口径")[k] for k in sorted(DISCOUNT_PRESETS)],
        "折现时点": [_info.choice_labels("折现时点")[k] for k in TIMINGS],
        "类别": list(_info.CATEGORIES),
    }


class _Writer:
    """Builds the openpyxl workbook (kept in one place so every sheet looks the same)."""

    def __init__(self, kind: str):
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

        self.kind = kind
        self.wb = Workbook()
        self.wb.active.title = GUIDE_SHEET
        thin = Side(style="thin", color="9BA7B5")
        self.st = dict(
            header_font=Font(bold=True), header_fill=PatternFill("solid", fgColor=HEADER_FILL),
            input_fill=PatternFill("solid", fgColor=INPUT_FILL),
            example_fill=PatternFill("solid", fgColor=EXAMPLE_FILL),
            example_font=Font(italic=True, color="7F7F7F"), border=Border(bottom=thin),
            wrap=Alignment(wrap_text=True, vertical="top"), unlocked=Protection(locked=False), locked=Protection(locked=True),
            bold=Font(bold=True), title=Font(bold=True, size=14))
        self.list_refs: dict[str, str] = {}

    # -- choice lists ---------------------------------------------------------------------
    def add_lists(self, extra: dict[str, list] | None = None) -> None:
        from openpyxl.utils import get_column_letter

        ws = self.wb.create_sheet(LISTS_SHEET)
        all_lists = {**lists(self.kind), **(extra or {})}
        for j, (name, values) in enumerate(all_lists.items(), start=1):
            col = get_column_letter(j)
            ws.cell(1, j, name).font = self.st["bold"]
            for i, v in enumerate(values, start=2):
                ws.cell(i, j, v)
            ref = f"'{LISTS_SHEET}'!${col}$2:${col}${max(2, len(values) + 1)}"
            self.list_refs[name] = ref
        ws.sheet_state = "hidden"
        ws.protection.sheet = True

    def define_name(self, name: str, ref: str) -> None:
        """A workbook-level name (for INDIRECT in dependent lists)."""
        from openpyxl.workbook.defined_name import DefinedName

        self.wb.defined_names[name] = DefinedName(name, attr_text=ref)

    def validate(self, ws, cells: str, *, list_name: str | None = None, formula: str | None = None,
                 strict: bool = True, prompt: str = "") -> None:
        """Data validation on ``cells``: a list from the 选项 sheet, or a list formula."""
        from openpyxl.worksheet.datavalidation import DataValidation

        dv = DataValidation(type="list", formula1=formula or self.list_refs[list_name], allow_blank=True,
                            showErrorMessage=strict, showInputMessage=bool(prompt))
        dv.error = "请从下拉列表中选择"
        dv.errorTitle = "输入值无效"
        if prompt:
            dv.prompt = prompt[:250]
        dv.add(cells)
        ws.add_data_validation(dv)

    def validate_years(self, ws, cells: str) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation

        dv = DataValidation(type="whole", operator="between", formula1="1990", formula2="2100",
                            allow_blank=True, showErrorMessage=True)
        dv.error, dv.errorTitle = "年度应为 1990–2100 之间的整数，如 2026", "年度无效"
        dv.add(cells)
        ws.add_data_validation(dv)

    @staticmethod
    def protect(ws) -> None:
        """Protect the sheet (no password); rows may still be inserted, deleted, sorted and filtered."""
        p = ws.protection
        p.sheet = True
        p.insertRows = p.deleteRows = p.formatColumns = p.formatRows = p.sort = p.autoFilter = False

    # -- sheets ---------------------------------------------------------------------------
    def table_sheet(self, sheet: TableSheet, frame: pd.DataFrame, headers: list[str],
                    choices: dict[int, tuple[str, bool]], years: list[int], examples: int = 0) -> None:
        """One table: header row, data rows (the first ``examples`` marked as examples), inputs unlocked.

        ``choices`` maps a 1-based column to (list name, strict); a list that is not strict
        offers choices but accepts other text (核定规则 formulas).
        """
        from openpyxl.utils import get_column_letter

        ws = self.wb.create_sheet(sheet.title)
        heads = headers + ([EXAMPLE_COLUMN] if examples else [])
        for j, h in enumerate(heads, start=1):
            c = ws.cell(1, j, h)
            c.font, c.fill, c.border, c.alignment = (self.st["header_font"], self.st["header_fill"],
                                                     self.st["border"], self.st["wrap"])
            letter = get_column_letter(j)
            ws.column_dimensions[letter].width = max(10, min(40, 2 * len(h) + 2))
            ws.column_dimensions[letter].fill = self.st["input_fill"]
            ws.column_dimensions[letter].protection = self.st["unlocked"]
        for i, row in enumerate(frame.itertuples(index=False), start=2):
            example = i - 2 < examples
            for j, v in enumerate(row, start=1):
                c = ws.cell(i, j, _cell_value(v))
                c.fill, c.protection = (self.st["example_fill"] if example else self.st["input_fill"],
                                        self.st["unlocked"])
                if example:
                    c.font = self.st["example_font"]
            if example:
                c = ws.cell(i, len(heads), EXAMPLE_MARK)
                c.font, c.fill, c.protection = self.st["example_font"], self.st["example_fill"], self.st["unlocked"]
        last = VALIDATED_ROWS
        for j, (name, strict) in choices.items():
            col = get_column_letter(j)
            self.validate(ws, f"{col}2:{col}{last}", list_name=name, strict=strict)
        for j in years:
            col = get_column_letter(j)
            self.validate_years(ws, f"{col}2:{col}{last}")
        ws.freeze_panes = "A2"
        self.protect(ws)
        return ws

    def info_sheet(self, rows: list[tuple], kind: str) -> None:
        from openpyxl.comments import Comment

        ws = self.wb.create_sheet(INFO_SHEET, 1)
        for j, h in enumerate(INFO_HEADERS, start=1):
            c = ws.cell(1, j, h)
            c.font, c.fill, c.border = self.st["header_font"], self.st["header_fill"], self.st["border"]
        for letter, width in zip("ABCDEF", (10, 30, 36, 12, 40, 26)):
            ws.column_dimensions[letter].width = width
            ws.column_dimensions[letter].protection = self.st["unlocked"]
        fixed = {f.label: f for f in _info.fields_for(kind)}
        for i, (cat, name, value, unit, note, code) in enumerate(rows, start=2):
            for j, v in enumerate((cat, name, _cell_value(value), unit, note, code), start=1):
                c = ws.cell(i, j, v)
                c.protection = self.st["unlocked"]
            for j in (3, 4) if cat in (_info.PARAM, _info.MONEY) else (3,):
                ws.cell(i, j).fill = self.st["input_fill"]
            f = fixed.get(name) if cat == _info.FIXED else None
            if f is not None:  # the label of a fixed row is protected
                for j in (1, 2, 4, 5):
                    ws.cell(i, j).protection = self.st["locked"]
                if f.required:
                    ws.cell(i, 2).font = self.st["bold"]
                    ws.cell(i, 2).comment = Comment("必填", "costing")
                if f.kind == "year":
                    self.validate_years(ws, f"C{i}")
                if f.choices:
                    self.validate(ws, f"C{i}", list_name=f.choices, strict=f.choices != "年度")
            if cat == _info.MONEY:
                self.validate(ws, f"D{i}", list_name="金额单位")
        self.validate(ws, f"A{len(rows) + 2}:A500", list_name="类别")
        ws.freeze_panes = "A2"
        self.protect(ws)

    def guide_sheet(self, title: str, purpose: list[str], sheets: list[tuple], example: list[str]) -> None:
        ws = self.wb[GUIDE_SHEET]
        ws.column_dimensions["A"].width = 16
        ws.column_dimensions["B"].width = 70
        ws.column_dimensions["C"].width = 14
        ws.column_dimensions["D"].width = 8
        ws.cell(1, 1, title).font = self.st["title"]
        r = 3
        for line in purpose:
            ws.cell(r, 1, line).alignment = self.st["wrap"]
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
            ws.row_dimensions[r].height = _height(line, 52)  # Excel does not size merged rows itself
            r += 1
        r += 1
        for j, h in enumerate(("工作表", "用途", "填写人", "必填"), start=1):
            c = ws.cell(r, j, h)
            c.font, c.fill = self.st["header_font"], self.st["header_fill"]
        for row in sheets:
            r += 1
            for j, v in enumerate(row, start=1):
                ws.cell(r, j, v).alignment = self.st["wrap"]
            ws.row_dimensions[r].height = _height(row[1], 34)
        r += 2
        ws.cell(r, 1, "颜色").font = self.st["bold"]
        legend = ((self.st["header_fill"], "表头：已保护，请勿修改（列名中括号内为单位）"),
                  (self.st["input_fill"], "填写区：请在此填写或从下拉列表选择"),
                  (self.st["example_fill"], f"示例行：仅供参考，填写完成后请删除（“{EXAMPLE_COLUMN}”列有标记的行）"))
        for fill, text in legend:
            r += 1
            ws.cell(r, 1).fill = fill
            ws.cell(r, 2, text)
        r += 2
        ws.cell(r, 1, "填写示例").font = self.st["bold"]
        for line in example:
            r += 1
            ws.cell(r, 2, line).alignment = self.st["wrap"]
            ws.row_dimensions[r].height = _height(line, 34)
        ws.sheet_properties.pageSetUpPr.fitToPage = True  # printed on one page wide
        ws.page_setup.fitToHeight = 0
        self.protect(ws)

    def save(self, out: Path) -> Path:
        out = Path(out)
        with atomic_path(out) as tmp:
            self.wb.save(tmp)
        return out


def _height(text: str, per_line: int) -> float:
    """Row height [points] for wrapped text of about ``per_line`` Chinese characters a line."""
    return 16.0 * max(1, -(-len(str(text)) // per_line))


def _cell_value(v):
    if v is None:
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


COMMON_STEPS = [
    "填写步骤：① 在“项目信息”表填写项目编号、年度等；② 逐表填写黄色区域（可从下拉列表选择），删除灰色示例行；"
    "③ 在命令行运行 costing check 本文件.xlsx，按提示逐项修改（错误必须改，警告请核实）；"
    "④ 无错误后提交，财政部门运行 costing report 本文件.xlsx 生成成本标准报告。",
    "金额单位写在列名括号中（如“金额（万元）”），可改为 元、万元 或 亿元，数值须与之一致。"
    "年份写四位整数（2026）；比例写小数（0.02 表示 2%）。请勿修改表头和工作表名称。",
]


def new_workbook(kind: str, out, *, source=None) -> Path:
    """Write a fill-in workbook.

    Parameters
    ----------
    kind : {"bus", "sanitation", "cba", "portfolio"}
    out : path-like
        The ``.xlsx`` file to write (atomically).
    source : path-like, optional
        A project file of that kind to write into the workbook (``--from``).
        Without it the workbook is blank: settings with defaults and example
        rows (marked) from the bundled synthetic example.
    """
    if kind not in KINDS:
        raise InputError("项目类型未知", expected="、".join(KINDS), found=kind, fix="选 bus、sanitation、cba 或 portfolio")
    if Path(out).suffix.lower() != ".xlsx":
        raise InputError("工作簿文件名应以 .xlsx 结尾", file=str(out), expected=".xlsx", found=Path(out).suffix or "（无扩展名）",
                         fix="把文件名改为 xxx.xlsx")
    from .kinds import module_for

    return module_for(kind).write(kind, Path(out), source, _Writer(kind))
