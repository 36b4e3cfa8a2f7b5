"""Teaching helpers for the course in ``notebooks/course/``: lesson cases, before/after tables, self-checks.

A lesson loads a *case* from the knobs of its parameters cell:

- :func:`bus_case` runs the four steps on a project with knobs applied
  (:mod:`costing.whatif`) and keeps the default run beside it, so
  :meth:`BusCase.before_after` shows what the trainee's change did;
- :func:`cba_case` appraises a CBA project at a discount rate, with its
  sensitivity, switching values and Monte Carlo;
- :func:`exante_case`, :func:`monitoring_case`, :func:`evaluation_case` and
  :func:`workbook_case` do the same for the life-cycle lessons and the own-data lesson.

Every case records ``changed``: the parameters-cell values that differ from
the lesson's defaults (parameter-cell names, e.g. ``{"spare_ratio": 0.15}``).

An exercise asks for one figure in its own *setting* (parameter-cell values;
the rest at their defaults). :func:`check` judges the trainee's answer
against that setting, computed by the library whatever the parameters cell
holds now: when the notebook is set differently it says so as a note, it
never turns a right answer into 不对. Every check states the precision it
accepts (填整数, 保留两位小数…) and accepts an answer given at it; its hint names
the table, row and column of the lesson where the figure can be read (or the
calculation), never the answer. :data:`EXERCISES` lists every exercise;
:func:`answer` computes one from a case (the answer key in
``notebooks/course/trainer/README.md`` is verified against it by the test suite).

:func:`explain_errors` installs the lessons' exception display: a slip in the
parameters cell (an unquoted name, a misspelt rule, preset or discount, a date
outside the budget year, a percentage typed as a whole number) and every
``costing`` error are explained in Chinese, with the traceback one click away.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from .errors import CostingError, ParameterError
from .expr import names
from .glossary import display_name, rule_label
from .method import MethodResult, run_method
from .project import Project, load_project
from .units import fmt_money, fmt_rate, from_yuan


# --------------------------------------------------------------------------- slips
class SlipError(ParameterError):
    """A value in a lesson's parameters cell that cannot be right; the message says in Chinese what to change."""

    def __init__(self, message: str):
        CostingError.__init__(self, message)
        self.message = message

    def __str__(self) -> str:
        return self.message


#: parameters-cell values that are fractions (a slip types 15 for 15%)
FRACTION_PARAMETERS = {"spare_ratio": "备用车比例", "energy_price": "能源价格变动", "profit_rate": "合理利润率",
                       "frontier_catch_up": "前沿追赶比例", "operating_loss_share": "经营性亏损补贴比例",
                       "tolerance": "容忍度", "deviation_threshold": "目标实现程度阈值"}


def _fraction(name: str, value) -> float | None:
    """``value`` as a float, or a :class:`SlipError` when a fraction was typed as a whole percentage."""
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SlipError(f"参数 {name} 应填一个数，现在是 {value!r}。") from None
    if abs(v) > 1.0:
        raise SlipError(f"参数 {name}（{FRACTION_PARAMETERS[name]}）是比例，要填小数：{v:g}% 应写成 {v / 100:g}，"
                        f"例如 {name} = {min(abs(v), 99) / 100:g}。现在填的是 {v:g}，相当于 {100 * v:g}%。")
    return v


def _check_rule(item: str, rule: str, item_name: str) -> None:
    from .rules import BASES
    from .whatif import RULE_LABELS

    choices = "；".join(f'"{r}"（{lab}）' for r, lab in RULE_LABELS.items())
    try:
        used = names(str(rule)) if isinstance(rule, str) else None
    except SyntaxError:
        used = None
    if used is None or used - set(BASES):
        raise SlipError(f"参数 {item}_rule（{item_name}的核定规则）填的是 {rule!r}，不是可用的规则。"
                        f"可以填：{choices}。注意加英文引号、拼写一字不差。")


def _check_choice(name: str, value, choices: dict[str, str], what: str) -> None:
    if value not in choices:
        listed = "；".join(f'"{k}"（{v}）' for k, v in choices.items())
        raise SlipError(f"参数 {name}（{what}）填的是 {value!r}，不是可用的选项。可以填：{listed}。"
                        "注意加英文引号、拼写一字不差。")


def _same(a: dict, b: dict) -> bool:
    """The same parameter values (floats within 1e-9)."""
    if set(a) != set(b):
        return False
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool):
            if not math.isclose(float(x), float(y), abs_tol=1e-9):
                return False
        elif x != y:
            return False
    return True


# --------------------------------------------------------------------------- cases
@dataclass
class BusCase:
    """A cost-standard lesson's state: the knobs as set, the run with them, and the default run.

    ``changed`` holds the parameters-cell values that differ from the project's
    defaults (a rule as ``<item>_rule``); ``source`` is the project file.
    """

    knobs: dict[str, Any]
    project: Project
    result: MethodResult
    baseline: MethodResult
    source: Any = None
    changed: dict = field(default_factory=dict)
    kind: str = "bus"

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
                     f"{b.unit_cost_standard:,.4f}", _signed(f"{b.unit_cost_standard - b0.unit_cost_standard:,.4f}"),
                     b.unit_cost_label))
        for attr in ("regulated_cost", "profit", "subsidy", "cut_amount"):
            v, v0 = getattr(b, attr), getattr(b0, attr)
            rows.append((display_name(attr), fmt_money(v0), fmt_money(v), _signed(fmt_money(v - v0)), "万元"))
        rows.append((display_name("cut_rate"), fmt_rate(b0.cut_rate), fmt_rate(b.cut_rate),
                     f"{_signed(f'{100 * (b.cut_rate - b0.cut_rate):.2f}')} 个百分点", ""))
        return pd.DataFrame(rows, columns=["指标", "默认设置", "本次设置", "变化", "单位"]).set_index("指标")

    def items_before_after(self) -> pd.DataFrame:
        """Cost items whose standard moved: rule (in words), unit-cost standard [元/output] and
        standard cost [万元], default against this run."""
        s, s0 = self.result.standard.items, self.baseline.standard.items
        unit = self.result.budget.unit_cost_label
        df = pd.DataFrame({"成本项目": s["item_name"], "默认规则": s0["rule"].map(rule_label),
                           "本次规则": s["rule"].map(rule_label),
                           f"默认单位成本标准（{unit}）": s0["unit_cost"], f"本次单位成本标准（{unit}）": s["unit_cost"],
                           "默认标准成本（万元）": from_yuan(s0["amount"], "万元"),
                           "本次标准成本（万元）": from_yuan(s["amount"], "万元")})
        df["变化（万元）"] = df["本次标准成本（万元）"] - df["默认标准成本（万元）"]
        moved = (df["变化（万元）"].abs() >= 0.005) | (df["默认规则"] != df["本次规则"])
        return df[moved].reset_index(drop=True)

    def show(self) -> None:
        """Display the before/after tables (or say that everything is at its default)."""
        from IPython.display import HTML, display

        if self.result is self.baseline:
            display(HTML("<p>（目前全部是默认设置：改参数单元格中的值，再运行所有单元格，这里会出现比较表。）</p>"))
            return
        show_table(COMPARISON, self.before_after(), index=True)
        items = self.items_before_after()
        if len(items):
            show_table("标准有变化的成本项目", items)


#: the title of every lesson's default-against-current table
COMPARISON = "本次设置与默认设置的比较"


#: text left, numbers right in the lab (JupyterLab right-aligns every cell of a rendered table)
_TABLE_STYLE = ("<style>.costing-course-table td.text,.costing-course-table td.short,"
                ".costing-course-table th{text-align:left}.costing-course-table td.num{text-align:right}</style>")


def show_table(title: str, df: pd.DataFrame, unit=None, *, index: bool | None = None, note: str | None = None,
               codes: bool = False) -> None:
    """Display ``df`` as a reader table (:func:`costing.present.table_html`) under a visible ``title``.

    Exercise hints name tables by these titles. ``index`` keeps the index as the first
    column (default: when its name is Chinese, i.e. it holds reader-facing names; an index of codes is dropped).
    Columns of internal codes (headers ending in 代码) are left out unless ``codes`` (a lesson that teaches them).
    """
    from html import escape

    from IPython.display import HTML, display

    from .present import table_html

    if index is None:
        index = any(isinstance(n, str) and re.search(r"[\u4e00-\u9fff]", n) and (codes or not n.endswith("代码"))
                    for n in df.index.names)
    if not codes:
        kept = [c for c in df.columns if not str(c).endswith("代码")]
        if len(kept) < len(df.columns):
            attrs = dict(df.attrs)
            df = df[kept]
            df.attrs = attrs
    display(HTML(f'{_TABLE_STYLE}<div class="costing-course-table" data-title="{escape(title)}">'
                 f'<p class="costing-table-title"><b>{escape(title)}</b></p>'
                 f"{table_html(df, unit, index=index, note=note)}</div>"))


def _count(v: float, sign: bool = False) -> str:
    """A count for display: no decimals when whole (167 辆), one otherwise (274.3 人)."""
    v = round(v, 1) + 0.0  # no "-0"
    s = f"{v:+,.1f}" if sign else f"{v:,.1f}"
    return s[:-2] if s.endswith(".0") else s


def _signed(s: str) -> str:
    """A change with its sign: +9, -327.36; no change as 0.00 (never "-0.00" or "+0.00")."""
    if s == "—":
        return s
    if not any(ch in "123456789" for ch in s):
        return s.lstrip("+-")
    return s if s.startswith(("+", "-")) else "+" + s


def bus_case(project_path: str | Path, *, rules: dict[str, str] | None = None, preset: str | None = None,
             **knobs: float) -> BusCase:
    """Run the four steps on the project at ``project_path`` with ``knobs`` (see :data:`costing.whatif.KNOBS`).

    Knobs left at ``None`` keep the project's value. The project file is not changed.
    ``knobs`` of the case holds every parameter of the project as run, so an exercise can
    ask for a value set in the parameters cell or in a workbook. A value that cannot be
    right (a misspelt rule or preset, a percentage typed as a whole number) raises
    :class:`SlipError`.
    """
    from .rules import SUBSIDY_PRESETS
    from .whatif import KNOBS, knob_value, scenario

    project = load_project(project_path)
    set_knobs = {k: (_fraction(k, v) if KNOBS.get(k) and KNOBS[k].percent else v)
                 for k, v in knobs.items() if v is not None}
    preset = preset or project.budget.get("preset", "shanting")
    _check_choice("preset", preset, {p: display_name(p) for p in SUBSIDY_PRESETS}, "补贴口径")
    baseline = run_method(project)
    items = baseline.standard.items
    for i, r in (rules or {}).items():
        _check_rule(i, r, items.loc[i, "item_name"] if i in items.index else i)
    rules = {i: r for i, r in (rules or {}).items() if r != items.loc[i, "rule"]}
    default = {k: knob_value(project, k) for k in set_knobs}
    changed = {k: v for k, v in set_knobs.items() if not _same({k: float(v)}, {k: default[k]})}
    changed.update({f"{i}_rule": r for i, r in rules.items()})
    if preset != baseline.budget.preset:
        changed["preset"] = preset
    if not changed:
        scen, result = project, baseline
    else:
        scen = scenario(project, **set_knobs)
        result = run_method(scen, rules=rules or None, preset=preset)
    return BusCase(knobs={**scen.parameters, "profit_rate": knob_value(scen, "profit_rate"), **knobs,
                          "rules": dict(rules or {}), "preset": preset}, project=scen, result=result,
                   baseline=baseline, source=project_path, changed=changed)


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
    source: Any = None
    changed: dict = field(default_factory=dict)
    kind: str = "cba"

    def before_after(self) -> pd.DataFrame:
        """ENPV, EIRR and BCR at the project's preset against the chosen discount."""
        r, r0 = self.result, self.baseline

        return pd.DataFrame({"默认设置": [fmt_money(r0.enpv), fmt_rate(r0.eirr), f"{r0.bcr:.3f}",
                                      _discount_label(r0.discount)],
                             "本次设置": [fmt_money(r.enpv), fmt_rate(r.eirr), f"{r.bcr:.3f}", _discount_label(r.discount)],
                             "单位": ["万元", "", "", ""]},
                            index=pd.Index([*map(display_name, ("enpv", "eirr", "bcr")), "折现率方案"], name="指标"))

    def show(self) -> None:
        show_table(COMPARISON, self.before_after(), index=True)


def _discount_label(preset) -> str:
    """A discount preset's Chinese name (the English gloss of its label dropped)."""
    from .cba import preset_label
    from .present import chinese

    return chinese(preset_label(preset))


#: the lesson default of the Monte Carlo draws
N_DRAWS = 2000


def cba_case(project_path: str | Path, *, discount=None, n_draws: int = N_DRAWS, seed: int | None = None) -> CBACase:
    """Appraise the CBA project at ``discount`` (a preset name or a rate; ``None`` is the project's preset).

    Sensitivity uses the project's factors and changes; Monte Carlo draws
    ``n_draws`` (0 skips it) with ``seed`` (``None`` is the project's seed).
    """
    from . import cba
    from .cba.discounting import DISCOUNT_PRESETS

    if isinstance(discount, str):
        _check_choice("discount", discount, {k: _discount_label(v) for k, v in DISCOUNT_PRESETS.items()}, "折现率方案")
    elif discount is not None:
        try:
            rate = float(discount)
        except (TypeError, ValueError):
            raise SlipError(f"参数 discount（折现率方案）填的是 {discount!r}：请填方案名（加英文引号，例如 \"china_8\"）"
                            "或一个小数（例如 0.05 表示 5%）。") from None
        if rate > 1:
            raise SlipError(f"参数 discount 填的是 {rate:g}：折现率要填小数，{rate:g}% 应写成 {rate / 100:g}。")
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
        mc = cba.simulate(p.model, p.mc_specs, p.factor_items, n=int(n_draws),
                          seed=p.mc_seed if seed is None else seed,
                          discount=preset, timing=p.timing, correlation=p.mc_correlation)
    changed = {}
    if preset.name != cba.get_preset(p.discount).name:
        changed["discount"] = discount
    if int(n_draws or 0) != N_DRAWS:
        changed["n_draws"] = n_draws
    if seed is not None and seed != p.mc_seed:
        changed["seed"] = seed
    return CBACase(knobs={"discount": discount, "n_draws": n_draws, "seed": seed}, project=p, preset=preset,
                   result=result, baseline=baseline, sensitivity=sens, switching=switching, montecarlo=mc,
                   source=project_path, changed=changed)


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
    source: Any = None
    changed: dict = field(default_factory=dict)
    kind: str = ""

    def show(self) -> None:
        show_table(COMPARISON, self.table, index=True)


def _points(name: str, value, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SlipError(f"参数 {name}（{what}）应填一个分数（0–100），现在是 {value!r}。") from None
    if not 0 <= v <= 100:
        raise SlipError(f"参数 {name}（{what}）应在 0–100 分之间，现在是 {v:g}。")
    return v


def _changed_from(values: dict, defaults: dict) -> dict:
    return {k: v for k, v in values.items() if not _same({k: v}, {k: defaults[k]})}


def _exante_headline(r) -> dict:
    t = r.total.iloc[0]
    return {**{display_name(k): fmt_money(t[k]) for k in ("requested", "approved_final", "cut_amount")},
            display_name("cut_rate"): fmt_rate(r.cut_rate), "全部项目审减率": fmt_rate(r.cut_rate_all),
            "不予支持项目数": str(int((r.sheet["conclusion"] == "不予支持").sum())),
            display_name("n_no_assessment"): str(r.n_no_assessment), display_name("n_blocked"): str(r.n_blocked)}


def exante_case(portfolio_path: str | Path, *, support_threshold: float = 80.0,
                partial_threshold: float = 60.0) -> PortfolioCase:
    """事前绩效评估 with the conclusion thresholds [points]: 予以支持 from ``support_threshold``,
    部分支持 from ``partial_threshold``, 不予支持 below."""
    from . import performance as cp

    support = _points("support_threshold", support_threshold, "“予以支持”的最低分")
    partial = _points("partial_threshold", partial_threshold, "“部分支持”的最低分")
    if partial > support:
        raise SlipError(f"“部分支持”的最低分（partial_threshold = {partial:g}）不能高于"
                        f"“予以支持”的最低分（support_threshold = {support:g}）。")
    pf = cp.load_portfolio(portfolio_path)
    th = {"予以支持": support, "部分支持": partial, "不予支持": float("-inf")}
    r, r0 = cp.ex_ante(pf, thresholds=th), cp.ex_ante(pf)
    now = _exante_headline(r)
    units = {k: ("万元" if i < 3 else ("" if i < 5 else "个")) for i, k in enumerate(now)}
    knobs = {"support_threshold": support, "partial_threshold": partial}
    return PortfolioCase(knobs=knobs, portfolio=pf, ex_ante=r, table=_compare(_exante_headline(r0), now, units),
                         source=portfolio_path, kind="exante",
                         changed=_changed_from(knobs, {"support_threshold": 80.0, "partial_threshold": 60.0}))


def _monitoring_headline(m, notices) -> dict:
    s = m.summary
    return {"监控时点": s["as_of"], **{display_name(k): fmt_rate(s[k]) for k in ("time_progress", "execution_rate")},
            **{display_name(k): str(s[k]) for k in ("n_low_execution", "n_deviating_projects", "n_deviating_indicators")},
            "整改建议书（份）": str(len(notices))}


def _as_of(value, year: int):
    """The monitoring date of the parameters cell, or a :class:`SlipError` saying what to type."""
    import datetime as dt

    example = f'as_of = "{year}-09-30"'
    if isinstance(value, (dt.date, pd.Timestamp)):
        d = pd.Timestamp(value).date()
    else:
        try:
            d = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise SlipError(f"参数 as_of（监控时点）填的是 {value!r}，不是日期。日期按“年-月-日”写、加英文引号，"
                            f"例如 {example}。") from None
    if d.year != year:
        raise SlipError(f"参数 as_of（监控时点）填的是 {d.isoformat()}，不在预算年度 {year} 年内。双监控看的是"
                        f"预算年度当年的执行情况：请填 {year} 年内的日期，例如 {example}。")
    return d.isoformat()


def monitoring_case(portfolio_path: str | Path, *, as_of: str | None = None, tolerance: float | None = None,
                    deviation_threshold: float | None = None) -> PortfolioCase:
    """双监控 at ``as_of`` (default 30 September of the budget year) with the portfolio's thresholds
    unless given, and the 整改建议书 it leads to; the default it is compared with is 30 September."""
    from . import performance as cp

    pf = cp.load_portfolio(portfolio_path)
    default_date = f"{pf.budget_year}-09-30"  # the form is due at the end of September
    as_of = _as_of(default_date if as_of is None else as_of, pf.budget_year)
    m = cp.monitor(pf, as_of, tolerance=_fraction("tolerance", tolerance),
                   deviation_threshold=_fraction("deviation_threshold", deviation_threshold))
    m0 = cp.monitor(pf, default_date)
    notices, notices0 = cp.rectification_notices(pf, m), cp.rectification_notices(pf, m0)
    knobs = {"as_of": as_of, "tolerance": m.tolerance, "deviation_threshold": m.deviation_threshold}
    return PortfolioCase(knobs=knobs, portfolio=pf, monitoring=m, notices=notices,
                         table=_compare(_monitoring_headline(m0, notices0), _monitoring_headline(m, notices)),
                         source=portfolio_path, kind="monitoring",
                         changed=_changed_from(knobs, {"as_of": default_date, "tolerance": m0.tolerance,
                                                       "deviation_threshold": m0.deviation_threshold}))


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

    excellent = _points("excellent_threshold", excellent_threshold, "“优”的最低分")
    good = _points("good_threshold", good_threshold, "“良”的最低分")
    if not 60 <= good <= excellent:
        raise SlipError(f"分数线要满足 60 ≤ “良”的最低分（good_threshold = {good:g}）≤ “优”的最低分"
                        f"（excellent_threshold = {excellent:g}）。")
    pf = cp.load_portfolio(portfolio_path)
    if example_project not in set(pf.projects["project_id"]):
        raise SlipError(f"参数 example_project 填的是 {example_project!r}，项目库中没有这个项目编码。"
                        f"项目编码如 \"P001\"（加英文引号）。")
    bands = {"优": excellent, "良": good, "中": 60.0, "差": float("-inf")}
    ev, ev0 = cp.evaluate_portfolio(pf, bands=bands), cp.evaluate_portfolio(pf)
    ro, ro0 = rollover(pf, ev, pf.budget_year + 1), rollover(pf, ev0, pf.budget_year + 1)
    h, h0 = _evaluation_headline(ev, ro), _evaluation_headline(ev0, ro0)
    keys = list(dict.fromkeys([*h0, *h]))
    knobs = {"excellent_threshold": excellent, "good_threshold": good}
    return PortfolioCase(knobs={**knobs, "example_project": example_project},
                         portfolio=pf, evaluation=ev, rollover=ro,
                         table=_compare({k: h0.get(k, "0") for k in keys}, {k: h.get(k, "0") for k in keys}),
                         source=portfolio_path, kind="evaluation",
                         changed=_changed_from(knobs, {"excellent_threshold": 90.0, "good_threshold": 80.0}))


@dataclass
class WorkbookCase:
    """The own-data lesson's state: the workbook, its problems, and the four steps on it when it has no error."""

    path: Path
    created: bool
    problems: pd.DataFrame  # one row per problem: 位置, 类别, 问题, 应为, 实为, 怎么改
    case: BusCase | None
    kind: str = "workbook"
    changed: dict = field(default_factory=dict)  # the workbook is the setting: nothing is changed in the cell

    @property
    def source(self) -> Path:
        return self.path

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


def _workbook_setting_case(path: Path, values: dict) -> BusCase:
    """The four steps on the workbook at ``path`` with project parameters set to ``values``
    (what the trainee is asked to type on its 项目信息 sheet); ``changed`` holds the values the
    workbook does not have yet."""
    import dataclasses

    project = load_project(path)
    changed = {k: v for k, v in values.items() if not _same({k: v}, {k: project.parameters.get(k)})}
    scen = dataclasses.replace(project, parameters={**project.parameters, **values})
    baseline = run_method(project)
    result = run_method(scen) if changed else baseline
    return BusCase(knobs={**scen.parameters}, project=scen, result=result, baseline=baseline, source=path,
                   changed=changed, kind="workbook")


def rule_bases(result: MethodResult) -> pd.DataFrame:
    """Per cost item, the value of every standard-rule basis [元/output] beside the rule in force.

    Columns: 成本项目, 近三年实际, 同行P25/P50/P75, 效率前沿追赶, 定额测算, 现行规则 (in words),
    单位成本标准, and 效率前沿追赶高于同行中位数: the frontier basis starts from the project's own
    3-year actual and closes part of the gap by θ, so it stays above the peers' median when the
    actual is far above it. Unit costs are in the project's 元/output unit (declared in ``attrs["units"]``).
    """
    from types import SimpleNamespace

    from . import rules as _rules

    p = result.project
    # the context a rule basis reads (costing.rules.BASES take need, benchmark, years and project)
    ctx = SimpleNamespace(need=result.need, benchmark=result.benchmark, budget_year=p.budget_year,
                          price_year=p.price_year, project=p)
    s = result.standard.items
    cols = {"actual_3yr_avg": "近三年实际", "peer_p25": "同行25%分位数", "peer_p50": "同行中位数", "peer_p75": "同行75%分位数",
            "frontier": "效率前沿追赶", "quota": "定额测算"}
    out = pd.DataFrame({"成本项目": s["item_name"]})
    for basis, label in cols.items():
        out[label] = [float(_rules.BASES[basis](ctx, i)[0]) for i in s.index]
    out["现行规则"] = s["rule"].map(rule_label)
    out["单位成本标准"] = s["unit_cost"]
    out["效率前沿追赶高于同行中位数"] = (out["效率前沿追赶"] > out["同行中位数"]).where(out["同行中位数"].notna())
    out = out.reset_index(drop=True)
    out.attrs["units"] = dict.fromkeys([*cols.values(), "单位成本标准"], result.budget.unit_cost_label)
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
class Place:
    """Where a lesson shows an exercise's figure: the table (by its title), the row (by the text of its
    first cell) and the column (by its header)."""

    table: str
    row: str
    column: str

    def __str__(self) -> str:
        return f"“{self.table}”表中“{self.row}”一行的“{self.column}”列"


@dataclass(frozen=True)
class Exercise:
    """One exercise: what to set, what to answer, and how the library computes the answer.

    ``setting`` holds the values the trainee must type (parameters-cell names;
    empty: the defaults; for the own-data lesson, values of the workbook's 项目信息 sheet).
    ``compute(case)`` gives the answer in ``unit`` (万元, %, 辆, 元/车公里…); an answer
    given with ``decimals`` decimals (0: a whole number) is right when within ``tol``
    of it (one unit of the last decimal: rounded or cut off). ``place`` is where the lesson
    shows the figure once the setting is made (None when the hint gives the calculation);
    ``hint`` explains.
    """

    id: str
    case: str  # which case builder the lesson uses: bus, cba, exante, monitoring, evaluation, workbook
    question: str
    setting: dict
    compute: Callable[[Any], Any]
    unit: str
    decimals: int
    place: Place | None
    hint: str

    @property
    def tol(self) -> float:
        return 0.0 if self.decimals == 0 else 10.0 ** -self.decimals

    @property
    def precision(self) -> str:
        """The precision the check accepts, in words."""
        if self.decimals == 0:
            return "填整数"
        return f"保留{'一两三四五六'[self.decimals - 1]}位小数"

    @property
    def full_hint(self) -> str:
        where = f"看{self.place}。" if self.place else ""
        return where + self.hint


EXERCISES: dict[str, Exercise] = {}


def exercise(id: str, case: str, question: str, *, unit: str, hint: str, decimals: int = 2,
             place: tuple[str, str, str] | None = None, setting: dict | None = None):
    """Register the decorated function as the computation of exercise ``id``."""
    def deco(fn):
        EXERCISES[id] = Exercise(id, case, question, dict(setting or {}), fn, unit, decimals,
                                 Place(*place) if place else None, hint)
        return fn
    return deco


def _wan(yuan: float) -> float:
    return float(from_yuan(yuan, "万元"))


@exercise("00-1", "bus", "示例项目有多少条公交线路？", unit="条", decimals=0,
          place=("标靶划线的结果", "线路数", "数值"), hint="")
def _ex_00_1(c):
    return c.result.target.drivers["routes"]


@exercise("01-1", "bus", "备用车比例改为 15% 后，运营车辆（含备用）是多少辆？", unit="辆", decimals=0,
          setting={"spare_ratio": 0.15}, place=(COMPARISON, "运营车辆（含备用）", "本次设置"),
          hint="车辆数 = 每种车型的高峰配车 ×（1 + 备用车比例）后向上取整，再相加。")
def _ex_01_1(c):
    return c.result.target.drivers["vehicles"]


@exercise("01-2", "bus", "备用车比例改为 15% 后，核定补贴比默认设置增加了多少万元？", unit="万元",
          setting={"spare_ratio": 0.15}, place=(COMPARISON, "核定补贴", "变化"),
          hint="多出的车辆带来折旧、人工等成本；只填数字，不带“+”号。")
def _ex_01_2(c):
    return _wan(c.result.budget.subsidy - c.baseline.budget.subsidy)


@exercise("01-3", "bus", "人车比改为 1.2（备用车比例保持默认的 10%）后，审减率是多少（%）？", unit="%",
          setting={"driver_per_vehicle": 1.2}, place=(COMPARISON, "审减率", "本次设置"),
          hint="人车比只改变驾驶员人数，从而改变驾驶员工资和五险一金；审减率 = 审减额 ÷ 申报数。")
def _ex_01_3(c):
    return 100 * c.result.budget.cut_rate


@exercise("02-1", "bus", "本项目的 DEA 成本效率 θ 是多少？", unit="", decimals=3,
          place=("各单位的成本效率", "本项目", "成本效率θ"), hint="θ = 1 表示在前沿上。")
def _ex_02_1(c):
    return c.result.benchmark.frontier.efficiency


@exercise("02-2", "bus", "把车辆维修费的规则改为 frontier（效率前沿追赶）后，维修费的单位成本标准是多少元/车公里？",
          unit="元/车公里", decimals=4, setting={"maintenance_rule": "frontier"},
          place=("各规则的依据", "车辆维修费", "单位成本标准"),
          hint="frontier 以本项目近三年实际为基数，按 θ 缩小一部分差距；它不看同行中位数。")
def _ex_02_2(c):
    return c.result.standard.items.loc["maintenance", "unit_cost"]


@exercise("02-3", "bus", "维修费用 frontier 规则、前沿追赶比例改为 100% 时，维修费的单位成本标准是多少元/车公里？",
          unit="元/车公里", decimals=4, setting={"maintenance_rule": "frontier", "frontier_catch_up": 1.0},
          place=("各规则的依据", "车辆维修费", "单位成本标准"),
          hint="追赶比例 100% 表示一年就追到前沿：标准 = 近三年实际 × θ。")
def _ex_02_3(c):
    return c.result.standard.items.loc["maintenance", "unit_cost"]


@exercise("03-1", "bus", "按三门峡口径，政策性亏损是多少万元？", unit="万元",
          setting={"preset": "policy_operating_split"}, place=("本次口径下的预算汇总", "政策性亏损", "数值"),
          hint="政策性亏损 = 免费乘车人次 × 平均票价 + 优惠乘车人次 × 平均票价 × 优惠折扣 + 冷僻线路亏损。")
def _ex_03_1(c):
    return _wan(c.result.budget.policy_loss)


@exercise("03-2", "bus", "三门峡口径下，经营性亏损补贴比例改为 50% 时，核定补贴是多少万元？", unit="万元",
          setting={"preset": "policy_operating_split", "operating_loss_share": 0.5},
          place=(COMPARISON, "核定补贴", "本次设置"),
          hint="政策性亏损全额补贴，经营性亏损只补一半，再加合理利润。")
def _ex_03_2(c):
    return _wan(c.result.budget.subsidy)


@exercise("03-3", "bus", "山亭口径下，合理利润率填 4% 时，合理利润是多少万元？", unit="万元",
          setting={"profit_rate": 0.04}, place=(COMPARISON, "合理利润", "本次设置"),
          hint="合理利润率有上限（山亭规定 3%），超过的按上限计；合理利润 = 核定成本 × 利润率。")
def _ex_03_3(c):
    return _wan(c.result.budget.profit)


@exercise("04-1", "cba", "社会折现率改为 6%（china_6）后，经济净现值 ENPV 是多少万元？", unit="万元",
          setting={"discount": "china_6"}, place=(COMPARISON, "经济净现值", "本次设置"),
          hint="折现率越低，远期的效益折算到现在越值钱。")
def _ex_04_1(c):
    return _wan(c.result.enpv)


@exercise("04-2", "cba", "在默认折现率下，投资增加百分之多少时 ENPV 正好等于 0（投资的临界值，%）？", unit="%",
          place=("临界值", "投资", "临界变化率"), hint="临界变化率为正表示增加这么多时 ENPV 降到 0。")
def _ex_04_2(c):
    return 100 * float(c.switching.loc["investment"].iloc[0])


@exercise("04-3", "cba", "默认设置下（2000 次抽样），NPV 小于 0 的概率是多少（%）？", unit="%",
          place=("风险分析", "净现值为负的概率", "数值"), hint="P(NPV<0) 即净现值为负的概率。")
def _ex_04_3(c):
    return 100 * c.montecarlo.prob_negative


@exercise("05-1", "exante", "默认设置下，全部项目的审减率是多少（%）？", unit="%",
          place=("全部项目汇总", "全部项目", "审减率（%）"),
          hint="全部项目的审减率把不予支持、未评估和暂停安排的项目（安排数为 0）也算进去；"
               "比较表中的“审减率”只算已评审的项目，两者不同。")
def _ex_05_1(c):
    return 100 * c.ex_ante.cut_rate_all


@exercise("05-2", "exante", "“予以支持”最低分改为 90、“部分支持”最低分改为 80 后，“不予支持”的项目有几个？", unit="个",
          decimals=0, setting={"support_threshold": 90.0, "partial_threshold": 80.0},
          place=(COMPARISON, "不予支持项目数", "本次设置"),
          hint="总分低于“部分支持”最低分的项目结论为“不予支持”，安排数为 0。")
def _ex_05_2(c):
    return int((c.ex_ante.sheet["conclusion"] == "不予支持").sum())


@exercise("05-3", "exante", "同样的设置下（90 分、80 分），全部项目的审减率是多少（%）？", unit="%",
          setting={"support_threshold": 90.0, "partial_threshold": 80.0},
          place=("全部项目汇总", "全部项目", "审减率（%）"),
          hint="不予支持的项目安排数为 0，整个申报数都算审减；比较表中的“审减率”只算已评审的项目。")
def _ex_05_3(c):
    return 100 * c.ex_ante.cut_rate_all


@exercise("06-1", "monitoring", "截至 9 月 30 日，执行偏慢的项目有几个？", unit="个", decimals=0,
          place=(COMPARISON, "执行偏慢项目数", "本次设置"),
          hint="执行偏慢：预算执行率低于时间进度减容忍度（默认 15 个百分点）。")
def _ex_06_1(c):
    return c.monitoring.summary["n_low_execution"]


@exercise("06-2", "monitoring", "监控时点改为 6 月 30 日后，目标偏离的项目有几个？", unit="个", decimals=0,
          setting={"as_of": "2026-06-30"}, place=(COMPARISON, "目标偏离项目数", "本次设置"),
          hint="时间进度随监控时点变化，指标实际值只取那一天以前最近的一次；一个项目有任一指标偏离就算目标偏离。")
def _ex_06_2(c):
    return c.monitoring.summary["n_deviating_projects"]


@exercise("06-3", "monitoring", "默认设置下（9 月 30 日），财政局要向几个部门发出整改建议书？", unit="份", decimals=0,
          place=(COMPARISON, "整改建议书（份）", "本次设置"),
          hint="每个有执行偏慢、目标偏离或评价等级为中/差项目的部门收到一份。")
def _ex_06_3(c):
    return len(c.notices)


@exercise("07-1", "evaluation", "默认设置下，评为“优”的项目有几个？", unit="个", decimals=0,
          place=(COMPARISON, "评为“优”的项目数", "本次设置"), hint="优：90 分及以上。")
def _ex_07_1(c):
    return int(c.evaluation.grade_counts["优"])


@exercise("07-2", "evaluation", "P001（城市公交运行补贴）的自评得分是多少分？", unit="分",
          place=("全部项目的自评结果", "P001", "得分"),
          hint="得分 = 执行率得分 + 产出得分 + 效益得分 + 满意度得分。")
def _ex_07_2(c):
    return float(c.evaluation.projects.set_index("project_id").loc["P001", "score"])


@exercise("07-3", "evaluation", "“良”的最低分改为 85 后，下一年度“结转（须调整）”的项目有几个？", unit="个", decimals=0,
          setting={"good_threshold": 85.0}, place=(COMPARISON, "下年结转（须调整）", "本次设置"),
          hint="等级决定评价建议：优、良延续，中调整，差取消；调整的项目下一年须按评价意见调整后申报。")
def _ex_07_3(c):
    return int((c.rollover.decisions["action"] == "结转（须调整）").sum())


@exercise("08-1", "workbook", "在工作簿“项目信息”表把电价（electricity_price）改为 0.95 并保存后，核定补贴是多少万元？",
          unit="万元", setting={"electricity_price": 0.95}, place=("测算结果", "核定补贴（审定数）", "数值"),
          hint="电价不在参数单元格里，在工作簿中：用 Excel 或 WPS 改“项目信息”表中“电价”一行（代码 electricity_price）的“值”，"
               "保存并关闭工作簿，再运行所有单元格。")
def _ex_08_1(c):
    return _wan(c.result.budget.subsidy)


# --------------------------------------------------------------------------- self-check
def _builder_kwargs(kind: str, setting: dict) -> dict:
    """Parameters-cell values -> the case builder's keywords (``<item>_rule`` -> ``rules``)."""
    if kind != "bus":
        return dict(setting)
    kw = {k: v for k, v in setting.items() if not k.endswith("_rule")}
    rules = {k[:-len("_rule")]: v for k, v in setting.items() if k.endswith("_rule")}
    return {**kw, "rules": rules} if rules else kw


def build_case(kind: str, source, setting: dict | None = None):
    """The case of lesson kind ``kind`` on ``source`` with ``setting`` (parameters-cell values, the rest
    at their defaults; for ``workbook``, values of the workbook's 项目信息 sheet)."""
    kw = _builder_kwargs(kind, dict(setting or {}))
    builders = {"bus": bus_case, "cba": cba_case, "exante": exante_case, "monitoring": monitoring_case,
                "evaluation": evaluation_case}
    if kind == "workbook":
        return _workbook_setting_case(Path(source), kw)
    return builders[kind](source, **kw)


_EXERCISE_CASES: dict = {}


def exercise_case(exercise_id: str, case):
    """The case an exercise is judged on: ``case`` itself when it has the exercise's setting (and
    nothing else changed), else the exercise's setting built on the same source (kept for reuse)."""
    ex = EXERCISES[exercise_id]
    if not ex.setting and not case.changed and ex.case != "workbook":
        return case
    source = case.source
    stamp = Path(source).stat().st_mtime_ns if ex.case == "workbook" else None
    key = (ex.case, str(source), stamp, repr(sorted(ex.setting.items())))
    if key not in _EXERCISE_CASES:
        if len(_EXERCISE_CASES) > 32:
            _EXERCISE_CASES.clear()
        _EXERCISE_CASES[key] = build_case(ex.case, source, ex.setting)
    own = _EXERCISE_CASES[key]
    if ex.case == "workbook":
        return own
    return case if _same(own.changed, case.changed) else own


def _fmt_setting(setting: dict) -> str:
    return "，".join(f"{k} = {v!r}".replace("'", '"') for k, v in setting.items()) or "全部为默认值"


def _setting_note(ex: Exercise, case, own) -> str | None:
    """A note when the notebook is set differently from the exercise (None when it is not)."""
    if ex.case == "workbook":
        if not own.changed:
            return None
        return (f"注：你的工作簿中还没有 {_fmt_setting(own.changed)}；自检已按本题的设置计算。"
                "要在表中读到答案，请先在工作簿中改好、保存并关闭，再运行所有单元格。")
    if own is case:
        return None
    want = {k: v for k, v in ex.setting.items()}
    now = f"改过的参数是 {_fmt_setting(case.changed)}" if case.changed else "是默认设置"
    return (f"注：本题的设置是 {_fmt_setting(want)}（其余为默认值），笔记本现在{now}，"
            "上面各表显示的是现在设置的结果。自检按本题的设置判断；要在表中读到本题的数字，"
            "请把参数单元格改成本题的设置，再运行所有单元格。")


@dataclass
class Verdict:
    """The result of a self-check: ``ok`` is True (对), False (不对) or None (not answered yet).

    ``message`` is plain text; the notebook shows it as HTML (``_repr_html_``): bold and colour,
    no Markdown markers to be left unclosed.
    """

    exercise: str
    ok: bool | None
    message: str
    head: str = ""
    reply: str = ""
    note: str | None = None

    def _repr_html_(self) -> str:
        from html import escape

        colour = {True: "#1a7f37", False: "#b42318", None: "#555"}[self.ok]
        first, _, rest = self.reply.partition("\n")
        note = f'<p class="costing-check-note" style="color:#555">{escape(self.note)}</p>' if self.note else ""
        head_lines = self.head.split("\n")
        return (f'<div class="costing-check" data-ok="{str(self.ok).lower()}">'
                f"<p><b>{escape(head_lines[0])}</b></p>"
                + "".join(f"<p>{escape(h)}</p>" for h in head_lines[1:] if h)
                + f'<p class="costing-check-verdict"><b style="color:{colour}">{escape(first)}</b>{escape(rest)}</p>'
                f"{note}</div>")

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message


def answer(exercise_id: str, case) -> Any:
    """The answer of ``exercise_id`` computed from ``case``, in the exercise's unit (for trainers and tests)."""
    return EXERCISES[exercise_id].compute(case)


def _verdict(ex: Exercise, ok, head: str, verdict: str, rest: str = "", note: str | None = None) -> Verdict:
    reply = verdict + ("\n" + rest if rest else "")
    message = head + "\n\n" + verdict + rest + (("\n" + note) if note else "")
    return Verdict(ex.id, ok, message, head, reply, note)


def check(exercise_id: str, given, case) -> Verdict:
    """Judge the trainee's answer against the exercise's own setting; 对, or 不对 with a hint.

    The answer is computed from the exercise's case (:func:`exercise_case`), whatever
    the parameters cell holds now; a differing setting is a note, not 不对. The answer
    itself is never shown. ``given`` is a number in the exercise's unit (万元, %, 辆…)
    or a text; ``None`` means not answered yet.
    """
    ex = EXERCISES[exercise_id]
    unit = f"单位：{ex.unit}，" if ex.unit else ""
    head = f"练习 {exercise_id}　{ex.question}\n答案只填数字（{unit}{ex.precision}）。"
    if given is None or (isinstance(given, str) and not given.strip()):
        return _verdict(ex, None, head, "还没有作答。", "把 None 换成你的答案，再运行本单元格。")
    if case is None or getattr(case, "case", case) is None:
        return _verdict(ex, False, head, "还不能自检：", "工作簿还有“错误”，改正后再运行所有单元格。")
    own = exercise_case(exercise_id, case)
    note = _setting_note(ex, case, own)
    want = ex.compute(own)
    try:
        g = float(str(given).replace(",", "").replace("，", "").strip().rstrip("%").strip()) \
            if isinstance(given, str) else float(given)
    except (TypeError, ValueError):
        return _verdict(ex, False, head, "不对：", f"请填一个数（{unit}{ex.precision}），不要带单位或文字。", note)
    if abs(g - want) <= ex.tol + 1e-9 * max(1.0, abs(want)):
        return _verdict(ex, True, head, "对！", "", note)
    if ex.unit == "%" and abs(100 * g - want) <= ex.tol + 1e-9 * max(1.0, abs(want)):
        return _verdict(ex, False, head, "不对：", f"看起来填的是小数。百分比请填百分数的数字，例如 12.5% 填 12.5。", note)
    side = "偏大" if g > want else "偏小"
    return _verdict(ex, False, head, "不对。", f"你的答案{side}。提示：{ex.full_hint}", note)


def answer_key(cases: dict[str, Callable[..., Any]] | None = None, sources: dict[str, Any] | None = None) -> pd.DataFrame:
    """Every exercise's answer: ``cases`` maps a case kind to a builder taking the exercise's setting
    as keywords, or ``sources`` maps a kind to its source (then :func:`build_case` builds it)."""
    rows = []
    for ex in EXERCISES.values():
        case = cases[ex.case](**ex.setting) if cases else build_case(ex.case, sources[ex.case], ex.setting)
        rows.append({"练习": ex.id, "问题": ex.question, "设置": _fmt_setting(ex.setting), "答案": answer(ex.id, case),
                     "单位": ex.unit, "精度": ex.precision})
    return pd.DataFrame(rows).set_index("练习")


# --------------------------------------------------------------------------- slips explained
_NAME_LINE = re.compile(r"^\s*(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<value>[^#]*?)\s*(?P<comment>#.*)?$")


def _cell_line(tb) -> str | None:
    """The line of the notebook cell where the exception was raised (the cell is the outermost frame)."""
    import linecache

    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "<module>":
            line = linecache.getline(code.co_filename, tb.tb_lineno)
            return line.rstrip("\n") if line else None
        tb = tb.tb_next
    return None


def explain(exc: BaseException, tb=None) -> tuple[str, str] | None:
    """A Chinese (title, explanation) of an exception met in a lesson, or None when it is not ours to explain.

    Covers an unquoted name in the parameters cell (NameError), the slips
    :class:`SlipError` reports (misspelt rule, preset or discount; a date outside the
    budget year; a percentage typed as a whole number) and every ``costing`` error.
    """
    from .errors import CostingError

    if isinstance(exc, SlipError):
        return "参数单元格中的值需要改一下", exc.message + " 改好后，用菜单 运行 → 运行所有单元格。"
    if isinstance(exc, NameError):
        name = getattr(exc, "name", None) or (re.findall(r"'(\w+)'", str(exc)) or ["?"])[0]
        line = _cell_line(tb) if tb is not None else None
        m = _NAME_LINE.match(line or "")
        if m and re.search(rf"\b{re.escape(name)}\b", m.group("value")):
            fixed = f'{m.group("name")} = "{m.group("value")}"'
            return ("文字要加引号", f"这一行：{line.strip()}\n{name} 是一段文字（规则名、口径名、日期、路径……），"
                    f"不是程序里的名字，所以要放在英文双引号里：{fixed}。改好后，用菜单 运行 → 运行所有单元格。")
        return ("有名字还没有定义", f"“{name}”还没有定义。常见原因：没有从头运行（请用菜单 运行 → 运行所有单元格），"
                "或者参数单元格里的文字少了英文引号、名字拼错了。")
    if isinstance(exc, CostingError):
        return ("程序发现输入有问题", f"{exc}\n请对照参数单元格的注释检查填写的值（文字加英文引号，比例填小数，日期写成"
                "“年-月-日”）；问题在数据文件中的，按上面写的文件、行、列改正。改好后，用菜单 运行 → 运行所有单元格。")
    return None


def _explain_html(title: str, text: str, trace: str) -> str:
    from html import escape

    body = "".join(f"<p>{escape(t)}</p>" for t in text.split("\n") if t)
    return (f'<div class="costing-slip" style="border-left:4px solid #b42318;padding:0.3em 0.8em;background:#fff5f5">'
            f'<p><b style="color:#b42318">出错了：{escape(title)}</b></p>{body}'
            f"<details><summary>显示程序的错误信息（给技术人员看）</summary><pre>{escape(trace)}</pre></details></div>")


def _show_slip(shell, etype, evalue, tb, tb_offset=None):
    """IPython custom-exception handler: a Chinese explanation, the traceback behind one click."""
    import traceback

    from IPython.display import HTML, display

    told = explain(evalue, tb)
    if told is None:  # not one of ours: IPython's usual traceback
        return shell.InteractiveTB.structured_traceback(etype, evalue, tb, tb_offset=tb_offset)
    trace = "".join(traceback.format_exception(etype, evalue, tb))
    display(HTML(_explain_html(*told, trace)))
    return [f"出错了：{told[0]}（说明见上方）"]


def explain_errors(shell=None) -> None:
    """Install the lessons' exception display in IPython (``set_custom_exc``): ``costing`` errors and
    the common slips (NameError from an unquoted name) are explained in Chinese, with the traceback
    in a collapsed block. Does nothing outside IPython."""
    from .errors import CostingError

    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((NameError, CostingError), _show_slip)
