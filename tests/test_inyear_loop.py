"""The in-year loop on the example portfolio (issue 18): counting, unbudgeted spending, notices across rounds,
the rectification ledger, adjustments that take effect, several dates in one view, rollover.

The example is SYNTHETIC (data/raw/portfolio_example); its figures are regression values, and every
expected number below is worked by hand from the example's CSV rows in the comment next to it.
Time progress by elapsed days: 30 June = day 181, 30 September = day 273 of 365.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import costing.performance as cp
from costing.errors import InputError
from costing.performance.notices import rectification_notices

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "portfolios" / "example_portfolio.toml"
JUNE, SEPT = 181 / 365, 273 / 365


@pytest.fixture(scope="module")
def pf():
    return cp.load_portfolio(EXAMPLE)


# ---- counting ---------------------------------------------------------------------------------

def test_units_own_cannot_ratings_count_as_deviations(pf):
    m = cp.monitor(pf, "2026-06-30")
    i = m.indicators.set_index(["project_id", "level3"])
    # tracking.csv: P011 群众满意度 77.91 at 6-30, target 90 (a level): 77.91 / 90 = 86.57% ≥ 80%, so by
    # achievement alone it would not deviate; the unit rated it 不可能, so it deviates and is red
    assert i.loc[("P011", "群众满意度"), "achievement"] == pytest.approx(77.91 / 90)
    assert i.loc[("P011", "群众满意度"), "deviation"] and i.loc[("P011", "群众满意度"), "light"] == "红"
    # P014 居民满意度 78.27 / 90 = 86.97%; P016 完成工作任务数量 17.2 against 40 × 181/365 = 19.836 -> 86.71%
    assert i.loc[("P014", "居民满意度"), "achievement"] == pytest.approx(78.27 / 90)
    assert i.loc[("P016", "完成工作任务数量"), "achievement"] == pytest.approx(17.2 / (40 * JUNE))
    assert i.loc[("P014", "居民满意度"), "deviation"] and i.loc[("P016", "完成工作任务数量"), "deviation"]
    # the three get a 目标偏离 line in their unit's notice
    items = pd.concat([n.items for n in rectification_notices(pf, m)])
    dev = items[items["problem_type"] == "目标偏离"].set_index("project_id")["problem"]
    assert "群众满意度（实现程度86.57%）" in dev["P011"] and "完成工作任务数量（实现程度86.71%）" in dev["P016"]


def test_every_flagged_project_enters_the_adjustment_list(pf):
    m = cp.monitor(pf, "2026-06-30")
    adj = pd.concat([n.adjustments for n in rectification_notices(pf, m)]).set_index("project_id")
    flagged = m.projects[m.projects["low_execution"] | m.projects["deviating"]]["project_id"]
    assert set(adj.index) == set(flagged)
    # target-only deviations (execution on time) are listed with the budget held and the rule stated
    for pid in ("P012", "P020", "P026"):
        assert adj.loc[pid, "rule"] == "目标偏离" and adj.loc[pid, "adjustment"] == 0
        assert adj.loc[pid, "advice"] == "预算数暂不调整，限期纠偏或调整绩效目标"
    # P006 slow: spent 40.20 of 256 (15.70% < 49.59% − 15); the unit's 全年预计执行数 188.45 ->
    # proposed 188.45, adjustment 188.45 − 256 = −67.55 万元
    assert adj.loc["P006", "rule"] == "执行偏慢"
    assert adj.loc["P006", "proposed"] == pytest.approx(188.45e4)
    assert adj.loc["P006", "adjustment"] == pytest.approx(-67.55e4)
    assert adj.loc["P006", "advice"] == "调减67.55万元，调整后预算数188.45万元"


def test_unbudgeted_spending_is_its_own_problem(pf):
    m = cp.monitor(pf, "2026-12-31")
    u = m.unbudgeted.set_index("project_id")
    # spending.csv at 12-31 of the four projects not funded this year (万元):
    # P009 211.35 (暂停: 上年建议取消) + P018 455.19 (不予支持) + P027 4,023.58 + P029 263.78 (新增未评估)
    # = 4,953.90 万元
    assert list(u.index) == ["P009", "P018", "P027", "P029"]
    assert u.loc["P027", "spent"] == pytest.approx(4023.58e4)
    assert m.summary["unbudgeted_spent"] == pytest.approx((211.35 + 455.19 + 4023.58 + 263.78) * 1e4)
    assert m.summary["n_unbudgeted"] == 4
    notices = {n.department_id: n for n in rectification_notices(pf, m)}
    it = notices["D03"].items.set_index("project_id")
    row = it[it["problem_type"] == "无预算支出"].loc["P027"]
    assert row["problem"] == "本年度未安排预算（新增项目未开展事前绩效评估（无绩效，不预算）），截至2026-12-31已支出4,023.58万元"
    # P029's file says 年初 292, 全年 277: the −15 in-year cut applies to no budget, so 全年预算数 is 0, not −15
    ex = m.excluded.set_index("project_id")
    assert ex.loc["P029", "budget"] == 0


def test_negative_derived_budget_is_bad_input(pf):
    from costing.performance.exante import funded_projects

    prj = pf.projects.copy()
    i = prj.index[prj["project_id"] == "P006"][0]
    prj.loc[i, "budget"] = prj.loc[i, "budget_initial"] - 300e4     # 256 approved, cut by 300 -> −44 万元
    bad = dataclasses.replace(pf, projects=prj)
    with pytest.raises(InputError, match="全年预算数为负数") as e:
        funded_projects(bad)
    assert "P006" in str(e.value) and "-44" in str(e.value)
