"""Performance life cycle: scoring rules, grades, cuts, monitoring, feedback (hand-computed values)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import costing.performance as cp
from costing.errors import InputError, NotComputable, ParameterError
from costing.units import fmt_rate


# ---- scoring rules (财预〔2020〕10号) -------------------------------------------------------

def test_quantitative_met_scores_full_marks():
    assert cp.score_indicator(100, 100, direction="higher", weight=20) == 20.0
    assert cp.score_indicator(100, 130, direction="higher", weight=20) == 20.0   # capped at the weight


def test_quantitative_missed_scores_in_proportion():
    # 20 × 80/100 = 16
    assert cp.score_indicator(100, 80, direction="higher", weight=20) == pytest.approx(16.0)
    # 30 × 1100/1200 = 27.5
    assert cp.score_indicator(1200, 1100, direction="正向", weight=30) == pytest.approx(27.5)


def test_lower_is_better_scores_target_over_actual():
    # accident rate: target 0.2, actual 0.25 -> 20 × 0.2/0.25 = 16
    assert cp.score_indicator(0.2, 0.25, direction="lower", weight=20) == pytest.approx(16.0)
    # actual at or below target: full marks
    assert cp.score_indicator(0.2, 0.1, direction="反向", weight=20) == 20.0
    assert cp.score_indicator(0.2, 0.0, direction="lower", weight=20) == 20.0


def test_qualitative_bands():
    # rater's 0.7 in 部分达成 [60%, 80%): 30 × 0.7 = 21
    assert cp.score_indicator(np.nan, 0.7, direction="qualitative", weight=30, band="部分达成") == pytest.approx(21.0)
    # blank rating: the band's lower bound by default (flagged by the evaluation), the midpoint on request
    # 达成 (80+100)/2 = 90% of 10 = 9; 未达成 (0+60)/2 = 30% of 10 = 3
    assert cp.score_indicator(np.nan, np.nan, direction="定性", weight=10, band="达成") == pytest.approx(8.0)
    assert cp.score_indicator(np.nan, np.nan, direction="定性", weight=10, band="达成", blank="midpoint") == pytest.approx(9.0)
    assert cp.score_indicator(np.nan, np.nan, direction="qualitative", weight=10, band="未达成",
                              blank="midpoint") == pytest.approx(3.0)
    with pytest.raises(InputError, match="没有评价人给出的得分"):
        cp.score_indicator(np.nan, np.nan, direction="qualitative", weight=10, band="达成", blank="error")
    # 80% is inside 达成 (included), 100% too; 80% is outside 部分达成
    assert cp.score_indicator(np.nan, 0.8, direction="qualitative", weight=10, band="达成") == pytest.approx(8.0)
    assert cp.score_indicator(np.nan, 1.0, direction="qualitative", weight=10, band="达成") == pytest.approx(10.0)
    with pytest.raises(InputError, match="超出所选档次的范围"):
        cp.score_indicator(np.nan, 0.8, direction="qualitative", weight=10, band="部分达成")
    with pytest.raises(InputError, match="定性指标没有评价档次"):
        cp.score_indicator(np.nan, 0.9, direction="qualitative", weight=10)


def test_execution_score_proportional_and_capped():
    assert cp.score_execution(95, 100) == pytest.approx(9.5)       # 10 × 0.95
    assert cp.score_execution(120, 100) == pytest.approx(10.0)     # capped at 10
    assert cp.score_execution(40, 100, weight=20) == pytest.approx(8.0)
    with pytest.raises(InputError, match="budget"):
        cp.score_execution(1, 0)


def test_score_indicator_vectorised_keeps_series_index():
    s = cp.score_indicator(pd.Series([100.0, 0.2, 10.0], index=list("abc")),
                           pd.Series([50.0, 0.4, 10.0], index=list("abc")),
                           direction=pd.Series(["higher", "lower", "higher"], index=list("abc")), weight=10)
    assert list(s.index) == list("abc")
    np.testing.assert_allclose(s.to_numpy(), [5.0, 5.0, 10.0])


def test_unknown_direction_is_a_parameter_error():
    with pytest.raises(ParameterError, match="direction"):
        cp.score_indicator(1, 1, direction="sideways", weight=1)


@settings(max_examples=60, deadline=None)
@given(t=st.floats(0.01, 1e6), a=st.floats(0, 1e6), a2=st.floats(0, 1e6), w=st.floats(0, 100),
       d=st.sampled_from(["higher", "lower"]))
def test_score_between_zero_and_weight_and_monotone(t, a, a2, w, d):
    s = cp.score_indicator(t, a, direction=d, weight=w)
    assert -1e-12 <= s <= w + 1e-9
    s2 = cp.score_indicator(t, a2, direction=d, weight=w)
    better = a2 >= a if d == "higher" else a2 <= a
    if better:
        assert s2 >= s - 1e-9


# ---- grades ------------------------------------------------------------------------------

@pytest.mark.parametrize("score,expected", [(100, "优"), (90, "优"), (89.99, "良"), (80, "良"), (79.99, "中"),
                                            (60, "中"), (59.99, "差"), (0, "差")])
def test_grade_boundaries(score, expected):
    assert cp.grade(score) == expected


def test_grade_absorbs_float_error_and_is_configurable():
    assert cp.grade(0.1 * 3 * 300) == "优"         # 89.99999999999999 in floating point
    bands = {"A": 85, "B": 70, "C": float("-inf")}
    assert list(cp.grade(pd.Series([85, 84.99, 70, 10]), bands)) == ["A", "B", "B", "C"]
    with pytest.raises(ParameterError):
        cp.grade(50, {"A": 60, "B": 70})


def test_recommendation_rules_and_override():
    assert [cp.recommend(g) for g in "优良中差"] == ["延续", "延续", "调整", "取消"]
    assert cp.recommend("中", {"中": "延续"}) == "延续"


# ---- cuts --------------------------------------------------------------------------------

def test_article_portfolio_cut_rate():
    # published figures: 文登区 2021 事前评估 checked 38.19亿元, cut 11.61亿元 -> 30.40%
    # (杨辉《立足县域实践 探索预算绩效管理路径》（威海市文登区财政局“135”预算绩效管理新模式）)
    requested, cut = 38.19e8, 11.61e8
    approved = requested - cut
    assert cp.cut_amount(requested, approved) == pytest.approx(11.61e8)
    rate = cp.cut_rate(requested, approved)
    assert rate == pytest.approx(11.61 / 38.19)          # 0.304006...
    assert rate == pytest.approx(0.304006, abs=1e-6)
    assert fmt_rate(rate) == "30.40%"


def test_cut_aggregates_sum_amounts_not_average_rates():
    df = pd.DataFrame({"department_id": ["A", "A", "B"], "requested": [100.0, 900.0, 50.0],
                       "approved": [90.0, 450.0, 50.0]})
    # A: (100 + 900) - (90 + 450) = 460 cut of 1000 -> 46%, whereas the mean of 10% and 50% is 30%
    dep = cp.cut_summary(df, "department_id")
    assert dep.loc["A", "cut_amount"] == pytest.approx(460.0)
    assert dep.loc["A", "cut_rate"] == pytest.approx(0.46)
    assert dep.loc["B", "cut_rate"] == 0.0
    tot = cp.cut_summary(df)
    assert tot["cut_rate"].iloc[0] == pytest.approx(460 / 1050)
    # arrays and Series work too
    np.testing.assert_allclose(cp.cut_rate(np.array([100.0, 900.0]), np.array([90.0, 450.0])), [0.1, 0.5])


def test_cut_rate_of_zero_request():
    assert np.isnan(cp.cut_rate(0.0, 0.0))
    with pytest.raises(NotComputable):
        cp.cut_rate(0.0, 0.0, raise_exceptions=True)
    assert cp.cut_rate(100.0, 120.0) == pytest.approx(-0.2)    # raised, not cut


# ---- time progress and monitoring ----------------------------------------------------------

def test_time_progress_conventions():
    # 2026-09-30 is day 31+28+31+30+31+30+31+31+30 = 273 of 365
    assert cp.time_progress("2026-09-30", 2026) == pytest.approx(273 / 365)
    assert cp.time_progress(dt.date(2026, 9, 30), 2026, convention="months") == pytest.approx(0.75)
    assert cp.time_progress("2024-12-31", 2024) == pytest.approx(1.0)            # leap year, 366/366
    assert cp.time_progress("2026-01-15", 2026, convention="months") == pytest.approx(15 / 31 / 12)
    with pytest.raises(InputError, match="日期不在预算年度内"):
        cp.time_progress("2025-09-30", 2026)


def _small_portfolio(**over):
    dep = pd.DataFrame({"department_id": ["D1", "D2"], "department_name": ["交通局", "城管局"]})
    prj = pd.DataFrame({"project_id": ["P1", "P2", "P3"], "project_name": ["公交", "环卫", "其他"],
                        "department_id": ["D1", "D1", "D2"], "requested": [120e4, 200e4, 60e4],
                        "approved": [100e4, 200e4, 50e4], "budget": [100e4, 200e4, 50e4],
                        "new_or_continuing": ["新增", "新增", "延续"]})
    ind = pd.DataFrame([
        # project, id, level1, level2, level3, unit, direction, progress, target, to date, final, weight, band
        ("P1", "", "产出指标", "数量指标", "运营车公里", "万车公里", "higher", "累计", 1200, 800, 1100, 30, ""),
        ("P1", "", "产出指标", "质量指标", "万公里事故率", "次/万公里", "lower", "比率", 0.2, 0.2, 0.25, 20, ""),
        ("P1", "", "满意度指标", "服务对象满意度指标", "乘客满意度", "%", "higher", "比率", 90, 70, 92, 10, ""),
        ("P1", "", "效益指标", "可持续影响指标", "长效机制", "", "qualitative", "", "建立", np.nan, 0.7, 30, "部分达成"),
        ("P2", "", "效益指标", "社会效益指标", "投诉件数", "件", "lower", "累计", 300, 300, 280, 45, ""),
        ("P2", "", "产出指标", "质量指标", "达标率", "%", "higher", "比率", 95, 94, 95, 45, ""),
        ("P3", "", "产出指标", "数量指标", "任务数", "项", "higher", "累计", 20, 16, 20, 90, ""),
    ], columns=["project_id", "indicator_id", "level1", "level2", "level3", "unit", "direction", "progress",
                "target", "actual_to_date", "final_actual", "weight", "band"])
    ind["data_source"] = "台账"
    ind["deviation_reason"] = ["", "", "", "机制尚在试运行", "", "", ""]
    # the in-year actuals, dated: the units' tracking form of 30 September
    to_date = ind.pop("actual_to_date")
    tracking = pd.DataFrame({"project_id": ind["project_id"], "level3": ind["level3"], "date": "2026-09-30",
                             "actual": to_date, "likelihood": "确定能"})[to_date.notna()]
    sp = pd.DataFrame({"project_id": ["P1", "P1", "P2", "P3", "P3"],
                       "date": ["2026-09-30", "2026-12-31", "2026-09-30", "2026-08-31", "2026-10-31"],
                       "spent": [50e4, 95e4, 130e4, 20e4, 45e4]})
    ea = pd.DataFrame({"project_id": ["P1", "P2"], "necessity": [22.0, 10.0], "economy": [18.0, 8.0],
                       "target_quality": [17.0, 10.0], "feasibility": [16.0, 10.0], "compliance": [12.0, 10.0]})
    kw = dict(budget_year=2026, spending=sp, ex_ante_scores=ea, tracking=tracking)
    kw.update(over)
    return cp.build_portfolio(dep, prj, ind, **kw)


def _funded_portfolio(**over):
    """The small portfolio with P2 supported too, so every project is funded and evaluated."""
    ea = pd.DataFrame({"project_id": ["P1", "P2"], "necessity": [22.0, 20.0], "economy": [18.0, 18.0],
                       "target_quality": [17.0, 17.0], "feasibility": [16.0, 16.0], "compliance": [12.0, 12.0]})
    return _small_portfolio(ex_ante_scores=ea, **over)


def test_monitoring_flags_on_constructed_portfolio():
    m = cp.monitor(_funded_portfolio(), "2026-09-30")
    tp = 273 / 365
    t = m.projects.set_index("project_id")
    # P1 50/100 = 0.50 < tp - 0.15 = 0.5979 -> low; P2 130/200 = 0.65 -> fine;
    # P3 uses the 08-31 record (20/50 = 0.40), not the later 10-31 one -> low
    np.testing.assert_allclose(t["execution_rate"], [0.5, 0.65, 0.4])
    assert list(t["low_execution"]) == [True, False, True]
    r = m.indicators.set_index("level3")
    # cumulative: expected 1200 × 273/365 = 897.53; achievement 800/897.53 = 0.8913 -> not deviating
    assert r.loc["运营车公里", "expected"] == pytest.approx(1200 * tp)
    assert r.loc["运营车公里", "achievement"] == pytest.approx(800 / (1200 * tp))
    assert not r.loc["运营车公里", "deviation"]
    # level: expected = target; 70/90 = 0.778 < 0.8 -> deviating
    assert r.loc["乘客满意度", "achievement"] == pytest.approx(70 / 90)
    assert r.loc["乘客满意度", "deviation"]
    # lower & cumulative: expected 300 × tp = 224.38, actual 300 -> 224.38/300 = 0.748 -> deviating
    assert r.loc["投诉件数", "achievement"] == pytest.approx(tp)
    assert r.loc["投诉件数", "deviation"]
    assert np.isnan(r.loc["长效机制", "achievement"]) and not r.loc["长效机制", "deviation"]
    assert list(t["n_deviating"]) == [1, 1, 0]
    # department D1: (50 + 130) / (100 + 200) = 0.60, not the mean of rates 0.575
    assert m.departments.loc["D1", "execution_rate"] == pytest.approx(0.6)
    assert m.departments.loc["D1", "n_low_execution"] == 1
    assert m.summary["n_low_execution"] == 2 and m.summary["n_deviating_projects"] == 2


def test_monitoring_thresholds_are_parameters():
    pf = _funded_portfolio()
    loose = cp.monitor(pf, "2026-09-30", tolerance=0.40, deviation_threshold=0.5)
    assert loose.summary["n_low_execution"] == 0 and loose.summary["n_deviating_indicators"] == 0
    months = cp.monitor(pf, "2026-09-30", convention="months")
    assert months.time_progress == pytest.approx(0.75)
    with pytest.raises(InputError, match="日期不在预算年度内"):
        cp.monitor(pf, "2027-01-01")


# ---- self-evaluation -------------------------------------------------------------------

def test_self_evaluate_hand_computed():
    ev = cp.self_evaluate(_small_portfolio().project("P1"))
    # execution 10 × 95/100 = 9.5 (latest record, 12-31); 车公里 30 × 1100/1200 = 27.5;
    # 事故率 20 × 0.2/0.25 = 16; 满意度 92 ≥ 90 -> 10; 长效机制 部分达成 0.7 × 30 = 21
    assert ev.execution_score == pytest.approx(9.5)
    assert ev.score == pytest.approx(9.5 + 27.5 + 16 + 10 + 21)      # 84.0
    assert ev.grade == "良" and ev.recommendation == "延续"
    b = ev.breakdown.set_index("level3")
    np.testing.assert_allclose(b.loc[["运营车公里", "万公里事故率", "乘客满意度", "长效机制"], "score"], [27.5, 16, 10, 21])
    # deviation reasons: input's text, "未说明" when missing, empty for met targets
    assert b.loc["长效机制", "deviation_reason"] == "机制尚在试运行"
    assert b.loc["运营车公里", "deviation_reason"] == "未说明"
    assert b.loc["乘客满意度", "deviation_reason"] == ""


def test_evaluate_portfolio_matches_per_project_and_level_sums():
    pf = _funded_portfolio()
    res = cp.evaluate_portfolio(pf)
    p = res.projects.set_index("project_id")
    assert p.loc["P1", "output_score"] == pytest.approx(27.5 + 16)
    assert p.loc["P1", "benefit_score"] == pytest.approx(21)
    # P2: execution 10 × 130/200 = 6.5; 投诉 280 ≤ 300 -> 45; 达标率 95/95 -> 45 => 96.5
    assert p.loc["P2", "score"] == pytest.approx(96.5)
    # P3: execution 10 × 45/50 = 9; 任务数 90 -> 99
    assert p.loc["P3", "score"] == pytest.approx(99.0)
    for pid in p.index:
        assert cp.self_evaluate(pf, pid).score == pytest.approx(p.loc[pid, "score"])
    assert dict(res.grade_counts) == {"优": 2, "良": 1, "中": 0, "差": 0}
    # department D1 budget-weighted: (84 × 100 + 96.5 × 200) / 300
    assert res.departments.loc["D1", "weighted_score"] == pytest.approx((84 * 100 + 96.5 * 200) / 300)


# ---- ex-ante and the feedback loop ---------------------------------------------------------

def test_ex_ante_conclusion_and_no_assessment_flag():
    res = cp.ex_ante(_small_portfolio())
    s = res.sheet.set_index("project_id")
    assert s.loc["P1", "total"] == pytest.approx(22 + 18 + 17 + 16 + 12)        # 85 -> 予以支持
    assert s.loc["P1", "conclusion"] == "予以支持"
    assert s.loc["P2", "total"] == pytest.approx(48) and s.loc["P2", "conclusion"] == "不予支持"
    # P3 is continuing (延续): no assessment needed, its approved amount stands
    assert not s.loc["P3", "no_assessment"] and s.loc["P3", "conclusion"] == "延续项目（未评估）"
    assert list(s["approved_final"]) == [100e4, 0.0, 50e4]
    # reviewed base P1 + P2: 320万 requested, 100万 approved -> 220/320; all: (380 - 150)/380
    assert res.cut_rate == pytest.approx(220 / 320)
    assert res.cut_rate_all == pytest.approx(230 / 380)
    th = cp.ex_ante(_small_portfolio(), thresholds={"予以支持": 90, "部分支持": 40, "不予支持": float("-inf")})
    assert list(th.sheet["conclusion"][:2]) == ["部分支持", "部分支持"]


def test_feedback_from_evaluation_into_next_ex_ante():
    this_year = _funded_portfolio()
    res = cp.evaluate_portfolio(this_year, bands={"优": 97, "良": 90, "中": 85, "差": float("-inf")})
    # with these bands P1 (84) is 差 -> 取消; P2 (96.5) 良 -> 延续; P3 (99) 优
    prev = cp.feed_forward(res, 2026)
    assert list(prev["recommendation"]) == ["取消", "延续", "延续"]
    assert list(prev["budget"]) == [100e4, 200e4, 50e4]
    nxt = _funded_portfolio(budget_year=2027, spending=None, tracking=None, previous_evaluation=prev)
    s = cp.ex_ante(nxt).sheet.set_index("project_id")
    assert s.loc["P1", "prev_grade"] == "差" and s.loc["P1", "prev_recommendation"] == "取消"
    assert s.loc["P1", "blocked"] and s.loc["P1", "approved_final"] == 0.0
    assert s.loc["P2", "prev_grade"] == "良" and not s.loc["P2", "blocked"]
    # an override with a reason lifts the block
    ea = nxt.ex_ante_scores.copy()
    ea["override_reason"] = ["已整改，经研究同意继续实施", "", ]
    nxt2 = _small_portfolio(budget_year=2027, spending=None, tracking=None, previous_evaluation=prev,
                            ex_ante_scores=ea)
    s2 = cp.ex_ante(nxt2).sheet.set_index("project_id")
    assert not s2.loc["P1", "blocked"] and s2.loc["P1", "approved_final"] == 100e4


def test_department_performance_ratios():
    pf = _funded_portfolio()
    d = cp.department_performance(pf)
    assert d.loc["D1", "project_execution"] == pytest.approx((95 + 130) / 300)
    assert d.loc["D1", "assessed_share"] == 1.0 and d.loc["D2", "assessed_share"] == 0.0
    # D1 benefit marks: 长效机制 21 of 30 + 投诉 45 of 45 -> 66/75
    assert d.loc["D1", "benefit_rate"] == pytest.approx(66 / 75)
    assert d.loc["D1", "satisfaction_rate"] == pytest.approx(1.0)


# ---- scoring profiles and the issue-10 fixes ------------------------------------------------

def _default_weights(**over):
    """Project P1 of the small portfolio without explicit weights: the profile splits its marks."""
    pf = _funded_portfolio().subset(["P1"])
    return cp.build_portfolio(pf.departments, pf.projects, pf.indicators.drop(columns=["weight"]), budget_year=2026,
                              spending=pf.spending, ex_ante_scores=pf.ex_ante_scores, **over)


def test_qualitative_rating_is_an_input_and_blank_is_a_flagged_problem():
    pf = _funded_portfolio()
    ind = pf.indicators.copy()
    extra = ind.iloc[[3, 3, 3]].copy()        # three more qualitative rows on P3 (weights 90 -> 60 + 3 × 10)
    extra["project_id"], extra["weight"], extra["level3"] = "P3", 10.0, ["机制A", "机制B", "机制C"]
    extra["band"], extra["final_actual"], extra["deviation_reason"] = "达成", [1.0, 0.9, np.nan], ""
    ind.loc[ind["project_id"] == "P3", "weight"] = 60.0
    pf2 = cp.build_portfolio(pf.departments, pf.projects, pd.concat([ind, extra], ignore_index=True),
                             budget_year=2026, spending=pf.spending, ex_ante_scores=pf.ex_ante_scores)
    r = cp.evaluate_portfolio(pf2).indicators.set_index("level3")
    # 达成 at the rater's 100% scores full marks and is not a miss: no "未说明" deviation reason
    assert r.loc["机制A", "score"] == pytest.approx(10.0)
    assert not r.loc["机制A", "missed"] and r.loc["机制A", "deviation_reason"] == ""
    # 达成 at 90%: 9 points, still achieved (the band is 达成)
    assert r.loc["机制B", "score"] == pytest.approx(9.0) and not r.loc["机制B", "missed"]
    # blank rating: not the silent midpoint (9) but the band's lower bound (8), listed as a problem
    assert r.loc["机制C", "score"] == pytest.approx(8.0)
    assert "未填写评分" in r.loc["机制C", "problem"] and r.loc["机制A", "problem"] == ""
    # 部分达成 is a miss and needs its reason
    assert r.loc["长效机制", "missed"] and r.loc["长效机制", "deviation_reason"] == "机制尚在试运行"


def test_reverse_indicator_rule_comes_from_the_profile():
    # 万公里事故率: target 0.2, actual 0.25, default split of 产出 marks: 50/2 = 25 (national), 40/2 = 20 (variant_20)
    nat = cp.evaluate_portfolio(_default_weights()).indicators.set_index("level3")
    assert nat.loc["万公里事故率", "score"] == pytest.approx(25 * 0.2 / 0.25)                 # ratio: 20
    var = cp.evaluate_portfolio(_default_weights(profile="variant_20")).indicators.set_index("level3")
    assert var.loc["万公里事故率", "score"] == pytest.approx(20 * (1 - (0.25 - 0.2) / 0.2))   # linear: 15
    # linear reaches 0 at twice the target and stays there; ratio does not
    assert cp.score_indicator(0.2, 0.4, direction="lower", weight=20, reverse="linear") == pytest.approx(0.0)
    assert cp.score_indicator(0.2, 0.5, direction="lower", weight=20, reverse="linear") == 0.0
    assert cp.score_indicator(0.2, 0.4, direction="lower", weight=20, reverse="ratio") == pytest.approx(10.0)
    # the rules table names a source for the rule in force, "local practice" (地方做法 for the reader) where there is none
    rules = cp.load_profile("variant_20").rules().set_index("规则")
    assert "(1 − (实际值 − 目标值) ÷ 目标值)" in rules.loc["反向指标（≤）", "取值"]
    assert "地方做法" in rules.loc["反向指标（≤）", "依据"]


def test_execution_weight_changes_form_and_validation(tmp_path):
    # variant_20: execution 20, so explicit indicator weights summing to 90 are rejected (80 expected)
    with pytest.raises(InputError, match="指标权重合计 80"):
        _funded_portfolio(profile="variant_20")
    pf = _default_weights(profile="variant_20")
    ev = cp.evaluate_portfolio(pf)
    p = ev.projects.set_index("project_id")
    # P1: execution 20 × 95/100 = 19; 车公里 20 × 1100/1200; 事故率 linear 15; 满意度 10; 长效机制 30 × 0.7 = 21
    assert p.loc["P1", "execution_score"] == pytest.approx(19.0)
    # the 车公里 line is shown rounded first: 20 × 1100/1200 = 18.333… -> 18.33, so 总分 = 19 + 18.33 + 15 + 10 + 21
    assert p.loc["P1", "score"] == pytest.approx(83.33)
    from costing.performance.excel import write_self_evaluation_xlsx
    wb = openpyxl.load_workbook(write_self_evaluation_xlsx(ev, tmp_path / "f.xlsx", year=2026, projects=["P1"]))
    ws = wb["P1"]
    assert ws["C5"].value == "年度资金总额" and ws["G5"].value == 20.0   # 分值 of 年度资金总额
    total_row = [r for r in ws.iter_rows() if r[0].value == "总分"][0]
    assert total_row[6].value == pytest.approx(100.0)                   # 20 + 80, not 107
    about = [[c.value for c in row] for row in wb["说明"].iter_rows()]
    assert any(r[0] == "权重" and "预算执行率 20 分" in r[1] for r in about)


def test_no_satisfaction_indicator_moves_its_weight_by_the_profile():
    pf = _funded_portfolio().subset(["P1"])
    ind = pf.indicators[pf.indicators["level3"] != "乘客满意度"].drop(columns=["weight"])
    pf2 = cp.build_portfolio(pf.departments, pf.projects, ind, budget_year=2026, ex_ante_scores=pf.ex_ante_scores)
    w = pf2.indicators.set_index("level3")["weight"]
    assert w["长效机制"] == pytest.approx(30 + 10)       # national: to the benefits (效益指标)
    assert w["运营车公里"] == pytest.approx(25)


def test_portfolio_cut_rate_over_the_reviewed_base():
    pf = cp.load_portfolio(Path(__file__).resolve().parents[1] / "data" / "portfolios" / "example_portfolio.toml")
    res = cp.ex_ante(pf)
    t = res.total
    # regression values of the synthetic example portfolio (data/portfolios, seeded generator), not a
    # source: reviewed 44,895万元, cut 12,961万元 -> 12961/44895 = 28.87% (the two unassessed requests
    # are not "cut")
    assert t["requested"].iloc[0] == pytest.approx(44895e4) and t["cut_amount"].iloc[0] == pytest.approx(12961e4)
    assert res.cut_rate == pytest.approx(12961 / 44895) and fmt_rate(res.cut_rate) == "28.87%"
    lines = dict(zip(t.index, t["requested"]))
    assert lines["未评估项目"] == pytest.approx(4841e4)                 # P027 + P029, on their own line
    assert lines["　其中：因上年取消建议暂停"] == pytest.approx(290e4)     # P009
    assert res.cut_rate_all == pytest.approx(17802 / 49736)               # 35.79% over every request


def test_ex_ante_decision_carried_into_monitoring_and_evaluation():
    pf = cp.load_portfolio(Path(__file__).resolve().parents[1] / "data" / "portfolios" / "example_portfolio.toml")
    unfunded = {"P009", "P018", "P027", "P029"}          # blocked, 不予支持, two new projects without assessment
    fs = cp.funded_projects(pf)
    assert set(fs.excluded["project_id"]) == unfunded and (fs.excluded["exclusion_reason"] != "").all()
    ev = cp.evaluate_portfolio(pf)
    assert not unfunded & set(ev.projects["project_id"]) and set(ev.excluded["project_id"]) == unfunded
    m = cp.monitor(pf, "2026-09-30")
    assert not unfunded & set(m.projects["project_id"]) and set(m.excluded["project_id"]) == unfunded
    # the approved amount is the year's budget
    s = cp.ex_ante(pf).sheet.set_index("project_id")
    p = ev.projects.set_index("project_id")
    assert (p["budget_initial"] == s.loc[p.index, "approved_final"]).all()


def test_supported_with_zero_approved_needs_a_reason():
    pf = _funded_portfolio()
    prj = pf.projects.assign(approved=[100e4, 0.0, 50e4])
    pf0 = cp.build_portfolio(pf.departments, prj, pf.indicators, budget_year=2026, ex_ante_scores=pf.ex_ante_scores)
    s = cp.ex_ante(pf0).sheet.set_index("project_id")
    assert s.loc["P2", "conclusion"] == "予以支持" and s.loc["P2", "approved_final"] == 0
    assert s.loc["P2", "problem"] == "予以支持但审定数为0，未说明理由"
    assert "P2" in set(cp.funded_projects(pf0).excluded["project_id"])
    ea = pf.ex_ante_scores.assign(approved_note=["", "资金由上级专项安排"])
    pf1 = cp.build_portfolio(pf.departments, prj, pf.indicators, budget_year=2026, ex_ante_scores=ea)
    s1 = cp.ex_ante(pf1).sheet.set_index("project_id")
    assert s1.loc["P2", "problem"] == "" and s1.loc["P2", "exclusion_reason"] == "审定数为0：资金由上级专项安排"


def test_no_performance_no_budget_gates_new_projects_and_targets():
    # P3 continues (延续): funded without an assessment; as a new project (新增) it is not
    s = cp.ex_ante(_small_portfolio()).sheet.set_index("project_id")
    assert s.loc["P3", "approved_final"] == 50e4 and not s.loc["P3", "no_assessment"]
    pf = _small_portfolio()
    new = cp.build_portfolio(pf.departments, pf.projects.assign(new_or_continuing="新增"), pf.indicators,
                             budget_year=2026, ex_ante_scores=pf.ex_ante_scores)
    s = cp.ex_ante(new).sheet.set_index("project_id")
    assert s.loc["P3", "no_assessment"] and s.loc["P3", "approved_final"] == 0
    # every project needs SMART targets: P1's 运营车公里 without a data source blocks P1
    ind = pf.indicators.copy()
    ind.loc[ind["level3"] == "运营车公里", "data_source"] = ""
    bad = cp.build_portfolio(pf.departments, pf.projects, ind, budget_year=2026, ex_ante_scores=pf.ex_ante_scores)
    s = cp.ex_ante(bad).sheet.set_index("project_id")
    assert s.loc["P1", "targets_not_smart"] and s.loc["P1", "approved_final"] == 0
    assert s.loc["P1", "exclusion_reason"] == "绩效目标未通过SMART检查：运营车公里：缺少数据来源"


def test_previous_adjust_recommendation_flags_review_and_shows_the_change():
    prev = pd.DataFrame({"project_id": ["P1", "P3"], "year": [2025, 2025], "score": [75.0, 95.0],
                         "grade": ["中", "优"], "recommendation": ["", ""], "budget": [110e4, 50e4]})
    s = cp.ex_ante(_small_portfolio(previous_evaluation=prev)).sheet.set_index("project_id")
    assert s.loc["P1", "prev_recommendation"] == "调整" and s.loc["P1", "review_required"]
    assert s.loc["P1", "requested_change"] == pytest.approx(120e4 - 110e4)
    assert s.loc["P1", "problem"] == "上年评价建议调整，未说明调整情况"
    assert not s.loc["P3", "review_required"]
    ea = _small_portfolio().ex_ante_scores.assign(adjustment_note=["压减车辆购置，细化准点率指标", ""])
    s2 = cp.ex_ante(_small_portfolio(previous_evaluation=prev, ex_ante_scores=ea)).sheet.set_index("project_id")
    assert s2.loc["P1", "problem"] == "" and s2.loc["P1", "adjustment_note"] == "压减车辆购置，细化准点率指标"


def test_key_projects_for_the_peoples_congress():
    pf = cp.load_portfolio(Path(__file__).resolve().parents[1] / "data" / "portfolios" / "example_portfolio.toml")
    ev = cp.evaluate_portfolio(pf)
    k = cp.key_projects(ev).set_index("project_id")
    p = ev.projects.set_index("project_id")
    # rule: 年初预算数 >= 1000万元 (national profile, local practice), or flagged 重点 (P025 in the example)
    expected = set(p.index[p["budget_initial"] >= 1000e4]) | {"P025"}
    assert set(k.index) == expected and p.loc["P025", "budget_initial"] < 1000e4
    assert k.loc["P025", "key_reason"] == "列为重点" and k.loc["P001", "key_reason"] == "金额达到标准"
    assert k.loc["P001", "grade"] == p.loc["P001", "grade"]
    # targets and results per indicator: P001's 万公里事故率 target 0.2, actual 0.22 (indicators.csv)
    assert "万公里事故率：0.2次/万公里" in k.loc["P001", "targets"]
    assert "万公里事故率：0.22次/万公里" in k.loc["P001", "results"]
    assert len(cp.key_projects(ev, threshold=1e12)) == 1          # only the flagged one
