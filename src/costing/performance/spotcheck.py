"""The bureau's spot-check of the units' self-evaluations (财政部门对部分自评结果进行抽查审核).

Two steps, both driven by a rules file (a TOML "profile" like the scoring
profiles: :data:`RULES_DIR`/``local_2025.toml`` by default, every rule with
its source or "local practice"):

1. :func:`choose_sample` picks the projects to re-check. Risk first (each with
   its reason): 金额较大 (全年预算数 ≥ the rules' ``large_amount``), 社会关注度高
   (flagged 重点, or a keyword of the rules in the project name), 以往发现问题
   (previous evaluation graded or recommended as listed in the rules), 指标自评
   全部满分 (every indicator at its full marks), 成本指标写成“≥” (a 成本指标 with
   direction ≥). Then a seeded random share of the other funded projects:
   ``ceil(share × n_rest)`` drawn with ``numpy.random.default_rng(seed)``
   (no official share was found, so it is a parameter). The same seed gives
   the same sample.
   :func:`write_workpapers` writes one 复核底稿 workbook per sampled project,
   prefilled with the self-evaluation (:data:`WORKPAPER_COLUMNS`), and the list
   of the sample (抽查清单.xlsx).

2. :func:`recheck` reads the filled workpapers back and re-scores each row
   from the workpaper itself (指标性质, 指标值, 权重 and 复核完成值; a blank
   复核完成值 accepts the self-reported value):

   - ``≥``: 权重 × min(复核完成值 ÷ 指标值, 1); ``≤``: by the scoring
     profile's reverse rule; 定性: 权重 × min(复核完成值 ÷ 100, 1) (the
     rater's score in %); each rounded half away from zero to 2 decimals;
   - a keyword of a ``[[zero]]`` rule in 复核依据 or 备注 scores 0 (无佐证,
     与项目无关, 满意度未开展调查, 三级指标与二级指标不符) — a 重大 finding;
   - a keyword of a ``[[deduction]]`` rule (无法核实, by severity) deducts its
     rate (100% / 60% / 30%) of the 权重 from the score, not below 0 — 重大
     at 100%, else 一般;
   - a 三级指标 written twice counts once: the later rows score 0 (一般);
   - a lower (or higher) re-score than self-reported is 一般; else 通过.

   偏离度 = (自评得分 − 复核得分) ÷ 权重 for a row, (自评总分 − 复核总分) ÷ 100
   for a project [fraction; positive = self-evaluation too high]. A project's
   conclusion is the worse of its rows' and of the gap band (``[findings]``);
   the grade after re-check is the scoring profile's grade of the 复核总分; a
   unit's (主管部门) 自评质量 grade is the band (``[quality]``) of the mean
   gap of its sampled projects. The 整改清单 lists every finding that is not
   通过, with the requirement and the rectification ledger's rows of the same
   project (H18's 整改台账, when given; else 缺少数据).
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..units import round_half_up, to_yuan
from .evaluation import EvaluationResult, round_scores
from .scoring import grade, score_indicator

RULES_DIR = Path(__file__).parent / "profiles" / "spotcheck"
DEFAULT_RULES = "local_2025"
#: columns of a 复核底稿 (the issue's list, in this order)
WORKPAPER_COLUMNS = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "单位", "权重", "自评完成值", "自评得分",
                     "复核完成值", "复核得分", "偏离度", "复核依据", "备注"]
WORKPAPER_SHEET = "复核底稿"
INFO_SHEET = "项目信息"
#: 项目信息 sheet: label -> key of the project record
INFO_FIELDS = {"项目编码": "project_id", "项目名称": "project_name", "主管部门编码": "department_id",
               "主管部门": "department_name", "实施单位": "implementing_unit", "抽取理由": "reason",
               "自评总分": "score", "自评等级": "grade"}
#: 指标性质 as written on the forms -> scoring direction
NATURE = {"≥": "higher", "≤": "lower", "定性": "qualitative"}
DIRECTION_NATURE = {v: k for k, v in NATURE.items()}
EXECUTION_LABEL = "预算执行率"
SAMPLE_FILE = "抽查清单.xlsx"
#: tolerance when comparing scores [points]
TOL = 1e-9


# ---- rules ------------------------------------------------------------------------------------

@dataclass
class SpotCheckRules:
    """The spot-check's rules and bands, read from a TOML file (:func:`load_rules`)."""

    name: str
    title: str
    large_amount: float                      # [元]
    attention_keywords: list[str]
    history_grades: list[str]
    history_recommendations: list[str]
    zero: list[dict]
    deduction: list[dict]
    findings: dict[str, float]               # conclusion -> lowest gap [points], highest first
    quality: dict[str, float]                # grade -> highest mean gap [points], best first
    quality_points: dict[str, float]
    rect_days: int
    rect_requirement: str
    sources: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    def table(self) -> pd.DataFrame:
        """The rules as a reader sees them (规则 | 内容 | 依据), for the 说明 sheet."""
        amt = round_half_up(self.large_amount / 1e4, 2)
        rows = [("抽样：金额较大", f"全年预算数≥{amt:g}万元", self.sources["sampling"]),
                ("抽样：社会关注度高", "列为重点，或项目名称含：" + "、".join(self.attention_keywords),
                 self.sources["sampling"]),
                ("抽样：以往发现问题", "上年评价等级为" + "、".join(self.history_grades) + "，或建议"
                 + "、".join(self.history_recommendations), self.sources["sampling"]),
                ("抽样：指标自评全部满分", "全部绩效指标自评得分等于分值", self.sources["sampling"]),
                ("抽样：成本指标写成“≥”", "二级指标为成本指标而指标性质为“≥”", self.sources["sampling"]),
                ("抽样：随机抽取", "其余已安排预算的项目按比例随机抽取（比例、随机种子为参数）", self.sources["sampling"])]
        rows += [(f"得0分：{z['label']}", "复核依据或备注含：" + "、".join(z["keywords"]), z["source"])
                 for z in self.zero]
        rows += [(f"扣分：{d['label']}", f"扣减该指标分值的{d['rate']:.0%}；复核依据或备注含："
                  + "、".join(d["keywords"]), d["source"]) for d in self.deduction]
        rows += [("重复指标", "同一三级指标重复填列的只计一次，重复行得0分", self.sources["duplicate"]),
                 ("偏离度", "（自评得分 − 复核得分）÷ 分值；项目按总分100分计", "local practice"),
                 ("问题分级", "；".join(f"{k}：总分差≥{v:g}分" for k, v in self.findings.items() if np.isfinite(v))
                  + "；" + self.sources["row_rule"], self.sources["findings"]),
                 ("自评质量", "；".join(f"{k}：平均分差≤{v:g}分" for k, v in self.quality.items() if np.isfinite(v))
                  + f"；其余为{list(self.quality)[-1]}", self.sources["quality"]),
                 ("整改", f"{self.rect_requirement}；整改期限为复核后{self.rect_days}日", self.sources["rectification"])]
        return pd.DataFrame(rows, columns=["规则", "内容", "依据"])


def _amount(text, path) -> float:
    s = str(text).strip()
    for unit in ("亿元", "万元", "元"):
        if s.endswith(unit):
            try:
                return float(to_yuan(float(s[: -len(unit)].strip()), unit))
            except ValueError:
                break
    raise InputError("抽查规则的金额写法不对", file=str(path), column="[sampling] large_amount",
                     expected="如 \"500 万元\"", found=text)


def load_rules(rules: str | Path | SpotCheckRules | None = None) -> SpotCheckRules:
    """Read a spot-check rules file: a bundled name (default ``local_2025``) or a path.

    Raises
    ------
    InputError
        Unknown name, a missing table or key, bands not in order, a rate outside [0, 1].
    """
    if isinstance(rules, SpotCheckRules):
        return rules
    s = DEFAULT_RULES if rules is None else str(rules)
    path = Path(s) if s.endswith(".toml") else RULES_DIR / f"{s}.toml"
    if not path.exists():
        raise InputError("找不到抽查规则文件", file=str(path),
                         expected=f"内置规则 {sorted(p.stem for p in RULES_DIR.glob('*.toml'))} 或 .toml 文件路径",
                         found=s)
    doc = tomllib.loads(path.read_text(encoding="utf-8"))

    def need(table, key=None):
        t = doc.get(table)
        if t is None or (key is not None and key not in t):
            raise InputError("抽查规则缺少设置", file=str(path), column=f"[{table}]" + (f" {key}" if key else ""),
                             expected="见内置规则 local_2025.toml", found="")
        return t if key is None else t[key]

    def bands(table):
        b = {k: float(v) for k, v in need(table).items() if isinstance(v, (int, float))}
        return b

    for d in doc.get("deduction", []):
        if not 0 <= float(d.get("rate", -1)) <= 1:
            raise InputError("扣分比例应在0到1之间", file=str(path), column=f"[[deduction]] {d.get('key')}",
                             expected="0–1", found=d.get("rate"))
    findings = bands("findings")
    quality = bands("quality")
    if list(findings.values()) != sorted(findings.values(), reverse=True):
        raise InputError("问题分级的分差下限应从高到低排列", file=str(path), column="[findings]",
                         expected="重大 > 一般 > 通过", found=findings)
    if list(quality.values()) != sorted(quality.values()):
        raise InputError("自评质量的分差上限应从低到高排列", file=str(path), column="[quality]",
                         expected="优 < 良 < 中 < 差", found=quality)
    samp = need("sampling")
    return SpotCheckRules(
        name=str(doc.get("name", path.stem)), title=str(doc.get("title", "")),
        large_amount=_amount(need("sampling", "large_amount"), path),
        attention_keywords=list(samp.get("attention_keywords", [])),
        history_grades=list(samp.get("history_grades", [])),
        history_recommendations=list(samp.get("history_recommendations", [])),
        zero=[dict(z) for z in doc.get("zero", [])], deduction=[dict(d) for d in doc.get("deduction", [])],
        findings=findings, quality=quality,
        quality_points={k: float(v) for k, v in need("quality", "points").items()},
        rect_days=int(need("rectification", "days")), rect_requirement=str(need("rectification", "requirement")),
        sources={"sampling": need("sampling", "source"), "duplicate": need("duplicate", "source"),
                 "findings": need("findings", "source"), "row_rule": need("findings", "row_rule"),
                 "quality": need("quality", "source"), "rectification": need("rectification", "source")},
        path=path)


# ---- sampling ---------------------------------------------------------------------------------

@dataclass
class Sample:
    """The spot-check sample.

    Attributes
    ----------
    table : DataFrame
        One row per funded project: ``project_id, project_name, department_id,
        department_name, budget`` [元], ``score, grade``, ``risk`` (the risk
        rules met, "；"-joined, "" if none), ``random`` (drawn at random),
        ``sampled`` and ``reason`` (Chinese: the risk rules, or 随机抽取).
    share : float
    seed : int
    rules : SpotCheckRules
    """

    table: pd.DataFrame
    share: float
    seed: int
    rules: SpotCheckRules

    @property
    def ids(self) -> list[str]:
        return list(self.table.loc[self.table["sampled"], "project_id"])


def risk_flags(portfolio, evaluation: EvaluationResult, rules: SpotCheckRules) -> pd.DataFrame:
    """The risk rules each evaluated project meets: one boolean column per rule (Chinese names)."""
    p = evaluation.projects.set_index("project_id")
    r = evaluation.indicators
    out = pd.DataFrame(index=p.index)
    out["金额较大"] = p["budget"] >= rules.large_amount
    kw = p["project_name"].astype(str).map(lambda n: any(k in n for k in rules.attention_keywords))
    out["社会关注度高"] = p["key_project"].astype(bool) | kw
    prev = portfolio.previous_evaluation
    bad = prev[prev["grade"].isin(rules.history_grades) | prev["recommendation"].isin(rules.history_recommendations)]
    out["以往发现问题"] = out.index.isin(bad["project_id"])
    full = (r["score"] >= r["weight"] - TOL).groupby(r["project_id"]).all()
    out["指标自评全部满分"] = full.reindex(out.index).fillna(False).astype(bool)
    cost_ge = ((r["level2"] == "成本指标") & (r["direction"] == "higher")).groupby(r["project_id"]).any()
    out["成本指标写成“≥”"] = cost_ge.reindex(out.index).fillna(False).astype(bool)
    return out


def choose_sample(portfolio, evaluation: EvaluationResult, *, share: float, seed: int,
                  rules: SpotCheckRules | str | Path | None = None) -> Sample:
    """Choose the projects to re-check: every risk-flagged one, then ``ceil(share × rest)`` at random.

    Parameters
    ----------
    portfolio : Portfolio
    evaluation : EvaluationResult
        The self-evaluation (only evaluated, i.e. funded, projects are sampled).
    share : float
        Random share of the projects not flagged by a risk rule, in [0, 1].
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same sample.
    rules : optional
        Spot-check rules (default :data:`DEFAULT_RULES`).
    """
    if not 0 <= share <= 1 or not np.isfinite(share):
        raise InputError("抽查比例应在0到1之间", column="--share", expected="0–1（如 0.2 表示20%）", found=share)
    rules = load_rules(rules)
    flags = risk_flags(portfolio, evaluation, rules)
    p = evaluation.projects.set_index("project_id")
    t = p[["project_name", "department_id", "department_name", "budget", "score", "grade"]].copy()
    t["risk"] = ["；".join(c for c in flags.columns if row[c]) for _, row in flags.iterrows()]
    rest = t.index[t["risk"] == ""]
    n = math.ceil(share * len(rest) - 1e-12)
    picked = np.random.default_rng(int(seed)).choice(np.asarray(rest, dtype=object), size=n, replace=False) \
        if n else np.array([], dtype=object)
    t["random"] = t.index.isin(picked)
    t["sampled"] = (t["risk"] != "") | t["random"]
    t["reason"] = np.where(t["risk"] != "", t["risk"],
                           np.where(t["random"], f"随机抽取（比例{share:.0%}，随机种子{int(seed)}）", ""))
    return Sample(table=t.reset_index(), share=float(share), seed=int(seed), rules=rules)


# ---- workpapers -------------------------------------------------------------------------------

def workpaper_frame(evaluation: EvaluationResult, project_id: str) -> pd.DataFrame:
    """A project's 复核底稿 rows prefilled from its self-evaluation (复核 columns blank).

    The first row is the budget execution rate (一级指标 预算执行率, ≥ 100%,
    权重 = the profile's execution marks); then one row per indicator. A
    qualitative indicator's 自评完成值 is the rater's score in % of its 权重.
    """
    p = evaluation.projects.set_index("project_id").loc[project_id]
    r = evaluation.indicators[evaluation.indicators["project_id"] == project_id]
    qual = r["direction"] == "qualitative"
    rows = [{"一级指标": EXECUTION_LABEL, "二级指标": EXECUTION_LABEL, "三级指标": EXECUTION_LABEL, "指标性质": "≥",
             "指标值": 100.0, "单位": "%", "权重": float(evaluation.profile.execution_weight),
             "自评完成值": round_half_up(100 * float(p["execution_rate"]), 2), "自评得分": float(p["execution_score"])}]
    for row, q in zip(r.itertuples(index=False), qual):
        rows.append({"一级指标": row.level1, "二级指标": row.level2, "三级指标": row.level3,
                     "指标性质": DIRECTION_NATURE[row.direction],
                     "指标值": row.target if q else float(row.target_value),
                     "单位": "%（评分）" if q else (row.unit or ""), "权重": float(row.weight),
                     "自评完成值": (round_half_up(100 * row.final_actual, 2) if q and pd.notna(row.final_actual)
                               else (np.nan if q else float(row.final_actual))),
                     "自评得分": float(row.score)})
    df = pd.DataFrame(rows).reindex(columns=WORKPAPER_COLUMNS)
    for c in ("复核依据", "备注"):
        df[c] = ""
    df.loc[1:, "备注"] = ["定性：" + b if q else "" for b, q in zip(r["band"], qual)]
    return df


def workpaper_name(project_id: str, project_name: str) -> str:
    """``复核底稿_<id>_<name>.xlsx`` without characters a file name cannot hold."""
    safe = "".join(ch for ch in f"{project_id}_{project_name}" if ch not in '\\/:*?"<>|')
    return f"复核底稿_{safe}.xlsx"


def write_workpaper(info: dict, frame: pd.DataFrame, path: str | Path) -> Path:
    """One 复核底稿 workbook (atomic): sheet 复核底稿 (header in row 1, the re-checker fills 复核完成值,
    复核依据 and 备注; 复核得分 and 偏离度 are computed on reading back) and sheet 项目信息."""
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    from .excel import BORDER, CENTER, HEADER_FILL, HEADER_FONT, WRAP, _cell_value, save_atomic

    wb = Workbook()
    ws = wb.active
    ws.title = WORKPAPER_SHEET
    widths = [10, 14, 22, 8, 14, 12, 7, 11, 9, 11, 9, 9, 30, 24]
    fill = PatternFill("solid", fgColor="FFF2CC")
    from openpyxl.utils import get_column_letter

    for j, (h, w) in enumerate(zip(WORKPAPER_COLUMNS, widths), 1):
        c = ws.cell(row=1, column=j, value=h)
        c.font, c.fill, c.alignment, c.border = HEADER_FONT, HEADER_FILL, CENTER, BORDER
        ws.column_dimensions[get_column_letter(j)].width = w
    for i, row in enumerate(frame.itertuples(index=False), 2):
        for j, v in enumerate(row, 1):
            c = ws.cell(row=i, column=j, value=_cell_value(v))
            c.border, c.alignment = BORDER, WRAP
            if WORKPAPER_COLUMNS[j - 1] in ("复核完成值", "复核依据", "备注"):
                c.fill = fill
            if WORKPAPER_COLUMNS[j - 1] in ("自评得分", "复核得分", "权重") and isinstance(c.value, float):
                c.number_format = "0.00"
    ws.freeze_panes = "D2"
    wi = wb.create_sheet(INFO_SHEET)
    wi.column_dimensions["A"].width, wi.column_dimensions["B"].width = 14, 60
    for i, (label, key) in enumerate(INFO_FIELDS.items(), 1):
        wi.cell(row=i, column=1, value=label).font = HEADER_FONT
        wi.cell(row=i, column=2, value=_cell_value(info.get(key, "")))
    n = len(INFO_FIELDS)
    wi.cell(row=n + 2, column=1, value="填写说明").font = HEADER_FONT
    wi.cell(row=n + 2, column=2, value="在“复核底稿”表填写复核完成值（空白表示认可自评完成值；定性指标填评分%）、复核依据"
            "（佐证材料名称）和备注（发现的问题，如“无佐证”“与项目无关”“未开展满意度调查”“与二级指标不符”"
            "“无法核实（严重/一般/轻微）”）。复核得分和偏离度由财政部门读回时计算。").alignment = WRAP
    return save_atomic(wb, path)


def write_workpapers(sample: Sample, evaluation: EvaluationResult, folder: str | Path
                     ) -> tuple[list[Path], dict[str, str], Path]:
    """Write the sample list (抽查清单.xlsx) and one 复核底稿 per sampled project into ``folder``.

    Returns (workpapers written, {project_id: error} of the failures, the sample list's path);
    one failing project does not stop the others.
    """
    from openpyxl import Workbook

    from .display import to_display
    from .excel import add_table_sheet, save_atomic

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    t = sample.table.assign(random=sample.table["random"].map({True: "是", False: ""}),
                            sampled=sample.table["sampled"].map({True: "是", False: ""}))
    t = to_display(t.rename(columns={"risk": "风险规则", "random": "随机抽取", "sampled": "抽中", "reason": "抽取理由"}))
    wb = Workbook()
    wb.remove(wb.active)
    add_table_sheet(wb, "说明", pd.concat([sample.rules.table(), pd.DataFrame(
        [("本次抽样", f"随机抽取比例{sample.share:.0%}，随机种子{sample.seed}；抽中{len(sample.ids)}个项目", "参数")],
        columns=["规则", "内容", "依据"])], ignore_index=True), freeze="A2")
    add_table_sheet(wb, "抽查清单", t)
    listing = save_atomic(wb, folder / SAMPLE_FILE)
    prj = evaluation.projects.set_index("project_id", drop=False)
    written, failed = [], {}
    for row in sample.table[sample.table["sampled"]].itertuples(index=False):
        try:
            info = {**prj.loc[row.project_id].to_dict(), "reason": row.reason}
            written.append(write_workpaper(info, workpaper_frame(evaluation, row.project_id),
                                           folder / workpaper_name(row.project_id, row.project_name)))
        except Exception as e:  # noqa: BLE001 - reported per project, the batch goes on
            failed[row.project_id] = f"{type(e).__name__}: {e}"
    return written, failed, listing


# ---- reading back and re-scoring --------------------------------------------------------------

def read_workpaper(path: str | Path) -> tuple[dict, pd.DataFrame]:
    """Read a filled 复核底稿: (project information, the rows with :data:`WORKPAPER_COLUMNS`).

    Raises
    ------
    InputError
        A missing sheet or column, an unknown 指标性质, a 权重 or 复核完成值 that is not a number (named
        by file, sheet, row and column).
    """
    path = Path(path)
    try:
        df = pd.read_excel(path, sheet_name=WORKPAPER_SHEET, dtype=object)
        info_raw = pd.read_excel(path, sheet_name=INFO_SHEET, header=None, dtype=object)
    except ValueError as e:
        raise InputError("复核底稿缺少工作表", file=str(path), expected=f"工作表“{WORKPAPER_SHEET}”和“{INFO_SHEET}”",
                         found=str(e)) from None
    missing = [c for c in WORKPAPER_COLUMNS if c not in df.columns]
    if missing:
        raise InputError("复核底稿缺少列", file=str(path), sheet=WORKPAPER_SHEET, row=1, column=missing[0],
                         expected="、".join(WORKPAPER_COLUMNS), found="、".join(map(str, df.columns)))
    labels = dict(zip(info_raw[0].astype(str), info_raw[1]))
    info = {key: labels.get(label, "") for label, key in INFO_FIELDS.items()}
    if not str(info["project_id"] or "").strip():
        raise InputError("复核底稿没有项目编码", file=str(path), sheet=INFO_SHEET, column="项目编码",
                         expected="项目编码", found="")
    df = df[WORKPAPER_COLUMNS].dropna(how="all").reset_index(drop=True)
    for c in ("复核依据", "备注", "一级指标", "二级指标", "三级指标", "单位"):
        df[c] = df[c].map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip())
    nature = df["指标性质"].astype(str).str.strip()
    bad = ~nature.isin(list(NATURE))
    if bad.any():
        i = int(df.index[bad][0])
        raise InputError("指标性质应为≥、≤或定性", file=str(path), sheet=WORKPAPER_SHEET, row=i + 2, column="指标性质",
                         expected="≥、≤、定性", found=df.loc[i, "指标性质"])
    df["指标性质"] = nature
    for c in ("权重", "自评得分", "自评完成值", "复核完成值"):
        for i, v in df[c].items():
            if v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip()):
                df.at[i, c] = np.nan
                continue
            try:
                df.at[i, c] = float(v)
            except (TypeError, ValueError):
                raise InputError(f"{c}不是数字", file=str(path), sheet=WORKPAPER_SHEET, row=int(i) + 2, column=c,
                                 expected="数字（空白表示认可自评完成值）" if c == "复核完成值" else "数字",
                                 found=v) from None
        df[c] = df[c].astype(float)
    for c in ("权重", "自评得分"):
        if df[c].isna().any():
            i = int(df.index[df[c].isna()][0])
            raise InputError(f"{c}为空", file=str(path), sheet=WORKPAPER_SHEET, row=i + 2, column=c,
                             expected="数字（由抽查预填）", found="")
    quant = df["指标性质"] != "定性"
    target = pd.to_numeric(df["指标值"].where(quant), errors="coerce")
    if (quant & target.isna()).any():
        i = int(df.index[quant & target.isna()][0])
        raise InputError("定量指标的指标值不是数字", file=str(path), sheet=WORKPAPER_SHEET, row=i + 2, column="指标值",
                         expected="数字", found=df.loc[i, "指标值"])
    df["_target"] = target
    return info, df


def _match(text: str, rules: list[dict]) -> dict | None:
    for rule in rules:
        if any(k in text for k in rule["keywords"]):
            return rule
    return None


def rescore(frame: pd.DataFrame, rules: SpotCheckRules, *, reverse: str = "ratio") -> pd.DataFrame:
    """Re-score a workpaper's rows (:func:`read_workpaper`): 复核得分, 偏离度, 问题, 问题等级.

    See the module docstring for the rules. Returns a copy with ``复核得分``
    [points, 2 decimals], ``偏离度`` [fraction], ``问题`` (Chinese, "" when none)
    and ``问题等级`` (重大 / 一般 / 通过).
    """
    df = frame.copy()
    value = df["复核完成值"].where(df["复核完成值"].notna(), df["自评完成值"])
    qual = df["指标性质"] == "定性"
    quant_score = score_indicator(df["_target"].where(~qual, 1.0).fillna(1.0), value.where(~qual, 0.0).fillna(0.0),
                                  direction=df["指标性质"].map(NATURE).where(~qual, "higher"), weight=df["权重"],
                                  reverse=reverse)
    qual_score = df["权重"] * np.clip(value.fillna(0.0) / 100.0, 0.0, 1.0)
    base = round_scores(np.where(qual, qual_score, quant_score))
    base = np.where(value.isna(), df["自评得分"], base)      # nothing reported and nothing re-checked: as self-scored
    scores, problems, levels = [], [], []
    seen: set[tuple[str, str]] = set()
    for i, row in df.iterrows():
        text = f"{row['复核依据']} {row['备注']}"
        s, prob, lvl = float(base[i]), "", "通过"
        key = (row["二级指标"], row["三级指标"])
        zero, ded = _match(text, rules.zero), _match(text, rules.deduction)
        if key in seen and row["一级指标"] != EXECUTION_LABEL:
            s, prob, lvl = 0.0, "重复指标，只计一次", "一般"
        elif zero is not None:
            s, prob, lvl = 0.0, f"{zero['label']}，不得分", "重大"
        elif ded is not None:
            s = max(0.0, round_half_up(s - ded["rate"] * float(row["权重"]), 2))
            prob, lvl = f"{ded['label']}，扣减分值的{ded['rate']:.0%}", "重大" if ded["rate"] >= 1 else "一般"
        elif abs(s - row["自评得分"]) > TOL:
            prob = "复核完成值与自评不符，得分" + ("调减" if s < row["自评得分"] else "调增")
            lvl = "一般"
        seen.add(key)
        scores.append(s)
        problems.append(prob)
        levels.append(lvl)
    df["复核得分"] = scores
    with np.errstate(divide="ignore", invalid="ignore"):
        df["偏离度"] = np.where(df["权重"] > 0, (df["自评得分"] - df["复核得分"]) / df["权重"], np.nan)
    df["问题"], df["问题等级"] = problems, levels
    return df.drop(columns="_target")


LEVEL_ORDER = {"通过": 0, "一般": 1, "重大": 2}


def conclusion(gap: float, row_levels, rules: SpotCheckRules) -> str:
    """A project's conclusion: the worse of its rows' levels and the band of the gap [points]."""
    by_gap = next((k for k, lo in rules.findings.items() if gap + TOL >= lo), list(rules.findings)[-1])
    worst = max([by_gap, *row_levels], key=lambda k: LEVEL_ORDER.get(k, 0))
    return worst


def quality_grade(mean_gap: float, rules: SpotCheckRules) -> str:
    """自评质量 grade of a unit from the mean gap (自评总分 − 复核总分) of its sampled projects [points]."""
    if not np.isfinite(mean_gap):
        return ""
    return next(k for k, hi in rules.quality.items() if mean_gap <= hi + TOL)


@dataclass
class RecheckResult:
    """The spot-check read back.

    Attributes
    ----------
    projects : DataFrame
        Per re-checked project: ``project_id, project_name, department_id,
        department_name, reason, self_score, self_grade, recheck_score`` [points],
        ``recheck_grade``, ``gap`` [points], ``deviation`` [fraction of 100],
        ``n_findings``, ``conclusion`` (重大 / 一般 / 通过).
    rows : DataFrame
        Every workpaper row re-scored (:func:`rescore`) with its ``project_id``.
    quality : DataFrame
        Per unit (主管部门): ``department_id, department_name, n_projects,
        mean_gap`` [points], ``quality_grade``, ``quality_points`` [0–100].
    rectification : DataFrame
        The 整改清单: each finding not 通过, with 整改要求, 整改期限 and the
        ledger's rows of the same project (``ledger``).
    failed : dict
        Workpapers that could not be read: {file name: message}.
    rules : SpotCheckRules
    """

    projects: pd.DataFrame
    rows: pd.DataFrame
    quality: pd.DataFrame
    rectification: pd.DataFrame
    failed: dict
    rules: SpotCheckRules


def _ledger_text(ledger: pd.DataFrame | None, project_id: str) -> str:
    if ledger is None:
        return "缺少数据（未提供整改台账）"
    rows = ledger[(ledger["project_id"] == project_id) & (ledger["problem_type"] != "预算调整")]
    if rows.empty:
        return "台账无该项目记录"
    return "；".join(f"{r.notice_number} {r.problem_type}（{r.status}）" for r in rows.itertuples(index=False))


def recheck(folder: str | Path, *, rules: SpotCheckRules | str | Path | None = None, profile=None,
            ledger: pd.DataFrame | None = None, as_of=None) -> RecheckResult:
    """Read every ``复核底稿_*.xlsx`` in ``folder`` back and re-score them.

    Parameters
    ----------
    folder : path-like
        The folder :func:`write_workpapers` wrote, with the re-checker's entries.
    rules : optional
        Spot-check rules (default :data:`DEFAULT_RULES`).
    profile : ScoringProfile, optional
        Grade bands and the reverse-indicator rule (default national).
    ledger : DataFrame, optional
        The rectification ledger (``costing.performance.ledger.load_ledger``);
        None: the 整改清单 says 缺少数据.
    as_of : date-like, optional
        Date of the re-check; the 整改期限 is as_of + the rules' days (None:
        "复核后N日内").
    """
    from .profile import load_profile

    rules = load_rules(rules)
    prof = load_profile(profile)
    folder = Path(folder)
    paths = sorted(folder.glob("复核底稿_*.xlsx"))
    if not paths:
        raise InputError("文件夹中没有复核底稿", file=str(folder), expected="复核底稿_<项目编码>_<项目名称>.xlsx",
                         found="无")
    prj_rows, all_rows, failed = [], [], {}
    for path in paths:
        try:
            info, frame = read_workpaper(path)
        except InputError as e:
            failed[path.name] = str(e)
            continue
        r = rescore(frame, rules, reverse=prof.reverse_rule)
        r.insert(0, "project_id", str(info["project_id"]))
        self_total = round_half_up(float(r["自评得分"].sum()), 2)
        total = round_half_up(float(r["复核得分"].sum()), 2)
        gap = round_half_up(self_total - total, 2)
        prj_rows.append({"project_id": str(info["project_id"]), "project_name": info["project_name"],
                         "department_id": str(info["department_id"]), "department_name": info["department_name"],
                         "reason": info["reason"], "self_score": self_total,
                         "self_grade": grade(self_total, prof.grade_bands), "recheck_score": total,
                         "recheck_grade": grade(total, prof.grade_bands), "gap": gap, "deviation": gap / 100.0,
                         "n_findings": int((r["问题等级"] != "通过").sum()),
                         "conclusion": conclusion(gap, r["问题等级"], rules)})
        all_rows.append(r)
    if not prj_rows:
        first = next(iter(failed.items()))
        raise InputError(f"复核底稿都无法读取（{len(failed)}份），第一份：{first[1]}", file=str(folder))
    projects = pd.DataFrame(prj_rows)
    rows = pd.concat(all_rows, ignore_index=True)
    q = projects.groupby(["department_id", "department_name"], sort=True).agg(
        n_projects=("project_id", "size"), mean_gap=("gap", "mean")).reset_index()
    q["mean_gap"] = round_scores(q["mean_gap"])
    q["quality_grade"] = [quality_grade(g, rules) for g in q["mean_gap"]]
    q["quality_points"] = q["quality_grade"].map(rules.quality_points)
    found = rows[rows["问题等级"] != "通过"].merge(
        projects[["project_id", "project_name", "department_id", "department_name"]], on="project_id")
    deadline = (f"复核后{rules.rect_days}日内" if as_of is None
                else (pd.Timestamp(as_of) + pd.Timedelta(days=rules.rect_days)).date().isoformat())
    rect = pd.DataFrame({
        "department_id": found["department_id"], "department_name": found["department_name"],
        "project_id": found["project_id"], "project_name": found["project_name"], "level3": found["三级指标"],
        "problem": found["问题"], "level": found["问题等级"], "evidence": found["复核依据"],
        "requirement": rules.rect_requirement, "deadline": deadline,
        "ledger": [_ledger_text(ledger, pid) for pid in found["project_id"]]})
    return RecheckResult(projects=projects, rows=rows, quality=q, rectification=rect.reset_index(drop=True),
                         failed=failed, rules=rules)


#: Chinese headers of the re-check workbook's tables
HEADERS = {"project_id": "项目编码", "project_name": "项目名称", "department_id": "主管部门编码",
           "department_name": "主管部门", "reason": "抽取理由", "self_score": "自评总分", "self_grade": "自评等级",
           "recheck_score": "复核总分", "recheck_grade": "复核后等级", "gap": "分差（自评−复核）",
           "deviation": "偏离度（%）", "n_findings": "问题数", "conclusion": "复核结论", "n_projects": "抽查项目数",
           "mean_gap": "平均分差", "quality_grade": "自评质量等级", "quality_points": "自评质量得分",
           "level3": "三级指标", "problem": "发现的问题", "level": "问题等级", "evidence": "复核依据",
           "requirement": "整改要求", "deadline": "整改期限", "ledger": "整改台账记录"}


def shown_projects(result: RecheckResult) -> pd.DataFrame:
    """The 复核结果 table as a reader sees it: Chinese headers, 偏离度 in % (2 decimals)."""
    dev = [round_half_up(100 * d, 2) for d in result.projects["deviation"]]
    return result.projects.assign(deviation=dev).rename(columns=HEADERS)


def write_recheck_xlsx(result: RecheckResult, path: str | Path) -> Path:
    """The re-check workbook (atomic): 说明 (rules and sources), 复核结果, 复核明细, 自评质量, 整改清单."""
    from openpyxl import Workbook

    from .excel import add_table_sheet, save_atomic

    wb = Workbook()
    wb.remove(wb.active)
    add_table_sheet(wb, "说明", result.rules.table(), freeze="A2")
    add_table_sheet(wb, "复核结果", shown_projects(result))
    rows = result.rows.assign(偏离度=[round_half_up(100 * d, 2) for d in result.rows["偏离度"]])
    rows = rows.rename(columns={**HEADERS, "偏离度": "偏离度（%）"})
    add_table_sheet(wb, "复核明细", rows, freeze="E2")
    add_table_sheet(wb, "自评质量", result.quality.rename(columns=HEADERS))
    add_table_sheet(wb, "整改清单", result.rectification.rename(columns=HEADERS))
    if result.failed:
        add_table_sheet(wb, "无法读取的底稿", pd.DataFrame({"文件": list(result.failed),
                                                          "原因": list(result.failed.values())}))
    return save_atomic(wb, path)
