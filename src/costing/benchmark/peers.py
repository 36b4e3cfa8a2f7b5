"""Peer statistics: unit-cost metrics, percentiles, ranks and outlier flags.

Outlier rules (both reported, neither drops data):

- **IQR (Tukey 1977):** a value below Q1 − 1.5·IQR or above Q3 + 1.5·IQR.
- **Robust z (Iglewicz & Hoaglin 1993):** z = 0.6745·(x − median)/MAD, flagged
  when |z| > 3.5.

Percentiles use numpy's default linear interpolation (Excel's
``PERCENTILE.INC``). Ranks are 1 = lowest value (cheapest).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from ..expr import evaluate

IQR_K = 1.5
ROBUST_Z = 3.5


def peer_metrics(stats: pd.DataFrame, metrics: Mapping[str, Mapping]) -> pd.DataFrame:
    """Compute unit-cost metrics from operating statistics.

    Parameters
    ----------
    stats : DataFrame
        One row per unit (and year): the columns the formulas use
        (``total_cost`` [元], ``vehicle_km`` [车公里], ...).
    metrics : mapping
        ``name -> {"formula": str, "unit": str, "label": str}`` as in the
        project type's ``[peers.metrics]``.

    Returns
    -------
    DataFrame
        One column per metric, same index as ``stats``. Metrics whose
        columns are missing are skipped.
    """
    env = {c: stats[c].to_numpy() for c in stats.columns}
    out = {}
    for name, m in metrics.items():
        try:
            out[name] = np.asarray(evaluate(m["formula"], env), dtype=float)
        except Exception:  # a metric needs a column this table lacks
            continue
    return pd.DataFrame(out, index=stats.index)


def percentile_rank(values: np.ndarray, x: float) -> tuple[int, float]:
    """Rank of ``x`` among ``values`` plus itself (1 = lowest) and its percentile [fraction].

    The percentile is the share of peers strictly below ``x`` plus half of
    those equal (the mid-rank rule).
    """
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    below = np.sum(v < x)
    equal = np.sum(v == x)
    rank = int(below) + 1
    pct = (below + 0.5 * equal) / len(v) if len(v) else np.nan
    return rank, float(pct)


def outlier_flags(values) -> pd.DataFrame:
    """IQR and robust-z outlier flags for each value.

    Returns a frame with ``robust_z``, ``outlier_iqr`` and ``outlier_z``.
    With MAD = 0 the robust z is 0 where the value equals the median and
    ±inf elsewhere.
    """
    x = np.asarray(values, dtype=float)
    q1, q3 = np.nanpercentile(x, [25, 75])
    iqr = q3 - q1
    med = np.nanmedian(x)
    mad = np.nanmedian(np.abs(x - med))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(x == med, 0.0, 0.6745 * (x - med) / mad)
    return pd.DataFrame({
        "robust_z": z,
        "outlier_iqr": (x < q1 - IQR_K * iqr) | (x > q3 + IQR_K * iqr),
        "outlier_z": np.abs(z) > ROBUST_Z,
    }, index=getattr(values, "index", None))


def summarize_peers(metrics: pd.DataFrame, project: Mapping[str, float] | None = None,
                    percentiles=(25, 50, 75)) -> pd.DataFrame:
    """Percentiles of each metric across peers, with the project's value, rank and percentile.

    Returns one row per metric: ``n``, ``p25``, ``p50``, ``p75``, ``mean``,
    ``project``, ``rank`` (1 = lowest among peers and the project), ``percentile``.
    """
    rows = []
    for name in metrics.columns:
        v = metrics[name].to_numpy(dtype=float)
        v = v[~np.isnan(v)]
        row = {"metric": name, "n": len(v)}
        for q, val in zip(percentiles, np.percentile(v, percentiles) if len(v) else [np.nan] * len(percentiles)):
            row[f"p{q}"] = float(val)
        row["mean"] = float(v.mean()) if len(v) else np.nan
        if project is not None and name in project and not np.isnan(project[name]):
            x = float(project[name])
            row["project"] = x
            row["rank"], row["percentile"] = percentile_rank(v, x)
        rows.append(row)
    return pd.DataFrame(rows).set_index("metric")
