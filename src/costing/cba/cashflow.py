"""The cash-flow model: yearly streams by category, price basis, residual value,
and the appraisal that turns a model into ENPV, EIRR, BCR and payback.

Sign convention: amounts are typed as positive magnitudes and an item's
``kind`` gives the sign (:data:`KIND_SIGN`): capital and operating costs
negative, benefits and residual value positive. Index ``t = 0`` is the
calendar year ``start_year`` and is not discounted (``timing="start"``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InputError, ParameterError
from ._arrays import as_flows
from .discounting import discount_factors, get_preset, preset_label
from .measures import bcr, discounted_payback_period, irr, payback_period

__all__ = [
    "KIND_SIGN",
    "KIND_LABELS",
    "CashFlowItem",
    "CashFlowModel",
    "CBAResult",
    "rebase_prices",
    "to_real",
    "straight_line_residual",
    "appraise",
    "compare_presets",
]

#: sign each kind of item carries in the net flow
KIND_SIGN: dict[str, int] = {"capital": -1, "operating": -1, "benefit": +1, "residual": +1}
#: display labels of the kinds
KIND_LABELS: dict[str, str] = {"capital": "投资 (capital)", "operating": "运营成本 (operating)",
                               "benefit": "效益 (benefit)", "residual": "残值 (residual value)"}


@dataclass(frozen=True)
class CashFlowItem:
    """One yearly stream.

    Attributes
    ----------
    name : str
        Identifier (ASCII, used by factors and tables).
    kind : {"capital", "operating", "benefit", "residual"}
        Category; fixes the sign (:data:`KIND_SIGN`).
    amounts : ndarray, shape (T,)
        Positive magnitudes by year index t [元].
    label : str
        Display name (Chinese).
    """

    name: str
    kind: str
    amounts: np.ndarray
    label: str = ""

    def __post_init__(self):
        if self.kind not in KIND_SIGN:
            raise ParameterError(f"item {self.name!r}: unknown kind", expected=f"one of {list(KIND_SIGN)}",
                                 found=self.kind)
        a = as_flows(self.amounts, f"item {self.name!r}")
        if a.ndim != 1:
            raise InputError(f"收支项“{self.label or self.name}”的金额应为逐年一列", found=f"形状 {a.shape}")
        if (a < 0).any():
            t = int(np.flatnonzero(a < 0)[0])
            raise InputError(f"收支项“{self.label or self.name}”在 t = {t}（从 0 起算）的金额为负数",
                             expected="不小于 0 的金额（收支方向由类别决定）", found=float(a[t]))
        object.__setattr__(self, "amounts", a)

    @property
    def signed(self) -> np.ndarray:
        """Amounts with the sign convention applied [元]."""
        return KIND_SIGN[self.kind] * self.amounts


@dataclass(frozen=True)
class CashFlowModel:
    """Yearly cash flows of an option (or of option minus counterfactual).

    Attributes
    ----------
    items : tuple of CashFlowItem
        All of the same length ``period + 1``.
    start_year : int
        Calendar year of index t = 0.
    price_basis : {"real", "nominal"}
        Real: constant prices of ``price_year``; nominal: each year's prices.
    price_year : int
        Price base year of real amounts.
    """

    items: tuple[CashFlowItem, ...]
    start_year: int
    price_basis: str = "real"
    price_year: int | None = None
    title: str = ""
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        if not self.items:
            raise InputError("现金流量模型至少需要一个收支项", found="（无）")
        if self.price_basis not in ("real", "nominal"):
            raise ParameterError("price_basis must be 'real' or 'nominal'", found=self.price_basis)
        n = len(self.items[0].amounts)
        for it in self.items:
            if len(it.amounts) != n:
                raise InputError(f"收支项“{it.label or it.name}”的年数与其他收支项不同",
                                 expected=f"{n} 年（t = 0..{n - 1}）", found=f"{len(it.amounts)} 年")
        names = [it.name for it in self.items]
        dup = {x for x in names if names.count(x) > 1}
        if dup:
            raise InputError("收支项名称重复", expected="每个名称只出现一次", found="、".join(sorted(dup)))
        object.__setattr__(self, "items", tuple(self.items))

    @property
    def period(self) -> int:
        """Analysis period: years after t = 0."""
        return len(self.items[0].amounts) - 1

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.start_year, self.start_year + self.period + 1)

    @property
    def names(self) -> list[str]:
        return [it.name for it in self.items]

    def item(self, name: str) -> CashFlowItem:
        for it in self.items:
            if it.name == name:
                return it
        raise ParameterError("unknown cash-flow item", expected=f"one of {self.names}", found=name)

    def signed_matrix(self) -> np.ndarray:
        """Signed amounts, shape (n_items, T) [元]."""
        return np.vstack([it.signed for it in self.items])

    def stream(self, kind: str) -> np.ndarray:
        """Signed total of one kind by year [元] (zeros if the model has none)."""
        if kind not in KIND_SIGN:
            raise ParameterError("unknown kind", expected=f"one of {list(KIND_SIGN)}", found=kind)
        rows = [it.signed for it in self.items if it.kind == kind]
        return np.sum(rows, axis=0) if rows else np.zeros(self.period + 1)

    def benefits(self) -> np.ndarray:
        """Inflows by year [元] (benefits + residual value, >= 0)."""
        return self.stream("benefit") + self.stream("residual")

    def costs(self) -> np.ndarray:
        """Outflows by year [元] (capital + operating, <= 0)."""
        return self.stream("capital") + self.stream("operating")

    def net(self, scale: Mapping[str, object] | None = None) -> np.ndarray:
        """Net flow by year [元]; ``scale`` multiplies items by name.

        Parameters
        ----------
        scale : mapping item name -> float or array (N,), optional
            Multipliers [fraction of the base amount]. With arrays of N draws the
            result is (N, T): one net flow per draw, built with one matrix product.

        Returns
        -------
        ndarray, shape (T,) or (N, T)
        """
        S = self.signed_matrix()
        if not scale:
            return S.sum(axis=0)
        unknown = set(scale) - set(self.names)
        if unknown:
            raise ParameterError("scale names unknown items", expected=f"items of {self.names}",
                                 found=sorted(unknown))
        m = [np.asarray(scale.get(n, 1.0), dtype=float) for n in self.names]
        shape = np.broadcast_shapes(*(x.shape for x in m))
        M = np.stack([np.broadcast_to(x, shape) for x in m], axis=-1)  # (..., n_items)
        return M @ S

    def table(self, unit: str = "元") -> pd.DataFrame:
        """Signed flows by year with totals (rows: years; columns: items, net)."""
        from ..units import from_yuan

        df = pd.DataFrame({(it.label or it.name): from_yuan(it.signed, unit) for it in self.items},
                          index=pd.Index(self.years, name="年份"))
        df.insert(0, "t", np.arange(self.period + 1))
        df[f"净现金流量（{unit}）"] = from_yuan(self.net(), unit)
        return df

    def with_items(self, items: Sequence[CashFlowItem]) -> "CashFlowModel":
        """A copy with other items (e.g. after an uplift)."""
        return CashFlowModel(tuple(items), self.start_year, self.price_basis, self.price_year,
                             self.title, dict(self.meta))


def rebase_prices(amounts, from_year: int, to_year: int, index: Mapping[int, float]):
    """Restate amounts in ``from_year`` prices into ``to_year`` prices.

    Parameters
    ----------
    amounts : float or array_like
        Amounts [元, ``from_year`` prices].
    from_year, to_year : int
    index : mapping year -> price index level
        Any base (e.g. CPI 2020 = 100).

    Returns
    -------
    float or ndarray
        ``amounts * index[to_year] / index[from_year]`` [元, ``to_year`` prices].
    """
    for y in (from_year, to_year):
        if y not in index:
            raise InputError(f"价格指数缺少 {y} 年的数值", expected="用到的每一年都有指数",
                             found="、".join(map(str, sorted(index))))
    return np.asarray(amounts, dtype=float) * (index[to_year] / index[from_year])


def to_real(amounts, years: Sequence[int], index: Mapping[int, float], base_year: int) -> np.ndarray:
    """Deflate a nominal stream (each year in its own prices) to ``base_year`` prices.

    Returns ``amounts[i] * index[base_year] / index[years[i]]`` [元, real].
    """
    a = np.asarray(amounts, dtype=float)
    if len(years) != a.shape[-1]:
        raise InputError("金额与年份的个数不同", expected=f"{a.shape[-1]} 个年份",
                         found=f"{len(years)} 个年份")
    missing = [y for y in list(years) + [base_year] if y not in index]
    if missing:
        raise InputError("价格指数缺少年份", expected="每一年都有指数", found="、".join(map(str, missing)))
    return a * np.array([index[base_year] / index[y] for y in years])


def straight_line_residual(cost: float, service_life: float, years_used: float) -> float:
    """Residual value of an asset by straight-line depreciation [元].

    ``cost * max(0, 1 - years_used / service_life)``: the asset's unused share
    at the end of the analysis period, booked as a benefit in its last year.
    """
    if service_life <= 0:
        raise InputError("使用年限应为正数", expected="大于 0 的年数", found=service_life)
    return float(cost) * max(0.0, 1.0 - float(years_used) / float(service_life))


@dataclass(frozen=True)
class CBAResult:
    """Headline measures of one appraisal.

    Attributes
    ----------
    enpv : float
        Economic net present value [元].
    eirr : float
        Economic internal rate of return [fraction]; NaN if none.
    bcr : float
        Benefit-cost ratio PV(benefits)/PV(costs) [ratio].
    pv_benefits, pv_costs : float
        Present values [元]; ``pv_costs`` is a positive magnitude.
    payback, discounted_payback : float
        Static and dynamic payback [years after t = 0]; NaN if never repaid.
    discount : str
        Preset name; ``timing`` the discount timing.
    table : DataFrame
        By year: benefits, costs, net, discount factor, discounted net [元].
    """

    enpv: float
    eirr: float
    bcr: float
    pv_benefits: float
    pv_costs: float
    payback: float
    discounted_payback: float
    discount: str
    timing: str
    table: pd.DataFrame

    def summary(self, unit: str = "万元") -> pd.DataFrame:
        """One row per measure, labelled in Chinese (shown text; the numbers are the attributes,
        and :func:`costing.present.cba_summary_table` gives them as numbers with units)."""
        from ..fmt import fmt, fmt_money, fmt_rate

        rows = [
            ("经济净现值", fmt_money(self.enpv, unit), unit),
            ("经济内部收益率", fmt_rate(self.eirr), "%"),
            ("效益费用比", fmt(self.bcr, "number"), "—"),
            ("效益现值", fmt_money(self.pv_benefits, unit), unit),
            ("费用现值", fmt_money(self.pv_costs, unit), unit),
            ("静态投资回收期", fmt(self.payback, "number"), "年"),
            ("动态投资回收期", fmt(self.discounted_payback, "number"), "年"),
            ("折现率方案", preset_label(self.discount), "—"),
        ]
        return pd.DataFrame(rows, columns=["指标", "数值", "单位"])

    def _repr_html_(self):
        return self.summary().to_html(index=False)


def appraise(model: CashFlowModel, discount="china_8", *, timing: str = "start") -> CBAResult:
    """Appraise a cash-flow model: ENPV, EIRR, BCR, payback periods.

    Parameters
    ----------
    model : CashFlowModel
    discount : float, str or DiscountPreset
        Rate [fraction] or preset (default China's 8% social discount rate).
    timing : {"start", "mid", "end"}
        When in each year flows fall; t = 0 undiscounted with "start".

    Returns
    -------
    CBAResult
        The IRR uses the model's yearly flows with t = 0 undiscounted, so it
        does not depend on the preset or timing.
    """
    preset = get_preset(discount)
    net = model.net()
    T = net.size
    df = discount_factors(preset, T, timing=timing)
    ben, cost = model.benefits(), model.costs()
    pv_b = float(ben @ df)
    pv_c = float(-(cost @ df))
    table = pd.DataFrame({
        "t": np.arange(T), "效益": ben, "费用": cost, "净现金流量": net,
        "折现系数": df, "折现净现金流量": net * df, "累计净现值": np.cumsum(net * df),
    }, index=pd.Index(model.years, name="年份"))
    return CBAResult(
        enpv=float(net @ df), eirr=float(irr(net)), bcr=float(bcr(preset, ben, cost, timing=timing)),
        pv_benefits=pv_b, pv_costs=pv_c, payback=float(payback_period(net)),
        discounted_payback=float(discounted_payback_period(net, preset, timing=timing)),
        discount=preset.name, timing=timing, table=table)


def compare_presets(model: CashFlowModel, presets: Sequence = ("china_8", "china_6", "uk_green_book",
                                                                 "nz_non_commercial", "nz_commercial"),
                    *, timing: str = "start") -> pd.DataFrame:
    """ENPV and BCR of one model under several discount presets, with each preset's source."""
    rows = []
    for p in presets:
        pr = get_preset(p)
        res = appraise(model, pr, timing=timing)
        rows.append({"方案 (preset)": pr.name, "说明 (label)": pr.label, "ENPV [元]": res.enpv,
                     "BCR": res.bcr, "来源 (source)": pr.source, "日期 (date)": pr.date})
    return pd.DataFrame(rows)
