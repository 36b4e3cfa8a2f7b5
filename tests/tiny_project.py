"""A tiny bus project whose every figure is worked by hand in tests/test_method.py.

Two routes, six cost items, three actual years, eight peers. ``write_tiny``
writes it under a folder; ``files=`` replaces a table's text (for bad-input
tests) and ``encodings=`` writes a table in another encoding.
"""
from __future__ import annotations

from pathlib import Path

TABLES = {
    "targets.csv": """线路代码,单程长度(km),周转时间(分钟),高峰发车间隔(分钟),平峰发车间隔(分钟),高峰时长(小时),平峰时长(小时),运营天数,车型,客运量(人次)
R1,10,60,10,20,2,10,300,BEV,1000000
R2,5,45,15,15,2,10,300,diesel,500000
""",
    "cost_items.csv": """item_id,item_name,category,quantity,quantity_unit,unit_price,price_unit,price_index,cost_driver,rule
wages,驾驶员工资,人工,drivers,人,100000,元/人·年,wage,peak_vehicles,quota
social,五险一金,人工,cost_wages,元,0.3,元/元,wage,peak_vehicles,quota
energy,电费,能耗,vehicle_km_bev * 100 / 100,kWh,0.8,元/kWh,cpi,vehicle_km,quota
maintenance,维修费,维修,vehicle_km,车公里,1,元/车公里,cpi,vehicle_km,"min(actual_3yr_avg, peer_p50)"
insurance,保险,保险,vehicles,辆,1,万元/辆·年,cpi,peak_vehicles,actual_3yr_avg
management,管理费用,管理,subtotal,元,0.1,元/元,cpi,,quota
""",
    "actual_costs.csv": """年度,成本项目代码,金额（元）
2022,maintenance,360000
2023,maintenance,357000
2024,maintenance,400000
2022,insurance,100000
2023,insurance,105000
2024,insurance,110000
""",
    "operations.csv": """year,vehicle_km,vehicle_hours,vehicles,passengers,fare_revenue [万元],avg_wage [元]
2022,400000,24000,11,1600000,320,90000
2023,380000,23000,11,1550000,310,95000
2024,400000,24000,11,1500000,300,100000
""",
    "peers.csv": """peer_id,year,vehicle_km,vehicle_hours,vehicles,passengers,fare_revenue [元],total_cost [元],avg_wage [元]
P1,2024,300000,18000,8,1000000,2000000,2700000,90000
P2,2024,500000,30000,12,1500000,3000000,4600000,95000
P3,2024,800000,48000,20,2400000,4500000,7000000,100000
P4,2024,1000000,60000,25,3000000,6000000,8800000,98000
P5,2024,1200000,72000,30,3500000,7000000,10100000,105000
P6,2024,1500000,90000,36,4000000,8000000,12900000,110000
P7,2024,2000000,120000,48,5500000,11000000,16500000,102000
P8,2024,2500000,150000,60,7000000,14000000,21000000,108000
""",
    "peer_costs.csv": """peer_id,year,item_id,amount [元]
P1,2024,maintenance,180000
P2,2024,maintenance,350000
P3,2024,maintenance,640000
P4,2024,maintenance,900000
P5,2024,maintenance,1200000
P6,2024,maintenance,1650000
P7,2024,maintenance,2400000
P8,2024,maintenance,3250000
""",
    "price_index.csv": """year,cpi,wage_index
2022,100,100
2023,105,110
2024,110,121
2025,110,121
""",
    "requested.csv": """item_id,requested [元]
wages,1500000
social,450000
energy,250000
maintenance,450000
insurance,120000
management,300000
""",
}

PROJECT = """[project]
id = "tiny"
name = "测试项目"
type = "bus"
budget_year = 2025
price_year = 2025

[tables]
targets = "targets.csv"
cost_items = "cost_items.csv"
actual_costs = "actual_costs.csv"
operations = "operations.csv"
peers = "peers.csv"
peer_costs = "peer_costs.csv"
price_index = "price_index.csv"
requested = "requested.csv"

[parameters]
average_fare = 2.0
city_avg_wage = 100000.0

[money]
taxes = { amount = 1, unit = "万元" }
higher_level_subsidy = { amount = 50, unit = "万元" }
requested_subsidy = "300 万元"

[budget]
preset = "shanting"
profit_rate = 0.02
"""


def write_tiny(folder: Path, *, files: dict[str, str] | None = None, encodings: dict[str, str] | None = None,
               project: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    tables = dict(TABLES)
    tables.update(files or {})
    for name, text in tables.items():
        (folder / name).write_bytes(text.encode((encodings or {}).get(name, "utf-8")))
    p = folder / "tiny.toml"
    p.write_text(PROJECT if project is None else project, encoding="utf-8")
    return p
