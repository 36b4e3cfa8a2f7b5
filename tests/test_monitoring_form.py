"""The monitoring form (《绩效跟踪分析表》), dated actuals, the department summary and the 整改建议书 data.

Every expected number is computed by hand in the comments (time progress by
elapsed days: 30 June = day 181, 30 September = day 273 of 365).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import costing.performance as cp
from costing.errors import InputError
from costing.performance.display import to_display
from costing.performance.notices import ADJUSTMENT_RULES, REQUIREMENTS, notices_summary, rectification_notices

JUNE, SEPT = 181 / 365, 273 / 365


def _portfolio(tracking=None, spending=None, **over):
    dep = pd.DataFrame({"department_id": ["D1", "D2"], "department_name": ["交通局", "民政局"]})
    prj = pd.DataFrame({"project_id": ["P1", "P2", "P3"], "project_name": ["公交补贴", "站亭改造", "低保"],
                        "department_id": ["D1", "D1", "D2"], "requested": [100e4, 200e4, 50e4],
                        "approved": [100e4, 200e4, 50e4], "budget": [100e4, 200e4, 50e4],
                        "new_or_continuing": "延续"})     # continuing: funded without an ex-ante assessment
    ind = pd.DataFrame([
        # project, level1, level2, level3, unit, direction, progress, target, final, weight, band
        ("P1", "产出指标", "数量指标", "车公里", "万车公里", "higher", "累计", 1200, 1150, 50, ""),
        ("P1", "效益指标", "可持续影响指标", "长效机制", "", "qualitative", "", "建立", np.nan, 30, "达成"),
        ("P1", "满意度指标", "服务对象满意度指标", "满意度", "%", "higher", "比率", 90, 92, 10, ""),
        ("P2", "产出指标", "质量指标", "合格率", "%", "higher", "比率", 100, 100, 90, ""),
        ("P3", "产出指标", "数量指标", "救助人次", "人次", "higher", "累计", 1000, 1000, 90, ""),
    ], columns=["project_id", "level1", "level2", "level3", "unit", "direction", "progress", "target",
                "final_actual", "weight", "band"])
    ind["data_source"] = "台账"                          # SMART targets, so every project is funded
    if spending is None:
        spending = pd.DataFrame({"project_id": ["P1", "P2", "P3"], "date": ["2026-09-30"] * 3,
                                 "spent": [40e4, 160e4, 40e4], "forecast": [80e4, np.nan, 50e4]})
    if tracking is None:
        tracking = pd.DataFrame([
            ("P1", "车公里", "2026-06-30", 500, "确定能", "", "", ""),
            ("P1", "车公里", "2026-09-30", 700, "有可能", "投入保障", "车辆交付推迟", ""),
            ("P1", "长效机制", "2026-09-30", "办法已起草", "不可能", "制度保障", "审议推迟", "年底前出台"),
            ("P1", "满意度", "2026-09-30", 88, "", "", "", ""),
            ("P2", "合格率", "2026-09-30", 60, "有可能", "项目管理", "验收滞后", "加快验收"),
            ("P3", "救助人次", "2026-09-30", 800, "确定能", "", "", ""),
        ], columns=["project_id", "level3", "date", "actual", "likelihood", "reason_group", "cause", "measures"])
    return cp.build_portfolio(dep, prj, ind, budget_year=2026, spending=spending, tracking=tracking, **over)


# ---- "wrong today" 4: indicator actuals are dated ------------------------------------------

def test_monitoring_uses_latest_actual_on_or_before_as_of_against_its_own_date():
    pf = _portfolio()

    def km(as_of):
        return cp.monitor(pf, as_of).indicators.set_index("level3").loc["车公里"]

    # 31 May: nothing dated on or before -> missing, not deviating
    may = km("2026-05-31")
    assert may["missing_actual"] and not may["deviation"] and np.isnan(may["achievement"])
    # 30 June: 500 against 1200 × 181/365 = 595.07 -> 0.8402, not deviating (threshold 0.80)
    june = km("2026-06-30")
    assert june["actual_to_date"] == 500 and june["achievement"] == pytest.approx(500 / (1200 * JUNE))
    assert not june["deviation"] and june["light"] == "黄"
    # 30 September: 700 against 1200 × 273/365 = 897.53 -> 0.7799, deviating
    sept = km("2026-09-30")
    assert sept["achievement"] == pytest.approx(700 / (1200 * SEPT)) and sept["deviation"]
    assert sept["light"] == "红"
    # 31 December with the same September actual: still judged at its own date (0.7799),
    # not against the full-year target (700 / 1200 = 0.583)
    dec = km("2026-12-31")
    assert dec["actual_date"] == pd.Timestamp("2026-09-30")
    assert dec["achievement"] == pytest.approx(700 / (1200 * SEPT))
    assert cp.monitor(pf, "2026-12-31").summary["n_deviating_projects"] == \
        cp.monitor(pf, "2026-09-30").summary["n_deviating_projects"]


def test_undated_actual_in_the_indicator_table_is_refused():
    pf = _portfolio()
    ind = pf.indicators.drop(columns=["ind_no", "target_value"]).assign(actual_to_date=[800, "", 85, 90, 700])
    with pytest.raises(InputError, match="未注明日期的累计实际值") as e:
        cp.build_portfolio(pf.departments, pf.projects, ind, budget_year=2026)
    assert "第 2 行" in str(e.value) and "绩效跟踪填报表" in str(e.value)


def test_tracking_row_must_name_one_indicator_of_its_project():
    bad = pd.DataFrame({"project_id": ["P1"], "level3": ["合格率"], "date": ["2026-09-30"], "actual": [90]})
    with pytest.raises(InputError, match="在项目 P1 中找不到对应指标") as e:
        _portfolio(tracking=bad)
    assert "<tracking>" in str(e.value) and "第 2 行" in str(e.value)
    late = pd.DataFrame({"project_id": ["P1"], "level3": ["车公里"], "date": ["2027-01-05"], "actual": [90]})
    with pytest.raises(InputError, match="日期不在预算年度内"):
        _portfolio(tracking=late)
    text = pd.DataFrame({"project_id": ["P1"], "level3": ["车公里"], "date": ["2026-09-30"], "actual": ["约七百"]})
    with pytest.raises(InputError, match="实际值不是不小于 0 的数"):
        _portfolio(tracking=text)


# ---- "wrong today" 5: the department summary's two counts have their own headers ---------

def test_department_summary_counts_projects_and_indicators_under_distinct_headers():
    m = cp.monitor(_portfolio(), "2026-09-30")
    d = to_display(m.departments)
    # D1: P1 deviates on 车公里 (0.78) and 长效机制 (不可能), P2 on 合格率 (60/100) -> 2 projects, 3 indicators
    row = d.set_index("部门编码").loc["D1"]
    assert row["目标偏离项目数"] == 2 and row["偏离指标数"] == 3
    assert d.columns.is_unique


# ---- the monitoring form ----------------------------------------------------------------

def test_form_lights_likelihood_and_missing_fields():
    m = cp.monitor(_portfolio(), "2026-09-30")
    r = m.indicators.set_index("level3")
    # qualitative: monitored by the unit's answer; 不可能 -> red and deviating
    assert r.loc["长效机制", "light"] == "红" and r.loc["长效机制", "deviation"]
    assert r.loc["长效机制", "actual_text"] == "办法已起草"
    # level indicator 88 of 90 = 0.978 -> yellow; 救助人次 800 / (1000 × 273/365) = 1.0696 -> green
    assert r.loc["满意度", "achievement"] == pytest.approx(88 / 90) and r.loc["满意度", "light"] == "黄"
    assert r.loc["救助人次", "light"] == "绿"
    t = m.projects.set_index("project_id")
    assert t.loc["P1", "forecast"] == 80e4 and np.isnan(t.loc["P2", "forecast"])
    # problems: 车公里 有可能 without 改进措施; 满意度 without 完成目标可能性; P2 without 全年预计执行数
    got = set(zip(m.problems["project_id"], m.problems["level3"], m.problems["field"]))
    assert got == {("P1", "车公里", "改进措施"), ("P1", "满意度", "完成目标可能性"), ("P2", "", "全年预计执行数")}
    assert list(m.departments["n_problems"]) == [3, 0]


# ---- 整改建议书 and 预算调整建议 ------------------------------------------------------------

def test_rectification_notices_per_unit():
    pf = _portfolio()
    m = cp.monitor(pf, "2026-09-30", tolerance=0.15)
    notices = rectification_notices(pf, m, days=15, issuer="示例区财政局")
    # D2's only project P3 is on track (40/50 = 80% ≥ 59.79%, 救助人次 green, form complete): no notice
    assert [n.department_id for n in notices] == ["D1"]
    n = notices[0]
    assert n.deadline == dt.date(2026, 10, 15) and n.number == "〔2026〕1号"   # GB/T 9704: sequence without leading zeros, 号
    # P1: 40/100 = 40% < 74.79% − 15 = 59.79% -> 执行偏慢; 2 deviating indicators; incomplete form
    # P2: 160/200 = 80% fine; 合格率 deviates; no forecast -> incomplete form
    kinds = list(zip(n.items["project_id"], n.items["problem_type"]))
    assert kinds == [("P1", "执行偏慢"), ("P1", "目标偏离"), ("P1", "填报不完整"), ("P2", "目标偏离"), ("P2", "填报不完整")]
    assert list(n.items["seq"]) == [1, 2, 3, 4, 5]
    assert n.items.loc[0, "problem"].startswith("截至2026年9月30日预算执行率40.00%")
    assert "车公里（实现程度77.99%）" in n.items.loc[1, "problem"] and "长效机制（完成目标可能性为不可能）" in n.items.loc[1, "problem"]
    assert n.items.loc[0, "requirement"] == REQUIREMENTS["执行偏慢"]
    assert (n.items["reply_measures"] == "").all()
    # adjustment: P1 slow, reported forecast 80万 -> proposed 80万, adjustment −20万;
    # P2 only deviates on a target: it enters the adjustment list too, budget held (200万, adjustment 0)
    a = n.adjustments.set_index("project_id")
    assert list(a.index) == ["P1", "P2"]
    assert a.loc["P1", "proposed"] == 80e4 and a.loc["P1", "adjustment"] == -20e4
    assert a.loc["P2", "rule"] == "目标偏离" and a.loc["P2", "proposed"] == 200e4 and a.loc["P2", "adjustment"] == 0
    assert a.loc["P1", "advice"] == "调减20.00万元，调整后预算数80.00万元"
    assert a.loc["P1", "forecast_source"] == "单位填报" and a.loc["P1", "rule"] in ADJUSTMENT_RULES
    assert set(n.submission["project_id"]) == {"P1", "P2"}
    summary = notices_summary(notices)
    assert list(summary["n_items"]) == [5] and list(summary["adjustment"]) == [-20e4]


def test_adjustment_projection_and_cancel_rule():
    sp = pd.DataFrame({"project_id": ["P1", "P2", "P3"], "date": ["2026-09-30"] * 3,
                       "spent": [40e4, 160e4, 40e4], "forecast": [np.nan, np.nan, 50e4]})
    pf = _portfolio(spending=sp)
    m = cp.monitor(pf, "2026-09-30")
    # no forecast reported: straight line 40万 / (273/365) = 53.48万 < 100万
    a = rectification_notices(pf, m)[0].adjustments.set_index("project_id")
    assert a.loc["P1", "proposed"] == pytest.approx(40e4 / SEPT)
    assert a.loc["P1", "forecast_source"] == "按序时进度推算"
    # an evaluation recommending 取消 withdraws the unspent balance: P3 proposed = spent 40万, −10万
    ev = cp.evaluate_portfolio(pf, rules={"优": "取消"})
    notices = {n.department_id: n for n in rectification_notices(pf, m, ev)}
    c = notices["D2"].adjustments.set_index("project_id")
    assert c.loc["P3", "rule"] == "取消" and c.loc["P3", "proposed"] == 40e4 and c.loc["P3", "adjustment"] == -10e4


def test_cli_writes_one_notice_per_unit_and_survives_one_failure(tmp_path, monkeypatch):
    from openpyxl import load_workbook

    from costing.cli import main
    from costing.performance import excel

    example = str(Path(__file__).resolve().parents[1] / "data" / "portfolios" / "example_portfolio.toml")
    real = excel.write_notice_xlsx

    def flaky(notice, path):
        if notice.department_id == "D02":
            raise OSError("disk full")
        return real(notice, path)

    monkeypatch.setattr(excel, "write_notice_xlsx", flaky)
    rc = main(["monitor", example, "--as-of", "2026-09-30", "--notices", str(tmp_path), "--notice-days", "20"])
    assert rc == 1                                          # the failure is reported ...
    files = sorted(p.name for p in tmp_path.glob("*.xlsx"))  # ... and the other units' notices are written
    assert files == ["整改建议书_文财绩〔2026〕1号_D01_区交通运输局.xlsx", "整改建议书_文财绩〔2026〕3号_D03_区民政局.xlsx"]
    assert not (tmp_path / "整改台账.xlsx").exists()          # the round is not recorded, so it can be run again
    assert len(list(tmp_path.glob("*.docx"))) == 3           # the Word notices do not depend on the xlsx
    wb = load_workbook(tmp_path / files[0], read_only=True)
    assert wb.sheetnames == ["整改建议书", "预算调整建议", "填报问题", "说明"]
    rows = list(wb["整改建议书"].iter_rows(values_only=True))
    assert rows[3][:3] == ("序号", "项目编码", "项目名称") and rows[4][7] == "2026-10-20"   # 30 Sep + 20 days


def test_undated_actual_column_in_an_indicators_file_names_file_row_and_column(tmp_path):
    import shutil

    root = Path(__file__).resolve().parents[1] / "data"
    shutil.copytree(root / "raw" / "portfolio_example", tmp_path / "raw" / "portfolio_example")
    (tmp_path / "portfolios").mkdir()
    shutil.copy(root / "portfolios" / "example_portfolio.toml", tmp_path / "portfolios")
    f = tmp_path / "raw" / "portfolio_example" / "indicators.csv"
    df = pd.read_csv(f, dtype=str, keep_default_na=False)
    df.insert(3, "截至目前完成值", ["", "862.96"] + [""] * (len(df) - 2))
    df.to_csv(f, index=False)
    with pytest.raises(InputError, match="未注明日期的累计实际值") as e:
        cp.load_portfolio(tmp_path / "portfolios" / "example_portfolio.toml")
    assert "indicators.csv" in str(e.value) and "第 3 行" in str(e.value) and "截至目前完成值" in str(e.value)
