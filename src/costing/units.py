"""Money units and rounding.

Every money value inside ``costing`` is in 元 (yuan), as float64. Units are
converted once at the boundary: readers convert on entry (:func:`to_yuan`) and
reports convert on exit (:func:`from_yuan`, :func:`fmt_money`).

Rounding rule: computations never round. Displayed figures are rounded half
away from zero (the rule of 《会计基础工作规范》 and of Excel's ``ROUND``) by the
one formatter, :mod:`costing.fmt`, to the decimals of each value's kind.
"""
from __future__ import annotations

from .errors import InputError
# Display rounding and formatting live in the one formatter; these names stay here for the
# callers that convert and format money in one import.
from .fmt import MONEY_FACTORS, fmt_money, fmt_rate, round_half_up  # noqa: F401

#: factor from the unit to 元
MONEY_UNITS: dict[str, float] = {
    **MONEY_FACTORS,
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
            "金额单位未知",
            expected="元、万元 或 亿元",
            found=unit,
            fix="把单位改为 元、万元 或 亿元（千元请换算为万元）",
            **(where or {}),
        )
    return factor


def to_yuan(amount, unit: str):
    """Convert ``amount`` in ``unit`` (元, 万元 or 亿元) to 元."""
    return amount * money_factor(unit)


def from_yuan(amount_yuan, unit: str):
    """Convert an amount in 元 to ``unit`` (元, 万元 or 亿元)."""
    return amount_yuan / money_factor(unit)

