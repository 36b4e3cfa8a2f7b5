"""Scored whole-department performance (部门整体绩效): framework as data, hand-computed scores, ranking."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import costing.performance as cp
from costing.errors import InputError
from costing.performance.department import FRAMEWORK_FILE, load_framework, score_departments


def _portfolio():
    dep = pd.DataFrame({
        "department_id": ["D1", "D2"], "department_name": ["交通局", "民政局"],
        "staff_quota": [100, np.nan], "staff_on_post": [103, 40],
        "three_public": [110e4, 90e4], "three_public_prev": [100e4, 100e4],
        "public_budget": [100e4, 100e4], "public_spent": [100e4, 95e4],
        "basic_budget": [100e4, 50e4], "basic_spent": [100e4, 50e4], "carryover": [12e4, 0.0],
        "key_spending": [45e4, 50e4], "duty_completion": [0.9, 1.0], "satisfaction_survey": [0.81, 0.95]})
    prj = pd.DataFrame({"project_id": ["P1", "P2"], "project_name": ["公交", "养老"], "department_id": ["D1", "D2"],
                        "requested": [100e4, 50e4], "approved": [100e4, 40e4], "budget_initial": [100e4, 40e4],
                        "budget": [100e4, 50e4], "new_or_continuing": "延续"})   # funded without an assessment
    ind = pd.DataFrame([
        ("P1", "产出指标", "数量指标", "任务数", "项", "higher", "累计", 100, 100, 60),
        ("P1", "效益指标", "社会效益指标", "受益人数", "万人", "higher", "累计", 10, 8, 30),
        ("P2", "产出指标", "数量指标", "服务人次", "人次", "higher", "累计", 100, 100, 60),
        ("P2", "效益指标", "社会效益指标", "覆盖率", "%", "higher", "比率", 90, 95, 30),
    ], columns=["project_id", "level1", "level2", "level3", "unit", "direction", "progress", "target",
                "final_actual", "weight"])
    ind["data_source"] = "台账"                                            # SMART targets
    sp = pd.DataFrame({"project_id": ["P1", "P2"], "date": ["2026-12-31"] * 2, "spent": [90e4, 50e4]})
    own = pd.DataFrame([
        ("D1", "履职效能", "案件结案率", "%", "正向", 100, 90),
        ("D1", "履职效能", "办件量", "件", "≥", 200, 200),
        ("D2", "履职效能", "救助及时率", "%", "higher", 90, 95),
        ("D2", "社会效益", "新增养老床位", "张", "higher", 10, np.nan),
    ], columns=["department_id", "dimension", "name", "unit", "direction", "target", "actual"])
    return cp.build_portfolio(dep, prj, ind, budget_year=2026, spending=sp, department_targets=own)


def test_department_scores_hand_computed():
    res = score_departments(_portfolio())
    s = res.indicators.set_index(["department_id", "name"])["score"]
    # D1 运行成本: 103/100 is 3 points over -> 6 × (1 − 0.3) = 4.2; 三公 +10% -> 7 × (1 − 1.0) = 0; 公用 100% -> 7
    assert s["D1", "在职人员控制率"] == pytest.approx(4.2)
    assert s["D1", "三公经费变动率"] == pytest.approx(0.0)
    assert s["D1", "公用经费控制率"] == pytest.approx(7.0)
    # 管理效率: (90 + 100) / (100 + 100) = 0.95 -> 9.5; 结转结余 12/200 = 6% vs 5% -> 5 × (1 − 0.01/0.05) = 4;
    # 调整率 0 -> 5
    assert s["D1", "预算执行率"] == pytest.approx(9.5)
    assert s["D1", "结转结余率"] == pytest.approx(4.0)
    assert s["D1", "预算调整率"] == pytest.approx(5.0)
    # 履职效能: 重点 45/90 = 0.5 of 0.6 -> 5 × 0.8333; 重点工作 0.9 -> 9; own targets 15/2 = 7.5 each: 90/100 and 200/200
    assert s["D1", "重点支出安排率"] == pytest.approx(5 * 0.5 / 0.6)
    assert s["D1", "重点工作完成率"] == pytest.approx(9.0)
    assert s["D1", "案件结案率"] == pytest.approx(6.75) and s["D1", "办件量"] == pytest.approx(7.5)
    # 社会效益: benefit marks 30 × 8/10 = 24 of 30 -> 10 × 0.8 = 8; no own target -> 0 with a note
    assert s["D1", "项目效益指标得分率"] == pytest.approx(8.0)
    assert s["D1", "部门自定社会效益目标"] == 0.0
    assert res.indicators.set_index(["department_id", "name"]).loc[("D1", "部门自定社会效益目标"), "note"] == "未设定部门整体绩效目标"
    # 满意度 0.81 of 0.9 -> 9
    assert s["D1", "服务对象满意度"] == pytest.approx(9.0)
    d1 = 4.2 + 0 + 7 + 9.5 + 4 + 5 + 5 * 0.5 / 0.6 + 9 + 6.75 + 7.5 + 8 + 0 + 9           # 74.1167
    # D2: no establishment -> 0 (noted); 三公 −10% -> 7; 公用 95% -> 7; execution (50+50)/100 -> 10; carry-over 0 -> 5;
    # 调整率 |50 − 40| / 40 = 25% -> 0; 重点 50/50 -> 5; 重点工作 10; own 95/90 -> 15; benefit full -> 10;
    # own benefit target without an actual -> 0; survey 0.95 -> 10
    d2 = 0 + 7 + 7 + 10 + 5 + 0 + 5 + 10 + 15 + 10 + 0 + 10                                 # 79
    t = res.table.set_index("department_id")
    assert t.loc["D1", "total_score"] == pytest.approx(d1) and t.loc["D2", "total_score"] == pytest.approx(d2)
    assert list(res.table["department_id"]) == ["D2", "D1"] and list(res.table["rank"]) == [1, 2]
    assert list(res.table["grade"]) == ["中", "中"]
    assert t.loc["D1", "运行成本"] == pytest.approx(11.2)
    assert "缺少数据" in res.indicators.set_index(["department_id", "name"]).loc[("D2", "在职人员控制率"), "note"]


def test_framework_is_data_and_checked(tmp_path):
    fw = load_framework()
    assert list(fw.dimensions) == ["运行成本", "管理效率", "履职效能", "社会效益", "服务对象满意度"]
    assert sum(fw.dimensions.values()) == 100
    assert {"在职人员控制率", "三公经费变动率", "重点支出安排率", "结转结余率", "预算调整率", "公用经费控制率"} <= set(
        fw.indicators["name"])
    assert fw.indicators["source"].str.len().gt(0).all()
    bad = tmp_path / "fw.toml"
    bad.write_text(FRAMEWORK_FILE.read_text(encoding="utf-8").replace("weight = 6\n", "weight = 9\n", 1),
                   encoding="utf-8")
    with pytest.raises(InputError, match="维度“运行成本”的指标权重合计不等于该维度权重"):
        load_framework(bad)


def test_example_portfolio_ranks_its_three_departments():
    from pathlib import Path

    pf = cp.load_portfolio(Path(__file__).resolve().parents[1] / "data" / "portfolios" / "example_portfolio.toml")
    res = score_departments(pf)
    assert len(res.table) == 3 and res.table["total_score"].is_monotonic_decreasing
    assert (res.table["total_score"] <= 100).all() and (res.indicators["score"] <= res.indicators["weight"] + 1e-9).all()
    # the weights of every department add up to 100
    assert res.indicators.groupby("department_id")["weight"].sum().tolist() == pytest.approx([100.0] * 3)
