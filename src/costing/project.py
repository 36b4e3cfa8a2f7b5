"""Project files: one TOML (or YAML) file per project, naming its tables.

A project file looks like ``data/projects/bus_example.toml``::

    [project]
    id = "bus_example"
    name = "示例区公交运行补贴"
    type = "bus"                 # a template in costing/templates/, or a path to one
    budget_year = 2026
    price_year = 2026            # the price base of every 元 the report shows

    [tables]                     # paths relative to this file
    targets = "../raw/bus_example/targets.csv"
    cost_items = "../raw/bus_example/cost_items.csv"
    ...

    [parameters]                 # numbers used by formulas (ratios, prices, quotas)
    [money]                      # amounts with units: {amount = 1200, unit = "万元"}
    [standard]                   # rules per cost item (override the table's rule column)
    [budget]                     # preset = "shanting" | "policy_operating_split"

Everything is validated here, once, at the boundary: every error names the
file, sheet, row and column. Tables are read but never written.
"""
from __future__ import annotations

from pathlib import Path

from .errors import InputError
from .intake import Column  # noqa: F401  (re-exported)
from .io import TableMeta  # noqa: F401  (re-exported)
from .schema import (ACTUAL_COST_COLUMNS, COST_ITEM_COLUMNS, OPTIONAL_TABLES, PEER_COST_COLUMNS,  # noqa: F401
                     PRICE_INDEX_COLUMNS, REQUESTED_COLUMNS, REQUIRED_TABLES, TOP_LEVEL_KEYS, Project,
                     _columns, _deep_merge, _table_ref, _year, build_project, cross_problems, load_type,
                     parse_settings, table_schemas)


def read_project_file(path: str | Path) -> dict:
    """A project's settings: a TOML or YAML file parsed safely, or a fill-in workbook after its full check."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):  # a fill-in workbook is a project
        from .workbook import read_mapping

        return read_mapping(path)
    return parse_settings(path)


def load_project(path: str | Path) -> Project:
    """Read, validate and return a project.

    Parameters
    ----------
    path : path-like
        A ``.toml`` or ``.yaml`` project file, or a fill-in workbook (``.xlsx``).

    Raises
    ------
    InputError
        On any bad input; the message names the file (and sheet, row, column).
    """
    pfile = Path(path).resolve() if Path(path).exists() else Path(path)
    if not pfile.exists():
        raise InputError("项目文件不存在", file=str(pfile), expected="已有的 .toml 项目文件或 .xlsx 填报工作簿",
                         fix="检查文件名和路径")
    return build_project(read_project_file(pfile), pfile.parent, path=pfile)
