"""Display tables of a method result: the one place that turns 元 into 万元 for people.

Notebooks, reports, the CLI and the Excel export all use these, so every
surface shows the same figures. Money is in 万元 (amount in 元 / 10,000,
shown with thousands separators and 2 decimals, rounded half up at display
time only); unit costs stay in 元 per output unit with 4 decimals; rates are
fractions (formatted as percentages by the caller).
"""
from __future__ import annotations

import pandas as pd

from .units import from_yuan

WAN = "万元"


def cost_standard_table(result) -> pd.DataFrame:
    """Per item: unit costs [元/output] by basis, the standard, its amount [万元], rule and provenance."""
    t = result.cost_standard_table()
    t["标准成本"] = from_yuan(t["标准成本"], WAN)
    t.index.name = "成本项目代码"
    label = result.standard.unit_cost_label
    return t.rename(columns={"定额测算": f"定额测算（{label}）", "近三年实际": f"近三年实际（{label}）",
                             "同行P50": f"同行P50（{label}）", "单位成本标准": f"单位成本标准（{label}）",
                             "标准成本": "标准成本（万元）"})


def budget_table(result) -> pd.DataFrame:
    """The budget summary with money in 万元; the unit-cost standard and rates as they are."""
    s = result.budget.summary().copy()
    money = s["单位"] == "元"
    s.loc[money, "数值"] = from_yuan(s.loc[money, "数值"].astype(float), WAN)
    s.loc[money, "单位"] = WAN
    return s


def cut_table(result) -> pd.DataFrame:
    """Requested against approved, per item and in total [万元], with the cut rate [fraction]."""
    b = result.budget
    it = b.items.copy()
    total = pd.DataFrame({"item_name": ["成本合计"], "category": [""], "requested": [it["requested"].sum()],
                          "approved": [it["approved"].sum()]}, index=["total_cost"])
    total["cut_amount"] = total["requested"] - total["approved"]
    total["cut_rate"] = total["cut_amount"] / total["requested"]
    sub = pd.DataFrame({"item_name": ["补贴（申报数 vs 审定数）"], "category": [""], "requested": [b.requested],
                        "approved": [b.subsidy], "cut_amount": [b.cut_amount], "cut_rate": [b.cut_rate]},
                       index=["subsidy"])
    out = pd.concat([it, total, sub])
    for c in ("requested", "approved", "cut_amount"):
        out[c] = from_yuan(out[c].astype(float), WAN)
    out.index.name = "成本项目代码"
    return out.rename(columns={"item_name": "成本项目", "category": "类别", "requested": "申报数（万元）",
                               "approved": "审定数（万元）", "cut_amount": "审减额（万元）", "cut_rate": "审减率"})


def target_table(result) -> pd.DataFrame:
    """Step 1's drivers: 指标, 数值, 单位."""
    return result.target.table()


def need_table(result) -> pd.DataFrame:
    """Step 2: quantity, unit price [元], cost [万元] and unit cost [元/output] per item."""
    n = result.need.items
    label = result.standard.unit_cost_label
    return pd.DataFrame({"成本项目": n["item_name"], "类别": n["category"], "数量": n["quantity"],
                         "数量单位": n["quantity_unit"], "单价（元）": n["unit_price"], "单价单位": n["price_unit"],
                         "测算成本（万元）": from_yuan(n["cost"], WAN), f"单位成本（{label}）": n["unit_cost"]})


def _formatter(column: str):
    c = str(column)
    if c.endswith("率") or c.endswith("幅度") or c in ("percentile", "fare_recovery"):
        return lambda v: "—" if pd.isna(v) else f"{100 * v:.2f}%"
    if "元/" in c:
        return lambda v: "—" if pd.isna(v) else f"{v:,.4f}"
    return lambda v: "—" if pd.isna(v) else f"{v:,.2f}"


def styled(df: pd.DataFrame):
    """A pandas Styler for notebooks and HTML reports: thousands separators, 2 decimals
    (4 for 元/… unit costs), rates as percentages, and "—" for a missing value.

    A table with a ``单位`` column formats each row by its unit (budget summary).
    """
    sty = df.style
    if "单位" in df.columns and "数值" in df.columns:
        def cell(row):
            u = row["单位"]
            v = row["数值"]
            if pd.isna(v):
                return "—"
            if u == "fraction":
                return f"{100 * v:.2f}%"
            if "/" in str(u):
                return f"{v:,.4f}"
            return f"{v:,.0f}" if u != "元" and float(v).is_integer() else f"{v:,.2f}"  # 167 辆, not 167.00
        shown = df.assign(数值=df.apply(cell, axis=1)).replace({"单位": {"fraction": ""}})
        return shown.style
    num = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]
    whole = {c: (lambda v: "—" if pd.isna(v) else f"{v:,.0f}") for c in num if pd.api.types.is_integer_dtype(df[c])}
    return sty.format({**{c: _formatter(c) for c in num}, **whole})


def sensitivity_table(result, delta: float = 0.10) -> pd.DataFrame:
    """One-way sensitivity of the subsidy at ±delta: subsidy and change [万元], coefficient E."""
    from .method import subsidy_sensitivity

    t = subsidy_sensitivity(result, deltas=(-delta, delta))
    return pd.DataFrame({"因素": t["label"], "变动幅度": t["delta"], "补贴（万元）": from_yuan(t["subsidy"], WAN),
                         "补贴变动（万元）": from_yuan(t["change"], WAN), "敏感度系数": t["sensitivity_coefficient"]})


def show(name: str, df: pd.DataFrame) -> None:
    """In a report: record ``df`` for the workbook (numbers as they are) and display it styled."""
    from IPython.display import display

    from .report import record_table

    record_table(name, df, show=False)
    display(styled(df))


def format_for_console(df: pd.DataFrame) -> str:
    """Text rendering with thousands separators (2 decimals; 4 for unit costs, % for rates)."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_numeric_dtype(out[c]):
            if str(c).endswith("率"):
                out[c] = out[c].map(lambda v: "—" if pd.isna(v) else f"{100 * v:.2f}%")
            elif "元/" in str(c):
                out[c] = out[c].map(lambda v: "—" if pd.isna(v) else f"{v:,.4f}")
            else:
                out[c] = out[c].map(lambda v: "—" if pd.isna(v) else f"{v:,.2f}")
    return out.to_string()
