"""The four-step cost-standard method (全成本预算绩效管理), one function per step.

=====  ===========================  ======================  =====================
step   标语                          function                result
=====  ===========================  ======================  =====================
1      标靶划线 set the target        :func:`set_target`      :class:`Target`
2      反推所需 back-calculate        :func:`back_calculate`  :class:`Need`
3      横向扩展，据实测算 benchmark     :func:`benchmark`       :class:`Benchmark`
4a     核定标准 set the standard      :func:`set_standard`    :class:`Standard`
4b     编制预算 compile the budget    :func:`compile_budget`  :class:`Budget`
=====  ===========================  ======================  =====================

:func:`run_method` runs them in order. Conventions: every amount is in 元 at
the project's ``price_year`` prices; a unit cost is 元 per output unit (元/车公里
for buses); rates are fractions; nothing is rounded until it is displayed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import rules as _rules
from .benchmark.costfn import CostFunctionResult, fit_cost_function
from .benchmark.diagnostics import cost_plus_diagnostic
from .benchmark.frontier import FrontierResult, project_frontier
from .benchmark.peers import outlier_flags, peer_metrics, summarize_peers
from .cuts import cut_amount, cut_rate  # one 审减 arithmetic for the method and the life cycle
from .errors import InputError, ModelError
from .expr import evaluate, names
from .glossary import display_name, rule_label
from .units import fmt_rate, money_factor

if TYPE_CHECKING:  # annotations only: the method takes a loaded Project and imports no loader
    from .schema import Project


# --------------------------------------------------------------------------- step 1
@dataclass
class Target:
    """Step 1 (标靶划线): the service the budget buys.

    Attributes
    ----------
    rows : DataFrame
        The target table (one row per route or zone) with row drivers added.
    drivers : dict[str, float]
        Totals (``vehicle_km`` [车公里], ``vehicles`` [辆], ``fare_revenue`` [元]...).
    units, labels : dict[str, str]
    output : str
        The unit-cost denominator (``vehicle_km``).
    performance_targets : dict
        Quality targets (准点率, 万公里事故率, 满意度), the project's 绩效目标.
    """

    budget_year: int
    output: str
    output_label: str
    unit_cost_label: str
    rows: pd.DataFrame
    drivers: dict[str, float]
    units: dict[str, str]
    labels: dict[str, str]
    performance_targets: dict[str, Any] = field(default_factory=dict)

    @property
    def output_amount(self) -> float:
        """Planned output [e.g. 车公里]."""
        return float(self.drivers[self.output])

    def table(self) -> pd.DataFrame:
        """Drivers as a table: 指标, 数值, 单位."""
        return pd.DataFrame({"指标": [self.labels.get(k, k) for k in self.drivers],
                             "数值": list(self.drivers.values()),
                             "单位": [self.units.get(k, "") for k in self.drivers]},
                            index=pd.Index(list(self.drivers), name="driver"))


def set_target(project: Project) -> Target:
    """Step 1: validate the targets and derive the service drivers.

    Row formulas (``[drivers.row]``) run on each route or zone; total formulas
    (``[drivers.total]``) run in order on the sums, the parameters and the
    totals defined before them. ``n_rows`` is the number of rows.
    """
    spec = project.spec
    rows = project.tables["targets"].copy()
    meta = project.meta["targets"]
    env: dict[str, Any] = dict(project.parameters)
    env.update({c: rows[c].to_numpy() for c in rows.columns})
    for name, f in spec.get("drivers", {}).get("row", {}).items():
        val = evaluate(f, env, where=dict(file=str(project.path), column=f"drivers.row.{name}"))
        rows[name] = np.broadcast_to(np.asarray(val, dtype=float), len(rows)).copy()
        env[name] = rows[name].to_numpy()
        bad = ~np.isfinite(rows[name].to_numpy())
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"由该行算出的{name}不是有限的数（代码 {name}）", **meta.where(None, i + 2),
                             expected="有限的数（检查作除数的单元格是否为 0）", found=f,
                             fix="检查该行的发车间隔、周转时间等作除数的数值")
    row_env = {c: rows[c].to_numpy() for c in rows.columns}
    env = dict(project.parameters)
    env["n_rows"] = float(len(rows))
    drivers: dict[str, float] = {}
    for name, f in spec.get("drivers", {}).get("total", {}).items():
        val = evaluate(f, env, rows=row_env, where=dict(file=str(project.path), column=f"drivers.total.{name}"))
        drivers[name] = float(np.sum(val)) if np.ndim(val) else float(val)
        env[name] = drivers[name]
    t = spec["type"]
    if t["output"] not in drivers:
        raise InputError(f"未定义产出量“{t['output_label']}”的计算公式", file=str(project.path),
                         column=f"drivers.total.{t['output']}", expected="计算公式", found=None)
    return Target(budget_year=project.budget_year, output=t["output"], output_label=t["output_label"],
                  unit_cost_label=t["unit_cost_label"], rows=rows, drivers=drivers,
                  units=dict(spec.get("drivers", {}).get("units", {})),
                  labels=dict(spec.get("drivers", {}).get("labels", {})),
                  performance_targets=dict(project.performance_targets))


# --------------------------------------------------------------------------- step 2
@dataclass
class Need:
    """Step 2 (反推所需): resources the target requires, and their cost.

    ``items`` (index ``item_id``) has ``quantity`` [quantity_unit],
    ``unit_price`` [元 per quantity unit], ``cost`` [元] and ``unit_cost``
    [元/output]; ``total`` [元] is their sum.
    """

    items: pd.DataFrame
    total: float
    output_amount: float


def back_calculate(target: Target, project: Project) -> Need:
    """Step 2: quantity × standard unit price for every cost item, in table order.

    A quantity or price formula may use the drivers, the parameters,
    ``cost_<item_id>`` of any earlier item and ``subtotal`` (the sum of the
    earlier items), so on-costs (五险一金 as a rate on wages) and management
    fees (a rate on direct costs) are data too. The price unit's money part
    (``元/kWh``, ``万元/辆``) converts the price to 元; ``price_unit`` then reads 元/….
    """
    items = project.tables["cost_items"]
    meta = project.meta["cost_items"]
    env: dict[str, Any] = dict(project.parameters)
    env.update(target.drivers)
    env["subtotal"] = 0.0
    q, price, cost = [], [], []
    for i, row in items.iterrows():
        q_i = float(evaluate(row["quantity"], env, where=meta.where("quantity", i + 2)))
        factor = money_factor(str(row["price_unit"]).split("/")[0].strip(), where=meta.where("price_unit", i + 2))
        p_i = float(evaluate(row["unit_price"], env, where=meta.where("unit_price", i + 2))) * factor
        for what, v, col in (("quantity", q_i, "quantity"), ("unit price", p_i, "unit_price")):
            if not np.isfinite(v) or v < 0:
                label = "数量" if col == "quantity" else "单价"
                raise InputError(f"{label}为负数或不是有限的数（算得 {v:g}）", **meta.where(col, i + 2),
                                 expected="不小于 0 的有限数", found=row[col],
                                 fix=f"{label}填正数；公式请检查减号和作除数的参数")
        c_i = q_i * p_i
        if not np.isfinite(c_i):
            raise InputError("数量 × 单价太大，无法计算", **meta.where("unit_price", i + 2),
                             expected="有限的成本（元）", found=f"{q_i:g} × {p_i:g} 元", fix="核对数量、单价和参数的位数")
        q.append(q_i)
        price.append(p_i)
        cost.append(c_i)
        env[f"cost_{row['item_id']}"] = c_i
        env["subtotal"] += c_i
    out = items[["item_id", "item_name", "category", "quantity_unit", "price_unit", "price_index",
                 "cost_driver", "rule"]].copy()
    out["quantity"] = q
    out["unit_price"] = price
    # the price is now in 元: its unit says so (1.4 万元/辆·年 is held as 14,000 元/辆·年)
    out["price_unit"] = ["元/" + u.split("/", 1)[1].strip() if "/" in u else "元"
                         for u in out["price_unit"].astype(str)]
    out["cost"] = cost
    out["unit_cost"] = out["cost"] / target.output_amount
    out = out.set_index("item_id")
    return Need(items=out, total=float(out["cost"].sum()), output_amount=target.output_amount)


# --------------------------------------------------------------------------- step 3
@dataclass
class Benchmark:
    """Step 3 (横向扩展，据实测算): actuals restated, peers compared, cost function fitted.

    Attributes
    ----------
    price_factors : DataFrame
        Per year, ``cpi`` and ``wage`` factors to the price year (× amount).
    actuals : DataFrame
        Long table: year, item_id, ``amount`` (nominal 元), ``amount_real``
        [元, price year], ``output``, ``unit_cost`` [元/output, price year].
    actual_unit_costs : DataFrame
        Year × item unit costs [元/output, price year].
    actual_3yr_avg : Series
        Mean of the last 3 years' unit costs per item [元/output].
    trend : DataFrame
        Per year: total cost [元, price year], unit cost, passengers per output, cost per passenger.
    peers : DataFrame
        Peers (latest year of each) with metrics, restated to price-year prices.
    peer_summary : DataFrame
        Metric percentiles, the project's value (latest actual year), rank and percentile.
    peer_item_unit_costs, peer_item_summary : DataFrame
        Peer × item unit costs [元/output] and their n/P25/P50/P75.
    cost_function : CostFunctionResult or None
    expected_cost : dict
        The cost function's expected cost [元] for the budget plan, with interval.
    diagnostics : dict
        The cost-plus pattern check.
    frontier : FrontierResult or None
        The project's DEA cost efficiency among its peers, when the project
        type has a ``[benchmark.frontier]`` section.
    """

    price_year: int
    output: str
    price_factors: pd.DataFrame
    actuals: pd.DataFrame
    actual_unit_costs: pd.DataFrame
    actual_3yr_avg: pd.Series
    actual_years_used: list[int]
    trend: pd.DataFrame
    peers: pd.DataFrame
    peer_years: str
    peer_summary: pd.DataFrame
    peer_outliers: pd.DataFrame
    peer_item_unit_costs: pd.DataFrame
    peer_item_summary: pd.DataFrame
    cost_function: CostFunctionResult | None
    expected_cost: dict
    actual_residual: float
    diagnostics: dict
    frontier: FrontierResult | None = None


def price_factors(index: pd.DataFrame, price_year: int) -> pd.DataFrame:
    """Factors that restate a year's amounts in ``price_year`` prices.

    factor(y) = index(price_year) / index(y), for the ``cpi`` and the
    ``wage`` index; ``none`` is 1.
    """
    idx = index.set_index("year")
    f = pd.DataFrame({"cpi": idx.loc[price_year, "cpi"] / idx["cpi"],
                      "wage": idx.loc[price_year, "wage_index"] / idx["wage_index"]})
    f["none"] = 1.0
    return f


def _index_of(project: Project, column: str) -> str:
    """The price index restating a money column: ``wage`` for those the type's
    ``[benchmark] wage_indexed`` lists (wages), else ``cpi``."""
    return "wage" if column in project.spec.get("benchmark", {}).get("wage_indexed", ()) else "cpi"


def _money_columns(project: Project, table: str) -> list[str]:
    """The ``kind = "money"`` columns of a table, as the project type declares them."""
    return [c["name"] for c in project.spec[table]["columns"] if c.get("kind") == "money"]


def _item_factors(pf: pd.DataFrame, years, item_ids, kind: pd.Series) -> np.ndarray:
    """Per row: the factor restating cost item ``item_ids[i]`` of year ``years[i]`` (its own index)."""
    return pf.reindex(years).to_numpy()[np.arange(len(years)),
                                        pf.columns.get_indexer(kind.reindex(item_ids).to_numpy())]


def restate_actuals(project: Project, pf: pd.DataFrame) -> pd.DataFrame:
    """The audited costs in price-year prices, per year and item.

    Returns the ``actual_costs`` table with ``factor`` (the item's index, see
    :func:`price_factors`), ``amount_real`` [元, price year], the year's
    ``output`` and ``unit_cost`` [元/output, price year].
    """
    out = project.output
    kind = project.tables["cost_items"].set_index("item_id")["price_index"].replace("", "cpi")
    ops = project.tables["operations"].set_index("year")
    ac = project.tables["actual_costs"].copy()
    ac["factor"] = _item_factors(pf, ac["year"], ac["item_id"], kind)
    ac["amount_real"] = ac["amount"] * ac["factor"]
    ac["output"] = ops[out].reindex(ac["year"]).to_numpy()
    ac["unit_cost"] = ac["amount_real"] / ac["output"]
    return ac


def cost_trend(project: Project, actuals: pd.DataFrame) -> pd.DataFrame:
    """Per year: total cost [元, price year], output and unit cost; with the type's
    ``[benchmark] demand`` column (bus: passengers), demand per output and cost per
    unit of demand (the cost-plus check reads them)."""
    out = project.output
    ops = project.tables["operations"].set_index("year").sort_index()
    total_real = actuals.groupby("year")["amount_real"].sum()
    trend = pd.DataFrame({"total_cost": total_real, "output": ops[out]})
    trend["unit_cost"] = trend["total_cost"] / trend["output"]
    demand = project.spec.get("benchmark", {}).get("demand")
    if demand and demand in ops.columns:
        trend["passengers_per_output"] = ops[demand] / ops[out]
        trend["cost_per_passenger"] = trend["total_cost"] / ops[demand]
    trend.index.name = "year"
    return trend


def peer_group(project: Project, pf: pd.DataFrame, trend: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The peers (latest year of each) and the project (latest actual year), money restated.

    Returns ``(peers, own)``: ``peers`` indexed by ``peer_id`` (sorted), ``own`` one
    row indexed by the year, with the type's cost column (``[benchmark] cost``) set
    to the year's restated total cost. Money columns are restated to price-year
    prices by their index (:func:`_index_of`).
    """
    cost = project.spec.get("benchmark", {}).get("cost", "total_cost")
    peers_all = project.tables["peers"]
    latest = peers_all.sort_values("year").groupby("peer_id", sort=False).tail(1).set_index("peer_id")
    latest = latest.loc[sorted(latest.index)].copy()
    fac = pf.reindex(latest["year"])
    for c in _money_columns(project, "peers"):
        latest[c] = latest[c].to_numpy() * fac[_index_of(project, c)].to_numpy()
    ops = project.tables["operations"].set_index("year")
    last = ops.index.max()
    own = ops.loc[[last]].copy()
    own[cost] = trend.loc[last, "total_cost"]
    for c in _money_columns(project, "operations"):
        if c in own.columns:
            own[c] = own[c] * pf.loc[last, _index_of(project, c)]
    return latest, own


def compare_with_peers(project: Project, peers: pd.DataFrame, own: pd.DataFrame):
    """The type's ``[peers.metrics]`` for every peer and the project.

    Returns ``(peers with metrics, summary, outliers)``: the summary has each
    metric's percentiles, the project's value, rank and percentile; the
    outlier flags are on the first metric.
    """
    metrics_spec = project.spec["peers"].get("metrics", {})
    pm = peer_metrics(peers, metrics_spec)
    own_metrics = peer_metrics(own, metrics_spec).iloc[0].to_dict()
    summary = summarize_peers(pm, own_metrics)
    first_metric = next(iter(metrics_spec)) if metrics_spec else None
    outl = outlier_flags(pm[first_metric]) if first_metric in pm else pd.DataFrame()
    return peers.join(pm), summary, outl


def peer_item_costs(project: Project, pf: pd.DataFrame, peers: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Peer × item unit costs [元/output, price year] in each peer's latest year, and per item n/P25/P50/P75."""
    out = project.output
    kind = project.tables["cost_items"].set_index("item_id")["price_index"].replace("", "cpi")
    pc = project.tables["peer_costs"].copy()
    if len(pc):
        pc = pc.merge(peers[["year", out]].reset_index(), on=["peer_id", "year"], how="inner")
        pc["unit_cost"] = pc["amount"] * _item_factors(pf, pc["year"], pc["item_id"], kind) / pc[out]
        piu = pc.pivot(index="peer_id", columns="item_id", values="unit_cost")
    else:
        piu = pd.DataFrame(index=peers.index)
    if not len(piu.columns):
        return piu, pd.DataFrame(columns=["n", "p25", "p50", "p75"])
    return piu, pd.DataFrame({"n": piu.count(), "p25": piu.quantile(0.25), "p50": piu.quantile(0.50),
                              "p75": piu.quantile(0.75)})


def cost_function(project: Project, target: Target, peers: pd.DataFrame, own: pd.DataFrame):
    """The type's ``[benchmark]`` cost function fitted across the peers.

    Returns ``(fit, expected, residual)``: the fit (None when the type has no
    regressors), the expected cost [元] of the budget plan with its interval (the
    plan's regressors are formulas over drivers, parameters and money), and the
    project's own residual in its latest year (NaN without a fit).

    Raises
    ------
    InputError
        Too few peers, or a singular regression, naming the peers file.
    """
    bspec = project.spec.get("benchmark", {})
    regs = list(bspec.get("regressors", []))
    if not regs:
        return None, {}, float("nan")
    cost = bspec.get("cost", "total_cost")
    min_obs = int(bspec.get("min_peers", len(regs) + 3))
    pmeta = project.meta["peers"]
    try:
        cf = fit_cost_function(peers, cost, regs, form=bspec.get("form", "cobb_douglas"), min_obs=min_obs)
    except ModelError as e:
        raise InputError("同行数据不足以估计成本函数", file=str(pmeta.path), sheet=pmeta.sheet,
                         expected=f"至少 {min_obs} 家同行单位，且成本函数所用各列为正数",
                         found=f"{len(peers)} 家", fix="补充同行单位数据（同一年度）") from None
    env = dict(project.parameters)
    env.update(target.drivers)
    env.update({k: v for k, v in project.money.items()})
    plan = {r: float(evaluate(f, env, where=dict(file=str(project.path), column=f"benchmark.plan.{r}")))
            for r, f in bspec.get("plan", {r: r for r in regs}).items()}
    expected = cf.predict(plan)
    expected["plan"] = plan
    resid = cf.residual({r: float(own[r].iloc[0]) for r in regs}, float(own[cost].iloc[0]))
    return cf, expected, resid


def benchmark(project: Project, target: Target, need: Need, *, years: int = 3) -> Benchmark:
    """Step 3: restate actuals, average them, compare with peers, fit the cost function.

    The steps: :func:`restate_actuals` and :func:`cost_trend`, :func:`peer_group`
    and :func:`compare_with_peers`, :func:`peer_item_costs`, :func:`cost_function`,
    and the DEA frontier when the type has ``[benchmark.frontier]``. Column names
    come from the project type's TOML (output, money columns and their index,
    demand, cost, regressors).

    Parameters
    ----------
    years : int
        How many of the latest audited years the average takes (3 by the rules).

    Raises
    ------
    InputError
        Too few peers for the regression, or a singular one, naming the peers file.
    """
    pf = price_factors(project.tables["price_index"], project.price_year)
    ac = restate_actuals(project, pf)
    unit = ac.pivot(index="year", columns="item_id", values="unit_cost").reindex(columns=need.items.index)
    used = sorted(project.tables["operations"]["year"])[-years:]
    trend = cost_trend(project, ac)
    latest, own = peer_group(project, pf, trend)
    peers, summary, outl = compare_with_peers(project, latest, own)
    piu, pis = peer_item_costs(project, pf, latest)
    cf, expected, resid = cost_function(project, target, latest, own)
    bspec = project.spec.get("benchmark", {})
    frontier = project_frontier(latest, own, bspec["frontier"], project.parameters) if "frontier" in bspec else None
    peer_years = "、".join(str(y) for y in sorted(set(latest["year"])))
    return Benchmark(price_year=project.price_year, output=project.output, price_factors=pf, actuals=ac,
                     actual_unit_costs=unit, actual_3yr_avg=unit.loc[used].mean(axis=0), actual_years_used=list(used),
                     trend=trend, peers=peers, peer_years=peer_years, peer_summary=summary,
                     peer_outliers=outl, peer_item_unit_costs=piu, peer_item_summary=pis,
                     cost_function=cf, expected_cost=expected, actual_residual=resid,
                     diagnostics=cost_plus_diagnostic(trend), frontier=frontier)


# --------------------------------------------------------------------------- step 4a
@dataclass(frozen=True)
class Provenance:
    """Where an item's standard unit cost comes from: the ``rule`` (a formula over the bases),
    the ``basis`` it chose, and that basis's data and years (``source``, the reader's text)."""

    rule: str
    basis: str
    source: str

    def __str__(self) -> str:
        return f"规则 {self.rule} → {self.basis}：{self.source}"


@dataclass
class Standard:
    """Step 4a (核定标准): the cost standard per item and overall.

    ``items`` (index ``item_id``) has the rule, the value of every basis it
    uses, the ``chosen`` basis, ``unit_cost`` [元/output], ``amount`` [元] and
    ``provenance`` (rule, data and years). ``unit_cost_standard`` =
    ``total`` / ``output_amount``.
    """

    items: pd.DataFrame
    unit_cost_standard: float
    total: float
    output_amount: float
    unit_cost_label: str


@dataclass
class _RuleContext:
    need: Need
    benchmark: Benchmark
    budget_year: int
    price_year: int
    project: Project


def set_standard(project: Project, target: Target, need: Need, bench: Benchmark,
                 rules: dict[str, str] | None = None) -> Standard:
    """Step 4a: apply each item's named rule.

    The rule comes from ``rules`` (argument), else the project file's
    ``[standard]`` table, else the cost-item table's ``rule`` column, else
    ``quota``. A rule is a formula over the bases in
    :data:`costing.rules.BASES`; for ``min``/``max`` rules the chosen basis is
    recorded in the provenance.
    """
    ctx = _RuleContext(need, bench, project.budget_year, project.price_year, project)
    meta = project.meta["cost_items"]
    chosen_rules = {}
    rows = []
    for pos, (item, nrow) in enumerate(need.items.iterrows()):
        rule = (rules or {}).get(item) or project.rules.get(item) or nrow["rule"] or "quota"
        where = meta.where("rule", pos + 2)
        try:
            used = names(rule)
        except SyntaxError:
            raise InputError("核定规则写法有误", **where, expected="如 min(actual_3yr_avg, peer_p50)（近三年实际平均与同行中位数取低）",
                             found=rule) from None
        unknown = used - set(_rules.BASES)
        if unknown:
            raise InputError(f"未知的核定依据“{sorted(unknown)[0]}”", **where,
                             expected="由以下依据组成的规则：" + "、".join(f"{rule_label(b)}（{b}）" for b in sorted(_rules.BASES)),
                             found=rule)
        env, prov = {}, {}
        for b in sorted(used):
            env[b], prov[b] = _rules.BASES[b](ctx, item)
            if not np.isfinite(env[b]):
                raise InputError(f"成本项目“{nrow['item_name']}”没有“{rule_label(b)}”所需的数据", **where,
                                 expected=f"{rule_label(b)}的数据（同行规则须有同行成本表中该项目的行）", found=rule)
        value = float(evaluate(rule, env, where=where))
        chosen = next((b for b in sorted(used) if np.isclose(env[b], value, rtol=1e-12, atol=0)), rule)
        chosen_rules[item] = rule
        rows.append({"item_id": item, "item_name": nrow["item_name"], "category": nrow["category"],
                     "rule": rule, "chosen": chosen, **{f"basis_{b}": v for b, v in env.items()},
                     "unit_cost": value, "amount": value * target.output_amount,
                     "provenance": Provenance(rule, chosen, prov.get(chosen, rule))})
    items = pd.DataFrame(rows).set_index("item_id")
    total = float(items["amount"].sum())
    return Standard(items=items, unit_cost_standard=total / target.output_amount, total=total,
                    output_amount=target.output_amount, unit_cost_label=target.unit_cost_label)


# --------------------------------------------------------------------------- step 4b
@dataclass
class Budget:
    """Step 4b (编制预算): the subsidy and its comparison with the request.

    Money in 元 (price year); rates are fractions. ``cut_amount`` =
    ``requested`` − ``subsidy`` (approved); ``cut_rate`` = ``cut_amount`` /
    ``requested``. ``items`` compares requested and approved cost per item.
    """

    preset: str
    unit_cost_standard: float
    unit_cost_label: str
    regulated_cost: float
    taxes: float
    fare_revenue: float
    other_revenue: float
    higher_level_subsidy: float
    profit_rate: float
    profit: float
    subsidy: float
    policy_loss: float
    operating_loss: float
    requested: float
    cut_amount: float
    cut_rate: float
    items: pd.DataFrame
    inputs: _rules.BudgetInputs
    notes: list[str] = field(default_factory=list)

    def waterfall(self) -> pd.DataFrame:
        """Regulated cost → taxes → revenue → higher-level subsidies → profit → subsidy.

        Returns
        -------
        DataFrame
            ``id`` (a glossary identifier; the reader's label comes from
            :func:`costing.glossary.display_name` when it is shown) and ``amount``
            [元], signed: revenue and higher-level subsidies are negative. The
            last row is the ``subsidy``; the rows before it sum to it.
        """
        steps = [("regulated_cost", self.regulated_cost), ("taxes", self.taxes),
                 ("fare_revenue", -self.fare_revenue), ("other_revenue", -self.other_revenue),
                 ("higher_level_subsidy", -self.higher_level_subsidy), ("profit", self.profit)]
        if np.isfinite(self.policy_loss):
            steps.append(("operating_loss_uncovered", self.subsidy - sum(v for _, v in steps)))
        steps.append(("subsidy", self.subsidy))
        return pd.DataFrame(steps, columns=["id", "amount"])

    def summary(self) -> pd.DataFrame:
        """The budget summary: ``id`` (glossary identifier), ``value`` and its ``unit``
        (元, the unit-cost label, or ``fraction`` for rates). Labels come at rendering
        (:func:`costing.present.budget_table`)."""
        rows = [("unit_cost_standard", self.unit_cost_standard, self.unit_cost_label),
                ("regulated_cost", self.regulated_cost, "元"), ("taxes", self.taxes, "元"),
                ("fare_revenue", self.fare_revenue, "元"), ("other_revenue", self.other_revenue, "元"),
                ("higher_level_subsidy", self.higher_level_subsidy, "元"), ("profit_rate", self.profit_rate, "fraction"),
                ("profit", self.profit, "元")]
        if np.isfinite(self.policy_loss):
            rows += [("policy_loss", self.policy_loss, "元"), ("operating_loss", self.operating_loss, "元")]
        rows += [("subsidy", self.subsidy, "元"), ("requested", self.requested, "元"),
                 ("cut_amount", self.cut_amount, "元"), ("cut_rate", self.cut_rate, "fraction")]
        return pd.DataFrame(rows, columns=["id", "value", "unit"])


def budget_inputs(project: Project, target: Target, regulated_cost: float) -> tuple[_rules.BudgetInputs, list[str]]:
    """Collect the preset inputs; cap the profit rate at ``profit_rate_cap`` (notes say when)."""
    p = project.parameters
    notes = []
    rate = float(project.budget.get("profit_rate", p.get("profit_rate", 0.02)))
    cap = float(p.get("profit_rate_cap", 0.03))
    if rate > cap:
        notes.append(f"合理利润率 {fmt_rate(rate)} 超过上限 {fmt_rate(cap)}，按上限计")
        rate = cap
    if rate < 0:
        raise InputError("合理利润率为负数", file=str(project.path), column="budget.profit_rate",
                         expected=f"0 至上限 {fmt_rate(cap)} 之间的比例", found=rate)
    m = project.money
    fare = target.drivers.get("fare_revenue", m.get("fare_revenue", 0.0))
    return _rules.BudgetInputs(regulated_cost=regulated_cost, taxes=m.get("taxes", 0.0), fare_revenue=fare,
                               other_revenue=m.get("other_revenue", 0.0),
                               higher_level_subsidy=m.get("higher_level_subsidy", 0.0), profit_rate=rate,
                               money=m, parameters=p), notes


def compile_budget(project: Project, target: Target, standard: Standard, *, preset: str | None = None) -> Budget:
    """Step 4b: the subsidy by a named preset, and the cut against the request.

    Parameters
    ----------
    preset : str, optional
        A key of :data:`costing.rules.SUBSIDY_PRESETS`; default the project's
        ``[budget] preset``, else ``"shanting"``.
    """
    preset = preset or project.budget.get("preset", "shanting")
    if preset not in _rules.SUBSIDY_PRESETS:
        raise InputError("未知的补贴口径", file=str(project.path), column="budget.preset",
                         expected="、".join(f"{display_name(k)}（{k}）" for k in sorted(_rules.SUBSIDY_PRESETS)) + " 之一",
                         found=preset)
    missing = [k for k in _rules.PRESET_REQUIRES[preset] if k not in project.money]
    if missing:
        raise InputError(f"补贴口径“{display_name(preset)}”缺少金额：{'、'.join(display_name(k) for k in missing)}", file=str(project.path),
                         column="money", expected="[money] 中填写 " + "、".join(f"{display_name(k)}（{k}）" for k in _rules.PRESET_REQUIRES[preset]),
                         found="、".join(sorted(project.money)) or "（无）")
    inputs, notes = budget_inputs(project, target, standard.total)
    res = _rules.SUBSIDY_PRESETS[preset](inputs)
    requested = project.money["requested_subsidy"]
    req_items = project.tables["requested"].set_index("item_id")["requested"]
    items = standard.items[["item_name", "category"]].copy()
    items["requested"] = req_items.reindex(items.index).fillna(0.0)
    items["approved"] = standard.items["amount"]
    items["cut_amount"] = cut_amount(items["requested"], items["approved"])
    items["cut_rate"] = cut_rate(items["requested"], items["approved"])
    not_requested = [i for i in items.index if i not in req_items.index]
    if not_requested:
        notes.append(f"未申报的成本项目按 0 计：{not_requested}")
    return Budget(preset=preset, unit_cost_standard=standard.unit_cost_standard,
                  unit_cost_label=standard.unit_cost_label, regulated_cost=standard.total,
                  taxes=inputs.taxes, fare_revenue=inputs.fare_revenue, other_revenue=inputs.other_revenue,
                  higher_level_subsidy=inputs.higher_level_subsidy, profit_rate=inputs.profit_rate,
                  profit=res["profit"], subsidy=res["subsidy"], policy_loss=res["policy_loss"],
                  operating_loss=res["operating_loss"], requested=requested,
                  cut_amount=cut_amount(requested, res["subsidy"]), cut_rate=cut_rate(requested, res["subsidy"]),
                  items=items, inputs=inputs, notes=notes)


# --------------------------------------------------------------------------- orchestrator
@dataclass
class MethodResult:
    """The four steps' results, in order."""

    project: Project
    target: Target
    need: Need
    benchmark: Benchmark
    standard: Standard
    budget: Budget

    def headline(self) -> dict[str, float]:
        """The figures a report records: unit-cost standard [元/output], subsidy, requested, cut [元], cut rate."""
        b = self.budget
        return {"unit_cost_standard": b.unit_cost_standard, "subsidy": b.subsidy, "requested": b.requested,
                "cut_amount": b.cut_amount, "cut_rate": b.cut_rate}

    def cost_standard_table(self) -> pd.DataFrame:
        """Per item: need (quota), 3-year actual, peer P50, standard unit cost and amount, rule, provenance."""
        s = self.standard.items
        t = pd.DataFrame({"成本项目": s["item_name"], "类别": s["category"],
                          "定额测算": self.need.items["unit_cost"],
                          "近三年实际": self.benchmark.actual_3yr_avg.reindex(s.index),
                          "同行P50": self.benchmark.peer_item_summary["p50"].reindex(s.index)
                          if len(self.benchmark.peer_item_summary) else np.nan,
                          "单位成本标准": s["unit_cost"], "标准成本": s["amount"],
                          "核定规则": s["rule"], "依据": s["provenance"]})
        return t


def run_method(project: Project, *, rules: dict[str, str] | None = None, preset: str | None = None) -> MethodResult:
    """Run the four steps on a project: set_target → back_calculate → benchmark → set_standard → compile_budget."""
    target = set_target(project)
    need = back_calculate(target, project)
    bench = benchmark(project, target, need)
    standard = set_standard(project, target, need, bench, rules=rules)
    budget = compile_budget(project, target, standard, preset=preset)
    return MethodResult(project, target, need, bench, standard, budget)


def subsidy_sensitivity(result: MethodResult, deltas=(-0.10, 0.10), factors: dict | None = None) -> pd.DataFrame:
    """One-way sensitivity of the subsidy to the project type's ``[sensitivity]`` factors.

    A factor scales either the standard amounts of the items its ``scales``
    condition selects (a formula over the item columns ``category`` and
    ``cost_driver``), or, when ``scales = "fare_revenue"``, the fare revenue
    (ridership). Everything else is held. Returns one row per factor and
    delta: ``subsidy`` [元], ``change`` [元] and the sensitivity coefficient
    E = (ΔS/S)/(ΔF/F).
    """
    proj = result.project
    factors = factors or proj.spec.get("sensitivity", {})
    b = result.budget
    preset = _rules.SUBSIDY_PRESETS[b.preset]
    items = result.standard.items
    env = {"category": items["category"].to_numpy(),
           "cost_driver": result.need.items["cost_driver"].reindex(items.index).to_numpy()}
    base = b.subsidy
    rows = []
    for name, f in factors.items():
        for d in deltas:
            if f["scales"] == "fare_revenue":
                inp = b.inputs.scaled(fares=1 + d)
            else:
                mask = np.asarray(evaluate(f["scales"], env), dtype=bool)
                cost = float((items["amount"] * np.where(mask, 1 + d, 1.0)).sum())
                inp = b.inputs.scaled(regulated_cost=cost)
            s = preset(inp)["subsidy"]
            rows.append({"factor": name, "label": f.get("label", name), "delta": d, "subsidy": s,
                         "change": s - base, "sensitivity_coefficient": ((s - base) / base) / d if base else np.nan})
    return pd.DataFrame(rows)
