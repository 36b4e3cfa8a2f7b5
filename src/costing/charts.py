"""Charts of a method result, readable in print (matplotlib, Chinese labels).

Each function takes a :class:`costing.method.MethodResult` and returns a
``matplotlib.figure.Figure``. Money axes are in 万元; unit costs in 元 per
output unit at the price year's prices. Every function calls
:func:`costing.plotting.setup_fonts` so Chinese renders.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .glossary import display_name
from .method import subsidy_sensitivity
from .plotting import new_figure, readable_ticks
from .rules import RTS_NAMES
from .units import from_yuan

BLUE, ORANGE, GREY, GREEN, RED = "#1f5aa6", "#e07b00", "#9a9a9a", "#2e8b57", "#c0392b"


_fig = new_figure


def peer_unit_costs(result, metric: str | None = None) -> Figure:
    """Peers' unit cost (sorted bars) with the project's actual and the standard marked."""
    b = result.benchmark
    metric = metric or next(iter(result.project.spec["peers"]["metrics"]))
    spec = result.project.spec["peers"]["metrics"][metric]
    peers = b.peers[metric].sort_values()
    names = b.peers.get("peer_name", pd.Series(dtype=str)).reindex(peers.index).fillna("")
    labels = [n if n else i for i, n in zip(peers.index, names)]
    fig, ax = _fig(9, 4.8)
    ax.bar(range(len(peers)), peers.to_numpy(), color=GREY, label="同行单位")
    own = b.peer_summary.loc[metric, "project"]
    ax.axhline(own, color=RED, lw=2, label=f"本项目实际 {own:,.2f}")
    if metric == next(iter(result.project.spec["peers"]["metrics"])):
        std = result.standard.unit_cost_standard
        ax.axhline(std, color=GREEN, lw=2, ls="--", label=f"核定标准 {std:,.2f}")
    ax.axhline(b.peer_summary.loc[metric, "p50"], color=BLUE, lw=1, ls=":", label="同行中位数")
    ax.set_xticks(range(len(peers)), labels, rotation=45, ha="right")
    ax.set_ylabel(f"{spec['label']}（{spec['unit']}）")
    ax.set_title(f"{spec['label']}：与同行比较（{b.price_year}年价格）")
    ax.legend(loc="lower right", fontsize=8, framealpha=0.95)
    return fig


def cost_regression(result) -> Figure:
    """Peers' total cost against scale (log-log), the fitted cost function, the project's point and expectation."""
    b = result.benchmark
    cf = b.cost_function
    out = result.project.output
    fig, ax = _fig(8, 5)
    peers = b.peers
    ax.scatter(peers[out], from_yuan(peers["total_cost"], "万元"), color=GREY, label="同行单位")
    if cf is not None:
        # the fitted surface along the peers' own scale, other regressors at their medians
        xs = np.geomspace(peers[out].min(), peers[out].max(), 50)
        grid = pd.DataFrame({r: np.full(len(xs), float(peers[r].median())) for r in cf.regressors})
        grid[out] = xs
        ax.plot(xs, from_yuan(cf.expected_cost(grid), "万元"), color=BLUE, label="成本函数（其他变量取中位数）")
        e = b.expected_cost
        x0 = e["plan"][out]
        ax.errorbar([x0], [from_yuan(e["expected"], "万元")],
                    yerr=[[from_yuan(e["expected"] - e["lower"], "万元")], [from_yuan(e["upper"] - e["expected"], "万元")]],
                    fmt="o", color=GREEN, capsize=4, label="本项目预期成本（95%区间）")
    last = b.trend.index.max()
    ax.scatter([b.trend.loc[last, "output"]], [from_yuan(b.trend.loc[last, "total_cost"], "万元")], color=RED,
               marker="D", zorder=3, label=f"本项目{last}年实际")
    ax.scatter([result.target.output_amount], [from_yuan(result.standard.total, "万元")], color=ORANGE,
               marker="*", s=140, zorder=3, label="核定标准成本")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"{result.target.output_label}（对数刻度）")
    ax.set_ylabel("总成本（万元，对数刻度）")
    ax.set_title("同行成本函数")
    readable_ticks(ax, suffix="x")  # 车公里 as 500万; total cost already in 万元
    ax.legend(fontsize=8)
    return fig


def cost_residuals(result) -> Figure:
    """Residuals of the peer cost function against fitted ln cost, with the project's residual."""
    from .benchmark.costfn import residual_plot

    fig, ax = residual_plot(result.benchmark.cost_function)
    res = result.benchmark.actual_residual
    ax.axhline(res, color=RED, ls="--", label=f"本项目最近一年实际：{res:+.3f}")
    ax.legend(fontsize=8)
    return fig


def _paired_bars(names, before, after, labels: tuple[str, str], xlabel: str, title: str) -> Figure:
    """Two horizontal bars per item (grey ``before``, green ``after``), first item on top."""
    fig, ax = _fig(9, 5)
    y = np.arange(len(names))
    ax.barh(y - 0.2, np.asarray(before, dtype=float), height=0.4, color=GREY, label=labels[0])
    ax.barh(y + 0.2, np.asarray(after, dtype=float), height=0.4, color=GREEN, label=labels[1])
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


def cost_composition(result) -> Figure:
    """Cost by item: 3-year actual average against the standard [元/output]."""
    s = result.standard.items
    return _paired_bars(s["item_name"], result.benchmark.actual_3yr_avg.reindex(s.index), s["unit_cost"],
                        ("近三年实际平均", "核定标准"), f"单位成本（{result.standard.unit_cost_label}）",
                        "成本构成：实际与标准")


def unit_cost_trend(result) -> Figure:
    """Five-year unit cost in constant prices, with the standard for the budget year."""
    t = result.benchmark.trend
    fig, ax = _fig(8, 4.2)
    ax.plot(t.index, t["unit_cost"], marker="o", color=BLUE, label="实际单位成本（不变价）")
    ax.plot([result.project.budget_year], [result.standard.unit_cost_standard], marker="*", ms=14, color=GREEN,
            ls="none", label=f"{result.project.budget_year}年核定标准")
    ax.set_xticks(list(t.index) + [result.project.budget_year])
    ax.set_ylabel(f"单位成本（{result.standard.unit_cost_label}，{result.benchmark.price_year}年价格）")
    ax.set_title("单位成本趋势")
    ax.legend(fontsize=8, loc="upper left")
    return fig


def subsidy_waterfall(result) -> Figure:
    """Regulated cost → taxes → revenue → higher-level subsidies → profit → subsidy [万元]."""
    w = result.budget.waterfall()
    vals = from_yuan(w["amount"].to_numpy(dtype=float), "万元")
    names = [display_name(k) for k in w["id"]]
    fig, ax = _fig(9, 4.8)
    level = 0.0
    for i, (name, v) in enumerate(zip(names, vals)):
        last = i == len(vals) - 1
        if i == 0 or last:
            ax.bar(i, v, color=BLUE if i == 0 else GREEN)
            level = v
            ax.text(i, v, f"{v:,.0f}", ha="center", va="bottom", fontsize=8)
        else:
            ax.bar(i, v, bottom=level, color=ORANGE if v >= 0 else GREY)
            ax.text(i, level + max(v, 0), f"{v:+,.0f}", ha="center", va="bottom", fontsize=8)
            level += v
    ax.set_xticks(range(len(vals)), names, rotation=20)
    ax.set_ylim(top=max(vals[0], vals[-1], level) * 1.12)
    ax.set_ylabel("万元")
    ax.set_title(f"补贴测算瀑布图（{display_name(result.budget.preset)}）")
    return fig


def tornado(result, delta: float = 0.10) -> Figure:
    """Subsidy change [万元] for ±delta in each sensitivity factor, largest swing on top."""
    t = subsidy_sensitivity(result, deltas=(-delta, delta))
    piv = t.pivot(index="label", columns="delta", values="change")
    piv = piv.reindex(piv.abs().max(axis=1).sort_values().index)
    fig, ax = _fig(8, 0.6 * len(piv) + 1.8)
    y = np.arange(len(piv))
    ax.barh(y, from_yuan(piv[-delta].to_numpy(), "万元"), color=BLUE, label=f"-{delta:.0%}")
    ax.barh(y, from_yuan(piv[delta].to_numpy(), "万元"), color=ORANGE, label=f"+{delta:.0%}")
    ax.set_yticks(y, piv.index)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("补贴变动（万元）")
    ax.set_title("补贴敏感性（龙卷风图）")
    ax.legend(fontsize=8)
    return fig


def requested_vs_approved(result) -> Figure:
    """Requested against approved cost per item [万元]."""
    it = result.budget.items
    return _paired_bars(it["item_name"], from_yuan(it["requested"], "万元"), from_yuan(it["approved"], "万元"),
                        ("申报数", "审定数"), "万元", "申报数与审定数（分项目）")


def efficiency_scores(result) -> Figure:
    """DEA cost efficiency θ of every peer and the project (1 = on the frontier)."""
    f = result.benchmark.frontier
    sc = f.scores.sort_values()
    names = result.benchmark.peers.get("peer_name", pd.Series(dtype=str))
    labels = [names.get(i, i) or i for i in sc.index]
    colors = [RED if i == "本项目" else GREY for i in sc.index]
    fig, ax = _fig(9, 4.5)
    ax.bar(range(len(sc)), sc.to_numpy(), color=colors)
    ax.axhline(1.0, color=GREEN, ls="--", lw=1, label="效率前沿 θ = 1")
    ax.set_xticks(range(len(sc)), labels, rotation=45, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("成本效率 θ")
    outs = "、".join(result.target.labels.get(o, o) for o in f.outputs)
    ax.set_title(f"成本效率（数据包络分析，{RTS_NAMES.get(f.rts, f.rts)}；投入：总成本；产出：{outs}）")
    ax.legend(loc="lower right", fontsize=8)
    return fig


ALL = {"peer_unit_costs": peer_unit_costs, "cost_regression": cost_regression, "cost_composition": cost_composition,
       "unit_cost_trend": unit_cost_trend, "cost_residuals": cost_residuals, "subsidy_waterfall": subsidy_waterfall, "tornado": tornado,
       "requested_vs_approved": requested_vs_approved, "efficiency_scores": efficiency_scores}
