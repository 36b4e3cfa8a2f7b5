"""Column vocabulary: the identifiers of ``METHOD.md`` section 4 and their aliases.

Readers rename spreadsheet headers onto these identifiers, so a budget unit can
keep its Chinese headers (``票款收入（万元）``) or use English ones
(``fare_revenue [万元]``). Matching ignores case, spaces, ``_``/``-`` and the
unit suffix in brackets. Extend :data:`ALIASES` (or pass ``aliases=`` to a
:class:`costing.io.Column`) to add a header; never rename in code elsewhere.
"""
from __future__ import annotations

import re

#: identifier -> accepted headers (Chinese and English). The identifier itself always matches.
ALIASES: dict[str, tuple[str, ...]] = {
    # identity and time
    "year": ("年度", "年份", "年"),
    "item_id": ("成本项目代码", "项目代码", "item", "cost_item"),
    "item_name": ("成本项目", "成本项目名称", "名称", "item name"),
    "category": ("类别", "成本类别", "费用类别"),
    "peer_id": ("同行单位代码", "对标单位代码", "peer", "unit_id"),
    "peer_name": ("同行单位", "对标单位", "对标单位名称"),
    "route_id": ("线路代码", "线路编号", "route"),
    "route_name": ("线路名称", "线路"),
    "zone_id": ("片区代码", "区域代码", "zone"),
    "zone_name": ("片区名称", "区域名称"),
    # bus targets
    "length_km": ("线路长度", "单程长度", "route length"),
    "cycle_time_min": ("周转时间", "单圈周转时间", "cycle time"),
    "headway_peak_min": ("高峰发车间隔", "peak headway"),
    "headway_offpeak_min": ("平峰发车间隔", "off-peak headway", "offpeak headway"),
    "peak_hours": ("高峰运营时长", "高峰时长"),
    "offpeak_hours": ("平峰运营时长", "平峰时长"),
    "operating_days": ("运营天数",),
    "vehicle_type": ("车型", "车辆类型", "能源类型"),
    # operating statistics
    "vehicle_km": ("车公里", "运营车公里", "行驶里程", "vehicle km", "vkm"),
    "vehicle_hours": ("车小时", "运营车小时", "vehicle hours"),
    "vehicles": ("车辆数", "运营车辆数", "配车数", "fleet"),
    "staff": ("职工人数", "员工人数"),
    "drivers": ("驾驶员人数", "司机人数"),
    "workers": ("作业人员数", "保洁人员数", "保洁员人数"),
    "passengers": ("客运量", "乘客人次", "ridership"),
    "fare_revenue": ("票款收入", "票款", "fares"),
    "other_revenue": ("其他业务收入", "其他收入"),
    "higher_level_subsidy": ("上级补贴", "上级补助"),
    "total_cost": ("总成本", "成本合计", "运营成本合计"),
    "avg_wage": ("平均工资", "职工平均工资", "average wage"),
    "energy_per_100km": ("百公里能耗",),
    "area_m2": ("保洁面积", "作业面积", "清扫面积", "area"),
    "road_class": ("道路等级",),
    "sweeps_per_day": ("日保洁次数", "每日保洁次数"),
    "m2_per_worker": ("人均保洁面积", "人均作业面积"),
    "road_km": ("道路长度",),
    # money and quantities in cost tables
    "amount": ("金额", "发生额", "成本"),
    "requested": ("申报数", "申报金额", "申请金额"),
    "approved": ("审定数", "审定金额"),
    "quantity": ("数量", "数量公式", "quantity formula"),
    "quantity_unit": ("数量单位",),
    "unit_price": ("单价", "标准单价", "price"),
    "price_unit": ("单价单位", "price unit"),
    "price_index": ("价格指数类型", "指数", "index"),
    "cost_driver": ("成本动因", "driver"),
    "rule": ("核定规则", "标准规则", "standard rule"),
    "cpi": ("居民消费价格指数", "CPI", "消费价格指数"),
    "wage_index": ("工资指数", "平均工资指数"),
}


def _norm(s: str) -> str:
    return re.sub(r"[\s_\-·]+", "", str(s)).lower()


_LOOKUP: dict[str, str] = {}
for _ident, _names in ALIASES.items():
    _LOOKUP[_norm(_ident)] = _ident
    for _n in _names:
        _LOOKUP[_norm(_n)] = _ident

_UNIT_RE = re.compile(r"^(?P<name>.*?)\s*[\(（\[【]\s*(?P<unit>[^\)）\]】]*?)\s*[\)）\]】]\s*$")


def split_header(header: str) -> tuple[str, str | None]:
    """Split ``'票款收入（万元）'`` into ``('票款收入', '万元')``; no brackets gives ``(header, None)``."""
    h = str(header).strip()
    m = _UNIT_RE.match(h)
    if m and m.group("name"):
        return m.group("name").strip(), (m.group("unit").strip() or None)
    return h, None


def identifier(name: str, extra: dict[str, str] | None = None) -> str | None:
    """The glossary identifier for a header name (without its unit), or None if unknown."""
    key = _norm(name)
    if extra and key in extra:
        return extra[key]
    return _LOOKUP.get(key)
