"""One rule set for every reader (issue 16): each bad-input class, its Chinese message, and the
same verdict from a CSV/TOML project, a workbook and ``costing check``."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from costing.cli import main
from costing.errors import InputError
from costing.intake import Bad, Column, check_value, parse_date
from costing.method import run_method
from costing.project import load_project
from costing.workbook import check_workbook, new_workbook
from costing.workbook.check import ERROR, WARNING, WorkbookError

ROOT = Path(__file__).resolve().parents[1]
BUS = ROOT / "data" / "projects" / "bus_example.toml"


@pytest.fixture(scope="module")
def bus_xlsx(tmp_path_factory) -> Path:
    return new_workbook("bus", tmp_path_factory.mktemp("wb") / "bus.xlsx", source=BUS)


def _copy(bus_xlsx: Path, tmp_path: Path, name: str = "bad.xlsx") -> Path:
    out = tmp_path / name
    shutil.copy(bus_xlsx, out)
    return out


def _info_row(ws, name: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if str(ws.cell(r, 2).value).strip() == name)


def _col(ws, header_start: str) -> str:
    return next(c.column_letter for c in ws[1] if c.value is not None and str(c.value).startswith(header_start))


def _edit(path: Path, fn) -> Path:
    wb = load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def _errors(path: Path) -> list:
    problems, _ = check_workbook(path)
    return [p for p in problems if p.severity == ERROR]


def _toml_project(tmp_path: Path, old: str, new: str) -> Path:
    """bus_example.toml with one line changed, its tables still found (paths made absolute)."""
    text = BUS.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new).replace('"../raw/', f'"{(ROOT / "data" / "raw").as_posix()}/')
    out = tmp_path / "bus.toml"
    out.write_text(text, encoding="utf-8")
    return out


# -- signs and scales: the same verdict from TOML and the workbook -------------------------------
def test_negative_higher_level_subsidy_refused_in_toml_and_workbook(bus_xlsx, tmp_path):
    toml = _toml_project(tmp_path, 'higher_level_subsidy = { amount = 1250.0', 'higher_level_subsidy = { amount = -650.0')
    with pytest.raises(InputError) as e:
        load_project(toml)
    assert "上级补贴不能为负数" in str(e.value) and "money.higher_level_subsidy" in str(e.value)
    assert "-650.00 万元" in str(e.value)
    wb = _edit(_copy(bus_xlsx, tmp_path), lambda wb: wb["项目信息"].cell(_info_row(wb["项目信息"], "上级补贴"), 3,
                                                                     -650))
    [p] = _errors(wb)
    assert p.problem == "上级补贴不能为负数" and p.ref.startswith("项目信息!C")
    assert main(["standard", str(wb)]) == 2


@pytest.mark.parametrize("name, label", [("taxes", "税金"), ("other_revenue", "其他业务收入")])
def test_every_nonnegative_amount_refused_when_negative(tmp_path, name, label):
    toml = _toml_project(tmp_path, f"{name} = {{ amount = ", f"{name} = {{ amount = -")
    with pytest.raises(InputError, match=f"{label}不能为负数"):
        load_project(toml)


def test_negative_fare_revenue_cell_refused(bus_xlsx, tmp_path):
    def put(wb):
        ws = wb["运营统计"]
        ws[f"{_col(ws, '票款收入')}2"] = -100
    [p] = _errors(_edit(_copy(bus_xlsx, tmp_path), put))
    assert p.problem == "不能为负数" and p.ref.startswith("运营统计!") and "不用负号" in p.fix


def test_profit_rate_typed_as_percent_is_an_error_naming_the_intent(bus_xlsx, tmp_path):
    toml = _toml_project(tmp_path, "profit_rate = 0.02", "profit_rate = 2")
    with pytest.raises(InputError) as e:
        load_project(toml)
    assert "合理利润率应为比例，不是百分数" in str(e.value) and "改为 0.02" in str(e.value)
    wb = _edit(_copy(bus_xlsx, tmp_path), lambda wb: wb["项目信息"].cell(_info_row(wb["项目信息"], "合理利润率"), 3, 2))
    [p] = _errors(wb)
    assert p.problem == "合理利润率应为比例，不是百分数" and p.found == "2" and "0.02" in p.fix


def test_punctuality_target_95_where_a_fraction_is_due(tmp_path):
    toml = _toml_project(tmp_path, 'target = 0.95, unit = "fraction"', 'target = 95, unit = "fraction"')
    with pytest.raises(InputError, match="绩效目标“准点率”应为比例"):
        load_project(toml)


def test_fraction_parameter_typed_as_percent(tmp_path):
    toml = _toml_project(tmp_path, "social_insurance_rate = 0.32", "social_insurance_rate = 32")
    with pytest.raises(InputError, match="五险一金费率应为比例.*改为 0.32"):
        load_project(toml)


# -- check passes => the calculation computes; a peer rule without 同行成本 ---------------------
def test_peer_rule_without_peer_costs_is_a_check_error_at_the_rule_cell(bus_xlsx, tmp_path):
    def empty(wb):
        ws = wb["同行成本"]
        ws.delete_rows(2, ws.max_row)
    wb = _edit(_copy(bus_xlsx, tmp_path), empty)
    errors = _errors(wb)
    assert errors and all("需要同行成本" in p.problem for p in errors)
    assert all(p.ref.startswith("成本项目!") for p in errors)  # the rule's cell
    assert main(["check", str(wb)]) == 2 and main(["standard", str(wb)]) == 2


# -- Chinese everywhere ----------------------------------------------------------------------------
def test_duplicate_year_and_missing_table_rows_are_chinese(bus_xlsx, tmp_path):
    def dup(wb):
        ws = wb["运营统计"]
        ws.append([c.value for c in ws[2]])
    errors = _errors(_edit(_copy(bus_xlsx, tmp_path), dup))
    assert [p.problem for p in errors] == ["重复的年度"]
    assert "与第 2 行重复" in errors[0].fix


def test_costing_new_on_an_existing_file_says_so_in_chinese(bus_xlsx, capsys):
    assert main(["new", "bus", str(bus_xlsx)]) == 2
    err = capsys.readouterr().err
    assert "文件已存在，未覆盖" in err and "--out" not in err


# -- files that are not what they claim ---------------------------------------------------------------
def _zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return path


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b""), "空文件"),
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + b"\0" * 64),
     "文件已加密"),
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64), "这是 Excel 97–2003 (.xls) 文件"),
    (lambda p: _zip(p, {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}),
     "这是 .ods 文件"),
    (lambda p: _zip(p, {"[Content_Types].xml": "<x/>", "word/document.xml": "<x/>"}), "这是 .docx 文件"),
    (lambda p: p.write_text("年度,金额（万元）\n2024,1\n", encoding="utf-8"), "这是 CSV 文本文件"),
])
def test_files_that_are_not_workbooks_are_named(tmp_path, make, message, capsys):
    path = tmp_path / "unit.xlsx"
    make(path)
    for cmd in ("check", "standard"):
        assert main([cmd, str(path)]) == 2
        err = capsys.readouterr().err
        assert message in err and "zip" not in err.lower(), err
        assert "建议：" in err


def test_xlsm_is_a_warning_and_still_computes(bus_xlsx, tmp_path):
    xlsm = _copy(bus_xlsx, tmp_path, "unit.xlsm")
    problems, _ = check_workbook(xlsm)
    [p] = [p for p in problems if "宏" in p.problem]
    assert p.severity == WARNING and "另存为 .xlsx" in p.fix
    assert main(["check", str(xlsm)]) == 1
    assert run_method(load_project(xlsm)).budget.subsidy > 0


# -- accept what people type -----------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["2026-09-30", "2026/9/30", "2026年9月30日", "2026.9.30", " 2026-9-30 "])
def test_dates_as_people_type_them(typed):
    assert check_value(Column("date", "date"), typed) == "2026-09-30"


def test_date_cells_and_bad_dates():
    import datetime as dt

    assert parse_date(dt.datetime(2026, 9, 30)) == "2026-09-30"
    with pytest.raises(Bad, match="日期不存在"):
        parse_date("2026-09-31")
    with pytest.raises(Bad, match="不是日期"):
        parse_date("九月底")


def test_trimmed_info_labels_are_accepted(bus_xlsx, tmp_path):
    def pad(wb):
        ws = wb["项目信息"]
        r = _info_row(ws, "项目类型")
        ws.cell(r, 2, "项目类型  ")
        ws.cell(r, 3, " bus ")
    assert _errors(_edit(_copy(bus_xlsx, tmp_path), pad)) == []


def test_kind_typed_as_its_chinese_label(bus_xlsx, tmp_path):
    wb = _edit(_copy(bus_xlsx, tmp_path), lambda wb: wb["项目信息"].cell(_info_row(wb["项目信息"], "项目类型"), 3, "公交运行补贴"))
    assert _errors(wb) == []
    assert load_project(wb).type_id == "bus"


def test_unlabelled_data_column_refused_naming_it(bus_xlsx, tmp_path):
    def add(wb):
        ws = wb["申报数"]
        ws.cell(3, 5, 123.0)  # column E: data under no header
    [p] = _errors(_edit(_copy(bus_xlsx, tmp_path), add))
    assert p.ref == "申报数!E3" and p.problem == "第 E 列有数据但没有列名"


def test_unlabelled_csv_column_refused(tmp_path):
    from costing.io import read_table

    csv = tmp_path / "t.csv"
    csv.write_text("年度,金额（万元）,\n2024,1,5\n", encoding="utf-8")
    with pytest.raises(InputError, match="第 C 列有数据但没有列名"):
        read_table(csv, [Column("year", "year"), Column("amount", "money")])


# -- specific advice, no follow-on errors, at most 200 listed ---------------------------------------
def test_a_parameter_with_a_unit_gives_one_error_with_specific_advice(bus_xlsx, tmp_path):
    wb = _edit(_copy(bus_xlsx, tmp_path), lambda wb: wb["项目信息"].cell(_info_row(wb["项目信息"], "城市社会平均工资"), 3, "8.6万"))
    [p] = _errors(wb)  # no follow-on "公式中的名称未定义：city_avg_wage"
    assert p.problem == "参数“城市社会平均工资”不是数字" and "8.6万 元 填 86000" in p.fix


def test_advice_differs_by_rule():
    fixes = set()
    for c, v in ((Column("year", "year"), "2026.5"), (Column("x"), "#DIV/0!"), (Column("x"), "-"),
                 (Column("x"), "abc"), (Column("x", min_value=0), -1), (Column("x", "int"), 1.5)):
        with pytest.raises(Bad) as e:
            check_value(c, v)
        fixes.add(e.value.fix)
    assert len(fixes) == 6
    with pytest.raises(Bad, match="不是四位年份") as e:
        check_value(Column("year", "year"), 26)
    assert "四位年份" in e.value.fix


def test_formula_never_calculated(bus_xlsx, tmp_path):
    def formula(wb):
        ws = wb["申报数"]
        ws[f"{_col(ws, '申报数')}2"] = "=100*2"  # openpyxl stores no calculated value
    [p] = _errors(_edit(_copy(bus_xlsx, tmp_path), formula))
    assert p.problem == "公式没有计算结果" and "打开并保存一次" in p.fix


def test_check_lists_at_most_200_and_counts_the_rest(bus_xlsx, tmp_path, capsys):
    def many(wb):
        ws = wb["历年成本"]
        for r in range(2, 302):
            ws.cell(r, 3, "n/a")
    wb = _edit(_copy(bus_xlsx, tmp_path), many)
    n = len(_errors(wb))
    assert n > 300  # 65 bad amounts, and the rows below the table: year, code and amount each
    assert main(["check", str(wb)]) == 2
    out = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("错误") for line in out) == 200
    assert any(f"另有 {n - 200} 处问题未列出" in line for line in out)
    with pytest.raises(WorkbookError) as e:
        load_project(wb)
    assert f"另有 {n - 200} 处错误未列出" in str(e.value)


def test_costs_in_yuan_under_a_wan_yuan_header_are_blamed_on_the_costs(bus_xlsx, tmp_path):
    """The issue's case: amounts typed in 元 in the 万元 column used to be blamed on a vehicle-km cell."""
    def yuan(wb):
        ws = wb["历年成本"]
        col = _col(ws, "金额")
        for r in range(2, ws.max_row + 1):
            ws[f"{col}{r}"] = ws[f"{col}{r}"].value * 1e4  # every amount in 元 where 万元 is due
    problems, _ = check_workbook(_edit(_copy(bus_xlsx, tmp_path), yuan))
    peer = [p for p in problems if p.rule == "peer_unit_cost"]
    assert peer and not [p for p in peer if p.sheet == "运营统计"]
    p = peer[0]
    assert p.ref == "历年成本（列“金额（万元）”）" and "金额单位填错" in p.problem and "元与万元相差一万倍" in p.fix
