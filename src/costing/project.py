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

import copy
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .errors import InputError
from .io import Column, TableMeta, parse_money, read_table, read_text_file
from .units import money_factor

TOP_LEVEL_KEYS = {"project", "tables", "parameters", "money", "standard", "budget", "benchmark",
                  "report", "performance_targets", "targets", "drivers", "operations", "peers",
                  "sensitivity", "type"}
REQUIRED_TABLES = ("targets", "cost_items", "actual_costs", "operations", "peers", "price_index", "requested")
OPTIONAL_TABLES = ("peer_costs",)

COST_ITEM_COLUMNS = [
    Column("item_id", "text"),
    Column("item_name", "text"),
    Column("category", "text"),
    Column("quantity", "expr"),
    Column("quantity_unit", "text", required=False, allow_empty=True),
    Column("unit_price", "expr"),
    Column("price_unit", "text"),
    Column("price_index", "text", required=False, allow_empty=True, choices=("cpi", "wage", "none"), default="cpi"),
    Column("cost_driver", "text", required=False, allow_empty=True, default=""),
    Column("rule", "text", required=False, allow_empty=True, default=""),
]
ACTUAL_COST_COLUMNS = [Column("year", "year"), Column("item_id", "text"), Column("amount", "money", min_value=0)]
PEER_COST_COLUMNS = [Column("peer_id", "text"), Column("year", "year"), Column("item_id", "text"),
                     Column("amount", "money", min_value=0)]
PRICE_INDEX_COLUMNS = [Column("year", "year"), Column("cpi", positive=True), Column("wage_index", positive=True)]
REQUESTED_COLUMNS = [Column("item_id", "text"), Column("requested", "money", min_value=0)]


@dataclass
class Project:
    """A validated project: its settings and its tables (money in 元).

    Attributes
    ----------
    id, name : str
    path : Path
        The project file.
    spec : dict
        The project type's template merged with the project file's overrides.
    budget_year, price_year : int
        The year budgeted, and the price base of every amount reported.
    parameters : dict[str, float]
        Named numbers used by formulas.
    money : dict[str, float]
        Named amounts [元] (higher-level subsidy, other revenue, taxes, requested subsidy...).
    tables : dict[str, DataFrame]
        ``targets``, ``cost_items``, ``actual_costs``, ``operations``, ``peers``,
        ``peer_costs`` (may be empty), ``price_index``, ``requested``.
    meta : dict[str, TableMeta]
        Where each table came from (for error messages and hashes).
    """

    id: str
    name: str
    path: Path
    spec: dict
    budget_year: int
    price_year: int
    parameters: dict[str, float]
    money: dict[str, float]
    tables: dict[str, pd.DataFrame]
    meta: dict[str, TableMeta]
    rules: dict[str, str] = field(default_factory=dict)
    budget: dict[str, Any] = field(default_factory=dict)
    performance_targets: dict[str, Any] = field(default_factory=dict)
    raw: dict = field(default_factory=dict)

    @property
    def type_id(self) -> str:
        return self.spec["type"]["id"]

    @property
    def output(self) -> str:
        """The unit-cost denominator's identifier (``vehicle_km``)."""
        return self.spec["type"]["output"]

    @property
    def unit_cost_label(self) -> str:
        return self.spec["type"]["unit_cost_label"]


def _deep_merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def read_project_file(path: str | Path) -> dict:
    """Parse a TOML or YAML project file safely; InputError on a syntax error."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):  # a fill-in workbook is a project (costing.workbook)
        from .workbook import read_mapping

        return read_mapping(path)
    text = read_text_file(path, expected="a .toml or .yaml project file")
    try:
        if suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        else:
            raise InputError("unsupported project file type", file=str(path),
                             expected=".toml, .yaml or .yml", found=path.suffix)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"not valid TOML ({e})", file=str(path)) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise InputError(f"not valid YAML ({getattr(e, 'problem', e)})", file=str(path),
                         row=(mark.line + 1) if mark else None) from None
    if not isinstance(data, dict):
        raise InputError("project file is not a table of settings", file=str(path),
                         expected="key = value settings", found=type(data).__name__)
    return data


def load_type(type_ref: str, *, base_dir: Path | None = None, where: dict | None = None) -> dict:
    """A project type template: a name in ``costing/templates`` or a path to a TOML file.

    ``where`` (InputError keywords) is the place that names the type, e.g. the
    project file and ``project.type``.
    """
    w = where or {}
    candidate = (base_dir / type_ref) if base_dir is not None else Path(type_ref)
    if type_ref.endswith(".toml") and candidate.exists():
        try:
            return tomllib.loads(read_text_file(candidate, what="project type template"))
        except tomllib.TOMLDecodeError as e:
            raise InputError(f"project type template is not valid TOML ({e})", file=str(candidate)) from None
    files = resources.files("costing") / "templates" / f"{type_ref}.toml"
    if not files.is_file():
        known = sorted(p.name[:-5] for p in (resources.files("costing") / "templates").iterdir()
                       if p.name.endswith(".toml"))
        raise InputError("unknown project type", **w, expected=f"one of {known} or a path to a .toml template",
                         found=type_ref)
    return tomllib.loads(files.read_text(encoding="utf-8"))


def _year(head: dict, key: str, pfile: Path, default=None) -> int:
    """``project.<key>`` as a whole year; InputError naming it otherwise (``"2026年"``, ``2026.5``)."""
    v = head.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int) or not 1900 <= v <= 2200:
        raise InputError(f"project.{key} is not a year", file=str(pfile), column=f"project.{key}",
                         expected="a whole year such as 2026 (a number, without 年 or decimals)", found=v)
    return v


def _columns(spec_cols: list[dict]) -> list[Column]:
    cols = []
    for c in spec_cols:
        c = dict(c)
        if "choices" in c:
            c["choices"] = tuple(c["choices"])
        if "aliases" in c:
            c["aliases"] = tuple(c["aliases"])
        cols.append(Column(**c))
    return cols


def _table_ref(ref, base: Path, name: str, pfile: Path) -> tuple[Path, str | None]:
    if isinstance(ref, str):
        return (base / ref).resolve(), None
    if isinstance(ref, dict) and "path" in ref:
        return (base / ref["path"]).resolve(), ref.get("sheet")
    raise InputError(f"bad table reference for {name!r}", file=str(pfile), column=f"tables.{name}",
                     expected="a path, or {path = ..., sheet = ...}", found=ref)


def table_schemas(spec: dict) -> dict[str, tuple[list[Column], list[str] | None]]:
    """Table name -> (its columns, its key columns) for a project type's merged spec."""
    return {
        "targets": (_columns(spec["targets"]["columns"]), spec["targets"].get("key")),
        "cost_items": (COST_ITEM_COLUMNS, ["item_id"]),
        "actual_costs": (ACTUAL_COST_COLUMNS, ["year", "item_id"]),
        "operations": (_columns(spec["operations"]["columns"]), ["year"]),
        "peers": (_columns(spec["peers"]["columns"]), ["peer_id", "year"]),
        "peer_costs": (PEER_COST_COLUMNS, ["peer_id", "year", "item_id"]),
        "price_index": (PRICE_INDEX_COLUMNS, ["year"]),
        "requested": (REQUESTED_COLUMNS, ["item_id"]),
    }


def load_project(path: str | Path) -> Project:
    """Read, validate and return a project.

    Parameters
    ----------
    path : path-like
        A ``.toml`` or ``.yaml`` project file.

    Raises
    ------
    InputError
        On any bad input; the message names the file (and sheet, row, column).
    """
    pfile = Path(path).resolve() if Path(path).exists() else Path(path)
    data = read_project_file(pfile)
    unknown = sorted(set(data) - TOP_LEVEL_KEYS)
    if unknown:
        raise InputError(f"unknown section {unknown[0]!r}", file=str(pfile),
                         expected=f"sections among {sorted(TOP_LEVEL_KEYS)}", found=unknown[0])
    head = data.get("project")
    if not isinstance(head, dict):
        raise InputError("missing [project] section", file=str(pfile), expected="[project] with id, type, budget_year")
    for k in ("id", "type", "budget_year"):
        if k not in head:
            raise InputError(f"missing project.{k}", file=str(pfile), column=f"project.{k}", expected="a value")
    base = pfile.parent
    spec = _deep_merge(load_type(str(head["type"]), base_dir=base,
                                 where=dict(file=str(pfile), column="project.type")),
                       {k: v for k, v in data.items() if k in ("targets", "drivers", "operations", "peers",
                                                               "benchmark", "sensitivity", "type")})
    budget_year = _year(head, "budget_year", pfile)
    price_year = _year(head, "price_year", pfile, default=budget_year)

    params: dict[str, float] = dict(spec.get("parameters", {}))
    for k, v in (data.get("parameters") or {}).items():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise InputError(f"parameter {k!r} is not a number", file=str(pfile), column=f"parameters.{k}",
                             expected="a number (money goes in [money] with its unit)", found=v)
        params[k] = float(v)
    budget = dict(data.get("budget") or {})
    for k, v in budget.items():
        if k != "preset" and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)):
            raise InputError(f"budget.{k} is not a number", file=str(pfile), column=f"budget.{k}",
                             expected="a finite number (a rate as a fraction: 0.02, not '2%')", found=v)
    money = {k: parse_money(v, where=dict(file=str(pfile), column=f"money.{k}"))
             for k, v in (data.get("money") or {}).items()}

    refs = data.get("tables") or {}
    missing = [t for t in REQUIRED_TABLES if t not in refs]
    if missing:
        raise InputError(f"missing table {missing[0]!r}", file=str(pfile), column="tables",
                         expected=f"tables {list(REQUIRED_TABLES)}", found=sorted(refs))
    schemas = table_schemas(spec)
    tables: dict[str, pd.DataFrame] = {}
    meta: dict[str, TableMeta] = {}
    for name, (cols, key) in schemas.items():
        if name not in refs:
            continue
        tpath, sheet = _table_ref(refs[name], base, name, pfile)
        if not tpath.exists():
            raise InputError(f"table {name!r} does not exist", file=str(tpath),
                             expected=f"the file named by tables.{name} in {pfile}")
        tables[name], meta[name] = read_table(tpath, cols, sheet=sheet, key=key, label=name)
        if tables[name].empty and name in REQUIRED_TABLES:
            raise InputError(f"the {name} table has no rows", **meta[name].where(None, 2),
                             expected="at least one data row under the header", found="only a header")
    if "peer_costs" not in tables:
        tables["peer_costs"] = pd.DataFrame({"peer_id": pd.Series(dtype=str), "year": pd.Series(dtype=int),
                                             "item_id": pd.Series(dtype=str), "amount": pd.Series(dtype=float)})

    proj = Project(id=str(head["id"]), name=str(head.get("name", head["id"])), path=pfile, spec=spec,
                   budget_year=budget_year, price_year=price_year, parameters=params, money=money,
                   tables=tables, meta=meta, rules={str(k): str(v) for k, v in (data.get("standard") or {}).items()},
                   budget=budget, performance_targets=dict(data.get("performance_targets") or {}),
                   raw=data)
    _cross_check(proj)
    return proj


def _cross_check(p: Project) -> None:
    """Checks that span tables: item ids, years, price units, index coverage."""
    items = p.tables["cost_items"]
    im = p.meta["cost_items"]
    for i, unit in items["price_unit"].items():
        money_part = str(unit).split("/")[0].strip()
        money_factor(money_part, where=im.where("price_unit", i + 2))
    known = set(items["item_id"])
    for tname in ("actual_costs", "requested", "peer_costs"):
        t = p.tables[tname]
        bad = t.index[~t["item_id"].isin(known)]
        if len(bad):
            i = int(bad[0])
            raise InputError("unknown cost item", **p.meta[tname].where("item_id", i + 2),
                             expected=f"an item_id of {p.meta['cost_items'].path.name}: {sorted(known)}",
                             found=t.loc[i, "item_id"])
    ops = p.tables["operations"]
    years = sorted(ops["year"])
    if len(years) < 3:
        raise InputError("fewer than 3 years of audited actuals", **p.meta["operations"].where("year"),
                         expected="at least 3 years", found=years)
    ac_years = set(p.tables["actual_costs"]["year"])
    missing = sorted(set(years) - ac_years)
    if missing:
        raise InputError("year without actual costs", **p.meta["actual_costs"].where("year"),
                         expected=f"cost rows for every year of the operations table {years}", found=missing)
    idx_years = set(p.tables["price_index"]["year"])
    need = set(years) | set(p.tables["peers"]["year"]) | {p.price_year}
    lacking = sorted(need - idx_years)
    if lacking:
        raise InputError("price index does not cover a year that is used", **p.meta["price_index"].where("year"),
                         expected=f"indices for {sorted(need)}", found=f"missing {lacking}")
    pc = p.tables["peer_costs"]
    if len(pc):
        keys = set(zip(p.tables["peers"]["peer_id"], p.tables["peers"]["year"]))
        for i, (pid, yr) in enumerate(zip(pc["peer_id"], pc["year"])):
            if (pid, yr) not in keys:
                raise InputError("peer cost for a peer/year not in the peers table",
                                 **p.meta["peer_costs"].where("peer_id", i + 2),
                                 expected="a peer_id and year listed in the peers table", found=(pid, int(yr)))
