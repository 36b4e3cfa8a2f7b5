"""Portfolio files: validation errors naming file/row/column, the bundled example, xlsx and CLI."""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import costing.performance as cp
from costing.errors import InputError
from costing.performance import cli, example
from costing.performance.excel import write_self_evaluation_xlsx, write_tracking_xlsx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "portfolios" / "example_portfolio.toml"
RAW = ROOT / "data" / "raw" / "portfolio_example"


@pytest.fixture
def copy(tmp_path):
    """A writable copy of the example portfolio: returns (toml path, raw folder)."""
    raw = tmp_path / "raw" / "portfolio_example"
    shutil.copytree(RAW, raw)
    (tmp_path / "portfolios").mkdir()
    toml = tmp_path / "portfolios" / "example_portfolio.toml"
    shutil.copy(EXAMPLE, toml)
    return toml, raw


def _edit(path: Path, fn):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = fn(df)
    df.to_csv(path, index=False)


def test_example_loads():
    pf = cp.load_portfolio(EXAMPLE)
    assert pf.budget_year == 2026 and len(pf.departments) == 3 and len(pf.projects) == 30
    bus = pf.projects.set_index("project_id").loc["P001"]
    assert bus["project_type"] == "bus_subsidy"
    assert bus["requested"] == pytest.approx(12000e4)       # 12000 万元 in the file -> 元
    # indicator levels are filled from the library by code
    row = pf.indicators[(pf.indicators["project_id"] == "P001") & (pf.indicators["indicator_id"] == "BUS-05")].iloc[0]
    assert (row["level3"], row["direction"], row["level2"]) == ("万公里事故率", "lower", "质量指标")
    # default weights: execution 10 + outputs 50 + benefits 30 + satisfaction 10 per project
    w = pf.indicators.groupby(["project_id", "level1"])["weight"].sum().unstack()
    np.testing.assert_allclose(w[["产出指标", "效益指标", "满意度指标"]].to_numpy(), np.tile([50, 30, 10], (30, 1)))


def test_example_files_are_regenerated_exactly(tmp_path):
    written = example.write_example(tmp_path / "raw", tmp_path / "example_portfolio.toml")
    for p in written:
        committed = EXAMPLE if p.suffix == ".toml" else RAW / p.name
        assert p.read_bytes() == committed.read_bytes(), p.name


def test_example_produces_all_sheets():
    pf = cp.load_portfolio(EXAMPLE)
    ea = cp.ex_ante(pf)
    assert ea.n_no_assessment == 2 and ea.n_blocked == 1              # P027/P029; P009 (取消, no override)
    s = ea.sheet.set_index("project_id")
    assert s.loc["P016", "prev_recommendation"] == "取消" and not s.loc["P016", "blocked"]   # overridden
    # the headline cut rate is over the reviewed (assessed) projects: Σ cut / Σ requested on those rows
    r = s[s["assessed"]]
    assert ea.cut_rate == pytest.approx(r["cut_amount"].sum() / r["requested"].sum())
    assert ea.cut_rate_all == pytest.approx(s["cut_amount"].sum() / s["requested"].sum())
    m = cp.monitor(pf, "2026-09-30")
    assert m.summary["n_low_execution"] > 0 and m.summary["n_deviating_projects"] > 0
    ev = cp.evaluate_portfolio(pf)
    # 30 projects, 4 not funded (P009 blocked, P018 不予支持, P027/P029 new without an assessment)
    assert ev.grade_counts.sum() == 26 and set(ev.projects["grade"]) <= {"优", "良", "中", "差"}


# ---- bad input: clear errors naming file, row and column ------------------------------------

def test_budget_of_zero(copy):
    toml, raw = copy
    _edit(raw / "projects.csv", lambda d: d.assign(**{"全年预算数（万元）": ["0" if i == 2 else v for i, v in
                                                   enumerate(d["全年预算数（万元）"])]}))
    with pytest.raises(InputError) as e:
        cp.load_portfolio(toml)
    msg = str(e.value)
    assert "projects.csv" in msg and "第 4 行" in msg and "全年预算数（万元）" in msg and "应为正数" in msg


def test_indicator_with_no_target(copy):
    toml, raw = copy
    _edit(raw / "indicators.csv", lambda d: d.assign(年度指标值=["" if i == 4 else v for i, v in enumerate(d["年度指标值"])]))
    with pytest.raises(InputError, match="指标没有年度指标值") as e:
        cp.load_portfolio(toml)
    assert "indicators.csv" in str(e.value) and "第 6 行" in str(e.value) and "列“年度指标值”" in str(e.value)


def test_weights_not_summing_to_100(copy):
    toml, raw = copy
    _edit(raw / "indicators.csv", lambda d: d.assign(分值="10"))     # 9 × 10 + 10 = 100 for P001 only...
    with pytest.raises(InputError, match="指标权重合计不等于 100") as e:
        cp.load_portfolio(toml)
    # P001 has 9 indicators (90 + 10 = 100, fine); P002 has 7: 70 of the 90 expected, first row of P002 is row 11
    assert "P002" in str(e.value) and "第 11 行" in str(e.value) and "列“分值”" in str(e.value) and "实为：“70”" in str(e.value)
    assert "指标权重合计 90" in str(e.value)


def test_date_outside_budget_year(copy):
    toml, raw = copy
    _edit(raw / "spending.csv", lambda d: d.assign(date=["2025-12-31" if i == 5 else v for i, v in enumerate(d["date"])]))
    with pytest.raises(InputError, match="日期不在预算年度内") as e:
        cp.load_portfolio(toml)
    assert "spending.csv" in str(e.value) and "第 7 行" in str(e.value) and "列“date”" in str(e.value)


def test_duplicate_project_id(copy):
    toml, raw = copy
    _edit(raw / "projects.csv", lambda d: d.assign(项目编码=["P001" if i == 3 else v for i, v in enumerate(d["项目编码"])]))
    with pytest.raises(InputError, match="重复的项目编码") as e:
        cp.load_portfolio(toml)
    assert "projects.csv" in str(e.value) and "第 5 行" in str(e.value) and "项目编码" in str(e.value)


def test_unknown_department(copy):
    toml, raw = copy
    _edit(raw / "projects.csv", lambda d: d.assign(主管部门编码=["D99" if i == 7 else v for i, v in
                                                           enumerate(d["主管部门编码"])]))
    with pytest.raises(InputError, match="未知的部门编码") as e:
        cp.load_portfolio(toml)
    assert "第 9 行" in str(e.value) and "主管部门编码" in str(e.value) and "D99" in str(e.value)


def test_indicator_of_unknown_project_and_bad_direction():
    base = example.generate_frames(30)
    ind = base["indicators"].copy()
    ind.loc[3, "project_id"] = "P999"
    with pytest.raises(InputError, match="未知的项目编码") as e:
        cp.build_portfolio(base["departments"], base["projects"], ind, budget_year=2026)
    assert "<indicators>" in str(e.value) and "第 5 行" in str(e.value)


# ---- library -----------------------------------------------------------------------------

def test_library_search_and_smart_check():
    hits = cp.search_indicators("满意度")
    # one satisfaction indicator per type: bus, generic, public toilets, sanitation, waste sorting
    assert set(hits["level1"]) == {"满意度指标"} and len(hits) == 5
    assert cp.project_types() == ["bus_subsidy", "generic", "public_toilet", "sanitation", "waste_sorting"]
    bus_q = cp.search_indicators(project_type="bus_subsidy", level1="产出", level2="质量")
    assert list(bus_q["indicator_id"]) == ["BUS-04", "BUS-05", "BUS-06"]
    assert set(cp.search_indicators(direction="反向")["direction"]) == {"lower"}
    df = pd.DataFrame({"direction": ["higher", "higher", "lower", "qualitative"],
                       "target": [95.0, "提高", 0.2, "建立并运行"], "unit": ["%", "%", "", ""],
                       "data_source": ["调度系统", "调度系统", "台账", ""]})
    c = cp.smart_check(df)
    assert list(c["no_number"]) == [False, True, False, False]
    assert list(c["no_unit"]) == [False, False, True, False]
    assert list(c["no_source"]) == [False, False, False, True]
    assert list(c["smart"]) == [True, False, False, False]
    assert cp.smart_check(cp.load_library(), target="suggested_target")["smart"].all()


# ---- workbooks and CLI -------------------------------------------------------------------

def test_self_evaluation_workbook_layout(tmp_path):
    pf = cp.load_portfolio(EXAMPLE)
    res = cp.evaluate_portfolio(pf)
    path = write_self_evaluation_xlsx(res, tmp_path / "out" / "自评.xlsx", year=2026, projects=["P001"])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["说明", "自评汇总", "部门汇总", "未评价项目", "重点项目（报人大）", "P001"]
    ws = wb["P001"]
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for label in ("项目名称", "主管部门", "实施单位", "年初预算数", "全年预算数", "全年执行数", "执行率（%）",
                  "年度总体目标", "预期目标", "实际完成情况", "上年结转资金", "其他资金", "绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值",
                  "分值", "得分", "偏差原因分析及改进措施", "总分"):
        assert label in texts, label
    p1 = res.projects.set_index("project_id").loc["P001"]
    assert ws["C5"].value == "年度资金总额" and ws["C6"].value == "其中：当年财政拨款"
    assert ws["D5"].value == pytest.approx(p1["budget_initial"] / 1e4)          # 万元
    total_row = [r for r in ws.iter_rows() if r[0].value == "总分"][0]
    assert total_row[7].value == pytest.approx(p1["score"])
    assert wb["自评汇总"].freeze_panes == "B2"
    assert not list(tmp_path.joinpath("out").glob("*.tmp"))                   # atomic write left no temp file


def test_tracking_workbook(tmp_path):
    m = cp.monitor(cp.load_portfolio(EXAMPLE), "2026-09-30")
    wb = openpyxl.load_workbook(write_tracking_xlsx(m, tmp_path / "t.xlsx"))
    ws = wb["绩效跟踪分析表"]
    head = [c.value for c in ws[1]]
    assert "预算执行率（%）" in head and "全年预算数（万元）" in head
    j = head.index("预算执行率（%）")
    assert ws.cell(row=2, column=j + 1).value == pytest.approx(100 * m.projects["execution_rate"].iloc[0], abs=0.005)


@pytest.mark.parametrize("name,extra", [("assess", {}), ("monitor", {"as_of": "2026-09-30"}), ("evaluate", {})])
def test_cli_runs_and_writes(tmp_path, capsys, name, extra):
    ap = argparse.ArgumentParser()
    getattr(cli, f"add_{name}_arguments")(ap)
    argv = [str(EXAMPLE), "--xlsx", str(tmp_path / f"{name}.xlsx")] + (["--as-of", extra["as_of"]] if extra else [])
    args = ap.parse_args(argv)
    assert getattr(cli, f"run_{name}")(args) == 0
    out = capsys.readouterr().out
    assert "（万元）" in out and (tmp_path / f"{name}.xlsx").exists()


def test_cli_bad_input_exit_2_without_traceback(capsys, copy):
    toml, raw = copy
    args = argparse.Namespace(portfolio=str(EXAMPLE), xlsx=None, as_of="2025-06-30", tolerance=None,
                              threshold=None, convention=None)
    assert cli.run_monitor(args) == 2
    err = capsys.readouterr().err
    assert "截至日期不在预算年度内" in err and "Traceback" not in err
    _edit(raw / "projects.csv", lambda d: d.assign(主管部门编码="D99"))
    assert cli.run_assess(argparse.Namespace(portfolio=str(toml), xlsx=None)) == 2
    assert "未知的部门编码" in capsys.readouterr().err
