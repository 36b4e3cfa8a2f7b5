"""Reader for the US National Transit Database (NTD) 2022 bus extract used by the real-data notebook.

The data (``../shared/data/ntd/``, see its README) are not part of the project.
This module reads the merged bus-mode file, removes duplicated keys, selects
the comparable peer group and derives the unit cost the notebook shows.
Units are those of the source: nominal US dollars of each agency's fiscal
year 2022 [USD], miles [mi] and vehicles [vehicles].
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["NTD_BUS_FILE", "NTD_KEY", "NTD_REQUIRED", "load_ntd_bus", "ntd_peer_group",
           "cost_per_vrm", "frontier_sample"]

NTD_BUS_FILE = "ntd2022_bus_MB_merged.csv"
#: one service = one agency × mode × type of service (DO directly operated, PT purchased)
NTD_KEY = ["ntd_id", "mode", "tos"]
NTD_REQUIRED = NTD_KEY + ["agency", "reporter_type", "mode_voms", "opex_total",
                          "vehicle_revenue_miles", "fares_total"]


def load_ntd_bus(ntd_dir: str | Path) -> pd.DataFrame:
    """Read ``ntd2022_bus_MB_merged.csv`` and keep one row per service key.

    A few keys (``ntd_id``, ``mode``, ``tos``) appear twice in the source; the
    row with the larger ``opex_total`` is kept (the other copy reports 0).

    Parameters
    ----------
    ntd_dir : str or Path
        Folder holding the NTD extract.

    Returns
    -------
    DataFrame
        One row per service; ``attrs["duplicates_removed"]`` counts the rows dropped.

    Raises
    ------
    InputError
        The file is missing or lacks a required column.
    """
    path = Path(ntd_dir) / NTD_BUS_FILE
    if not path.exists():
        raise InputError("NTD bus file not found (set the notebook parameter ntd_dir)",
                         file=path, expected=f"{NTD_BUS_FILE} in {Path(ntd_dir)}",
                         found="no such file")
    df = pd.read_csv(path)
    missing = [c for c in NTD_REQUIRED if c not in df.columns]
    if missing:
        raise InputError("NTD bus file lacks required columns", file=path,
                         column=missing[0], expected=NTD_REQUIRED, found=list(df.columns))
    before = len(df)
    df = (df.sort_values("opex_total", ascending=False, kind="stable")
            .drop_duplicates(NTD_KEY, keep="first")
            .sort_index())
    df.attrs["duplicates_removed"] = before - len(df)
    return df


def ntd_peer_group(df: pd.DataFrame, *, reporter_type: str = "Full Reporter",
                   tos: str = "DO") -> pd.DataFrame:
    """Comparable peers: one reporter type and type of service, with positive opex,
    vehicles and vehicle revenue miles. The README's sanity group is the default
    (full reporters, directly operated: 287 services)."""
    keep = ((df["reporter_type"] == reporter_type) & (df["tos"] == tos)
            & (df["opex_total"] > 0) & (df["mode_voms"] > 0)
            & (df["vehicle_revenue_miles"] > 0))
    return df.loc[keep].copy()


def cost_per_vrm(df: pd.DataFrame) -> pd.Series:
    """Operating cost per vehicle revenue mile [USD/mi] = ``opex_total / vehicle_revenue_miles``."""
    return (df["opex_total"] / df["vehicle_revenue_miles"]).rename("cost_per_vrm")


def frontier_sample(df: pd.DataFrame, columns=("opex_total", "mode_voms",
                                               "vehicle_revenue_miles", "fares_total")
                    ) -> pd.DataFrame:
    """Rows usable by DEA and SFA: every listed column finite and > 0.

    DEA needs strictly positive inputs and SFA logs every variable, so a
    service with no fare revenue (fare-free systems) is left out here;
    ``attrs["excluded"]`` counts them.
    """
    cols = list(columns)
    vals = df[cols].astype(float)
    ok = np.isfinite(vals).all(axis=1) & (vals > 0).all(axis=1)
    out = df.loc[ok].copy()
    out.attrs["excluded"] = int((~ok).sum())
    return out


# ------------------------------------------------------------------ frontier models and charts
DEA_INPUTS = ["opex_total", "mode_voms"]
DEA_OUTPUTS = ["vehicle_revenue_miles", "fares_total"]


def ntd_dea(sample: pd.DataFrame):
    """Input-oriented DEA of the sample: inputs opex [USD] and vehicles; outputs revenue miles and fares.

    Returns ``(crs, vrs, scores)``: the two :class:`DEAResult` objects and a
    table of agency, CRS and VRS θ, cost per revenue mile and the frontier
    opex (VRS target input) [USD].
    """
    from .dea import dea_full

    X, Y = sample[DEA_INPUTS], sample[DEA_OUTPUTS]
    crs = dea_full(X, Y, rts="crs")
    vrs = dea_full(X, Y, rts="vrs")
    scores = pd.DataFrame({"agency": sample["agency"].to_numpy(), "crs": crs.efficiency, "vrs": vrs.efficiency,
                           "cost_per_vrm": cost_per_vrm(sample).to_numpy(),
                           "opex_total": X["opex_total"].to_numpy(), "frontier_opex": vrs.target_inputs[:, 0],
                           "vrs_peers": vrs.peers}, index=sample.index)
    return crs, vrs, scores


def ntd_sfa(sample: pd.DataFrame):
    """Cost frontier by SFA: ln opex on ln revenue miles and ln vehicles (inefficiency raises cost)."""
    from .sfa import sfa

    return sfa(np.log(sample["opex_total"]), np.log(sample[["vehicle_revenue_miles", "mode_voms"]]), cost=True)


def plot_unit_cost_distribution(unit_cost: pd.Series, *, clip: float = 40.0):
    """Histogram of cost per vehicle revenue mile [USD/mi] with the median marked."""
    from ..plotting import new_figure

    fig, ax = new_figure(7, 3.5)
    ax.hist(unit_cost.clip(upper=clip), bins=40, color="#4a7ab5")
    med = float(unit_cost.median())
    ax.axvline(med, color="k", ls="--", label=f"中位数 {med:.2f}")
    ax.set_xlabel(f"每车辆营运英里运营成本（美元/英里，截至 {clip:g}）")
    ax.set_ylabel("服务数")
    ax.set_title("美国国家公交数据库 2022 年公交单位成本分布")
    ax.legend()
    return fig


def plot_dea(scores: pd.DataFrame):
    """DEA efficiency: CRS and VRS distributions, and VRS θ against cost per revenue mile."""
    from ..plotting import setup_fonts
    from matplotlib.figure import Figure

    setup_fonts()
    fig = Figure(figsize=(10, 3.8), layout="constrained")
    a, b = fig.subplots(1, 2)
    a.hist([scores["crs"], scores["vrs"]], bins=20, label=["CRS", "VRS"])
    a.set_xlabel("效率 θ")
    a.set_ylabel("服务数")
    a.legend()
    a.set_title("DEA 效率分布")
    b.scatter(scores["cost_per_vrm"], scores["vrs"], s=10, alpha=0.6)
    b.set_xscale("log")
    b.set_xlabel("每营运英里成本 (USD/mi，对数轴)")
    b.set_ylabel("VRS 效率 θ")
    b.set_title("单位成本与 DEA 效率")
    return fig


def plot_frontier_comparison(compare: pd.DataFrame, x: str = "SFA", y: str = "DEA VRS"):
    """Scatter of two frontier methods' efficiency scores."""
    from ..plotting import new_figure

    fig, ax = new_figure(5.5, 4)
    ax.scatter(compare[x], compare[y], s=10, alpha=0.6)
    ax.set_xlabel(f"{x} 成本效率")
    ax.set_ylabel(f"{y} 效率 θ")
    ax.set_title("两种前沿方法的效率对比")
    return fig
