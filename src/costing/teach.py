"""Teaching helpers for the course in ``notebooks/course/``: lesson cases, before/after tables, self-checks.

A lesson loads a *case* from the knobs of its parameters cell:

- :func:`bus_case` runs the four steps on a project with knobs applied
  (:mod:`costing.whatif`) and keeps the default run beside it, so
  :meth:`BusCase.before_after` shows what the trainee's change did;
- :func:`cba_case` appraises a CBA project at a discount rate, with its
  sensitivity, switching values and Monte Carlo.

An exercise asks for one figure after the trainee changed one value.
:func:`check` compares the trainee's answer with the figure the library
computes from the lesson's case and answers 对 or 不对 with a hint: it never
shows the answer. :data:`EXERCISES` lists every exercise; :func:`answer`
computes one from a case (the trainers' answer key in
``notebooks/course/README.md`` is verified against it by the test suite).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from .glossary import display_name
from .method import MethodResult, run_method
from .project import Project, load_project
from .units import fmt_money, fmt_rate, from_yuan


# --------------------------------------------------------------------------- cases
@dataclass
class BusCase:
    """A cost-standard lesson's state: the knobs as set, the run with them, and the default run."""

    knobs: dict[str, Any]
    project: Project
    result: MethodResult
    baseline: MethodResult

    def before_after(self) -> pd.DataFrame:
        """Headline figures, default against this run, as display strings (money in 万元)."""
        rows = []
        t, t0 = self.result.target.drivers, self.baseline.target.drivers
        labels = self.result.target.labels
        for k in ("vehicles", "drivers", "staff"):
            if k in t:
                rows.append((labels.get(k, k), _count(t0[k]), _count(t[k]), _count(t[k] - t0[k], sign=True),
                             self.result.target.units.get(k, "")))
        b, b0 = self.result.budget, self.baseline.budget
        rows.append((display_name("unit_cost_standard"), f"{b0.unit_cost_standard:,.4f}",
                     f"{b.unit_cost_standard:,.4f}", f"{b.unit_cost_standard - b0.unit_cost_standard:+,.4f}",
                     b.unit_cost_label))
        for attr in ("regulated_cost", "profit", "subsidy", "cut_amount"):
            v, v0 = getattr(b, attr), getattr(b0, attr)
            rows.append((display_name(attr), fmt_money(v0), fmt_money(v), _signed(fmt_money(v - v0)), "万元"))
        rows.append((display_name("cut_rate"), fmt_rate(b0.cut_rate), fmt_rate(b.cut_rate),
                     f"{100 * (b.cut_rate - b0.cut_rate):+.2f} 个百分点", ""))
        return pd.DataFrame(rows, columns=["指标", "默认设置", "本次设置", "变化", "单位"]).set_index("指标")

    def items_before_after(self) -> pd.DataFrame:
        """Cost items whose standard moved: rule and standard cost [万元], default against this run."""
        s, s0 = self.result.standard.items, self.baseline.standard.items
        df = pd.DataFrame({"成本项目": s["item_name"], "默认规则": s0["rule"], "本次规则": s["rule"],
                           "默认标准成本（万元）": from_yuan(s0["amount"], "万元"),
                           "本次标准成本（万元）": from_yuan(s["amount"], "万元")})
        df["变化（万元）"] = df["本次标准成本（万元）"] - df["默认标准成本（万元）"]
        moved = (df["变化（万元）"].abs() >= 0.005) | (df["默认规则"] != df["本次规则"])
        return df[moved]

    def show(self) -> None:
        """Display the before/after tables (or say that everything is at its default)."""
        from IPython.display import Markdown, display

        from .present import styled

        if self.result is self.baseline:
            display(Markdown("（目前全部是默认设置：改参数单元格中的值，再运行全部单元格，这里会出现比较表。）"))
            return
        display(Markdown("**本次设置与默认设置的比较**"))
        display(styled(self.before_after()))
        items = self.items_before_after()
        if len(items):
            display(Markdown("**标准有变化的成本项目**"))
            display(styled(items))


def _count(v: float, sign: bool = False) -> str:
    """A count for display: no decimals when whole (167 辆), one otherwise (274.3 人)."""
    s = f"{v:+,.1f}" if sign else f"{v:,.1f}"
    return s[:-2] if s.endswith(".0") else s


def _signed(s: str) -> str:
    return s if s.startswith("-") or s == "—" else "+" + s


def bus_case(project_path: str | Path, *, rules: dict[str, str] | None = None, preset: str | None = None,
             **knobs: float) -> BusCase:
    """Run the four steps on the project at ``project_path`` with ``knobs`` (see :data:`costing.whatif.KNOBS`).

    Knobs left at ``None`` keep the project's value. The project file is not changed.
    ``knobs`` of the case holds every parameter of the project as run, so an exercise can
    ask for a value set in the parameters cell or in a workbook.
    """
    from .whatif import knob_value, scenario

    project = load_project(project_path)
    set_knobs = {k: v for k, v in knobs.items() if v is not None}
    preset = preset or project.budget.get("preset", "shanting")
    baseline = run_method(project)
    rules = {i: r for i, r in (rules or {}).items() if r != baseline.standard.items.loc[i, "rule"]}
    default = {k: knob_value(project, k) for k in set_knobs}
    if set_knobs == default and not rules and preset == baseline.budget.preset:
        scen, result = project, baseline
    else:
        scen = scenario(project, **set_knobs)
        result = run_method(scen, rules=rules or None, preset=preset)
    return BusCase(knobs={**scen.parameters, "profit_rate": knob_value(scen, "profit_rate"), **knobs,
                          "rules": dict(rules or {}), "preset": preset}, project=scen, result=result,
                   baseline=baseline)


@dataclass
class CBACase:
    """A CBA lesson's state: the appraisal at the chosen discount, sensitivity, switching values, Monte Carlo."""

    knobs: dict[str, Any]
    project: Any  # costing.cba.CBAProject
    preset: Any  # costing.cba.DiscountPreset
    result: Any  # costing.cba.CBAResult at ``preset``
    baseline: Any  # CBAResult at the project's own preset
    sensitivity: Any  # costing.cba.SensitivityTable of ENPV
    switching: pd.DataFrame  # switching values of ENPV = 0 per factor
    montecarlo: Any = None  # costing.cba.MonteCarloResult, or None when n_draws = 0

    def before_after(self) -> pd.DataFrame:
        """ENPV, EIRR and BCR at the project's preset against the chosen discount."""
        r, r0 = self.result, self.baseline
        from .cba import preset_label

        return pd.DataFrame({"默认设置": [fmt_money(r0.enpv), fmt_rate(r0.eirr), f"{r0.bcr:.3f}", preset_label(r0.discount)],
                             "本次设置": [fmt_money(r.enpv), fmt_rate(r.eirr), f"{r.bcr:.3f}", preset_label(r.discount)],
                             "单位": ["万元", "", "", ""]},
                            index=pd.Index([*map(display_name, ("enpv", "eirr", "bcr")), "折现率方案"], name="指标"))

    def show(self) -> None:
        from IPython.display import Markdown, display

        from .present import styled

        display(Markdown("**本次设置与默认设置的比较**"))
        display(styled(self.before_after()))


def cba_case(project_path: str | Path, *, discount=None, n_draws: int = 2000, seed: int | None = None) -> CBACase:
    """Appraise the CBA project at ``discount`` (a preset name or a rate; ``None`` is the project's preset).

    Sensitivity uses the project's factors and changes; Monte Carlo draws
    ``n_draws`` (0 skips it) with ``seed`` (``None`` is the project's seed).
    """
    from . import cba

    p = cba.load_cba_project(project_path)
    preset = cba.get_preset(p.discount if discount is None else discount)
    result = cba.appraise(p.model, preset, timing=p.timing)
    baseline = cba.appraise(p.model, p.discount, timing=p.timing)
    f = cba.model_output(p.model, p.factor_items, discount=preset, timing=p.timing)
    factors = list(p.factor_items)
    sens = cba.one_way(f, factors, p.changes)
    switching = cba.switching_values(f, factors)
    mc = None
    if n_draws:
        mc = cba.simulate(p.model, p.mc_specs, p.factor_items, n=n_draws, seed=p.mc_seed if seed is None else seed,
                          discount=preset, timing=p.timing, correlation=p.mc_correlation)
    return CBACase(knobs={"discount": discount, "n_draws": n_draws, "seed": seed}, project=p, preset=preset,
                   result=result, baseline=baseline, sensitivity=sens, switching=switching, montecarlo=mc)


def _compare(default: dict, now: dict, units: dict | None = None) -> pd.DataFrame:
    """A default-against-current table of display strings (the same keys in both)."""
    return pd.DataFrame({"默认设置": default, "本次设置": now, "单位": units or {k: "" for k in now}}).rename_axis("指标")


@dataclass
class PortfolioCase:
    """A life-cycle lesson's state: the portfolio and the results the lesson computed with its knobs.

    ``table`` is the default-against-current comparison of the lesson's headline figures.
    """

    knobs: dict[str, Any]
    portfolio: Any  # costing.performance.Portfolio
    table: pd.DataFrame
    ex_ante: Any = None  # ExAnteResult
    monitoring: Any = None  # MonitoringResult
    notices: list = field(default_factory=list)  # RectificationNotice per budget unit
    evaluation: Any = None  # EvaluationResult
    rollover: Any = None  # Rollover to the next budget year

    def show(self) -> None:
        from IPython.display import Markdown, display

        from .present import styled

        display(Markdown("**本次设置与默认设置的比较**"))
        display(styled(self.table))


def _exante_headline(r) -> dict:
    t = r.total.iloc[0]
    return {**{display_name(k): fmt_money(t[k]) for k in ("requested", "approved", "cut_amount")},
            display_name("cut_rate"): fmt_rate(r.cut_rate),
            "不予支持项目数": str(int((r.sheet["conclusion"] == "不予支持").sum())),
            display_name("n_no_assessment"): str(r.n_no_assessment), display_name("n_blocked"): str(r.n_blocked)}


def exante_case(portfolio_path: str | Path, *, support_threshold: float = 80.0,
                partial_threshold: float = 60.0) -> PortfolioCase:
    """事前绩效评估 with the conclusion thresholds [points]: 予以支持 from ``support_threshold``,
    部分支持 from ``partial_threshold``, 不予支持 below."""
    from . import performance as cp

    pf = cp.load_portfolio(portfolio_path)
    th = {"予以支持": float(support_threshold), "部分支持": float(partial_threshold), "不予支持": float("-inf")}
    r, r0 = cp.ex_ante(pf, thresholds=th), cp.ex_ante(pf)
    now = _exante_headline(r)
    units = {k: ("万元" if i < 3 else ("" if i == 3 else "个")) for i, k in enumerate(now)}
    return PortfolioCase(knobs={"support_threshold": support_threshold, "partial_threshold": partial_threshold},
                         portfolio=pf, ex_ante=r, table=_compare(_exante_headline(r0), now, units))


def _monitoring_headline(m, notices) -> dict:
    s = m.summary
    return {"监控时点": s["as_of"], **{display_name(k): fmt_rate(s[k]) for k in ("time_progress", "execution_rate")},
            **{display_name(k): str(s[k]) for k in ("n_low_execution", "n_deviating_projects", "n_deviating_indicators")},
            "整改建议书（份）": str(len(notices))}


def monitoring_case(portfolio_path: str | Path, *, as_of: str, tolerance: float | None = None,
                    deviation_threshold: float | None = None) -> PortfolioCase:
    """双监控 at ``as_of`` with the portfolio's thresholds unless given, and the 整改建议书 it leads to;
    the default it is compared with is 30 September of the budget year."""
    from . import performance as cp

    pf = cp.load_portfolio(portfolio_path)
    m = cp.monitor(pf, as_of, tolerance=tolerance, deviation_threshold=deviation_threshold)
    m0 = cp.monitor(pf, f"{pf.budget_year}-09-30")  # the default: the form is due at the end of September
    notices, notices0 = cp.rectification_notices(pf, m), cp.rectification_notices(pf, m0)
    return PortfolioCase(knobs={"as_of": as_of, "tolerance": m.tolerance, "deviation_threshold": m.deviation_threshold},
                         portfolio=pf, monitoring=m, notices=notices,
                         table=_compare(_monitoring_headline(m0, notices0), _monitoring_headline(m, notices)))


def _evaluation_headline(ev, ro) -> dict:
    out = {f"评为“{g}”的项目数": str(int(n)) for g, n in ev.grade_counts.items()}
    out.update({f"下年{a}": str(int(n)) for a, n in ro.decisions["action"].value_counts().sort_index().items()})
    return out


def evaluation_case(portfolio_path: str | Path, *, excellent_threshold: float = 90.0, good_threshold: float = 80.0,
                    example_project: str = "P001") -> PortfolioCase:
    """绩效自评 with 优 from ``excellent_threshold`` and 良 from ``good_threshold`` [points] (中 60),
    and next year's rollover."""
    from . import performance as cp
    from .performance.rollover import rollover

    pf = cp.load_portfolio(portfolio_path)
    bands = {"优": float(excellent_threshold), "良": float(good_threshold), "中": 60.0, "差": float("-inf")}
    ev, ev0 = cp.evaluate_portfolio(pf, bands=bands), cp.evaluate_portfolio(pf)
    ro, ro0 = rollover(pf, ev, pf.budget_year + 1), rollover(pf, ev0, pf.budget_year + 1)
    h, h0 = _evaluation_headline(ev, ro), _evaluation_headline(ev0, ro0)
    keys = list(dict.fromkeys([*h0, *h]))
    return PortfolioCase(knobs={"excellent_threshold": excellent_threshold, "good_threshold": good_threshold,
                                "example_project": example_project},
                         portfolio=pf, evaluation=ev, rollover=ro,
                         table=_compare({k: h0.get(k, "0") for k in keys}, {k: h.get(k, "0") for k in keys}))


@dataclass
class WorkbookCase:
    """The own-data lesson's state: the workbook, its problems, and the four steps on it when it has no error."""

    path: Path
    created: bool
    problems: pd.DataFrame  # one row per problem: 位置, 类别, 问题, 应为, 实为, 怎么改
    case: BusCase | None

    @property
    def knobs(self) -> dict:
        return self.case.knobs if self.case else {}

    @property
    def result(self) -> MethodResult | None:
        return self.case.result if self.case else None


def workbook_case(path: str | Path, *, kind: str = "bus", example: str | Path | None = None) -> WorkbookCase:
    """Check the fill-in workbook at ``path`` (written from ``example`` first when it does not exist yet),
    then run the four steps on it if no problem is an error."""
    from .workbook import check_workbook, new_workbook
    from .workbook.check import ERROR

    path = Path(path)
    created = not path.exists()
    if created:
        path.parent.mkdir(parents=True, exist_ok=True)
        new_workbook(kind, path, source=example)
    problems, _ = check_workbook(path)
    table = pd.DataFrame([{"位置": p.ref, "类别": p.severity, "问题": p.problem, "应为": p.expected, "实为": p.found,
                           "怎么改": p.fix} for p in problems], columns=["位置", "类别", "问题", "应为", "实为", "怎么改"])
    ok = not any(p.severity == ERROR for p in problems)
    return WorkbookCase(path=path, created=created, problems=table, case=bus_case(path) if ok else None)


def rule_bases(result: MethodResult) -> pd.DataFrame:
    """Per cost item, the value of every standard-rule basis [元/output] beside the rule in force.

    Columns: 成本项目, 近三年实际, 同行P25/P50/P75, 前沿（frontier）, 定额测算, 现行规则, 单位成本标准, and
    ``frontier高于P50``: the frontier basis starts from the project's own 3-year actual and closes part of
    the gap by θ, so it stays above the peers' median when the actual is far above it.
    """
    from . import rules as _rules
    from .method import _RuleContext

    p = result.project
    ctx = _RuleContext(result.need, result.benchmark, p.budget_year, p.price_year, p)
    s = result.standard.items
    cols = {"actual_3yr_avg": "近三年实际", "peer_p25": "同行P25", "peer_p50": "同行P50", "peer_p75": "同行P75",
            "frontier": "前沿（frontier）", "quota": "定额测算"}
    out = pd.DataFrame({"成本项目": s["item_name"]})
    for basis, label in cols.items():
        out[label] = [float(_rules.BASES[basis](ctx, i)[0]) for i in s.index]
    out["现行规则"] = s["rule"]
    out["单位成本标准"] = s["unit_cost"]
    out["frontier高于P50"] = (out["前沿（frontier）"] > out["同行P50"]).where(out["同行P50"].notna())
    out.index.name = "成本项目代码"
    return out


def preset_table(case: BusCase) -> pd.DataFrame:
    """The budget summary of ``case`` under every subsidy preset, side by side (money in 万元)."""
    from .method import compile_budget
    from .present import budget_table
    from .rules import SUBSIDY_PRESETS
    from .whatif import PRESET_LABELS

    r = case.result
    cols, order = {}, []
    for preset in SUBSIDY_PRESETS:
        b = compile_budget(case.project, r.target, r.standard, preset=preset)
        t = budget_table(MethodResult(case.project, r.target, r.need, r.benchmark, r.standard, b)).set_index("项目")
        cols[PRESET_LABELS.get(preset, preset)] = t
        order += [i for i in t.index if i not in order]
    units = pd.concat([t["单位"] for t in cols.values()]).groupby(level=0).first().reindex(order)

    def fmt(v, unit):
        if pd.isna(v):
            return "—"
        return f"{100 * v:.2f}%" if unit == "fraction" else (f"{v:,.4f}" if "/" in unit else f"{v:,.2f}")

    out = pd.DataFrame({name: [fmt(t["数值"].get(i), units[i]) for i in order] for name, t in cols.items()},
                       index=pd.Index(order, name="项目"))
    out.insert(0, "单位", units.replace({"fraction": ""}))
    return out


# --------------------------------------------------------------------------- exercises
@dataclass(frozen=True)
class Exercise:
    """One exercise: what to set, what to answer, and how the library computes the answer.

    ``setting`` holds the knobs the trainee must set in the parameters cell
    (empty: the defaults). ``compute(case)`` gives the answer in ``unit``
    (万元, %, 辆, 元/车公里…); an answer within ``tol`` of it is right.
    A text answer (``tol`` None) must match exactly, ignoring spaces.
    """

    id: str
    case: str  # which case builder the lesson uses: bus, cba, exante, monitoring, evaluation, workbook
    question: str
    setting: dict
    compute: Callable[[Any], Any]
    unit: str
    tol: float | None
    hint: str


EXERCISES: dict[str, Exercise] = {}


def exercise(id: str, case: str, question: str, *, unit: str, hint: str, tol: float | None = 0.01,
             setting: dict | None = None):
    """Register the decorated function as the computation of exercise ``id``."""
    def deco(fn):
        EXERCISES[id] = Exercise(id, case, question, dict(setting or {}), fn, unit, tol, hint)
        return fn
    return deco


def _wan(yuan: float) -> float:
    return float(from_yuan(yuan, "万元"))


@exercise("00-1", "bus", "示例项目有多少条公交线路？", unit="条", tol=0,
          hint="看第一步“标靶划线”结果表中的“线路数”。")
def _ex_00_1(c):
    return c.result.target.drivers["routes"]


@exercise("01-1", "bus", "备用车比例改为 15% 后，运营车辆（含备用）是多少辆？", unit="辆", tol=0,
          setting={"spare_ratio": 0.15}, hint="车辆数 = 每种车型的高峰配车 ×（1 + 备用车比例）后向上取整，再相加；看比较表中的“运营车辆（含备用）”。")
def _ex_01_1(c):
    return c.result.target.drivers["vehicles"]


@exercise("01-2", "bus", "备用车比例改为 15% 后，核定补贴比默认设置增加了多少万元？", unit="万元",
          setting={"spare_ratio": 0.15}, hint="多出的车辆带来折旧、保险、人工等成本；看比较表中“核定补贴”一行的“变化”。")
def _ex_01_2(c):
    return _wan(c.result.budget.subsidy - c.baseline.budget.subsidy)


@exercise("01-3", "bus", "人车比改为 1.2 后，审减率是多少（%）？", unit="%",
          setting={"driver_per_vehicle": 1.2}, hint="人车比只改变驾驶员人数，从而改变驾驶员工资和五险一金；审减率 = 审减额 ÷ 申报数。")
def _ex_01_3(c):
    return 100 * c.result.budget.cut_rate


@exercise("02-1", "bus", "本项目的 DEA 成本效率 θ 是多少（保留三位小数）？", unit="", tol=0.001,
          hint="看“效率前沿”一节的 θ；θ = 1 表示在前沿上。")
def _ex_02_1(c):
    return c.result.benchmark.frontier.efficiency


@exercise("02-2", "bus", "把车辆维修费的规则改为 frontier 后，维修费的单位成本标准是多少元/车公里（保留四位小数）？",
          unit="元/车公里", tol=0.0001, setting={"rules": {"maintenance": "frontier"}},
          hint="frontier 以本项目近三年实际为基数，按 θ 缩小一部分差距；它不看同行中位数。")
def _ex_02_2(c):
    return c.result.standard.items.loc["maintenance", "unit_cost"]


@exercise("02-3", "bus", "维修费用 frontier 规则、前沿追赶比例改为 100% 时，维修费的单位成本标准是多少元/车公里？",
          unit="元/车公里", tol=0.0001, setting={"rules": {"maintenance": "frontier"}, "frontier_catch_up": 1.0},
          hint="追赶比例 100% 表示一年就追到前沿：标准 = 近三年实际 × θ。")
def _ex_02_3(c):
    return c.result.standard.items.loc["maintenance", "unit_cost"]


@exercise("03-1", "bus", "按三门峡口径（policy_operating_split），政策性亏损是多少万元？", unit="万元",
          setting={"preset": "policy_operating_split"},
          hint="政策性亏损 = 免费乘车人次 × 平均票价 + 优惠乘车人次 × 平均票价 × 优惠折扣 + 冷僻线路亏损。")
def _ex_03_1(c):
    return _wan(c.result.budget.policy_loss)


@exercise("03-2", "bus", "三门峡口径下，经营性亏损补贴比例改为 50% 时，核定补贴是多少万元？", unit="万元",
          setting={"preset": "policy_operating_split", "operating_loss_share": 0.5},
          hint="政策性亏损全额补贴，经营性亏损只补一半，再加合理利润。")
def _ex_03_2(c):
    return _wan(c.result.budget.subsidy)


@exercise("03-3", "bus", "合理利润率填 4% 时，合理利润是多少万元？", unit="万元", setting={"profit_rate": 0.04},
          hint="合理利润率有上限（山亭规定 3%），超过的按上限计；合理利润 = 核定成本 × 利润率。")
def _ex_03_3(c):
    return _wan(c.result.budget.profit)


@exercise("04-1", "cba", "社会折现率改为 6%（china_6）后，经济净现值 ENPV 是多少万元？", unit="万元",
          setting={"discount": "china_6"}, hint="折现率越低，远期的效益折算到现在越值钱；看比较表中的 ENPV。")
def _ex_04_1(c):
    return _wan(c.result.enpv)


@exercise("04-2", "cba", "在默认折现率下，投资增加百分之多少时 ENPV 正好等于 0（投资的临界值，%）？", unit="%",
          tol=0.1, hint="看“临界值”表中“投资”一行的临界变化率。")
def _ex_04_2(c):
    return 100 * float(c.switching.loc["investment"].iloc[0])


@exercise("04-3", "cba", "默认设置下（2000 次抽样），NPV 小于 0 的概率是多少（%）？", unit="%", tol=0.05,
          hint="看蒙特卡洛结果表中的 P(NPV<0)。")
def _ex_04_3(c):
    return 100 * c.montecarlo.prob_negative


@exercise("05-1", "exante", "默认设置下，全部项目的审减率是多少（%）？", unit="%",
          hint="审减率 = 审减额 ÷ 申报数；看比较表或“全部项目汇总”的“全部项目”一行。")
def _ex_05_1(c):
    return 100 * c.ex_ante.cut_rate_all


@exercise("05-2", "exante", "“予以支持”最低分改为 90、“部分支持”最低分改为 80 后，“不予支持”的项目有几个？", unit="个",
          tol=0, setting={"support_threshold": 90.0, "partial_threshold": 80.0},
          hint="总分低于“部分支持”最低分的项目结论为“不予支持”，审定数为 0；看事前绩效评估表的“总分”。")
def _ex_05_2(c):
    return int((c.ex_ante.sheet["conclusion"] == "不予支持").sum())


@exercise("05-3", "exante", "同样的设置下（90 分、80 分），全部项目的审减率是多少（%）？", unit="%",
          setting={"support_threshold": 90.0, "partial_threshold": 80.0},
          hint="不予支持的项目审定数为 0，整个申报数都算审减。")
def _ex_05_3(c):
    return 100 * c.ex_ante.cut_rate_all


@exercise("06-1", "monitoring", "截至 9 月 30 日，执行偏慢的项目有几个？", unit="个", tol=0,
          hint="执行偏慢：预算执行率低于时间进度减容忍度（默认 15 个百分点）。")
def _ex_06_1(c):
    return c.monitoring.summary["n_low_execution"]


@exercise("06-2", "monitoring", "监控时点改为 6 月 30 日后，目标偏离的项目有几个？", unit="个", tol=0,
          setting={"as_of": "2026-06-30"},
          hint="时间进度随监控时点变化，指标实际值只取那一天以前最近的一次；一个项目有任一指标偏离就算目标偏离。")
def _ex_06_2(c):
    return c.monitoring.summary["n_deviating_projects"]


@exercise("06-3", "monitoring", "默认设置下，财政局要向几个部门发出整改建议书？", unit="份", tol=0,
          hint="每个有执行偏慢、目标偏离或评价等级为中/差项目的部门收到一份；看比较表。")
def _ex_06_3(c):
    return len(c.notices)


@exercise("07-1", "evaluation", "默认设置下，评为“优”的项目有几个？", unit="个", tol=0,
          hint="优：90 分及以上；看等级分布。")
def _ex_07_1(c):
    return int(c.evaluation.grade_counts["优"])


@exercise("07-2", "evaluation", "P001（城市公交运行补贴）的自评得分是多少分？", unit="分",
          hint="得分 = 执行率得分 + 产出 + 效益 + 满意度；看自评表明细上方的说明。")
def _ex_07_2(c):
    return float(c.evaluation.projects.set_index("project_id").loc["P001", "score"])


@exercise("07-3", "evaluation", "“良”的最低分改为 85 后，下一年度“结转（须调整）”的项目有几个？", unit="个", tol=0,
          setting={"good_threshold": 85.0},
          hint="等级决定评价建议：优、良延续，中调整，差取消；调整的项目下一年须按评价意见调整后申报。")
def _ex_07_3(c):
    return int((c.rollover.decisions["action"] == "结转（须调整）").sum())


@exercise("08-1", "workbook", "在工作簿“项目信息”表把电价 electricity_price 改为 0.95 并保存后，核定补贴是多少万元？",
          unit="万元", setting={"electricity_price": 0.95},
          hint="用 Excel 或 WPS 改“项目信息”表中 electricity_price 一行的“值”，保存并关闭工作簿，再运行全部单元格。")
def _ex_08_1(c):
    return _wan(c.result.budget.subsidy)


@dataclass
class Verdict:
    """The result of a self-check: ``ok`` is True (对), False (不对) or None (not answered yet)."""

    exercise: str
    ok: bool | None
    message: str

    def _repr_markdown_(self) -> str:
        return self.message

    def __str__(self) -> str:
        return self.message


def answer(exercise_id: str, case) -> Any:
    """The answer of ``exercise_id`` computed from ``case``, in the exercise's unit (for trainers and tests)."""
    return EXERCISES[exercise_id].compute(case)


def _setting_ok(ex: Exercise, knobs: dict) -> str | None:
    """None when the case has the exercise's setting, else what to change."""
    for k, want in ex.setting.items():
        have = knobs.get(k)
        if isinstance(want, dict):
            ok = all((have or {}).get(i) == r for i, r in want.items())
        elif isinstance(want, str):
            ok = have == want
        else:
            ok = have is not None and not isinstance(have, str) and math.isclose(float(have), want, abs_tol=1e-9)
        if not ok:
            return f"先在参数单元格中把 `{k}` 设为 `{want!r}`，再运行全部单元格，然后作答。"
    return None


def check(exercise_id: str, given, case) -> Verdict:
    """Compare the trainee's answer with the one computed from ``case``; 对, or 不对 with a hint.

    The answer itself is never shown. ``given`` is a number in the
    exercise's unit (万元, %, 辆…) or a text; ``None`` means not answered yet.
    """
    ex = EXERCISES[exercise_id]
    head = f"**练习 {exercise_id}**　{ex.question}\n\n"
    if given is None or (isinstance(given, str) and not given.strip()):
        return Verdict(exercise_id, None, head + "还没有作答。把 `None` 换成你的答案，再运行本单元格。")
    wrong_setting = _setting_ok(ex, case.knobs)
    if wrong_setting:
        return Verdict(exercise_id, False, head + "**不对。**" + wrong_setting)
    want = ex.compute(case)
    if ex.tol is None:
        ok = str(given).replace(" ", "") == str(want).replace(" ", "")
        return Verdict(exercise_id, ok, head + ("**对！**" if ok else f"**不对。**提示：{ex.hint}"))
    try:
        g = float(given)
    except (TypeError, ValueError):
        return Verdict(exercise_id, False, head + f"**不对：**请填一个数（单位：{ex.unit or '无'}），不要带单位或千分位逗号。")
    if abs(g - want) <= ex.tol + 1e-9 * abs(want):
        return Verdict(exercise_id, True, head + "**对！**")
    side = "偏大" if g > want else "偏小"
    unit = f"（单位：{ex.unit}）" if ex.unit else ""
    percent = "；百分比请填数字，例如 12.5 表示 12.5%" if ex.unit == "%" else ""
    return Verdict(exercise_id, False, head + f"**不对**，你的答案{side}{unit}{percent}。提示：{ex.hint}")


def answer_key(cases: dict[str, Callable[..., Any]]) -> pd.DataFrame:
    """Every exercise's answer on the bundled examples: ``cases`` maps a case kind to its builder.

    A builder takes the exercise's setting as keyword arguments, e.g.
    ``{"bus": lambda **k: bus_case("data/projects/bus_example.toml", **k)}``.
    """
    rows = []
    for ex in EXERCISES.values():
        setting = dict(ex.setting)
        value = answer(ex.id, cases[ex.case](**setting))
        rows.append({"练习": ex.id, "问题": ex.question, "设置": _fmt_setting(setting), "答案": value,
                     "单位": ex.unit})
    return pd.DataFrame(rows).set_index("练习")


def _fmt_setting(setting: dict) -> str:
    return "；".join(f"{k} = {v!r}" for k, v in setting.items()) or "默认"
