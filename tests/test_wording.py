"""Issue 17 item 5: each report's wording comes from its project type's TOML ([wording], [sensitivity])."""
from __future__ import annotations

from pathlib import Path

import pytest

import costing
from costing import present
from costing.report.word import type_wording

ROOT = Path(__file__).resolve().parents[1]
BUS_WORDS = ("线路", "车辆", "车公里", "人车比", "客运量")


@pytest.mark.parametrize("name, own, foreign", [("sanitation_example", "保洁面积", BUS_WORDS),
                                                ("bus_example", "人车比", ("保洁", "片区"))])
def test_each_type_says_its_own_sentences(name, own, foreign):
    path = ROOT / "data" / "projects" / f"{name}.toml"
    project = costing.load_project(path)
    text = present.type_wording(project) + present.sensitivity_sentence(project)
    words = type_wording(path)  # what the Word document fills in
    assert own in text and own in "".join(words.values())
    for w in foreign:
        assert w not in text and w not in "".join(words.values()), w


def test_sensitivity_sentence_lists_the_types_factors():
    p = costing.load_project(ROOT / "data" / "projects" / "sanitation_example.toml")
    assert present.sensitivity_sentence(p) == "补贴对工资水平、保洁面积、燃料动力各自变动的反应（其他因素不变）。"


def test_no_type_no_wording():
    assert dict(type_wording(ROOT / "data" / "portfolios" / "example_portfolio.toml")) == {}
