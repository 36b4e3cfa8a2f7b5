"""The bad-input catalogue: every kind of bad input a careful user produces, across every
command and reader, each named in one message and never silently wrong.

Each case copies ``data/`` into a temporary workspace, breaks one thing, runs the
command in-process (``costing.cli.main``) and checks: the exit code (2 bad input,
1 internal error), no traceback, the message names the place (file, row, column, or
the setting) and what was found, the inputs are byte-for-byte unchanged, and no
output (workbook, report folder, temporary file) was left behind. A few cases run
the installed ``costing`` command in a subprocess to prove the same end to end.
"""
from __future__ import annotations

import faulthandler
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bad_inputs import (BUS, CASH, CBA, PF, PRAW, RAW, Case, blank_line, cell, chain, copy, duplicate_row, hashes,
                        header_only, make_workspace, nothing, reencode, replace, write, xlsx_cell)
from costing import cli
from costing.errors import InputError

STD = ("standard", "{ws}/" + BUS)
STDX = (*STD, "--xlsx", "{out}/t.xlsx")
REP = ("report", "{ws}/" + BUS, "--out", "{out}", "--no-progress")
REPC = ("report", "{ws}/" + CBA, "--out", "{out}", "--no-progress")
ASSESS = ("assess", "{ws}/" + PF, "--xlsx", "{out}/a.xlsx")
MONITOR = ("monitor", "{ws}/" + PF, "--as-of", "2026-09-30", "--xlsx", "{out}/m.xlsx")
EVAL = ("evaluate", "{ws}/" + PF, "--xlsx", "{out}/e.xlsx")

AC = RAW + "actual_costs.csv"  # GBK: 年度, 成本项目代码, 金额（万元）
REQ = RAW + "requested.csv"
OPS = RAW + "operations.csv"
CI = RAW + "cost_items.csv"
SP = PRAW + "spending.csv"

# a required numeric cell holding a value that is not a finite number: every reader,
# and each spelling (the first three changed results silently before)
NON_NUMBERS = ["nan", "NaN", "inf", "-inf", "#N/A", "#DIV/0!", "-", "—", "", "abc", "1e400"]

CASES = [
    # --- costing standard: the main tables -------------------------------------------
    *[Case(f"standard-actual_costs-{v or 'empty'}", STD, cell(AC, 2, 2, v),
           ("actual_costs.csv", "第 2 行", "金额（万元）", f"“{v or '（空）'}”")) for v in NON_NUMBERS],
    Case("standard-actual_costs-negative", STD, cell(AC, 3, 2, "-5"), ("actual_costs.csv", "第 3 行", "不能为负数")),
    Case("standard-actual_costs-duplicate", STD, duplicate_row(AC, 2), ("actual_costs.csv", "第 3 行", "重复的年度、成本项目代码")),
    Case("standard-actual_costs-unknown-item", STD, cell(AC, 4, 1, "tyre"),
         ("actual_costs.csv", "第 4 行", "未知的成本项目代码", "“tyre”")),
    Case("standard-requested-nan", STDX, cell(REQ, 3, 1, "nan"), ("requested.csv", "第 3 行", "“nan”")),
    Case("standard-requested-inf", STDX, cell(REQ, 3, 1, "inf"), ("requested.csv", "第 3 行", "“inf”")),
    Case("standard-requested-no-unit", STD, cell(REQ, 1, 1, "申报数"), ("requested.csv", "第 1 行", "金额列没有注明单位")),
    Case("standard-requested-missing-column", STD, cell(REQ, 1, 0, "代码"),
         ("requested.csv", "第 1 行", "缺少列“成本项目代码”")),
    Case("standard-operations-year-nan", STD, cell(OPS, 2, 0, "nan"), ("operations.csv", "第 2 行", "列“year”", "不是有限的数")),
    Case("standard-operations-year-fraction", STD, cell(OPS, 3, 0, "2022.5"),
         ("operations.csv", "第 3 行", "不是四位年份")),
    Case("standard-operations-value-error", STD, cell(OPS, 4, 1, "#VALUE!"),
         ("operations.csv", "第 4 行", "列“vehicle_km”", "公式出错（#VALUE!）")),
    Case("standard-price_index-zero", STD, cell(RAW + "price_index.csv", 2, 1, "0"),
         ("price_index.csv", "第 2 行", "居民消费价格指数", "大于 0")),
    Case("standard-price_index-dash", STD, cell(RAW + "price_index.csv", 3, 2, "—"),
         ("price_index.csv", "第 3 行", "工资指数", "“-”不是数字")),
    Case("standard-peer_costs-nan", STD, cell(RAW + "peer_costs.csv", 5, 3, "NaN"),
         ("peer_costs.csv", "第 5 行", "amount [万元]")),
    Case("standard-peers-xlsx-na", STD, xlsx_cell(RAW + "peers.xlsx", "D3", "#N/A"),
         ("peers.xlsx", "工作表“同行数据”", "第 3 行", "车公里", "#N/A")),
    Case("standard-peers-xlsx-text", STD, xlsx_cell(RAW + "peers.xlsx", "G4", "n/a"),
         ("peers.xlsx", "第 4 行", "客运量")),
    Case("standard-targets-header-only", STD, header_only(RAW + "targets.csv"),
         ("targets.csv", "表“目标任务”没有数据")),
    Case("standard-targets-nan", STD, cell(RAW + "targets.csv", 3, 3, "nan"), ("targets.csv", "第 3 行", "周转时间")),
    Case("standard-targets-text", STD, cell(RAW + "targets.csv", 2, 2, "十二"), ("targets.csv", "第 2 行", "十二", "不是数字")),
    # a blank line inside a CSV is a row (it used to be skipped, so every later row number was off by one)
    Case("standard-requested-blank-line-is-a-row", STD, blank_line(REQ, 3), ("requested.csv", "第 3 行", "空行")),
    Case("standard-actual_costs-header-only", STD, header_only(AC), ("actual_costs.csv", "表“历年成本”没有数据")),
    # --- formulas in the cost-item table -------------------------------------------------
    Case("standard-formula-power-tower", STD, cell(CI, 2, 3, "9**9**9"), ("cost_items.csv", "第 2 行", "9**9**9")),
    Case("standard-formula-divide-by-zero", STD, cell(CI, 2, 3, "drivers / 0"),
         ("cost_items.csv", "第 2 行", "数量公式")),
    Case("standard-formula-int-division-by-zero", STD, cell(CI, 3, 5, "1 / (2 - 2)"),
         ("cost_items.csv", "第 3 行", "单价", "公式的除数为 0")),
    Case("standard-formula-nan", STD, cell(CI, 2, 5, "nan"), ("cost_items.csv", "第 2 行", "“nan”", "不是有限的数")),
    Case("standard-formula-code", STD, cell(CI, 2, 3, "__import__('os').getcwd()"),
         ("cost_items.csv", "第 2 行", "公式含不允许的写法")),
    Case("standard-formula-too-long", STD, cell(CI, 2, 3, "+".join(["drivers"] * 80)),
         ("cost_items.csv", "第 2 行", "公式太长")),
    Case("standard-formula-too-deep", STD, cell(CI, 2, 3, "abs(" * 50 + "drivers" + ")" * 50),
         ("cost_items.csv", "第 2 行", "公式嵌套太深")),
    Case("standard-formula-unknown-name", STD, cell(CI, 2, 3, "drivres * 2"),
         ("cost_items.csv", "第 2 行", "公式中的名称未定义：drivres")),
    Case("standard-formula-syntax", STD, cell(CI, 2, 5, "city_avg_wage *"), ("cost_items.csv", "第 2 行", "公式无法解析")),
    Case("standard-formula-wrong-arguments", STD, cell(CI, 2, 3, "ceil()"), ("cost_items.csv", "第 2 行", "ceil")),
    Case("standard-formula-sqrt-negative", STD, cell(CI, 2, 3, "sqrt(0 - drivers)"),
         ("cost_items.csv", "第 2 行", "公式结果不是有限的数")),
    # --- the project file ------------------------------------------------------------------
    Case("standard-budget_year-text", STD, replace(BUS, "budget_year = 2026", 'budget_year = "2026年"'),
         ("bus_example.toml", "project.budget_year", "2026年")),
    Case("standard-budget_year-fraction", STD, replace(BUS, "budget_year = 2026", "budget_year = 2026.5"),
         ("bus_example.toml", "project.budget_year", "2026.5")),
    Case("standard-price_year-text", STD, replace(BUS, "price_year = 2026", 'price_year = "2026"'),
         ("bus_example.toml", "project.price_year")),
    Case("standard-type-unknown", STD, replace(BUS, 'type = "bus"', 'type = "tram"'),
         ("bus_example.toml", "project.type", "实为：“tram”", "bus", "sanitation")),
    Case("standard-parameter-huge", STD, replace(BUS, "average_fare = 1.8", "average_fare = 1e308"),
         ("average_fare = 1e+308", "公式结果不是有限的数")),
    Case("standard-parameter-overflow-product", STD, replace(BUS, "city_avg_wage = 105000.0", "city_avg_wage = 1e306"),
         ("cost_items.csv", "第 2 行", "太大，无法计算")),
    Case("standard-sanitation-actual_costs-inf", ("standard", "{ws}/projects/sanitation_example.toml"),
         cell("raw/sanitation_example/actual_costs.csv", 3, 2, "inf"), ("sanitation_example", "第 3 行", "“inf”")),
    Case("standard-parameter-inf", STD, replace(BUS, "average_fare = 1.8", "average_fare = inf"),
         ("bus_example.toml", "parameters.average_fare")),
    Case("standard-parameter-text", STD, replace(BUS, "average_fare = 1.8", 'average_fare = "1.8元"'),
         ("parameters.average_fare", "不是数字")),
    Case("standard-budget-profit-rate-percent", STD, replace(BUS, "profit_rate = 0.02", 'profit_rate = "2%"'),
         ("bus_example.toml", "budget.profit_rate", "“2%”")),
    Case("standard-budget-profit-rate-inf", STD, replace(BUS, "profit_rate = 0.02", "profit_rate = inf"),
         ("bus_example.toml", "budget.profit_rate 不是数字", "“inf”")),
    Case("standard-money-nan", STD, replace(BUS, "amount = 80.0", "amount = nan"), ("money.taxes", "不是有限的数")),
    Case("standard-money-unit", STD, replace(BUS, 'amount = 80.0, unit = "万元"', 'amount = 80.0, unit = "美元"'),
         ("money.taxes", "美元")),
    Case("standard-project-binary", STD, write(BUS, b"PK\x03\x04\x00\x00binary"),
         ("bus_example.toml", "binary")),
    Case("standard-project-gbk", STD, reencode(BUS, "gbk"), ("bus_example.toml", "not UTF-8")),
    Case("standard-project-folder", ("standard", "{ws}/projects"), nothing, ("projects", "folder")),
    Case("standard-project-missing", ("standard", "{ws}/projects/nope.toml"), nothing, ("nope.toml", "项目文件不存在")),
    Case("standard-project-bad-toml", STD, replace(BUS, "[money]", "[money"), ("bus_example.toml", "TOML")),
    Case("standard-table-missing", STD, replace(BUS, "requested.csv", "requested_2026.csv"),
         ("requested_2026.csv", "文件不存在")),
    Case("standard-table-wrong-type", STD,
         chain(replace(BUS, "requested.csv", "requested.txt"), copy(REQ, RAW + "requested.txt")),
         ("requested.txt", "文件类型不支持", ".xlsx", "“.txt”")),
    Case("standard-table-undecodable", STD, write(REQ, b"item,\xff\xfe\xff\n\x80\x80,1\n"),
         ("requested.csv", "编码无法识别")),
    # --- output paths: refused before any work ---------------------------------------
    Case("standard-xlsx-is-folder", (*STD, "--xlsx", "{ws}/raw"), nothing, ("--xlsx names a folder",)),
    Case("standard-xlsx-under-a-file", (*STD, "--xlsx", "{ws}/" + BUS + "/t.xlsx"), nothing,
         ("--xlsx cannot be created", "is a file")),
    Case("standard-xlsx-not-xlsx", (*STD, "--xlsx", "{out}/t.csv"), nothing, ("--xlsx is not an .xlsx path",)),
    Case("report-out-is-file", ("report", "{ws}/" + BUS, "--out", "{ws}/" + BUS, "--no-progress"), nothing,
         ("--out names a file",)),
    # --- costing report (validation before anything runs) ---------------------------
    Case("report-actual_costs-nan", REP, cell(AC, 2, 2, "nan"), ("actual_costs.csv", "第 2 行", "金额（万元）")),
    Case("report-type-unknown", REP, replace(BUS, 'type = "bus"', 'type = "tram"'),
         ("bus_example.toml", "project.type", "未知的项目类型", "实为：“tram”")),
    Case("report-budget_year-text", REP, replace(BUS, "budget_year = 2026", 'budget_year = "2026年"'),
         ("bus_example.toml", "project.budget_year", "预算年度不是四位年份", "“2026年”")),
    Case("report-unknown-parameter", (*REP, "-p", "sensitivty_delta=0.2"), nothing,
         ("unknown parameter 'sensitivty_delta'", "did you mean 'sensitivity_delta'")),
    Case("report-cba-cashflow-nan", REPC, cell(CASH, 3, 5, "nan"), ("cashflows.csv", "列“energy_saving”", "“nan”")),
    Case("report-cba-cashflow-header-only", REPC, header_only(CASH), ("cashflows.csv", "现金流量表没有数据行", "只有表头")),
    Case("report-project-binary", REP, write(BUS, b"\x00\x01\x02"), ("bus_example.toml", "binary")),
    # --- the portfolio: costing assess / monitor / evaluate --------------------------
    Case("monitor-spending-nan", MONITOR, cell(SP, 3, "spent [万元]", "nan"), ("spending.csv", "第 3 行", "spent [万元]", "“nan”")),
    Case("monitor-spending-inf", MONITOR, cell(SP, 4, "spent [万元]", "inf"), ("spending.csv", "第 4 行", "“inf”")),
    Case("monitor-spending-dash", MONITOR, cell(SP, 2, "spent [万元]", "-"), ("spending.csv", "第 2 行", "“-”不是数字")),
    Case("monitor-spending-empty", MONITOR, cell(SP, 2, "spent [万元]", ""), ("spending.csv", "第 2 行", "必填单元格为空")),
    Case("monitor-indicator-actual-inf", MONITOR, cell(PRAW + "indicators.csv", 2, "实际完成值", "inf"),
         ("indicators.csv", "第 2 行", "实际完成值")),
    Case("monitor-xlsx-is-folder", ("monitor", "{ws}/" + PF, "--as-of", "2026-09-30", "--xlsx", "{ws}/raw"),
         nothing, ("--xlsx names a folder",)),
    Case("assess-requested-nan", ASSESS, cell(PRAW + "projects.csv", 2, "申报数（万元）", "nan"),
         ("projects.csv", "第 2 行", "申报数（万元）")),
    Case("assess-budget-zero", ASSESS, cell(PRAW + "projects.csv", 3, "全年预算数（万元）", "0"),
         ("projects.csv", "第 3 行", "全年预算数（万元）", "大于 0")),
    Case("assess-budget-div0", ASSESS, cell(PRAW + "projects.csv", 3, "全年预算数（万元）", "#DIV/0!"),
         ("projects.csv", "第 3 行", "全年预算数（万元）", "公式出错", "“#DIV/0!”")),
    Case("assess-ex_ante-xlsx-nan", ASSESS, xlsx_cell(PRAW + "ex_ante_scores.xlsx", "B3", "nan"),
         ("ex_ante_scores.xlsx", "第 3 行", "立项必要性")),
    Case("assess-departments-header-only", ASSESS, header_only(PRAW + "departments.csv"),
         ("departments.csv", "该表没有数据行")),
    Case("assess-budget_year-text", ASSESS, replace(PF, "budget_year = 2026", 'budget_year = "2026年"'),
         ("example_portfolio.toml", "budget_year")),
    Case("assess-portfolio-binary", ASSESS, write(PF, b"\x89PNG\r\n\x1a\n\x00\x00"), ("example_portfolio.toml", "binary")),
    Case("assess-table-path-number", ASSESS, replace(PF, 'departments = "../raw/portfolio_example/departments.csv"',
                                                     "departments = 5"), ("[tables] departments",)),
    Case("monitor-tolerance-text", MONITOR, replace(PF, "tolerance = 0.15", 'tolerance = "15%"'),
         ("example_portfolio.toml", "[parameters] tolerance", "实为：“15%”")),
    Case("assess-portfolio-folder", ("assess", "{ws}/portfolios"), nothing, ("portfolios", "folder")),
    Case("evaluate-indicator-target-nan", EVAL, cell(PRAW + "indicators.csv", 2, "年度指标值", "nan"),
         ("indicators.csv", "第 2 行", "年度指标值")),
    Case("evaluate-indicator-final-div0", EVAL, cell(PRAW + "indicators.csv", 3, "实际完成值", "#DIV/0!"),
         ("indicators.csv", "第 3 行", "实际完成值")),
    Case("evaluate-previous-score-inf", EVAL, cell(PRAW + "previous_evaluation.csv", 2, "自评得分", "inf"),
         ("previous_evaluation.csv", "第 2 行", "自评得分")),
    Case("evaluate-portfolio-gbk", EVAL, reencode(PF, "gbk"), ("example_portfolio.toml", "not UTF-8")),
]


@pytest.fixture
def workspace(tmp_path):
    return make_workspace(tmp_path), tmp_path / "out"


def _argv(case: Case, ws: Path, out: Path) -> list[str]:
    return [a.replace("{ws}", str(ws)).replace("{out}", str(out)) for a in case.argv]


def _check_clean(ws: Path, out: Path, before: dict) -> None:
    assert hashes(ws) == before, "an input file was modified"
    written = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    assert written == [], f"partial output left behind: {written}"
    assert not [p for p in ws.rglob(".tmp-*")], "temporary file left behind"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_named(case, workspace, capsys):
    ws, out = workspace
    case.mutate(ws)
    before = hashes(ws)
    code = cli.main(_argv(case, ws, out))
    captured = capsys.readouterr()
    assert code == case.code, captured.err
    assert "Traceback" not in captured.err + captured.out
    for text in case.must:
        assert text in captured.err, f"{text!r} not in: {captured.err}"
    assert "inf" not in captured.out.replace("info", "")  # no non-finite figure printed before failing
    _check_clean(ws, out, before)


def test_catalogue_size():
    assert len(CASES) >= 60
    assert {c.argv[0] for c in CASES} >= {"standard", "report", "assess", "monitor", "evaluate"}


# ------------------------------------------------------------------------- the Python API

def test_api_names_the_cell(tmp_path):
    import costing
    from costing.cba import load_cba_project
    from costing.performance import load_portfolio

    ws = make_workspace(tmp_path)
    cell(AC, 5, 2, "nan")(ws)
    with pytest.raises(InputError, match=r"actual_costs.csv，第 5 行，列“金额（万元）”.*“nan”"):
        costing.load_project(ws / BUS)
    cell(SP, 2, "spent [万元]", "-inf")(ws)
    with pytest.raises(InputError, match=r"spending.csv，第 2 行，列“spent \[万元\]”.*“-inf”"):
        load_portfolio(ws / PF)
    cell(CASH, 4, 1, "#REF!")(ws)
    with pytest.raises(InputError, match=r"cashflows.csv，第 \d+ 行，列“bus_capital”.*#REF!"):
        load_cba_project(ws / CBA)


def test_portfolio_frames_in_memory_follow_the_reader_policy(tmp_path):
    """build_portfolio (frames assembled by hand) rejects what the readers reject."""
    from costing.performance import build_portfolio, load_portfolio

    pf = load_portfolio(make_workspace(tmp_path) / PF)
    for value, problem in ((np.inf, "不是有限的数"), (np.nan, "必填单元格为空"),
                           ("abc", "不是数字"), (-3.0, "不能为负数")):  # the same rules as the readers, sign too
        spending = pf.spending.astype({"spent": object})
        spending.loc[3, "spent"] = value
        with pytest.raises(InputError, match=rf"<spending>，第 5 行，列“spent”：{problem}"):
            build_portfolio(pf.departments, pf.projects, pf.indicators, budget_year=2026, spending=spending)


def test_cba_cash_flows_follow_the_reader_policy(tmp_path):
    """GBK, thousands separators and full-width digits read as in every other table."""
    from costing.cba import load_cba_project

    ws = make_workspace(tmp_path)
    ref = load_cba_project(ws / CBA).model
    cell(CASH, 3, 5, "８４６")(ws)   # 846 in full-width digits
    cell(CASH, 2, 1, "5,500")(ws)   # thousands separator
    reencode(CASH, "gbk")(ws)
    got = load_cba_project(ws / CBA).model
    for a, b in zip(ref.items, got.items):
        np.testing.assert_array_equal(a.amounts, b.amounts)
    assert got.items[0].amounts[0] == 5500 * 1e4  # 万元 -> 元


@pytest.mark.parametrize("text, value", [("1,846", 1846.0), ("1，846", 1846.0), ("1 846", 1846.0),
                                         ("１２３．５", 123.5), ("－3", -3.0), ("12.5%", 0.125),
                                         ("1e6", 1e6), ("", None), ("  ", None), (None, None),
                                         (float("nan"), None), (7, 7.0)])
def test_parse_number_accepts(text, value):
    from costing.io import parse_number

    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", "Infinity", "#N/A", "#DIV/0!", "#VALUE!", "-",
                                  "—", "－", "abc", "1e400", "1_000", True, float("inf")])
def test_parse_number_rejects(text):
    from costing.io import parse_number

    with pytest.raises(InputError, match=r"文件 x.csv，第 7 行，列“c”："):
        parse_number(text, where=dict(file="x.csv", row=7, column="c"))


def test_read_table_refuses_a_folder(tmp_path):
    from costing.io import Column, read_table

    with pytest.raises(InputError, match="这是文件夹，不是文件"):
        read_table(tmp_path, [Column("a")])


# ------------------------------------------------------------------- batch and CLI policy

def test_one_project_failing_in_preparation_never_stops_the_batch(tmp_path, monkeypatch):
    """Any exception while preparing one project (here a bug simulated in its validator)
    fails that project; the others are still run."""
    from costing.report import batch

    ws = make_workspace(tmp_path)
    real = batch.plan_report

    def plan(path, *a, **k):
        if Path(path).name == "sanitation_example.toml":
            raise RuntimeError("simulated bug")
        if Path(path).name == "bus_example.toml":
            raise InputError("simulated bad input", file=str(path))
        return real(path, *a, **k)

    monkeypatch.setattr(batch, "plan_report", plan)
    ran = []
    monkeypatch.setattr(batch, "_run_one", lambda p, *a, **k: ran.append(Path(p).name) or
                        batch.ReportResult(project_path=Path(p), status="ok"))
    results = batch.run_batch([ws / "projects/sanitation_example.toml", ws / BUS, ws / CBA],
                              tmp_path / "out", jobs=1, progress=False, summary=False)
    assert [r.status for r in results] == ["failed", "invalid", "ok"]
    assert "RuntimeError: simulated bug" in results[0].error
    assert ran == ["cba_ebus_replacement.toml"]


def test_broken_sub_package_is_an_internal_error_not_a_missing_command(monkeypatch, capsys):
    import costing.performance

    monkeypatch.setitem(sys.modules, "costing.performance.cli", None)  # its import raises ImportError
    monkeypatch.delattr(costing.performance, "cli", raising=False)
    assert cli.main(["standard", "x.toml"]) == 1
    err = capsys.readouterr().err
    assert "cannot be imported" in err and "Traceback" not in err


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_outputs_have_the_umask_permissions(workspace, capsys):
    """Every temp-file-and-rename writer goes through costing.outputs (mkstemp alone gives rw-------)."""
    from costing.report.word import save_atomic

    ws, out = workspace
    assert cli.main([*_argv(Case("", STDX, nothing, ()), ws, out)]) == 0
    assert cli.main([*_argv(Case("", EVAL, nothing, ()), ws, out)]) == 0
    assert cli.main(["new", "bus", str(out / "n.xlsx")]) == 0
    assert cli.main(["rollover", str(ws / PF), "--to", "2027", "--out", str(out / "next")]) == 0
    save_atomic(__import__("docx").Document(), out / "w.docx")
    capsys.readouterr()
    want = 0o666 & ~_umask()
    for name in ("t.xlsx", "e.xlsx", "n.xlsx", "w.docx"):
        assert (out / name).stat().st_mode & 0o777 == want, name
    assert (out / "next").stat().st_mode & 0o777 == 0o777 & ~_umask()
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


SUBPROCESS_CASES = [c for c in CASES if c.id in {"standard-actual_costs-nan", "standard-project-binary",
                                                   "standard-formula-power-tower", "monitor-spending-nan"}]


@pytest.mark.parametrize("case", SUBPROCESS_CASES, ids=[c.id for c in SUBPROCESS_CASES])
def test_end_to_end_exit_code_and_no_traceback(case, workspace):
    ws, out = workspace
    case.mutate(ws)
    exe = Path(sys.executable).with_name("costing")
    proc = subprocess.run([str(exe), *_argv(case, ws, out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == case.code
    assert "Traceback" not in proc.stderr
    assert all(t in proc.stderr for t in case.must), proc.stderr


# ----------------------------------------------------------------- the formula language

FORMULA_ALPHABET = st.sampled_from(list("0123456789.+-*/%()<>=! ,eE_'\"") +
                                   ["**", "9", "drivers", "x", "sum", "where", "ceil", "log", "exp",
                                    "sqrt", "min", "max", "round", "nan", "inf", "and", "or", "not",
                                    "lambda", "[", "]", "{", "}", "__", ".real", "\x00", "年"])


@settings(max_examples=300)
@given(st.lists(FORMULA_ALPHABET, max_size=40).map("".join))
def test_any_short_formula_returns_or_raises_within_a_second(text):
    """Any short string returns a value or raises InputError, using under 1 s of CPU.

    A true hang cannot be interrupted from Python while C code runs (``9**9**9`` as
    an integer never reaches a bytecode boundary), so faulthandler's watchdog thread
    kills the process after 20 s of wall time; pytest (and pytest-xdist, which
    reports the crashed worker) then fail the test. The 1 s bound is on CPU time,
    which load on a shared machine does not inflate.
    """
    from costing.expr import evaluate

    env = {"drivers": np.array([3.0, 0.0, 5.0]), "x": 2.0}
    faulthandler.dump_traceback_later(20, exit=True)
    t0 = time.process_time()
    try:
        evaluate(text, env, where={"file": "fuzz.csv", "row": 2, "column": "quantity"})
    except InputError as e:
        assert "fuzz.csv" in str(e)
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert time.process_time() - t0 < 1.0
