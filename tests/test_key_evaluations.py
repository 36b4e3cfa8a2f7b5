"""Third-party key evaluations (重点评价): the "5+1" stages, report quality sheets (one partial), the agency
scorecard across years (issue 19). The example's entries are synthetic; the arithmetic is worked below."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from costing.errors import InputError
from costing.performance.key_evaluations import (STAGES, agency_scorecard, key_evaluation_control, load_key_evaluations,
                                                 load_sheets, read_key_evaluations)

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "portfolios" / "example_portfolio.toml"


def test_quality_sheets_as_data_with_sources():
    sh = load_sheets()
    cq, jd = sh["chongqing_2017"], sh["jiading"]
    # 重庆 2017 附件8: 报告格式 6 (封面 2, 表格 2, 计算 2), 报告内容 14, 绩效反映 20; the rest was cut -> partial, 40 seen
    assert cq.partial and cq.max_marks == 40 and "不完整" in cq.note
    assert cq.items.groupby("group", sort=False)["max"].sum().to_dict() == {"报告格式": 6, "报告内容": 14, "绩效反映": 20}
    # 嘉定区: 前期 30 (专业能力 15, 人员稳定 15), 过程 20, 后期 50 (报告 25, 结论 25) = 100, item bands from the source
    assert not jd.partial and jd.max_marks == 100
    assert jd.items.groupby("group", sort=False)["max"].sum().to_list() == [30, 20, 50]
    assert jd.items["bands"].str.len().gt(0).all() and "jiading.cn" in jd.source


def test_example_stages_scores_and_scorecard():
    ke = load_key_evaluations(EXAMPLE)
    assert len(ke.evaluations) == 4 and ke.as_of.isoformat() == "2026-11-25"   # latest date done on file
    c = key_evaluation_control(ke).set_index(["年度", "项目编码"])
    # 2025 P012 on 重庆 2017 (partial): 2 + 1.5 + 1 + 11 + 15 = 30.5 of the 40 marks seen = 76.25%
    assert c.loc[(2025, "P012"), "报告质量得分"] == "30.5/40" and c.loc[(2025, "P012"), "得分率（%）"] == 76.25
    assert c.loc[(2025, "P012"), "报告质量评分表"].endswith("（来源不完整）")
    # 方案预审 due 5-15 done 5-20, 综合验收 due 11-30 done 12-05: late
    assert c.loc[(2025, "P012"), "逾期环节"] == "方案预审、综合验收"
    # 2026 P022: 力推答辩 due 10-31, still 进行中 at the latest date on file (11-25) -> late; 综合验收 due 11-30 not yet
    assert c.loc[(2026, "P022"), "力推答辩"] == "进行中，逾期（应于10月31日前）"
    assert c.loc[(2026, "P022"), "已完成环节"] == "3/6" and c.loc[(2026, "P022"), "逾期环节"] == "力推答辩"
    # 2026 P022 on 嘉定: 11 + 0 + 14 + 18 + 17 = 60/100
    assert c.loc[(2026, "P022"), "报告质量得分"] == "60/100"
    assert c.loc[(2025, "P001"), "结果应用情况"] == "按评价意见核减2026年补贴预算"
    s = agency_scorecard(ke).set_index(["评价机构", "年度"])
    yi = "乙会计师事务所（合成示例）"
    # 2025: 6 stages, 4 done on time (方案预审, 综合验收 late) = 66.67%; 2026: 3 done on time of 6 = 50%
    assert s.loc[(yi, 2025), "按期完成环节"] == "4/6" and s.loc[(yi, 2026), "按期完成率（%）"] == 50.0
    # all years: 7 of 12 on time = 58.33%; mean score rate (76.25 + 60) / 2 = 68.125 -> 68.13
    assert s.loc[(yi, "全部年度"), "按期完成环节"] == "7/12"
    assert s.loc[(yi, "全部年度"), "报告质量平均得分率（%）"] == pytest.approx(68.13)
    assert s.loc[(yi, "全部年度"), "含来源不完整的评分表"] == "是"


def test_bad_entries_are_named():
    base = {"year": 2026, "project": "P001", "agency": "甲"}
    with pytest.raises(InputError, match="未知的质量管控环节"):
        read_key_evaluations({"key_evaluations": {"evaluation": [{**base, "stages": {"答辩": {}}}]}}, "pf.toml")
    with pytest.raises(InputError, match="得分超出分值"):
        read_key_evaluations({"key_evaluations": {"evaluation": [{**base, "scores": {"评价过程中沟通情况": 21}}]}},
                             "pf.toml")
    with pytest.raises(InputError, match="状态不对"):
        read_key_evaluations({"key_evaluations": {"evaluation": [{**base, "stages": {"文件约定": {"status": "好"}}}]}},
                             "pf.toml")
    ke = read_key_evaluations({}, "pf.toml")
    assert ke.evaluations.empty and list(STAGES)[-1] == "结果应用"


def test_evaluate_writes_the_quality_control_sheets(tmp_path):
    import argparse

    from costing.performance import cli

    ap = argparse.ArgumentParser()
    cli.add_evaluate_arguments(ap)
    xlsx = tmp_path / "ev.xlsx"
    assert cli.run_evaluate(ap.parse_args([str(EXAMPLE), "--xlsx", str(xlsx)])) == 0
    wb = openpyxl.load_workbook(xlsx)
    assert {"重点评价质量管控", "评价机构记分卡", "报告质量评分表"} <= set(wb.sheetnames)
    head = [c.value for c in wb["重点评价质量管控"][1]]
    assert head[4:10] == list(STAGES) and wb["重点评价质量管控"].max_row == 5
