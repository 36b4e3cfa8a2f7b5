"""Display tables: Chinese headers with units, money in 万元, rates as percentages.

Inside the package money is 元 and rates are fractions; :func:`to_display`
converts once, for printing, notebooks and workbooks.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..glossary import DISPLAY_NAMES
from ..units import fmt_money, fmt_rate, from_yuan, round_half_up

#: identifier -> Chinese header (money and rate columns get their unit appended): the glossary's names
LABELS = DISPLAY_NAMES
MONEY = {"requested", "approved", "approved_final", "cut_amount", "budget_initial", "budget", "spent", "forecast",
         "proposed", "adjustment", "basic_spent", "cost_per_staff", "prev_budget", "requested_change",
         "unreviewed_requested", "budget_carryover", "budget_other", "spent_carryover", "spent_other",
         "budget_before_adjustment", "adjusted_budget", "unbudgeted_spent"}
#: differences of two rates, stored as fractions, shown ×100 in 百分点 (percentage points), not %
POINTS = {"gap", "d_gap", "d_execution_rate"}
RATES = {"cut_rate", "execution_rate", "time_progress", "achievement", "basic_execution",
         "project_execution", "assessed_share", "smart_share", "duty_completion", "good_share",
         "benefit_rate", "satisfaction_rate", "satisfaction_survey"}
#: points (2 decimals everywhere: 87.50)
SCORES = {"necessity", "economy", "target_quality", "feasibility", "compliance", "total", "total_score", "score",
          "execution_score", "output_score", "benefit_score", "satisfaction_score", "prev_score", "mean_score",
          "weighted_score", "example_score", "运行成本", "管理效率", "履职效能", "社会效益", "服务对象满意度"}
#: years and code numbers (2026, not 2,026)
PLAIN = {"year", "budget_year", "price_year", "prev_year", "ind_no", "seq", "rank"}
BOOLS = {"assessed", "no_assessment", "blocked", "fundable", "low_execution", "deviating", "deviation",
         "missing_actual", "missed", "key_project", "targets_not_smart", "review_required", "funded",
         "over_achieved"}


def header(col: str, unit: str = "万元") -> str:
    """Display header of a column: ``requested`` -> ``申报数（万元）``, ``cut_rate`` -> ``审减率（%）``."""
    label = LABELS.get(col, col)
    if col in MONEY:
        return f"{label}（{unit}{'/人' if col == 'cost_per_staff' else ''}）"
    if col in RATES:
        return f"{label}（%）"
    if col in POINTS:
        return f"{label}（百分点）"
    return label


def to_display(df: pd.DataFrame, *, unit: str = "万元", decimals: int = 2, strings: bool = False,
               index: bool = True, rates_as_fractions: bool = False) -> pd.DataFrame:
    """A copy for display: money in ``unit``, rates in percent, booleans as 是/空, Chinese headers.

    Parameters
    ----------
    df : DataFrame
        Money in 元, rates as fractions.
    unit : str
        Display money unit (元, 万元, 亿元).
    decimals : int
        Rounded half up (numbers stay numbers unless ``strings``).
    strings : bool
        Format rates as ``'30.40%'`` text (for printing) instead of numbers in percent.
    index : bool
        Keep a named index as the first column.
    rates_as_fractions : bool
        Keep rates as fractions (header still says %), for writers that
        apply a percent number format (``costing.report.record_table``).
    """
    d = df.reset_index() if index and df.index.name is not None else df.copy()
    out = pd.DataFrame(index=d.index)
    rnd = np.vectorize(lambda x: round_half_up(x, decimals) if np.isfinite(x) else x, otypes=[float])
    for c in d.columns:
        s = d[c]
        if c in MONEY:
            v = from_yuan(s.astype(float), unit)
            out[header(c, unit)] = rnd(v.to_numpy()) if len(v) else v
        elif c in POINTS:
            v = 100 * s.astype(float)
            out[header(c)] = rnd(v.to_numpy()) if len(v) else v
        elif c in RATES and rates_as_fractions:
            out[header(c)] = s.astype(float)
        elif c in RATES:
            v = 100 * s.astype(float)
            if strings:
                out[header(c)] = [("—" if not np.isfinite(x) else f"{round_half_up(x, decimals):.{decimals}f}%") for x in v]
            else:
                out[header(c)] = rnd(v.to_numpy()) if len(v) else v
        elif c in BOOLS:
            out[header(c)] = np.where(s.astype(bool), "是", "")
        elif pd.api.types.is_datetime64_any_dtype(s):
            out[header(c)] = s.dt.strftime("%Y-%m-%d").fillna("")
        elif pd.api.types.is_float_dtype(s):
            out[header(c)] = rnd(s.to_numpy()) if len(s) else s
        else:
            out[header(c)] = s
    # the kinds of the display columns, declared for the one formatter and the workbooks (costing.fmt)
    kinds = {header(c, unit): unit for c in d.columns if c in MONEY}
    if not strings:
        kinds.update({header(c): "fraction" if rates_as_fractions else "percent" for c in d.columns if c in RATES})
    kinds.update({header(c): "score" for c in d.columns if c in SCORES})
    kinds.update({header(c): "plain" for c in d.columns if c in PLAIN})
    out.attrs["units"] = kinds
    return out


def report_units(df: pd.DataFrame, unit: str = "万元") -> dict[str, str]:
    """Units (or display kinds) of the display columns of ``df``, declared for the one formatter
    (:mod:`costing.fmt`): money, %, scores, years."""
    out = {}
    for c in df.columns:
        if c in MONEY:
            out[header(c, unit)] = unit
        elif c in RATES:
            out[header(c)] = "%"
        elif c in POINTS:
            out[header(c)] = "score"     # 百分点: two decimals, no % sign
        elif c in SCORES:
            out[header(c)] = "score"
        elif c in PLAIN:
            out[header(c)] = "plain"
    return out


# ------------------------------------------------------------------ reports


def show(name: str, df: pd.DataFrame, unit: str = "万元", **kw) -> None:
    """In a report: record ``df`` for the workbook and display it for readers
    (:func:`costing.present.show`), money in ``unit`` and rates as percentages."""
    from ..present import show as show_table

    show_table(name, to_display(df, unit=unit, rates_as_fractions=True, **kw), report_units(df, unit))


def ex_ante_abstract(result) -> tuple[list, str, list]:
    """Figures, judgement and flags of the ex-ante report (:func:`costing.present.show_abstract`)."""
    t = result.total.iloc[0]
    s = result.sheet
    figures = [("申报数", f"{fmt_money(t['requested'])} 万元"), ("安排数", f"{fmt_money(t['approved_final'])} 万元"),
               ("审减额", f"{fmt_money(t['cut_amount'])} 万元"), ("审减率", fmt_rate(result.cut_rate)),
               ("评审项目数", f"{int(t['n'])} 个")]
    counts = s["conclusion"].value_counts()
    judgement = (f"{len(s)} 个项目申报 {fmt_money(t['requested'])} 万元，安排 {fmt_money(t['approved_final'])} 万元，"
                 f"审减 {fmt_money(t['cut_amount'])} 万元，审减率 {fmt_rate(result.cut_rate)}；评估结论："
                 + "，".join(f"{k} {v} 个" for k, v in counts.items()) + "。")
    flags = [f"{r.project_id} {r.project_name}：" + ("未开展事前绩效评估（无绩效，不预算）" if r.no_assessment else
                                                     "上年评价建议取消且未说明恢复理由，暂停安排" if r.blocked else
                                                     f"评估结论为{r.conclusion}")
             for r in s[~s["fundable"]].itertuples()]
    return figures, judgement, flags


def monitoring_abstract(result) -> tuple[list, str, list]:
    """Figures, judgement and flags of the monitoring report."""
    s = result.summary
    figures = [("时间进度", fmt_rate(s["time_progress"])), ("预算执行率", fmt_rate(s["execution_rate"])),
               ("执行偏慢项目", f"{s['n_low_execution']} 个"), ("目标偏离项目", f"{s['n_deviating_projects']} 个"),
               ("偏离指标", f"{s['n_deviating_indicators']} 个")]
    behind = "低于" if s["execution_rate"] < s["time_progress"] else "不低于"
    judgement = (f"截至 {s['as_of']}，{s['n_projects']} 个项目预算执行率 {fmt_rate(s['execution_rate'])}，"
                 f"{behind}时间进度 {fmt_rate(s['time_progress'])}；执行偏慢 {s['n_low_execution']} 个项目，"
                 f"目标偏离 {s['n_deviating_projects']} 个项目（{s['n_deviating_indicators']} 个指标）。")
    p = result.projects
    flags = [f"{r.project_id} {r.project_name}：" + "；".join(
        ([f"执行偏慢（执行率 {fmt_rate(r.execution_rate)}）"] if r.low_execution else [])
        + ([f"{r.n_deviating} 个指标目标偏离"] if r.deviating else []))
        for r in p[p["low_execution"] | p["deviating"]].itertuples()]
    return figures, judgement, flags


def evaluation_abstract(result) -> tuple[list, str, list]:
    """Figures, judgement and flags of the self-evaluation report."""
    g = result.grade_counts
    p = result.projects
    figures = [("自评项目数", f"{len(p)} 个"), *((f"{k}", f"{int(v)} 个") for k, v in g.items()),
               ("预算加权平均得分", f"{(p['score'] * p['budget']).sum() / p['budget'].sum():.2f} 分")]
    rec = p["recommendation"].value_counts()
    judgement = (f"{len(p)} 个项目完成绩效自评：" + "，".join(f"{k} {int(v)} 个" for k, v in g.items())
                 + "；评价建议" + "，".join(f"{k} {v} 个" for k, v in rec.items()) + "。")
    flags = [f"{r.project_id} {r.project_name}：得分 {r.score:.2f}，等级{r.grade}，建议{r.recommendation}"
             for r in p[p["grade"].isin(["中", "差"])].itertuples()]
    return figures, judgement, flags
