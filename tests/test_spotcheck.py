"""The bureau's spot-check of the self-evaluations (issue 19): sample, 复核底稿, re-check read back.

Figures of the example portfolio are regression values of the synthetic example; the re-scores
are worked by hand from the workpaper's own columns below.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import costing.performance as cp
from costing.errors import InputError
from costing.performance import cli
from costing.performance.spotcheck import (WORKPAPER_COLUMNS, choose_sample, load_rules, read_workpaper, recheck,
                                           rescore, risk_flags, write_workpapers)

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "portfolios" / "example_portfolio.toml"


@pytest.fixture(scope="module")
def example():
    pf = cp.load_portfolio(EXAMPLE)
    return pf, cp.evaluate_portfolio(pf)


def test_same_seed_same_sample_and_every_project_has_its_reason(example):
    pf, ev = example
    a = choose_sample(pf, ev, share=0.2, seed=7)
    b = choose_sample(pf, ev, share=0.2, seed=7)
    c = choose_sample(pf, ev, share=0.2, seed=8)
    assert a.ids == b.ids and a.ids != c.ids
    t = a.table.set_index("project_id")
    # risk rules of the local_2025 rules: 全年预算数 ≥ 2000万元 (P001 8242万, P005 2287万, P022 2080万), 重点 or
    # a 低保/特困/临时救助 name (P021, P022, P025 flagged 重点, P026), previous grade 中/差 or 调整/取消 (P002 ...)
    assert t.loc["P001", "reason"] == "金额较大" and t.loc["P022", "reason"] == "金额较大；社会关注度高"
    assert t.loc["P025", "reason"] == "社会关注度高" and t.loc["P002", "reason"] == "以往发现问题"
    risky = t.index[t["risk"] != ""]
    assert len(risky) == 10
    # random share: ceil(0.2 × (26 − 10)) = ceil(3.2) = 4 of the others, each marked 随机抽取
    drawn = t.index[t["random"]]
    assert len(drawn) == 4 and not set(drawn) & set(risky)
    assert all(r.startswith("随机抽取（比例20%，随机种子7）") for r in t.loc[drawn, "reason"])
    assert set(a.ids) == set(risky) | set(drawn) and len(a.ids) == 14
    # share 0 takes the risk projects only; a share outside [0, 1] is bad input
    assert choose_sample(pf, ev, share=0.0, seed=7).ids == sorted(risky)
    with pytest.raises(InputError, match="抽查比例"):
        choose_sample(pf, ev, share=1.5, seed=7)


def test_full_marks_and_cost_written_as_ge_are_risks(example):
    pf, ev = example
    r = ev.indicators.copy()
    p6 = r["project_id"] == "P006"                      # not flagged otherwise
    r.loc[p6, "score"] = r.loc[p6, "weight"]            # every indicator self-scored at full marks
    r.loc[(r["project_id"] == "P015") & (r["level2"] == "成本指标"), "direction"] = "higher"   # 成本控制率 "≥"
    from dataclasses import replace

    flags = risk_flags(pf, replace(ev, indicators=r), load_rules())
    assert flags.loc["P006", "指标自评全部满分"] and not flags.loc["P015", "指标自评全部满分"]
    assert flags.loc["P015", "成本指标写成“≥”"] and not flags.loc["P006", "成本指标写成“≥”"]


def _fill(path, *, half: bool):
    """The re-checker's entries: 复核依据 on every row; 复核完成值 = half the self-reported value if ``half``."""
    wb = openpyxl.load_workbook(path)
    ws = wb["复核底稿"]
    head = [c.value for c in ws[1]]
    j, k, e = head.index("自评完成值"), head.index("复核完成值"), head.index("复核依据")
    for row in ws.iter_rows(min_row=2):
        if half and row[j].value is not None:
            row[k].value = row[j].value / 2
        row[e].value = "佐证材料齐全"
    wb.save(path)


def test_workpaper_at_half_the_self_reported_values_read_back_by_hand(example, tmp_path):
    pf, ev = example
    sample = choose_sample(pf, ev, share=0.2, seed=7)
    written, failed, listing = write_workpapers(sample, ev, tmp_path)
    assert not failed and len(written) == 14 and listing.exists()
    p2 = next(p for p in written if "P002" in p.name)
    info, wp = read_workpaper(p2)
    assert list(wp.columns[:14]) == WORKPAPER_COLUMNS and info["reason"] == "以往发现问题"
    assert wp["复核完成值"].isna().all()                        # prefilled: self-evaluation only
    for p in written:
        _fill(p, half="P002" in p.name)
    res = recheck(tmp_path, as_of="2027-04-30")
    rows = res.rows[res.rows["project_id"] == "P002"].set_index("三级指标")
    # P002 (农村客运班线补贴), each line re-scored at half its self-reported value, rounded half away from zero:
    expected = {
        "预算执行率": 4.47,               # ≥100%: 10 × (89.37/2)/100 = 4.4685
        "完成工作任务数量": 6.08,          # ≥10项: 12.5 × 4.865/10 = 6.08125
        "验收合格率": 6.23,               # ≥100%: 12.5 × 49.82/100 = 6.2275
        "任务按期完成率": 6.25,            # ≥100%: 12.5 × 50/100
        "成本控制率": 12.5,               # ≤100%: 50 ≤ 100 -> full marks
        "受益群众人数": 7.68,             # ≥10000人: 15 × 5120.305/10000 = 7.6804575
        "长效管理机制建立情况": 5.25,       # 定性, rated 70% -> 35%: 15 × 0.35
        "服务对象满意度": 5.27,            # ≥90%: 10 × 47.39/90 = 5.26556
    }
    for name, v in expected.items():
        assert rows.loc[name, "复核得分"] == pytest.approx(v), name
    # 偏离度 = (自评得分 − 复核得分) ÷ 分值: 执行率 (8.94 − 4.47)/10; 满意度 (10 − 5.27)/10
    assert rows.loc["预算执行率", "偏离度"] == pytest.approx(0.447)
    assert rows.loc["服务对象满意度", "偏离度"] == pytest.approx(0.473)
    # findings: 7 lines lowered (一般), 成本控制率 unchanged (通过)
    assert (rows["问题等级"] == "一般").sum() == 7 and rows.loc["成本控制率", "问题等级"] == "通过"
    p = res.projects.set_index("project_id").loc["P002"]
    # 复核总分 4.47 + 6.08 + 6.23 + 6.25 + 12.5 + 7.68 + 5.25 + 5.27 = 53.73; 自评 94.06; gap 40.33 ≥ 10 -> 重大
    assert p["self_score"] == pytest.approx(94.06) and p["recheck_score"] == pytest.approx(53.73)
    assert p["gap"] == pytest.approx(40.33) and p["deviation"] == pytest.approx(0.4033)
    assert p["conclusion"] == "重大" and p["self_grade"] == "优" and p["recheck_grade"] == "差"
    # the other workpapers were accepted as self-reported: gap 0, 通过
    others = res.projects[res.projects["project_id"] != "P002"]
    assert (others["gap"] == 0).all() and (others["conclusion"] == "通过").all()
    # 自评质量 of 区交通运输局 (D01: P001, P002, P004, P005 sampled): mean gap 40.33/4 = 10.0825 -> 10.08 > 10 -> 差
    q = res.quality.set_index("department_id")
    assert q.loc["D01", "n_projects"] == 4 and q.loc["D01", "mean_gap"] == pytest.approx(10.08)
    assert q.loc["D01", "quality_grade"] == "差" and q.loc["D01", "quality_points"] == 40
    assert q.loc["D02", "quality_grade"] == "优" and q.loc["D03", "quality_grade"] == "优"
    # 整改清单: the 7 findings, deadline 2027-04-30 + 30 days, no ledger given -> 缺少数据
    rect = res.rectification
    assert len(rect) == 7 and set(rect["project_id"]) == {"P002"}
    assert (rect["deadline"] == "2027-05-30").all() and rect["ledger"].str.startswith("缺少数据").all()


def _frame(rows):
    df = pd.DataFrame(rows, columns=["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "权重", "自评完成值",
                                     "自评得分", "复核完成值", "复核依据", "备注"])
    df["单位"], df["_target"] = "", pd.to_numeric(df["指标值"], errors="coerce")
    return df


def test_rules_zero_deduction_duplicate():
    df = _frame([
        ("产出指标", "数量指标", "任务数", "≥", 20, 20.0, 20, 20.0, np.nan, "", "无佐证"),
        ("满意度指标", "服务对象满意度指标", "满意度", "≥", 90, 10.0, 95, 10.0, np.nan, "", "未开展满意度调查"),
        ("产出指标", "质量指标", "合格率", "≥", 100, 20.0, 100, 20.0, np.nan, "", "无法核实（一般）"),
        ("产出指标", "时效指标", "按期率", "≥", 100, 10.0, 100, 10.0, 80, "", "无法核实（轻微）"),
        ("产出指标", "数量指标", "任务数", "≥", 20, 20.0, 20, 20.0, np.nan, "", ""),
        ("效益指标", "社会效益指标", "受益人数", "≥", 100, 20.0, 100, 20.0, np.nan, "台账", ""),
    ])
    r = rescore(df, load_rules()).set_index(pd.Index(range(6)))
    # 无佐证 and 未开展满意度调查: 0, 重大
    assert list(r.loc[[0, 1], "复核得分"]) == [0, 0] and list(r.loc[[0, 1], "问题等级"]) == ["重大", "重大"]
    # 无法核实（一般）: 20 − 60% × 20 = 8; （轻微）on a re-scored 10 × 80/100 = 8: 8 − 30% × 10 = 5
    assert r.loc[2, "复核得分"] == pytest.approx(8.0) and r.loc[3, "复核得分"] == pytest.approx(5.0)
    assert r.loc[2, "问题等级"] == "一般"
    # 任务数 written twice: counted once, the repeat scores 0
    assert r.loc[4, "复核得分"] == 0 and "重复指标" in r.loc[4, "问题"]
    assert r.loc[5, "复核得分"] == 20 and r.loc[5, "问题等级"] == "通过"


def test_cli_spotcheck_round_trip_and_bad_workpaper(tmp_path, capsys):
    ap = argparse.ArgumentParser()
    cli.add_spotcheck_arguments(ap)
    out = tmp_path / "wp"
    assert cli.run_spotcheck(ap.parse_args([str(EXAMPLE), "--share", "0.2", "--seed", "7", "--out", str(out)])) == 0
    assert len(list(out.glob("复核底稿_*.xlsx"))) == 14
    assert cli.run_spotcheck(ap.parse_args([str(EXAMPLE), "--out", str(out)])) == 2          # no share/seed
    bad = next(out.glob("复核底稿_P001_*.xlsx"))
    wb = openpyxl.load_workbook(bad)
    wb["复核底稿"]["J3"] = "很多"                                                            # 复核完成值 not a number
    wb.save(bad)
    xlsx = tmp_path / "复核.xlsx"
    rc = cli.run_spotcheck(ap.parse_args([str(EXAMPLE), "--rechecked", str(out), "--xlsx", str(xlsx)]))
    err = capsys.readouterr().err
    # the bad cell is named (file, sheet, row 3, column 复核完成值) and the other 13 workpapers are still read
    assert rc == 2 and "复核底稿_P001" in err and "复核完成值不是数字" in err and "很多" in err
    assert "复核底稿" in err and ("row 3" in err or "第 3 行" in err or "第3行" in err)
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["说明", "复核结果", "复核明细", "自评质量", "整改清单", "无法读取的底稿"]
    assert wb["复核结果"].max_row == 1 + 13


def test_rectification_list_joins_the_ledger(example, tmp_path):
    from costing.performance.ledger import empty_ledger

    pf, ev = example
    written, _, _ = write_workpapers(choose_sample(pf, ev, share=0.0, seed=1), ev, tmp_path)
    p2 = next(p for p in written if "P002" in p.name)
    wb = openpyxl.load_workbook(p2)
    wb["复核底稿"]["N3"] = "无佐证"                      # 完成工作任务数量: no evidence -> 0, 重大
    wb.save(p2)
    led = empty_ledger()
    row = {c: "" for c in led.columns}
    rows = [{**row, "notice_number": "文财绩〔2026〕1号", "department_id": "D01", "project_id": "P002",
             "problem_type": "目标偏离", "status": "已整改"},
            {**row, "notice_number": "文财绩〔2026〕1号", "department_id": "D01", "project_id": "P002",
             "problem_type": "预算调整", "status": "待确认"}]
    led = pd.concat([led, pd.DataFrame(rows)], ignore_index=True)
    res = recheck(tmp_path, ledger=led)
    rect = res.rectification
    assert len(rect) == 1 and rect.loc[0, "problem"] == "无佐证材料，不得分" and rect.loc[0, "level"] == "重大"
    # the ledger's problem rows of the same project, not its 预算调整 rows
    assert rect.loc[0, "ledger"] == "文财绩〔2026〕1号 目标偏离（已整改）"
    assert rect.loc[0, "deadline"] == "复核后30日内"                     # no --as-of: no date invented
    p = res.projects.set_index("project_id").loc["P002"]
    # 自评 94.06 − 12.16 (the line now 0) = 81.90; gap 12.16 ≥ 10 -> 重大 and the grade falls 优 -> 良
    assert p["recheck_score"] == pytest.approx(81.90) and p["conclusion"] == "重大" and p["recheck_grade"] == "良"
