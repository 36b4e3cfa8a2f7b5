"""Discount-rate presets (as data, each with its source and date), discount
factors with a timing option, and price-basis helpers.

Timing (``timing=``) says when in the year the flow of index ``t`` falls:

================  =========================  ======================================
``timing``        discount exponent of t     use
================  =========================  ======================================
``"start"``       ``t``                      numpy-financial / the default: t = 0
                                             is now and undiscounted
``"mid"``         ``t + 0.5``                flows spread evenly over each year
``"end"``         ``t + 1``                  Excel's ``NPV()``: the first value is
                                             discounted one year
================  =========================  ======================================

Declining schedules (UK Green Book) discount year ``k`` at the rate of the
band that holds ``k``; the factor is the cumulative product
``DF(k) = DF(k-1) / (1 + r_k)``, and a fractional exponent ``k + f``
continues into year ``k + 1``: ``DF(k + f) = DF(k) / (1 + r_{k+1})**f``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError, ParameterError
from ._arrays import as_flows, as_scalar

__all__ = [
    "DiscountPreset",
    "DISCOUNT_PRESETS",
    "TIMINGS",
    "get_preset",
    "custom_preset",
    "preset_label",
    "discount_factors",
    "present_value",
    "real_rate",
    "nominal_rate",
]

#: timing name -> offset added to the period index in the discount exponent
TIMINGS: dict[str, float] = {"start": 0.0, "mid": 0.5, "end": 1.0}


@dataclass(frozen=True)
class DiscountPreset:
    """A discount-rate rule with its provenance.

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"china_8"``.
    label : str
        Display name (Chinese with English).
    schedule : tuple of (int, float)
        ``(first_year, rate)`` bands in ascending order: year ``k >= 1`` is
        discounted at the rate of the last band with ``first_year <= k``
        [fraction per year]. A flat rate is one band ``((0, r),)``.
    source : str
        The document that sets the rate.
    date : str
        Date (ISO year or year-month) of that document.
    note : str
        Caveats, e.g. when a lower rate applies.
    """

    name: str
    label: str
    schedule: tuple[tuple[int, float], ...]
    source: str
    date: str
    note: str = ""
    kind: str = field(default="economic")

    def __post_init__(self):
        years = [b[0] for b in self.schedule]
        if not self.schedule or years[0] != 0 or years != sorted(set(years)):
            raise ParameterError(f"discount preset {self.name!r}: bands must start at year 0 and ascend",
                                 expected="((0, r0), (y1, r1), ...) with 0 < y1 < ...",
                                 found=self.schedule)
        for _, r in self.schedule:
            if not np.isfinite(r) or r <= -1:
                raise ParameterError(f"discount preset {self.name!r}: invalid rate",
                                     expected="a fraction > -1", found=r)

    @property
    def is_flat(self) -> bool:
        return len(self.schedule) == 1

    @property
    def rate(self) -> float:
        """The rate of the first band [fraction] (the rate, for a flat preset)."""
        return self.schedule[0][1]

    def year_rates(self, n_years: int) -> np.ndarray:
        """Rate applying in years 1..n_years [fraction], shape (n_years,)."""
        k = np.arange(1, n_years + 1)
        starts = np.array([b[0] for b in self.schedule])
        rates = np.array([b[1] for b in self.schedule])
        return rates[np.searchsorted(starts, k, side="right") - 1]


#: The bundled presets. Add one by adding an entry; nothing else changes.
DISCOUNT_PRESETS: dict[str, DiscountPreset] = {p.name: p for p in [
    DiscountPreset(
        name="china_8",
        label="中国 社会折现率 8%",
        schedule=((0, 0.08),),
        source="国家发展改革委、建设部《建设项目经济评价方法与参数（第三版）》，中国计划出版社",
        date="2006",
        note=("社会折现率 8%。受益期长、远期效益较大且效益实现风险较小的项目（如水利等公益性"
              "基础设施）可适当降低，但不应低于 6%；见“中国 长期公益性项目 6%”方案与 SL 72—2013。"),
    ),
    DiscountPreset(
        name="china_6",
        label="中国 长期公益性项目 6%",
        schedule=((0, 0.06),),
        source=("国家发展改革委、建设部《建设项目经济评价方法与参数（第三版）》(2006)；"
                "水利部《水利建设项目经济评价规范》SL 72—2013"),
        date="2013",
        note="效益难以货币化、受益期长的社会公益性项目可按 6% 评价（SL 72—2013 的做法）。",
    ),
    DiscountPreset(
        name="uk_green_book",
        label="英国绿皮书 递减社会时间偏好率 3.5% → 1.0%",
        schedule=((0, 0.035), (31, 0.030), (76, 0.025), (126, 0.020), (201, 0.015), (301, 0.010)),
        source=("HM Treasury, The Green Book: Central Government Guidance on Appraisal and "
                "Evaluation, Annex A6 (discount rates and the declining schedule)"),
        date="2022",
        note=("实际折现率：第 0–30 年 3.5%，31–75 年 3.0%，76–125 年 2.5%，126–200 年 2.0%，"
              "201–300 年 1.5%，301 年起 1.0%；折现系数为逐年折现率的累乘。"),
    ),
    DiscountPreset(
        name="nz_non_commercial",
        label="新西兰财政部 非商业项目 2%",
        schedule=((0, 0.02),),
        source="New Zealand Treasury, public sector discount rates for cost-benefit analysis",
        date="2024-10",
        note="非商业项目的实际折现率，2024 年 10 月起执行。",
    ),
    DiscountPreset(
        name="nz_commercial",
        label="新西兰财政部 商业项目 8%",
        schedule=((0, 0.08),),
        source="New Zealand Treasury, public sector discount rates for cost-benefit analysis",
        date="2024-10",
        note="商业项目的实际折现率，2024 年 10 月起执行。",
        kind="financial",
    ),
]}


def preset_label(name: str) -> str:
    """The reader's label of a preset name (the name itself when it is not a bundled preset)."""
    preset = DISCOUNT_PRESETS.get(name)
    return preset.label if preset is not None else name


def custom_preset(rate: float, *, name: str = "custom", label: str | None = None,
                  source: str = "user supplied", date: str = "", note: str = "") -> DiscountPreset:
    """A flat preset at ``rate`` [fraction per year], recording who set it and when."""
    return DiscountPreset(name=name, label=label or f"自定义 {rate:.2%}",
                          schedule=((0, float(rate)),), source=source, date=date, note=note)


def get_preset(discount) -> DiscountPreset:
    """Resolve a preset name, a :class:`DiscountPreset` or a plain rate [fraction].

    Raises
    ------
    ParameterError
        For an unknown name; the message lists the known ones.
    """
    if isinstance(discount, DiscountPreset):
        return discount
    if isinstance(discount, str):
        try:
            return DISCOUNT_PRESETS[discount]
        except KeyError:
            raise ParameterError("unknown discount preset", expected=f"one of {sorted(DISCOUNT_PRESETS)}",
                                 found=discount) from None
    try:
        rate = float(discount)
    except (TypeError, ValueError):
        raise ParameterError("discount must be a rate, a preset name or a DiscountPreset",
                             found=discount) from None
    if not np.isfinite(rate) or rate <= -1:
        raise ParameterError("discount rate must be a finite fraction > -1", found=discount)
    return custom_preset(rate)


def discount_factors(discount, n_periods: int, *, timing: str = "start") -> np.ndarray:
    """Discount factor of each period index t = 0..n_periods-1.

    Parameters
    ----------
    discount : float, str or DiscountPreset
        A rate [fraction per year], a preset name (see ``DISCOUNT_PRESETS``)
        or a preset.
    n_periods : int
        Number of periods (the length of the cash flow).
    timing : {"start", "mid", "end"}
        When in its year the flow of index t falls; see the module docstring.

    Returns
    -------
    ndarray, shape (n_periods,)
        Factors [fraction] to multiply each year's flow by.

    Examples
    --------
    >>> discount_factors(0.08, 3).round(6)
    array([1.      , 0.925926, 0.857339])
    >>> round(float(discount_factors("uk_green_book", 33)[31]), 6)  # 1.035**-30 / 1.03
    0.345901
    """
    if timing not in TIMINGS:
        raise ParameterError("unknown timing", expected=f"one of {list(TIMINGS)}", found=timing)
    preset = get_preset(discount)
    offset = TIMINGS[timing]
    t = np.arange(n_periods, dtype=float) + offset
    if preset.is_flat:
        return (1.0 + preset.rate) ** -t
    k = np.floor(t).astype(int)
    frac = t - k
    rates = preset.year_rates(int(k.max()) + 2 if n_periods else 1)
    df_int = np.concatenate([[1.0], np.cumprod(1.0 / (1.0 + rates))])
    return df_int[k] * (1.0 + rates[k]) ** -frac


def present_value(values, discount, *, timing: str = "start"):
    """Present value of each row of ``values`` with a rate or preset.

    Parameters
    ----------
    values : array_like, shape (T,) or (N, T)
        Cash flows [元] by year index (benefits positive, costs negative).
    discount : float, str or DiscountPreset
    timing : {"start", "mid", "end"}

    Returns
    -------
    float or ndarray
        ``sum_t values[t] * DF(t)`` [元]. With a flat rate and ``"start"``
        timing this is :func:`costing.cba.npv`.
    """
    v = as_flows(values)
    return as_scalar(v @ discount_factors(discount, v.shape[-1], timing=timing))


def real_rate(nominal: float, inflation: float) -> float:
    """Real rate from a nominal rate and inflation (Fisher): ``(1+n)/(1+i) - 1`` [fraction]."""
    if inflation <= -1:
        raise InputError("inflation must be > -1", found=inflation)
    return (1.0 + nominal) / (1.0 + inflation) - 1.0


def nominal_rate(real: float, inflation: float) -> float:
    """Nominal rate from a real rate and inflation (Fisher): ``(1+r)(1+i) - 1`` [fraction]."""
    return (1.0 + real) * (1.0 + inflation) - 1.0
