"""Display tables of a method result: the one place that turns 元 into 万元 for people.

Notebooks, reports, the CLI and the Excel export all use these, so every
surface shows the same figures. Money is in 万元 (amount in 元 / 10,000,
shown with thousands separators and 2 decimals, rounded half up at display
time only); unit costs stay in 元 per output unit with 4 decimals; rates are
fractions in the tables and percentages on display.

The reader layer of every report template is here too: :func:`show` (record a
table, display it for readers: Chinese names, no row numbers, "—", integer
counts, 72.00%), :func:`show_abstract` (the 摘要) and the per-template abstracts.
"""
from __future__ import annotations

import re
from html import escape

import numpy as np
import pandas as pd

from .fmt import KINDS, fmt, fmt_money, fmt_rate, kind_of, value_kind
from .glossary import display_name, rule_label
from .units import from_yuan

WAN = "万元"


def cost_standard_table(result) -> pd.DataFrame:
    """Per item: unit costs [元/output] by basis, the standard, its amount [万元], rule and provenance."""
    t = result.cost_standard_table()
    t["标准成本"] = from_yuan(t["标准成本"], WAN)
    t["核定规则"] = t["核定规则"].map(rule_label)
    t["依据"] = [p.source for p in t["依据"]]  # the basis's data and years (the rule has its own column)
    t.index.name = "成本项目代码"
    label = result.standard.unit_cost_label
    t = t.rename(columns={"定额测算": f"定额测算（{label}）", "近三年实际": f"近三年实际（{label}）",
                          "同行P50": f"同行中位数（{label}）", "单位成本标准": f"单位成本标准（{label}）",
                          "标准成本": "标准成本（万元）"})
    t.attrs["units"] = {**dict.fromkeys([c for c in t.columns if c.endswith(f"（{label}）")], label),
                        "标准成本（万元）": WAN}
    return t


def budget_table(result) -> pd.DataFrame:
    """The budget summary with money in 万元; the unit-cost standard and rates as they are."""
    s = result.budget.summary()
    money = s["unit"] == "元"
    value = s["value"].astype(float).where(~money, from_yuan(s["value"].astype(float), WAN))
    t = pd.DataFrame({"项目": [BUDGET_LABELS.get(k, display_name(k)) for k in s["id"]], "数值": value.to_numpy(),
                      "单位": s["unit"].where(~money, WAN).to_numpy()})
    t.attrs["row_units"] = {"数值": "单位"}
    return t


#: the budget summary's row labels where the table says more than the glossary's name
BUDGET_LABELS = {"subsidy": "核定补贴（审定数）"}


def waterfall_table(result) -> pd.DataFrame:
    """The subsidy waterfall for readers: 项目 (the glossary's names) and 金额 [万元]."""
    w = result.budget.waterfall()
    t = pd.DataFrame({"项目": [display_name(k) for k in w["id"]], "金额（万元）": from_yuan(w["amount"], WAN).to_numpy()})
    t.attrs["units"] = {"金额（万元）": WAN}
    return t


def cut_table(result) -> pd.DataFrame:
    """Requested against approved, per item and in total [万元], with the cut rate [fraction]."""
    b = result.budget
    it = b.items.copy()
    total = pd.DataFrame({"item_name": ["成本合计"], "category": [""], "requested": [it["requested"].sum()],
                          "approved": [it["approved"].sum()]}, index=["total_cost"])
    total["cut_amount"] = total["requested"] - total["approved"]
    total["cut_rate"] = total["cut_amount"] / total["requested"]
    sub = pd.DataFrame({"item_name": ["补贴（申报数与审定数）"], "category": [""], "requested": [b.requested],
                        "approved": [b.subsidy], "cut_amount": [b.cut_amount], "cut_rate": [b.cut_rate]},
                       index=["subsidy"])
    out = pd.concat([it, total, sub])
    for c in ("requested", "approved", "cut_amount"):
        out[c] = from_yuan(out[c].astype(float), WAN)
    out.index.name = "成本项目代码"
    out = out.rename(columns={"item_name": "成本项目", "category": "类别", "requested": "申报数（万元）",
                              "approved": "审定数（万元）", "cut_amount": "审减额（万元）", "cut_rate": "审减率"})
    out.attrs["units"] = {"申报数（万元）": WAN, "审定数（万元）": WAN, "审减额（万元）": WAN, "审减率": "fraction"}
    return out


def target_table(result) -> pd.DataFrame:
    """Step 1's drivers: 指标, 数值, 单位 (money in 万元)."""
    t = result.target.table()
    money = t["单位"] == "元"
    t.loc[money, "数值"] = from_yuan(t.loc[money, "数值"], WAN)
    t.loc[money, "单位"] = WAN
    return t.reset_index(drop=True)  # the codes are in the appendix 代码对照表, not in the reader's table


def performance_targets_table(result) -> pd.DataFrame:
    """The quality targets that are also the project's performance targets: 指标, 目标值, 单位, 方向."""
    rows = [{"指标": t.get("label", k), "目标值": t.get("target"), "单位": t.get("unit", ""),
             "方向": "越低越好" if t.get("direction") == "lower" else "越高越好"}
            for k, t in result.target.performance_targets.items()]
    return pd.DataFrame(rows, columns=["指标", "目标值", "单位", "方向"])


def quantile_name(key: str) -> str:
    """A percentile key of the results (``"P10"``, ``"P50"``) as a reader reads it: 第10百分位数, 中位数."""
    q = int(str(key).lstrip("Pp"))
    return "中位数" if q == 50 else f"第{q}百分位数"


def peer_table(result) -> pd.DataFrame:
    """Peer comparison per metric: label, unit, peers, quartiles and median, mean, the project, its rank.

    排名 is "rank / units compared": the project among the n peers and itself
    (n + 1 units), 1 = the lowest value.
    """
    s = result.benchmark.peer_summary
    spec = result.project.spec["peers"]["metrics"]
    rank = [f"{int(r)} / {int(n) + 1}" if pd.notna(r) else "—" for r, n in zip(s["rank"], s["n"])]
    values = ["25%分位数", "中位数", "75%分位数", "本项目"]
    t = pd.DataFrame({"指标": [spec[m].get("label", display_name(m)) for m in s.index],
                         "单位": [spec[m].get("unit", "") for m in s.index], "同行单位数": s["n"].to_numpy(),
                         "25%分位数": s["p25"].to_numpy(), "中位数": s["p50"].to_numpy(), "75%分位数": s["p75"].to_numpy(),
                         "本项目": s["project"].to_numpy(), "排名（由低到高）": rank})
    t.attrs["row_units"] = dict.fromkeys(values, "单位")  # 票款回收率 is a rate: shown as %
    return t


#: the note under the peer table: what rank and n mean
RANK_NOTE = ("排名为“本项目位次 / 参与比较的单位数”：参与比较的是全部同行单位和本项目（同行单位数 + 1），"
             "按数值由低到高排列，1 为最低；成本类指标排名越靠后，成本越高。")


def efficiency_table(result) -> pd.DataFrame:
    """DEA cost efficiency θ of the project and each peer, highest first."""
    f = result.benchmark.frontier
    names = result.benchmark.peers.get("peer_name", pd.Series(dtype=str))
    sc = f.scores.sort_values(ascending=False)
    t = pd.DataFrame({"单位": [names.get(i, i) or i for i in sc.index], "成本效率θ": sc.to_numpy()})
    t.attrs["units"] = {"成本效率θ": "coef"}
    return t


def key_table(result) -> pd.DataFrame:
    """Appendix: every internal code the report's data uses, with its display name."""
    rows = [("成本项目", k, v) for k, v in result.standard.items["item_name"].items()]
    rows += [("服务指标", k, result.target.labels.get(k, k)) for k in result.target.drivers]
    rows += [("同行比较指标", k, m.get("label", k)) for k, m in result.project.spec["peers"]["metrics"].items()]
    rows += [("核定规则依据", k, display_name(k)) for k in sorted(set(result.standard.items["chosen"]))]
    rows += [("补贴测算口径", result.budget.preset, display_name(result.budget.preset))]
    return pd.DataFrame(rows, columns=["类型", "代码", "名称"])


def type_wording(project) -> str:
    """The project type's own sentences on step 1 and step 2 (``[wording]`` of the type's TOML),
    so no report says another type's words (a sanitation report never speaks of 线路 or 车公里)."""
    w = project.spec.get("wording", {})
    name = project.spec.get("type", {}).get("name", "")
    parts = [f"**{k}**：{w[key]}" for k, key in (("服务目标", "targets"), ("资源测算", "need")) if w.get(key)]
    return (f"{name}项目的测算口径——" if name else "") + "".join(parts) if parts else ""


def sensitivity_sentence(project) -> str:
    """What the sensitivity table varies, from the type's ``[sensitivity]`` factor labels."""
    labels = [f.get("label", k) for k, f in project.spec.get("sensitivity", {}).items()]
    return f"补贴对{'、'.join(labels)}各自变动的反应（其他因素不变）。" if labels else ""


def need_table(result) -> pd.DataFrame:
    """Step 2: quantity, unit price [元], cost [万元] and unit cost [元/output] per item."""
    n = result.need.items
    label = result.standard.unit_cost_label
    t = pd.DataFrame({"成本项目": n["item_name"], "类别": n["category"], "数量": n["quantity"],
                      "数量单位": n["quantity_unit"], "单价（元）": n["unit_price"], "单价单位": n["price_unit"],
                      "测算成本（万元）": from_yuan(n["cost"], WAN), f"单位成本（{label}）": n["unit_cost"]})
    t = t.reset_index(drop=True)  # the codes are in the appendix 代码对照表
    t.attrs["units"] = {"单价（元）": "money", "测算成本（万元）": WAN, f"单位成本（{label}）": label}
    t.attrs["row_units"] = {"数量": "数量单位"}
    return t


# ------------------------------------------------------------ reader tables

#: "（%）" at the end of a rate column's header: dropped on display (the cells carry the %)
_PCT_SUFFIX = re.compile(r"\s*[（(]\s*%\s*[)）]\s*$")

#: one cell as a reader sees it, from its kind: the one formatter (costing.fmt.fmt)
fmt_value = fmt
#: the kind a unit label stands for (costing.fmt.kind_of)
unit_kind = kind_of


def declared_units(df: pd.DataFrame, unit=None):
    """The units a table's builder declared: ``unit`` (one label, or column -> label or kind)
    over the table's own ``df.attrs["units"]``."""
    own = df.attrs.get("units") or {}
    if unit is None:
        return dict(own) or None
    if isinstance(unit, dict):
        return {**own, **unit}
    return {**{c: unit for c in df.columns if c not in own}, **own} if own else unit


def column_kind(values: pd.Series, unit=None) -> str:
    """Format kind of a column: its declared unit or kind (:func:`costing.fmt.kind_of`),
    else by its type only (text, 是/否, integers as counts, other numbers with 2 decimals).
    A header's wording is never read."""
    k = kind_of(unit)
    if k is not None:
        return k
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return "text"
    return "count" if pd.api.types.is_integer_dtype(values) else "number"


def reader_frame(df: pd.DataFrame, unit=None, *, row_units: dict | None = None,
                 index: bool = False) -> pd.DataFrame:
    """The table as a reader sees it: every cell a string (see :func:`fmt_value`),
    "（%）" dropped from the headers of rates (the cells carry the %), no row numbers.

    Parameters
    ----------
    unit : str or dict, optional
        Unit of the numeric columns (one label, or column -> label).
    row_units : dict, optional
        value column -> the column holding each row's unit (``{"数值": "单位"}``);
        "fraction" in such a unit column shows as "" and its values as %.
        Default: the table's own ``df.attrs["row_units"]`` (set by the function
        that builds it, e.g. :func:`peer_table`), else ``{"数值": "单位"}`` when
        the table has both columns.
    index : bool
        Keep the index as leading column(s) (when it holds reader-facing names).
    """
    d = df.reset_index() if index else df.reset_index(drop=True)
    unit = declared_units(df, unit)
    units = unit if isinstance(unit, dict) else {}
    common = None if isinstance(unit, dict) else unit
    if row_units is None:
        row_units = df.attrs.get("row_units") or ({"数值": "单位"} if {"数值", "单位"} <= set(df.columns) else {})
    row_units = dict(row_units)
    out = pd.DataFrame(index=d.index)
    for c in d.columns:
        s = d[c]
        if c in row_units:
            kinds = [value_kind(v, u) for v, u in zip(s, d[row_units[c]])]
            shown = [fmt(v, k) for v, k in zip(s, kinds)]
        elif c in row_units.values():
            shown = ["" if kind_of(u) == "rate" or u in KINDS else ("—" if pd.isna(u) else str(u)) for u in s]
        else:
            kind = column_kind(s, units.get(c, common))
            # a column of mixed values without a declared unit: each value by its own type
            shown = [fmt(v, value_kind(v) if kind == "text" else kind) for v in s]
            if kind == "rate":
                c = _PCT_SUFFIX.sub("", str(c))
        out[str(c)] = shown
    return out


#: a table with more columns prints smaller (A4 portrait fits about ten)
WIDE_COLUMNS = 10


def _cell_class(text: str, numeric: bool) -> str:
    """Numbers right-aligned; short text kept on one line (a 2-character 类别 is not split)."""
    return "num" if numeric else ("short" if len(text) <= 12 else "text")


def table_html(df: pd.DataFrame, unit=None, *, row_units: dict | None = None, index: bool = False,
               note: str | None = None) -> str:
    """HTML of a reader table (:func:`reader_frame`): numbers right-aligned, an optional note below."""
    shown = reader_frame(df, unit, row_units=row_units, index=index)
    src = df.reset_index() if index else df
    numeric = [pd.api.types.is_numeric_dtype(src[c]) and not pd.api.types.is_bool_dtype(src[c])
               for c in src.columns]
    head = "".join(f"<th>{escape(str(c))}</th>" for c in shown.columns)
    rows = "".join("<tr>" + "".join(f'<td class="{_cell_class(v, n)}">{escape(v)}</td>'
                                    for v, n in zip(row, numeric)) + "</tr>"
                   for row in shown.itertuples(index=False, name=None))
    foot = f'<p class="costing-note">{escape(note)}</p>' if note else ""
    wide = " costing-wide" if len(shown.columns) > WIDE_COLUMNS else ""
    return (f'<div class="costing-table-wrap{wide}"><table class="costing-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>{foot}</div>")


def styled(df: pd.DataFrame, unit=None):
    """A table for a notebook, as a report shows it (:func:`table_html`): a named index is
    kept as the first column, and a table with 数值 and 单位 columns formats each row by its unit."""
    from IPython.display import HTML

    return HTML(table_html(df, unit, index=not isinstance(df.index, pd.RangeIndex)))


def sensitivity_table(result, delta: float = 0.10) -> pd.DataFrame:
    """One-way sensitivity of the subsidy at ±delta: subsidy and change [万元], coefficient E."""
    from .method import subsidy_sensitivity

    t = subsidy_sensitivity(result, deltas=(-delta, delta))
    out = pd.DataFrame({"因素": t["label"], "变动幅度": t["delta"], "补贴（万元）": from_yuan(t["subsidy"], WAN),
                        "补贴变动（万元）": from_yuan(t["change"], WAN), "敏感度系数": t["sensitivity_coefficient"]})
    out.attrs["units"] = {"变动幅度": "fraction", "补贴（万元）": WAN, "补贴变动（万元）": WAN, "敏感度系数": "coef"}
    return out


def show(name: str, df: pd.DataFrame, unit=None, *, row_units: dict | None = None, index: bool = False,
         note: str | None = None, record: bool = True) -> None:
    """In a report: record ``df`` for the workbook (numbers as they are, under ``name``)
    and display it as a reader table (:func:`table_html`)."""
    from IPython.display import HTML, display

    if record:
        from .report import record_table

        rec = df
        if row_units is not None:
            rec = df.copy()
            rec.attrs["row_units"] = dict(row_units)
        record_table(name, rec, declared_units(df, unit), show=False)
    display(HTML(table_html(df, unit, row_units=row_units, index=index, note=note)))


def format_for_console(df: pd.DataFrame) -> str:
    """Text rendering with thousands separators (2 decimals; 4 for unit costs, % for rates)."""
    return reader_frame(df, index=df.index.name is not None).to_string(index=False)


# ------------------------------------------------------------------ 摘要


def abstract_html(figures: list[tuple[str, str]], judgement: str, flags: list[str]) -> str:
    """The 摘要 that opens every report: headline figures, the judgement in a sentence or
    two, and the flags (or "无" when nothing is flagged). ``figures`` are (name, shown value)."""
    cells = "".join(f'<div class="costing-figure"><div class="costing-figure-value">{escape(v)}</div>'
                    f'<div class="costing-figure-name">{escape(k)}</div></div>' for k, v in figures)
    items = "".join(f"<li>{escape(f)}</li>" for f in flags) or "<li>无</li>"
    return (f'<div class="costing-abstract"><div class="costing-figures">{cells}</div>'
            f'<p class="costing-judgement">{escape(judgement)}</p>'
            f'<p class="costing-flags-title">需要关注：</p><ul class="costing-flags">{items}</ul></div>')


def show_abstract(figures, judgement: str, flags) -> None:
    """Display the 摘要 (:func:`abstract_html`)."""
    from IPython.display import HTML, display

    display(HTML(abstract_html(list(figures), judgement, list(flags))))


def cost_standard_abstract(result) -> tuple[list, str, list]:
    """Figures, judgement and flags of a cost-standard report (for :func:`show_abstract`)."""
    b, p = result.budget, result.project
    bench = result.benchmark
    figures = [("单位成本标准", f"{fmt_value(b.unit_cost_standard, 'unit_cost')} {b.unit_cost_label}"),
               ("核定补贴（审定数）", f"{fmt_money(b.subsidy)} 万元"), ("申报数", f"{fmt_money(b.requested)} 万元"),
               ("审减额", f"{fmt_money(b.cut_amount)} 万元"), ("审减率", fmt_rate(b.cut_rate))]
    judgement = (f"按{display_name(b.preset)}测算，{p.name}的单位成本标准核定为 "
                 f"{fmt_value(b.unit_cost_standard, 'unit_cost')} {b.unit_cost_label}，核定补贴 {fmt_money(b.subsidy)} 万元；"
                 f"较申报数 {fmt_money(b.requested)} 万元审减 {fmt_money(b.cut_amount)} 万元，审减率 {fmt_rate(b.cut_rate)}。")
    flags = list(b.notes)
    first = next(iter(p.spec["peers"]["metrics"]))
    s = bench.peer_summary.loc[first]
    spec = p.spec["peers"]["metrics"][first]
    if pd.notna(s.get("rank")) and s["project"] > s["p75"]:
        flags.append(f"本项目{spec['label']} {fmt_value(s['project'], unit_kind(spec['unit']) or 'number')} {spec['unit']}，"
                     f"高于同行75%分位数，在 {int(s['n']) + 1} 个单位中由低到高排第 {int(s['rank'])}。")
    if bench.diagnostics.get("flag"):
        flags.append(bench.diagnostics["message"] + "。")
    if bench.cost_function is not None and bench.actual_residual > 0:
        flags.append(f"最近一年实际成本高于同规模同行的预期成本（对数残差 {bench.actual_residual:+.3f}）。")
    if bench.frontier is not None and bench.frontier.efficiency < 1:
        flags.append(f"成本效率 θ = {fmt(bench.frontier.efficiency, 'coef', 3)}（数据包络分析），未处于效率前沿。")
    return figures, judgement, flags


# -------------------------------------------------------- cost-benefit analysis


#: an English gloss in brackets after a Chinese label: "能源节约 (energy saving)" -> "能源节约"
_GLOSS = re.compile(r"\s*[（(][^（）()]*[A-Za-z][^（）()]*[)）]")


def chinese(label) -> str:
    """A label without its English gloss in brackets (the reader's text is Chinese only);
    a label that is nothing but English stays as it is."""
    text = str(label)
    out = _GLOSS.sub("", text).strip()
    return out or text


def cba_changes_sentence(changes) -> str:
    """The changes the sensitivity analysis applies, as the table and the tornado chart show them:
    (-0.2, -0.1, 0.1, 0.2) -> "变动幅度 ±10%、±20%；龙卷风图为 ±20%。" (the chart shows the largest change)."""
    mags = sorted({abs(float(c)) for c in changes if c})
    sym = all(-m in changes and m in changes for m in mags)
    shown = "、".join((f"±{fmt(m, 'rate', 0)}" if sym else fmt(m, "rate", 0)) for m in mags)
    if not sym:
        shown = "、".join(("+" if c > 0 else "") + fmt(c, "rate", 0) for c in sorted(changes) if c)
    lo, hi = min(changes), max(changes)
    return (f"变动幅度 {shown}；龙卷风图为因素变动 {('+' if lo > 0 else '') + fmt(lo, 'rate', 0)} 和 "
            f"+{fmt(hi, 'rate', 0)} 时的经济净现值。")


def cba_cashflow_table(model) -> pd.DataFrame:
    """The cash-flow table for readers: 年份, t, each item's signed flow and the net flow [万元]."""
    t = model.table(unit=WAN)
    out = pd.DataFrame({"年份": t.index.to_numpy(), "t": t["t"].to_numpy()})
    for c in t.columns[1:]:
        out[chinese(c).replace(f"（{WAN}）", "")] = t[c].to_numpy()
    out.attrs["units"] = {**dict.fromkeys(out.columns[2:], WAN), "年份": "plain", "t": "plain"}
    return out


def cba_summary_table(result) -> pd.DataFrame:
    """The evaluation measures with numbers: 指标, 数值, 单位 (money in 万元, rates as fractions)."""
    from .cba import preset_label

    rows = [("经济净现值", from_yuan(result.enpv, WAN), WAN),
            ("经济内部收益率", result.eirr, "fraction"), ("效益费用比", result.bcr, "number"),
            ("效益现值", from_yuan(result.pv_benefits, WAN), WAN), ("费用现值", from_yuan(result.pv_costs, WAN), WAN),
            ("静态投资回收期", result.payback, "年"), ("动态投资回收期", result.discounted_payback, "年"),
            ("折现率方案", chinese(preset_label(result.discount)), "")]
    t = pd.DataFrame(rows, columns=["指标", "数值", "单位"])
    t.attrs["row_units"] = {"数值": "单位"}
    return t


def cba_risk_table(mc) -> pd.DataFrame:
    """The Monte Carlo summary with numbers: 指标, 数值, 单位 (money in 万元, rates as fractions)."""
    import numpy as np

    from .cba import budget_levels

    rows = [("抽样次数", mc.npv.size, "次"), ("期望净现值", from_yuan(mc.expected_npv, WAN), WAN),
            ("净现值为负的概率", mc.prob_negative, "fraction")]
    rows += [(f"净现值{quantile_name(k)}", from_yuan(v, WAN), WAN) for k, v in mc.npv_percentiles().items()]
    rows += [(f"内部收益率{quantile_name(k)}", v, "fraction") for k, v in mc.irr_percentiles().items()]
    rows += [("无内部收益率的抽样占比", float(np.mean(~np.isfinite(mc.irr))), "fraction")]
    rows += [(f"总费用{quantile_name(k)}（预算水平）", from_yuan(v, WAN), WAN) for k, v in budget_levels(mc.cost).items()]
    t = pd.DataFrame(rows, columns=["指标", "数值", "单位"])
    t.attrs["row_units"] = {"数值": "单位"}
    return t


def cba_presets_table(presets: pd.DataFrame) -> pd.DataFrame:
    """:func:`costing.cba.compare_presets` for readers: ENPV in 万元, without the preset codes."""
    t = pd.DataFrame({"折现率方案": presets["说明 (label)"].map(chinese),
                      "经济净现值（万元）": from_yuan(presets["ENPV [元]"], WAN),
                      "效益费用比": presets["BCR"], "来源": presets["来源 (source)"], "日期": presets["日期 (date)"]})
    t.attrs["units"] = {"经济净现值（万元）": WAN, "效益费用比": "number", "日期": "plain"}
    return t


def cba_sensitivity_table(sens, labels: dict) -> pd.DataFrame:
    """One-way sensitivity for readers: ENPV [万元] at each change and the coefficient E, per factor."""
    v = from_yuan(sens.values, WAN).rename(columns=lambda c: f"经济净现值 {_signed_pct(c)}（万元）")
    e = sens.coefficients.rename(columns=lambda c: f"敏感度系数 E {_signed_pct(c)}")
    out = pd.concat([v, e], axis=1)
    out.insert(0, "因素", [chinese(labels.get(f, f)) for f in out.index])
    out = out.reset_index(drop=True)
    out.attrs["units"] = {**dict.fromkeys(v.columns, WAN), **dict.fromkeys(e.columns, "coef")}
    return out


def _signed_pct(x: float) -> str:
    """A change as the reader reads it: 0.1 -> "+10%" (the one formatter's rounding)."""
    return ("+" if x > 0 else "") + fmt(x, "rate", 0)


def cba_switching_table(switch: pd.DataFrame, labels: dict) -> pd.DataFrame:
    """Switching values for readers: the factor's change that reaches each threshold."""
    out = switch.copy()
    out.columns = [" / ".join(chinese(p) for p in c) if isinstance(c, tuple) else chinese(c)
                   for c in out.columns]
    rates = [c for c in out.columns if c.endswith("临界变化率")]
    out.insert(0, "因素", [chinese(labels.get(f, f)) for f in out.index])
    out = out.reset_index(drop=True)
    out.attrs["units"] = {**dict.fromkeys(rates, "fraction"),
                          **dict.fromkeys([c for c in out.columns[1:] if c not in rates], "coef")}
    return out


def cba_abstract(result, mc, benchmark_rate: float) -> tuple[list, str, list]:
    """Figures, judgement and flags of a cost-benefit report (:func:`show_abstract`)."""
    from .cba import preset_label

    figures = [("经济净现值", f"{fmt_money(result.enpv)} 万元"), ("经济内部收益率", fmt_rate(result.eirr)),
               ("效益费用比", fmt(result.bcr, "number")), ("期望净现值", f"{fmt_money(mc.expected_npv)} 万元"),
               ("净现值为负的概率", fmt_rate(mc.prob_negative))]
    feasible = result.enpv >= 0
    judgement = (f"按{chinese(preset_label(result.discount))}折现，经济净现值 {fmt_money(result.enpv)} 万元，"
                 f"经济内部收益率 {fmt_rate(result.eirr)}（基准 {fmt_rate(benchmark_rate)}），效益费用比 {fmt(result.bcr, 'number')}，"
                 + ("项目在经济上可行" if feasible else "项目在经济上不可行")
                 + f"；风险分析的期望净现值 {fmt_money(mc.expected_npv)} 万元，净现值为负的概率 {fmt_rate(mc.prob_negative)}。")
    flags = []
    if not feasible:
        flags.append("经济净现值为负。")
    if result.eirr < benchmark_rate:
        flags.append(f"经济内部收益率低于基准收益率 {fmt_rate(benchmark_rate)}。")
    if mc.prob_negative >= 0.2:
        flags.append(f"净现值为负的概率 {fmt_rate(mc.prob_negative)}，风险较高。")
    return figures, judgement, flags
