"""The shape of a fill-in workbook: which sheet holds which table, and its headers.

Every table sheet is built from the table's :class:`costing.io.Column`
definitions (the ones the loaders validate with), so a column added to a
table appears in the workbook, in the checker and in the reader at once.
Headers are Chinese and state their unit (``票款收入（万元）``); the reader
maps them back onto the glossary identifiers exactly as :func:`costing.io.read_table`
does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import glossary
from ..intake import PREFERRED, chinese_name  # noqa: F401  (re-exported: one naming rule)

if TYPE_CHECKING:
    from ..intake import Column

INFO_SHEET = "项目信息"
GUIDE_SHEET = "填表说明"
LISTS_SHEET = "选项"
#: header of the column that marks the example rows of a blank workbook
EXAMPLE_COLUMN = "示例行"
EXAMPLE_MARK = "示例（请删除本行）"
INFO_HEADERS = ("类别", "名称", "值", "单位", "说明", "代码")
KINDS = ("bus", "sanitation", "cba", "portfolio")
#: the project types as the 项目类型 dropdown shows them (the code stays behind the label)
KIND_LABELS = {"bus": "公交运行补贴", "sanitation": "环卫保洁", "cba": "成本效益分析", "portfolio": "项目库（绩效管理全周期）"}
MONEY_UNITS = ("元", "万元", "亿元")
#: money columns of a new workbook are in 万元 (the unit bureaus budget in)
DEFAULT_MONEY_UNIT = "万元"

#: units shown in the headers of non-money columns (display only; the reader ignores them)
DISPLAY_UNITS = {
    "length_km": "km", "cycle_time_min": "分钟", "headway_peak_min": "分钟", "headway_offpeak_min": "分钟",
    "peak_hours": "小时", "offpeak_hours": "小时", "operating_days": "天", "passengers": "人次",
    "vehicle_km": "车公里", "vehicle_hours": "车小时", "vehicles": "辆", "area_m2": "平方米",
    "workers": "人", "staff": "人", "sweeps_per_day": "次/日", "m2_per_worker": "平方米/人",
    "weight": "分", "duty_completion": "比例", "satisfaction_survey": "比例",
    **{k: "分" for k in ("necessity", "economy", "target_quality", "feasibility", "compliance", "score")},
}
_CJK = re.compile("[\u4e00-\u9fff]")


@dataclass(frozen=True)
class TableSheet:
    """One table of a project on its own sheet (header in row 1, data from row 2)."""

    table: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = True
    purpose: str = ""


def header(column: Column, unit: str | None = None) -> str:
    """The Chinese header of a column, with its unit (money: ``unit`` or 万元; others: a display unit)."""
    name = chinese_name(column)
    if column.kind == "money":
        unit = unit or DEFAULT_MONEY_UNIT
    else:
        unit = unit or DISPLAY_UNITS.get(column.name)
    return f"{name}（{unit}）" if unit else name


def project_sheets(spec: dict) -> list[TableSheet]:
    """The table sheets of a bus or sanitation project (type spec merged as in :func:`load_project`)."""
    from ..schema import OPTIONAL_TABLES, table_schemas

    t = spec["type"]
    min_peers = spec.get("benchmark", {}).get("min_peers")
    what = {
        "targets": ("目标任务", f"标靶划线：{t['name']}的服务目标，每行一个对象（线路或片区），由预算单位填写。"),
        "cost_items": ("成本项目", "反推所需：每个成本项目一行，数量公式 × 单价；公式可用项目信息中的参数名；"
                                   "核定规则从下拉列表选择。"),
        "actual_costs": ("历年成本", "据实测算：近三年及以上经审计的各成本项目金额，每年每项一行。"),
        "operations": ("运营统计", "每年一行的运营数据，至少三年，年份须与历年成本一致。"),
        "peers": ("同行数据", f"横向扩展：同行单位每年一行，至少 {min_peers} 家（成本函数所需）。"),
        "peer_costs": ("同行成本", "（可选）同行单位各成本项目金额，用于按同行分位数核定。"),
        "price_index": ("价格指数", "各年居民消费价格指数与工资指数，须覆盖所有年份和价格基年。"),
        "requested": ("申报数", "预算单位对各成本项目的申报金额。"),
    }
    out = []
    for name, (cols, key) in table_schemas(spec).items():
        title, purpose = what[name]
        out.append(TableSheet(name, title, tuple(cols), tuple(key or ()), name not in OPTIONAL_TABLES, purpose))
    return out
