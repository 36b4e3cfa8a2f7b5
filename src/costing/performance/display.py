"""Display tables: Chinese headers with units, money in 万元, rates as percentages.

Inside the package money is 元 and rates are fractions; :func:`to_display`
converts once, for printing, notebooks and workbooks.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..units import from_yuan, round_half_up

#: identifier -> Chinese header (money and rate columns get their unit appended)
LABELS: dict[str, str] = {
    "project_id": "项目编码", "project_name": "项目名称", "department_id": "部门编码",
    "department_name": "主管部门", "project_type": "项目类型", "implementing_unit": "实施单位",
    "requested": "申报数", "approved": "审定数", "approved_final": "安排数", "cut_amount": "审减额",
    "cut_rate": "审减率", "n": "项目数", "n_projects": "项目数",
    "necessity": "立项必要性", "economy": "投入经济性", "target_quality": "绩效目标合理性",
    "feasibility": "实施方案可行性", "compliance": "筹资合规性", "total": "评估总分", "conclusion": "评估结论",
    "assessed": "已评估", "no_assessment": "未评估（无绩效不预算）", "prev_score": "上年评价得分",
    "prev_grade": "上年评价等级", "prev_recommendation": "上年评价建议", "override_reason": "恢复申报理由",
    "blocked": "因取消建议暂停", "fundable": "可安排预算", "n_no_assessment": "未评估项目数",
    "n_blocked": "暂停项目数",
    "budget_initial": "年初预算数", "budget": "全年预算数", "spent": "执行数", "spent_date": "支出截至日期",
    "execution_rate": "预算执行率", "time_progress": "时间进度", "gap": "执行偏差",
    "low_execution": "执行偏慢", "n_indicators": "指标数", "n_deviating": "偏离指标数",
    "n_missing_actual": "缺少实际值指标数", "deviating": "目标偏离", "deviating_indicators": "偏离指标",
    "n_low_execution": "执行偏慢项目数", "n_deviating_projects": "目标偏离项目数",
    "n_deviating_indicators": "偏离指标数", "n_problems": "填报问题数",
    "forecast": "全年预计执行数", "ind_no": "指标序号", "actual_text": "截至执行情况", "actual_date": "数据截至日期",
    "likelihood": "完成目标可能性", "reason_group": "偏差原因类别", "cause": "偏差原因", "measures": "改进措施",
    "light": "预警灯", "field": "缺失项", "problem": "问题", "proposed": "建议调整后预算数", "adjustment": "调整额",
    "forecast_source": "预计数来源", "rule": "调整规则",
    "rank": "排名", "total_score": "总分", "dimension": "维度", "name": "指标名称", "value_text": "实际值",
    "note": "备注", "source": "依据", "action": "结转处理", "reason": "说明", "change_required": "调整要求",
    "indicator_id": "指标编码", "level1": "一级指标", "level2": "二级指标", "level3": "三级指标",
    "unit": "计量单位", "direction": "指标方向", "progress": "进度类型", "target": "年度指标值",
    "target_value": "年度指标值（数值）", "expected": "序时目标值", "actual_to_date": "截至目前完成值",
    "achievement": "目标实现程度", "deviation": "目标偏离", "missing_actual": "缺少实际值",
    "final_actual": "实际完成值", "weight": "分值", "score": "得分", "band": "定性评级", "missed": "未完成",
    "deviation_reason": "偏差原因分析及改进措施", "annual_goal": "年度总体目标",
    "execution_score": "执行率得分", "output_score": "产出得分", "benefit_score": "效益得分",
    "satisfaction_score": "满意度得分", "grade": "等级", "recommendation": "评价建议", "n_missed": "未完成指标数",
    "mean_score": "平均得分", "weighted_score": "预算加权得分",
    "basic_spent": "基本支出执行数", "cost_per_staff": "人均基本支出", "basic_execution": "基本支出执行率",
    "project_execution": "项目支出执行率", "assessed_share": "事前评估覆盖率", "smart_share": "指标规范率",
    "duty_completion": "重点工作完成率", "good_share": "优良项目占比", "benefit_rate": "效益指标得分率",
    "satisfaction_rate": "满意度指标得分率", "satisfaction_survey": "满意度调查结果",
    # 整改建议书 items (notices.ITEM_COLUMNS)
    "seq": "序号", "problem_type": "问题类型", "requirement": "整改要求", "deadline": "整改期限",
    "reply_measures": "整改措施（单位填写）", "reply_date": "完成时间（单位填写）", "reply_contact": "联系人及电话（单位填写）",
}
MONEY = {"requested", "approved", "approved_final", "cut_amount", "budget_initial", "budget", "spent", "forecast",
         "proposed", "adjustment",
         "basic_spent", "cost_per_staff"}
RATES = {"cut_rate", "execution_rate", "time_progress", "gap", "achievement", "basic_execution",
         "project_execution", "assessed_share", "smart_share", "duty_completion", "good_share",
         "benefit_rate", "satisfaction_rate"}
BOOLS = {"assessed", "no_assessment", "blocked", "fundable", "low_execution", "deviating", "deviation",
         "missing_actual", "missed"}


def header(col: str, unit: str = "万元") -> str:
    """Display header of a column: ``requested`` -> ``申报数（万元）``, ``cut_rate`` -> ``审减率（%）``."""
    label = LABELS.get(col, col)
    if col in MONEY:
        return f"{label}（{unit}{'/人' if col == 'cost_per_staff' else ''}）"
    if col in RATES:
        return f"{label}（%）"
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
    return out


def report_units(df: pd.DataFrame, unit: str = "万元") -> dict[str, str]:
    """Units of the display columns of ``df`` for ``costing.report.record_table``: money and % columns."""
    out = {}
    for c in df.columns:
        if c in MONEY:
            out[header(c, unit)] = unit
        elif c in RATES:
            out[header(c)] = "%"
    return out
