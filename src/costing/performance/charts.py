"""Monitoring charts (matplotlib, Chinese labels via :func:`costing.plotting.setup_fonts`)."""
from __future__ import annotations

import numpy as np

from ..plotting import new_figure, setup_fonts
from .monitoring import MonitoringResult


def plot_execution(result: MonitoringResult, ax=None):
    """Execution rate of every project against time progress (scatter by project, budget on x).

    The dashed line is time progress, the dotted line the low-execution
    threshold (time progress − tolerance); flagged projects are drawn in red.
    Returns the Axes.
    """
    setup_fonts()
    if ax is None:
        _, ax = new_figure(8, 4.5)
    t = result.projects
    x = t["budget"].to_numpy() / 1e4
    y = 100 * t["execution_rate"].to_numpy()
    low = t["low_execution"].to_numpy()
    ax.scatter(x[~low], y[~low], s=28, color="#4472c4", label="正常")
    ax.scatter(x[low], y[low], s=36, color="#c00000", marker="v", label="执行偏慢 (low execution)")
    tp = 100 * result.time_progress
    ax.axhline(tp, ls="--", color="black", lw=1, label=f"时间进度 {tp:.2f}%")
    ax.axhline(tp - 100 * result.tolerance, ls=":", color="#c00000", lw=1,
               label=f"预警线 {tp - 100 * result.tolerance:.2f}%")
    ax.set_xscale("log")
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("全年预算数（万元，对数刻度）")
    ax.set_ylabel("预算执行率（%）")
    ax.set_title(f"预算执行率与时间进度（截至 {result.as_of.isoformat()}）")
    ax.legend(loc="best", fontsize=8)
    return ax


def plot_deviation(result: MonitoringResult, ax=None, *, top: int = 20):
    """Achievement of the indicators furthest behind their expected-to-date value (horizontal bars).

    Shows the ``top`` quantitative indicators with the lowest achievement
    (achievement − 100%); the threshold is marked. Returns the Axes.
    """
    setup_fonts()
    r = result.indicators
    r = r[r["achievement"].notna() & np.isfinite(r["achievement"])].nsmallest(top, "achievement")
    if ax is None:
        _, ax = new_figure(8, max(2.5, 0.3 * len(r) + 1))
    labels = [f"{p} {n}" for p, n in zip(r["project_id"], r["level3"])]
    v = 100 * (r["achievement"].to_numpy() - 1)
    colors = np.where(r["deviation"].to_numpy(), "#c00000", "#4472c4")
    ax.barh(labels[::-1], v[::-1], color=colors[::-1])
    ax.axvline(100 * (result.deviation_threshold - 1), ls=":", color="#c00000", lw=1,
               label=f"偏离阈值 {100 * result.deviation_threshold:.0f}%")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("目标实现程度 − 100%（百分点）")
    ax.set_title("指标序时进度偏差（deviation per indicator）")
    ax.legend(loc="lower right", fontsize=8)
    return ax
