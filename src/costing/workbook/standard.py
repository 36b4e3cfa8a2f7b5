"""Cost-standard projects (bus, sanitation) as workbooks: write, check, and the plausibility rules."""
from __future__ import annotations

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

#: Chinese descriptions of parameters and money items (the 说明 column of 项目信息)
LABELS = {
    "average_fare": "平均票价（元/人次）", "city_avg_wage": "城市社会平均工资（元/人·年）",
    "driver_wage_factor": "驾驶员工资系数（× 社平工资）", "staff_wage_factor": "管理人员工资系数（× 社平工资）",
    "worker_wage_factor": "作业人员工资系数（× 社平工资）", "supervisor_wage_factor": "管理人员工资系数",
    "social_insurance_rate": "五险一金费率（比例）", "spare_ratio": "备用车比例", "driver_per_vehicle": "人车比（驾驶员/车）",
    "staff_per_vehicle": "综合人车比（管理及辅助人员/车）", "profit_rate_cap": "利润率上限",
    "energy_per_100km_bev": "纯电动百公里电耗（kWh）", "energy_per_100km_diesel": "柴油车百公里油耗（升）",
    "energy_per_100km_cng": "CNG 车百公里气耗（立方米）", "electricity_price": "电价（元/kWh）",
    "diesel_price": "柴油价格（元/升）", "cng_price": "天然气价格（元/立方米）", "bev_price": "纯电动车购置价（元/辆）",
    "diesel_bus_price": "柴油车购置价（元/辆）", "cng_bus_price": "CNG 车购置价（元/辆）",
    "grant_share_bev": "纯电动车购置补助比例", "salvage_rate": "残值率", "bev_life_years": "纯电动车折旧年限（年）",
    "diesel_life_years": "柴油车折旧年限（年）", "depot_area_m2": "场站面积（平方米）", "management_rate": "管理费率",
    "free_ride_trips": "免费乘车人次", "concession_trips": "优惠乘车人次", "concession_discount": "优惠折扣",
    "taxes": "税金", "other_revenue": "其他业务收入", "higher_level_subsidy": "上级补贴",
    "cold_route_loss": "冷僻线路亏损", "requested_subsidy": "申报补贴总额",
}
#: who fills each sheet in
FILLED_BY = {"targets": "预算单位", "cost_items": "财政部门与预算单位", "actual_costs": "预算单位（审计数）",
             "operations": "预算单位", "peers": "财政部门", "peer_costs": "财政部门", "price_index": "财政部门",
             "requested": "预算单位"}


def load_rules(kind: str) -> list[dict]:
    """The plausibility rules (``plausibility.toml``) that apply to a project kind."""
    text = (resources.files("costing.workbook") / "plausibility.toml").read_text(encoding="utf-8")
    return [r for r in tomllib.loads(text)["rule"] if kind in r.get("types", [kind])]


def _spec(mapping: dict, base: Path) -> dict:
    from ..project import _deep_merge, load_type

    over = {k: v for k, v in mapping.items() if k in ("targets", "drivers", "operations", "peers",
                                                      "benchmark", "sensitivity", "type")}
    return _deep_merge(load_type(str(mapping["project"]["type"]), base_dir=base), over)


# -- write ---------------------------------------------------------------------------------
def write(kind: str, out: Path, source, w) -> Path:
    from ..project import load_project
    from .write import COMMON_STEPS

    with tempfile.TemporaryDirectory() as tmp:
        blank = source is None
        if blank:
            from .. import examples

            source = (examples.write_bus if kind == "bus" else examples.write_sanitation)(Path(tmp))
        project = load_project(source)
        if project.type_id != kind:
            raise InputError("the project file is of another type", file=str(source), column="project.type",
                             expected=kind, found=project.type_id)
        mapping = {k: v for k, v in project.raw.items() if k != "tables"}
        labels = dict(LABELS)
        if blank:
            mapping["project"] = {"id": "", "name": "", "type": kind, "budget_year": project.budget_year,
                                  "price_year": project.price_year}
            labels = {k: (v + "；示例值，请核实") for k, v in LABELS.items()}
        sheets = project_sheets(project.spec)
        extra_lists = {f"{s.title}_{c.name}": list(c.choices) for s in sheets for c in s.columns if c.choices}
        w.add_lists(extra_lists)
        for s in sheets:
            _write_table(w, s, project, examples=0 if not blank or s.table == "cost_items" else 2)
        w.info_sheet(I.rows_from_mapping(mapping, kind, labels), kind)
        t = project.spec["type"]
        guide = [
            f"{t['name']}成本测算填报工作簿：预算单位填写服务目标、成本项目、历年成本和运营数据，"
            f"财政部门据此核定单位成本标准（{t['unit_cost_label']}）并测算补贴，与申报数比较得出审减额、审减率。",
            *COMMON_STEPS,
        ]
        rows = [(INFO_SHEET, "项目编号、类型、年度、补贴口径，测算参数和金额（金额注明单位）", "预算单位", "是")]
        rows += [(s.title, s.purpose, FILLED_BY[s.table], "是" if s.required else "否") for s in sheets]
        item = project.tables["cost_items"].iloc[0]
        example = [f"成本项目“{item['item_name']}”：数量公式 {item['quantity']}，单价 {item['unit_price']}（{item['price_unit']}），"
                   f"核定规则 {item['rule'] or 'quota'}。公式中的名称来自“项目信息”的参数和目标测算结果。",
                   "历年成本：每年每个成本项目一行，如 2024 | driver_wages | 2272.68（万元）。",
                   f"项目信息：金额类别一行一项，如 requested_subsidy | 9128 | 万元（申报补贴总额）。"]
        w.guide_sheet(f"{t['name']}成本测算填报表", guide, rows, example)
        return w.save(out)


def _write_table(w, s: TableSheet, project, examples: int) -> None:
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
    """Tables, cross-table rules and plausibility of a bus or sanitation workbook."""
    from .. import rules as _rules
    from ..expr import names as formula_names

    head = mapping.get("project", {})
    if "type" not in head:
        return
    try:
        spec = _spec(mapping, path.parent)
    except InputError as e:
        ck.error(INFO_SHEET, None, "项目类型无法加载", expected=str(e.expected or ""), found=str(e.found or ""),
                 fix="从下拉列表选择项目类型")
        return
    specs = project_sheets(spec)
    t = {s.table: ck.table(sheets, s) for s in specs}
    mapping["tables"] = {s.table: {"path": path.name, "sheet": s.title} for s in specs if t[s.table].present}
    ck.tables = t
    info_ref = _info_refs(sheets.get(INFO_SHEET))

    # cost items: ids, price units, formulas, rules
    ci = t["cost_items"]
    params = {**spec.get("parameters", {}), **mapping.get("parameters", {})}
    drivers = set(spec.get("drivers", {}).get("total", {}))
    known_names = set(params) | drivers | {"subtotal"}
    item_ids = []
    from ..units import MONEY_UNITS

    for row in ci.rows:
        r = row["_row"]
        for col in ("quantity", "unit_price"):
            f = row.get(col)
            if isinstance(f, str):
                try:
                    unknown = sorted(formula_names(f) - known_names)
                except SyntaxError:
                    ck.error(ci.sheet.title, ci.ref(col, r), "公式无法解析", expected="如 drivers * city_avg_wage",
                             found=f, fix="检查括号、运算符；名称只用字母、数字和下划线")
                    continue
                if unknown:
                    ck.error(ci.sheet.title, ci.ref(col, r), f"公式中的名称未定义：{'、'.join(unknown)}",
                             expected="项目信息中的参数、目标测算结果或前面成本项目的 cost_<代码>", found=f,
                             fix=f"在“项目信息”增加参数 {unknown[0]}，或改正拼写")
        pu = row.get("price_unit")
        if isinstance(pu, str) and pu.split("/")[0].strip() not in MONEY_UNITS:
            ck.error(ci.sheet.title, ci.ref("price_unit", r), "单价单位的金额部分未知", expected="元/…、万元/… 或 亿元/…",
                     found=pu, fix="写成“元/人·年”这样的形式")
        for rule in ([row.get("rule")] if row.get("rule") else []):
            _check_rule(ck, rule, ci.sheet.title, ci.ref("rule", r), _rules)
        if row.get("item_id"):
            known_names.add(f"cost_{row['item_id']}")
            item_ids.append(row["item_id"])
    for item, rule in (mapping.get("standard") or {}).items():
        _check_rule(ck, rule, INFO_SHEET, info_ref.get((I.RULE, item)), _rules)
    known = set(item_ids)
    for name in ("actual_costs", "requested", "peer_costs"):
        tb = t[name]
        for row in tb.rows:
            if row.get("item_id") and row["item_id"] not in known:
                ck.error(tb.sheet.title, tb.ref("item_id", row["_row"]), "未知的成本项目代码",
                         expected=f"“{ci.sheet.title}”表中的代码：{'、'.join(item_ids)}", found=row["item_id"],
                         fix="改为成本项目表中的代码")

    # years: three audited years, costs for each, price index coverage
    ops = t["operations"]
    op_years = sorted({y for y in ops.values("year") if y is not None})
    if ops.present and len(op_years) < 3:
        ck.error(ops.sheet.title, None, "历年数据不足三年", column="年度", expected="至少 3 年", found=op_years or "无",
                 fix="补充近三年经审计的数据")
    ac_years = {y for y in t["actual_costs"].values("year") if y is not None}
    for row in ops.rows:
        if row.get("year") is not None and t["actual_costs"].present and row["year"] not in ac_years:
            ck.error(ops.sheet.title, ops.ref("year", row["_row"]), "该年没有历年成本", expected="历年成本表中有该年各项成本",
                     found=row["year"], fix=f"在“{t['actual_costs'].sheet.title}”表补充 {row['year']} 年的成本")
    price_year = head.get("price_year", head.get("budget_year"))
    pi = t["price_index"]
    if pi.present:
        have = {y for y in pi.values("year") if y is not None}
        need = set(op_years) | {y for y in t["peers"].values("year") if y is not None}
        for y in sorted(need - have):
            ck.error(pi.sheet.title, None, f"价格指数缺少 {y} 年", column="年度", expected=f"{y} 年的价格指数",
                     found="、".join(map(str, sorted(have))), fix=f"增加 {y} 年一行")
        if price_year is not None and price_year not in have:
            ck.error(INFO_SHEET, info_ref.get((I.FIXED, "价格基年")) or info_ref.get((I.FIXED, "预算年度")),
                     "价格基年不在价格指数表中", expected=f"“{pi.sheet.title}”表有 {price_year} 年",
                     found="、".join(map(str, sorted(have))), fix=f"在“{pi.sheet.title}”表增加 {price_year} 年，或改价格基年")

    # peers: enough of them, and peer costs of listed peers
    peers = t["peers"]
    min_peers = spec.get("benchmark", {}).get("min_peers")
    peer_years = [y for y in peers.values("year") if y is not None]
    if peers.present and min_peers and peer_years:
        latest = max(peer_years)
        n = len({r["peer_id"] for r in peers.rows if r.get("year") == latest and r.get("peer_id")})
        if n < int(min_peers):
            ck.error(peers.sheet.title, None, "同行单位太少", column="同行单位代码", expected=f"{latest} 年至少 {min_peers} 家",
                     found=f"{n} 家", fix="补充同行单位数据（同一年度）")
    keys = {(r.get("peer_id"), r.get("year")) for r in peers.rows}
    pc = t["peer_costs"]
    for row in pc.rows:
        k = (row.get("peer_id"), row.get("year"))
        if None not in k and k not in keys:
            ck.error(pc.sheet.title, pc.ref("peer_id", row["_row"]), "同行成本对应的单位/年度不在同行数据表中",
                     expected=f"“{peers.sheet.title}”表中的同行单位和年度", found=f"{k[0]} / {k[1]}",
                     fix="改正同行单位代码或年度")

    # settings: preset and the money it needs
    preset = (mapping.get("budget") or {}).get("preset", "shanting")
    if preset not in _rules.SUBSIDY_PRESETS:
        ck.error(INFO_SHEET, info_ref.get((I.FIXED, "补贴口径")), "补贴口径未知", expected="、".join(_rules.SUBSIDY_PRESETS),
                 found=preset, fix="从下拉列表选择")
    else:
        for k in _rules.PRESET_REQUIRES[preset]:
            if k not in (mapping.get("money") or {}) and (I.MONEY, k) not in info_ref:
                ck.error(INFO_SHEET, None, f"缺少金额 {k}", column="名称", expected=f"“金额”类别的一行：{k}（{LABELS.get(k, k)}）",
                         found="无", fix=f"增加一行：金额 | {k} | 数值 | 万元")
    plausibility(ck, spec, t, params, info_ref, path)


def _check_rule(ck, rule, sheet, ref, _rules) -> None:
    from ..expr import names as formula_names

    try:
        unknown = sorted(formula_names(rule) - set(_rules.BASES))
    except SyntaxError:
        ck.error(sheet, ref, "核定规则无法解析", expected="如 min(actual_3yr_avg, peer_p50)", found=rule, fix="从下拉列表选择")
        return
    if unknown:
        ck.error(sheet, ref, "核定规则含未知依据", expected="、".join(sorted(_rules.BASES)), found=rule, fix="从下拉列表选择")


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
                ck.warn(ops.sheet.title, ops.ref(out, r["_row"]), f"{y} 年单位成本偏离同行中位数 {own / med - 1:+.0%}",
                        expected=f"同行中位数 {med:,.2f} {spec['type']['unit_cost_label']} ± {rule['max_deviation']:.0%}",
                        found=f"{own:,.2f} {spec['type']['unit_cost_label']}", fix=rule["fix"], rule=rule["id"],
                        basis=rule["basis"])


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
                    what = f"{item} " if item else ""
                    ck.warn(tb.sheet.title, tb.ref(col, rows[b]["_row"]), f"{what}{b} 年比 {a} 年变动 {ch:+.0%}",
                            expected=f"同比变动不超过 ±{lim:.0%}", found=f"{_show(rows[a][col])} → {_show(rows[b][col])}",
                            fix=rule["fix"], rule=rule["id"], basis=rule["basis"])


def _r_requested_vs_need(ck, rule, spec, t, params, info_ref):
    """Compares per item; the need is computed by :func:`costing.method.back_calculate` when the data is clean."""
    ck.deferred.append(rule)


_KINDS = {"parameter": _r_parameter, "column": _r_column, "column_vs_parameter": _r_column_vs_parameter,
          "peer_median": _r_peer_median, "year_on_year": _r_year_on_year, "requested_vs_need": _r_requested_vs_need}


def check_need(ck: Checker, path: Path, rules: list[dict]) -> None:
    """The rules that need the back-calculated need (:func:`costing.method.back_calculate`): clean workbooks only."""
    from ..method import back_calculate, set_target
    from ..project import load_project

    project = load_project(path)
    need = back_calculate(set_target(project), project).items["cost"]
    tb = ck.tables["requested"]
    f = _money_factor(tb, "requested")
    for rule in rules:
        for r in tb.rows:
            n, amount = need.get(r.get("item_id")), (r.get("requested") or 0.0) * f
            if n and amount > n * (1 + rule["max_excess"]):
                ck.warn(tb.sheet.title, tb.ref("requested", r["_row"]), f"{r['item_id']} 申报数高于测算需求 {amount / n - 1:.0%}",
                        expected=f"不超过测算需求 {n / 1e4:,.2f} 万元的 {1 + rule['max_excess']:.0%}",
                        found=f"{amount / 1e4:,.2f} 万元", fix=rule["fix"], rule=rule["id"], basis=rule["basis"])
