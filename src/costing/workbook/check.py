"""``costing check``: every problem of a workbook in one pass, each with its cell.

A :class:`Problem` has a severity (``错误`` blocks every command, ``警告`` is a
plausibility rule), a place (``成本项目!F7``, or a sheet and column), what
was expected and what was found, and a suggested fix in Chinese.

:func:`check_workbook` reads the workbook once (openpyxl, read-only, cached
values as Excel shows them), checks each table sheet against the columns
its loader validates with, then the cross-table rules of the project kind,
then the plausibility rules of ``plausibility.toml``. It returns the
problems and the project settings the loaders use (:func:`read_mapping`).
"""
from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import glossary
# exit codes of ``costing check``: the one set of every command (costing._cli)
from .._cli import EXIT_INPUT as EXIT_ERRORS
from .._cli import EXIT_OK as EXIT_CLEAN
from .._cli import EXIT_WARNINGS
from ..errors import InputError
from ..io import Column
from ..io import parse_number as _parse_number
from ..io import xlsx_rows
from .layout import EXAMPLE_COLUMN, INFO_SHEET, TableSheet, chinese_name, header

ERROR, WARNING = "错误", "警告"


@dataclass
class Problem:
    """One problem: severity, place, what is wrong, expected/found and how to fix it."""

    severity: str
    sheet: str | None
    cell: str | None          # "F7"; None for a whole column or sheet
    problem: str
    expected: str = ""
    found: str = ""
    fix: str = ""
    column: str | None = None  # the header, for column-level problems
    rule: str = ""             # plausibility rule id (warnings)
    basis: str = ""            # the rule's basis (warnings)

    @property
    def ref(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        if self.sheet and self.column:
            return f"{self.sheet}（列“{self.column}”）"
        return self.sheet or "工作簿"

    def as_dict(self) -> dict:
        return {"ref": self.ref, **asdict(self)}

    def details(self) -> list[tuple[str, str]]:
        """(label, text) pairs: 应为, 实为, 建议, 依据 (those given)."""
        return [(k, v) for k, v in (("应为", self.expected), ("实为", self.found), ("建议", self.fix),
                                    ("依据", self.basis)) if v]

    def line(self) -> str:
        """One line for the console: severity, place, problem, then the details."""
        return "；".join([f"{self.severity}  {self.ref}  {self.problem}", *(f"{k}：{v}" for k, v in self.details())])


class WorkbookError(InputError):
    """A workbook with errors: every problem, listed (raised by the loaders before any work)."""

    def __init__(self, path, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == ERROR]
        head = f"{len(errors)} 处错误，请逐项修改后重试（costing check {Path(path).name} --annotate 标注.xlsx 可标出单元格）"
        super().__init__(head + "\n" + "\n".join("  " + p.line() for p in errors), file=str(path))


def _show(v) -> str:
    return "（空）" if v is None or v == "" else str(v)


# -- numbers -------------------------------------------------------------------------------
def parse_number(v) -> float | None:
    """One numeric cell under the readers' policy (:func:`costing.io.parse_number`); ValueError when bad."""
    try:
        return _parse_number(v)
    except InputError as e:
        raise ValueError(e.problem) from None


# -- reading -------------------------------------------------------------------------------
@dataclass
class Sheet:
    """A sheet's cells as Excel shows them: header (row 1) and data rows with their row numbers."""

    title: str
    header: list
    rows: list[tuple[int, tuple]]  # (excel row, values)


def read_sheets(path: Path) -> dict[str, Sheet]:
    """Every sheet of a workbook (values only); InputError for an unreadable or legacy file."""
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise InputError("legacy Excel 97–2003 (.xls) workbooks are not read", file=str(path),
                         expected="an .xlsx workbook: open it in Excel or WPS and 另存为 “Excel 工作簿 (*.xlsx)”, "
                                  "or run: libreoffice --headless --convert-to xlsx FILE.xls",
                         found=".xls")
    if not path.exists():
        raise InputError("workbook does not exist", file=str(path), expected="an existing .xlsx file")
    out = {}
    for title, cells in xlsx_rows(path).items():
        it = iter(cells)
        header = list(next(it, ()) or ())
        while header and header[-1] is None:
            header.pop()
        rows = [(r, values) for r, values in enumerate(it, start=2)
                if any(v is not None and (not isinstance(v, str) or v.strip()) for v in values)]
        out[title] = Sheet(title, header, rows)
    return out


def letter(j: int) -> str:
    """Column letter of a 0-based column index."""
    s = ""
    j += 1
    while j:
        j, rem = divmod(j - 1, 26)
        s = chr(65 + rem) + s
    return s


# -- one table -----------------------------------------------------------------------------
@dataclass
class Table:
    """A checked table: identifier -> column index, units, and the parsed rows."""

    sheet: TableSheet
    present: bool
    col: dict[str, int] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)  # {"_row": excel row, ident: parsed value}

    def ref(self, ident: str, row: int) -> str | None:
        j = self.col.get(ident)
        return None if j is None else f"{letter(j)}{row}"

    def values(self, ident: str) -> list:
        return [r.get(ident) for r in self.rows]


class Checker:
    """Collects the problems of one workbook, and the checked tables for the cross-table rules."""

    def __init__(self):
        self.problems: list[Problem] = []
        self.deferred: list[dict] = []  # plausibility rules to run once the data is clean
        self.tables: dict[str, Table] = {}

    def add(self, severity, sheet, cell, problem, expected="", found="", fix="", column=None, **kw):
        self.problems.append(Problem(severity, sheet, cell, problem, str(expected), str(found), fix,
                                     column=column, **kw))

    def error(self, *a, **kw):
        self.add(ERROR, *a, **kw)

    def warn(self, *a, **kw):
        self.add(WARNING, *a, **kw)

    # -- a table sheet ------------------------------------------------------------------------
    def table(self, sheets: dict[str, Sheet], spec: TableSheet) -> Table:
        """Check one table sheet against its columns; parsed values for the cross checks."""
        sh = sheets.get(spec.title)
        t = Table(spec, sh is not None)
        if sh is None:
            if spec.required:
                self.error(spec.title, None, "缺少工作表", expected=f"名为“{spec.title}”的工作表",
                           found="无", fix=f"用 costing new 生成的模板中复制“{spec.title}”表，勿改表名")
            return t
        cols = {c.name: c for c in spec.columns}
        extra = {glossary._norm(a): c.name for c in spec.columns for a in c.aliases}
        for j, h in enumerate(sh.header):
            if h is None or str(h).strip() == "":
                continue
            name, unit = glossary.split_header(h)
            ident = glossary.identifier(name, extra) or name
            if ident in t.col:
                self.error(spec.title, f"{letter(j)}1", "列名重复", expected="每列只出现一次", found=h,
                           fix="删除或改名重复的列")
                continue
            t.col[ident] = j
            if unit:
                t.units[ident] = unit
        for c in spec.columns:
            if c.required and c.name not in t.col:
                self.error(spec.title, None, "缺少列", column=header(c), expected=f"列“{header(c)}”",
                           found="表头：" + "、".join(str(h) for h in sh.header if h),
                           fix=f"在表头增加“{header(c)}”列（可从模板复制）")
        from ..units import MONEY_UNITS as _UNITS

        for c in spec.columns:
            if c.kind == "money" and c.name in t.col:
                unit = t.units.get(c.name)
                if unit is None or unit not in _UNITS and unit.lower() not in _UNITS:
                    self.error(spec.title, f"{letter(t.col[c.name])}1", "金额列的单位未知或未注明",
                               expected="列名括号内注明 元、万元 或 亿元", found=sh.header[t.col[c.name]],
                               fix=f"把列名改为“{chinese_name(c)}（万元）”这样的形式")
        ex = t.col.get(EXAMPLE_COLUMN)
        keys: dict[tuple, int] = {}
        for r, values in sh.rows:
            get = lambda j: values[j] if j is not None and j < len(values) else None  # noqa: E731
            if ex is not None and get(ex) not in (None, ""):
                self.error(spec.title, f"A{r}", "示例行未删除", expected="本单位的数据",
                           found=f"第 {r} 行标为示例", fix=f"删除第 {r} 行，或改写后清空“{EXAMPLE_COLUMN}”列")
                continue
            row = {"_row": r}
            for name, j in t.col.items():
                c = cols.get(name)
                v = get(j)
                row[name] = self.cell(spec.title, f"{letter(j)}{r}", c, v, t.units.get(name)) if c else v
            t.rows.append(row)
            if spec.key and all(k in t.col for k in spec.key):
                k = tuple(row.get(k) for k in spec.key)
                if all(x is not None and x != "" for x in k):
                    if k in keys:
                        self.error(spec.title, t.ref(spec.key[-1], r), f"重复的{'/'.join(spec.key)}",
                                   expected="每个只出现一次", found=k[0] if len(k) == 1 else "/".join(map(str, k)),
                                   fix=f"与第 {keys[k]} 行重复，删除或改正其中一行")
                    else:
                        keys[k] = r
        return t

    def cell(self, sheet: str, ref: str, c: Column, v, unit: str | None):
        """Check one cell against its column; return the parsed value (None when bad or empty)."""
        if c.kind in ("text", "expr", "date"):
            text = "" if v is None else (v.isoformat()[:10] if hasattr(v, "isoformat") else str(v).strip())
            if text == "":
                if not c.allow_empty:
                    self.error(sheet, ref, "必填单元格为空", expected="一个值", found="（空）", fix="填写该单元格")
                return None
            if c.choices and text not in c.choices:
                self.error(sheet, ref, "不在可选值之内", expected="、".join(c.choices), found=text,
                           fix="从下拉列表中选择")
                return None
            if c.kind == "expr":
                try:
                    return parse_number(v)
                except ValueError:
                    return text
            return text
        try:
            x = parse_number(v)
        except (ValueError, TypeError):
            what = "公式出错" if isinstance(v, str) and v.startswith("#") else "不是数字"
            self.error(sheet, ref, what, expected="数字" + (f"（{unit}）" if unit else ""), found=_show(v),
                       fix="填写数字，不带文字、空格以外的符号；公式出错请检查除数是否为 0")
            return None
        if x is None:
            if not c.allow_empty:
                self.error(sheet, ref, "必填单元格为空", expected="数字" + (f"（{unit}）" if unit else ""),
                           found="（空）", fix="填写该单元格")
            return None
        if c.kind in ("int", "year") and x != int(x):
            self.error(sheet, ref, "不是整数", expected="整数" + ("年份，如 2026" if c.kind == "year" else ""),
                       found=_show(v), fix="填写整数")
            return None
        if c.kind == "year" and not 1990 <= x <= 2100:
            self.error(sheet, ref, "年份无效", expected="四位年份，如 2026", found=_show(v), fix="填写四位年份")
            return None
        if c.positive and not x > 0:
            self.error(sheet, ref, "应为正数", expected="大于 0 的数", found=_show(v), fix="填写大于 0 的数")
            return None
        if c.min_value is not None and x < c.min_value:
            self.error(sheet, ref, "负数" if c.min_value == 0 else "数值过小", expected=f"不小于 {c.min_value:g} 的数",
                       found=_show(v), fix="金额和数量填正数（方向由表格含义决定）")
            return None
        return int(x) if c.kind in ("int", "year") else x


def exit_code(problems: list[Problem]) -> int:
    """0 clean, 1 warnings only, 2 errors."""
    if any(p.severity == ERROR for p in problems):
        return EXIT_ERRORS
    return EXIT_WARNINGS if problems else EXIT_CLEAN


def check_workbook(path) -> tuple[list[Problem], dict | None]:
    """All problems of a workbook, and its project settings (None when the kind is unknown).

    Returns
    -------
    (problems, mapping)
        ``mapping`` is what a project file would hold (tables pointing at
        the workbook's sheets); use it only when no problem is an error.
    """
    from .kinds import module_for

    path = Path(path).resolve()
    sheets = read_sheets(path)
    ck = Checker()
    if INFO_SHEET not in sheets:
        ck.error(INFO_SHEET, None, "缺少工作表", expected=f"名为“{INFO_SHEET}”的工作表", found="、".join(sheets),
                 fix="用 costing new 生成工作簿后填写，勿改表名")
        return ck.problems, None
    info = sheets[INFO_SHEET]
    kind, kind_row = None, None
    for r, values in info.rows:
        if len(values) > 2 and values[1] == "项目类型":
            kind, kind_row = (str(values[2]).strip() if values[2] is not None else ""), r
    mod = module_for(kind)
    if mod is None:
        from .layout import KINDS

        ck.error(INFO_SHEET, f"C{kind_row}" if kind_row else None, "项目类型未知",
                 expected="、".join(KINDS), found=_show(kind), fix="从下拉列表选择项目类型")
        return ck.problems, None
    mapping = _info_mapping(ck, info, kind)
    mod.check(ck, sheets, mapping, path)
    if ck.deferred and not any(p.severity == ERROR for p in ck.problems):
        _CACHE[_key(path)] = (list(ck.problems), mapping)
        try:  # the loader's own rules, on data that passed every cell check
            mod.check_need(ck, path, ck.deferred)
        except InputError as e:
            ck.problems.append(_from_error(e, sheets))
    _CACHE[_key(path)] = (ck.problems, mapping)
    return ck.problems, mapping


def _from_error(e: InputError, sheets: dict[str, Sheet]) -> Problem:
    """A loader's InputError as a problem, with its cell when the sheet, row and column are known."""
    loc = e.location
    cell = None
    sh = sheets.get(loc.sheet) if loc.sheet else None
    if sh is not None and loc.row and loc.column:
        j = next((j for j, h in enumerate(sh.header) if h is not None and str(h) == str(loc.column)), None)
        cell = None if j is None else f"{letter(j)}{loc.row}"
    return Problem(ERROR, loc.sheet, cell, e.problem, _show(e.expected), _show(e.found),
                   "按提示改正该单元格", column=None if cell else loc.column)


_CACHE: dict[tuple, tuple[list[Problem], dict]] = {}


def _key(path: Path) -> tuple:
    st = path.stat()
    return (str(path), st.st_mtime_ns, st.st_size)


def read_mapping(path) -> dict:
    """A workbook's project settings, as a project file would hold them, after checking every cell.

    The loaders (:func:`costing.load_project`, :func:`costing.cba.load_cba_project`,
    :func:`costing.performance.load_portfolio`) call this for ``.xlsx`` files, so
    every command on a workbook starts with the full check.

    Raises
    ------
    WorkbookError
        Listing every error (sheet, cell, expected, found, fix).
    """
    path = Path(path).resolve()
    cached = _CACHE.get(_key(path)) if path.exists() else None
    problems, mapping = cached if cached is not None else check_workbook(path)
    if mapping is None or any(p.severity == ERROR for p in problems):
        raise WorkbookError(path, problems)
    return copy.deepcopy(mapping)


def _info_mapping(ck: Checker, sheet: Sheet, kind: str) -> dict:
    """Read the 项目信息 rows back into project-file settings, checking each."""
    from . import info as I

    fixed = {f.label: f for f in I.fields_for(kind)}
    out: dict = {}
    seen = set()
    for r, values in sheet.rows:
        cat, name, value, unit = (tuple(values) + (None,) * 4)[:4]
        cat = str(cat).strip() if cat is not None else ""
        name = "" if name is None else str(name).strip()
        if not name:
            ck.error(INFO_SHEET, f"B{r}", "名称为空", expected="参数或设置的名称", found="（空）", fix="填写名称或删除该行")
            continue
        if (cat, name) in seen:
            ck.error(INFO_SHEET, f"B{r}", "名称重复", expected="每项只出现一次", found=name, fix="删除重复的行")
            continue
        seen.add((cat, name))
        if cat == I.FIXED:
            f = fixed.get(name)
            if f is None:
                ck.error(INFO_SHEET, f"B{r}", "未知的项目设置", expected="、".join(fixed), found=name,
                         fix="改为“参数”或“其他”类别，或删除该行")
                continue
            if value is None or str(value).strip() == "":
                if f.required:
                    ck.error(INFO_SHEET, f"C{r}", f"{f.label}未填写", expected="一个值", found="（空）",
                             fix=f"填写{f.label}" + ("（从下拉列表选择）" if f.choices else ""))
                continue
            if f.kind in ("year", "number"):
                try:
                    x = parse_number(value)
                except (ValueError, TypeError):
                    x = None
                if x is None or (f.kind == "year" and (x != int(x) or not 1990 <= x <= 2100)):
                    ck.error(INFO_SHEET, f"C{r}", f"{f.label}不是{'年份' if f.kind == 'year' else '数字'}",
                             expected="四位年份，如 2026" if f.kind == "year" else "数字", found=_show(value),
                             fix=f"填写{f.label}")
                    continue
                value = int(x) if f.kind == "year" else x
            else:
                value = str(value).strip()
            I._set(out, f.key, value)
        elif cat == I.PARAM:
            if I.numeric_parameters(kind) or not isinstance(value, str):
                try:
                    x = parse_number(value)
                except (ValueError, TypeError):
                    x = None
                if x is None:
                    ck.error(INFO_SHEET, f"C{r}", f"参数 {name} 不是数字", expected="数字（金额放在“金额”类别并注明单位）",
                             found=_show(value), fix="填写数字")
                    continue
                value = int(value) if isinstance(value, int) else x
            I._set(out, f"parameters.{name}", value)
        elif cat == I.MONEY:
            from ..units import MONEY_UNITS

            try:
                x = parse_number(value)
            except (ValueError, TypeError):
                x = None
            if x is None:
                ck.error(INFO_SHEET, f"C{r}", f"金额 {name} 不是数字", expected="数字", found=_show(value), fix="填写金额")
                continue
            u = "" if unit is None else str(unit).strip()
            if u not in MONEY_UNITS:
                ck.error(INFO_SHEET, f"D{r}", f"金额 {name} 的单位未知", expected="元、万元 或 亿元", found=_show(unit),
                         fix="从下拉列表选择单位")
                continue
            I._set(out, f"money.{name}", {"amount": value if isinstance(value, (int, float)) else x, "unit": u})
        elif cat == I.RULE:
            I._set(out, f"standard.{name}", "" if value is None else str(value).strip())
        elif cat == I.OTHER:
            try:
                I._set(out, name, I.parse_literal("" if value is None else str(value)))
            except ValueError:
                ck.error(INFO_SHEET, f"C{r}", f"设置 {name} 的值无法识别", expected='TOML 值，如 0.5、"文字"、[1, 2]',
                         found=_show(value), fix="文字加英文双引号，列表用方括号")
        else:
            ck.error(INFO_SHEET, f"A{r}", "类别未知", expected="、".join(I.CATEGORIES), found=_show(cat),
                     fix="从下拉列表选择类别")
    return out
