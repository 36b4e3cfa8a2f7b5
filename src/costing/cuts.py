"""The cut arithmetic (审减): one definition for the four-step method and the performance life cycle.

Sign convention: ``cut_amount = requested − approved`` [元] is positive when
the review cut the request (审减) and negative when it raised it;
``cut_rate = cut_amount / requested`` [fraction]. Aggregates (a project's line
items, a department, the portfolio) sum the amounts first and divide once —
never average the rates (:func:`cut_summary`).

Functions keep the kind of their input: Series in, Series out (same index);
arrays give arrays and scalars floats (:func:`as_kind_of`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputError, NotComputable, ParameterError


def as_kind_of(result: np.ndarray, *args):
    """Return ``result`` in the kind of the inputs: Series, array or float."""
    for a in args:
        if isinstance(a, pd.Series):
            return pd.Series(result, index=a.index)
    if np.ndim(result) == 0:
        r = result.item() if hasattr(result, "item") else result
        return r
    return result


def cut_amount(requested, approved):
    """Cut amount (审减额) = requested − approved [元].

    Parameters
    ----------
    requested, approved : float, array or Series
        申报数 and 审定数 [元]; broadcast together.

    Returns
    -------
    float, array or Series
        Positive when the request was cut.
    """
    r = np.asarray(requested, dtype=float)
    a = np.asarray(approved, dtype=float)
    return as_kind_of(r - a, requested, approved)


def cut_rate(requested, approved, *, raise_exceptions: bool = False):
    """Cut rate (审减率) = (requested − approved) / requested [fraction].

    Per item only: to aggregate, sum the amounts and call this once on the
    sums (:func:`cut_summary`), do not average rates.

    Parameters
    ----------
    requested, approved : float, array or Series
        [元].
    raise_exceptions : bool
        A zero request has no cut rate: NaN by default, or raise
        :class:`costing.errors.NotComputable` when True (numpy-financial's convention).

    Examples
    --------
    The article's 2021 review: 38.19亿元 requested, 11.61亿元 cut.

    >>> round(cut_rate(38.19e8, 38.19e8 - 11.61e8), 4)
    0.304
    """
    r = np.asarray(requested, dtype=float)
    a = np.asarray(approved, dtype=float)
    if np.any(r < 0):
        raise InputError("申报数为负数", column="requested", expected="不小于 0 的金额",
                         found=float(r[r < 0].reshape(-1)[0]))
    zero = r == 0
    if raise_exceptions and np.any(zero):
        raise NotComputable("cut rate of a zero request is undefined")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(zero, np.nan, (r - a) / np.where(zero, 1.0, r))
    return as_kind_of(out, requested, approved)


def cut_summary(df: pd.DataFrame, by: str | list[str] | None = None, *, requested: str = "requested",
                approved: str = "approved", total_label: str = "合计") -> pd.DataFrame:
    """Requested, approved, cut amount and cut rate per group, amounts summed before dividing.

    Parameters
    ----------
    df : DataFrame
        One row per line item or project, money in 元.
    by : str or list of str, optional
        Grouping columns (``department_id``); None gives one portfolio row.
    requested, approved : str
        Column names.

    Returns
    -------
    DataFrame
        ``requested, approved, cut_amount`` [元], ``cut_rate`` [fraction] and
        ``n`` (rows summed), indexed by the groups (or ``total_label``).
    """
    for c in (requested, approved):
        if c not in df:
            raise ParameterError(f"column {c!r} missing", expected=f"columns {requested!r} and {approved!r}",
                                 found=list(df.columns))
    if by is None:
        g = pd.DataFrame({"requested": [df[requested].sum()], "approved": [df[approved].sum()],
                          "n": [len(df)]}, index=pd.Index([total_label], name="group"))
    else:
        g = df.groupby(by, sort=False).agg(requested=(requested, "sum"), approved=(approved, "sum"),
                                           n=(requested, "size"))
    g["cut_amount"] = cut_amount(g["requested"], g["approved"])
    g["cut_rate"] = cut_rate(g["requested"], g["approved"])
    return g[["n", "requested", "approved", "cut_amount", "cut_rate"]]
