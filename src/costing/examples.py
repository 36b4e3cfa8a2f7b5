"""Bundled example projects: SYNTHETIC data made by a seeded generator.

``python -m costing.examples`` (or ``make examples``) rewrites
``data/projects/{bus_example,sanitation_example}.toml`` and their tables under
``data/raw/``. The numbers are invented for teaching and testing: a fictional
district (示例区) with about 200 buses (mostly battery-electric), 20 routes,
12 million vehicle-km and 15 million passengers a year, five years of
actuals and 18 peer districts; and a sanitation-cleaning project for the
same district. No real operator's data is included.

The same seed gives byte-identical CSV files (tests check this) and
cell-identical XLSX files. The files deliberately exercise the readers:
Chinese and English headers, a GBK-encoded CSV, an XLSX sheet, money in
元 and 万元.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from .outputs import normalize_xlsx

SEED = 20260101
BUDGET_YEAR = 2026
ACTUAL_YEARS = [2021, 2022, 2023, 2024, 2025]
PEER_YEAR = 2024
# Price indices (2021 = 100): CPI about 0-2% a year, average wage about 5%.
CPI = {2021: 100.0, 2022: 102.0, 2023: 102.2, 2024: 102.4, 2025: 102.3, 2026: 103.8}
WAGE = {2021: 100.0, 2022: 105.3, 2023: 110.2, 2024: 115.1, 2025: 120.4, 2026: 125.8}

DISTRICTS = ["东城区", "西城区", "南湖区", "北山区", "新港区", "高新区", "滨海区", "临江区", "青山区",
             "白云区", "金水区", "长宁区", "清河区", "石桥区", "桃源区", "河西区", "龙泉区", "凤凰区"]


def _write_csv(df: pd.DataFrame, path: Path, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = df.to_csv(index=False, lineterminator="\n")
    path.write_bytes(text.encode(encoding))


def _write_xlsx(df: pd.DataFrame, path: Path, sheet: str) -> None:
    import io

    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append([v.item() if hasattr(v, "item") else v for v in row])
    ws.freeze_panes = "A2"
    wb.properties.creator = "costing.examples"
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(normalize_xlsx(buf.getvalue()))


def _price_index() -> pd.DataFrame:
    return pd.DataFrame({"年度": list(CPI), "居民消费价格指数": list(CPI.values()), "工资指数": list(WAGE.values())})


# ----------------------------------------------------------------------------- bus
BUS_PARAMS = {
    "average_fare": 1.80,          # 元 per passenger, after transfers and concessions
    "city_avg_wage": 105000.0,     # 元/人·年, city average wage (budget year)
    "driver_wage_factor": 1.05,
    "staff_wage_factor": 0.95,
    "social_insurance_rate": 0.32,  # 五险一金 on wages
    "energy_per_100km_bev": 95.0,  # kWh/100km
    "energy_per_100km_diesel": 32.0,  # L/100km
    "energy_per_100km_cng": 38.0,  # m³/100km
    "electricity_price": 0.85,     # 元/kWh
    "diesel_price": 7.60,          # 元/L
    "cng_price": 4.20,             # 元/m³
    "bev_price": 1250000.0,        # 元/辆
    "diesel_bus_price": 520000.0,
    "cng_bus_price": 600000.0,
    "grant_share_bev": 0.60,       # share of BEV fleet bought with government grants (not depreciated)
    "salvage_rate": 0.05,
    "bev_life_years": 8.0,
    "diesel_life_years": 8.0,
    "depot_area_m2": 30000.0,
    "management_rate": 0.08,
    "free_ride_trips": 2600000.0,   # elderly free rides a year (policy-loss preset)
    "concession_trips": 1800000.0,  # student half fares a year
    "concession_discount": 0.5,
}

BUS_ITEMS = [
    # item_id, name, category, quantity, quantity unit, unit price, price unit, index, driver, rule
    ("driver_wages", "驾驶员工资", "人工", "drivers", "人", "city_avg_wage * driver_wage_factor", "元/人·年", "wage", "peak_vehicles", "quota"),
    ("staff_wages", "管理及辅助人员工资", "人工", "staff", "人", "city_avg_wage * staff_wage_factor", "元/人·年", "wage", "peak_vehicles", "min(actual_3yr_avg, quota)"),
    ("social_insurance", "五险一金", "人工", "cost_driver_wages + cost_staff_wages", "元", "social_insurance_rate", "元/元", "wage", "peak_vehicles", "quota"),
    ("energy_bev", "电费（纯电动）", "能耗", "vehicle_km_bev * energy_per_100km_bev / 100", "kWh", "electricity_price", "元/kWh", "cpi", "vehicle_km", "quota"),
    ("energy_diesel", "燃油费（柴油）", "能耗", "vehicle_km_diesel * energy_per_100km_diesel / 100", "L", "diesel_price", "元/L", "cpi", "vehicle_km", "quota"),
    ("energy_cng", "燃气费（压缩天然气）", "能耗", "vehicle_km_cng * energy_per_100km_cng / 100", "m³", "cng_price", "元/m³", "cpi", "vehicle_km", "quota"),
    ("maintenance", "车辆维修费", "维修", "vehicle_km", "车公里", "1.05", "元/车公里", "cpi", "vehicle_km", "min(actual_3yr_avg, peer_p50)"),
    ("tyres", "轮胎费", "维修", "vehicle_km", "车公里", "0.12", "元/车公里", "cpi", "vehicle_km", "actual_3yr_avg"),
    ("depreciation_bev", "车辆折旧（纯电动，非政府补助部分）", "折旧", "vehicles_bev * (1 - grant_share_bev)", "辆", "bev_price * (1 - salvage_rate) / bev_life_years", "元/辆·年", "none", "peak_vehicles", "quota"),
    ("depreciation_other", "车辆折旧（柴油车及燃气车）", "折旧", "vehicles_diesel + vehicles_cng", "辆", "(diesel_bus_price * vehicles_diesel + cng_bus_price * vehicles_cng) / max(vehicles_diesel + vehicles_cng, 1) * (1 - salvage_rate) / diesel_life_years", "元/辆·年", "none", "peak_vehicles", "quota"),
    ("insurance", "车辆保险", "保险", "vehicles", "辆", "1.4", "万元/辆·年", "cpi", "peak_vehicles", "min(actual_3yr_avg, peer_p50)"),
    ("depot", "场站费用", "场站", "depot_area_m2", "m²", "85", "元/m²·年", "cpi", "", "quota"),
    ("management", "管理费用", "管理", "subtotal", "元", "management_rate", "元/元", "cpi", "", "min(actual_3yr_avg, quota)"),
]


def _bus_routes(rng) -> pd.DataFrame:
    n = 20
    length = np.round(rng.uniform(9, 22, n), 1)
    speed = rng.uniform(16, 20, n)
    cycle = np.round(2 * length / speed * 60 + 10)
    head_peak = rng.choice([12, 12, 15, 15], n).astype(float)
    head_off = head_peak + rng.choice([4, 6, 8], n)
    vtype = np.array(["BEV"] * 16 + ["diesel"] * 3 + ["CNG"])
    pax = np.round(rng.uniform(0.55, 0.95, n) * 1e6, -3)
    return pd.DataFrame({
        "线路代码": [f"R{i + 1:02d}" for i in range(n)],
        "线路名称": [f"{i + 1}路" for i in range(n)],
        "单程长度(km)": length, "周转时间(分钟)": cycle, "高峰发车间隔(分钟)": head_peak,
        "平峰发车间隔(分钟)": head_off, "高峰时长(小时)": 4.0, "平峰时长(小时)": 10.0,
        "运营天数": 365, "车型": vtype, "客运量(人次)": pax,
    })


def write_bus(root: Path, seed: int = SEED) -> Path:
    """Write the bus example under ``root`` (a ``data/`` folder); return the project file."""
    rng = np.random.default_rng(seed)
    raw = root / "raw" / "bus_example"
    routes = _bus_routes(rng)
    _write_csv(routes, raw / "targets.csv")
    items = pd.DataFrame(BUS_ITEMS, columns=["成本项目代码", "成本项目", "类别", "数量公式", "数量单位", "单价",
                                             "单价单位", "价格指数类型", "成本动因", "核定规则"])
    _write_csv(items, raw / "cost_items.csv")
    _write_csv(_price_index(), raw / "price_index.csv")

    # Provisional files so the generator can back-calculate the plan with the method itself.
    proj_file = root / "projects" / "bus_example.toml"
    tmp = _project_toml("bus", {"targets": "../raw/bus_example/targets.csv",
                                "cost_items": "../raw/bus_example/cost_items.csv"}, BUS_PARAMS, {})
    tmp_path = root / "projects" / "_plan.toml"  # never written: only its folder resolves paths
    tmp_path.parent.mkdir(parents=True, exist_ok=True)
    plan = _plan_only(tmp, tmp_path, "bus")

    vkm, pax, veh = plan["drivers"]["vehicle_km"], plan["drivers"]["passengers"], plan["drivers"]["vehicles"]
    need = plan["need"]  # item -> cost [元] at budget-year prices
    # Actuals: the operator's costs ran above the standard and grew faster than prices,
    # while ridership fell (the cost-plus pattern the diagnostic looks for).
    ops_rows, cost_rows = [], []
    for k, y in enumerate(ACTUAL_YEARS):
        scale_km = 0.94 + 0.015 * k + rng.normal(0, 0.005)
        y_vkm = vkm * scale_km
        y_pax = pax * (1.12 - 0.035 * k) * (1 + rng.normal(0, 0.01))
        y_veh = round(veh * (0.95 + 0.012 * k))
        ops_rows.append({"year": y, "vehicle_km": round(y_vkm), "vehicle_hours": round(y_vkm / 16.8),
                         "vehicles": y_veh, "passengers": round(y_pax, -3),
                         "fare_revenue [万元]": round(y_pax * BUS_PARAMS["average_fare"] / 1e4, 2),
                         "other_revenue [万元]": round(230 + 10 * k + rng.normal(0, 5), 2),
                         "higher_level_subsidy [万元]": round(1150 + 20 * k, 2),
                         "avg_wage [元]": round(BUS_PARAMS["city_avg_wage"] * WAGE[y] / WAGE[BUDGET_YEAR] * 1.02, 0)})
        for item, cost26 in need.items():
            deflate = _deflator(item, y)
            drift = 1.02 + 0.025 * k  # real cost creep
            noise = 1 + rng.normal(0, 0.03)
            cost_rows.append({"年度": y, "成本项目代码": item,
                              "金额（万元）": round(cost26 * scale_km * deflate * drift * noise / 1e4, 2)})
    ops = pd.DataFrame(ops_rows)
    _write_csv(ops, raw / "operations.csv")
    _write_csv(pd.DataFrame(cost_rows), raw / "actual_costs.csv", encoding="gbk")  # GBK on purpose

    # Peers: 18 districts in PEER_YEAR; unit cost about 9 元/车公里 with scale and wage effects.
    n = len(DISTRICTS)
    p_vkm = np.round(np.exp(rng.normal(np.log(1.0e7), 0.55, n)), -3)
    p_veh = np.round(p_vkm / rng.uniform(52000, 68000, n))
    p_wage = np.round(95000 * np.exp(rng.normal(0, 0.12, n)) * WAGE[PEER_YEAR] / WAGE[BUDGET_YEAR], 0)
    unit = 9.0 * (p_vkm / 1e7) ** -0.06 * (p_wage / 90000) ** 0.45 * np.exp(rng.normal(0, 0.07, n))
    p_cost = unit * p_vkm
    p_pax = np.round(p_vkm * rng.uniform(0.9, 1.6, n), -3)
    p_fare = p_pax * rng.uniform(1.5, 2.1, n)
    peers = pd.DataFrame({"同行单位代码": [f"P{i + 1:02d}" for i in range(n)], "同行单位": DISTRICTS,
                          "年度": PEER_YEAR, "车公里": p_vkm, "车小时": np.round(p_vkm / rng.uniform(15, 19, n)),
                          "车辆数": p_veh, "客运量": p_pax, "票款收入（万元）": np.round(p_fare / 1e4, 2),
                          "总成本（万元）": np.round(p_cost / 1e4, 2), "平均工资（元）": p_wage})
    _write_xlsx(peers, raw / "peers.xlsx", "同行数据")
    shares = pd.Series(need) / sum(need.values())
    pc_rows = []
    for i in range(n):
        w = shares.to_numpy() * np.exp(rng.normal(0, 0.12, len(shares)))
        w = w / w.sum()
        for item, s in zip(shares.index, w):
            if item in ("maintenance", "tyres", "insurance", "management", "driver_wages", "staff_wages"):
                pc_rows.append({"peer_id": f"P{i + 1:02d}", "year": PEER_YEAR, "item_id": item,
                                "amount [万元]": round(p_cost[i] * s / 1e4, 2)})
    _write_csv(pd.DataFrame(pc_rows), raw / "peer_costs.csv")

    # The operator's request: last year's actual costs grown 8%, rounded to 万元.
    last = pd.DataFrame(cost_rows)
    last = last[last["年度"] == ACTUAL_YEARS[-1]].set_index("成本项目代码")["金额（万元）"]
    req = (last * 1.08).round(0)
    _write_csv(pd.DataFrame({"成本项目代码": req.index, "申报数（万元）": req.to_numpy()}), raw / "requested.csv")
    fare = pax * BUS_PARAMS["average_fare"]
    requested_subsidy = round((req.sum() * 1e4 * 1.03 + 80e4 - 0.95 * fare - 260e4 - 1250e4) / 1e4, 0)

    money = {"taxes": (80, "万元"), "other_revenue": (260, "万元"), "higher_level_subsidy": (1250, "万元"),
             "cold_route_loss": (180, "万元"), "requested_subsidy": (requested_subsidy, "万元")}
    text = _project_toml("bus", {
        "targets": "../raw/bus_example/targets.csv", "cost_items": "../raw/bus_example/cost_items.csv",
        "actual_costs": "../raw/bus_example/actual_costs.csv", "operations": "../raw/bus_example/operations.csv",
        "peers": {"path": "../raw/bus_example/peers.xlsx", "sheet": "同行数据"},
        "peer_costs": "../raw/bus_example/peer_costs.csv", "price_index": "../raw/bus_example/price_index.csv",
        "requested": "../raw/bus_example/requested.csv"}, BUS_PARAMS, money,
        name="示例区公交运行补贴（2026年度，合成数据）", pid="bus_example",
        extra='[budget]\npreset = "shanting"\nprofit_rate = 0.02\n\n'
              '[performance_targets]\npunctuality = { label = "准点率", target = 0.95, unit = "fraction" }\n'
              'accidents_per_10k_km = { label = "万公里事故率", target = 0.05, unit = "次/万公里", direction = "lower" }\n'
              'satisfaction = { label = "乘客满意度", target = 0.90, unit = "fraction" }\n')
    proj_file.write_text(text, encoding="utf-8")
    return proj_file


def _deflator(item: str, year: int) -> float:
    """Price level of ``year`` relative to the budget year for the item's index (wage, CPI or none)."""
    kind = next((row[7] for row in BUS_ITEMS + SAN_ITEMS if row[0] == item), "cpi")
    idx = {"wage": WAGE, "cpi": CPI, "none": None}[kind]
    return idx[year] / idx[BUDGET_YEAR] if idx else 1.0


def _toml_value(v) -> str:
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _project_toml(ptype, tables, params, money, *, name="tmp", pid="tmp", extra="") -> str:
    lines = ["# SYNTHETIC example project, written by `python -m costing.examples` (seeded).",
             "# The district (示例区) and every figure are invented for teaching and testing.", "",
             "[project]", f'id = "{pid}"', f'name = "{name}"', f'type = "{ptype}"',
             f"budget_year = {BUDGET_YEAR}", f"price_year = {BUDGET_YEAR}", "synthetic = true", "", "[tables]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in tables.items()]
    lines += ["", "[parameters]"] + [f"{k} = {_toml_value(float(v))}" for k, v in params.items()]
    if money:
        lines += ["", "# Money with its unit: 元, 万元 or 亿元.", "[money]"]
        lines += [f'{k} = {{ amount = {float(a)!r}, unit = "{u}" }}' for k, (a, u) in money.items()]
    return "\n".join(lines) + "\n\n" + extra


def _plan_only(text: str, path: Path, ptype: str) -> dict:
    """Run steps 1-2 on a partial project (targets and cost items only)."""
    import tomllib

    from .method import back_calculate, set_target
    from .project import Project, load_type, _columns
    from .io import read_table
    from .project import COST_ITEM_COLUMNS

    data = tomllib.loads(text)
    spec = load_type(ptype)
    base = path.parent
    t, tm = read_table(base / data["tables"]["targets"], _columns(spec["targets"]["columns"]))
    c, cm = read_table(base / data["tables"]["cost_items"], COST_ITEM_COLUMNS)
    params = dict(spec.get("parameters", {}))
    params.update(data["parameters"])
    proj = Project(id="tmp", name="tmp", path=path, spec=spec, budget_year=BUDGET_YEAR, price_year=BUDGET_YEAR,
                   parameters=params, money={}, tables={"targets": t, "cost_items": c},
                   meta={"targets": tm, "cost_items": cm})
    target = set_target(proj)
    need = back_calculate(target, proj)
    return {"drivers": target.drivers, "need": need.items["cost"].to_dict()}


# ----------------------------------------------------------------------------- sanitation
SAN_PARAMS = {
    "city_avg_wage": 105000.0,
    "worker_wage_factor": 0.62,
    "supervisor_wage_factor": 1.0,
    "social_insurance_rate": 0.32,
    "m2_per_sweeper": 60000.0,       # m² of main and secondary roads one sweeper truck covers
    "sweeper_fuel_l": 9000.0,        # L a year per sweeper
    "diesel_price": 7.60,
    "water_power_per_m2": 0.12,      # 元/m²·年
    "sweeper_price": 450000.0,
    "salvage_rate": 0.05,
    "sweeper_life_years": 8.0,
    "tools_per_worker": 1500.0,      # 元/人·年
    "sweeper_maintenance": 30000.0,  # 元/台·年
    "management_rate": 0.06,
}

SAN_ITEMS = [
    ("worker_wages", "保洁员工资", "人工", "workers", "人", "city_avg_wage * worker_wage_factor", "元/人·年", "wage", "area_m2", "quota"),
    ("supervisor_wages", "管理人员工资", "人工", "supervisors", "人", "city_avg_wage * supervisor_wage_factor", "元/人·年", "wage", "area_m2", "min(actual_3yr_avg, quota)"),
    ("social_insurance", "五险一金", "人工", "cost_worker_wages + cost_supervisor_wages", "元", "social_insurance_rate", "元/元", "wage", "area_m2", "quota"),
    ("sweeper_fuel", "洗扫车燃油", "能耗", "sweepers * sweeper_fuel_l", "L", "diesel_price", "元/L", "cpi", "area_m2", "quota"),
    ("water_power", "水电费", "能耗", "area_m2", "m²", "water_power_per_m2", "元/m²·年", "cpi", "area_m2", "min(actual_3yr_avg, quota)"),
    ("sweeper_depreciation", "洗扫车折旧", "折旧", "sweepers", "台", "sweeper_price * (1 - salvage_rate) / sweeper_life_years", "元/台·年", "none", "", "quota"),
    ("sweeper_maintenance", "洗扫车维修", "维修", "sweepers", "台", "sweeper_maintenance", "元/台·年", "cpi", "", "min(actual_3yr_avg, peer_p50)"),
    ("tools", "工具及耗材", "物料", "workers", "人", "tools_per_worker", "元/人·年", "cpi", "area_m2", "min(actual_3yr_avg, peer_p50)"),
    ("management", "管理费用", "管理", "subtotal", "元", "management_rate", "元/元", "cpi", "", "min(actual_3yr_avg, quota)"),
]


def write_sanitation(root: Path, seed: int = SEED + 1) -> Path:
    """Write the sanitation example under ``root``; return the project file."""
    rng = np.random.default_rng(seed)
    raw = root / "raw" / "sanitation_example"
    n = 12
    classes = np.array(["主干道", "主干道", "次干道", "次干道", "次干道", "支路", "支路", "支路", "支路",
                        "背街小巷", "背街小巷", "背街小巷"])
    area = np.round(rng.uniform(150000, 400000, n), -3)
    zones = pd.DataFrame({"片区代码": [f"Z{i + 1:02d}" for i in range(n)], "片区名称": [f"第{i + 1}片区" for i in range(n)],
                          "保洁面积(m²)": area, "road_class": classes,
                          "sweeps_per_day": np.where(np.isin(classes, ["主干道", "次干道"]), 2.0, 1.0),
                          "运营天数": 365,
                          "m2_per_worker": np.where(classes == "主干道", 30000.0,
                                                    np.where(classes == "次干道", 24000.0,
                                                             np.where(classes == "支路", 14000.0, 9000.0)))})
    _write_csv(zones, raw / "targets.csv")
    items = pd.DataFrame(SAN_ITEMS, columns=["item_id", "item_name", "category", "quantity", "quantity_unit",
                                             "unit_price", "price_unit", "price_index", "cost_driver", "rule"])
    _write_csv(items, raw / "cost_items.csv")
    _write_csv(_price_index(), raw / "price_index.csv")
    tmp_path = root / "projects" / "_plan.toml"
    tmp_path.parent.mkdir(parents=True, exist_ok=True)
    plan = _plan_only(_project_toml("sanitation", {"targets": "../raw/sanitation_example/targets.csv",
                                                   "cost_items": "../raw/sanitation_example/cost_items.csv"},
                                    SAN_PARAMS, {}), tmp_path, "sanitation")
    d, need = plan["drivers"], plan["need"]
    ops_rows, cost_rows = [], []
    for k, y in enumerate(ACTUAL_YEARS):
        s = 0.92 + 0.02 * k
        ops_rows.append({"year": y, "area_m2": round(d["area_m2"] * s, -3), "workers": round(d["workers"] * s * 1.04),
                         "avg_wage [元]": round(SAN_PARAMS["city_avg_wage"] * 0.64 * WAGE[y] / WAGE[BUDGET_YEAR])})
        for item, c26 in need.items():
            deflate = _deflator(item, y)
            cost_rows.append({"year": y, "item_id": item,
                              "amount [元]": round(c26 * s * deflate * (1.03 + 0.01 * k) * (1 + rng.normal(0, 0.03)), 0)})
    _write_csv(pd.DataFrame(ops_rows), raw / "operations.csv")
    _write_csv(pd.DataFrame(cost_rows), raw / "actual_costs.csv")
    m = 15
    p_area = np.round(np.exp(rng.normal(np.log(2.5e6), 0.5, m)), -3)
    p_workers = np.round(p_area / rng.uniform(8000, 12000, m))
    p_wage = np.round(65000 * np.exp(rng.normal(0, 0.1, m)) * WAGE[PEER_YEAR] / WAGE[BUDGET_YEAR])
    p_unit = 10.0 * (p_area / 2.5e6) ** -0.05 * (p_wage / 62000) ** 0.5 * np.exp(rng.normal(0, 0.08, m))
    p_cost = p_unit * p_area
    peers = pd.DataFrame({"peer_id": [f"S{i + 1:02d}" for i in range(m)], "peer_name": DISTRICTS[:m], "year": PEER_YEAR,
                          "area_m2": p_area, "workers": p_workers, "total_cost [万元]": np.round(p_cost / 1e4, 2),
                          "avg_wage [元]": p_wage})
    _write_csv(peers, raw / "peers.csv")
    shares = pd.Series(need) / sum(need.values())
    pc = [{"peer_id": f"S{i + 1:02d}", "year": PEER_YEAR, "item_id": it,
           "amount [万元]": round(p_cost[i] * sh * float(np.exp(rng.normal(0, 0.1))) / 1e4, 2)}
          for i in range(m) for it, sh in shares.items() if it in ("sweeper_maintenance", "tools")]
    _write_csv(pd.DataFrame(pc), raw / "peer_costs.csv")
    last = pd.DataFrame(cost_rows)
    last = last[last["year"] == ACTUAL_YEARS[-1]].set_index("item_id")["amount [元]"]
    req = (last * 1.10 / 1e4).round(0)
    _write_csv(pd.DataFrame({"item_id": req.index, "requested [万元]": req.to_numpy()}), raw / "requested.csv")
    requested = round(req.sum() * 1.03 + 150, 0)
    text = _project_toml("sanitation", {
        "targets": "../raw/sanitation_example/targets.csv", "cost_items": "../raw/sanitation_example/cost_items.csv",
        "actual_costs": "../raw/sanitation_example/actual_costs.csv",
        "operations": "../raw/sanitation_example/operations.csv", "peers": "../raw/sanitation_example/peers.csv",
        "peer_costs": "../raw/sanitation_example/peer_costs.csv",
        "price_index": "../raw/sanitation_example/price_index.csv",
        "requested": "../raw/sanitation_example/requested.csv"}, SAN_PARAMS,
        {"taxes": (150, "万元"), "requested_subsidy": (requested, "万元")},
        name="示例区环卫保洁服务（2026年度，合成数据）", pid="sanitation_example",
        extra='[budget]\npreset = "shanting"\nprofit_rate = 0.02\n')
    path = root / "projects" / "sanitation_example.toml"
    path.write_text(text, encoding="utf-8")
    return path


def write_all(root: str | Path = "data") -> list[Path]:
    """Write every bundled cost-standard example and the example portfolio under ``root``.

    Returns the project and portfolio files. (The CBA example's cash flows are
    written by hand in ``data/raw/cba_ebus/``.)
    """
    from .performance.example import write_example

    root = Path(root)
    portfolio = root / "portfolios" / "example_portfolio.toml"
    write_example(root / "raw" / "portfolio_example", portfolio)
    return [write_bus(root), write_sanitation(root), portfolio]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m costing.examples", description=__doc__.splitlines()[0])
    ap.add_argument("--root", default="data", help="the data/ folder to write into (default: data)")
    args = ap.parse_args(argv)
    for p in write_all(args.root):
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
