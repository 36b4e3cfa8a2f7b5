"""The course in notebooks/course/: every lesson runs top to bottom with the answer cells filled from the
trainers' key and every self-check says 对 (whatever setting the notebook is at), every hint's named table,
row and column shows the answer, feedback renders as HTML, slips are explained in Chinese, and the what-if
knobs change exactly what they say."""
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
TRAINER = COURSE / "trainer" / "README.md"
BUS = ROOT / "data" / "projects" / "bus_example.toml"
CBA = ROOT / "data" / "projects" / "cba_ebus_replacement.toml"
PORTFOLIO = ROOT / "data" / "portfolios" / "example_portfolio.toml"
LESSONS = sorted(p.name for p in COURSE.glob("[0-9][0-9]_*.ipynb"))
SOURCES = {"bus": BUS, "cba": CBA, "exante": PORTFOLIO, "monitoring": PORTFOLIO, "evaluation": PORTFOLIO}


def _workbook(path: Path, **values) -> Path:
    """A trainee's workbook: written from the bus example, then edited on 项目信息 as in Excel (名称 -> 值)."""
    import openpyxl

    from costing.workbook import new_workbook

    new_workbook("bus", path, source=BUS)
    if values:
        wb = openpyxl.load_workbook(path)
        for row in wb["项目信息"].iter_rows(min_row=2):
            code = row[5].value if len(row) > 5 and row[5].value else row[1].value  # 代码 column, else 名称
            if code in values:
                row[2].value = values[code]
        wb.save(path)
    return path


_BUILT: dict = {}


def _case(kind: str, setting: dict):
    """The case of an exercise's setting, built once per test process."""
    key = (kind, repr(sorted(setting.items())))
    if key not in _BUILT:
        if kind == "workbook":
            import tempfile

            path = _workbook(Path(tempfile.mkdtemp()) / "我的公交项目.xlsx", **setting)
            _BUILT[key] = teach.workbook_case(path)
        else:
            _BUILT[key] = teach.build_case(kind, SOURCES[kind], setting)
    return _BUILT[key]


@pytest.fixture(scope="module")
def bus_default():
    return teach.bus_case(BUS)


# --------------------------------------------------------------------------- the trainers' key
def _key() -> dict[str, tuple[str, str]]:
    """The answer key of the trainers' guide: 练习 -> (设置, 答案 as written)."""
    text = TRAINER.read_text(encoding="utf-8")
    section = text.split("## 答案", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): (m.group(2).strip(), m.group(3).strip())
            for m in re.finditer(r"^\| (\d\d-\d) \|([^|]*)\|[^|]*\| ([^|]+) \|", section, re.M)}


KEY = _key()


def _key_value(ex_id: str) -> float:
    return float(KEY[ex_id][1].replace(",", ""))


def test_course_has_its_lessons_and_guides():
    assert [n[:2] for n in LESSONS] == [f"{i:02d}" for i in range(len(LESSONS))]
    assert len(LESSONS) == 9
    assert (COURSE / "README.md").exists() and (COURSE / "glossary.md").exists() and TRAINER.exists()


def test_the_start_page_has_no_answers():
    """`make lab` opens the trainees' 课程目录: no answer key there, and the Makefile opens that page."""
    start = (COURSE / "README.md").read_text(encoding="utf-8")
    assert start.startswith("# 全成本预算绩效管理培训课程 · 课程目录")
    assert "## 答案" not in start and "讲评要点" not in start
    for ex_id, (_, value) in KEY.items():
        assert not re.search(rf"^\| {ex_id} \|", start, re.M)
        if "." in value:
            assert value not in start, ex_id
    assert "notebooks/course/README.md" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_answer_key_in_the_guide_matches_the_library():
    computed = teach.answer_key({kind: (lambda kind=kind, **k: _case(kind, k)) for kind in
                                 ("bus", "cba", "exante", "monitoring", "evaluation", "workbook")})
    assert set(KEY) == set(computed.index)
    for ex_id, row in computed.iterrows():
        ex = teach.EXERCISES[ex_id]
        written = KEY[ex_id][1]
        # written with exactly the decimals the check states, rounded
        assert (len(written.split(".")[1]) if "." in written else 0) == ex.decimals, ex_id
        assert _key_value(ex_id) == pytest.approx(float(row["答案"]), abs=0.5 * 10 ** -ex.decimals + 1e-9), ex_id


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
    # 05-1: the all-projects cut rate of the guide's table, 17,802 / 49,736 万元 (全部项目 row of 全部项目汇总)
    assert _key_value("05-1") == pytest.approx(100 * 17802 / 49736, abs=0.005)


# --------------------------------------------------------------------------- notebooks
def _params_cell(nb):
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    return cells[0]


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_structure(name):
    """Goal, duration (15-30 min) and hand-in stated; the slip display installed before the one literal
    parameters cell; the costing kernel; no outputs; every exercise's setting is a parameter of the lesson."""
    nb = nbformat.read(COURSE / name, as_version=4)
    assert nb.metadata.kernelspec.name == "costing"
    assert nb.metadata.kernelspec.display_name == "Python (costing)"
    head = nb.cells[0].source
    assert "**目标**" in head and "**交付物**" in head
    minutes = int(re.search(r"\*\*时长\*\* \| 约 (\d+) 分钟", head).group(1))
    assert 15 <= minutes <= 30
    params = _params_cell(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source.rstrip().endswith("teach.explain_errors()") and code[1] is params
    for node in ast.parse(params.source).body:
        assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant), ast.unparse(node)
    assert all(not c.get("outputs") and not c.get("execution_count") for c in code)
    checked = re.findall(r'teach\.check\("([\d-]+)"', "\n".join(c.source for c in nb.cells))
    assert checked and set(checked) <= set(teach.EXERCISES)
    names = {n.targets[0].id for n in ast.parse(params.source).body}
    for ex in checked:
        if teach.EXERCISES[ex].case != "workbook":  # the own-data lesson's value is set in the workbook
            assert set(teach.EXERCISES[ex].setting) <= names, ex
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "运行全部单元格" not in text  # the Chinese lab's menu says 运行所有单元格


def _unclosed_bold(text: str) -> list[str]:
    """``**`` runs that CommonMark cannot pair: an opener must be left-flanking, a closer right-flanking
    (spec 6.2: a run preceded by punctuation closes only when followed by space or punctuation)."""
    import unicodedata

    def punct(ch):
        return ch == "" or unicodedata.category(ch).startswith("P") or unicodedata.category(ch).startswith("S")

    bad = []
    for line in text.splitlines():
        line = re.sub(r"`[^`]*`", "x", line)
        runs = [m.start() for m in re.finditer(r"(?<!\*)\*\*(?!\*)", line)]
        for k, i in enumerate(runs):
            before = line[i - 1] if i else ""
            after = line[i + 2] if i + 2 < len(line) else ""
            space_b, space_a = (c == "" or c.isspace() for c in (before, after))  # U+3000 is a space too
            left = not space_a and (not punct(after) or space_b or punct(before))
            right = not space_b and (not punct(before) or space_a or punct(after))
            if (k % 2 == 0 and not left) or (k % 2 == 1 and not right):
                bad.append(line)
    return bad


@pytest.mark.parametrize("name", [*LESSONS, "README.md", "trainer/README.md", "glossary.md"])
def test_bold_renders_in_the_lab(name):
    """No ``**`` left unclosed by CommonMark's flanking rule (e.g. ``**不对。**先``) in lesson text or guides."""
    path = COURSE / name
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    assert _unclosed_bold(text) == []
    assert _unclosed_bold("**不对。**先在参数单元格中") and not _unclosed_bold("**对**先") and not _unclosed_bold("**对！** 先")


# ---- runs of a lesson: at its defaults, and at each exercise's setting, with the answers filled from the key
def _runs(name: str) -> list[tuple[str, dict]]:
    """(label, parameters-cell values): the lesson's defaults, then each distinct exercise setting."""
    nb = nbformat.read(COURSE / name, as_version=4)
    out = [("默认", {})]
    for ex_id in re.findall(r'teach\.check\("([\d-]+)"', "\n".join(c.source for c in nb.cells)):
        s = teach.EXERCISES[ex_id].setting
        if s and s not in [r[1] for r in out]:
            out.append((ex_id, s))
    return out


def _set_parameters(source: str, values: dict) -> str:
    """The parameters cell with ``values`` typed in (one ``name = value`` line each)."""
    for k, v in values.items():
        source, n = re.subn(rf"^{k} = .*$", f"{k} = {v!r}", source, count=1, flags=re.M)
        assert n == 1, k
    return source


def _lesson_runs(name: str, tmp: Path):
    """The lesson executed once per run of :func:`_runs` in one kernel (cells repeated run after run; the
    what-if panel only in the default run), each answer cell filled from the key as a trainee types it;
    yields (label, setting, cells of that run)."""
    from nbclient import NotebookClient

    from costing.report.execute import DEFAULT_TIMEOUT

    lesson = nbformat.read(COURSE / name, as_version=4)
    runs = _runs(name)
    cells = []
    for label, setting in runs:
        values = dict(setting)
        if name.startswith("08"):  # the own-data lesson: its workbook lives aside, edited as the exercise asks
            values = {"workbook": str(_workbook(tmp / f"{label}.xlsx", **setting)),
                      "report_dir": str(tmp / "reports"), "make_report": False}
        for c in lesson.cells:
            c = nbformat.from_dict(dict(c))
            c.pop("id", None)  # each run of the lesson repeats its cells: new ids below, no duplicates
            if label != "默认" and "whatif.panel(" in c.source:
                # the panel shows the project's defaults whatever the setting: run once (its widgets flood
                # the kernel's message channel, and a run with fewer of them loses no message under load)
                c = nbformat.v4.new_code_cell("# (panel: see the default run)")
            if "parameters" in c.metadata.get("tags", []):
                c = nbformat.v4.new_code_cell(_set_parameters(c.source, values))
            m = re.search(r"answer_(\d\d)_(\d) = None", c.source)
            if m:
                typed = KEY[f"{m.group(1)}-{m.group(2)}"][1].replace(",", "")
                c = nbformat.v4.new_code_cell(c.source.replace(m.group(0), m.group(0)[:-4] + typed))
            cells.append(c)
    for c in cells:
        c.setdefault("id", nbformat.corpus.words.generate_corpus_id())
    nb = nbformat.v4.new_notebook(cells=cells, metadata=lesson.metadata)
    NotebookClient(nb, timeout=DEFAULT_TIMEOUT, kernel_name="costing",
                   resources={"metadata": {"path": str(COURSE)}}).execute()
    n = len(lesson.cells)
    for k, (label, setting) in enumerate(runs):
        yield label, setting, nb.cells[k * n:(k + 1) * n]


def _html_outputs(cells) -> list[str]:
    return [str(o.get("data", {}).get("text/html", "")) for c in cells if c.cell_type == "code"
            for o in c.get("outputs", []) if "text/html" in o.get("data", {})]


def _table(cells, title: str):
    """The run's table titled ``title`` as (header, rows of cell texts); the last one shown."""
    import lxml.html

    found = None
    for h in _html_outputs(cells):
        doc = lxml.html.fromstring(f"<div>{h}</div>")
        for div in doc.xpath(f'//div[@class="costing-course-table"][@data-title="{title}"]'):
            head = [th.text_content().strip() for th in div.xpath(".//thead//th")]
            rows = [[td.text_content().strip() for td in tr.xpath("./td")] for tr in div.xpath(".//tbody/tr")]
            found = (head, rows)
    assert found, f"no table titled {title!r} in the executed lesson"
    return found


def _number(text: str) -> float:
    return float(re.sub(r"[,+%\s]|个百分点", "", text))


@pytest.mark.slow
@pytest.mark.parametrize("name", LESSONS)
def test_lesson_runs_and_every_check_says_right(name, tmp_path):
    """Top to bottom, the answer cells filled from the key, the parameters cell at its defaults and then at
    each exercise's setting: no error, Chinese renders, every check says 对 as HTML (a note, never 不对, when
    the notebook is set differently from the exercise), and each hint's named table, row and column shows
    the answer at the precision the check states."""
    import lxml.html

    from costing.report.export import glyph_warnings

    for label, setting, cells in _lesson_runs(name, tmp_path):
        run = f"{name} {label}"
        assert glyph_warnings(nbformat.v4.new_notebook(cells=cells)) == [], run
        outputs = [o for c in cells if c.cell_type == "code" for o in c.get("outputs", [])]
        assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"], run
        checks = {}
        for h in _html_outputs(cells):
            for div in lxml.html.fromstring(f"<div>{h}</div>").xpath('//div[@class="costing-check"]'):
                ex_id = re.search(r"练习 (\d\d-\d)", div.text_content()).group(1)
                checks[ex_id] = (div.get("data-ok"), div.text_content())
        wanted = re.findall(r'teach\.check\("([\d-]+)"', "".join(c.source for c in cells))
        assert sorted(checks) == sorted(wanted), run
        for ex_id, (ok, text) in checks.items():
            assert ok == "true" and "对！" in text and "不对" not in text, (run, ex_id, text)
            assert ("注：" in text) == (teach.EXERCISES[ex_id].setting != setting), (run, ex_id, text)
        for o in outputs:  # feedback and tables are HTML; Markdown output has no ** CommonMark leaves open
            assert "**" not in str(o.get("data", {}).get("text/html", "")), run
            assert _unclosed_bold(str(o.get("data", {}).get("text/markdown", ""))) == [], run
        for h in _html_outputs(cells):  # Chinese names only: no code column, no snake_case code in a cell
            for div in lxml.html.fromstring(f"<div>{h}</div>").xpath('//div[@class="costing-course-table"]'):
                heads = [th.text_content() for th in div.xpath(".//th")]
                assert not [x for x in heads if x.endswith("代码")], (run, div.get("data-title"), heads)
                codes = [td.text_content() for td in div.xpath(".//td")
                         if re.fullmatch(r"[a-z]+(_[a-z0-9]+)+|[a-z_]+\(.*\)", td.text_content().strip())]
                assert not codes, (run, div.get("data-title"), codes[:5])
        for ex_id in wanted:  # the hints: the place each names shows the answer
            ex = teach.EXERCISES[ex_id]
            if ex.setting != setting or ex.place is None:
                continue
            assert str(ex.place) in ex.full_hint
            head, rows = _table(cells, ex.place.table)
            assert ex.place.column in head, (run, ex_id, head)
            row = next((r for r in rows if r[0] == ex.place.row), None)
            assert row, (run, ex_id, [r[0] for r in rows])
            shown = row[head.index(ex.place.column)]
            decimals = len(shown.replace("%", "").split(".")[1]) if "." in shown else 0
            assert decimals >= ex.decimals, (run, ex_id, shown)
            assert _number(shown) == pytest.approx(_key_value(ex_id), abs=0.5 * 10 ** -ex.decimals + 1e-9), \
                (run, ex_id, shown)


# --------------------------------------------------------------------------- slips explained in Chinese
#: (lesson, parameters-cell line as a trainee types it, words the explanation must contain)
SLIPS = [
    ("02_benchmarking.ipynb", "maintenance_rule = frontier", ['maintenance_rule = "frontier"', "引号"]),
    ("02_benchmarking.ipynb", 'maintenance_rule = "fronteir"', ["不是可用的规则", '"frontier"', "效率前沿追赶"]),
    ("03_standard_and_subsidy.ipynb", 'preset = "sanmenxia"', ["不是可用的选项", '"policy_operating_split"', "山亭口径"]),
    ("04_cost_benefit.ipynb", 'discount = "china8"', ["不是可用的选项", '"china_8"']),
    ("06_monitoring.ipynb", 'as_of = "2027-06-30"', ["不在预算年度 2026 年内", 'as_of = "2026-09-30"']),
    ("06_monitoring.ipynb", 'as_of = "9月30日"', ["不是日期", "年-月-日"]),
    ("01_four_steps.ipynb", "spare_ratio = 15", ["要填小数", "15% 应写成 0.15"]),
    ("06_monitoring.ipynb", "tolerance = 15", ["要填小数", "15% 应写成 0.15"]),
]


@pytest.mark.slow
def test_slips_are_explained_in_chinese(tmp_path):
    """Each slip, typed into its lesson's parameters cell and run: a Chinese explanation of what to
    change (as HTML), the traceback behind one click (<details>), no English error on screen."""
    import lxml.html
    from nbclient import NotebookClient

    from costing.report.execute import DEFAULT_TIMEOUT

    cells = []
    for name, line, _ in SLIPS:
        nb = nbformat.read(COURSE / name, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        params = _params_cell(nb)
        var = line.split("=")[0].strip()
        src = re.sub(rf"^{var} = .*$", line, params.source, count=1, flags=re.M)
        assert src != params.source
        cells += [src, code[2].source]  # the parameters cell, then the lesson's first computing cell
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        nbformat.read(COURSE / LESSONS[0], as_version=4).cells[1].source)]
        + [nbformat.v4.new_code_cell(s) for s in cells])
    nb.metadata.kernelspec = {"name": "costing", "display_name": "Python (costing)", "language": "python"}
    NotebookClient(nb, timeout=DEFAULT_TIMEOUT, kernel_name="costing", allow_errors=True,
                   resources={"metadata": {"path": str(COURSE)}}).execute()
    assert "explain_errors" in nb.cells[0].source
    for k, (name, line, words) in enumerate(SLIPS):
        # run-all stops at the first error: the parameters cell's own, else the computing cell's. IPython
        # hands an exception of set_custom_exc to our display only (the cell's reply is still an error, so
        # run-all stops; no English error output is added)
        param_outs = nb.cells[1 + 2 * k].outputs
        failed = "costing-slip" in str(param_outs)
        outs = param_outs if failed else nb.cells[2 + 2 * k].outputs
        assert not [o for o in outs if o.output_type == "error"], (line, outs)
        assert str(outs).count('class="costing-slip"') == 1, (line, outs)
        html = "".join(str(o.get("data", {}).get("text/html", "")) for o in outs)
        doc = lxml.html.fromstring(f"<div>{html}</div>")
        box = doc.xpath('//div[@class="costing-slip"]')
        assert box, (line, outs)
        text = box[0].text_content()
        for w in words:
            assert w in text, (line, w, text)
        details = box[0].xpath(".//details")
        assert details and "Traceback" in details[0].text_content()  # the traceback: one click away
        shown = "".join(p.text_content() for p in box[0].xpath("./p"))  # what shows before the click
        assert not re.search(r"[A-Za-z]+Error", shown), shown


def test_explain_covers_costing_errors_and_leaves_others():
    err = costing.errors.InputError("bad", file="x.csv")
    title, text = teach.explain(err)
    assert title == "程序发现输入有问题" and "参数单元格" in text
    assert teach.explain(ZeroDivisionError("x")) is None
    with pytest.raises(teach.SlipError, match="要填小数"):
        teach.bus_case(BUS, profit_rate=4)
    with pytest.raises(teach.SlipError, match="不能高于"):
        teach.exante_case(PORTFOLIO, support_threshold=60, partial_threshold=80)


# --------------------------------------------------------------------------- self-check
@pytest.mark.parametrize("ex_id", sorted(teach.EXERCISES))
def test_check_accepts_the_right_answer_and_rejects_wrong_ones(ex_id):
    ex = teach.EXERCISES[ex_id]
    case = _case(ex.case, ex.setting)
    right = teach.answer(ex_id, case)
    assert isinstance(right, (int, float)) and math.isfinite(right)
    assert teach.check(ex_id, right, case).ok is True
    assert teach.check(ex_id, f"{right}", case).ok is True  # typed as text
    # the stated precision is accepted: rounded, or cut off, to the decimals the check names
    assert ex.precision in teach.check(ex_id, None, case).message
    for typed in (round(right, ex.decimals), math.floor(right * 10 ** ex.decimals) / 10 ** ex.decimals):
        assert teach.check(ex_id, typed, case).ok is True, typed
    step = 10 * ex.tol + 1
    for wrong in (right + step, right - step):
        v = teach.check(ex_id, wrong, case)
        assert v.ok is False and "不对" in v.message
        assert ("偏大" if wrong > right else "偏小") in v.message
        assert str(ex.place or "") in v.message
        reply = v.message.split("\n\n", 1)[1]  # after the question
        for shown in (f"{right:.2f}", f"{right:,.2f}", f"{right:.4f}", f"{right:g}"):
            assert shown not in reply  # the answer is never shown
    assert teach.check(ex_id, None, case).ok is None
    assert teach.check(ex_id, "很多", case).ok is False


def test_01_3_states_two_decimals_and_rejects_one():
    """29.7 for 29.67 is wrong at the stated precision, and the check says which precision it wants."""
    case = _case("bus", {"driver_per_vehicle": 1.2})
    v = teach.check("01-3", 29.7, case)
    assert v.ok is False and "保留两位小数" in v.message
    assert teach.check("01-3", 29.67, case).ok is True
    assert teach.check("01-3", 0.2967, case).ok is False
    assert "百分数" in teach.check("01-3", 0.2967, case).message


def test_check_judges_the_exercise_setting_whatever_the_notebook_holds(bus_default):
    """01-1's right answer stays 对 after the trainee moved on to 01-3's setting; a note says the setting differs."""
    right = teach.answer("01-1", _case("bus", {"spare_ratio": 0.15}))
    at_01_3 = teach.bus_case(BUS, driver_per_vehicle=1.2)
    for case in (bus_default, at_01_3):
        v = teach.check("01-1", right, case)
        assert v.ok is True and "注：" in v.message and "spare_ratio = 0.15" in v.message
    v = teach.check("01-1", right, _case("bus", {"spare_ratio": 0.15}))
    assert v.ok is True and "注：" not in v.message
    # a value set to its default is no change: 01-1 at spare 0.15 with 人车比 typed as 1.3 has no note
    assert "注：" not in teach.check("01-1", right, teach.bus_case(BUS, spare_ratio=0.15, driver_per_vehicle=1.3)).message


def test_feedback_is_html_with_bold_and_no_markdown_markers(bus_default):
    v = teach.check("00-1", 20, bus_default)
    html = v._repr_html_()
    assert '<b style="color:#1a7f37">对！</b>' in html and "**" not in html
    assert not hasattr(v, "_repr_markdown_")
    v = teach.check("00-1", 21, bus_default)
    assert '<b style="color:#b42318">不对。</b>' in v._repr_html_()


def test_lesson_text_names_the_panel_widgets_as_they_read():
    """Every quoted name in a lesson's 调一调 paragraph (the one before its panel) is a widget's label
    (or its start: a slider reads 前沿追赶比例（本年缩小差距）), e.g. 效率前沿追赶, not 向效率前沿追赶."""
    panel = whatif.panel(costing.load_project(BUS))
    labels = [*(s.description for s in panel.sliders.values()), panel.preset_menu.description,
              *(label for _, m in panel.rule_menus.items() for label, _ in m.options),
              *(m.description for m in panel.rule_menus.values()),
              *(label for label, _ in panel.preset_menu.options), "各成本项目的核定规则",
              *(k.label for k in whatif.KNOBS.values())]
    quoted = 0
    for name in LESSONS:
        cells = nbformat.read(COURSE / name, as_version=4).cells
        for i, c in enumerate(cells):
            if "whatif.panel(" in c.source:
                para = cells[i - 1].source.split("调一调")[-1]
                for q in re.findall(r"“([^”]+)”", para):
                    if q == "默认":
                        continue
                    quoted += 1
                    assert any(lab.startswith(q) for lab in labels), (name, q)
    assert quoted >= 5


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
