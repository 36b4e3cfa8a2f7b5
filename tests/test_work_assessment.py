"""绩效管理工作考核 (issue 19): D01–D03 of the example scored by hand; missing data marked, not zero.

Counts come from the synthetic example's tables (regression values); the arithmetic is worked in the comments.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import costing.performance as cp
from costing.performance.assessment import assess_work, load_assessment_framework, shown
from costing.performance.spotcheck import choose_sample, recheck, write_workpapers

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "portfolios" / "example_portfolio.toml"


@pytest.fixture(scope="module")
def example():
    pf = cp.load_portfolio(EXAMPLE)
    return pf, cp.evaluate_portfolio(pf)


def test_without_ledger_or_spotcheck_missing_is_marked_and_reweighted(example):
    pf, ev = example
    a = assess_work(pf, ev)
    d = a.detail.set_index(["department_id", "component"])
    # 事前评估覆盖率: D03 has 10 projects, P027 and P029 not assessed -> 8/10
    assert d.loc[("D03", "事前评估覆盖率"), "data"] == "8/10" and d.loc[("D03", "事前评估覆盖率"), "score"] == 80
    # 跟踪表按时完整率: forms = funded projects × 2 dates (30 June, 30 September).
    # D01: 9 funded, 18 forms; problems on 06-30 P007 (no forecast), on 09-30 P001, P004, P006, P007, P008 -> 12/18
    assert d.loc[("D01", "跟踪表按时完整率"), "data"] == "12/18"
    assert d.loc[("D01", "跟踪表按时完整率"), "score"] == pytest.approx(66.67)
    # D03: 8 funded, 16 forms; P024 without a forecast on both dates -> 14/16 = 87.5
    assert d.loc[("D03", "跟踪表按时完整率"), "data"] == "14/16"
    # 结果应用: D02 had 2 projects recommended 调整 last year, one adjustment left unexplained -> 1/2
    assert d.loc[("D02", "结果应用"), "data"] == "1/2"
    assert d.loc[("D03", "结果应用"), "note"] == "不适用"                # nothing recommended 调整/取消
    # no ledger, no spot-check: 缺少数据, not 0
    for dep in ("D01", "D02", "D03"):
        for c in ("整改回复按时率", "整改完成率", "自评质量"):
            assert d.loc[(dep, c), "note"] == "缺少数据" and pd.isna(d.loc[(dep, c), "score"])
    assert d.loc[("D03", "信息公开"), "note"] == "缺少数据"              # departments table blank for D03
    t = a.table.set_index("department_id")
    # D01: (15×100 + 15×100 + 15×66.67 + 10×100 + 10×100) / 65 = 6000.05/65 = 92.3085 -> 92.31
    assert t.loc["D01", "available_weight"] == 65 and t.loc["D01", "total_score"] == pytest.approx(92.31)
    # D03: (15×80 + 15×100 + 15×87.5) / 45 = 4012.5/45 = 89.1667 -> 89.17 (not 4012.5/100 = 40.13 with zeros)
    assert t.loc["D03", "available_weight"] == 45 and t.loc["D03", "total_score"] == pytest.approx(89.17)
    table, _ = shown(a)
    assert (table.set_index("部门编码").loc["D03", "结果应用（分）"]) == "不适用"


def _halved_recheck(pf, ev, folder):
    sample = choose_sample(pf, ev, share=0.2, seed=7)
    written, _, _ = write_workpapers(sample, ev, folder)
    for p in written:
        wb = openpyxl.load_workbook(p)
        ws = wb["复核底稿"]
        head = [c.value for c in ws[1]]
        j, k = head.index("自评完成值"), head.index("复核完成值")
        if "P002" in p.name:
            for row in ws.iter_rows(min_row=2):
                if row[j].value is not None:
                    row[k].value = row[j].value / 2
        wb.save(p)
    return recheck(folder)


def test_d01_to_d03_scored_by_hand_with_ledger_and_spotcheck(example, tmp_path):
    pf, ev = example
    rc = _halved_recheck(pf, ev, tmp_path)      # 自评质量: D01 差 (40), D02 优 (100), D03 优 (100)
    ledger = pd.DataFrame([
        # department, problem type, reply deadline, replied, status
        ("D01", "执行偏慢", "2026-10-30", "2026-10-20", "已整改"),
        ("D01", "目标偏离", "2026-10-30", "2026-10-29", "已整改"),
        ("D01", "填报不完整", "2026-10-30", "2026-10-30", "已回复"),
        ("D01", "目标偏离", "2026-10-30", "2026-11-05", "已回复"),   # late
        ("D02", "执行偏慢", "2026-10-30", "2026-10-15", "已整改"),
        ("D02", "目标偏离", "2026-10-30", "2026-10-16", "已回复"),
        ("D02", "预算调整", "2026-10-30", "", "待确认"),             # not a problem row
    ], columns=["department_id", "problem_type", "deadline", "replied", "status"])
    a = assess_work(pf, ev, ledger=ledger, recheck=rc)
    d = a.detail.set_index(["department_id", "component"])
    assert d.loc[("D01", "整改回复按时率"), "data"] == "3/4" and d.loc[("D01", "整改完成率"), "data"] == "2/4"
    assert d.loc[("D02", "整改回复按时率"), "data"] == "2/2" and d.loc[("D02", "整改完成率"), "data"] == "1/2"
    assert d.loc[("D03", "整改回复按时率"), "note"] == "不适用"          # no rectification items
    assert d.loc[("D01", "自评质量"), "score"] == 40 and d.loc[("D02", "自评质量"), "score"] == 100
    t = a.table.set_index("department_id")
    # D01: 事前 15×100 + SMART 15×100 + 跟踪 15×66.67 + 回复 10×75 + 整改 10×50 + 质量 15×40 + 应用 10×100
    #      + 公开 10×100 = 1500 + 1500 + 1000.05 + 750 + 500 + 600 + 1000 + 1000 = 7850.05; ÷ 100 = 78.5005 -> 78.50 (中)
    assert t.loc["D01", "total_score"] == pytest.approx(78.50) and t.loc["D01", "grade"] == "中"
    # D02: 1500 + 1500 + 15×100 + 10×100 + 10×50 + 15×100 + 10×50 + 10×90 = 8900; ÷ 100 = 89.00 (良)
    assert t.loc["D02", "total_score"] == pytest.approx(89.00) and t.loc["D02", "grade"] == "良"
    # D03: 15×80 + 15×100 + 15×87.5 + 15×100 (质量) = 5512.5 over 60 points with data -> 91.875 -> 91.88 (优);
    # 整改 (不适用, twice), 结果应用 (不适用) and 信息公开 (缺少数据) are left out, not scored 0
    assert t.loc["D03", "available_weight"] == 60 and t.loc["D03", "total_score"] == pytest.approx(91.88)
    assert t.loc["D03", "grade"] == "优"
    assert list(a.table["department_id"]) == ["D03", "D02", "D01"] and list(a.table["rank"]) == [1, 2, 3]


def test_framework_weights_are_data_marked_local_practice():
    fw = load_assessment_framework()
    assert fw.components["weight"].sum() == 100 and "local practice" in fw.source
    assert list(fw.components["name"]) == ["事前评估覆盖率", "绩效目标规范率", "跟踪表按时完整率", "整改回复按时率",
                                           "整改完成率", "自评质量", "结果应用", "信息公开"]


def test_evaluate_cli_writes_the_assessment_sheet(tmp_path, capsys):
    import argparse

    from costing.performance import cli

    ap = argparse.ArgumentParser()
    cli.add_evaluate_arguments(ap)
    xlsx = tmp_path / "ev.xlsx"
    assert cli.run_evaluate(ap.parse_args([str(EXAMPLE), "--xlsx", str(xlsx)])) == 0
    assert "绩效管理工作考核" in capsys.readouterr().out
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["绩效管理工作考核"]
    head = [c.value for c in ws[1]]
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["D01"][head.index("自评质量（分）")] == "缺少数据"
    assert rows["D01"][head.index("考核得分（折算）")] == pytest.approx(92.31)
    assert "绩效管理工作考核明细" in wb.sheetnames and "考核规则" in wb.sheetnames
