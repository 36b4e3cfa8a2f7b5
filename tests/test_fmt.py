"""The one formatter (costing.fmt): kinds, half-away-from-zero rounding, Excel formats that show the same."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from openpyxl import Workbook

from costing import fmt as F
from costing import present
from costing.report import word


@pytest.mark.parametrize("value, kind, shown", [
    (9.03125, "unit_cost", "9.0313"),      # exactly representable tie: away from zero (float round gives 9.0312)
    (-9.03125, "unit_cost", "-9.0313"),    # away from zero on the negative side too
    (2.675, "money", "2.68"),              # repr 2.675 (binary 2.67499999...): the reader's 2.675 rounds up
    (1234567.891, "money", "1,234,567.89"),
    (-0.004, "money", "0.00"),             # no "-0.00"
    (0.30403, "rate", "30.40%"),
    (0.000125, "rate", "0.01%"),           # 0.0125% -> 0.01% (tie goes away from zero)
    (72.0, "percent", "72.00%"),           # a number already in percent (the life-cycle workbooks)
    (1234, "count", "1,234"),
    (274.3, "count", "274.3"),             # a staff need that is not whole keeps one decimal
    (87.5, "score", "87.50"),
    (0.8725, "coef", "0.873"),
    (2026, "plain", "2026"),
    (float("nan"), "money", "—"),
    (None, "rate", "—"),
    (True, "count", "是"),
    ("城市公交", "money", "城市公交"),
    (dt.date(2026, 9, 30), "date", "2026年9月30日"),
])
def test_fmt_by_kind(value, kind, shown):
    assert F.fmt(value, kind) == shown


def test_half_away_from_zero_is_not_float_round():
    assert round(9.03125, 4) == 9.0312            # Python: half to even on the binary value
    assert F.round_half_up(9.03125, 4) == 9.0313  # ours: the rule of the accounting standard / Excel ROUND
    assert F.round_half_up(-0.125, 2) == -0.13
    assert math.isnan(F.round_half_up(float("nan"), 2))


def test_kind_of_declared_units():
    assert F.kind_of("元/车公里") == "unit_cost" and F.kind_of("元/m²·年") == "unit_cost"
    assert F.kind_of("元/辆") == "money" and F.kind_of("元/人·年") == "money"   # per vehicle / worker: money-sized
    assert F.kind_of("万元") == "money" and F.kind_of("fraction") == "rate" and F.kind_of("%") == "rate"
    assert F.kind_of("辆") == "count" and F.kind_of("分") == "score" and F.kind_of("plain") == "plain"
    assert F.kind_of("km") is None and F.kind_of(None) is None


def test_figures_money_in_wan():
    # 67,582,586.43 元 / 10,000 = 6,758.258643 万元 -> 6,758.26
    assert F.fmt_figure(67582586.43, "元") == ("6,758.26", "万元")
    assert F.fmt_figure(0.259611, "fraction") == ("25.96%", "")
    assert F.fmt_figure(9.305049, "元/车公里") == ("9.3050", "元/车公里")
    assert F.fmt_figure(2026, "plain") == ("2026", "")
    assert F.fmt_money(123456789.0) == "12,345.68" and F.fmt_rate(0.30403) == "30.40%"


def test_every_surface_calls_the_one_formatter():
    """HTML (present), Word (word.show_value / Figure) and the units helpers show 9.03125 alike."""
    assert present.fmt_value(9.03125, "unit_cost") == "9.0313"
    assert word.show_value(9.03125, "unit_cost") == "9.0313"
    assert word.Figure(9.03125, "元/车公里") == "9.0313"
    from costing.units import fmt_money, fmt_rate

    assert fmt_money(90312.5, decimals=4) == "9.0313" and fmt_rate(0.0903125, 4) == "9.0313%"
    df = pd.DataFrame({"单位成本": [9.03125]})
    df.attrs["units"] = {"单位成本": "元/车公里"}
    assert present.reader_frame(df)["单位成本"].tolist() == ["9.0313"]


def test_header_text_is_never_read():
    """A column named like a rate but declared as nothing stays a number: the builder declares units."""
    df = pd.DataFrame({"审减率": [0.25], "年份": [2024]})
    assert present.reader_frame(df).iloc[0].tolist() == ["0.25", "2,024"]
    assert present.reader_frame(df, {"审减率": "fraction", "年份": "plain"}).iloc[0].tolist() == ["25.00%", "2024"]


@pytest.mark.parametrize("kind, value", [("money", 1234567.891), ("unit_cost", 9.03125), ("rate", 0.30403),
                                         ("count", 274.3), ("count", 1234), ("score", 87.5), ("plain", 2026),
                                         ("coef", 0.8725)])
def test_excel_format_matches_the_text(kind, value):
    """The format the workbook writes is the one that shows the formatter's text (checked by the
    render test in LibreOffice; here: the format is the kind's, with one decimal for a non-whole count)."""
    f = F.excel_format(kind, value)
    assert f == {"money": "#,##0.00", "unit_cost": "#,##0.0000", "rate": "0.00%", "score": "0.00",
                 "plain": "0", "coef": "0.000"}.get(kind, "#,##0.0" if value == 274.3 else "#,##0")
    ws = Workbook().active
    ws["A1"] = value
    ws["A1"].number_format = f
    assert ws["A1"].value == value  # the cell keeps the number


def test_life_cycle_workbook_formats_come_from_declared_kinds():
    """to_display declares its columns' kinds; the life-cycle workbooks format by them."""
    from openpyxl import Workbook

    from costing.performance.display import to_display
    from costing.performance.excel import add_table_sheet

    df = pd.DataFrame({"budget": [12345678.9], "execution_rate": [0.7234], "score": [87.5], "prev_year": [2024]})
    shown = to_display(df)
    assert shown.attrs["units"] == {"全年预算数（万元）": "万元", "预算执行率（%）": "percent", "得分": "score",
                                    "上年评价年度": "plain"}
    wb = Workbook()
    add_table_sheet(wb, "t", shown)
    row = [c for c in wb["t"][2]]
    # 12,345,678.9 元 = 1,234.56789 万元 -> rounded for display to 1,234.57 (a number in the cell)
    assert [c.number_format for c in row] == ["#,##0.00", '0.00"%"', "0.00", "0"]
    assert row[0].value == pytest.approx(1234.57) and row[3].value == 2024
