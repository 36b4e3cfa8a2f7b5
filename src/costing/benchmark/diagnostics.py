"""Diagnostics on a project's own history.

The cost-plus pattern (step 3 of the method): under cost-plus subsidies, unit
costs rise while the service carries fewer people. Shenzhen found this before
it moved to a passenger-based subsidy in 2013. We flag it when, over the
actual years in constant prices, the least-squares trend of cost per output
unit is rising, cost per passenger is rising, and passengers per output unit
are falling.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def trend_slope(years, values) -> float:
    """Least-squares slope of ``values`` on ``years`` [value unit per year]."""
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    if len(x) < 2:
        return float("nan")
    return float(np.polyfit(x, y, 1)[0])


def cost_plus_diagnostic(trend: pd.DataFrame, *, unit_cost: str = "unit_cost",
                         cost_per_passenger: str = "cost_per_passenger",
                         passengers_per_output: str = "passengers_per_output") -> dict:
    """Flag the cost-plus pattern in a yearly trend table (index = year).

    Returns ``{"flag": bool, "slopes": {...}, "message": str}`` (the message is
    reader text, in Chinese). Without a passenger column (a sanitation project)
    the flag is False and the message says why.
    """
    years = trend.index.to_numpy()
    slopes = {c: trend_slope(years, trend[c]) for c in (unit_cost, cost_per_passenger, passengers_per_output)
              if c in trend.columns}
    if len(slopes) < 3:
        return {"flag": False, "slopes": slopes,
                "message": "无客运量统计，不适用成本加成诊断"}
    flag = slopes[unit_cost] > 0 and slopes[cost_per_passenger] > 0 and slopes[passengers_per_output] < 0
    msg = ("成本加成特征：单位成本与人次成本上升而单位里程客运量下降" if flag
           else "未见成本加成特征")
    return {"flag": bool(flag), "slopes": slopes, "message": msg}
