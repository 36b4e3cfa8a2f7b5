"""Named rules and presets: data, not if-chains.

**Standard rules** (step 4) give each cost item a unit cost per output unit
[元/output, e.g. 元/车公里] in the price year's prices. A rule is a formula over
named *bases*; each basis is a registered function:

==================  ===========================================================
basis               meaning
==================  ===========================================================
``quota``           the back-calculated need: quantity × standard unit price
``actual_3yr_avg``  mean of the last 3 audited years' unit cost, restated
``peer_p25``        25th percentile of the peers' unit cost for the item
``peer_p50``        median of the peers' unit cost for the item
``peer_p75``        75th percentile of the peers' unit cost for the item
``frontier``        the actual unit cost moved toward the efficient frontier
==================  ===========================================================

So ``min(actual_3yr_avg, peer_p50)`` is a rule, and so is ``quota``.

**Subsidy presets** (step 4) turn the standard cost into the subsidy. Each is
a function of :class:`BudgetInputs` registered in :data:`SUBSIDY_PRESETS`,
with the money inputs it needs declared in :data:`PRESET_REQUIRES`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

#: basis name -> function(ctx, item_id) -> (value [元/output], provenance text)
BASES: dict[str, Callable] = {}

#: returns to scale of the frontier, as the provenance reads them
RTS_NAMES = {"vrs": "规模报酬可变", "crs": "规模报酬不变"}


def basis(name: str):
    """Register a standard-rule basis under ``name``."""
    def deco(fn):
        BASES[name] = fn
        return fn
    return deco


@basis("quota")
def _quota(ctx, item):
    row = ctx.need.items.loc[item]
    return (row["unit_cost"],
            f"定额：{row['quantity']:,.2f} {row['quantity_unit']} × {row['unit_price']:,.2f} 元 "
            f"({ctx.budget_year}年计划)")


@basis("actual_3yr_avg")
def _actual(ctx, item):
    b = ctx.benchmark
    v = b.actual_3yr_avg.get(item, np.nan)
    yrs = b.actual_years_used
    return v, f"近三年实际平均（{yrs[0]}–{yrs[-1]}年审计数，按{ctx.price_year}年价格重述）"


def _peer(q):
    def fn(ctx, item):
        s = ctx.benchmark.peer_item_summary
        v = s.loc[item, f"p{q}"] if item in s.index else np.nan
        n = int(s.loc[item, "n"]) if item in s.index else 0
        yrs = ctx.benchmark.peer_years
        return v, f"同行P{q}（{n}家，{yrs}年数据，按{ctx.price_year}年价格重述）"
    return fn


for _q in (25, 50, 75):
    BASES[f"peer_p{_q}"] = _peer(_q)


@basis("frontier")
def _frontier(ctx, item):
    b = ctx.benchmark
    f = b.frontier
    if f is None:
        return np.nan, "no [benchmark.frontier] in the project type"
    v = b.actual_3yr_avg.get(item, np.nan) * f.factor
    return v, (f"效率前沿（数据包络分析，{RTS_NAMES.get(f.rts, f.rts)}，投入导向，效率 {f.efficiency:.3f}，本年缩小差距 {f.gap_closed:.0%}；"
               f"以近三年实际 {b.actual_years_used[0]}–{b.actual_years_used[-1]} 年为基数）")


@dataclass
class BudgetInputs:
    """Everything a subsidy preset reads [元 unless stated]."""

    regulated_cost: float
    taxes: float
    fare_revenue: float
    other_revenue: float
    higher_level_subsidy: float
    profit_rate: float  # [fraction], already capped
    money: dict  # every [money] amount of the project, for preset-specific inputs
    parameters: dict

    def scaled(self, *, cost=1.0, fares=1.0, regulated_cost=None):
        return replace(self, regulated_cost=self.regulated_cost * cost if regulated_cost is None else regulated_cost,
                       fare_revenue=self.fare_revenue * fares)


def shanting(b: BudgetInputs) -> dict:
    """Shanting 2025: (regulated cost + taxes − revenue − higher-level subsidies) + regulated cost × profit rate.

    Revenue is fares plus other operating income. The result can be negative
    (a surplus); it is not floored.
    """
    revenue = b.fare_revenue + b.other_revenue
    profit = b.regulated_cost * b.profit_rate
    subsidy = b.regulated_cost + b.taxes - revenue - b.higher_level_subsidy + profit
    return {"profit": profit, "subsidy": subsidy, "policy_loss": np.nan, "operating_loss": np.nan}


def policy_operating_split(b: BudgetInputs) -> dict:
    """Sanmenxia: split policy losses (政策性亏损) from operating losses (经营性亏损).

    policy loss = free-ride trips × average fare + concession trips × average
    fare × concession discount + losses of unprofitable routes (冷僻线路);
    operating loss = regulated cost + taxes − revenue − higher-level subsidies
    − policy loss. The subsidy refunds the policy loss in full and the
    operating loss (if positive) at ``operating_loss_share`` (default 1), plus
    the capped profit on regulated cost.
    """
    p = b.parameters
    fare = p.get("average_fare", 0.0)
    policy = (p.get("free_ride_trips", 0.0) * fare
              + p.get("concession_trips", 0.0) * fare * p.get("concession_discount", 0.5)
              + b.money.get("cold_route_loss", 0.0))
    revenue = b.fare_revenue + b.other_revenue
    operating = b.regulated_cost + b.taxes - revenue - b.higher_level_subsidy - policy
    profit = b.regulated_cost * b.profit_rate
    share = p.get("operating_loss_share", 1.0)
    subsidy = policy + max(operating, 0.0) * share + profit
    return {"profit": profit, "subsidy": subsidy, "policy_loss": policy, "operating_loss": operating}


SUBSIDY_PRESETS: dict[str, Callable[[BudgetInputs], dict]] = {
    "shanting": shanting,
    "policy_operating_split": policy_operating_split,
}

#: money inputs ([money] keys) each preset needs; parameters it reads are documented per preset.
PRESET_REQUIRES: dict[str, tuple[str, ...]] = {
    "shanting": ("requested_subsidy",),
    "policy_operating_split": ("requested_subsidy",),
}
