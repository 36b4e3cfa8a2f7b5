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
from dataclasses import dataclass, field
from pathlib import Path

from .. import glossary
# exit codes of ``costing check``: the one set of every command (costing._cli)
from .._cli import EXIT_INPUT as EXIT_ERRORS
from .._cli import EXIT_OK as EXIT_CLEAN
from .._cli import EXIT_WARNINGS
from ..errors import InputError
from ..intake import ERROR, MAX_LISTED, WARNING, Bad, Column, Problem, check_value, chinese_name  # noqa: F401
from ..intake import parse_number as _parse
from ..intake import show as _show
from ..io import column_letter as letter, sniff_workbook, xlsx_rows
from .layout import EXAMPLE_COLUMN, INFO_SHEET, TableSheet, header



class WorkbookError(InputError):
    """A workbook with errors: every problem, listed (raised by the loaders before any work)."""

    def __init__(self, path, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == ERROR]
        head = (f"工作簿 {Path(path).name} 有 {len(errors)} 处错误，请逐项修改后重试"
                f"（costing check {Path(path).name} --annotate 标注.xlsx 可标出单元格）")
        lines = [p.line() for p in errors[:MAX_LISTED]]
        if len(errors) > MAX_LISTED:
            lines.append(f"另有 {len(errors) - MAX_LISTED} 处错误未列出")
        super().__init__(head + "\n" + "\n".join("  " + x for x in lines))


def parse_number(v) -> float | None:
    """One numeric cell under the readers' policy (:func:`costing.intake.parse_number`); ValueError when bad."""
    return _parse(v)


# -- reading -------------------------------------------------------------------------------
@dataclass
class Sheet:
    """A sheet's cells as Excel shows them: header (row 1) and data rows with their row numbers."""

    title: str
    header: list
    rows: list[tuple[int, tuple]]  # (excel row, values)


def read_sheets(path: Path) -> dict[str, Sheet]:
    """Every sheet of a workbook (values only); InputError for an unreadable or legacy file."""
    if not path.exists():
        raise InputError("工作簿不存在", file=str(path), expected="已有的 .xlsx 工作簿", fix="检查文件名和路径")
    if not path.is_file():
        raise InputError("这是文件夹，不是工作簿", file=str(path), expected=".xlsx 工作簿", found="文件夹")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        sniff_workbook(path)  # says what the file is (.xls, .ods, CSV, Word ...)
    out = {}
    for title, cells in xlsx_rows(path).items():
        it = iter(cells)
        header = list(next(it, ()) or ())
        while header and header[-1] is None:
            header.pop()
        rows = list(enumerate(it, start=2))
        while rows and not _filled(rows[-1][1]):
            rows.pop()
        out[title] = Sheet(title, header, rows)
    return out


def _filled(values) -> bool:
    return any(v is not None and (not isinstance(v, str) or v.strip()) for v in values)


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


BLANK_ROW = "空行"


class Checker:
    """Collects the problems of one workbook, and the checked tables for the cross-table rules."""

    def __init__(self):
        self.problems: list[Problem] = []
        self.deferred: list[dict] = []  # plausibility rules to run once the data is clean
        self.tables: dict[str, Table] = {}
        self.info_cells: dict[str, str] = {}  # setting key ("money.taxes") -> its 值 cell on 项目信息
        self.bad_names: set[str] = set()      # parameters whose cell is bad (no follow-on "name undefined")
        self.project = None                   # the project built from the checked cells (cost-standard kinds)

    def add(self, severity, sheet, cell, problem, expected="", found="", fix="", column=None, **kw):
        self.problems.append(Problem(severity, sheet, cell, problem, str(expected), str(found), fix,
                                     column=column, **kw))

    def error(self, *a, **kw):
        self.add(ERROR, *a, **kw)

    def warn(self, *a, **kw):
        self.add(WARNING, *a, **kw)

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)

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
        width = max([len(sh.header), *(len(values) for _, values in sh.rows)])
        unnamed = [j for j in range(len(sh.header), width)]
        for j, h in enumerate(sh.header):
            if h is None or str(h).strip() == "":
                unnamed.append(j)
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
        for j in unnamed:  # data under no header: refused (the reader would not know what it is)
            r = next((r for r, values in sh.rows if j < len(values) and _filled((values[j],))), None)
            if r is not None:
                self.error(spec.title, f"{letter(j)}{r}", f"第 {letter(j)} 列有数据但没有列名", expected="每列数据都有列名",
                           found=_show(sh.rows[[x for x, _ in sh.rows].index(r)][1][j]),
                           fix="在第 1 行填写列名，或删除该列数据")
        missing = [c for c in spec.columns if c.required and c.name not in t.col]
        for c in missing:
            self.error(spec.title, None, f"缺少列“{chinese_name(c)}”", column=header(c), expected=f"列“{header(c)}”",
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
        if missing:
            return t  # no follow-on errors from a table whose columns are not known
        ex = t.col.get(EXAMPLE_COLUMN)
        keys: dict[tuple, int] = {}
        for r, values in sh.rows:
            get = lambda j: values[j] if j is not None and j < len(values) else None  # noqa: E731
            if not _filled(values):
                self.error(spec.title, f"A{r}", BLANK_ROW, expected="表格中间没有空行", found=f"第 {r} 行为空",
                           fix=f"删除第 {r} 行")
                continue
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
                        what = "、".join(chinese_name(cols[x]) for x in spec.key)
                        self.error(spec.title, t.ref(spec.key[-1], r), f"重复的{what}",
                                   expected=f"每个{what}只出现一次", found=k[0] if len(k) == 1 else " / ".join(map(str, k)),
                                   fix=f"与第 {keys[k]} 行重复，删除或改正其中一行")
                    else:
                        keys[k] = r
        return t

    def cell(self, sheet: str, ref: str, c: Column, v, unit: str | None):
        """Check one cell against its column (:func:`costing.intake.check_value`); the parsed value, None when bad."""
        try:
            return check_value(c, v, unit)
        except Bad as e:
            self.error(sheet, ref, e.problem, expected=e.expected, found=_show(v), fix=e.fix)
            return None


def exit_code(problems: list[Problem]) -> int:
    """0 clean, 1 warnings only, 2 errors."""
    if any(p.severity == ERROR for p in problems):
        return EXIT_ERRORS
    return EXIT_WARNINGS if problems else EXIT_CLEAN


def check_workbook(path) -> tuple[list[Problem], dict | None]:
    """All problems of a workbook, and its project settings (None when the kind is unknown).

    The rules are the loaders' own (:mod:`costing.intake` for cells,
    :func:`costing.schema.cross_problems` and the kind's rules for what spans
    tables), so a workbook this passes (errors = 0) is one the commands
    compute, and one it fails they refuse with the same problems.

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
    if path.suffix.lower() == ".xlsm":
        ck.warn(None, None, "含宏的 .xlsm 工作簿（宏不会运行）", expected=".xlsx 工作簿", found=".xlsm",
                fix="宏不会运行，请另存为 .xlsx（Excel 工作簿）", column=None)
    if INFO_SHEET not in sheets:
        ck.error(INFO_SHEET, None, "缺少工作表", expected=f"名为“{INFO_SHEET}”的工作表", found="、".join(sheets),
                 fix="用 costing new 生成工作簿后填写，勿改表名")
        return ck.problems, None
    info = sheets[INFO_SHEET]
    kind, kind_row = None, None
    for r, values in info.rows:
        if len(values) > 2 and isinstance(values[1], str) and values[1].strip() == "项目类型":
            kind, kind_row = (str(values[2]).strip() if values[2] is not None else ""), r
    from .kinds import kind_code

    kind = kind_code(kind) if kind is not None else None
    mod = module_for(kind)
    if mod is None:
        from .layout import KIND_LABELS

        ck.error(INFO_SHEET, f"C{kind_row}" if kind_row else None, "项目类型未知",
                 expected="、".join(KIND_LABELS.values()), found=_show(kind), fix="从下拉列表选择项目类型")
        return ck.problems, None
    mapping = _info_mapping(ck, info, kind)
    mod.check(ck, sheets, mapping, path)
    if not ck.has_errors and hasattr(mod, "check_clean"):
        mod.check_clean(ck, sheets, mapping, path)  # the loader's own rules, on data that passed every cell check
    if ck.has_errors:
        _formulas_never_calculated(ck, path)
    return ck.problems, mapping


def _formulas_never_calculated(ck: Checker, path: Path) -> None:
    """An "empty" cell that holds a formula Excel never calculated (a file written by a program): say so."""
    empty = [p for p in ck.problems if p.problem == "必填单元格为空" and p.sheet and p.cell]
    if not empty or path.suffix.lower() not in (".xlsx", ".xlsm"):
        return
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception:  # noqa: BLE001  (the data-only read worked; leave the message as it is)
        return
    try:
        for p in empty:
            if p.sheet in wb.sheetnames:
                v = wb[p.sheet][p.cell].value
                if isinstance(v, str) and v.startswith("="):
                    p.problem, p.found = "公式没有计算结果", v
                    p.fix = "请在 Excel/WPS 中打开并保存一次（让公式算出数值），或直接填数值"
    finally:
        wb.close()


def located(p: Problem, sheets: dict[str, Sheet], ck: Checker | None = None) -> Problem:
    """A loader's problem placed on the workbook: a table cell (sheet!F7), or the 项目信息 cell of a setting."""
    if p.sheet and p.sheet in sheets:
        sh = sheets[p.sheet]
        if p.row and p.column:
            j = next((j for j, h in enumerate(sh.header) if h is not None and str(h) == str(p.column)), None)
            if j is not None:
                p.cell, p.column = f"{letter(j)}{p.row}", None
        elif p.row and not p.column:
            p.cell = f"A{p.row}"
        p.file, p.row = None, None
    elif p.column and p.sheet is None and ck is not None:  # a setting: its 值 cell on 项目信息
        key = p.column
        cell = ck.info_cells.get(key)
        while cell is None and "." in key:
            key = key.rsplit(".", 1)[0]
            cell = ck.info_cells.get(key)
        if cell is None and p.column == "project.price_year":
            cell = ck.info_cells.get("project.budget_year")
        p.sheet, p.cell, p.column, p.file = INFO_SHEET, cell, None, None
    return p


def _from_error(e: InputError, sheets: dict[str, Sheet], ck: Checker | None = None) -> Problem:
    """A loader's InputError as a problem, with its cell when the sheet, row and column are known."""
    rec = getattr(e, "record", None)
    if rec is not None:
        return located(copy.copy(rec), sheets, ck)
    loc = e.location
    p = Problem(ERROR, loc.sheet, None, e.problem, _show(e.expected) if e.expected is not None else "",
                _show(e.found) if e.found is not None else "", e.fix or "按提示改正该单元格",
                column=loc.column, file=None if loc.sheet else (str(loc.file) if loc.file else None), row=loc.row)
    return located(p, sheets, ck)


def read_mapping(path) -> dict:
    """A workbook's project settings, as a project file would hold them, after checking every cell.

    The loaders (:func:`costing.load_project`, :func:`costing.cba.load_cba_project`,
    :func:`costing.performance.load_portfolio`) call this for ``.xlsx`` files, so
    every command on a workbook starts with the full check (the same rules,
    the same problems as ``costing check``).

    Raises
    ------
    WorkbookError
        Listing every error (sheet, cell, expected, found, fix).
    """
    path = Path(path).resolve()
    problems, mapping = check_workbook(path)
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
        if not _filled(values):
            continue
        cat, name, value, unit, _, code = (tuple(values) + (None,) * 6)[:6]
        cat = str(cat).strip() if cat is not None else ""
        name = "" if name is None else str(name).strip()
        label = name  # what the unit reads (Chinese); the code is what formulas and settings use
        code = "" if code is None else str(code).strip()
        if cat in (I.PARAM, I.MONEY):
            name = code or I.code_of(name)
        elif cat in (I.RULE, I.OTHER) and code:
            name = code
        if isinstance(value, str):
            value = value.strip()
        key = {I.PARAM: f"parameters.{name}", I.MONEY: f"money.{name}", I.RULE: f"standard.{name}",
               I.OTHER: name}.get(cat)
        if cat == I.FIXED and name in fixed:
            key = fixed[name].key
        if key:
            ck.info_cells[key] = f"C{r}"
        if not name:
            ck.error(INFO_SHEET, f"B{r}", "名称为空", expected="参数或设置的名称", found="（空）", fix="填写名称或删除该行")
            continue
        if (cat, name) in seen:
            ck.error(INFO_SHEET, f"B{r}", "名称重复", expected="每项只出现一次", found=label, fix="删除重复的行")
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
                    value = check_value(Column(f.key, f.kind), value)
                except Bad as e:
                    ck.error(INFO_SHEET, f"C{r}", f"{f.label}：{e.problem}", expected=e.expected, found=_show(value),
                             fix=e.fix)
                    continue
            else:
                value = str(value).strip()
                if f.choices:  # a dropdown shows the Chinese label; the setting holds the code
                    value = I.choice_code(f.choices, value)
            I._set(out, f.key, value)
        elif cat == I.PARAM:
            if I.numeric_parameters(kind) or not isinstance(value, str):
                try:
                    x = parse_number(value)
                except (ValueError, TypeError):
                    x = None
                if x is None:
                    try:
                        parse_number(value)
                        fix = "填写数字"
                    except Bad as e:
                        fix = e.fix
                    ck.error(INFO_SHEET, f"C{r}", f"参数“{label}”不是数字", expected="数字（金额放在“金额”类别并注明单位）",
                             found=_show(value), fix=fix)
                    ck.bad_names.add(name)
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
                ck.error(INFO_SHEET, f"C{r}", f"金额“{label}”不是数字", expected="数字", found=_show(value), fix="填写金额")
                ck.bad_names.add(f"money.{name}")
                continue
            u = "" if unit is None else str(unit).strip()
            if u not in MONEY_UNITS:
                ck.error(INFO_SHEET, f"D{r}", f"金额“{label}”的单位未知", expected="元、万元 或 亿元", found=_show(unit),
                         fix="从下拉列表选择单位")
                ck.bad_names.add(f"money.{name}")
                continue
            I._set(out, f"money.{name}", {"amount": value if isinstance(value, (int, float)) else x, "unit": u})
        elif cat == I.RULE:
            from ..schema import RULE_CHOICES

            I._set(out, f"standard.{name}", I.value_code(value, RULE_CHOICES))
        elif cat == I.OTHER:
            I._set(out, name, I.plain_value(value))
        else:
            ck.error(INFO_SHEET, f"A{r}", "类别未知", expected="、".join(I.CATEGORIES), found=_show(cat),
                     fix="从下拉列表选择类别")
    return out
