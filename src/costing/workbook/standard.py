"""Cost-standard projects (bus, sanitation) as workbooks: write, check, and the plausibility rules."""
from __future__ import annotations

import copy
import tempfile
import tomllib
from collections import defaultdict
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import InputError
from . import info as I
from .check import Checker, Table, _show
from .layout import INFO_SHEET, TableSheet, header, project_sheets

#: Chinese names of parameters and money items (the 名称 of 项目信息; the code stays in its 代码 column)
LABELS = I.LABELS
#: who fills each sheet in
FILLED_BY = {"targets": "预算单位", "cost_items": "财政部门与预算单位", "actual_costs": "预算单位（审计数）",
             "operations": "预算单位", "peers": "财政部门", "peer_costs": "财政部门", "price_index": "财政部门",
             "requested": "预算单位"}


def load_rules(kind: str) -> list[dict]:
    """The plausibility rules (``plausibility.toml``) that apply to a project kind."""
    text = (resources.files("costing.workbook") / "plausibility.toml").read_text(encoding="utf-8")
    return [r for r in tomllib.loads(text)["rule"] if kind in r.get("types", [kind])]


def _spec(mapping: dict, base: Path) -> dict:
    from ..schema import type_spec

    return type_spec(mapping, base)


# -- write ---------------------------------------------------------------------------------
def write(kind: str, out: Path, source, w) -> Path:
    from ..schema import build_project, parse_settings
    from .write import COMMON_STEPS

    def load_project(p):
        p = Path(p).resolve()
        return build_project(parse_settings(p), p.parent, path=p)

    with tempfile.TemporaryDirectory() as tmp:
        blank = source is None
        if blank:
            from .. import examples

            source = (examples.write_bus if kind == "bus" else examples.write_sanitation)(Path(tmp))
        project = load_project(source)
        if project.type_id != kind:
            raise InputError("项目文件属于另一项目类型", file=str(source), column="project.type",
                             expected=kind, found=project.type_id)
        mapping = {k: v for k, v in project.raw.items() if k != "tables"}
        note = ""
        if blank:
            mapping["project"] = {"id": "", "name": "", "type": kind, "budget_year": project.budget_year,
                                  "price_year": project.price_year}
            note = "示例值，请核实"
        sheets = project_sheets(project.spec)
        extra_lists = {f"{s.title}_{c.name}": list(c.shown_choices()) for s in sheets for c in s.columns if c.choices}
        w.add_lists(extra_lists)
        for s in sheets:
            _write_table(w, s, project, examples=0 if not blank or s.table == "cost_items" else 2)
        w.info_sheet(I.rows_from_mapping(mapping, kind, LABELS, note), kind)
        t = project.spec["type"]
        guide = [
            f"{t['name']}成本测算填报工作簿：预算单位填写服务目标、成本项目、历年成本和运营数据，"
            f"财政部门据此核定单位成本标准（{t['unit_cost_label']}）并测算补贴，与申报数比较得出审减额、审减率。",
            *COMMON_STEPS,
        ]
        rows = [(INFO_SHEET, "项目编号、类型、年度、补贴口径，测算参数和金额（金额注明单位）", "预算单位", "是")]
        rows += [(s.title, s.purpose, FILLED_BY[s.table], "是" if s.required else "否") for s in sheets]
        item = project.tables["cost_items"].iloc[0]
        rule = item["rule"] or "quota"
        example = [f"成本项目“{item['item_name']}”：数量公式 {item['quantity']}，单价 {item['unit_price']}（{item['price_unit']}），"
                   f"核定规则“{I.value_labels([rule])[rule]}”。公式中的名称是“项目信息”各参数的代码（代码列）和目标测算结果。",
                   f"历年成本：每年每个成本项目一行，如 2024 | {item['item_id']} | 金额（万元）。",
                   "项目信息：金额类别一行一项，如 金额 | 申报补贴总额 | 9128 | 万元。"]
        w.guide_sheet(f"{t['name']}成本测算填报表", guide, rows, example)
        return w.save(out)


def _write_table(w, s: TableSheet, project, examples: int) -> None:
    from ..schema import RULE_CHOICES as _RULES
    from ..units import money_factor

    frame = project.tables[s.table]
    meta = project.meta.get(s.table)
    known = set(meta.headers) if meta is not None else {c.name for c in s.columns}
    cols = [c for c in s.columns if c.name in known]
    extras = [c for c in frame.columns if c not in {x.name for x in s.columns} and c in known]
    out = frame[[c.name for c in cols] + extras].copy()
    heads = []
    for c in cols:
        unit = meta.units.get(c.name) if (meta is not None and c.kind == "money") else None
        if c.kind == "money":
            out[c.name] = out[c.name] / money_factor(unit or "万元")
        heads.append(header(c, unit))
    heads += [meta.headers[c] for c in extras]
    if examples:
        out = out.head(examples)
    for c in cols:  # dropdown columns show Chinese labels; the reader maps them back to the codes
        if c.labels:
            shown = dict(zip(c.choices, c.labels))
            out[c.name] = out[c.name].map(lambda v: shown.get(v, v))
        elif c.name == "rule":
            out[c.name] = out[c.name].map(lambda v: I.value_labels([v])[v] if isinstance(v, str) and v in _RULES else v)
    choices = {j: (f"{s.title}_{c.name}", True) for j, c in enumerate(cols, start=1) if c.choices}
    if s.table == "cost_items":
        j = {c.name: j for j, c in enumerate(cols, start=1)}
        if "rule" in j:
            choices[j["rule"]] = ("核定规则", False)
        if "price_index" in j:
            choices[j["price_index"]] = ("价格指数类型", True)
    years = [j for j, c in enumerate(cols, start=1) if c.kind == "year"]
    w.table_sheet(s, out, heads, choices, years, examples)


# -- check ---------------------------------------------------------------------------------
def check(ck: Checker, sheets: dict, mapping: dict, path: Path) -> None:
    """The table sheets cell by cell (the loaders' column rules), then the plausibility warnings.

    The rules that span tables run in :func:`check_clean`, once every cell is
    valid: they are the project loader's own (:func:`costing.schema.cross_problems`).
    """
    head = mapping.get("project", {})
    if "type" not in head:
        return
    try:
        spec = _spec(mapping, path.parent)
    except InputError as e:
        ck.error(INFO_SHEET, ck.info_cells.get("project.type"), "项目类型无法加载", expected=str(e.expected or ""),
                 found=str(e.found or ""), fix="从下拉列表选择项目类型")
        return
    specs = project_sheets(spec)
    t = {s.table: ck.table(sheets, s) for s in specs}
    mapping["tables"] = {s.table: {"path": path.name, "sheet": s.title} for s in specs if t[s.table].present}
    ck.tables = t
    for s in specs:  # a required table with no rows (the loader refuses it)
        if t[s.table].present and s.required and not sheets[s.title].rows:
            ck.error(s.title, "A2", f"表“{s.title}”没有数据", expected="表头下至少一行数据", found="只有表头",
                     fix="填写数据（可参照模板的示例行）")
    params = {**spec.get("parameters", {}), **mapping.get("parameters", {})}
    _cross(ck, sheets, mapping, path, specs, t)
    plausibility(ck, spec, t, params, _info_refs(sheets.get(INFO_SHEET)), path)


class _SheetMeta:
    """Where a row of a checked sheet is (frame index -> the row Excel shows), like :class:`costing.io.TableMeta`."""

    def __init__(self, path: Path, tb: Table, header_row: list):
        self.path, self.sheet = path, tb.sheet.title
        self.rows = [r["_row"] for r in tb.rows]
        self.headers = {ident: str(header_row[j]) for ident, j in tb.col.items()}
        self.units = dict(tb.units)

    def where(self, column=None, row=None) -> dict:
        if row is not None:
            row = self.rows[row - 2] if 0 <= row - 2 < len(self.rows) else None
        return dict(file=str(self.path), sheet=self.sheet, row=row,
                    column=self.headers.get(column, column) if column else None)


def _cross(ck: Checker, sheets: dict, mapping: dict, path: Path, specs: list[TableSheet], t: dict[str, Table]) -> None:
    """The loader's cross-table rules (:func:`costing.schema.cross_problems`) on the checked cells.

    Runs alongside the cell errors (a bad cell is left out, so it causes no
    follow-on error), so one pass lists every problem.
    """
    import pandas as pd

    from ..schema import Project, cross_problems, settings
    from ..units import MONEY_UNITS
    from .check import _from_error, located

    for s in specs:
        tb = t[s.table]
        if (s.required and not tb.present) or any(c.required and c.name not in tb.col for c in s.columns) \
                or (s.required and not tb.rows):
            return  # a table the rules need is missing: its own error says so
    data = copy.deepcopy(mapping)
    for key in ck.bad_names:  # a bad 项目信息 cell: leave a placeholder, no follow-on "missing" or "undefined"
        if key.startswith("money."):
            data.setdefault("money", {})[key[6:]] = {"amount": 0.0, "unit": "元"}
        else:
            data.setdefault("parameters", {})[key] = 0.0
    try:
        spec, budget_year, price_year, params, budget, money = settings(data, path.parent, path)
    except InputError as e:
        ck.problems.append(_from_error(e, sheets, ck))
        return
    frames, metas = {}, {}
    for s in specs:
        tb = t[s.table]
        if not tb.present:
            continue
        cols = {}
        for c in s.columns:
            if c.name in tb.col:
                f = MONEY_UNITS.get(tb.units.get(c.name, ""), None) if c.kind == "money" else 1.0
                cols[c.name] = [None if r.get(c.name) is None or f is None else
                                (r[c.name] * f if c.kind == "money" else r[c.name]) for r in tb.rows]
            elif not c.required:
                cols[c.name] = [c.default if c.default is not None else
                                (float("nan") if c.kind in ("number", "money", "int", "year") else "")] * len(tb.rows)
        frames[s.table] = pd.DataFrame(cols, index=range(len(tb.rows)))
        metas[s.table] = _SheetMeta(path, tb, sheets[s.title].header)
    if "peer_costs" not in frames:
        frames["peer_costs"] = pd.DataFrame({"peer_id": [], "year": [], "item_id": [], "amount": []})
    head = data.get("project", {})
    proj = Project(id=str(head.get("id", "")), name=str(head.get("name", "")), path=path, spec=spec,
                   budget_year=budget_year, price_year=price_year, parameters=params, money=money, tables=frames,
                   meta=metas, rules={str(k): str(v) for k, v in (data.get("standard") or {}).items()},
                   budget=budget, performance_targets=dict(data.get("performance_targets") or {}), raw=data)
    ck.problems.extend(located(p, sheets, ck) for p in cross_problems(proj))
    ck.project = proj  # the project the loader builds from these cells (the same rules): check_clean reuses it


def check_clean(ck: Checker, sheets: dict, mapping: dict, path: Path) -> None:
    """On a workbook whose every cell is valid: build the project as the commands do, and list what they would refuse.

    The cross-table rules (:func:`costing.schema.cross_problems`), then the
    targets and the back-calculated need (formulas evaluated), and the
    warnings that need the need (申报数 above it).
    """
    from ..method import back_calculate, set_target
    from ..schema import build_project
    from .check import _from_error

    project = getattr(ck, "project", None)  # built by _cross from the checked cells
    if project is None:
        found: list = []  # the cross-table problems: already listed by check (same rules, same cells)
        try:
            project = build_project(copy.deepcopy(mapping), path.parent, path=path, problems=found)
        except InputError as e:
            ck.problems.append(_from_error(e, sheets, ck))
            return
        if any(p.severity == "错误" for p in found):
            return
    try:
        need = back_calculate(set_target(project), project).items["cost"]
    except InputError as e:
        ck.problems.append(_from_error(e, sheets, ck))
        return
    _requested_vs_need(ck, need)


def _info_refs(sheet) -> dict:
    """(类别, 名称) -> the 值 cell of that row on the 项目信息 sheet."""
    if sheet is None:
        return {}
    return {(v[0], str(v[1]).strip()): f"C{r}" for r, v in sheet.rows if len(v) > 1 and v[1] is not None}


# -- plausibility --------------------------------------------------------------------------
def plausibility(ck: Checker, spec: dict, t: dict[str, Table], params: dict, info_ref: dict, path: Path) -> None:
    """The warnings of ``plausibility.toml`` that apply to this project type."""
    for rule in load_rules(spec["type"]["id"]):
        fn = _KINDS.get(rule["kind"])
        if fn is not None:
            fn(ck, rule, spec, t, params, info_ref)


def _warn(ck, rule, sheet, ref, found, expected, column=None):
    ck.warn(sheet, ref, rule["label"] + "超出常见范围", expected=expected, found=found, fix=rule.get("fix", ""),
            rule=rule["id"], basis=rule["basis"], column=column)


def _range_text(rule) -> str:
    lo, hi = rule.get("min"), rule.get("max")
    return f"{lo:g} – {hi:g}" if lo is not None and hi is not None else (f"≤ {hi:g}" if hi is not None else f"≥ {lo:g}")


def _out(x, rule) -> bool:
    return (rule.get("min") is not None and x < rule["min"]) or (rule.get("max") is not None and x > rule["max"])


def _r_parameter(ck, rule, spec, t, params, info_ref):
    x = params.get(rule["parameter"])
    if isinstance(x, (int, float)) and _out(x, rule):
        _warn(ck, rule, INFO_SHEET, info_ref.get((I.PARAM, rule["parameter"])), f"{x:g}", _range_text(rule))


def _column_values(rule, t):
    """(table, row, value [元 for money]) of the rule's column in each of its tables."""
    for name in rule["tables"]:
        tb = t.get(name)
        if tb is not None and rule["column"] in tb.col:
            f = _money_factor(tb, rule["column"])
            for row in tb.rows:
                if row.get(rule["column"]) is not None:
                    yield tb, row, row[rule["column"]] * f


def _r_column(ck, rule, spec, t, params, info_ref):
    for tb, row, x in _column_values(rule, t):
        if _out(x, rule):
            _warn(ck, rule, tb.sheet.title, tb.ref(rule["column"], row["_row"]), f"{x:,.0f}", _range_text(rule))


def _r_column_vs_parameter(ck, rule, spec, t, params, info_ref):
    ref = params.get(rule["parameter"])
    if not isinstance(ref, (int, float)) or ref <= 0:
        return
    for tb, row, x in _column_values(rule, t):
        if x / ref > rule["max_ratio"]:
            _warn(ck, rule, tb.sheet.title, tb.ref(rule["column"], row["_row"]), f"{x / ref:.2f} 倍",
                  f"≤ {rule['max_ratio']:g} 倍（{rule['parameter']} = {ref:,.0f}）")


def _money_factor(tb: Table, column: str) -> float:
    from ..units import MONEY_UNITS

    return MONEY_UNITS.get(tb.units.get(column, "元"), 1.0)


def _r_peer_median(ck, rule, spec, t, params, info_ref):
    out = spec["type"]["output"]
    ops, peers, ac = t["operations"], t["peers"], t["actual_costs"]
    out_label = spec["type"].get("output_label", out)
    if out not in peers.col or "total_cost" not in peers.col or out not in ops.col:
        return
    fp, fa = _money_factor(peers, "total_cost"), _money_factor(ac, "amount")
    by_year = defaultdict(list)
    for r in peers.rows:
        if r.get("total_cost") and r.get(out):
            by_year[r["year"]].append(r["total_cost"] * fp / r[out])
    cost = defaultdict(float)
    for r in ac.rows:
        if r.get("amount") is not None and r.get("year") is not None:
            cost[r["year"]] += r["amount"] * fa
    for r in ops.rows:
        y = r.get("year")
        if y in by_year and r.get(out) and cost.get(y):
            own, med = cost[y] / r[out], float(np.median(by_year[y]))
            if abs(own / med - 1) > rule["max_deviation"]:
                # own unit cost = this year's 历年成本 total / its output: name both, so an amount typed in 元
                # under a 万元 header is looked for in the costs, not blamed on the vehicle-km cell
                unit = ac.units.get("amount", "元")
                slip = not 1e-3 < own / med < 1e3  # ~10,000×: an amount in 元 under a 万元 header (or the reverse)
                sheet, ref, column = ((ac.sheet.title, None, header(next(c for c in ac.sheet.columns
                                                                        if c.name == "amount"), unit))
                                      if slip else (ops.sheet.title, ops.ref(out, r["_row"]), None))
                ck.warn(sheet, ref, f"{y} 年单位成本偏离同行中位数 {own / med - 1:+.0%}"
                        + ("（约差一万倍，像是金额单位填错）" if slip else ""),
                        expected=f"同行中位数 {med:,.2f} {spec['type']['unit_cost_label']} ± {rule['max_deviation']:.0%}",
                        found=f"{own:,.2f} {spec['type']['unit_cost_label']}（{y} 年成本合计 {cost[y] / 1e4:,.2f} 万元 ÷ "
                              f"“{ops.sheet.title}”{ops.ref(out, r['_row'])} {r[out]:,.0f}）",
                        fix=f"核对该年“{ac.sheet.title}”金额的单位（列名注明 {unit}，元与万元相差一万倍）和"
                            f"“{ops.sheet.title}”的{out_label}；{rule['fix']}", rule=rule["id"], basis=rule["basis"],
                        column=column)


def _r_year_on_year(ck, rule, spec, t, params, info_ref):
    lim = rule["max_change"]
    for name in rule["tables"]:
        tb = t.get(name)
        if tb is None or "year" not in tb.col:
            continue
        if "item_id" in tb.col:  # one series per item
            series = defaultdict(dict)
            for r in tb.rows:
                if r.get("year") is not None and r.get("amount") is not None:
                    series[(r.get("item_id"), "amount")][r["year"]] = r
        else:
            cols = [c.name for c in tb.sheet.columns if c.kind in ("number", "money") and c.name in tb.col]
            series = {(None, c): {r["year"]: r for r in tb.rows if r.get("year") is not None and r.get(c) is not None}
                      for c in cols}
        for (item, col), rows in series.items():
            years = sorted(rows)
            for a, b in zip(years, years[1:]):
                if b != a + 1 or not rows[a][col]:
                    continue
                ch = rows[b][col] / rows[a][col] - 1
                if abs(ch) > lim:
                    names = {r.get("item_id"): r.get("item_name") for r in t["cost_items"].rows} if "cost_items" in t else {}
                    what = f"“{names.get(item) or item}”" if item else ""
                    ck.warn(tb.sheet.title, tb.ref(col, rows[b]["_row"]), f"{what}{b} 年比 {a} 年变动 {ch:+.0%}",
                            expected=f"同比变动不超过 ±{lim:.0%}", found=f"{_show(rows[a][col])} → {_show(rows[b][col])}",
                            fix=rule["fix"], rule=rule["id"], basis=rule["basis"])


def _r_requested_vs_need(ck, rule, spec, t, params, info_ref):
    """Compares per item; the need is computed by :func:`costing.method.back_calculate` when the data is clean."""
    ck.deferred.append(rule)


_KINDS = {"parameter": _r_parameter, "column": _r_column, "column_vs_parameter": _r_column_vs_parameter,
          "peer_median": _r_peer_median, "year_on_year": _r_year_on_year, "requested_vs_need": _r_requested_vs_need}


def _requested_vs_need(ck: Checker, need) -> None:
    """申报数 above the back-calculated need by more than the rule allows (:func:`costing.method.back_calculate`)."""
    tb = ck.tables["requested"]
    ci = ck.tables["cost_items"]
    names = {r.get("item_id"): r.get("item_name") or r.get("item_id") for r in ci.rows}
    f = _money_factor(tb, "requested")
    for rule in ck.deferred:
        for r in tb.rows:
            n, amount = need.get(r.get("item_id")), (r.get("requested") or 0.0) * f
            if n and amount > n * (1 + rule["max_excess"]):
                ck.warn(tb.sheet.title, tb.ref("requested", r["_row"]),
                        f"“{names.get(r['item_id'], r['item_id'])}”申报数高于测算需求 {amount / n - 1:.0%}",
                        expected=f"不超过测算需求 {n / 1e4:,.2f} 万元的 {1 + rule['max_excess']:.0%}",
                        found=f"{amount / 1e4:,.2f} 万元", fix=rule["fix"], rule=rule["id"], basis=rule["basis"])
