"""Read a CBA project file (TOML) and its yearly cash-flow table (CSV).

The project file names the table, the items (kind and label), the discount
preset, the sensitivity factors and the Monte Carlo distributions; see
``data/projects/cba_ebus_replacement.toml``. The table has a ``year`` column
and one column per item, amounts as positive magnitudes in the declared
money unit; lines starting with ``#`` are comments. Every problem raises an
InputError naming the file, row and column.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError, ParameterError
from ..io import Column, read_table
from ..project import read_project_file
from ..units import money_factor
from .cashflow import KIND_SIGN, CashFlowItem, CashFlowModel
from .discounting import TIMINGS, get_preset

__all__ = ["CBAProject", "load_cba_project"]


@dataclass(frozen=True)
class CBAProject:
    """A CBA project: model, discounting, sensitivity and Monte Carlo settings."""

    name: str
    title: str
    model: CashFlowModel
    discount: str
    timing: str
    benchmark_rate: float
    factor_items: dict
    factor_labels: dict
    changes: tuple
    mc_specs: dict
    mc_n: int
    mc_seed: int | None
    mc_correlation: list = field(default_factory=list)
    synthetic: bool = False
    note: str = ""
    path: Path | None = None


def _need(d: dict, key: str, file, section: str):
    if key not in d:
        raise InputError(f"[{section}] 缺少设置 {key}", file=file, expected=key, found="、".join(map(str, sorted(d))) or "（无）")
    return d[key]


def _read_table(path: Path, names: list[str], unit: str, sheet: str | None = None
                ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The cash-flow table through the common reader (:func:`costing.io.read_table`): one
    policy for encodings, separators and bad cells; amounts in ``unit`` -> 元."""
    if not path.exists():
        raise InputError("找不到现金流量表", file=path, expected="已有的 CSV 文件")
    cols = [Column("year", "year"), *[Column(n, "number", min_value=0) for n in names]]
    df, meta = read_table(path, cols, sheet=sheet, key=["year"], keep_extra=False, label="cashflows")
    if df.empty:
        raise InputError("现金流量表没有数据行", **meta.where("year", 2),
                         expected="每年一行", found="只有表头")
    years = df["year"].to_numpy()
    steps = np.diff(years)
    if np.any(steps != 1):
        i = int(np.flatnonzero(steps != 1)[0]) + 1
        raise InputError("年份顺序不对或不连续", **meta.where("year", i + 2),
                         expected=f"{int(years[i - 1]) + 1}", found=int(years[i]))
    f = money_factor(unit, where={"file": path})
    return years.astype(int), {c: df[c].to_numpy(dtype=float) * f for c in names}


def load_cba_project(path) -> CBAProject:
    """Read and validate a CBA project file.

    Parameters
    ----------
    path : str or Path
        The TOML file; the table path inside it is relative to the file.

    Returns
    -------
    CBAProject
    """
    path = Path(path)
    cfg = read_project_file(path)  # TOML, YAML or a fill-in workbook (costing new cba)
    proj = cfg.get("project", {})
    cf = _need(cfg, "cashflows", path, "root")
    items_cfg = _need(cfg, "items", path, "root")
    for k, it in enumerate(items_cfg):
        for key in ("name", "kind"):
            _need(it, key, path, f"items #{k + 1}")
        if it["kind"] not in KIND_SIGN:
            raise ParameterError(f"item {it['name']!r}: unknown kind", file=path,
                                 expected=f"one of {list(KIND_SIGN)}", found=it["kind"])
    names = [it["name"] for it in items_cfg]
    ref = _need(cfg.get("tables", {}), "cashflows", path, "tables")
    rel, sheet = (ref["path"], ref.get("sheet")) if isinstance(ref, dict) else (ref, None)
    table = (path.parent / rel).resolve()
    years, amounts = _read_table(table, names, cf.get("unit", "元"), sheet)
    start = int(cf.get("start_year", years[0]))
    if years[0] != start:
        raise InputError("现金流量表的第一年不是起始年度（start_year）", file=table, column="year",
                         expected=start, found=int(years[0]))
    items = tuple(CashFlowItem(it["name"], it["kind"], amounts[it["name"]], it.get("label", it["name"]))
                  for it in items_cfg)
    model = CashFlowModel(items, start, cf.get("price_basis", "real"), cf.get("price_year"),
                          proj.get("title", ""), {"table": str(table)})

    disc = cfg.get("discount", {})
    preset = disc.get("preset", "china_8")
    get_preset(preset)
    timing = disc.get("timing", "start")
    if timing not in TIMINGS:
        raise ParameterError("unknown timing", file=path, expected=list(TIMINGS), found=timing)

    factors = cfg.get("factors", {})
    factor_items, factor_labels = {}, {}
    for fname, fcfg in factors.items():
        its = _need(fcfg, "items", path, f"factors.{fname}")
        unknown = [i for i in its if i not in names]
        if unknown:
            raise ParameterError(f"factor {fname!r} names unknown items", file=path,
                                 expected=f"items of {names}", found=unknown)
        factor_items[fname] = list(its)
        factor_labels[fname] = fcfg.get("label", fname)

    mc = cfg.get("montecarlo", {})
    specs = mc.get("factors", {})
    for fname in specs:
        if fname not in factor_items:
            raise ParameterError(f"Monte Carlo factor {fname!r} is not defined in [factors]", file=path,
                                 expected=list(factor_items), found=fname)
    sens = cfg.get("sensitivity", {})
    return CBAProject(
        name=proj.get("name", path.stem), title=proj.get("title", path.stem), model=model,
        discount=preset, timing=timing, benchmark_rate=float(disc.get("benchmark_rate", get_preset(preset).rate)),
        factor_items=factor_items, factor_labels=factor_labels,
        changes=tuple(sens.get("changes", (-0.2, -0.1, 0.1, 0.2))), mc_specs=dict(specs),
        mc_n=int(mc.get("n", 10_000)), mc_seed=mc.get("seed"), mc_correlation=list(mc.get("correlation", [])),
        synthetic=bool(proj.get("synthetic", False)), note=proj.get("note", ""), path=path)
