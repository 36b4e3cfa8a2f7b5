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
from .units import MONEY_UNITS, money_factor

@dataclass(frozen=True)
class Column:
    """One expected column of a table.

    Parameters
    ----------
    name : str
        Glossary identifier (``fare_revenue``).
    kind : {"number", "money", "int", "year", "text", "expr", "date"}
        ``money`` columns must declare 元, 万元 or 亿元 in their header and are
        converted to 元. ``expr`` is a number or a formula (kept as text).
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
        For text columns, the allowed values.
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
    raise InputError("cannot decode the file", file=str(path),
                     expected="UTF-8 or GBK text", found="bytes in another encoding")


def _leading_comments(text: str) -> int:
    """Number of lines before the header that are empty or start with ``#``."""
    n = 0
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            break
        n += 1
    return n


def _open_book(path: Path):
    from openpyxl import load_workbook

    try:  # cached values, not formulas; error cells come back as their text ('#N/A')
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # zip or xml errors from a corrupt workbook
        raise InputError(f"not a readable .xlsx workbook ({e})", file=str(path)) from None


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
        raise InputError("sheet not found", file=str(path), sheet=name,
                         expected=f"one of {list(sheets)}", found=name)
    rows = [list(r) for r in sheets[name]]
    while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise InputError("the sheet is empty", file=str(path), sheet=name, expected="a header row and data rows")
    header = [f"Unnamed: {j}" if h is None else h for j, h in enumerate(rows[0])]
    body = [(r + [None] * len(header))[:len(header)] for r in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype=object), name


def _read_raw(path: Path, sheet: str | None) -> tuple[pd.DataFrame, str | None, str | None, int]:
    """Read every cell as an object (strings for CSV, native values for XLSX); also the header's row."""
    if not path.exists():
        raise InputError("file does not exist", file=str(path), expected="an existing .csv or .xlsx file")
    if not path.is_file():
        raise InputError("not a file", file=str(path), expected="a .csv or .xlsx file", found="a folder")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text, enc = _decode(path.read_bytes(), path)
        skip = _leading_comments(text)
        try:
            # blank lines are kept as rows (row numbers stay the file's), trailing ones dropped below
            df = pd.read_csv(_io.StringIO(text), dtype=str, keep_default_na=False,
                             skip_blank_lines=False, skiprows=skip)
        except pd.errors.EmptyDataError:
            raise InputError("the file is empty", file=str(path), expected="a header row and data rows")
        except pd.errors.ParserError as e:
            raise InputError(f"not a valid CSV table ({e})", file=str(path))
        filled = df.fillna("").astype(str).apply(lambda col: col.str.strip() != "").any(axis=1).to_numpy()
        last = int(filled.nonzero()[0].max()) + 1 if filled.any() else 0
        return df.iloc[:last], enc, None, skip + 1
    if suffix in (".xlsx", ".xlsm"):
        df, name = _read_xlsx(path, sheet)
        return df, None, name, 1
    raise InputError("unsupported file type", file=str(path),
                     expected=".csv (UTF-8 or GBK) or .xlsx", found=path.suffix)


#: Excel's error values; in a numeric cell they are bad input, never a number or an empty cell.
EXCEL_ERRORS = frozenset({"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!",
                          "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!"})
_DASHES = frozenset("-‐‑‒–—―－−")
_SEPARATORS = re.compile(r"[,，\s]")  # thousands separators and spaces (full-width too)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


class _NotANumber(ValueError):
    """A cell that is not a number. ``looks_numeric`` is True for values that stand
    where a number should (``nan``, ``inf``, ``#N/A``, a dash, an overflow), so even a
    formula column rejects them; plain text (``vehicles * 2``) may be a formula."""

    def __init__(self, problem: str, looks_numeric: bool):
        super().__init__(problem)
        self.looks_numeric = looks_numeric


def _parse_cell(v) -> float | None:
    if v is None:
        return None
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)):
        x = float(v)
        if math.isnan(x):  # an empty cell of a workbook
            return None
        if math.isinf(x):
            raise _NotANumber("not a finite number", True)
        return x
    if isinstance(v, (bool, np.bool_)):
        raise _NotANumber("a TRUE/FALSE value is not a number", True)
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
        raise _NotANumber("an Excel error value is not a number", True)
    if all(ch in _DASHES for ch in s):
        raise _NotANumber("a dash is not a number (write 0, or leave the cell empty where that is allowed)", True)
    s = s.replace("−", "-")
    percent = s.endswith("%")
    body = s[:-1] if percent else s
    if not _NUMBER.fullmatch(body):
        low = body.lstrip("+-").lower()
        if low in ("nan", "inf", "infinity", "na", "n/a", "null", "none"):
            raise _NotANumber("not a finite number", True)
        raise _NotANumber("non-numeric cell", False)
    x = float(body)
    if math.isinf(x):
        raise _NotANumber("number too large", True)
    return x / 100.0 if percent else x


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
    except _NotANumber as e:
        raise InputError(str(e), **(where or {}), expected=expected, found=value) from None


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
            raise InputError("duplicated column", file=str(path), sheet=sheet_name, row=1,
                             column=str(h), expected="each column once", found=str(h))
        rename[h] = ident
        meta.headers[ident] = str(h)
        if unit:
            meta.units[ident] = unit
    df = raw.rename(columns=rename)
    df = df.reset_index(drop=True)

    missing = [c.name for c in columns if c.required and c.name not in df.columns]
    if missing:
        c0 = spec[missing[0]]
        accepted = [c0.name, *glossary.ALIASES.get(c0.name, ()), *c0.aliases]
        hint = f" with its unit, e.g. '{accepted[0]} [万元]'" if c0.kind == "money" else ""
        raise InputError(
            f"missing column {missing[0]!r}" + (f" (and {missing[1:]})" if len(missing) > 1 else ""),
            file=str(path), sheet=sheet_name, row=1, column=missing[0],
            expected=f"a header named one of {accepted}{hint}",
            found=f"headers {list(map(str, raw.columns))}")

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
            raise InputError(
                f"duplicated {'/'.join(key)}", **meta.where(key[0], i + 2),
                expected=f"each {'/'.join(key)} once", found=vals[0] if len(vals) == 1 else vals)
    return out, meta


def _convert(s: pd.Series, c: Column, meta: TableMeta) -> pd.Series:
    kind = c.kind
    header = c.name
    if kind == "money":
        unit = meta.units.get(header)
        if unit is None:
            raise InputError("money column does not declare its unit", **meta.where(header, 1),
                             expected="a header such as '金额（万元）' or 'amount [元]' (元, 万元 or 亿元)",
                             found=meta.headers.get(header, header))
        factor = money_factor(unit, where=meta.where(header, 1))
    if kind in ("text", "expr", "date", "auto"):
        texts = s.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip())
    if kind == "auto":  # an extra column: numbers if every filled cell is one, else text
        try:
            vals = [_parse_cell(v) for v in s]
        except _NotANumber:
            return texts
        if any(v is not None for v in vals):
            return pd.Series([np.nan if v is None else v for v in vals], index=s.index, dtype=float)
        return texts
    if kind in ("text", "expr", "date"):
        for i, v in texts.items():
            if v == "" and not c.allow_empty:
                raise InputError("empty required cell", **meta.where(header, i + 2),
                                 expected="a value", found="")
            if c.choices and v and v not in c.choices:
                raise InputError("value not allowed", **meta.where(header, i + 2),
                                 expected=f"one of {list(c.choices)}", found=v)
        if kind == "expr":
            return pd.Series([_num_or_formula(v, meta.where(header, i + 2)) for i, v in texts.items()],
                             index=s.index, dtype=object)
        return texts
    expected = "a number" + (" in " + meta.units[header] if header in meta.units else "")
    values = np.empty(len(s), dtype=float)
    for j, (i, v) in enumerate(s.items()):
        try:
            x = _parse_cell(v)
        except _NotANumber as e:
            raise InputError(str(e), **meta.where(header, i + 2), expected=expected, found=v) from None
        if x is None:
            if not c.allow_empty:
                raise InputError("empty required cell", **meta.where(header, i + 2),
                                 expected=expected, found="")
            values[j] = np.nan
            continue
        if kind in ("int", "year") and x != int(x):
            raise InputError("not a whole number", **meta.where(header, i + 2),
                             expected="a whole number", found=v)
        if c.positive and not x > 0:
            raise InputError("value must be positive", **meta.where(header, i + 2),
                             expected="a number > 0", found=v)
        if c.min_value is not None and x < c.min_value:
            what = "negative quantity" if c.min_value == 0 else "value too small"
            raise InputError(what, **meta.where(header, i + 2),
                             expected=f"a number >= {c.min_value:g}", found=v)
        values[j] = x
    if kind == "money":
        values = values * factor
        over = np.isinf(values)
        if over.any():
            i = s.index[int(np.flatnonzero(over)[0])]
            raise InputError("number too large", **meta.where(header, i + 2), expected=expected, found=s[i])
    if kind in ("int", "year") and not np.isnan(values).any():
        return pd.Series(values.astype(np.int64), index=s.index)
    return pd.Series(values, index=s.index)


def _num_or_formula(v: str, where: dict):
    """A cell of an ``expr`` column: a number, or the text of a formula (checked when evaluated)."""
    try:
        x = _parse_cell(v)
    except _NotANumber as e:
        if e.looks_numeric:  # nan, inf, #N/A, a dash: never a formula
            raise InputError(str(e), **where, expected="a number or a formula", found=v) from None
        return v
    return v if x is None else x


def parse_money(value, *, where: dict | None = None) -> float:
    """A money value from a project file: ``{amount = 1200, unit = "万元"}`` or ``"1200 万元"`` -> 元."""
    w = where or {}
    if isinstance(value, dict) and "amount" in value and "unit" in value:
        amt, unit = value["amount"], value["unit"]
    elif isinstance(value, str):
        m = re.match(r"^\s*([-+0-9.,\s]+?)\s*(\S+)\s*$", value)
        if not m:
            raise InputError("not a money amount", **w, expected="'1200 万元' or {amount = 1200, unit = '万元'}", found=value)
        amt, unit = m.group(1), m.group(2)
    else:
        raise InputError("money amount without its unit", **w,
                         expected="{amount = ..., unit = '元' | '万元' | '亿元'}", found=value)
    x = parse_number(amt, where=w)
    if x is None:
        raise InputError("not a number", **w, expected="a number", found=amt)
    y = x * money_factor(unit, where=w)
    if not math.isfinite(y):
        raise InputError("number too large", **w, expected="a number", found=value)
    return y


__all__ = ["Column", "TableMeta", "read_table", "parse_number", "parse_money", "read_text_file", "sha256_file", "MONEY_UNITS"]
