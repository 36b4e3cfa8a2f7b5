"""Bad input gets a clear error naming the file, sheet, row and column; inputs are never modified."""
import hashlib

import pytest

import costing
from costing.cli import main
from costing.errors import InputError
from tiny_project import TABLES, write_tiny


def _load(tmp_path, **kw):
    return costing.run_method(costing.load_project(write_tiny(tmp_path, **kw)))


def _err(tmp_path, **kw) -> InputError:
    with pytest.raises(InputError) as ei:
        _load(tmp_path, **kw)
    return ei.value


def test_missing_column(tmp_path):
    text = TABLES["targets.csv"].replace(",车型", "").replace(",BEV", "").replace(",diesel", "")
    e = _err(tmp_path, files={"targets.csv": text})
    assert "targets.csv" in str(e) and "第 1 行" in str(e) and "vehicle_type" in str(e) and "缺少列“车型”" in str(e)
    assert "车型" in str(e)  # the accepted Chinese header is named


def test_non_numeric_cell(tmp_path):
    e = _err(tmp_path, files={"operations.csv": TABLES["operations.csv"].replace("2023,380000", "2023,三十八万")})
    assert e.location.row == 3 and e.location.column == "vehicle_km"
    assert "operations.csv" in str(e) and "三十八万" in str(e) and "不是数字" in str(e)


def test_negative_quantity(tmp_path):
    e = _err(tmp_path, files={"targets.csv": TABLES["targets.csv"].replace("diesel,500000", "diesel,-500")})
    assert "negative" in str(e) and e.location.row == 3 and e.location.column == "客运量(人次)"


def test_empty_required_cell(tmp_path):
    e = _err(tmp_path, files={"cost_items.csv": TABLES["cost_items.csv"].replace("wages,驾驶员工资,人工,drivers",
                                                                                  "wages,驾驶员工资,人工,")})
    assert "empty" in str(e) and e.location.row == 2 and e.location.column == "quantity"


def test_duplicated_year(tmp_path):
    text = TABLES["operations.csv"] + "2024,410000,24000,11,1500000,300,100000\n"
    e = _err(tmp_path, files={"operations.csv": text})
    assert "重复的年度" in str(e) and e.location.row == 5 and e.found == 2024 and "与第 4 行重复" in str(e)


def test_unknown_unit(tmp_path):
    e = _err(tmp_path, files={"actual_costs.csv": TABLES["actual_costs.csv"].replace("金额（元）", "金额（千元）")})
    assert "金额单位未知" in str(e) and "千元" in str(e) and "actual_costs.csv" in str(e)


def test_money_column_without_unit(tmp_path):
    e = _err(tmp_path, files={"actual_costs.csv": TABLES["actual_costs.csv"].replace("金额（元）", "金额")})
    assert "金额列没有注明单位" in str(e)


def test_gbk_file_works(tmp_path):
    a = _load(tmp_path / "utf8")
    b = _load(tmp_path / "gbk", encodings={"targets.csv": "gbk", "actual_costs.csv": "gbk"})
    assert b.project.meta["targets"].encoding == "gbk"
    assert a.budget.subsidy == b.budget.subsidy


def test_xlsx_table_works(tmp_path):
    import pandas as pd

    folder = tmp_path / "x"
    write_tiny(folder)
    from io import StringIO
    pd.read_csv(StringIO(TABLES["peers.csv"])).to_excel(folder / "peers.xlsx", sheet_name="同行", index=False)
    text = (folder / "tiny.toml").read_text(encoding="utf-8").replace(
        'peers = "peers.csv"', 'peers = { path = "peers.xlsx", sheet = "同行" }')
    (folder / "tiny.toml").write_text(text, encoding="utf-8")
    r = costing.run_method(costing.load_project(folder / "tiny.toml"))
    assert r.project.meta["peers"].sheet == "同行"
    assert r.budget.subsidy == pytest.approx(_load(tmp_path / "csv").budget.subsidy)
    # a bad cell in a sheet names the sheet
    df = pd.read_csv(StringIO(TABLES["peers.csv"]))
    df.loc[2, "vehicle_km"] = 0
    df.to_excel(folder / "peers.xlsx", sheet_name="同行", index=False)
    with pytest.raises(InputError) as ei:
        costing.load_project(folder / "tiny.toml")
    assert "工作表“同行”" in str(ei.value) and ei.value.location.row == 4


def test_peer_with_zero_vehicle_km(tmp_path):
    e = _err(tmp_path, files={"peers.csv": TABLES["peers.csv"].replace("P3,2024,800000", "P3,2024,0")})
    assert "peers.csv" in str(e) and e.location.row == 4 and e.location.column == "vehicle_km"
    assert "应为正数" in str(e)


def test_too_few_peers_for_the_regression(tmp_path):
    few = "\n".join(TABLES["peers.csv"].splitlines()[:6]) + "\n"  # header + 5 peers
    pc = "\n".join(l for l in TABLES["peer_costs.csv"].splitlines() if not l.startswith(("P6", "P7", "P8"))) + "\n"
    e = _err(tmp_path, files={"peers.csv": few, "peer_costs.csv": pc})
    assert "同行单位太少" in str(e) and "peers.csv" in str(e) and "5 家" in str(e)


def test_invalid_toml(tmp_path):
    e = _err(tmp_path, project='[project]\nid = "x\n')
    assert "不是有效的 TOML 文件" in str(e) and "tiny.toml" in str(e)


def test_invalid_yaml(tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("project: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match="不是有效的 YAML 文件"):
        costing.load_project(p)


def test_yaml_project_equals_toml(tmp_path):
    import tomllib

    import yaml

    toml_path = write_tiny(tmp_path)
    data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    a = costing.run_method(costing.load_project(toml_path))
    b = costing.run_method(costing.load_project(tmp_path / "tiny.yaml"))
    assert a.budget.subsidy == b.budget.subsidy


def test_path_that_does_not_exist(tmp_path):
    with pytest.raises(InputError, match="不存在"):
        costing.load_project(tmp_path / "nope.toml")
    e = _err(tmp_path, project=__import__("tiny_project").PROJECT.replace('"peers.csv"', '"missing.csv"'))
    assert "missing.csv" in str(e) and "文件不存在" in str(e)


def test_unknown_rule_and_formula_name(tmp_path):
    e = _err(tmp_path, files={"cost_items.csv": TABLES["cost_items.csv"].replace(
        "vehicle_km,车公里,1,元/车公里,cpi,vehicle_km,\"min(actual_3yr_avg, peer_p50)\"",
        "vehicle_km,车公里,1,元/车公里,cpi,vehicle_km,peer_p99")})
    assert "peer_p99" in str(e) and e.location.row == 5
    e = _err(tmp_path / "b", files={"cost_items.csv": TABLES["cost_items.csv"].replace("drivers,人", "driverz,人")})
    assert "公式中的名称未定义：driverz" in str(e)


def test_formula_cannot_run_code(tmp_path):
    e = _err(tmp_path, files={"cost_items.csv": TABLES["cost_items.csv"].replace(
        "drivers,人", "\"__import__('os').system('true')\",人")})
    assert "公式含不允许的写法" in str(e)


def test_cli_exits_2_without_traceback(tmp_path, capsys):
    proj = write_tiny(tmp_path, files={"operations.csv": TABLES["operations.csv"].replace("2023,380000", "2023,x")})
    assert main(["standard", str(proj)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "operations.csv" in err and "第 3 行" in err
    assert main(["standard", str(tmp_path / "nope.toml")]) == 2


def test_cli_prints_standard_and_writes_xlsx(tmp_path, capsys):
    from openpyxl import load_workbook

    proj = write_tiny(tmp_path)
    out = tmp_path / "out" / "tiny.xlsx"
    assert main(["standard", str(proj), "--xlsx", str(out)]) == 0
    text = capsys.readouterr().out
    r = costing.run_method(costing.load_project(proj))
    assert f"{r.budget.unit_cost_standard:,.4f}" in text and "审减率" in text
    wb = load_workbook(out)
    assert {"成本标准表", "预算汇总", "审减情况"} <= set(wb.sheetnames)
    about = {row[0].value: row[1].value for row in wb["说明"].iter_rows()}
    assert about["输入文件：peers.csv"] == hashlib.sha256((tmp_path / "peers.csv").read_bytes()).hexdigest()
    assert about["版本"] == f"costing {costing.__version__}"
    assert not list(out.parent.glob(".tmp-*"))  # atomic: no temporary file left


def _hashes(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def test_inputs_are_never_modified(tmp_path, capsys):
    proj = write_tiny(tmp_path / "in")
    before = _hashes(tmp_path / "in")
    costing.run_method(costing.load_project(proj))
    main(["standard", str(proj), "--xlsx", str(tmp_path / "o.xlsx")])
    assert _hashes(tmp_path / "in") == before
