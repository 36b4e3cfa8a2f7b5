"""The bundled SYNTHETIC example portfolio, and generated portfolios for benchmarks.

Everything here is invented (seeded random numbers around the indicator
library's suggested targets); it describes no real bureau. Re-create the
committed files with::

    PYTHONPATH=src python -m costing.performance.example

which rewrites ``data/portfolios/example_portfolio.toml`` and
``data/raw/portfolio_example/*`` byte for byte (the .xlsx is written with
fixed zip timestamps and document dates so that it is reproducible).

:func:`generate_frames` / :func:`generate_portfolio` build a portfolio of any
size in memory (money in 元) for the benchmark.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from .._paths import repo_root
from ..outputs import normalize_xlsx
from .indicators import load_library
from .portfolio import EX_ANTE_DIMENSIONS, Portfolio, build_portfolio

SEED = 20260930
BUDGET_YEAR = 2026
ROOT = repo_root() or Path.cwd()  # the checkout's data/ (installed: the current folder's)
RAW_DIR = ROOT / "data" / "raw" / "portfolio_example"
PORTFOLIO_FILE = ROOT / "data" / "portfolios" / "example_portfolio.toml"

#: indicator codes chosen from the library per project type (outputs, benefits, satisfaction)
TEMPLATES: dict[str, list[str]] = {
    "bus_subsidy": ["BUS-01", "BUS-03", "BUS-04", "BUS-05", "BUS-08", "BUS-10", "BUS-12", "BUS-14", "BUS-15"],
    "sanitation": ["SAN-01", "SAN-02", "SAN-03", "SAN-04", "SAN-05", "SAN-06", "SAN-07", "SAN-08", "SAN-09", "SAN-10"],
    # same shape as the sanitation template (ten rows, the qualitative one ninth), so the seeded draws of
    # every other project stay where they were
    "public_toilet": ["PT-01", "PT-02", "PT-03", "PT-04", "PT-05", "PT-06", "PT-07", "PT-08", "PT-09", "PT-10"],
    "waste_sorting": ["WS-01", "WS-02", "WS-03", "WS-04", "WS-05", "WS-06", "WS-07", "WS-08", "WS-09", "WS-10"],
    "generic": ["GEN-01", "GEN-03", "GEN-04", "GEN-05", "GEN-07", "GEN-09", "GEN-10"],
}

DEPARTMENTS = [
    # id, name, staff, basic budget [万元], duty completion, survey
    ("D01", "区交通运输局", 86, 2350.0, 0.96, 0.91),
    ("D02", "区城市管理局", 142, 3980.0, 0.92, 0.87),
    ("D03", "区民政局", 64, 1620.0, 0.98, 0.93),
]
PROJECTS = [
    # department, type, name, implementing unit
    ("D01", "bus_subsidy", "城市公交运行补贴", "区公共交通集团有限公司"),
    ("D01", "generic", "农村客运班线补贴", "区交通运输局"), ("D01", "generic", "公交站亭改造", "区交通运输局"),
    ("D01", "generic", "道路养护专项", "区公路事业发展中心"), ("D01", "generic", "交通安全设施完善", "区交通运输局"),
    ("D01", "generic", "智慧交通平台运维", "区交通信息中心"), ("D01", "generic", "出租车行业监管", "区运输管理所"),
    ("D01", "generic", "桥梁定期检测", "区公路事业发展中心"), ("D01", "generic", "慢行系统建设", "区交通运输局"),
    ("D01", "generic", "老年人免费乘车专项", "区公共交通集团有限公司"),
    ("D02", "sanitation", "城区道路清扫保洁", "区环境卫生服务中心"),
    ("D02", "sanitation", "生活垃圾收运处置", "区环境卫生服务中心"),
    ("D02", "public_toilet", "公厕运营管理", "区环境卫生服务中心"),
    ("D02", "waste_sorting", "垃圾分类推广", "区城市管理局"), ("D02", "generic", "园林绿化养护", "区园林绿化中心"),
    ("D02", "generic", "城市照明运维", "区市政设施管理处"), ("D02", "generic", "市政设施维修", "区市政设施管理处"),
    ("D02", "generic", "违建治理", "区城市管理综合执法大队"), ("D02", "generic", "数字城管运行", "区数字化城市管理中心"),
    ("D02", "generic", "河道保洁", "区环境卫生服务中心"),
    ("D03", "generic", "城乡低保资金", "区民政局"), ("D03", "generic", "特困人员供养", "区民政局"),
    ("D03", "generic", "居家养老服务补贴", "区养老服务中心"), ("D03", "generic", "社区养老服务站运营", "区养老服务中心"),
    ("D03", "generic", "残疾人两项补贴", "区民政局"), ("D03", "generic", "临时救助", "区民政局"),
    ("D03", "generic", "殡葬惠民补助", "区殡葬管理所"), ("D03", "generic", "社会组织培育", "区民政局"),
    ("D03", "generic", "儿童福利保障", "区儿童福利院"), ("D03", "generic", "婚姻登记服务", "区婚姻登记处"),
]


def generate_frames(n_projects: int = 30, *, n_indicators: int | None = None, seed: int = SEED,
                    departments=DEPARTMENTS, projects=PROJECTS) -> dict[str, pd.DataFrame]:
    """Synthetic portfolio tables with glossary column names, money in 元.

    Parameters
    ----------
    n_projects : int
        Number of projects; the first ``len(projects)`` use the named list,
        further ones are generic projects spread over the departments.
    n_indicators : int, optional
        Indicators per project: each type's template cycled to this length
        (weights then given explicitly). None keeps each type's template.
    seed : int

    Returns
    -------
    dict of DataFrame
        Keys ``departments, projects, indicators, ex_ante_scores, spending,
        previous_evaluation``.
    """
    rng = np.random.default_rng(seed)
    extra = np.random.default_rng(seed + 2)  # draws added later, so the other streams (and their figures) stay put
    lib = load_library().drop_duplicates("indicator_id").set_index("indicator_id")
    dep = pd.DataFrame(departments, columns=["department_id", "department_name", "staff", "basic_budget",
                                             "duty_completion", "satisfaction_survey"])
    dep["basic_budget"] = dep["basic_budget"] * 1e4
    dep["basic_spent"] = np.round(dep["basic_budget"] * rng.uniform(0.93, 0.99, len(dep)) / 100) * 100
    dep = dep[["department_id", "department_name", "staff", "basic_budget", "basic_spent",
               "duty_completion", "satisfaction_survey"]]
    dept_targets = _department_inputs(dep, np.random.default_rng(seed + 2))
    # 信息公开完成率 (绩效管理工作考核): fixed, no draw; the third department left blank on purpose (缺少数据)
    dep["disclosure"] = dep["department_id"].map(DISCLOSURE)

    rows = []
    for k in range(n_projects):
        if k < len(projects):
            d, typ, name, unit = projects[k]
        else:
            d, typ = dep["department_id"].iloc[k % len(dep)], "generic"
            name, unit = f"合成项目{k + 1:05d}", "合成实施单位"
        rows.append((f"P{k + 1:03d}" if n_projects < 1000 else f"P{k + 1:05d}", name, d, typ, unit))
    prj = pd.DataFrame(rows, columns=["project_id", "project_name", "department_id", "project_type",
                                      "implementing_unit"])
    n = len(prj)
    requested = np.round(np.exp(rng.normal(np.log(800), 0.9, n)), 0) * 1e4      # 元, whole 万元
    requested[(prj["project_type"] == "bus_subsidy").to_numpy()] = 12000e4
    cut = rng.uniform(0.0, 0.45, n)
    approved = np.round(requested * (1 - cut) / 1e4, 0) * 1e4
    budget = np.round(approved * rng.choice([1.0, 1.0, 1.0, 0.95, 1.05], n) / 1e4, 0) * 1e4
    prj["requested"], prj["approved"], prj["budget_initial"], prj["budget"] = requested, approved, approved, budget
    prj["annual_goal"] = [f"按期完成{nm}年度任务，资金使用规范高效，服务对象满意度不低于90%。（合成示例）"
                          for nm in prj["project_name"]]

    # spending: cumulative month-end amounts; pace < 1 means slow execution
    pace = rng.choice([1.0, 0.95, 0.9, 0.55, 0.45], n, p=[0.4, 0.25, 0.15, 0.12, 0.08])
    final = np.clip(rng.normal(0.93, 0.05, n) * np.where(pace < 0.6, 0.8, 1.0), 0.5, 1.0)
    months = pd.date_range(f"{BUDGET_YEAR}-01-31", periods=12, freq="ME")
    frac = np.arange(1, 13) / 12
    sp_rows = []
    for i in range(n):
        path = final[i] * np.minimum(1.0, frac ** (1 / pace[i] if pace[i] >= 1 else 1 + 2.2 * (1 - pace[i])))
        path = np.maximum.accumulate(path)
        for m, f in zip(months, path):
            sp_rows.append((prj["project_id"].iat[i], m.strftime("%Y-%m-%d"), np.round(budget[i] * f / 100) * 100))
    sp = pd.DataFrame(sp_rows, columns=["project_id", "date", "spent"])
    # the units' 全年预计执行数 on their monitoring forms (30 June and 30 September), a separate
    # random stream so the other figures do not move; two projects leave it blank in September
    rng2 = np.random.default_rng(seed + 1)
    sp["forecast"] = np.nan
    for date in (f"{BUDGET_YEAR}-06-30", f"{BUDGET_YEAR}-09-30"):
        at = (sp["date"] == date).to_numpy()
        fc = np.minimum(final * rng2.normal(1.0, 0.04, n), 1.0) * budget
        sp.loc[at, "forecast"] = np.round(fc / 100) * 100
    if 30 <= n < 1000:  # the bundled example's named cases: two units never report it
        sp.loc[sp["project_id"].isin(["P007", "P024"]), "forecast"] = np.nan

    # indicators
    lib_rows = lib.to_dict("index")     # plain dicts: a pandas lookup per indicator is slow at 50,000 rows
    ind_rows = []
    behind = rng.random(n) < 0.2
    for i in range(n):
        typ = prj["project_type"].iat[i]
        codes = TEMPLATES[typ]
        if n_indicators is not None:  # the type's template cycled to the requested length
            codes = [codes[j % len(codes)] for j in range(n_indicators)]
        for j, code in enumerate(codes):
            li = lib_rows[code]
            # a cycled template repeats codes: the repeats get their own name (三级指标)
            level3 = li["level3"] if j < len(TEMPLATES[typ]) else f"{li['level3']}（{j // len(TEMPLATES[typ]) + 1}）"
            row = dict(project_id=prj["project_id"].iat[i], indicator_id=code, level3=level3)
            if li["direction"] == "qualitative":
                band = rng.choice(["达成", "达成", "达成", "部分达成", "未达成"])
                row.update(target=li["suggested_target"], actual_to_date=np.nan, final_actual=np.nan, band=band)
            else:
                base = float(li["suggested_target"])
                scale = 1.0 if li["unit"] in ("%", "元/车公里", "元/平方米·年", "次/万公里", "元/座·年", "元/户·年") else rng.choice([0.5, 1, 2])
                target = float(np.round(base * scale, 2))
                tp = 273 / 365 if li["progress"] == "cumulative" else 1.0
                f_td = rng.normal(0.97, 0.06) * (0.7 if behind[i] else 1.0)
                f_fin = rng.normal(0.99, 0.05) * (0.85 if behind[i] else 1.0)
                if li["direction"] == "lower":
                    f_td, f_fin = 1 / max(f_td, 0.3), 1 / max(f_fin, 0.3)
                cap = 100.0 if li["unit"] == "%" else np.inf
                row.update(target=target, actual_to_date=float(np.round(min(target * tp * f_td, cap), 2)),
                           final_actual=float(np.round(min(target * f_fin, cap), 2)), band="")
            missed_reason = "" if rng.random() < 0.5 else "受项目实施进度影响，下阶段加快推进（合成示例）"
            row["deviation_reason"] = missed_reason
            ind_rows.append(row)
    ind = pd.DataFrame(ind_rows)
    tracking = _tracking(ind, lib, rng2, named=30 <= n < 1000)
    ind = ind.drop(columns="actual_to_date")
    # qualitative rows: the rater's score within the band (达成 can score full marks)
    ratings = {"达成": [1.0, 0.95, 0.9], "部分达成": [0.75, 0.7], "未达成": [0.5, 0.4]}
    qual = ind["band"] != ""
    ind.loc[qual, "final_actual"] = [float(extra.choice(ratings[b])) for b in ind.loc[qual, "band"]]
    if 30 <= n < 1000:  # the bundled example: one rating left blank, listed as a problem by the evaluation
        ind.loc[ind.index[qual & (ind["project_id"] == "P003")][0], "final_actual"] = np.nan
    if n_indicators is not None:
        # explicit weights: default split by level 1 for every project
        l1 = ind["indicator_id"].map(lib["level1"])
        cnt = ind.groupby([ind["project_id"], l1])["indicator_id"].transform("size")
        ind["weight"] = l1.map({"产出指标": 50.0, "效益指标": 30.0, "满意度指标": 10.0}) / cnt

    # ex-ante scores: all but two projects; one weak assessment
    ea = pd.DataFrame({"project_id": prj["project_id"]})
    for k2, (_, mx) in EX_ANTE_DIMENSIONS.items():
        ea[k2] = np.round(mx * rng.uniform(0.7, 1.0, n), 1)
    if 30 <= n < 1000:  # the bundled example's named cases
        ea.loc[ea["project_id"] == "P018", list(EX_ANTE_DIMENSIONS)] = [12.0, 10.0, 11.0, 10.0, 9.0]
        ea = ea[~ea["project_id"].isin(["P027", "P029"])]
    ea["override_reason"] = ""
    ea["assessor"] = "第三方评估机构（合成示例）"
    # previous evaluation (two years back, fed into this year's ex-ante): two 取消, one overridden
    pv = prj[["project_id"]].iloc[: max(1, int(0.7 * n))].copy()
    pv["year"] = BUDGET_YEAR - 2
    pv["score"] = np.round(rng.uniform(72, 97, len(pv)), 2)
    if 30 <= n < 1000:  # the bundled example's named cases
        pv.loc[pv["project_id"].isin(["P009", "P016"]), "score"] = [55.4, 52.1]
        ea.loc[ea["project_id"] == "P016", "override_reason"] = "项目已按上年评价意见完成整改，经区政府常务会议研究同意继续实施（合成示例）"
    from .scoring import grade, recommend
    pv["grade"] = grade(pv["score"])
    pv["recommendation"] = recommend(pv["grade"])
    # 重点项目支出: the department's largest projects' year-end spending (synthetic, ~60-70% of it)
    last = sp.drop_duplicates("project_id", keep="last").set_index("project_id")["spent"]
    spent = prj.assign(spent=prj["project_id"].map(last)).groupby("department_id")["spent"]
    dep["key_spending"] = dep["department_id"].map(spent.sum()) * np.random.default_rng(seed + 3).uniform(
        0.55, 0.75, len(dep))
    dep["key_spending"] = np.round(dep["key_spending"] / 100) * 100
    pv["budget"] = np.round(requested[: len(pv)] * extra.uniform(0.85, 1.1, len(pv)) / 1e4, 0) * 1e4
    # 新增 (new) projects are those without a previous evaluation; all others continue (延续)
    prj["new_or_continuing"] = np.where(prj["project_id"].isin(pv["project_id"]), "延续", "新增")
    prj["key_project"] = ""
    ea["approved_note"] = ""
    adjust = ea["project_id"].map(pv.set_index("project_id")["recommendation"]) == "调整"
    ea["adjustment_note"] = np.where(adjust, "已按上年评价意见压减规模、细化绩效指标（合成示例）", "")
    if 30 <= n < 1000:  # the bundled example's named cases: one 调整 left unexplained, one key project
        ea.loc[ea.index[adjust][-1], "adjustment_note"] = ""
        prj.loc[prj["project_id"] == "P025", "key_project"] = "重点"
    return {"departments": dep, "projects": prj, "indicators": ind, "ex_ante_scores": ea.reset_index(drop=True),
            "spending": sp, "tracking": tracking, "previous_evaluation": pv.reset_index(drop=True),
            "department_targets": dept_targets}


#: 信息公开完成率 per department (synthetic); a department not listed has no record (缺少数据)
DISCLOSURE = {"D01": 1.0, "D02": 0.9}

#: the departments' own targets (两头锁定), synthetic: dimension, name, unit, direction, target
DEPARTMENT_TARGETS = {
    "D01": [("履职效能", "公交线网覆盖率", "%", "higher", 95), ("履职效能", "道路养护计划完成率", "%", "higher", 100),
            ("社会效益", "公共交通出行分担率", "%", "higher", 35)],
    "D02": [("履职效能", "城市管理案件结案率", "%", "higher", 95), ("履职效能", "垃圾分类覆盖小区数", "个", "higher", 120),
            ("社会效益", "市容环境投诉件数", "件", "lower", 1200)],
    "D03": [("履职效能", "低保动态管理准确率", "%", "higher", 98), ("社会效益", "养老服务对象覆盖人数", "人", "higher", 5000)],
}


def _department_inputs(dep: pd.DataFrame, rng) -> pd.DataFrame:
    """Fill the scored department framework's inputs into ``dep`` (in place) and return the own targets.

    All synthetic: establishment and staff on post (one department over its
    establishment), 三公经费 this year and last, 公用经费 budget and spending,
    year-end carry-over. Money in 元.
    """
    k = len(dep)
    dep["staff_quota"] = dep["staff"]
    dep["staff_on_post"] = (dep["staff"] * rng.permutation([0.94, 0.97, 1.03])[np.arange(k) % 3]).round().astype(int)
    dep["three_public_prev"] = np.round(dep["basic_budget"] * rng.uniform(0.02, 0.03, k) / 100) * 100
    dep["three_public"] = np.round(dep["three_public_prev"] * rng.uniform(0.9, 1.06, k) / 100) * 100
    dep["public_budget"] = np.round(dep["basic_budget"] * 0.25 / 100) * 100
    dep["public_spent"] = np.round(dep["public_budget"] * rng.uniform(0.95, 1.04, k) / 100) * 100
    dep["carryover"] = np.round(dep["basic_budget"] * rng.uniform(0.2, 0.8, k) / 100) * 100
    rows = []
    for d in dep["department_id"]:
        for dim, name, unit, direction, target in DEPARTMENT_TARGETS.get(d, []):
            f = rng.normal(0.97, 0.05)
            actual = target * (f if direction == "higher" else 1 / f)
            if unit == "%":
                actual = min(actual, 100.0)
            rows.append((d, dim, name, unit, direction, target, float(np.round(actual, 2))))
    return pd.DataFrame(rows, columns=["department_id", "dimension", "name", "unit", "direction", "target", "actual"])


#: synthetic answers on the monitoring form for an indicator behind its expected value to date
_BEHIND = [("有可能", "项目管理", "实施进度滞后于计划", "加强调度，按月通报进度（合成示例）"),
           ("有可能", "投入保障", "配套资金到位较晚", "协调资金拨付，倒排工期（合成示例）"),
           ("不可能", "规划和目标设计", "年初目标值设定偏高", "下年度按实际能力调整目标值（合成示例）"),
           ("有可能", "制度保障", "考核办法尚未出台", "第四季度出台考核办法（合成示例）")]


def _tracking(ind: pd.DataFrame, lib: pd.DataFrame, rng, *, named: bool) -> pd.DataFrame:
    """The units' 《绩效跟踪分析表》 answers, dated 30 June and 30 September (synthetic).

    The September actual is the indicator table's generated ``actual_to_date``;
    the June one is about half of it for cumulative indicators and close to
    it for levels. An indicator more than 10% behind its expected value gets
    有可能 or 不可能 with a reason; in the bundled example a few answers are
    left incomplete on purpose, so the form lists submission problems.
    """
    info = lib.reindex(ind["indicator_id"])
    qual = (info["direction"] == "qualitative").to_numpy()
    cumulative = (info["progress"] == "cumulative").to_numpy()
    lower = (info["direction"] == "lower").to_numpy()
    sept = ind["actual_to_date"].to_numpy(dtype=float)
    target = pd.to_numeric(ind["target"], errors="coerce").to_numpy(dtype=float)
    tp = np.where(cumulative, 273 / 365, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(lower, target * tp / sept, sept / (target * tp))
    pick = rng.integers(0, len(_BEHIND), len(ind))
    rows = []
    for date, scale in ((f"{BUDGET_YEAR}-06-30", None), (f"{BUDGET_YEAR}-09-30", 1.0)):
        if scale is None:
            june = np.where(cumulative, sept * (181 / 273) * rng.normal(1.0, 0.03, len(ind)),
                            sept * rng.normal(1.0, 0.02, len(ind)))
            cap = np.where(info["unit"].to_numpy() == "%", 100.0, np.inf)
            actual = np.round(np.minimum(june, cap), 2)
        else:
            actual = sept
        behind = ~qual & (ratio < 0.9)
        answers = np.array(_BEHIND, dtype=object)[pick]
        likelihood = np.where(behind, answers[:, 0], "确定能")
        likelihood = np.where(qual & (rng.random(len(ind)) < 0.2), "有可能", likelihood)
        doubt = likelihood != "确定能"
        df = pd.DataFrame({
            "project_id": ind["project_id"], "level3": ind["level3"], "date": date,
            "actual": pd.Series(actual, dtype=object).where(~qual, "按计划推进（合成示例）"),
            "likelihood": likelihood,
            "reason_group": np.where(doubt, np.where(qual, "制度保障", answers[:, 1]), ""),
            "cause": np.where(doubt, np.where(qual, "配套制度尚在制定", answers[:, 2]), ""),
            "measures": np.where(doubt, np.where(qual, "年底前印发实施（合成示例）", answers[:, 3]), "")})
        rows.append(df)
    tr = pd.concat(rows, ignore_index=True)
    if named:  # incomplete answers on the September form: no measures, no likelihood, no actual
        sept_rows = tr.index[tr["date"] == f"{BUDGET_YEAR}-09-30"]
        doubt = sept_rows[tr.loc[sept_rows, "likelihood"] != "确定能"]
        tr.loc[doubt[:3], "measures"] = ""
        tr.loc[sept_rows[[5, 40]], "likelihood"] = ""
        tr = tr.drop(index=[sept_rows[60], sept_rows[60] - len(ind)])    # never reported, June or September
    return tr.reset_index(drop=True)


def generate_portfolio(n_projects: int = 30, *, n_indicators: int | None = None, seed: int = SEED) -> Portfolio:
    """A validated synthetic :class:`Portfolio` (see :func:`generate_frames`)."""
    f = generate_frames(n_projects, n_indicators=n_indicators, seed=seed)
    return build_portfolio(f["departments"], f["projects"], f["indicators"], budget_year=BUDGET_YEAR,
                           ex_ante_scores=f["ex_ante_scores"], spending=f["spending"], tracking=f["tracking"],
                           previous_evaluation=f["previous_evaluation"], department_targets=f["department_targets"],
                           id="synthetic", name="合成组合")


# ---- writing the bundled files -------------------------------------------------------------

HEADERS = {
    "departments": {"department_id": "部门编码", "department_name": "部门名称", "staff": "编制人数",
                    "basic_budget": "基本支出预算数（万元）", "basic_spent": "基本支出执行数（万元）",
                    "duty_completion": "重点工作完成率", "satisfaction_survey": "部门满意度",
                    "staff_quota": "核定编制数", "staff_on_post": "实有在职人数",
                    "three_public": "三公经费支出（万元）", "three_public_prev": "上年三公经费支出（万元）",
                    "public_budget": "公用经费预算数（万元）", "public_spent": "公用经费支出数（万元）",
                    "key_spending": "重点项目支出（万元）", "carryover": "年末结转结余（万元）",
                    "disclosure": "信息公开完成率"},
    "department_targets": {"department_id": "部门编码", "dimension": "维度", "name": "指标名称", "unit": "计量单位",
                           "direction": "指标方向", "target": "年度指标值", "actual": "实际完成值"},
    "projects": {"project_id": "项目编码", "project_name": "项目名称", "department_id": "主管部门编码",
                 "project_type": "项目类型", "implementing_unit": "实施单位", "requested": "申报数（万元）",
                 "approved": "审定数（万元）", "budget_initial": "年初预算数（万元）",
                 "budget": "全年预算数（万元）", "annual_goal": "年度总体目标", "new_or_continuing": "新增/延续",
                 "key_project": "重点项目"},
    "indicators": {"project_id": "项目编码", "indicator_id": "指标编码", "target": "年度指标值",
                   "final_actual": "实际完成值", "band": "定性评级", "deviation_reason": "偏差原因分析及改进措施"},
    # English headers on purpose: the reader accepts both
    "spending": {"project_id": "project_id", "date": "date", "spent": "spent [万元]", "forecast": "forecast [万元]"},
    "tracking": {"project_id": "项目编码", "level3": "三级指标", "date": "截至日期", "actual": "截至执行情况",
                 "likelihood": "完成目标可能性", "reason_group": "偏差原因类别", "cause": "偏差原因",
                 "measures": "改进措施"},
    "ex_ante_scores": {"project_id": "项目编码", **{k: v[0] for k, v in EX_ANTE_DIMENSIONS.items()},
                       "override_reason": "恢复申报理由", "approved_note": "审定说明",
                       "adjustment_note": "调整情况说明", "assessor": "评估机构"},
    "previous_evaluation": {"project_id": "项目编码", "year": "年度", "score": "自评得分", "grade": "等级",
                            "recommendation": "评价建议", "budget": "上年预算数（万元）"},
}
MONEY_COLS = {"basic_budget", "basic_spent", "requested", "approved", "budget_initial", "budget", "spent", "forecast",
              "three_public", "three_public_prev", "public_budget", "public_spent", "key_spending", "carryover"}
FILES = {"departments": "departments.csv", "projects": "projects.csv", "indicators": "indicators.csv",
         "ex_ante_scores": "ex_ante_scores.xlsx", "spending": "spending.csv", "tracking": "tracking.csv",
         "previous_evaluation": "previous_evaluation.csv", "department_targets": "department_targets.csv"}

TOML = """# SYNTHETIC example portfolio: invented departments, projects and figures, generated by
# `python -m costing.performance.example` (seeded). It describes no real bureau.
[project]
id = "example_portfolio"
name = "某区{year}年度项目支出绩效管理（合成示例）"
kind = "portfolio"
budget_year = {year}

[tables]
departments = "../raw/portfolio_example/departments.csv"
projects = "../raw/portfolio_example/projects.csv"
indicators = "../raw/portfolio_example/indicators.csv"
ex_ante_scores = "../raw/portfolio_example/ex_ante_scores.xlsx"
spending = "../raw/portfolio_example/spending.csv"
tracking = "../raw/portfolio_example/tracking.csv"
previous_evaluation = "../raw/portfolio_example/previous_evaluation.csv"
department_targets = "../raw/portfolio_example/department_targets.csv"   # synthetic, like every table here

[scoring]
profile = "national"        # the scoring rules (bundled: national, variant_20; or a path to a .toml file)

[bureau]
name = "示例区财政局"         # issuer of the 整改建议书 (synthetic)
doc_prefix = "文财绩"         # 机关代字: notices are numbered 文财绩〔2026〕1号, 2号, … across rounds

[parameters]
tolerance = 0.15            # low execution: execution rate < time progress - 15 percentage points
deviation_threshold = 0.80  # target deviation: achievement < 80% of the expected value to date
time_progress = "days"      # elapsed days / days in year (30 Sep = 273/365)

[report]
templates = ["ex_ante", "monitoring", "self_evaluation"]

[report.parameters]
as_of = "{year}-09-30"
"""


#: third-party key evaluations with their "5+1" stages and report scores (synthetic), appended to the TOML
KEY_EVALUATIONS = """
# Third-party key evaluations (重点评价) and their "5+1" quality control (synthetic): stages 文件约定、方案预审、
# 全程介入、力推答辩、综合验收 + 结果应用, each with due date, date done, status, notes; the report scored on a
# quality sheet (jiading: 嘉定区 agency rating; chongqing_2017: 重庆 2017 附件8, partial source).
[key_evaluations]
sheet = "jiading"

[[key_evaluations.evaluation]]
year = 2025
project = "P001"
agency = "甲绩效评价咨询有限公司（合成示例）"
scores = { "评价工作组人员专业能力" = 13, "评价工作组人员稳定" = 15, "评价过程中沟通情况" = 17, "报告数据详实、符合项目实际" = 20, "结论清晰、问题建议明确可整改" = 19 }
[key_evaluations.evaluation.stages]
"文件约定" = { due = "2025-03-31", date = "2025-03-20", status = "已完成", notes = "委托协议约定评价范围、进度和质量要求" }
"方案预审" = { due = "2025-04-30", date = "2025-04-25", status = "已完成", notes = "评价方案经专家预审后修改" }
"全程介入" = { due = "2025-09-30", date = "2025-09-28", status = "已完成", notes = "财政部门参加现场核查" }
"力推答辩" = { due = "2025-10-31", date = "2025-11-12", status = "已完成", notes = "答辩推迟，补充成本数据后通过" }
"综合验收" = { due = "2025-11-30", date = "2025-11-28", status = "已完成", notes = "报告验收通过" }
"结果应用" = { due = "2025-12-31", date = "2025-12-20", status = "已完成", notes = "按评价意见核减2026年补贴预算" }

[[key_evaluations.evaluation]]
year = 2025
project = "P012"
agency = "乙会计师事务所（合成示例）"
sheet = "chongqing_2017"
scores = { "封面规范" = 2, "表格规范" = 1.5, "数据计算准确" = 1, "报告内容完整" = 11, "绩效反映充分" = 15 }
[key_evaluations.evaluation.stages]
"文件约定" = { due = "2025-04-15", date = "2025-04-10", status = "已完成" }
"方案预审" = { due = "2025-05-15", date = "2025-05-20", status = "已完成", notes = "方案两次退回修改" }
"全程介入" = { due = "2025-09-30", date = "2025-09-30", status = "已完成" }
"力推答辩" = { due = "2025-10-31", date = "2025-10-30", status = "已完成" }
"综合验收" = { due = "2025-11-30", date = "2025-12-05", status = "已完成", notes = "计算差错更正后验收" }
"结果应用" = { due = "2025-12-31", date = "2025-12-25", status = "已完成", notes = "完善垃圾收运考核办法" }

[[key_evaluations.evaluation]]
year = 2026
project = "P001"
agency = "甲绩效评价咨询有限公司（合成示例）"
scores = { "评价工作组人员专业能力" = 14, "评价工作组人员稳定" = 15, "评价过程中沟通情况" = 19, "报告数据详实、符合项目实际" = 23, "结论清晰、问题建议明确可整改" = 23 }
[key_evaluations.evaluation.stages]
"文件约定" = { due = "2026-03-31", date = "2026-03-25", status = "已完成", notes = "委托协议约定评价范围、进度和质量要求" }
"方案预审" = { due = "2026-04-30", date = "2026-04-28", status = "已完成" }
"全程介入" = { due = "2026-09-30", date = "2026-09-26", status = "已完成" }
"力推答辩" = { due = "2026-10-31", date = "2026-10-29", status = "已完成" }
"综合验收" = { due = "2026-11-30", date = "2026-11-25", status = "已完成" }
"结果应用" = { due = "2026-12-31", status = "进行中", notes = "评价建议纳入2027年预算编制" }

[[key_evaluations.evaluation]]
year = 2026
project = "P022"
agency = "乙会计师事务所（合成示例）"
scores = { "评价工作组人员专业能力" = 11, "评价工作组人员稳定" = 0, "评价过程中沟通情况" = 14, "报告数据详实、符合项目实际" = 18, "结论清晰、问题建议明确可整改" = 17 }
[key_evaluations.evaluation.stages]
"文件约定" = { due = "2026-04-15", date = "2026-04-12", status = "已完成" }
"方案预审" = { due = "2026-05-15", date = "2026-05-14", status = "已完成" }
"全程介入" = { due = "2026-09-30", date = "2026-09-30", status = "已完成", notes = "评价期间更换项目负责人" }
"力推答辩" = { due = "2026-10-31", status = "进行中", notes = "报告数据待补充" }
"综合验收" = { due = "2026-11-30", status = "未开始" }
"结果应用" = { due = "2026-12-31", status = "未开始" }
"""


def _fmt(v) -> str:
    if isinstance(v, float):
        if np.isnan(v):
            return ""
        return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
    return str(v)


def _to_file_frame(name: str, df: pd.DataFrame) -> pd.DataFrame:
    cols = HEADERS[name]
    out = pd.DataFrame()
    for c, h in cols.items():
        s = df[c]
        if c in MONEY_COLS:
            s = s / 1e4
        out[h] = s
    return out


def write_example(raw_dir: str | Path = RAW_DIR, portfolio_file: str | Path = PORTFOLIO_FILE,
                  *, seed: int = SEED) -> list[Path]:
    """Write the bundled synthetic example (CSV/XLSX tables with Chinese headers, and the TOML file).

    Returns the paths written. Deterministic: the same seed gives the same bytes.
    """
    raw_dir, portfolio_file = Path(raw_dir), Path(portfolio_file)
    raw_dir.mkdir(parents=True, exist_ok=True)
    portfolio_file.parent.mkdir(parents=True, exist_ok=True)
    frames = generate_frames(30, seed=seed)
    written = []
    for name, fname in FILES.items():
        df = _to_file_frame(name, frames[name])
        path = raw_dir / fname
        if fname.endswith(".csv"):
            text = df.map(_fmt).to_csv(index=False, lineterminator="\n")
            path.write_text(text, encoding="utf-8")
        else:
            buf = io.BytesIO()
            with pd.ExcelWriter(buf, engine="openpyxl") as xw:
                df.to_excel(xw, index=False, sheet_name="事前评估评分（合成示例）")
            path.write_bytes(normalize_xlsx(buf.getvalue()))
        written.append(path)
    portfolio_file.write_text(TOML.format(year=BUDGET_YEAR) + KEY_EVALUATIONS, encoding="utf-8")
    written.append(portfolio_file)
    return written


if __name__ == "__main__":  # pragma: no cover
    for p in write_example():
        print(p)
