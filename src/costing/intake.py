"""The one rule set for every reader: what a cell may hold, and what is wrong when it does not.

Every reader of a budget unit's data (CSV and XLSX tables through
:func:`costing.io.read_table`, the fill-in workbook through ``costing check``,
project and portfolio files) applies the same rules, defined here once:

- :class:`Column`: a column's rules as data (kind: number / money / int /
  year / text / expr / date; required; empty allowed; sign and range; the
  allowed choices, each a code with its Chinese label);
- :func:`check_value`: one cell against its column, returning the parsed
  value or raising :class:`Bad` with the problem, what was expected and a
  specific fix, all in Chinese;
- :class:`Problem`: one finding with its place (file or sheet, cell or
  row/column), severity (错误 / 警告), expected, found and fix.

Loaders raise :class:`costing.errors.InputError` on the first error (it
carries the same Chinese text); ``costing check`` lists every problem. This
module imports nothing heavy, so ``costing check`` and ``costing --help``
stay light.
"""
from __future__ import annotations

import datetime as _dt
import math
import numbers
import re
import unicodedata
from dataclasses import asdict, dataclass

ERROR, WARNING = "错误", "警告"
#: the years any table, project file or workbook may name (one limit for every reader)
YEAR_MIN, YEAR_MAX = 1990, 2100
#: ``costing check`` lists at most this many problems, then says how many more there are
MAX_LISTED = 200


@dataclass(frozen=True)
class Column:
    """One expected column of a table (its rules, as data).

    Parameters
    ----------
    name : str
        Glossary identifier (``fare_revenue``).
    kind : {"number", "money", "int", "year", "text", "expr", "date"}
        ``money`` columns must declare 元, 万元 or 亿元 in their header and are
        converted to 元. ``expr`` is a number or a formula (kept as text).
        ``date`` cells are read as 2026-09-30, 2026/9/30, 2026年9月30日,
        2026.9.30 or a date cell, and kept as ``YYYY-MM-DD`` text.
    required : bool
        The column must be present.
    allow_empty : bool
        Empty cells are allowed (become NaN / "").
    min_value : float or None
        Smallest allowed value (``0`` forbids negatives).
    positive : bool
        Values must be > 0 (e.g. a peer's vehicle-km).
    aliases : tuple of str
        Extra headers accepted for this column, besides the glossary's.
    choices : tuple of str
        For text columns, the allowed codes.
    labels : tuple of str
        The Chinese label of each choice (same order); a cell may hold the
        code or its label, the reader keeps the code.
    """

    name: str
    kind: str = "number"
    required: bool = True
    allow_empty: bool = False
    min_value: float | None = None
    positive: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    default: object = None
    labels: tuple[str, ...] = ()
    #: (label, code) pairs an open text column (any formula allowed) also accepts for a code
    open_labels: tuple[tuple[str, str], ...] = ()

    def shown_choices(self) -> tuple[str, ...]:
        """What a dropdown offers: the Chinese labels, or the codes when a column has none."""
        return self.labels or self.choices


@dataclass
class Problem:
    """One problem: severity, place, what is wrong, expected/found and how to fix it (all Chinese)."""

    severity: str
    sheet: str | None
    cell: str | None          # "F7"; None for a whole column, row or sheet
    problem: str
    expected: str = ""
    found: str = ""
    fix: str = ""
    column: str | None = None  # the header, for column-level problems
    rule: str = ""             # plausibility rule id (warnings)
    basis: str = ""            # the rule's basis (warnings)
    file: str | None = None    # a file other than the workbook (CSV, TOML)
    row: int | None = None     # a row without a cell (CSV)

    @property
    def ref(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        if self.sheet and self.column:
            return f"{self.sheet}（列“{self.column}”）"
        if self.sheet:
            return self.sheet
        parts = [self.file or "工作簿"]
        if self.row:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"“{self.column}”")
        return "，".join(parts)

    def as_dict(self) -> dict:
        return {"ref": self.ref, **asdict(self)}

    def details(self) -> list[tuple[str, str]]:
        """(label, text) pairs: 应为, 实为, 建议, 依据 (those given)."""
        return [(k, v) for k, v in (("应为", self.expected), ("实为", self.found), ("建议", self.fix),
                                    ("依据", self.basis)) if v]

    def line(self) -> str:
        """One line for the console: severity, place, problem, then the details."""
        return "；".join([f"{self.severity}  {self.ref}  {self.problem}", *(f"{k}：{v}" for k, v in self.details())])


class Bad(ValueError):
    """A cell that breaks its column's rule: the problem, what was expected and the fix (Chinese)."""

    def __init__(self, problem: str, expected: str = "", fix: str = "", *, looks_numeric: bool = True):
        super().__init__(problem)
        self.problem, self.expected, self.fix = problem, expected, fix
        #: False for plain text, which an ``expr`` column may keep as a formula
        self.looks_numeric = looks_numeric


#: a clearer header than the first Chinese alias, where one helps the person filling in
PREFERRED = {"quantity": "数量公式", "item_name": "成本项目名称", "year": "年度"}
_CJK = re.compile("[\u4e00-\u9fff]")


def chinese_name(column: Column | str) -> str:
    """The Chinese name of a column (its preferred name, else its first Chinese alias), else its identifier."""
    from . import glossary

    name = column if isinstance(column, str) else column.name
    aliases = () if isinstance(column, str) else column.aliases
    if name in PREFERRED:
        return PREFERRED[name]
    for a in (*aliases, *glossary.ALIASES.get(name, ())):
        if _CJK.search(a):
            return a
    return glossary.DISPLAY_NAMES.get(name, name)


def show(v) -> str:
    """A cell's value as the reader typed it (``（空）`` for an empty one)."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip()):
        return "（空）"
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.isoformat()[:10]
    return str(v)


# -- numbers -------------------------------------------------------------------------------
#: Excel's error values; in a numeric cell they are bad input, never a number or an empty cell.
EXCEL_ERRORS = frozenset({"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!",
                          "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!"})
_DASHES = frozenset("-‐‑‒–—―－−")
_SEPARATORS = re.compile(r"[,，\s]")  # thousands separators and spaces (full-width too)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_WITH_UNIT = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))\s*([^\d\s].*)")
NUMBER_FIX = "只填数字（可带千分位逗号或 %），单位已在列名中注明"


def parse_number(v) -> float | None:
    """One numeric cell under the readers' policy: the finite value, None when empty, :class:`Bad` otherwise.

    Accepted: numbers; text with thousands separators (``1,846``, ``1，846``,
    ``1 846``), full-width digits and signs (``１２３．５``, ``－3``), a
    trailing percent sign (``12.5%`` -> 0.125) and exponents (``1e6``).
    Refused: non-numeric text, a number with a unit or word (``8.6万``),
    ``nan``/``inf`` and overflows, Excel error values (``#N/A``), a lone dash
    (zero or nothing?), ``TRUE``/``FALSE``.
    """
    if v is None:
        return None
    if isinstance(v, bool) or type(v).__name__ == "bool_":
        raise Bad("逻辑值（TRUE/FALSE）不是数字", "数字", NUMBER_FIX)
    if isinstance(v, numbers.Real):
        x = float(v)
        if math.isnan(x):  # an empty cell of a workbook
            return None
        if math.isinf(x):
            raise Bad("不是有限的数", "数字", NUMBER_FIX)
        return x
    if isinstance(v, (_dt.datetime, _dt.date)):
        raise Bad("单元格是日期，不是数字", "数字", "把单元格格式改为“常规”或“数值”后重填数字")
    s = str(v).strip()
    if "_" not in s:  # fast path for a plain number ("1_000" is not one; nan and inf go the long way)
        try:
            x = float(s)
        except ValueError:
            pass
        else:
            if math.isfinite(x):
                return x
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)  # full-width digits, signs, point, percent
    s = _SEPARATORS.sub("", s)
    if s == "":
        return None
    if s.upper() in EXCEL_ERRORS:
        raise Bad(f"公式出错（{s.upper()}）", "数字",
                  "检查该单元格的公式（除数为 0、引用了空单元格或已删除的单元格），或直接填写数值")
    if all(ch in _DASHES for ch in s):
        raise Bad("“-”不是数字（是 0 还是没有？）", "数字", "填 0；确无数据且该列允许留空时留空")
    s = s.replace("−", "-")
    percent = s.endswith("%")
    body = s[:-1] if percent else s
    if not _NUMBER.fullmatch(body):
        low = body.lstrip("+-").lower()
        if low in ("nan", "inf", "infinity", "na", "n/a", "null", "none"):
            raise Bad("不是有限的数", "数字", NUMBER_FIX)
        m = _WITH_UNIT.fullmatch(body)
        if m:
            raise Bad(f"数字后带了单位或文字“{m.group(2)}”", "只有数字",
                      "删去单位和文字，按列名（或“单位”列）注明的单位填数字；如 8.6万 元 填 86000", looks_numeric=False)
        raise Bad("不是数字", "数字", NUMBER_FIX, looks_numeric=False)
    x = float(body)
    if math.isinf(x):
        raise Bad("数字太大", "数字", "核对位数")
    return x / 100.0 if percent else x


# -- dates ---------------------------------------------------------------------------------
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
DATE_EXPECTED = "日期，如 2026-09-30、2026/9/30、2026年9月30日 或 2026.9.30"


def parse_date(v) -> str | None:
    """A date cell as ``YYYY-MM-DD`` (None when empty); :class:`Bad` when it is not a date."""
    if v is None:
        return None
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.isoformat()[:10]
    if hasattr(v, "isoformat"):  # pandas Timestamp
        return v.isoformat()[:10]
    s = unicodedata.normalize("NFKC", str(v)).strip()
    if not s:
        return None
    m = _DATE.fullmatch(s)
    if m:
        try:
            return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            raise Bad("日期不存在", DATE_EXPECTED, "核对月份和日（如 9 月没有 31 日）") from None
    raise Bad("不是日期", DATE_EXPECTED, "按 2026-09-30 的形式填写日期")


# -- one cell ------------------------------------------------------------------------------
def _text(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.isoformat()[:10]
    return str(v).strip()


def check_value(c: Column, v, unit: str | None = None):
    """One cell against its column's rules.

    Returns the parsed value: a float (int for ``int``/``year``) for numeric
    kinds, the code for a choice, ``YYYY-MM-DD`` for a date, the number or
    the formula's text for ``expr``, the trimmed text otherwise; ``None``
    for an empty cell where empty is allowed. Money is *not* converted here
    (the header's unit is applied by the reader).

    Raises
    ------
    Bad
        The problem, what was expected and the fix, in Chinese.
    """
    what = "数字" + (f"（{unit}）" if unit else "")
    if c.kind in ("text", "expr", "date"):
        text = _text(v)
        if text == "":
            if not c.allow_empty:
                raise Bad("必填单元格为空", "一个值" if c.kind != "date" else DATE_EXPECTED, "填写该单元格")
            return None
        if c.kind == "date":
            return parse_date(v)
        if c.choices:
            if text in c.choices:
                return text
            if text in c.labels:
                return c.choices[c.labels.index(text)]
            raise Bad("不在可选值之内", "、".join(c.shown_choices()), "从下拉列表中选择")
        for label, code in c.open_labels:
            if text == label:
                return code
        if c.kind == "expr":
            try:
                x = parse_number(v)
            except Bad as e:
                if e.looks_numeric:  # nan, inf, #N/A, a dash: never a formula
                    raise
                return text
            return text if x is None else x
        return text
    if c.kind == "year" and isinstance(v, str) and v.strip().endswith("年"):
        v = v.strip()[:-1]
    x = parse_number(v)
    if x is None:
        if not c.allow_empty:
            raise Bad("必填单元格为空", what, "填写该单元格")
        return None
    if c.kind == "year":
        if x != int(x) or not YEAR_MIN <= x <= YEAR_MAX:
            raise Bad("不是四位年份", f"四位年份（{YEAR_MIN}–{YEAR_MAX}），如 2026", "填写四位年份，不带小数")
        return int(x)
    if c.kind == "int" and x != int(x):
        raise Bad("不是整数", "整数", "填写整数（人数、辆数等不带小数）")
    if c.positive and not x > 0:
        raise Bad("应为正数", "大于 0 的数", "填写大于 0 的数（指数、里程、人次等不能为 0 或负数）")
    if c.min_value is not None and x < c.min_value:
        if c.min_value == 0:
            raise Bad("不能为负数", "不小于 0 的数" + (f"（{unit}）" if unit else ""),
                      "金额和数量填正数（收入、支出、补贴的方向由表格含义决定，不用负号）")
        raise Bad("数值过小", f"不小于 {c.min_value:g} 的数", "核对数值")
    return int(x) if c.kind == "int" else x


__all__ = ["Column", "Problem", "Bad", "check_value", "parse_number", "parse_date", "show",
           "chinese_name", "ERROR", "WARNING", "YEAR_MIN", "YEAR_MAX", "MAX_LISTED", "EXCEL_ERRORS"]
