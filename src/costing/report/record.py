"""Kernel side of the report pipeline: record headline figures and tables.

A report template calls :func:`record` and :func:`record_table` inside the
notebook. Each call displays a bundle with a custom mime type
(:data:`HEADLINE_MIME`, :data:`TABLE_MIME`) and an empty ``text/plain``
fallback, so the notebook opened in JupyterLab shows no log line. The pipeline collects the bundles from the executed notebook
(:func:`costing.report.export.collect_records`): headline figures go to
``nb.metadata["costing"]["headline"]`` and the manifest, tables to the
``.xlsx``. The HTML export drops the bundles (the template shows figures
in its own words); :func:`record_table` also shows the table as HTML unless
``show=False``.

This module is imported inside the kernel, so it imports nothing heavy at
module level.
"""
from __future__ import annotations

import math
import numbers

from ..errors import ModelError

HEADLINE_MIME = "application/vnd.costing.headline+json"
TABLE_MIME = "application/vnd.costing.table+json"
RECORD_MIMES = (HEADLINE_MIME, TABLE_MIME)


def _plain(value, name: str):
    """A JSON-safe scalar: bool, int, float, str or None. NaN/inf raise ModelError."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict)):
        value = value.item()  # numpy scalar -> Python scalar
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        v = float(value)
        if not math.isfinite(v):
            raise ModelError(f"headline figure {name!r} is not a finite number: {v!r}")
        return v
    raise ModelError(
        f"headline figure {name!r} must be a number, a string, a bool or None; "
        f"found {type(value).__name__}"
    )


def headline_bundle(name: str, value, unit: str | None = None) -> dict:
    """The display bundle :func:`record` shows (pure; used by tests)."""
    if not isinstance(name, str) or not name:
        raise ModelError(f"a headline figure needs a non-empty string name; found {name!r}")
    payload = {"name": name, "value": _plain(value, name), "unit": unit}
    return {HEADLINE_MIME: payload, "text/plain": ""}


def _cell(v):
    """A JSON value for a table cell, exact for floats (JSON keeps repr): numpy scalars
    -> Python, NaN/NaT -> None, tuples (MultiIndex keys) -> lists, dates -> ISO text."""
    if isinstance(v, tuple):
        return [_cell(x) for x in v]
    if hasattr(v, "isoformat"):
        return None if v != v else v.isoformat()
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    return str(v)


def table_bundle(name: str, df, unit=None) -> dict:
    """The display bundle :func:`record_table` shows (pure; used by tests).

    The DataFrame travels as ``orient="split"``-shaped JSON (``columns``,
    ``index``, ``data``) with exact floats; NaN becomes null, column labels
    become strings, and a MultiIndex on columns is joined with `` / ``.
    """
    import pandas as pd

    if not isinstance(name, str) or not name:
        raise ModelError(f"a recorded table needs a non-empty string name; found {name!r}")
    if isinstance(df, pd.Series):
        df = df.to_frame()
    if not isinstance(df, pd.DataFrame):
        raise ModelError(f"table {name!r} must be a pandas DataFrame; found {type(df).__name__}")
    df = df.copy()
    if isinstance(df.columns, pd.MultiIndex):
        df.columns = [" / ".join(str(p) for p in col) for col in df.columns]
    else:
        df.columns = [str(c) for c in df.columns]
    has_index = not isinstance(df.index, pd.RangeIndex)
    index_names = [str(n) if n is not None else "" for n in df.index.names] if has_index else []
    data = {"columns": list(df.columns),
            "index": [_cell(v) for v in df.index] if has_index else [],
            "data": [[_cell(v) for v in row] for row in df.itertuples(index=False, name=None)]}
    if isinstance(unit, dict):
        unit = {str(k): v for k, v in unit.items()}
    payload = {"name": name, "unit": unit, "index": has_index, "index_names": index_names,
               "data": data}
    if df.attrs.get("row_units"):  # per-row units a table declares (see costing.present.reader_frame)
        payload["row_units"] = {str(k): str(v) for k, v in df.attrs["row_units"].items()}
    return {TABLE_MIME: payload, "text/plain": ""}


def record(name: str, value, unit: str | None = None) -> None:
    """Record a headline figure of the report.

    Parameters
    ----------
    name : str
        Identifier of the figure, from :mod:`costing.glossary` when one
        exists (``unit_cost_standard``, ``subsidy``, ``cut_amount``,
        ``cut_rate``). ``price_year`` and ``money_unit`` are shown on the
        xlsx's 说明 sheet like every other figure.
    value : float, int, str, bool or None
        The figure, unrounded, in the unit ``unit``. Money is in 元 unless
        ``unit`` says otherwise; rates are fractions. NaN or inf raise
        :class:`~costing.errors.ModelError` (a report never files a silent NaN).
    unit : str, optional
        Unit label, e.g. ``"元"``, ``"元/车公里"``, ``"fraction"``.
    """
    from IPython.display import display

    display(headline_bundle(name, value, unit), raw=True)


def record_table(name: str, df, unit=None, *, show: bool = True) -> None:
    """Record a table for the report's ``.xlsx`` (one sheet per table).

    Parameters
    ----------
    name : str
        Sheet name (trimmed to Excel's 31 characters on export).
    df : pandas.DataFrame or Series
        The table. A non-default index is written as leading columns.
    unit : str or dict, optional
        Unit of the numeric columns: one label for all (``"万元"``), or a
        mapping column -> label (``{"审减额": "万元", "审减率": "%"}``).
        Money units (元, 万元, 亿元, ``元/...``) get a thousands-separator
        format, rates (``"%"``, ``"fraction"``, ``"rate"``) the ``0.00%``
        format (values are fractions).
    show : bool
        Also display the table as HTML in the notebook (default True).
    """
    from IPython.display import display

    display(table_bundle(name, df, unit), raw=True)
    if show:
        display(df)
