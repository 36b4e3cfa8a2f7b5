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
    ax.scatter(x[low], y[low], s=36, color="#c00000", marker="v", label="执行偏慢")
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
    ax.set_title("指标序时进度偏差")
    ax.legend(loc="lower right", fontsize=8)
    return ax


def plot_trajectory(rounds, *, columns: int = 4):
    """分段展示: each project's trajectory over the monitoring dates, one small panel per project.

    Solid line: 预算执行率 at each date; dashed: 时间进度; bars: share of the
    project's indicators on 绿 (target met to date) at each date — execution
    against time, and indicator completion, in one picture. ``rounds`` is a
    :class:`costing.performance.monitoring.MonitoringRounds`. Returns the Figure.
    """
    setup_fonts()
    tr = rounds.trajectory
    ids = list(dict.fromkeys(tr["project_id"]))
    rows = -(-len(ids) // columns)
    fig, _ = new_figure(2.6 * columns, 2.1 * rows + 0.4)   # outside pyplot: displayed once
    fig.clf()
    axes = fig.subplots(rows, columns, sharex=True, sharey=True, squeeze=False)
    labels = [f"{d.month}月{d.day}日" for d in rounds.dates]
    x = np.arange(len(labels))
    for ax, pid in zip(axes.flat, ids):
        t = tr[tr["project_id"] == pid]
        n = (t["n_green"] + t["n_yellow"] + t["n_red"]).replace(0, np.nan)
        ax.bar(x, 100 * (t["n_green"] / n).fillna(0).to_numpy(), color="#c6efce", width=0.6, label="绿灯指标占比")
        ax.plot(x, 100 * t["time_progress"].to_numpy(), ls="--", color="black", lw=1, label="时间进度")
        low = t["low_execution"].to_numpy()
        ax.plot(x, 100 * t["execution_rate"].to_numpy(), color="#4472c4", marker="o", ms=3, label="预算执行率")
        ax.scatter(x[low], 100 * t["execution_rate"].to_numpy()[low], color="#c00000", marker="v", s=24, zorder=3,
                   label="执行偏慢")
        ax.set_title(f"{pid} {t['project_name'].iloc[0]}", fontsize=8)
        ax.set_ylim(0, 110)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(ids):]:
        ax.set_visible(False)
    for k, ax in enumerate(list(axes.flat)[:len(ids)]):
        ax.set_xticks(x, labels)
        ax.tick_params(labelbottom=k + columns >= len(ids))   # the lowest panel of each column shows the dates
    handles, names = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside upper center", ncol=4, fontsize=8, frameon=False)
    fig.supylabel("%（执行率、时间进度、绿灯指标占比）", fontsize=8)
    return fig
