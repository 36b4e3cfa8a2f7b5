"""The one formatter: every value a reader sees, from its declared kind.

HTML reports, Word documents, Excel workbooks, the CLI and the course all call
:func:`fmt` (through :mod:`costing.present`), so a figure reads the same on
every surface. Excel cells keep the number and get :func:`excel_format`, whose
display equals :func:`fmt`'s text.

Kinds (a table builder declares them, as a unit label or a kind name; nothing
is guessed from header text):

============  ==============================  ==================  ================
kind          value                           shown               Excel format
============  ==============================  ==================  ================
money         an amount in its display unit    12,345.68           ``#,##0.00``
              (万元 in tables)
unit_cost     元 per output unit (元/车公里)   9.3050              ``#,##0.0000``
rate          a fraction                       72.00%              ``0.00%``
percent       a number in percent (72.0)       72.00%              ``0.00"%"``
count         a whole quantity (辆, 人, 个)    1,234 (274.3 when   ``#,##0``
                                               not whole)          (``#,##0.0``)
score         points                           87.50               ``0.00``
coef          a coefficient (θ, E)             0.873               ``0.000``
number        any other quantity               1,234.57            ``#,##0.00``
plain         a year or a code number          2026                ``0``
date          a date                           2026年9月30日        ``yyyy"年"m"月"d"日"``
text          text                             as it is            ``@``
============  ==============================  ==================  ================

Rounding: half away from zero (《会计基础工作规范》, Excel's ``ROUND``), done in
:mod:`decimal` on the value's shortest repr, so 9.03125 -> 9.0313 and 2.675 ->
2.68 (binary floating point would give 9.0312 and 2.67). Computations never
round; only display does. Missing values show as "—", booleans as 是/否.
"""
from __future__ import annotations

import datetime as _dt
import math
from decimal import ROUND_HALF_UP, Decimal

#: kind -> (decimals, thousands separators, Excel number format)
KINDS: dict[str, tuple[int | None, bool, str]] = {
    "money": (2, True, "#,##0.00"),
    "unit_cost": (4, True, "#,##0.0000"),
    "rate": (2, False, "0.00%"),
    "percent": (2, False, '0.00"%"'),  # a number already in percent (72.0 -> 72.00%)
    "count": (0, True, "#,##0"),
    "score": (2, False, "0.00"),
    "coef": (3, False, "0.000"),
    "number": (2, True, "#,##0.00"),
    "plain": (None, False, "0"),
    "date": (None, False, 'yyyy"年"m"月"d"日"'),
    "text": (None, False, "@"),
}

#: unit labels that are rates (values are fractions)
RATE_UNITS = frozenset({"fraction", "%", "rate", "比率", "百分比"})
#: money units a reader sees -> 元 per one unit (costing.units adds the English spellings readers accept)
MONEY_FACTORS: dict[str, float] = {"元": 1.0, "万元": 1e4, "亿元": 1e8}
#: units of counted things (shown as integers; one decimal when not whole, e.g. 274.3 人 of staff need)
COUNT_UNITS = frozenset({"条", "辆", "人", "个", "次", "天", "家", "项", "座", "台", "人次", "班次"})
#: units of points
SCORE_UNITS = frozenset({"分", "points"})
#: per-unit amounts that are money-sized (元 per vehicle, per worker and year): 2 decimals, not 4
MONEY_PER = ("辆", "人", "辆·年", "人·年", "台", "座", "户")

MISSING = "—"


def kind_of(unit) -> str | None:
    """The kind a declared unit label (or kind name) stands for; None when it says nothing.

    >>> kind_of("元/车公里"), kind_of("元/辆"), kind_of("fraction"), kind_of("人"), kind_of("score")
    ('unit_cost', 'money', 'rate', 'count', 'score')
    """
    if unit is None:
        return None
    u = str(unit).strip()
    if u in KINDS:
        return u
    if u in RATE_UNITS:
        return "rate"
    if u in MONEY_FACTORS:
        return "money"
    if u.startswith(("元/", "万元/")):
        return "money" if u.startswith("万元/") or u.split("/", 1)[1] in MONEY_PER else "unit_cost"
    if u in COUNT_UNITS:
        return "count"
    if u in SCORE_UNITS:
        return "score"
    return None


def value_kind(value, unit=None) -> str:
    """The kind of one value with its declared unit: the unit's kind, else by the value's type
    (an integer is a count, another number has 2 decimals, anything else is text)."""
    k = kind_of(unit)
    if k is not None:
        return k
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "text"
    if isinstance(value, int) or type(value).__name__.startswith("int"):
        return "count"
    if isinstance(value, (float, Decimal)) or type(value).__name__.startswith("float"):
        return "number"
    return "text"


def is_missing(v) -> bool:
    if v is None:
        return True
    try:
        return bool(v != v)  # NaN, NaT
    except (TypeError, ValueError):
        return False


def round_half_away(x, decimals: int = 2) -> Decimal:
    """``x`` rounded half away from zero to ``decimals`` places, as a Decimal
    (of the float's shortest repr: what the reader and Excel take the number to be)."""
    d = x if isinstance(x, Decimal) else Decimal(repr(float(x)))
    return d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def round_half_away_array(x, decimals: int = 2):
    """The rule of :func:`round_half_away` on a numpy array (fast, for thousands of scores).

    The scaled value is first snapped to 9 decimals, so a float such as 1.005 (stored as
    1.00499999…) rounds up as its written form does (1.01), like the decimal rule above;
    tests check the two agree.
    """
    import numpy as np

    v = np.asarray(x, dtype=float)
    scale = 10.0 ** decimals
    snapped = np.round(v * scale, 9)
    return np.sign(snapped) * np.floor(np.abs(snapped) + 0.5) / scale


def round_half_up(x, decimals: int = 2) -> float:
    """:func:`round_half_away` as a float (NaN and inf pass through)."""
    if is_missing(x):
        return float("nan")
    if not math.isfinite(float(x)) or abs(float(x)) >= 1e15:  # no digits after the point left to round
        return float(x)
    return float(round_half_away(x, decimals))


def _digits(x, decimals: int, thousands: bool) -> str:
    d = round_half_away(x, decimals)
    if d == 0:
        d = abs(d)  # no "-0.00"
    return f"{d:,.{decimals}f}" if thousands else f"{d:.{decimals}f}"


def fmt(value, kind: str = "number", decimals: int | None = None) -> str:
    """``value`` as a reader sees it, by ``kind`` (see the module table); ``decimals``
    overrides the kind's number of decimals."""
    if is_missing(value):
        return MISSING
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "是" if value else "否"
    if kind == "date" or isinstance(value, (_dt.date, _dt.datetime)):
        return fmt_date(value)
    if kind == "text" or isinstance(value, str):
        return str(value)
    if kind not in KINDS:
        raise ValueError(f"unknown display kind {kind!r}; one of {sorted(KINDS)}")
    x = value if isinstance(value, Decimal) else float(value)
    if not math.isfinite(float(x)):
        return MISSING
    if kind == "plain":
        return str(int(x)) if float(x).is_integer() else str(x)
    places, thousands, _ = KINDS[kind]
    if kind == "rate":
        d = x if isinstance(x, Decimal) else Decimal(repr(x))
        return _digits(d * 100, 2 if decimals is None else decimals, False) + "%"
    if kind == "percent":
        return _digits(x, 2 if decimals is None else decimals, False) + "%"
    if kind == "count" and decimals is None:
        places = 0 if round_half_away(x, 1) == round_half_away(x, 0) else 1
    return _digits(x, places if decimals is None else decimals, thousands)


def excel_format(kind: str | None, value=None) -> str | None:
    """The Excel number format that shows ``value`` as :func:`fmt` does (None: leave as it is)."""
    if kind not in KINDS or kind == "text":
        return None
    if kind == "count" and value is not None and not is_missing(value) and not isinstance(value, bool):
        try:
            if fmt(value, "count") != fmt(value, "count", 0):
                return "#,##0.0"
        except (TypeError, ValueError):
            return None
    return KINDS[kind][2]


def fmt_date(d) -> str:
    """2026-09-30 -> 2026年9月30日 (a date, datetime or ISO text)."""
    if is_missing(d):
        return MISSING
    if isinstance(d, str):
        d = _dt.date.fromisoformat(d[:10])
    return f"{d.year}年{d.month}月{d.day}日"


def fmt_money(amount_yuan, unit: str = "万元", decimals: int = 2) -> str:
    """An amount in 元 shown in ``unit`` (万元 by default): ``12,345.68``."""
    if is_missing(amount_yuan):
        return MISSING
    # the same float division the tables and the workbook make, so every surface rounds the same number
    return fmt(float(amount_yuan) / MONEY_FACTORS[unit], "money", decimals)


def fmt_rate(rate, decimals: int = 2) -> str:
    """A fraction as a percentage: 0.30403 -> '30.40%'."""
    return fmt(rate, "rate", decimals)


def fmt_figure(value, unit=None) -> tuple[str, str]:
    """A headline figure and the unit to print after it: money in 元 -> 万元; rates carry their %.

    >>> fmt_figure(67582586.43, "元")
    ('6,758.26', '万元')
    """
    if isinstance(value, str) or is_missing(value):
        return fmt(value, "text"), ""
    k = kind_of(unit)
    if unit == "元":
        return fmt_money(value), "万元"
    if k == "rate":
        return fmt(value, "rate"), ""
    if k is None:
        k = "count" if float(value).is_integer() else "number"
    return fmt(value, k), ("" if unit in KINDS or unit is None or unit == "points" else str(unit))
