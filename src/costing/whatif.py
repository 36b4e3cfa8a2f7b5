"""What-if scenarios: turn a knob, rerun the four steps, see the standard and the subsidy move.

A *knob* is a named input a trainee or an analyst may change without editing
any file: the project is copied in memory with the knob applied and
:func:`costing.run_method` runs on the copy. The knobs of a project type are:

=======================  ===============================  ==============================
knob                     what it changes                  unit
=======================  ===============================  ==============================
``driver_per_vehicle``   人车比 (parameter)                 人/辆
``staff_per_vehicle``    综合人车比 (parameter)              人/辆
``spare_ratio``          备用车比例 (parameter)              fraction
``city_avg_wage``        工资水平: the city average wage     元/人·年
``energy_price``         every energy price at once          relative change (0.1 = +10%)
``profit_rate``          合理利润率 (the project's budget)    fraction, capped by the project
``frontier_catch_up``    the share of the gap to the DEA     fraction
                         frontier closed in the budget year
``operating_loss_share`` the share of a positive operating   fraction
                         loss refunded (三门峡 preset)
=======================  ===============================  ==============================

plus ``rules`` (a rule per cost item, see :mod:`costing.rules`) and ``preset``
(the subsidy preset). ``energy_price`` scales the parameters that the unit-price
formulas of the ``能耗`` (energy) cost items name, so the back-calculation and
every formula built on it move together.

:func:`panel` puts the knobs on ipywidgets sliders and dropdowns and redraws
the standard, the subsidy, the waterfall and the tornado on every change. The
panel holds no formula: it calls :func:`run` and the chart functions of
:mod:`costing.charts`.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from .errors import ParameterError
from .expr import names
from .glossary import display_name, rule_label
from .method import MethodResult, run_method
from .project import Project


@dataclass(frozen=True)
class Knob:
    """A knob: its Chinese label, unit, and the slider's range and step."""

    label: str
    unit: str
    min: float
    max: float
    step: float
    percent: bool = False  # shown as a percentage (a fraction inside)


#: knob name -> Knob. The order is the panel's.
KNOBS: dict[str, Knob] = {
    "driver_per_vehicle": Knob("人车比（驾驶员/车）", "人/辆", 1.0, 1.6, 0.05),
    "staff_per_vehicle": Knob("综合人车比（管理及辅助）", "人/辆", 0.3, 0.9, 0.05),
    "spare_ratio": Knob("备用车比例", "", 0.0, 0.30, 0.01, percent=True),
    "city_avg_wage": Knob("工资水平（城市平均工资）", "元/人·年", 80000.0, 140000.0, 1000.0),
    "energy_price": Knob("能源价格变动", "", -0.30, 0.30, 0.05, percent=True),
    "profit_rate": Knob("合理利润率", "", 0.0, 0.05, 0.005, percent=True),
    "frontier_catch_up": Knob("前沿追赶比例（本年缩小差距）", "", 0.0, 1.0, 0.1, percent=True),
    "operating_loss_share": Knob("经营性亏损补贴比例（三门峡口径）", "", 0.0, 1.0, 0.1, percent=True),
}

#: the knobs a panel shows by default
PANEL_KNOBS = ("driver_per_vehicle", "spare_ratio", "city_avg_wage", "energy_price", "profit_rate")

#: rule -> Chinese display name (the rules a trainee picks from; any formula of costing.rules works in code)
RULE_LABELS: dict[str, str] = {r: rule_label(r) for r in (
    "quota", "actual_3yr_avg", "peer_p50", "min(actual_3yr_avg, peer_p50)", "min(actual_3yr_avg, quota)", "frontier")}

#: subsidy preset -> Chinese display name
PRESET_LABELS: dict[str, str] = {p: display_name(p) for p in ("shanting", "policy_operating_split")}

ENERGY_CATEGORY = "能耗"


def energy_price_parameters(project: Project) -> list[str]:
    """The parameters named by the unit-price formulas of the energy (``能耗``) cost items."""
    items = project.tables["cost_items"]
    found: set[str] = set()
    for f in items.loc[items["category"] == ENERGY_CATEGORY, "unit_price"]:
        found |= names(str(f))
    return sorted(n for n in found if n in project.parameters)


def knob_value(project: Project, name: str) -> float:
    """A knob's value in ``project`` (``energy_price`` is a change, so 0)."""
    from .benchmark.frontier import DEFAULT_CATCH_UP

    if name not in KNOBS:
        raise ParameterError(f"unknown knob {name!r}; the knobs are {list(KNOBS)}")
    if name == "energy_price":
        return 0.0
    if name == "profit_rate":
        return float(project.budget.get("profit_rate", project.parameters.get("profit_rate", 0.02)))
    defaults = {"frontier_catch_up": DEFAULT_CATCH_UP, "operating_loss_share": 1.0}
    return float(project.parameters.get(name, defaults.get(name, float("nan"))))


def scenario(project: Project, **knobs: float) -> Project:
    """A copy of ``project`` with ``knobs`` applied (the project and its files are not changed).

    >>> scenario(project, driver_per_vehicle=1.2, energy_price=0.1)   # doctest: +SKIP
    """
    params = dict(project.parameters)
    budget = dict(project.budget)
    for name, value in knobs.items():
        if name not in KNOBS:
            raise ParameterError(f"unknown knob {name!r}; the knobs are {list(KNOBS)}")
        value = float(value)
        if name == "energy_price":
            for p in energy_price_parameters(project):
                params[p] = params[p] * (1.0 + value)
        elif name == "profit_rate":
            budget["profit_rate"] = value
        else:
            params[name] = value
    return dataclasses.replace(project, parameters=params, budget=budget)


def run(project: Project, *, rules: dict[str, str] | None = None, preset: str | None = None,
        **knobs: float) -> MethodResult:
    """The four steps on ``scenario(project, **knobs)`` with the given rules and preset."""
    return run_method(scenario(project, **knobs), rules=rules or None, preset=preset)


def rule_choices(result: MethodResult, item: str) -> list[str]:
    """The rules of :data:`RULE_LABELS` that have data for ``item``, plus the item's current rule."""
    b = result.benchmark
    has = {"quota": True,
           "actual_3yr_avg": bool(b.actual_3yr_avg.notna().get(item, False)),
           "peer_p50": item in b.peer_item_summary.index and bool(b.peer_item_summary["p50"].notna().get(item)),
           "frontier": b.frontier is not None and bool(b.actual_3yr_avg.notna().get(item, False))}
    out = [r for r in RULE_LABELS if all(has.get(n, False) for n in names(r))]
    current = result.standard.items.loc[item, "rule"]
    return out if current in out else [current] + out


#: shown by the browser alone once the kernel behind a panel is gone (a restart): JupyterLab's widget
#: manager marks every view of a disconnected widget with the class ``jupyter-widgets-disconnected``
RESTART_NOTE = (
    "<style>.costing-restart-note{display:none}"
    ".jupyter-widgets-disconnected .costing-restart-note{display:block;color:#b42318;font-weight:bold;"
    "border:1px solid #b42318;padding:0.3em 0.6em;margin:0.3em 0}</style>"
    "<div class='costing-restart-note'>内核已重启，面板不再重算。请用菜单 运行 → 运行所有单元格 重新运行本课，"
    "面板就会恢复。</div>")


class Panel:
    """A what-if panel: sliders for the knobs, a dropdown per cost item's rule and one for the preset.

    Every change reruns :func:`run` and redraws the headline (standard,
    subsidy, cut rate), the waterfall and the tornado. After a kernel restart
    the panel says so (:data:`RESTART_NOTE`) instead of moving without effect. ``result`` is the
    latest run; ``sliders``, ``rule_menus`` and ``preset_menu`` are the widgets.
    """

    def __init__(self, project: Project, *, knobs: tuple[str, ...] | None = None, delta: float = 0.10,
                 baseline: MethodResult | None = None):
        import ipywidgets as w

        self.project = project
        self.delta = delta
        # the default run: given by a lesson that has it already (the same project, no knob turned)
        self.baseline = baseline if baseline is not None and baseline.project is project else run_method(project)
        knobs = knobs or PANEL_KNOBS
        self.sliders = {}
        for k in knobs:
            kb = KNOBS[k]
            fmt = ".0%" if kb.percent and kb.step >= 0.01 else (".1%" if kb.percent else
                                                                 (",.0f" if kb.step >= 1 else ".2f"))
            self.sliders[k] = w.FloatSlider(value=knob_value(project, k), min=kb.min, max=kb.max, step=kb.step,
                                            description=kb.label, readout_format=fmt, continuous_update=False,
                                            style={"description_width": "20em"},
                                            layout=w.Layout(width="46em"))
            self.sliders[k].add_class(f"costing-knob-{k}")
        items = self.baseline.standard.items
        self.rule_menus = {}
        for item, row in items.iterrows():
            opts = [(RULE_LABELS.get(r, r), r) for r in rule_choices(self.baseline, item)]
            self.rule_menus[item] = w.Dropdown(options=opts, value=row["rule"], description=row["item_name"],
                                               style={"description_width": "20em"}, layout=w.Layout(width="46em"))
        self.preset_menu = w.Dropdown(options=[(v, k) for k, v in PRESET_LABELS.items()],
                                      value=self.baseline.budget.preset, description="补贴口径",
                                      style={"description_width": "20em"}, layout=w.Layout(width="46em"))
        self.headline = w.HTML()
        self.headline.add_class("costing-whatif-headline")
        self.waterfall_out, self.tornado_out = w.Output(), w.Output()
        for wid in [*self.sliders.values(), *self.rule_menus.values(), self.preset_menu]:
            wid.observe(self.update, names="value")
        rules_box = w.Accordion(children=[w.VBox(list(self.rule_menus.values()))], titles=("各成本项目的核定规则",))
        rules_box.selected_index = None
        self.widget = w.VBox([w.HTML("<b>调参数（滑块松开后重算）</b>" + RESTART_NOTE), *self.sliders.values(),
                              self.preset_menu, rules_box, self.headline, self.waterfall_out, self.tornado_out])
        self.update()

    def settings(self) -> dict[str, Any]:
        """The current knobs, rules and preset, as :func:`run` takes them."""
        rules = {i: m.value for i, m in self.rule_menus.items()
                 if m.value != self.baseline.standard.items.loc[i, "rule"]}
        return {"rules": rules, "preset": self.preset_menu.value,
                **{k: s.value for k, s in self.sliders.items()}}

    def update(self, *_):
        """Rerun the method with the current settings and redraw."""
        from IPython.display import display

        from . import charts
        from .units import fmt_money, fmt_rate

        settings = self.settings()
        at_default = not settings["rules"] and settings["preset"] == self.baseline.budget.preset and all(
            v == knob_value(self.project, k) for k, v in settings.items() if k in self.sliders)
        self.result = r = self.baseline if at_default else run(self.project, **settings)
        b, b0 = r.budget, self.baseline.budget
        self.headline.value = (
            f"<div style='font-size:1.1em;line-height:1.8'>"
            f"单位成本标准 <b>{b.unit_cost_standard:,.4f}</b> {b.unit_cost_label}"
            f"（默认 {b0.unit_cost_standard:,.4f}）<br>"
            f"核定补贴 <b class='costing-subsidy'>{fmt_money(b.subsidy)}</b> 万元"
            f"（默认 {fmt_money(b0.subsidy)} 万元，变动 {fmt_money(b.subsidy - b0.subsidy)} 万元）<br>"
            f"审减率 <b>{fmt_rate(b.cut_rate)}</b>（默认 {fmt_rate(b0.cut_rate)}）"
            + "".join(f"<br><i>{n}</i>" for n in b.notes) + "</div>")
        for out, chart in ((self.waterfall_out, charts.subsidy_waterfall(r)),
                           (self.tornado_out, charts.tornado(r, self.delta))):
            with out:
                out.clear_output(wait=True)
                display(chart)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def panel(project: Project, **kwargs) -> Panel:
    """A what-if :class:`Panel` on ``project`` (display it as the last line of a cell)."""
    return Panel(project, **kwargs)
