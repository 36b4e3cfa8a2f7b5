"""The 《项目支出绩效自评表》 as the national form (财预〔2020〕10号 附件2): funding block, 预期目标 /
实际完成情况, rounded lines adding up to the 总分, grade from the 总分 shown, 未说明 as a 填报问题;
the 人大 summary's fields and budget bases; the indicator library per project type (issue 19)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import costing.performance as cp
from costing.performance.evaluation import funding_block

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "portfolios" / "example_portfolio.toml"


@pytest.fixture(scope="module")
def example_evaluation():
    pf = cp.load_portfolio(EXAMPLE)
    return pf, cp.evaluate_portfolio(pf)


def test_shown_lines_add_up_to_the_total_for_all_26_projects(example_evaluation, tmp_path):
    _, ev = example_evaluation
    assert len(ev.projects) == 26
    from costing.performance.excel import write_self_evaluation_xlsx

    path = write_self_evaluation_xlsx(ev, tmp_path / "ev.xlsx", year=2026)
    wb = openpyxl.load_workbook(path)
    for pid in ev.projects["project_id"]:
        ws = wb[pid]
        rows = list(ws.iter_rows(values_only=True))
        fund = next(r for r in rows if r[2] == "年度资金总额")
        start = next(i for i, r in enumerate(rows) if r[1] == "一级指标") + 1
        total = next(r for r in rows if r[0] == "总分")
        lines = [fund[8]] + [r[7] for r in rows[start:] if r[0] != "总分" and r[7] is not None]
        # every line as shown is already a 2-decimal number, and they add up to the 总分 shown
        assert all(round(v, 2) == pytest.approx(v, abs=1e-12) for v in lines), pid
        assert sum(lines) == pytest.approx(total[7], abs=1e-9), pid
        assert total[8].startswith(f"等级：{cp.grade(total[7])}"), pid
    # P001 (issue 19: 94.43 shown against 94.44): the rounded lines now give the 总分
    p1 = ev.indicators[ev.indicators["project_id"] == "P001"]
    exec1 = ev.projects.set_index("project_id").loc["P001", "execution_score"]
    assert ev.projects.set_index("project_id").loc["P001", "score"] == pytest.approx(exec1 + p1["score"].sum())


def _one_project(spent, satisfaction_actual, **cols):
    dep = pd.DataFrame({"department_id": ["D1"], "department_name": ["交通局"]})
    prj = pd.DataFrame({"project_id": ["P1"], "project_name": ["公交"], "department_id": ["D1"],
                        "requested": [100e4], "approved": [100e4], "budget": [100e4], **cols})
    ind = pd.DataFrame([
        ("P1", "产出指标", "数量指标", "运营车公里", "万车公里", "higher", 1200, 1200, 50, ""),
        ("P1", "效益指标", "社会效益指标", "客运量", "万人次", "higher", 3000, 3100, 30, ""),
        ("P1", "满意度指标", "服务对象满意度指标", "乘客满意度", "%", "higher", 90, satisfaction_actual, 10, ""),
    ], columns=["project_id", "level1", "level2", "level3", "unit", "direction", "target", "final_actual",
                "weight", "deviation_reason"])
    ind["data_source"] = "台账"
    sp = pd.DataFrame({"project_id": ["P1"], "date": ["2026-12-31"], "spent": [spent]})
    ea = pd.DataFrame({"project_id": ["P1"], "necessity": [22.0], "economy": [18.0], "target_quality": [17.0],
                       "feasibility": [16.0], "compliance": [12.0]})
    return cp.build_portfolio(dep, prj, ind, budget_year=2026, spending=sp, ex_ante_scores=ea)


def test_grade_comes_from_the_total_shown_89_996():
    # spent 99.96万 of 100万: execution 10 × 0.9996 = 9.996 -> shown 10.00 (half away from zero);
    # outputs 50 and benefits 30 met; satisfaction 0 of 90 -> 0. Unrounded 89.996 (良), shown 90.00 -> 优.
    ev = cp.evaluate_portfolio(_one_project(999_600.0, 0.0))
    p = ev.projects.iloc[0]
    assert p["execution_score"] == 10.0
    assert p["score"] == 90.0 and p["grade"] == "优"
    # the missed satisfaction indicator without a reason reads 未说明 and counts as a 填报问题
    r = ev.indicators.set_index("level3")
    assert r.loc["乘客满意度", "deviation_reason"] == "未说明"
    assert "未说明" in r.loc["乘客满意度", "problem"] and p["n_problems"] == 1
    # 实际完成情况 written from the indicators: rate 99.96%, 2 of 3 met, the missed one named
    assert p["goal_result"] == "预算执行率99.96%；3项绩效指标中2项达到年度指标值，未达到的有：乘客满意度。"


def test_funding_block_from_the_sources():
    # no 资金来源 given: 当年财政拨款 = 全年预算数, the other rows 0
    ev = cp.evaluate_portfolio(_one_project(800_000.0, 90.0))
    fb = funding_block(ev.projects.iloc[0], 10.0)
    assert list(fb["label"]) == ["年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金"]
    np.testing.assert_allclose(fb["budget"], [100e4, 100e4, 0, 0])
    np.testing.assert_allclose(fb["spent"], [80e4, 80e4, 0, 0])
    assert fb.loc["total", "execution_score"] == 8.0 and np.isnan(fb.loc["fiscal", "execution_score"])
    # 全年预算数 100万 of which 上年结转 15万 and 其他资金 5万; spent 80万 of which 12万 结转, 5万 其他
    pf = _one_project(800_000.0, 90.0, budget_carryover=[150_000.0], budget_other=[50_000.0])
    pf.spending["spent_carryover"], pf.spending["spent_other"] = 120_000.0, 50_000.0
    fb = funding_block(cp.evaluate_portfolio(pf).projects.iloc[0], 10.0)
    np.testing.assert_allclose(fb["budget"], [100e4, 80e4, 15e4, 5e4])        # 100 − 15 − 5 = 80
    np.testing.assert_allclose(fb["spent"], [80e4, 63e4, 12e4, 5e4])          # 80 − 12 − 5 = 63
    np.testing.assert_allclose(fb["execution_rate"], [0.8, 63 / 80, 0.8, 1.0])


def test_peoples_congress_summary_fields_and_budget_basis(example_evaluation):
    from costing.performance.excel import KEY_PROJECT_COLUMNS
    from costing.report.word_docs import key_projects_context

    _, ev = example_evaluation
    k = cp.key_projects(ev).set_index("project_id")
    # P025 (issue 19: "650 budgeted, 682 spent, 100%"): the rate is on 全年预算数, which stands next to it
    p25 = k.loc["P025"]
    assert p25["execution_rate"] == pytest.approx(p25["spent"] / p25["budget"])
    cols = KEY_PROJECT_COLUMNS
    assert cols.index("budget") == cols.index("spent") - 1 == cols.index("execution_rate") - 2
    ctx = key_projects_context(ev, 2026)
    row = next(r for r in ctx["projects"] if r.id == "P025")
    assert row.reason == "列为重点" and row.targets == p25["targets"] and row.results == p25["results"]


def test_public_toilets_and_waste_sorting_have_their_own_indicators(example_evaluation):
    pf, _ = example_evaluation
    prj = pf.projects.set_index("project_id")
    assert prj.loc["P013", "project_type"] == "public_toilet" and prj.loc["P014", "project_type"] == "waste_sorting"
    ind = pf.indicators
    names13 = set(ind.loc[ind["project_id"] == "P013", "level3"])
    names14 = set(ind.loc[ind["project_id"] == "P014", "level3"])
    sweeping = set(cp.load_library("sanitation")["level3"])
    assert not names13 & sweeping and not names14 & sweeping
    assert "公厕设施完好率" in names13 and "居民分类投放准确率" in names14


def test_line_rounding_is_the_one_rule_of_round_half_up():
    from costing.performance.evaluation import round_scores
    from costing.units import round_half_up

    # every 3-decimal value from 0 to 100 (all the ties x.xx5) and some negatives: the vectorised rounding of the
    # 自评表 lines equals costing.units.round_half_up (half away from zero on the written number)
    x = np.concatenate([np.arange(0, 100_001) / 1000, -np.arange(0, 2_001) / 1000, [4.4685, 6.2275, 91.875]])
    assert round_scores([1.005, 2.675, 0.125, -1.005]).tolist() == [1.01, 2.68, 0.13, -1.01]
    np.testing.assert_array_equal(round_scores(x), [round_half_up(float(v), 2) for v in x])
