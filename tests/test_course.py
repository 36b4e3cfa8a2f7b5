"""The course in notebooks/course/: every lesson runs top to bottom, the answer key in the trainers'
guide matches the library, the self-check accepts right answers and rejects wrong ones, and the
what-if knobs change exactly what they say."""
import ast
import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import costing
from costing import teach, whatif

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "notebooks" / "course"
BUS = ROOT / "data" / "projects" / "bus_example.toml"
CBA = ROOT / "data" / "projects" / "cba_ebus_replacement.toml"
PORTFOLIO = ROOT / "data" / "portfolios" / "example_portfolio.toml"
LESSONS = sorted(p.name for p in COURSE.glob("[0-9][0-9]_*.ipynb"))


def _workbook_case(**values):
    """A trainee's workbook: written from the bus example, then edited on 项目信息 as in Excel (名称 -> 值)."""
    import tempfile

    import openpyxl

    from costing.workbook import new_workbook

    path = Path(tempfile.mkdtemp()) / "我的公交项目.xlsx"
    new_workbook("bus", path, source=BUS)
    wb = openpyxl.load_workbook(path)
    for row in wb["项目信息"].iter_rows(min_row=2):
        if row[1].value in values:
            row[2].value = values[row[1].value]
    wb.save(path)
    return teach.workbook_case(path)


CASES = {"bus": lambda **k: teach.bus_case(BUS, **k), "cba": lambda **k: teach.cba_case(CBA, **k),
         "exante": lambda **k: teach.exante_case(PORTFOLIO, **k),
         "monitoring": lambda **k: teach.monitoring_case(PORTFOLIO, **{"as_of": "2026-09-30", **k}),
         "evaluation": lambda **k: teach.evaluation_case(PORTFOLIO, **k), "workbook": _workbook_case}
_BUILT: dict = {}


def _case(kind: str, setting: dict):
    """The case of an exercise's setting, built once per test process."""
    key = (kind, repr(sorted(setting.items())))
    if key not in _BUILT:
        _BUILT[key] = CASES[kind](**setting)
    return _BUILT[key]


#: lesson parameters for the test run: the own-data lesson writes its workbook aside and skips the report
RUN_PARAMETERS = {"08_own_data.ipynb": lambda tmp: {"workbook": str(tmp / "我的公交项目.xlsx"),
                                                    "report_dir": str(tmp / "reports"), "make_report": False}}


@pytest.fixture(scope="module")
def bus_default():
    return teach.bus_case(BUS)


# --------------------------------------------------------------------------- notebooks
def test_course_has_its_lessons_and_guide():
    assert [n[:2] for n in LESSONS] == [f"{i:02d}" for i in range(len(LESSONS))]
    assert len(LESSONS) == 9
    assert (COURSE / "README.md").exists() and (COURSE / "glossary.md").exists()


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_structure(name):
    """Goal, duration (15-30 min) and hand-in stated; one literal parameters cell; the costing kernel; no outputs."""
    nb = nbformat.read(COURSE / name, as_version=4)
    assert nb.metadata.kernelspec.name == "costing"
    assert nb.metadata.kernelspec.display_name == "Python (costing)"
    head = nb.cells[0].source
    assert "**目标**" in head and "**交付物**" in head
    minutes = int(re.search(r"\*\*时长\*\* \| 约 (\d+) 分钟", head).group(1))
    assert 15 <= minutes <= 30
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for node in ast.parse(params[0].source).body:
        assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant), ast.unparse(node)
    assert all(not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code")
    # every exercise the lesson checks exists, and every knob it sets is a parameter
    checked = re.findall(r'teach\.check\("([\d-]+)"', "\n".join(c.source for c in nb.cells))
    assert set(checked) <= set(teach.EXERCISES)
    names = {n.targets[0].id for n in ast.parse(params[0].source).body}
    for ex in checked:
        if teach.EXERCISES[ex].case != "workbook":  # the own-data lesson's value is set in the workbook
            assert set(teach.EXERCISES[ex].setting) - {"rules"} <= names, ex


@pytest.mark.slow
@pytest.mark.parametrize("name", LESSONS)
def test_lesson_runs(name, tmp_path):
    """Top to bottom through papermill with the kernel the notebook names; no error, Chinese renders."""
    import papermill as pm

    from costing.report.execute import DEFAULT_TIMEOUT
    from costing.report.export import glyph_warnings

    out = tmp_path / name
    params = RUN_PARAMETERS.get(name, lambda _: {})(tmp_path)
    pm.execute_notebook(str(COURSE / name), str(out), parameters=params, cwd=str(COURSE), progress_bar=False,
                        execution_timeout=DEFAULT_TIMEOUT)  # a lost kernel message fails, never hangs CI
    nb = nbformat.read(out, as_version=4)
    assert glyph_warnings(nb) == []
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    text = "".join(str(o.get("data", {}).get("text/markdown", "")) for o in outputs)
    assert text.count("还没有作答") == len(re.findall(r"teach\.check\(", "".join(c.source for c in nb.cells)))


# --------------------------------------------------------------------------- answer key
def _key_in_guide() -> dict[str, str]:
    """The answer key table of the trainers' guide: 练习 -> 答案 (as written)."""
    text = (COURSE / "README.md").read_text(encoding="utf-8")
    section = text.split("## 答案", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"^\| (\d\d-\d) \|[^|]*\|[^|]*\| ([^|]+) \|", section,
                                                                 re.M)}


def test_answer_key_in_the_guide_matches_the_library():
    key = _key_in_guide()
    computed = teach.answer_key({kind: (lambda kind=kind, **k: _case(kind, k)) for kind in CASES})
    assert set(key) == set(computed.index)
    for ex_id, row in computed.iterrows():
        written = key[ex_id].replace(",", "")
        tol = teach.EXERCISES[ex_id].tol
        assert float(written) == pytest.approx(float(row["答案"]), abs=tol or 1e-9), ex_id


def test_answer_key_hand_checks(bus_default):
    """A few answers recomputed by hand from the example's tables."""
    t = costing.load_project(BUS).tables["targets"]
    peak = np.ceil(t["cycle_time_min"] / t["headway_peak_min"]).groupby(t["vehicle_type"]).sum()
    vehicles_15 = sum(math.ceil(v * 1.15) for v in peak)
    assert teach.answer("01-1", teach.bus_case(BUS, spare_ratio=0.15)) == vehicles_15
    assert teach.answer("00-1", bus_default) == len(t)
    # 合理利润 at 4% is capped at 3% of the regulated cost
    r = teach.bus_case(BUS, profit_rate=0.04).result
    assert teach.answer("03-3", teach.bus_case(BUS, profit_rate=0.04)) == pytest.approx(
        0.03 * r.standard.total / 1e4, rel=1e-12)
    # frontier with full catch-up: 3-year actual × θ
    c = teach.bus_case(BUS, rules={"maintenance": "frontier"}, frontier_catch_up=1.0)
    b = c.result.benchmark
    assert teach.answer("02-3", c) == pytest.approx(b.actual_3yr_avg["maintenance"] * b.frontier.efficiency, rel=1e-12)


# --------------------------------------------------------------------------- self-check
@pytest.mark.parametrize("ex_id", sorted(teach.EXERCISES))
def test_check_accepts_the_right_answer_and_rejects_wrong_ones(ex_id):
    ex = teach.EXERCISES[ex_id]
    case = _case(ex.case, ex.setting)
    right = teach.answer(ex_id, case)
    assert isinstance(right, (int, float)) and math.isfinite(right)
    assert teach.check(ex_id, right, case).ok is True
    assert teach.check(ex_id, f"{right}", case).ok is True  # typed as text
    step = 10 * (ex.tol or 1) + 1
    for wrong in (right + step, right - step):
        v = teach.check(ex_id, wrong, case)
        assert v.ok is False and "不对" in v.message
        assert ("偏大" if wrong > right else "偏小") in v.message
        reply = v.message.split("\n\n", 1)[1]  # after the question
        for shown in (f"{right:.2f}", f"{right:,.2f}", f"{right:.4f}", f"{right:g}"):
            assert shown not in reply  # the answer is never shown
    assert teach.check(ex_id, None, case).ok is None
    assert teach.check(ex_id, "很多", case).ok is False


def test_check_asks_for_the_setting_first(bus_default):
    """Right number, wrong state: the trainee is told what to set, not that the number is right."""
    right = teach.answer("01-1", teach.bus_case(BUS, spare_ratio=0.15))
    v = teach.check("01-1", right, bus_default)
    assert v.ok is False and "spare_ratio" in v.message and "0.15" in v.message


# --------------------------------------------------------------------------- what-if
def test_scenario_leaves_the_project_alone_and_moves_what_it_names():
    p = costing.load_project(BUS)
    params = dict(p.parameters)
    s = whatif.scenario(p, driver_per_vehicle=1.2, energy_price=0.1, profit_rate=0.025)
    assert p.parameters == params and p.budget.get("profit_rate") == 0.02
    assert whatif.energy_price_parameters(p) == ["cng_price", "diesel_price", "electricity_price"]
    for k in ("electricity_price", "diesel_price", "cng_price"):
        assert s.parameters[k] == pytest.approx(1.1 * params[k], rel=1e-15)
    base, r = costing.run_method(p), whatif.run(p, driver_per_vehicle=1.2, energy_price=0.1)
    assert r.target.drivers["drivers"] == pytest.approx(1.2 * r.target.drivers["vehicles"])
    energy = base.need.items["category"] == "能耗"
    assert r.need.items.loc[energy, "cost"].to_numpy() == pytest.approx(1.1 * base.need.items.loc[energy, "cost"])
    assert whatif.scenario(p, profit_rate=0.025).budget["profit_rate"] == 0.025
    with pytest.raises(costing.ParameterError):
        whatif.scenario(p, fare=2.0)


def test_panel_redraws_from_the_library():
    pytest.importorskip("ipywidgets")
    p = costing.load_project(BUS)
    panel = whatif.panel(p)
    before = panel.result.budget.subsidy
    assert before == pytest.approx(costing.run_method(p).budget.subsidy, rel=1e-12)
    panel.sliders["driver_per_vehicle"].value = 1.2
    assert panel.result.budget.subsidy == pytest.approx(whatif.run(p, driver_per_vehicle=1.2).budget.subsidy,
                                                        rel=1e-12)
    assert panel.result.budget.subsidy < before
    panel.rule_menus["maintenance"].value = "frontier"
    panel.preset_menu.value = "policy_operating_split"
    want = whatif.run(p, driver_per_vehicle=1.2, rules={"maintenance": "frontier"}, preset="policy_operating_split")
    assert panel.result.budget.subsidy == pytest.approx(want.budget.subsidy, rel=1e-12)
    assert costing.units.fmt_money(want.budget.subsidy) in panel.headline.value
