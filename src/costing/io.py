"""Readers: CSV (UTF-8 or GBK) and XLSX tables, validated once at the boundary.

:func:`read_table` renames headers onto the glossary (:mod:`costing.glossary`),
converts every money column to 元 using the unit its header declares
(``票款收入（万元）``, ``fare_revenue [元]``), checks types, signs, empty cells and
duplicate keys, and raises :class:`costing.errors.InputError` naming the file,
sheet, row and column on the first problem. Row numbers are the ones a
spreadsheet program shows: the header is row 1, the first data row is row 2
(a CSV may start with ``#`` comment lines; they count as rows).

One policy for every table (:func:`parse_number` parses each numeric cell):
thousands separators, full-width digits and percent signs are accepted;
``nan``, ``inf``, Excel error values (``#N/A``, ``#DIV/0!``) and a lone dash
are bad input; an empty cell is bad input unless the column is optional
(``allow_empty``), where it means "not given" (NaN, or the column's default).

Inputs are opened read-only and never modified.
"""
from __future__ import annotations

import hashlib
import io as _io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from . import glossary
from .errors import InputError
from .intake import EXCEL_ERRORS, Bad, Column, check_value, chinese_name
from .intake import parse_number as _parse_cell
from .units import MONEY_UNITS, money_factor

@dataclass
class TableMeta:
    """What :func:`read_table` learned about a table besides its data."""

    path: Path
    sheet: str | None
    encoding: str | None
    headers: dict[str, str] = field(default_factory=dict)  # identifier -> original header
    units: dict[str, str] = field(default_factory=dict)  # identifier -> declared unit
    header_row: int = 1  # the file's line of the header (after leading ``#`` comment lines)

    def where(self, column: str | None = None, row: int | None = None) -> dict:
        """Keyword arguments for :class:`InputError` pointing into this table.

        ``row`` counts from the header as row 1; it is shifted past any comment lines.
        """
        if row is not None:
            row += self.header_row - 1
        return dict(file=str(self.path), sheet=self.sheet, row=row,
                    column=self.headers.get(column, column) if column else None)


def sha256_file(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_text_file(path: str | Path, *, what: str = "project file", expected: str = "a .toml file") -> str:
    """The text of a settings file (project, portfolio): UTF-8, with or without BOM.

    Raises
    ------
    InputError
        Naming the file when it is missing, a folder, binary or not UTF-8.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{what} does not exist", file=str(path), expected=expected)
    if not path.is_file():
        raise InputError(f"{what} is a folder, not a file", file=str(path), expected=expected, found="a folder")
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise InputError(f"{what} is a binary file", file=str(path), expected=f"{expected} (UTF-8 text)",
                         found="binary data")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"{what} is not UTF-8 text (byte {e.start})", file=str(path),
                         expected=f"{expected} saved as UTF-8", found="bytes in another encoding") from None


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc), ("utf-8" if enc == "utf-8-sig" else "gbk")
        except UnicodeDecodeError:
            continue
    raise InputError("文件编码无法识别", file=str(path),
                     expected="UTF-8 或 GBK 编码的文本", found="其他编码", fix="另存为“CSV UTF-8（逗号分隔）”")


def _leading_comments(text: str) -> int:
    """Number of lines before the header that are empty or start with ``#``."""
    n = 0
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            break
        n += 1
    return n


def sniff_workbook(path: Path) -> None:
    """InputError (Chinese) when a file named .xlsx is not a workbook openpyxl can read, saying what it is.

    An encrypted workbook, an .xls or .ods, a CSV, a Word document or a PDF renamed,
    and an empty file each get their own message and what to do.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    w = dict(file=str(path))
    save = "在 Excel 或 WPS 中打开，另存为“Excel 工作簿 (*.xlsx)”"
    if path.stat().st_size == 0:
        raise InputError("空文件（0 字节）", **w, expected="用 costing new 生成并填写的 .xlsx 工作簿", found="空文件",
                         fix="重新保存或重新发送该文件")
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE2 container: encrypted OOXML, or a legacy .xls
        raw = path.read_bytes()
        if "EncryptedPackage".encode("utf-16-le") in raw:
            raise InputError("文件已加密", **w, expected="未加密的 .xlsx 工作簿", found="设有打开密码的工作簿",
                             fix="请去掉密码后另存为 .xlsx（文件 → 信息 → 保护工作簿 → 用密码加密，清空密码）")
        raise InputError("这是 Excel 97–2003 (.xls) 文件", **w, expected=".xlsx 工作簿", found=".xls 格式",
                         fix=save + "，或运行 libreoffice --headless --convert-to xlsx 文件名")
    if head.startswith(b"PK"):
        import zipfile

        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
                mime = z.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
        except (zipfile.BadZipFile, OSError):
            raise InputError("文件已损坏（压缩包不完整）", **w, expected=".xlsx 工作簿", found="损坏的文件",
                             fix="重新保存或重新发送该文件") from None
        if "opendocument.spreadsheet" in mime or suffix == ".ods":
            raise InputError("这是 .ods 文件（OpenDocument 表格）", **w, expected=".xlsx 工作簿", found=".ods 格式",
                             fix="在 WPS 或 LibreOffice 中打开，另存为“Excel 工作簿 (*.xlsx)”")
        if "word/document.xml" in names:
            raise InputError("这是 .docx 文件（Word 文档），不是工作簿", **w, expected=".xlsx 工作簿", found="Word 文档",
                             fix="发送用 costing new 生成并填写的 .xlsx 工作簿")
        if "xl/workbook.xml" not in names:
            raise InputError("不是 Excel 工作簿", **w, expected=".xlsx 工作簿", found="其他压缩文件", fix=save)
        return
    if head.startswith(b"%PDF"):
        raise InputError("这是 PDF 文件，不是工作簿", **w, expected=".xlsx 工作簿", found="PDF 文件",
                         fix="发送 .xlsx 工作簿本身，而不是打印稿")
    raw = path.read_bytes()[:4096]
    text = None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is not None and "\x00" not in text:
        what = "这是 CSV 文本文件，不是工作簿" if ("," in text or "，" in text or "\t" in text) else "这是文本文件，不是工作簿"
        raise InputError(what, **w, expected=".xlsx 工作簿", found="文本", fix=save)
    raise InputError("不是 Excel 工作簿", **w, expected=".xlsx 工作簿", found="无法识别的文件", fix=save)


def _open_book(path: Path):
    from openpyxl import load_workbook

    try:  # cached values, not formulas; error cells come back as their text ('#N/A')
        return load_workbook(path, read_only=True, data_only=True)
    except Exception:  # zip or xml errors: say what the file is
        sniff_workbook(path)
        raise InputError("工作簿无法读取（文件可能已损坏）", file=str(path), expected=".xlsx 工作簿",
                         found="无法读取的工作簿", fix="在 Excel 或 WPS 中打开后重新另存为 .xlsx") from None


def xlsx_rows(path: str | Path) -> dict[str, list[tuple]]:
    """Every sheet's cells (values as Excel shows them), row by row, read once per workbook version.

    A workbook project reads many tables from one file, and ``costing check``
    reads it first: the parse is cached on the file's path, size and
    modification time. Callers must not modify the returned rows.
    """
    path = Path(path).resolve()
    st = path.stat()
    return _xlsx_rows(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=4)
def _xlsx_rows(path: str, mtime_ns: int, size: int) -> dict[str, list[tuple]]:
    book = _open_book(Path(path))
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    finally:
        book.close()


def _read_xlsx(path: Path, sheet: str | None) -> tuple[pd.DataFrame, str]:
    """Cells as openpyxl gives them (pandas would turn ``#N/A`` cells into empty ones).

    Blank rows at the end are dropped; a blank row inside the table is kept, so
    row numbers stay the ones the spreadsheet shows.
    """
    sheets = xlsx_rows(path)
    name = sheet if sheet is not None else next(iter(sheets))
    if name not in sheets:
        raise InputError("缺少工作表", file=str(path), sheet=name,
                         expected="、".join(sheets), found=name, fix=f"把工作表改名为“{name}”，或在项目文件中改正表名")
    rows = [list(r) for r in sheets[name]]
    while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise InputError("工作表是空的", file=str(path), sheet=name, expected="第 1 行为列名，其下为数据",
                         found="（空）", fix="填写数据，或从模板复制该表")
    header = [f"Unnamed: {j}" if h is None else h for j, h in enumerate(rows[0])]
    body = [(r + [None] * len(header))[:len(header)] for r in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype=object), name


def _read_raw(path: Path, sheet: str | None) -> tuple[pd.DataFrame, str | None, str | None, int]:
    """Read every cell as an object (strings for CSV, native values for XLSX); also the header's row."""
    if not path.exists():
        raise InputError("文件不存在", file=str(path), expected="已有的 .csv 或 .xlsx 文件", fix="检查文件名和路径")
    if not path.is_file():
        raise InputError("这是文件夹，不是文件", file=str(path), expected=".csv 或 .xlsx 文件", found="文件夹")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text, enc = _decode(path.read_bytes(), path)
        skip = _leading_comments(text)
        try:
            # blank lines are kept as rows (row numbers stay the file's), trailing ones dropped below
            df = pd.read_csv(_io.StringIO(text), dtype=str, keep_default_na=False,
                             skip_blank_lines=False, skiprows=skip)
        except pd.errors.EmptyDataError:
            raise InputError("空文件", file=str(path), expected="第 1 行为列名，其下为数据", found="（空）",
                             fix="填写数据后另存为 CSV（UTF-8）")
        except pd.errors.ParserError as e:
            m = re.search(r"line (\d+)", str(e))
            raise InputError("CSV 表格的某行列数与列名不一致", file=str(path),
                             row=int(m.group(1)) + skip if m else None, expected="每行与列名的列数相同",
                             found="多出的逗号或列", fix="删去多余的逗号；含逗号的文字用英文双引号括起")
        filled = df.fillna("").astype(str).apply(lambda col: col.str.strip() != "").any(axis=1).to_numpy()
        last = int(filled.nonzero()[0].max()) + 1 if filled.any() else 0
        return df.iloc[:last], enc, None, skip + 1
    if suffix in (".xlsx", ".xlsm"):
        df, name = _read_xlsx(path, sheet)
        return df, None, name, 1
    raise InputError("文件类型不支持", file=str(path),
                     expected=".csv（UTF-8 或 GBK）或 .xlsx", found=path.suffix or "（无扩展名）",
                     fix="另存为 .xlsx 或 CSV（UTF-8）")


def parse_number(value, *, where: dict | None = None, expected: str = "a number") -> float | None:
    """Parse one numeric cell under the readers' policy (every table, every reader).

    Accepted: numbers; text with thousands separators (``1,846``, ``1，846``,
    ``1 846``), full-width digits and signs (``１２３．５``, ``－3``), a
    trailing percent sign (``12.5%`` -> 0.125) and exponents (``1e6``).

    Empty (``None``, an empty workbook cell, ``""`` or only spaces) returns
    ``None``: whether empty is allowed, and what it means, is the caller's
    decision (see the README's reader policy).

    Everything else is bad input, raised as :class:`InputError` at ``where``
    (keywords ``file``, ``sheet``, ``row``, ``column``): non-numeric text;
    ``nan``, ``NaN``, ``inf``, ``-inf`` and any value that overflows a float;
    Excel's error values (``#N/A``, ``#DIV/0!`` ...); a lone dash (``-``,
    ``—``), which could mean zero or nothing; ``TRUE``/``FALSE``.

    Returns
    -------
    float or None
        The finite value, or None for an empty cell. Money units are not
        applied here (the column header declares them).
    """
    try:
        return _parse_cell(value)
    except Bad as e:
        raise InputError(e.problem, **(where or {}), expected=expected if expected != "a number" else "数字",
                         found=value, fix=e.fix) from None


def read_table(path: str | Path, columns: Sequence[Column], *, sheet: str | None = None,
               key: Sequence[str] | None = None, keep_extra: bool = True,
               label: str | None = None) -> tuple[pd.DataFrame, TableMeta]:
    """Read and validate one table.

    Parameters
    ----------
    path : path-like
        ``.csv`` (UTF-8, with or without BOM, or GBK) or ``.xlsx``.
    columns : sequence of Column
        The columns this table must or may have.
    sheet : str, optional
        Worksheet of an ``.xlsx`` file (default: the first).
    key : sequence of str, optional
        Columns whose combination must be unique (a duplicated year is an error).
    keep_extra : bool
        Keep columns not in ``columns`` (renamed to their glossary identifier
        when known, else kept as written). Numeric-looking extra columns are
        converted to numbers.
    label : str, optional
        The table's role (``peers``), used in messages.

    Returns
    -------
    (DataFrame, TableMeta)
        Money columns are in 元. The frame's index is 0..n-1; ``meta.where``
        turns a column and index into an error location (row = index + 2).
    """
    path = Path(path)
    raw, enc, sheet_name, header_row = _read_raw(path, sheet)
    meta = TableMeta(path=path, sheet=sheet_name, encoding=enc, header_row=header_row)
    spec = {c.name: c for c in columns}
    extra_lookup = {glossary._norm(a): c.name for c in columns for a in c.aliases}

    rename: dict[str, str] = {}
    for h in raw.columns:
        name, unit = glossary.split_header(h)
        ident = glossary.identifier(name, extra_lookup) or (name if name in spec else None)
        if ident is None:
            ident = name
        if ident in rename.values():
            raise InputError("列名重复", file=str(path), sheet=sheet_name, row=1,
                             column=str(h), expected="每列只出现一次", found=str(h), fix="删除或改名重复的列")
        rename[h] = ident
        meta.headers[ident] = str(h)
        if unit:
            meta.units[ident] = unit
    df = raw.rename(columns=rename)
    df = df.reset_index(drop=True)

    missing = [c.name for c in columns if c.required and c.name not in df.columns]
    if missing:
        c0 = spec[missing[0]]
        accepted = [chinese_name(c0), *(a for a in (*glossary.ALIASES.get(c0.name, ()), *c0.aliases, c0.name)
                                        if a != chinese_name(c0))]
        hint = f"，并注明单位，如“{accepted[0]}（万元）”" if c0.kind == "money" else ""
        more = "、".join(f"“{chinese_name(spec[m])}”" for m in missing[1:])
        raise InputError(
            f"缺少列“{chinese_name(c0)}”" + (f"（还缺 {more}）" if more else ""),
            file=str(path), sheet=sheet_name, row=1, column=chinese_name(c0),
            expected=f"列名为 {'、'.join(accepted)} 之一{hint}（代码 {c0.name}）",
            found="表头：" + "、".join(map(str, raw.columns)), fix="在表头增加该列（可从模板复制列名）")
    unnamed = [h for h in raw.columns if str(h).startswith("Unnamed: ")]
    for h in unnamed:  # data under no header: refuse rather than silently drop or guess
        col = raw[h]
        filled = [i for i, v in col.items() if not (v is None or (isinstance(v, float) and np.isnan(v))
                                                     or (isinstance(v, str) and not v.strip()))]
        if filled:
            j = list(raw.columns).index(h)
            raise InputError(f"第 {column_letter(j)} 列有数据但没有列名", file=str(path), sheet=sheet_name,
                             row=filled[0] + 2 + header_row - 1, column=column_letter(j), expected="每列数据都有列名",
                             found=col[filled[0]], fix="在第 1 行填写列名，或删除该列数据")

    blank = df.apply(lambda col: col.map(lambda v: v is None or (isinstance(v, float) and np.isnan(v))
                                         or (isinstance(v, str) and not v.strip()))).all(axis=1)
    if blank.any():  # a blank row inside the table (trailing ones are dropped): the same rule as costing check
        i = int(np.flatnonzero(blank.to_numpy())[0])
        r = meta.where(None, i + 2)["row"]
        raise InputError("空行", **meta.where(None, i + 2), expected="表格中间没有空行", found=f"第 {r} 行为空",
                         fix=f"删除第 {r} 行")
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        c = spec.get(col)
        if c is None:
            if not keep_extra:
                continue
            c = Column(col, kind="auto", required=False, allow_empty=True)
        out[col] = _convert(df[col], c, meta)
    for c in columns:
        if c.name not in out.columns and not c.required:
            out[c.name] = c.default if c.default is not None else (np.nan if c.kind in ("number", "money", "int", "year") else "")

    if key:
        dup = out.duplicated(subset=list(key), keep="first")
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            vals = tuple(out.loc[i, k] for k in key)
            what = "、".join(chinese_name(spec[k]) if k in spec else k for k in key)
            first = int(np.flatnonzero((out[list(key)] == out.loc[i, list(key)]).all(axis=1).to_numpy())[0])
            raise InputError(
                f"重复的{what}", **meta.where(key[-1], i + 2),
                expected=f"每个{what}只出现一次", found=vals[0] if len(vals) == 1 else " / ".join(map(str, vals)),
                fix=f"与第 {meta.where(None, first + 2)['row']} 行重复，删除或改正其中一行")
    return out, meta


def column_letter(j: int) -> str:
    """Column letter of a 0-based column index (A, B, ..., AA)."""
    s = ""
    j += 1
    while j:
        j, rem = divmod(j - 1, 26)
        s = chr(65 + rem) + s
    return s


def _convert(s: pd.Series, c: Column, meta: TableMeta) -> pd.Series:
    """One column through the one rule set (:func:`costing.intake.check_value`); InputError on the first bad cell."""
    kind = c.kind
    header = c.name
    unit = meta.units.get(header)
    if kind == "money":
        if unit is None:
            raise InputError("金额列没有注明单位", **meta.where(header, 1),
                             expected="列名注明 元、万元 或 亿元，如“金额（万元）”",
                             found=meta.headers.get(header, header), fix="在列名后加上（万元）或（元）")
        factor = money_factor(unit, where=meta.where(header, 1))
    if kind == "auto":  # an extra column: numbers if every filled cell is one, else text
        try:
            vals = [_parse_cell(v) for v in s]
        except Bad:
            return s.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip())
        if any(v is not None for v in vals):
            return pd.Series([np.nan if v is None else v for v in vals], index=s.index, dtype=float)
        return pd.Series([""] * len(s), index=s.index, dtype=object)
    values = []
    for i, v in s.items():
        try:
            values.append(check_value(c, v, unit))
        except Bad as e:
            raise InputError(e.problem, **meta.where(header, i + 2), expected=e.expected,
                             found="" if v is None else v, fix=e.fix) from None
    if kind in ("text", "date"):
        return pd.Series(["" if v is None else v for v in values], index=s.index, dtype=object)
    if kind == "expr":
        return pd.Series(["" if v is None else v for v in values], index=s.index, dtype=object)
    arr = np.array([np.nan if v is None else v for v in values], dtype=float)
    if kind == "money":
        arr = arr * factor
        over = np.isinf(arr)
        if over.any():
            i = s.index[int(np.flatnonzero(over)[0])]
            raise InputError("数字太大", **meta.where(header, i + 2), expected="数字", found=s[i], fix="核对位数")
    if kind in ("int", "year") and not np.isnan(arr).any():
        return pd.Series(arr.astype(np.int64), index=s.index)
    return pd.Series(arr, index=s.index)


def parse_money(value, *, where: dict | None = None) -> float:
    """A money value from a project file: ``{amount = 1200, unit = "万元"}`` or ``"1200 万元"`` -> 元."""
    w = where or {}
    if isinstance(value, dict) and "amount" in value and "unit" in value:
        amt, unit = value["amount"], value["unit"]
    elif isinstance(value, str):
        m = re.match(r"^\s*([-+0-9.,\s]+?)\s*(\S+)\s*$", value)
        if not m:
            raise InputError("不是金额", **w, expected="“1200 万元”或 {amount = 1200, unit = \"万元\"}", found=value,
                             fix="写成数字加单位（元、万元 或 亿元）")
        amt, unit = m.group(1), m.group(2)
    else:
        raise InputError("金额没有注明单位", **w,
                         expected="{amount = 数值, unit = \"万元\"}（单位为 元、万元 或 亿元）", found=value,
                         fix="写成 {amount = 1200, unit = \"万元\"}")
    if isinstance(amt, float) and math.isnan(amt):
        raise InputError("不是有限的数", **w, expected="数字", found=value, fix="填写金额")
    x = parse_number(amt, where=w)
    if x is None:
        raise InputError("金额为空", **w, expected="数字", found=amt, fix="填写金额")
    y = x * money_factor(unit, where=w)
    if not math.isfinite(y):
        raise InputError("数字太大", **w, expected="数字", found=value, fix="核对位数")
    return y


__all__ = ["Column", "TableMeta", "read_table", "parse_number", "parse_money", "read_text_file", "sha256_file", "MONEY_UNITS"]
