"""Fill-in workbooks: costing new, workbooks as projects (exact round trip), costing check and --annotate."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from costing.cli import main
from costing.method import run_method
from costing.project import load_project
from costing.workbook import check_workbook, new_workbook
from costing.workbook.check import ERROR, WARNING, WorkbookError

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = ROOT / "data" / "projects"
STANDARD = {"bus": PROJECTS / "bus_example.toml", "sanitation": PROJECTS / "sanitation_example.toml"}


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def bus_xlsx(tmp_path_factory) -> Path:
    return new_workbook("bus", tmp_path_factory.mktemp("wb") / "bus.xlsx", source=STANDARD["bus"])


def _col(ws, header_start: str) -> str:
    """Column letter of the header that starts with ``header_start``."""
    return next(c.column_letter for c in ws[1] if c.value is not None and str(c.value).startswith(header_start))


def _info_row(ws, name: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value == name)


# -- round trips -----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(STANDARD))
def test_round_trip_gives_the_same_standard_subsidy_and_cut_rate(kind, tmp_path):
    toml = STANDARD[kind]
    xlsx = new_workbook(kind, tmp_path / f"{kind}.xlsx", source=toml)
    a, b = run_method(load_project(toml)).budget, run_method(load_project(xlsx)).budget
    assert round(b.unit_cost_standard, 4) == round(a.unit_cost_standard, 4)
    for field in ("subsidy", "requested", "cut_amount"):
        assert round(getattr(b, field)) == round(getattr(a, field)), field  # to the yuan
        assert getattr(b, field) == pytest.approx(getattr(a, field), rel=1e-12)
    assert b.cut_rate == pytest.approx(a.cut_rate, rel=1e-12)


def test_workbook_project_reads_every_table_from_the_workbook(bus_xlsx):
    p = load_project(bus_xlsx)
    assert {m.path for m in p.meta.values()} == {bus_xlsx.resolve()}
    assert p.meta["cost_items"].sheet == "成本项目"
    assert p.money["requested_subsidy"] == pytest.approx(9128.0 * 1e4)  # 9,128 万元 in bus_example.toml


# -- costing new --------------------------------------------------------------------------------
def test_blank_workbook_has_guide_info_and_marked_examples(tmp_path):
    out = new_workbook("bus", tmp_path / "我的项目.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames[:2] == ["填表说明", "项目信息"]
    assert wb["选项"].sheet_state == "hidden"
    ws = wb["运营统计"]
    headers = [c.value for c in ws[1]]
    assert "票款收入（万元）" in headers and headers[-1] == "示例行"
    assert ws.cell(2, len(headers)).value.startswith("示例")
    assert ws.protection.sheet and not ws.cell(1, 1).protection.locked is False
    assert ws.cell(2, 1).protection.locked is False  # input cells are unlocked
    problems, _ = check_workbook(out)
    example_rows = [p for p in problems if p.problem == "示例行未删除"]
    assert len(example_rows) == 2 * 7  # two example rows on each table but 成本项目
    assert any(p.ref == "项目信息!C2" and "项目编号" in p.problem for p in problems)


def test_choice_columns_have_data_validation(bus_xlsx):
    wb = load_workbook(bus_xlsx)

    def lists(ws):
        return {str(c): dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"
                for c in dv.sqref.ranges}

    targets = lists(wb["目标任务"])
    col = _col(wb["目标任务"], "车型")
    [formula] = [f for ref, f in targets.items() if ref.startswith(col + "2")]
    opts = wb["选项"]
    first_col = next(c for c in opts[1] if c.value == "目标任务_vehicle_type").column_letter
    assert formula == f"'选项'!${first_col}$2:${first_col}$4"
    assert [opts[f"{first_col}{r}"].value for r in (2, 3, 4)] == ["BEV", "diesel", "CNG"]
    items = lists(wb["成本项目"])
    assert any(ref.startswith(_col(wb["成本项目"], "核定规则") + "2") for ref in items)
    assert any(ref.startswith(_col(wb["成本项目"], "价格指数类型") + "2") for ref in items)
    info = wb["项目信息"]
    info_lists = lists(info)
    assert f"C{_info_row(info, '补贴口径')}" in info_lists
    assert f"C{_info_row(info, '项目类型')}" in info_lists
    assert f"D{_info_row(info, '申报补贴总额')}" in info_lists  # money unit 元/万元/亿元
    years = [dv for dv in wb["历年成本"].data_validations.dataValidation if dv.type == "whole"]
    assert years and str(years[0].sqref).startswith("A2")


# -- costing check --------------------------------------------------------------------------------
def _seed_ten_errors(path: Path) -> dict[str, str]:
    """Ten distinct errors; returns cell reference -> what was seeded."""
    wb = load_workbook(path)
    seeded = {}

    def put(sheet, header, row, value, what):
        ws = wb[sheet]
        ref = f"{_col(ws, header)}{row}"
        ws[ref] = value
        seeded[f"{sheet}!{ref}"] = what

    put("成本项目", "单价", 2, "city_avg_wage * wage_facter", "unknown name in a formula")
    put("成本项目", "数量公式", 3, "staff * (", "formula that does not parse")
    put("运营统计", "车公里", 3, "#DIV/0!", "#DIV/0!")
    put("同行数据", "车辆数", 2, "nan", "nan")
    put("目标任务", "客运量", 4, -5, "negative quantity")
    put("目标任务", "车型", 5, "电车", "unknown choice")
    put("历年成本", "成本项目代码", 3, "driver_wages", "duplicate year/item")
    put("申报数", "成本项目代码", 2, "unknown_item", "unknown cost item")
    info = wb["项目信息"]
    r = _info_row(info, "申报补贴总额")
    info[f"D{r}"] = "千元"
    seeded[f"项目信息!D{r}"] = "unknown money unit"
    pi = wb["价格指数"]
    last = pi.max_row
    assert pi.cell(last, 1).value == 2026
    pi.delete_rows(last)
    seeded[f"项目信息!C{_info_row(info, '价格基年')}"] = "price year missing from the price index"
    wb.save(path)
    return seeded


def test_ten_seeded_errors_give_exactly_ten_entries(bus_xlsx, tmp_path):
    bad = tmp_path / "bad.xlsx"
    shutil.copy(bus_xlsx, bad)
    seeded = _seed_ten_errors(bad)
    problems, _ = check_workbook(bad)
    errors = [p for p in problems if p.severity == ERROR]
    assert sorted(p.ref for p in errors) == sorted(seeded), [p.line() for p in errors]
    for p in errors:
        assert p.expected and p.fix
    by_ref = {p.ref: p for p in errors}
    assert by_ref["运营统计!B3"].found == "#DIV/0!"
    assert "千元" in by_ref[f"项目信息!D{_info_row(load_workbook(bad)['项目信息'], '申报补贴总额')}"].found


def test_every_command_lists_all_problems_and_exits_2(bus_xlsx, tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    shutil.copy(bus_xlsx, bad)
    seeded = _seed_ten_errors(bad)
    with pytest.raises(WorkbookError) as e:
        load_project(bad)
    assert len(e.value.problems) >= 10
    assert main(["standard", str(bad)]) == 2
    err = capsys.readouterr().err
    assert all(ref in err for ref in seeded)
    assert main(["check", str(bad)]) == 2


def test_check_exit_codes_and_json(bus_xlsx, tmp_path, capsys):
    # the bundled example requests more than the computed need on some items: warnings only
    assert main(["check", str(bus_xlsx)]) == 1
    out = capsys.readouterr().out
    assert "警告" in out and "错误  " not in out
    clean = tmp_path / "clean.xlsx"
    wb = load_workbook(bus_xlsx)
    ws = wb["申报数"]
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 2).value = 1.0  # 1 万元 per item: below every computed need
    wb.save(clean)
    assert main(["check", str(clean), "--json"]) == 0
    import json

    assert json.loads(capsys.readouterr().out) == []


def test_warnings_are_rules_with_their_basis(bus_xlsx, tmp_path):
    wb = load_workbook(bus_xlsx)
    info = wb["项目信息"]
    info[f"C{_info_row(info, '纯电动百公里电耗')}"] = 400.0      # kWh per 100 km: implausible
    info.append(("参数", "driver_per_vehicle", 1.6, "", ""))          # 山亭 caps drivers at 1.3 per bus
    ops = wb["运营统计"]
    col = _col(ops, "平均工资")
    ops[f"{col}4"] = ops[f"{col}3"].value * 1.5                      # +50% year on year
    ops[f"{col}2"] = 20000.0                                           # 元/年: below the minimum wage
    peers = wb["同行数据"]
    peers[f"{_col(peers, '平均工资')}2"] = 400000.0                     # > 2 × city_avg_wage (105,000)
    vkm = _col(ops, "车公里")
    assert ops[f"A5"].value == 2024                                    # the peers' year
    ops[f"{vkm}5"] = ops[f"{vkm}5"].value / 2                          # own cost per vehicle-km doubles
    path = tmp_path / "warn.xlsx"
    wb.save(path)
    problems, _ = check_workbook(path)
    rules = {}
    for p in problems:
        if p.severity == WARNING:
            rules.setdefault(p.rule, []).append(p.ref)
    assert rules["wage_minimum"] == [f"运营统计!{col}2"]
    assert rules["wage_city_average"] == [f"同行数据!{_col(peers, '平均工资')}2"]
    assert rules["peer_unit_cost"] == [f"运营统计!{vkm}5"]
    assert f"运营统计!{col}4" in rules["year_on_year"]
    rules = {p.rule: p for p in problems if p.severity == WARNING and p.rule in ("energy_bev", "driver_ratio",
                                                                                    "year_on_year")}
    assert {"energy_bev", "driver_ratio", "year_on_year"} <= set(rules)
    assert "1.3" in rules["driver_ratio"].basis and rules["driver_ratio"].found == "1.6"
    assert not [p for p in problems if p.severity == ERROR]


def test_annotate_leaves_input_unchanged_and_comments_every_problem_cell(bus_xlsx, tmp_path):
    bad = tmp_path / "bad.xlsx"
    shutil.copy(bus_xlsx, bad)
    seeded = _seed_ten_errors(bad)
    before = _sha(bad)
    out = tmp_path / "标注.xlsx"
    assert main(["check", str(bad), "--annotate", str(out)]) == 2
    assert _sha(bad) == before
    wb = load_workbook(out)
    for ref in seeded:
        sheet, cell = ref.split("!")
        c = wb[sheet][cell]
        assert c.comment is not None and "错误" in c.comment.text, ref
        assert c.fill.fgColor.rgb.endswith("FFC7CE")


def test_legacy_xls_is_rejected_with_how_to_convert(tmp_path):
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0")  # the OLE2 signature of an Excel 97-2003 file
    with pytest.raises(Exception) as e:
        load_project(xls)
    assert "另存为" in str(e.value) and ".xlsx" in str(e.value)


def _lo_resave(soffice: str, src: Path, outdir: Path, profile: Path) -> Path:
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), str(src)],
                   capture_output=True, timeout=300)
    return outdir / src.name


def test_libreoffice_resaved_workbook_still_reads(bus_xlsx, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui to run this test)")
    from openpyxl import Workbook

    probe = tmp_path / "probe" / "probe.xlsx"
    probe.parent.mkdir()
    Workbook().save(probe)
    if not _lo_resave(soffice, probe, tmp_path / "lo", tmp_path / "profile").exists():
        pytest.skip("this LibreOffice cannot convert .xlsx (no Calc: apt-get install libreoffice-calc-nogui)")
    src = tmp_path / "src" / "bus.xlsx"
    src.parent.mkdir()
    shutil.copy(bus_xlsx, src)
    resaved = _lo_resave(soffice, src, tmp_path / "lo", tmp_path / "profile")
    assert resaved.exists(), "LibreOffice could not open the workbook"
    problems, _ = check_workbook(resaved)
    assert not [p for p in problems if p.severity == ERROR]
    a = run_method(load_project(bus_xlsx)).budget
    b = run_method(load_project(resaved)).budget
    assert round(b.subsidy) == round(a.subsidy)
    assert b.cut_rate == pytest.approx(a.cut_rate, rel=1e-9)


# -- cba and portfolio ----------------------------------------------------------------------------
def test_cba_round_trip_is_exact(tmp_path):
    from costing.cba import load_cba_project
    from costing.cba.measures import irr, npv

    toml = PROJECTS / "cba_ebus_replacement.toml"
    xlsx = new_workbook("cba", tmp_path / "cba.xlsx", source=toml)
    a, b = load_cba_project(toml), load_cba_project(xlsx)
    assert (b.model.net() == a.model.net()).all()
    assert b.model.start_year == a.model.start_year
    assert (b.discount, b.timing, b.benchmark_rate, b.factor_items, b.mc_specs, b.mc_seed) == \
        (a.discount, a.timing, a.benchmark_rate, a.factor_items, a.mc_specs, a.mc_seed)
    assert round(npv(0.08, b.model.net())) == round(npv(0.08, a.model.net()))
    assert irr(b.model.net()) == irr(a.model.net())


def test_cba_workbook_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "成本效益.xlsx"
    assert main(["new", "cba", str(out)]) == 0
    assert "costing check" in capsys.readouterr().out
    wb = load_workbook(out)
    kinds = [dv for dv in wb["现金流项目"].data_validations.dataValidation if str(dv.sqref).startswith("B2")]
    assert kinds and kinds[0].type == "list"
    assert [c.value for c in wb["现金流"][1]][:2] == ["年度", "investment（万元）"]
    assert main(["check", str(out), "--json"]) == 2
    import json

    refs = {p["ref"] for p in json.loads(capsys.readouterr().out)}
    assert refs == {"项目信息!C2", "现金流!A2", "现金流!A3"}  # the project id, and the two example rows


def test_portfolio_round_trip_gives_the_same_assessment_and_evaluation(tmp_path, capsys):
    toml = ROOT / "data" / "portfolios" / "example_portfolio.toml"
    xlsx = new_workbook("portfolio", tmp_path / "pf.xlsx", source=toml)
    for cmd in (["assess"], ["evaluate"], ["monitor", "--as-of", "2026-09-30"]):
        assert main([cmd[0], str(toml), *cmd[1:]]) == 0
        a = capsys.readouterr().out
        assert main([cmd[0], str(xlsx), *cmd[1:]]) == 0
        assert capsys.readouterr().out == a, cmd


def test_portfolio_indicator_levels_are_dependent_lists(tmp_path):
    from costing.performance.indicators import LEVELS

    xlsx = new_workbook("portfolio", tmp_path / "pf.xlsx")
    wb = load_workbook(xlsx)
    ws = wb["绩效指标"]
    l1, l2, l3 = (_col(ws, h) for h in ("一级指标", "二级指标", "三级指标"))
    dvs = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert dvs[f"{l2}2"] == f"INDIRECT(${l1}2)" and dvs[f"{l3}2"] == f"INDIRECT(${l2}2)"
    names = wb.defined_names
    for level1, level2s in LEVELS.items():
        sheet, cells = next(iter(names[level1].destinations))
        col = cells.split(":")[0].replace("$", "").rstrip("0123456789")
        assert [wb[sheet][f"{col}{r}"].value for r in range(2, 2 + len(level2s))] == list(level2s)
    assert "数量指标" in names  # level 3 lists, one per level 2
    tracking = wb["监控跟踪"]  # 完成目标可能性: a choice column of the portfolio's table definitions
    col = _col(tracking, "完成目标可能性")
    [formula] = [dv.formula1 for dv in tracking.data_validations.dataValidation if str(dv.sqref).startswith(f"{col}2")]
    opts = wb["选项"]
    lst = next(c for c in opts[1] if c.value == "监控跟踪_likelihood").column_letter
    assert formula.startswith(f"'选项'!${lst}$2")
    from costing.performance.portfolio import LIKELIHOODS

    assert [opts[f"{lst}{r}"].value for r in range(2, 2 + len(LIKELIHOODS))] == list(LIKELIHOODS)
    problems, _ = check_workbook(xlsx)
    assert {p.problem for p in problems if p.severity == ERROR} == {"示例行未删除", "项目编号未填写"}


def test_portfolio_weights_that_do_not_add_up_are_errors(tmp_path):
    toml = ROOT / "data" / "portfolios" / "example_portfolio.toml"
    xlsx = new_workbook("portfolio", tmp_path / "pf.xlsx", source=toml)
    wb = load_workbook(xlsx)
    ws = wb["绩效指标"]
    w = ws.max_column + 1
    ws.cell(1, w, "分值（分）")
    pid = _col(ws, "项目编码")
    rows = {}
    for r in range(2, ws.max_row + 1):
        rows.setdefault(ws[f"{pid}{r}"].value, []).append(r)
    for p, rs in rows.items():  # 90 points over each project's indicators (+10 for the execution rate)
        for r in rs:
            ws.cell(r, w, 90 / len(rs))
    first = rows["P001"][0]
    ws.cell(first, w, ws.cell(first, w).value + 5)
    wb.save(xlsx)
    problems, _ = check_workbook(xlsx)
    [p] = [p for p in problems if p.severity == ERROR]
    assert p.ref == f"绩效指标!{ws.cell(first, w).column_letter}{first}" and "P001" in p.problem


def test_report_on_a_workbook_hashes_the_workbook(bus_xlsx, tmp_path):
    import json

    assert main(["report", str(bus_xlsx), "--out", str(tmp_path / "rep")]) == 0
    manifest = json.loads((tmp_path / "rep" / "bus_example" / "manifest.json").read_text(encoding="utf-8"))
    assert [i["sha256"] for i in manifest["inputs"]] == [_sha(bus_xlsx)]


def test_budget_unit_path_new_fill_in_check_report(bus_xlsx, tmp_path, capsys):
    """costing new bus → fill in (delete the example rows, type the data) → costing check → costing standard."""
    mine = tmp_path / "我的项目.xlsx"
    assert main(["new", "bus", str(mine)]) == 0
    assert main(["check", str(mine)]) == 2  # a blank workbook: the project id and the example rows
    capsys.readouterr()
    wb, data = load_workbook(mine), load_workbook(bus_xlsx)
    info = wb["项目信息"]
    info[f"C{_info_row(info, '项目编号')}"] = "我的项目"
    for ws in wb.worksheets[3:]:  # the table sheets, after 填表说明, 项目信息 and the hidden 选项
        src = data[ws.title]
        heads = [c.value for c in ws[1]]
        assert heads[:src.max_column] == [c.value for c in src[1]], ws.title
        ws.delete_rows(2, ws.max_row)
        for row in src.iter_rows(min_row=2, values_only=True):
            ws.append(row)
    wb.save(mine)
    assert main(["check", str(mine)]) == 1  # warnings only (requested above the computed need)
    capsys.readouterr()
    assert main(["standard", str(mine)]) == 0
    b, a = run_method(load_project(mine)).budget, run_method(load_project(STANDARD["bus"])).budget
    assert round(b.subsidy) == round(a.subsidy) and b.cut_rate == pytest.approx(a.cut_rate, rel=1e-12)
