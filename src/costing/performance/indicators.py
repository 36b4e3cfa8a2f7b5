"""The indicator library (绩效目标指标库): a choose-from catalogue per project type.

Each project type has a CSV data file in ``costing/performance/indicators/``
(``bus_subsidy.csv``, ``sanitation.csv`` for road sweeping and refuse collection,
``public_toilet.csv`` 公厕, ``waste_sorting.csv`` 垃圾分类, ``generic.csv``); adding a type is
adding a file. Every indicator carries its place in the three-level tree
(:data:`LEVELS`: 产出 / 效益 / 满意度 and their level-2 groups), a unit, a
direction (``higher`` / ``lower`` / ``qualitative``), a progress type
(``cumulative``: the quantity builds up over the year, so the expected value
to date is target × time progress; ``level``: a rate, quality or stock
indicator whose expected value to date is the target itself), a suggested
target and a data source.

:func:`search_indicators` filters the library; :func:`smart_check` flags
targets that are not SMART: no number, no unit or no data source.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..io import Column, read_table
from .scoring import normalize_direction

LIBRARY_DIR = Path(__file__).parent / "indicators"

#: level-1 indicator -> its level-2 indicators (《项目支出绩效自评表》 tree)
LEVELS: dict[str, tuple[str, ...]] = {
    "产出指标": ("数量指标", "质量指标", "时效指标", "成本指标"),
    "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    "满意度指标": ("服务对象满意度指标",),
}

#: progress type spellings -> ``cumulative`` or ``level``
PROGRESS_ALIASES: dict[str, str] = {
    "累计": "cumulative", "cumulative": "cumulative", "累积": "cumulative",
    "比率": "level", "时点": "level", "rate": "level", "level": "level", "stock": "level", "": "level",
}

#: columns of a library file (and of a portfolio's indicator table, which reuses them)
LIBRARY_COLUMNS = [
    Column("indicator_id", "text", aliases=("指标编码", "指标代码", "indicator")),
    Column("level1", "text", aliases=("一级指标", "level 1")),
    Column("level2", "text", aliases=("二级指标", "level 2")),
    Column("level3", "text", aliases=("三级指标", "指标名称", "indicator name", "level 3")),
    Column("unit", "text", aliases=("计量单位", "指标单位")),
    Column("direction", "text", aliases=("指标方向", "方向")),
    Column("progress", "text", required=False, allow_empty=True, aliases=("进度类型",)),
    Column("suggested_target", "expr", required=False, allow_empty=True, aliases=("参考指标值", "建议指标值")),
    Column("data_source", "text", required=False, allow_empty=True, aliases=("数据来源", "source")),
    Column("note", "text", required=False, allow_empty=True, aliases=("说明", "备注")),
]


def normalize_level1(value: str) -> str:
    """``产出`` -> ``产出指标``; unknown names are returned unchanged (validated elsewhere)."""
    v = str(value).strip()
    return v if v.endswith("指标") or v == "" else v + "指标"


def normalize_level2(value: str) -> str:
    """``数量`` -> ``数量指标``, ``经济效益`` / ``经济`` -> ``经济效益指标``, ``服务对象满意度`` -> ..."""
    v = str(value).strip()
    if v == "" or v.endswith("指标"):
        return v
    for group in LEVELS.values():
        for name in group:
            if name.startswith(v):
                return name
    return v


def check_tree(df: pd.DataFrame, where=None) -> None:
    """Raise InputError for a level-1 / level-2 pair outside :data:`LEVELS`.

    ``where(column, index)`` returns the InputError location keywords.
    """
    where = where or (lambda c, i: dict(column=c, row=int(i) + 2))
    for i, (l1, l2) in enumerate(zip(df["level1"], df["level2"])):
        idx = df.index[i]
        if l1 not in LEVELS:
            raise InputError("未知的一级指标", **where("level1", idx),
                             expected=f"{'、'.join(LEVELS)} 之一", found=l1)
        if l2 not in LEVELS[l1]:
            raise InputError(f"二级指标不属于一级指标“{l1}”", **where("level2", idx),
                             expected=f"{'、'.join(LEVELS[l1])} 之一", found=l2)


def normalize_progress(values) -> np.ndarray:
    """Map progress spellings (累计 / 比率 / 时点 ...) onto ``cumulative`` / ``level``."""
    out = []
    for v in np.asarray(values, dtype=object).reshape(-1):
        key = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip().lower()
        p = PROGRESS_ALIASES.get(key)
        if p is None:
            raise InputError("未知的进度类型", column="progress",
                             expected="累计，或 比率/时点", found=v)
        out.append(p)
    return np.array(out, dtype=object)


def read_library(path: str | Path, project_type: str | None = None) -> pd.DataFrame:
    """Read and validate one library file; ``project_type`` defaults to the file's stem."""
    path = Path(path)
    df, meta = read_table(path, LIBRARY_COLUMNS, key=["indicator_id"], label="indicator library")
    df["level1"] = df["level1"].map(normalize_level1)
    df["level2"] = df["level2"].map(normalize_level2)
    check_tree(df, lambda c, i: meta.where(c, int(i) + 2))
    for i, d in df["direction"].items():
        try:
            df.loc[i, "direction"] = normalize_direction(d).item()
        except InputError as e:
            raise InputError(e.problem, **meta.where("direction", int(i) + 2), expected=e.expected, found=e.found) from None
    df["progress"] = normalize_progress(df["progress"])
    df.insert(0, "project_type", project_type or path.stem)
    return df


@lru_cache(maxsize=None)
def _bundled() -> pd.DataFrame:
    frames = [read_library(p) for p in sorted(LIBRARY_DIR.glob("*.csv"))]
    return pd.concat(frames, ignore_index=True)


def project_types() -> list[str]:
    """The project types with a bundled library file, sorted (``bus_subsidy``, ``generic``, ``public_toilet``, ...)."""
    return sorted(p.stem for p in LIBRARY_DIR.glob("*.csv"))


def load_library(project_type: str | None = None) -> pd.DataFrame:
    """The bundled indicator library, all types or one.

    Parameters
    ----------
    project_type : str, optional
        ``bus_subsidy``, ``sanitation``, ``public_toilet`` (公厕), ``waste_sorting`` (垃圾分类) or
        ``generic``; None gives all types.

    Returns
    -------
    DataFrame
        Columns ``project_type, indicator_id, level1, level2, level3, unit,
        direction, progress, suggested_target, data_source, note``. A copy:
        callers may modify it.
    """
    lib = _bundled()
    if project_type is None:
        return lib.copy()
    if project_type not in set(lib["project_type"]):
        raise InputError("未知的项目类型", column="project_type",
                         expected=f"{'、'.join(project_types())} 之一", found=project_type)
    return lib[lib["project_type"] == project_type].reset_index(drop=True)


def search_indicators(text: str | None = None, *, project_type: str | None = None,
                      level1: str | None = None, level2: str | None = None,
                      direction: str | None = None, library: pd.DataFrame | None = None) -> pd.DataFrame:
    """Search and filter the indicator library.

    Parameters
    ----------
    text : str, optional
        Case-insensitive substring looked up in the code, the three level
        names, the unit, the data source and the note (``"满意度"``, ``"车公里"``).
    project_type, level1, level2, direction : str, optional
        Exact filters; ``level1="产出"`` and ``level2="数量"`` are accepted
        short forms; ``direction`` accepts 正向/反向/定性.
    library : DataFrame, optional
        Library to search (default: the bundled one, all types).

    Returns
    -------
    DataFrame
        The matching rows, in library order.
    """
    lib = load_library() if library is None else library
    mask = pd.Series(True, index=lib.index)
    if project_type is not None:
        mask &= lib["project_type"] == project_type
    if level1 is not None:
        mask &= lib["level1"] == normalize_level1(level1)
    if level2 is not None:
        mask &= lib["level2"] == normalize_level2(level2)
    if direction is not None:
        mask &= lib["direction"] == normalize_direction(direction).item()
    if text:
        t = str(text).lower()
        hay = lib[["indicator_id", "level1", "level2", "level3", "unit", "data_source", "note"]].astype(str)
        hay = hay.apply(lambda s: s.str.lower())
        mask &= hay.apply(lambda s: s.str.contains(t, regex=False)).any(axis=1)
    return lib[mask].reset_index(drop=True)


def _is_number(v) -> bool:
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return not np.isnan(v)
    return False


def smart_check(indicators: pd.DataFrame, *, target: str = "target") -> pd.DataFrame:
    """Flag performance targets that are not SMART.

    A quantitative indicator (direction ``higher`` / ``lower``) must have a
    numeric target and a unit; every indicator must name its data source.
    Qualitative indicators carry a text target and need no unit.

    Parameters
    ----------
    indicators : DataFrame
        Columns ``direction``, ``unit``, ``data_source`` and ``target``.
    target : str
        Name of the target column (``suggested_target`` for the library itself).

    Returns
    -------
    DataFrame
        The input's index with boolean columns ``no_number``, ``no_unit``,
        ``no_source``, ``smart`` (none of the three) and a Chinese ``problem``
        text (``""`` when SMART).
    """
    d = normalize_direction(indicators["direction"])
    quant = pd.Series(d != "qualitative", index=indicators.index)
    blank = lambda s: s.isna() | (s.astype(str).str.strip().isin(["", "nan", "—", "-"]))  # noqa: E731
    numeric = indicators[target].map(_is_number)
    out = pd.DataFrame(index=indicators.index)
    out["no_number"] = quant & ~numeric
    out["no_unit"] = quant & blank(indicators["unit"])
    out["no_source"] = blank(indicators["data_source"]) if "data_source" in indicators else True
    out["smart"] = ~(out["no_number"] | out["no_unit"] | out["no_source"])
    labels = {"no_number": "指标值未量化", "no_unit": "缺少计量单位", "no_source": "缺少数据来源"}
    out["problem"] = [
        "；".join(labels[k] for k in labels if row[k]) for row in out[list(labels)].to_dict("records")
    ]
    return out
