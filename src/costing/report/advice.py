"""The 有关建议 of a report: one text, shown by the HTML report (its notebook) and by the Word
document (the ``advice`` field), so both carry the same section with the same figures.

Figures are shown by the one formatter (:func:`costing.fmt.fmt_figure`).
"""
from __future__ import annotations

from ..fmt import fmt_figure

#: 有关建议 of a cost-standard report; {unit_cost} {unit} {subsidy} are filled from the headline
COST_STANDARD_ADVICE = (
    "（一）按核定的单位成本标准 {unit_cost} {unit}安排补贴预算 {subsidy} 万元，超出标准的部分不予安排。",
    "（二）将服务质量目标纳入绩效目标，开展运行监控，年度终了按实际服务量和绩效评价结果清算。",
    "（三）运营单位应建立成本台账，逐年报送经审计的成本数据，作为下一年度成本标准动态调整的依据。",
)


def cost_standard_advice(unit_cost_standard: float, unit: str, subsidy_yuan: float) -> list[str]:
    """The 有关建议 paragraphs of a cost-standard report (the unit cost standard in ``unit``, the
    approved subsidy in 元, shown in 万元)."""
    shown_cost, shown_unit = fmt_figure(unit_cost_standard, unit)
    subsidy, _ = fmt_figure(subsidy_yuan, "元")
    return [p.format(unit_cost=shown_cost, unit=shown_unit or unit, subsidy=subsidy) for p in COST_STANDARD_ADVICE]


def report_advice(template: str | None, headline: dict) -> list[str]:
    """The 有关建议 paragraphs of ``template`` from its recorded headline ({name: {"value", "unit"}});
    empty for a template whose Word document words its own."""
    if template == "cost_standard" and {"unit_cost_standard", "subsidy"} <= set(headline):
        u = headline["unit_cost_standard"]
        return cost_standard_advice(u["value"], u.get("unit") or "", headline["subsidy"]["value"])
    return []
