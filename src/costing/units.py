"""Money units and rounding.

Every money value inside ``costing`` is in 元 (yuan), as float64. Units are
converted once at the boundary: readers convert on entry (:func:`to_yuan`) and
reports convert on exit (:func:`from_yuan`, :func:`fmt_money`).

Rounding rule: computations never round. Displayed figures are rounded half
away from zero (the rule of 《会计基础工作规范》 and of Excel's ``ROUND``) to the
number of decimals each report states; rates are shown as percentages with
two decimals.
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from .errors import InputError

#: factor from the unit to 元
MONEY_UNITS: dict[str, float] = {
    "元": 1.0,
    "万元": 1e4,
    "亿元": 1e8,
    "yuan": 1.0,
    "cny": 1.0,
    "rmb": 1.0,
    "wan_yuan": 1e4,
    "10k_yuan": 1e4,
    "yi_yuan": 1e8,
    "100m_yuan": 1e8,
}


def money_factor(unit: str, *, where: dict | None = None) -> float:
    """Factor that turns an amount in ``unit`` into 元. Raises InputError for an unknown unit."""
    key = str(unit).strip()
    factor = MONEY_UNITS.get(key, MONEY_UNITS.get(key.lower()))
    if factor is None:
        raise InputError(
            "unknown money unit",
            expected="one of 元, 万元, 亿元 (or yuan, wan_yuan, yi_yuan)",
            found=unit,
            **(where or {}),
        )
    return factor


def to_yuan(amount, unit: str):
    """Convert ``amount`` in ``unit`` (元, 万元 or 亿元) to 元."""
    return amount * money_factor(unit)


def from_yuan(amount_yuan, unit: str):
    """Convert an amount in 元 to ``unit`` (元, 万元 or 亿元)."""
    return amount_yuan / money_factor(unit)


def round_half_up(x: float, decimals: int = 2) -> float:
    """Round half away from zero (Excel's ROUND), not numpy's half-to-even."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return float("nan")
    if not math.isfinite(x) or abs(x) >= 1e15:  # no digits after the point left to round
        return float(x)
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP))


def fmt_money(amount_yuan, unit: str = "万元", decimals: int = 2) -> str:
    """Format an amount in 元 for display in ``unit`` with thousands separators.

    >>> fmt_money(123456789.0)
    '12,345.68'
    """
    if amount_yuan is None or (isinstance(amount_yuan, float) and math.isnan(amount_yuan)):
        return "—"
    v = round_half_up(from_yuan(float(amount_yuan), unit), decimals)
    return f"{v:,.{decimals}f}"


def fmt_rate(rate: float, decimals: int = 2) -> str:
    """Format a fraction as a percentage, rounded half up: 0.30403 -> '30.40%'."""
    if rate is None or (isinstance(rate, float) and math.isnan(rate)):
        return "—"
    return f"{round_half_up(100 * float(rate), decimals):.{decimals}f}%"
