"""The gate agrees with the calculation: the bus workbook mutated cell by cell.

For every table sheet, every column is mutated in its first data row six ways
(emptied, text, negative, zero, huge, a number with a unit typed in the
cell); every number on 项目信息 is made negative; every table is emptied.
For each mutation, in-process:

- ``costing check`` (:func:`check_workbook`) has errors  ⇔  ``costing standard``
  (:func:`load_project` + :func:`run_method`) refuses with :class:`InputError`;
  it never fails any other way;
- check passes (0 or 1)  ⇔  the standard computes, to finite figures;
- a refusal is Chinese (no English word outside the codes the workbook itself
  holds) and names the cell (``sheet!F7``) or the sheet.

The mutations are applied to the cells as the reader sees them (the cached
parse of :func:`costing.io.xlsx_rows`), so no workbook is rewritten per case.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from costing import io as cio
from costing.errors import InputError
from costing.method import run_method
from costing.project import load_project
from costing.workbook import check as wcheck
from costing.workbook import new_workbook
from costing.workbook.check import ERROR, WorkbookError, check_workbook

ROOT = Path(__file__).resolve().parents[1]
TABLE_SHEETS = ("目标任务", "成本项目", "历年成本", "运营统计", "同行数据", "同行成本", "价格指数", "申报数")
VARIANTS = {"empty": None, "text": "见附件", "negative": -5, "zero": 0, "huge": 1e300, "unit": "8.6万元"}
#: ASCII words a unit may see: tools and file types named in the advice
ALLOWED = {"Excel", "WPS", "LibreOffice", "costing", "check", "annotate", "xlsx", "xlsm", "xls", "ods", "csv",
           "docx", "CSV", "UTF", "GBK", "TRUE", "FALSE", "kWh", "km", "CPI", "quota", "actual_3yr_avg",
           "cost_", "min", "max", "TOML"}
REF = re.compile(r"[\u4e00-\u9fff（）]+!(?:[A-Z]{1,3}\d+)|[\u4e00-\u9fff]+（列“[^”]+”）|项目信息|工作簿")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = new_workbook("bus", tmp_path_factory.mktemp("wb") / "bus.xlsx",
                        source=ROOT / "data" / "projects" / "bus_example.toml")
    rows = cio.xlsx_rows(path)
    words = {w for sheet in rows.values() for r in sheet for v in r if isinstance(v, str)
             for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", v)}
    return path, rows, words


def _verdicts(path: Path, rows: dict, monkeypatch) -> tuple[list, object]:
    """(check's problems, the standard's outcome: a MethodResult or the InputError) on these cells."""
    monkeypatch.setattr(cio, "xlsx_rows", lambda p: rows)
    monkeypatch.setattr(wcheck, "xlsx_rows", lambda p: rows)
    problems, _ = check_workbook(path)
    try:
        outcome = run_method(load_project(path))
    except InputError as e:
        outcome = e
    return problems, outcome


def _english(text: str, words: set[str], typed: str) -> list[str]:
    """ASCII words of a message that are neither codes of the workbook nor the value typed."""
    text = re.sub(r"“[^”]*”", "", text)  # quoted: the unit's own text
    text = re.sub(r"\S+\.xlsx", "", text)  # the file's name or path
    text = re.sub(r"!?\b[A-Z]{1,3}\d+\b", "", text)  # cell references
    bad = []
    for w in re.findall(r"[A-Za-z][A-Za-z0-9_]{2,}", text):
        if w in words or w in ALLOWED or w in typed or w.startswith("cost_"):
            continue
        bad.append(w)
    return bad


def _assert_agree(path, rows, words, monkeypatch, what: str, typed: str = "") -> None:
    problems, outcome = _verdicts(path, rows, monkeypatch)
    errors = [p for p in problems if p.severity == ERROR]
    if errors:
        assert isinstance(outcome, InputError), f"{what}: check found {errors[0].line()} but standard computed"
        assert isinstance(outcome, WorkbookError), f"{what}: refused outside the gate: {outcome}"
        assert [p.ref for p in outcome.problems if p.severity == ERROR] == [p.ref for p in errors], what
        for p in errors:
            assert REF.fullmatch(p.ref), f"{what}: the refusal names no cell: {p.line()}"
            assert not _english(p.line(), words, typed), f"{what}: English {_english(p.line(), words, typed)} in {p.line()}"
            assert p.fix, f"{what}: no advice in {p.line()}"
        assert not _english(str(outcome), words, typed), f"{what}: English in {outcome}"
    else:
        assert not isinstance(outcome, Exception), f"{what}: check passed but standard refused: {outcome}"
        b = outcome.budget
        assert math.isfinite(b.subsidy) and math.isfinite(b.unit_cost_standard), what


def _mutated(rows: dict, sheet: str, r: int, j: int, value) -> dict:
    out = dict(rows)
    table = list(out[sheet])
    row = list(table[r])
    row[j] = value
    table[r] = tuple(row)
    out[sheet] = table
    return out


@pytest.mark.parametrize("sheet", TABLE_SHEETS)
def test_every_column_mutated_check_and_standard_agree(book, sheet, monkeypatch):
    path, rows, words = book
    header = rows[sheet][0]
    n = 0
    for j, h in enumerate(header):
        if h is None:
            continue
        for name, value in VARIANTS.items():
            _assert_agree(path, _mutated(rows, sheet, 1, j, value), words, monkeypatch,
                          f"{sheet} {h} (row 2) {name}", typed=str(value))
            n += 1
    assert n == 6 * sum(h is not None for h in header)


def test_every_info_number_negative_check_and_standard_agree(book, monkeypatch):
    path, rows, words = book
    info = rows["项目信息"]
    n = 0
    for r, values in enumerate(info[1:], start=1):
        v = values[2] if len(values) > 2 else None
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0:
            _assert_agree(path, _mutated(rows, "项目信息", r, 2, -v), words, monkeypatch,
                          f"项目信息 {values[1]} = {-v}", typed=str(-v))
            n += 1
    assert n >= 25  # every parameter, money amount and year of the bus example


@pytest.mark.parametrize("sheet", TABLE_SHEETS)
def test_every_table_emptied_check_and_standard_agree(book, sheet, monkeypatch):
    path, rows, words = book
    emptied = dict(rows)
    emptied[sheet] = rows[sheet][:1]
    _assert_agree(path, emptied, words, monkeypatch, f"{sheet} emptied")


def test_negative_higher_level_subsidy_is_refused_not_computed(book, monkeypatch):
    """The issue's wrong figure: 上级补贴 −1250 万元 used to pass and raise the subsidy by 2,500 万元."""
    path, rows, words = book
    info = rows["项目信息"]
    r = next(i for i, v in enumerate(info) if len(v) > 5 and v[5] == "higher_level_subsidy")
    problems, outcome = _verdicts(path, _mutated(rows, "项目信息", r, 2, -1250.0), monkeypatch)
    [p] = [p for p in problems if p.severity == ERROR]
    assert p.ref == f"项目信息!C{r + 1}" and "上级补贴不能为负数" in p.problem
    assert p.found == "-1,250.00 万元"
    assert isinstance(outcome, WorkbookError)
