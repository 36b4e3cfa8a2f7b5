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
    assert row["problem"] == "本年度未安排预算（新增项目未开展事前绩效评估（无绩效，不预算）），截至2026年12月31日已支出4,023.58万元"
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


# ---- done when: the year on the example ---------------------------------------------------------

def _fill_reply(src: Path, dst: Path, seq: int, measures: str, until: str, note: str) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(src)
    ws = wb["整改建议书"]
    heads = [c.value for c in ws[4]]
    for row in ws.iter_rows(min_row=5):
        if row[0].value == seq:
            row[heads.index("整改措施（单位填写）")].value = measures
            row[heads.index("完成时限（单位填写）")].value = until
            row[heads.index("说明（单位填写）")].value = note
    wb.save(dst)


def test_the_year_on_the_example(tmp_path, capsys):
    from costing.cli import main
    from costing.performance.ledger import load_ledger

    notices = tmp_path / "notices"
    # 1. monitor 6-30 -> one notice per unit, numbered 文财绩〔2026〕1–3号, dated 6-30, reply by 6-30 + 30 = 7-30
    assert main(["monitor", str(EXAMPLE), "--as-of", "2026-06-30", "--notices", str(notices)]) == 0
    led = load_ledger(notices)
    assert list(pd.unique(led["notice_number"])) == ["文财绩〔2026〕1号", "文财绩〔2026〕2号", "文财绩〔2026〕3号"]
    assert set(led["issued"]) == {"2026-06-30"} and set(led["deadline"]) == {"2026-07-30"}
    d01 = led[(led["notice_number"] == "文财绩〔2026〕1号") & (led["seq"] > 0)]
    p006 = d01[d01["project_id"] == "P006"].iloc[0]
    assert p006["problem_type"] == "执行偏慢" and p006["previous_number"] == ""
    # P006: 40.20 / 256 = 15.70% < 181/365 − 15% = 49.59% − 15% = 34.59%
    assert "预算执行率15.70%" in p006["problem"]
    adj = led[(led["project_id"] == "P006") & (led["problem_type"] == "预算调整")].iloc[0]
    assert adj["budget"] == pytest.approx(256e4) and adj["proposed"] == pytest.approx(188.45e4)  # the unit's forecast

    # 2. the unit replies on P006; the bureau reads it back on 7-20 and confirms P006's adjustment (188.45 万元)
    xlsx = next(notices.glob("整改建议书_文财绩〔2026〕1号_*.xlsx"))
    reply = tmp_path / "回复_D01.xlsx"
    _fill_reply(xlsx, reply, int(p006["seq"]), "平台二期合同已签订，按合同进度支付", "2026-09-30", "年内确实无法支出的部分申请调减")
    assert main(["ledger", str(notices), "--as-of", "2026-07-20", "--replies", str(reply), "--accept", "P006"]) == 0
    led = load_ledger(notices)
    row = led[(led["notice_number"] == "文财绩〔2026〕1号") & (led["seq"] == p006["seq"])].iloc[0]
    assert row["status"] == "已回复" and row["reply_deadline"] == "2026-09-30" and row["replied"] == "2026-07-20"
    adj = led[(led["project_id"] == "P006") & (led["problem_type"] == "预算调整")].iloc[0]
    assert adj["adjusted_budget"] == pytest.approx(188.45e4) and adj["status"] == "已整改"
    assert adj["confirmed"] == "2026-07-20"
    # every other problem row is still 待回复 on 7-20 (deadline 7-30)
    problems = led[led["problem_type"] != "预算调整"]
    assert (problems["status"] != "逾期未回复").all()
    # a reply file that matches no notice is bad input, named
    other = tmp_path / "别的文件.xlsx"
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    wb["整改建议书"]["A2"] = "示例区财政局  编号：文财绩〔2026〕99号"
    wb.save(other)
    assert main(["ledger", str(notices), "--as-of", "2026-07-21", "--replies", str(other)]) == 2
    assert "别的文件.xlsx" in capsys.readouterr().err

    # 3. monitor 9-30: numbers continue (4–6号); P006 measured against 188.45, not 256; repeated problems cite 1号
    capsys.readouterr()
    assert main(["monitor", str(EXAMPLE), "--as-of", "2026-09-30", "--notices", str(notices)]) == 0
    led = load_ledger(notices)
    assert list(pd.unique(led["notice_number"]))[3:] == ["文财绩〔2026〕4号", "文财绩〔2026〕5号", "文财绩〔2026〕6号"]
    r2 = led[(led["notice_number"] == "文财绩〔2026〕4号") & (led["project_id"] == "P006")].set_index("problem_type")
    # P006 at 9-30: 98.48 / 188.45 = 52.26% < 273/365 − 15% = 59.79% -> still slow, a reminder of 1号
    assert "预算执行率52.26%" in r2.loc["执行偏慢", "problem"]
    assert r2.loc["执行偏慢", "previous_number"] == "文财绩〔2026〕1号"
    assert r2.loc["执行偏慢", "problem"].endswith("（已于文财绩〔2026〕1号通知，再次提醒）")
    # new proposal: min(188.45, the unit's 9-30 forecast 185.16) = 185.16, i.e. −3.29 against the adjusted budget
    assert r2.loc["预算调整", "budget"] == pytest.approx(188.45e4)
    assert r2.loc["预算调整", "proposed"] == pytest.approx(185.16e4)
    # round 1's unanswered problems are overdue at 9-30 (deadline 7-30); the one answered stays 已回复
    r1 = led[(led["notice_number"] == "文财绩〔2026〕1号") & (led["problem_type"] != "预算调整")]
    assert (r1.loc[r1["seq"] == p006["seq"], "status"] == "已回复").all()
    assert set(r1.loc[r1["seq"] != p006["seq"], "status"]) <= {"逾期未回复", "已整改"}
    # the 9-30 workbook shows the adjusted budget and the original
    m = cp.monitor(__import__("costing.performance.ledger", fromlist=["x"]).with_adjustments(
        cp.load_portfolio(EXAMPLE), led, "2026-09-30"), "2026-09-30")
    p = m.projects.set_index("project_id").loc["P006"]
    assert p["budget"] == pytest.approx(188.45e4) and p["budget_before_adjustment"] == pytest.approx(256e4)
    assert p["execution_rate"] == pytest.approx(98.48 / 188.45)

    # 4. the year-end evaluation measures against the adjusted budget: P006 185.98 / 188.45 = 98.69%
    from costing.performance.ledger import with_adjustments

    pf = cp.load_portfolio(EXAMPLE)
    ev = cp.evaluate_portfolio(with_adjustments(pf, led))
    e = ev.projects.set_index("project_id").loc["P006"]
    assert e["budget"] == pytest.approx(188.45e4) and e["execution_rate"] == pytest.approx(185.98 / 188.45)

    # 5. rollover of a variant_20 portfolio carries the profile, [bureau] and the open items; assess runs on it
    text = EXAMPLE.read_text(encoding="utf-8").replace('profile = "national"', 'profile = "variant_20"')
    text = text.replace("../raw/", str(ROOT / "data" / "raw") + "/")
    v20 = tmp_path / "v20.toml"
    v20.write_text(text, encoding="utf-8")
    out = tmp_path / "2027"
    assert main(["rollover", str(v20), "--to", "2027", "--out", str(out), "--ledger",
                 str(notices / "整改台账.xlsx")]) == 0
    toml = (out / "example_portfolio_2027.toml").read_text(encoding="utf-8")
    assert 'profile = "variant_20"' in toml and 'doc_prefix = "文财绩"' in toml
    carried = pd.read_csv(out / "上年整改事项.csv")
    open_rows = led[(led["status"] != "已整改") & (led["problem_type"] != "预算调整")]
    assert len(carried) == len(open_rows) > 0
    # ... and start next year's ledger: a 2027 notice numbers from 1 and cites 2026's number on a repeat
    from costing.performance.ledger import last_sequence, open_problems

    nxt = load_ledger(out / "整改" / "整改台账.xlsx")
    assert len(nxt) == len(open_rows) and last_sequence(nxt, 2027, "文财绩") == 0
    assert open_problems(nxt, before="2027-06-30")["P006|执行偏慢"] == "文财绩〔2026〕1号"
    capsys.readouterr()
    assert main(["assess", str(out / "example_portfolio_2027.toml")]) == 0
    shown = capsys.readouterr().out
    assert "评分口径 variant_20" in shown
    # 部门汇总 on the skeleton: nothing reviewed yet, sums 0 (not NaN), 未评审项目数 counts every project, and
    # 未评审申报数 of D01 = 15,749 − 67.55 (P006 carried at its confirmed 188.45 instead of 256) = 15,681.45
    dep = shown.split("== 部门汇总")[1].split("== 全部项目")[0]
    assert "nan" not in dep.lower() and "15,681.45" in dep  # shown by the one formatter (costing.fmt)
    d01 = next(line for line in dep.splitlines() if line.strip().startswith("D01")).split()
    assert d01[-4:-1] == ["15,681.45", "9", "0"]


# ---- several dates, one view -----------------------------------------------------------------

def test_one_table_of_two_dates(pf, tmp_path):
    from openpyxl import load_workbook

    from costing.cli import main
    from costing.performance.monitoring import monitor_dates, one_table

    rounds = monitor_dates(pf, ["2026-09-30", "2026-06-30"])            # any order: sorted
    assert [d.isoformat() for d in rounds.dates] == ["2026-06-30", "2026-09-30"]
    t = one_table(rounds).set_index("项目编码")
    assert len(t) == 26                                                   # one row per funded project
    p = t.loc["P006"]
    # 6-30: 40.20 / 256 = 15.70%; 181/365 = 49.59%; 偏差 15.703 − 49.589 = −33.89 百分点
    assert p["6月30日·预算执行率（%）"] == pytest.approx(15.70) and p["6月30日·时间进度（%）"] == pytest.approx(49.59)
    assert p["6月30日·偏差（百分点）"] == pytest.approx(-33.89)
    # 9-30: 98.48 / 256 = 38.47%; 273/365 = 74.79%; 偏差 38.469 − 74.795 = −36.33; change 38.469 − 15.703 = +22.77
    assert p["9月30日·预算执行率（%）"] == pytest.approx(38.47) and p["9月30日·偏差（百分点）"] == pytest.approx(-36.33)
    assert p["9月30日·执行率较上期变化（百分点）"] == pytest.approx(22.77)
    # P011 群众满意度 rated 不可能 at both dates: one red light each time, no change
    assert "不可能1" in t.loc["P011", "6月30日·完成目标可能性"] and t.loc["P011", "9月30日·红灯较上期变化"] == 0
    # the same date twice is bad input
    with pytest.raises(InputError, match="监控时点重复"):
        monitor_dates(pf, ["2026-06-30", "2026-06-30"])
    # CLI: several --as-of -> the 一表通观 sheet after 说明; the per-project forms as well
    out = tmp_path / "m.xlsx"
    assert main(["monitor", str(EXAMPLE), "--as-of", "2026-06-30", "--as-of", "2026-09-30", "--xlsx", str(out)]) == 0
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames[:3] == ["说明", "一表通观", "绩效跟踪分析表"] and "跟踪表_P006" in wb.sheetnames
    one = tmp_path / "one.xlsx"
    assert main(["monitor", str(EXAMPLE), "--as-of", "2026-09-30", "--xlsx", str(one)]) == 0
    assert "一表通观" not in load_workbook(one, read_only=True).sheetnames   # one date: as before


def test_per_project_form_layout(pf, tmp_path):
    from openpyxl import load_workbook

    from costing.performance.excel import write_tracking_xlsx

    m = cp.monitor(pf, "2026-09-30")
    ws = load_workbook(write_tracking_xlsx(m, tmp_path / "t.xlsx"))["跟踪表_P006"]
    assert ws["A1"].value == "项目支出绩效跟踪分析表（2026年1—9月）"
    heads = [c.value for c in ws[3] if c.value]
    assert heads[:4] == ["项目资金（万元）", "年初预算数", "全年预算数", "1—9月执行数"] and "偏差（百分点）" in heads
    assert ws["E4"].value == pytest.approx(98.48)                         # 1—9月执行数, 万元
    assert ws["K4"].value == pytest.approx(100 * (98.48 / 256 - 273 / 365))   # −36.33 百分点
    assert ws["A5"].value == "年度总体目标" and "智慧交通平台运维" in ws["C5"].value
    assert [c.value for c in ws[6]][:5] == ["一级指标", "二级指标", "三级指标", "年度指标值", "1—9月执行情况"]


def test_a_reply_row_that_matches_no_problem_is_bad_input(tmp_path):
    from openpyxl import load_workbook

    from costing.cli import main

    notices = tmp_path / "n"
    assert main(["monitor", str(EXAMPLE), "--as-of", "2026-06-30", "--notices", str(notices)]) == 0
    xlsx = next(notices.glob("整改建议书_文财绩〔2026〕2号_*.xlsx"))
    wb = load_workbook(xlsx)
    ws = wb["整改建议书"]
    ws["B5"] = "P999"                                                      # 序号 1 with another project
    ws["J5"] = "已整改"
    bad = tmp_path / "回复.xlsx"
    wb.save(bad)
    from costing.performance.ledger import apply_replies, load_ledger

    with pytest.raises(InputError, match="回复行与整改建议书的问题对不上") as e:
        apply_replies(load_ledger(notices), [bad], "2026-07-10")
    assert e.value.location.row == 5 and "回复.xlsx" in str(e.value.location.file)
    # a second round at the same date is refused (numbers would repeat)
    assert main(["monitor", str(EXAMPLE), "--as-of", "2026-06-30", "--notices", str(notices)]) == 2
