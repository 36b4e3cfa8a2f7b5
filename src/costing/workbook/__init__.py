"""Fill-in workbooks for budget units: ``costing new``, workbooks as projects, ``costing check``.

- :func:`new_workbook` writes a workbook for a project type (bus, sanitation,
  cba, portfolio), blank with marked example rows or from a project file;
- :func:`read_mapping` turns a workbook into the settings a project file
  would hold, after checking every cell (the loaders call it for ``.xlsx``);
- :func:`check_workbook` lists every problem (:class:`Problem`: 错误 or 警告,
  cell reference, expected, found, fix); :func:`annotate` writes a copy with
  each problem cell highlighted and commented.
"""
from __future__ import annotations

__all__ = ["new_workbook", "check_workbook", "read_mapping", "annotate", "Problem", "WorkbookError"]


def __getattr__(name):  # light import: openpyxl and friends load on first use
    if name in ("check_workbook", "read_mapping", "Problem", "WorkbookError"):
        from . import check

        return getattr(check, name)
    if name == "new_workbook":
        from .write import new_workbook

        return new_workbook
    if name == "annotate":
        from .annotate import annotate

        return annotate
    raise AttributeError(name)
