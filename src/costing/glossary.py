"""Column vocabulary: the project's identifiers (English, glossary names) and their Chinese aliases.

Readers rename spreadsheet headers onto these identifiers, so a budget unit can
keep its Chinese headers (``票款收入（万元）``) or use English ones
(``fare_revenue [万元]``). Matching ignores case, spaces, ``_``/``-`` and the
unit suffix in brackets. Extend :data:`ALIASES` (or pass ``aliases=`` to a
:class:`costing.io.Column`) to add a header; never rename in code elsewhere.

:data:`DISPLAY_NAMES` is the other direction, and the one source of display
names: identifier -> the Chinese name a reader sees in tables, charts and
reports (:func:`display_name`). Internal identifiers appear in a report only
in its appendix table that maps them.
"""
from __future__ import annotations

import re

#: identifier -> accepted headers (Chinese and English). The identifier itself always matches.
ALIASES: dict[str, tuple[str, ...]] = {
    # identity and time
    "year": ("年度", "年份", "年"),
    "item_id": ("成本项目代码", "项目代码", "item", "cost_item"),
    "item_name": ("成本项目", "成本项目名称", "名称", "item name"),
    "category": ("类别", "成本类别", "费用类别"),
    "peer_id": ("同行单位代码", "对标单位代码", "peer", "unit_id"),
    "peer_name": ("同行单位", "对标单位", "对标单位名称"),
    "route_id": ("线路代码", "线路编号", "route"),
    "route_name": ("线路名称", "线路"),
    "zone_id": ("片区代码", "区域代码", "zone"),
    "zone_name": ("片区名称", "区域名称"),
    # bus targets
    "length_km": ("线路长度", "单程长度", "route length"),
    "cycle_time_min": ("周转时间", "单圈周转时间", "cycle time"),
    "headway_peak_min": ("高峰发车间隔", "peak headway"),
    "headway_offpeak_min": ("平峰发车间隔", "off-peak headway", "offpeak headway"),
    "peak_hours": ("高峰运营时长", "高峰时长"),
    "offpeak_hours": ("平峰运营时长", "平峰时长"),
    "operating_days": ("运营天数",),
    "vehicle_type": ("车型", "车辆类型", "能源类型"),
    # operating statistics
    "vehicle_km": ("车公里", "运营车公里", "行驶里程", "vehicle km", "vkm"),
    "vehicle_hours": ("车小时", "运营车小时", "vehicle hours"),
    "vehicles": ("车辆数", "运营车辆数", "配车数", "fleet"),
    "staff": ("职工人数", "员工人数"),
    "drivers": ("驾驶员人数", "司机人数"),
    "workers": ("作业人员数", "保洁人员数", "保洁员人数"),
    "passengers": ("客运量", "乘客人次", "ridership"),
    "fare_revenue": ("票款收入", "票款", "fares"),
    "other_revenue": ("其他业务收入", "其他收入"),
    "higher_level_subsidy": ("上级补贴", "上级补助"),
    "total_cost": ("总成本", "成本合计", "运营成本合计"),
    "avg_wage": ("平均工资", "职工平均工资", "average wage"),
    "energy_per_100km": ("百公里能耗",),
    "area_m2": ("保洁面积", "作业面积", "清扫面积", "area"),
    "road_class": ("道路等级",),
    "sweeps_per_day": ("日保洁次数", "每日保洁次数"),
    "m2_per_worker": ("人均保洁面积", "人均作业面积"),
    "road_km": ("道路长度",),
    # money and quantities in cost tables
    "amount": ("金额", "发生额", "成本"),
    "requested": ("申报数", "申报金额", "申请金额"),
    "approved": ("审定数", "审定金额"),
    "quantity": ("数量", "数量公式", "quantity formula"),
    "quantity_unit": ("数量单位",),
    "unit_price": ("单价", "标准单价", "price"),
    "price_unit": ("单价单位", "price unit"),
    "price_index": ("价格指数类型", "指数", "index"),
    "cost_driver": ("成本动因", "driver"),
    "rule": ("核定规则", "标准规则", "standard rule"),
    "cpi": ("居民消费价格指数", "CPI", "消费价格指数"),
    "wage_index": ("工资指数", "平均工资指数"),
}


def _norm(s: str) -> str:
    return re.sub(r"[\s_\-·]+", "", str(s)).lower()


_LOOKUP: dict[str, str] = {}
for _ident, _names in ALIASES.items():
    _LOOKUP[_norm(_ident)] = _ident
    for _n in _names:
        _LOOKUP[_norm(_n)] = _ident

_UNIT_RE = re.compile(r"^(?P<name>.*?)\s*[\(（\[【]\s*(?P<unit>[^\)）\]】]*?)\s*[\)）\]】]\s*$")


def split_header(header: str) -> tuple[str, str | None]:
    """Split ``'票款收入（万元）'`` into ``('票款收入', '万元')``; no brackets gives ``(header, None)``."""
    h = str(header).strip()
    m = _UNIT_RE.match(h)
    if m and m.group("name"):
        return m.group("name").strip(), (m.group("unit").strip() or None)
    return h, None


def identifier(name: str, extra: dict[str, str] | None = None) -> str | None:
    """The glossary identifier for a header name (without its unit), or None if unknown."""
    key = _norm(name)
    if extra and key in extra:
        return extra[key]
    return _LOOKUP.get(key)


#: identifier -> the Chinese name readers see (tables, charts, reports). One source for every surface.
DISPLAY_NAMES: dict[str, str] = {
    # identity
    "project_id": "项目编码", "project_name": "项目名称", "department_id": "部门编码",
    "department_name": "主管部门", "project_type": "项目类型", "implementing_unit": "实施单位",
    "item_id": "成本项目代码", "item_name": "成本项目", "category": "类别", "driver": "指标代码",
    "peer_id": "同行单位代码", "peer_name": "同行单位", "year": "年度", "group": "范围",
    # the method (steps 1-4)
    "requested": "申报数", "approved": "审定数", "cut_amount": "审减额", "cut_rate": "审减率",
    "subsidy": "核定补贴", "unit_cost_standard": "单位成本标准", "price_year": "价格基年",
    "quantity": "数量", "quantity_unit": "数量单位", "unit_price": "单价", "price_unit": "单价单位",
    "cost_driver": "成本动因", "rule": "规则", "provenance": "依据", "unit_cost": "单位成本",
    "vehicle_km": "车公里", "vehicle_hours": "车小时", "vehicles": "车辆数", "passengers": "客运量",
    "fare_revenue": "票款收入", "other_revenue": "其他收入", "higher_level_subsidy": "上级补贴",
    "total_cost": "总成本", "avg_wage": "平均工资", "policy_loss": "政策性亏损", "operating_loss": "经营性亏损",
    "profit_rate": "合理利润率", "label": "名称", "direction": "指标方向", "target": "年度指标值",
    "regulated_cost": "核定成本", "profit": "合理利润", "taxes": "税金", "requested_subsidy": "申报补贴总额",
    "operating_loss_uncovered": "经营性亏损未补部分",
    # subsidy presets and standard-rule bases (costing.rules)
    "shanting": "山亭口径", "policy_operating_split": "三门峡口径（政策性、经营性亏损分列）",
    "quota": "定额测算", "actual_3yr_avg": "近三年实际平均", "peer_p25": "同行25%分位数", "peer_p50": "同行中位数",
    "peer_p75": "同行75%分位数", "frontier": "效率前沿追赶",
    # peer comparison (costing.benchmark.peers.summarize_peers)
    "metric": "指标", "n": "项目数", "p25": "25%分位数", "p50": "中位数", "p75": "75%分位数", "mean": "平均值",
    "project": "本项目", "rank": "排名", "percentile": "百分位",
    # the performance life cycle (costing.performance)
    "approved_final": "安排数", "n_projects": "项目数",
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
    "n_low_execution": "执行偏慢项目数", "n_deviating_indicators": "偏离指标数",
    "n_deviating_projects": "目标偏离项目数", "n_problems": "填报问题数",
    "forecast": "全年预计执行数", "ind_no": "指标序号", "actual_text": "截至执行情况", "actual_date": "数据截至日期",
    "likelihood": "完成目标可能性", "reason_group": "偏差原因类别", "cause": "偏差原因", "measures": "改进措施",
    "light": "预警灯", "field": "缺失项", "problem": "问题", "proposed": "建议调整后预算数", "adjustment": "调整额",
    "forecast_source": "预计数来源",
    "total_score": "总分", "dimension": "维度", "name": "指标名称", "value_text": "实际值",
    "note": "备注", "source": "依据", "action": "结转处理", "reason": "说明", "change_required": "调整要求",
    "number": "编号", "n_items": "问题数", "n_adjustments": "预算调整项目数",
    "indicator_id": "指标编码", "level1": "一级指标", "level2": "二级指标", "level3": "三级指标",
    "unit": "计量单位", "progress": "进度类型",
    "target_value": "年度指标值（数值）", "expected": "序时目标值", "actual_to_date": "截至目前完成值",
    "achievement": "目标实现程度", "deviation": "目标偏离", "missing_actual": "缺少实际值",
    "final_actual": "实际完成值", "weight": "分值", "score": "得分", "band": "定性评级", "missed": "未完成",
    "deviation_reason": "偏差原因分析及改进措施", "annual_goal": "年度总体目标",
    "execution_score": "执行率得分", "output_score": "产出得分", "benefit_score": "效益得分",
    "satisfaction_score": "满意度得分", "grade": "等级", "recommendation": "评价建议", "n_missed": "未完成指标数",
    "mean_score": "平均得分", "weighted_score": "预算加权得分", "example_score": "示例项目得分",
    "basic_spent": "基本支出执行数", "cost_per_staff": "人均基本支出", "basic_execution": "基本支出执行率",
    "project_execution": "项目支出执行率", "assessed_share": "事前评估覆盖率", "smart_share": "指标规范率",
    "duty_completion": "重点工作完成率", "good_share": "优良项目占比", "benefit_rate": "效益指标得分率",
    "satisfaction_rate": "满意度指标得分率", "satisfaction_survey": "满意度调查结果",
    # added with the performance life cycle
    "seq": "序号", "problem_type": "问题类型", "requirement": "整改要求", "deadline": "整改期限", "reply_measures": "整改措施（单位填写）", "reply_date": "完成时间（单位填写）", "reply_contact": "联系人及电话（单位填写）",
    "new_or_continuing": "新增/延续", "key_project": "重点项目", "targets_not_smart": "绩效目标不合格",
    "smart_problems": "绩效目标问题", "prev_budget": "上年预算数", "requested_change": "申报数较上年变化",
    "review_required": "上年建议调整（需复核）", "adjustment_note": "调整情况说明", "approved_note": "审定说明",
    "exclusion_reason": "未安排预算原因", "unreviewed_requested": "未评审申报数", "funded": "已安排预算",
    "over_achieved": "超额完成", "key_reason": "列入原因", "targets": "绩效目标（年度指标值）",
    "results": "实际完成值",
    # the in-year loop (monitoring rounds, rectification ledger, adjustments; costing.performance.ledger)
    "prev_year": "上年评价年度", "prev_note": "上年评价建议的处理", "n_unreviewed": "未评审项目数", "advice": "调整建议", "unbudgeted_spent": "无预算支出额", "n_unbudgeted": "无预算支出项目数",
    "budget_before_adjustment": "调整前全年预算数", "notice_number": "文号",   # issued, as_of: below
    "previous_number": "首次通知文号", "reply_deadline": "完成时限（单位填写）",
    "reply_note": "说明（单位填写）", "replied": "回复日期", "status": "整改状态", "closed": "销号日期",
    "adjusted_budget": "调整后预算数（财政局确认）", "confirmed": "确认日期",
    # the 自评表 as the national form, spot-check, key evaluations, 绩效管理工作考核 (costing.performance)
    "score_exact": "得分（未取舍）", "goal_expected": "年度总体目标（预期目标）", "goal_result": "年度总体目标（实际完成情况）",
    "budget_carryover": "上年结转资金", "budget_other": "其他资金", "spent_carryover": "上年结转资金执行数",
    "spent_other": "其他资金执行数",
    # cost-benefit analysis (costing.cba)
    "real": "不变价", "nominal": "现价",
    "cobb_douglas": "柯布-道格拉斯形式", "translog": "超越对数形式", "ols": "最小二乘回归", "quantile": "中位数回归",
    "enpv": "经济净现值", "eirr": "经济内部收益率", "bcr": "效益费用比",
    "expected_npv": "期望净现值", "prob_npv_negative": "净现值为负的概率",
    # the CBA report's tables (sheet names of its workbook)
    "cashflows": "现金流量表", "summary": "评价指标", "presets": "折现率方案比较", "sensitivity": "敏感性分析",
    "switching_values": "临界值", "montecarlo": "风险分析", "optimism_bias": "乐观偏差",
    # report parameters (the 说明 sheet) and headline figures
    "sensitivity_delta": "敏感性分析变动幅度", "show_need_detail": "展示资源测算明细", "n_draws": "蒙特卡洛抽样次数",
    "seed": "随机种子", "as_of": "监控时点", "example_project": "示例项目", "issued": "成文日期",
    "preset": "补贴测算口径", "scoring_profile": "评分口径", "n_grade_优": "等级为优的项目数",
    "n_grade_良": "等级为良的项目数", "n_grade_中": "等级为中的项目数", "n_grade_差": "等级为差的项目数",
}


#: English phrases the data files use for a rule's source, and the reader's words for them
SOURCE_TERMS = {"local practice": "地方做法"}


def reader_source(text) -> str:
    """A rule's source as a reader reads it: ``local practice`` -> ``地方做法``."""
    out = str(text)
    for en, zh in SOURCE_TERMS.items():
        out = out.replace(en, zh)
    return out


def display_name(key, default: str | None = None) -> str:
    """The reader's name for an identifier: ``display_name("cut_rate")`` -> ``"审减率"``.

    An unknown key gives ``default`` (or the key itself when no default is given).
    """
    return DISPLAY_NAMES.get(str(key), str(key) if default is None else default)


def rule_label(rule: str) -> str:
    """A standard rule in words: ``min(actual_3yr_avg, peer_p50)`` -> ``近三年实际平均与同行中位数取低``."""
    m = re.fullmatch(r"\s*(min|max)\((.*)\)\s*", str(rule))
    if m:
        names = [display_name(a.strip()) for a in m.group(2).split(",")]
        return "与".join(names) + ("取低" if m.group(1) == "min" else "取高")
    return re.sub(r"[a-z][a-z0-9_]*", lambda t: display_name(t.group(0)), str(rule))
