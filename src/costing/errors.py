"""The exception family of ``costing``.

Catch :class:`CostingError` to catch everything the package raises on purpose.
:class:`InputError` is bad input: its message names the place (file, sheet,
row, column), what was expected and what was found, so an analyst can fix the
spreadsheet without reading a traceback. The CLI maps it to exit code 2.
"""
from __future__ import annotations

from dataclasses import dataclass
import re
from pathlib import Path

_CJK = re.compile("[\u4e00-\u9fff]")


class CostingError(Exception):
    """Base class of every error ``costing`` raises on purpose."""


@dataclass
class Location:
    """Where in an input a problem sits. Rows are 1-based as a spreadsheet shows them."""

    file: str | Path | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        return self._english()

    def chinese(self) -> str:
        """The place in Chinese: 文件 x，工作表“S”，第 2 行，列“C”."""
        parts = []
        if self.file is not None:
            parts.append(f"文件 {self.file}")
        if self.sheet is not None:
            parts.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column is not None:
            parts.append(f"列“{self.column}”")
        return "，".join(parts)

    def _english(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(f"file {self.file}")
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)


class InputError(CostingError, ValueError):
    """Bad input: a message that names the place, what was expected and what was found.

    Parameters
    ----------
    problem : str
        What is wrong, in one sentence.
    file, sheet, row, column :
        The place. ``row`` is the row number a spreadsheet program shows
        (the header is row 1, the first data row is row 2).
    expected, found :
        What a valid input holds there, and what this one holds.
    """

    def __init__(self, problem: str, *, file=None, sheet=None, row=None, column=None,
                 expected=None, found=None, fix=None):
        self.problem = problem
        self.location = Location(file, sheet, row, column)
        self.expected = expected
        self.found = found
        self.fix = fix
        super().__init__(self._message())

    @property
    def chinese(self) -> bool:
        """Whether the message is written for a budget unit (Chinese; the place and labels too)."""
        return bool(_CJK.search(self.problem))

    def _message(self) -> str:
        problem, expected, found = self.problem, self.expected, self.found
        if self.chinese:  # a reader-facing message: every word Chinese
            where = self.location.chinese()
            msg = f"{where}：{problem}" if where else problem
            if expected is not None and expected != "":
                msg += f"；应为：{expected}"
            if found is not None:
                msg += f"；实为：“{'（空）' if found == '' else found}”"
            if self.fix:
                msg += f"；建议：{self.fix}"
            return msg
        msg = problem
        where = str(self.location)
        if where:
            msg = f"{where}: {problem}"
        if expected is not None:
            msg += f"; expected {expected}"
        if found is not None:
            msg += f"; found {found!r}"
        return msg


class ParameterError(InputError):
    """A report or model parameter is unknown, misspelt or of the wrong type."""


class ModelError(CostingError):
    """A model cannot be computed on this data (too few peers, a singular regression...)."""


class NotComputable(ModelError):
    """Raised by functions with ``raise_exceptions=True`` when there is no solution."""
