"""Quality control of third-party key evaluations (重点评价): the "5+1" stages and the report's quality score.

The bureau's "5+1" model (the seed article): 文件约定、方案预审、全程介入、力推答辩、
综合验收, plus 结果应用 as the core aim (:data:`STAGES`). No scoring of the
stages was found, so each stage is recorded, not scored: its due date, the
date done, a status (:data:`STATUSES`) and notes. A stage is 逾期 when it was
done after its due date, or is not done and its due date is before the latest
date on file (the data's own as-of, never the machine clock).

The report's quality is scored on a chosen sheet (:data:`SHEETS_FILE`: 重庆
2017 附件8, partial because the source was cut; 嘉定区 agency rating); a
partial sheet is scored against the marks of the items seen.

The portfolio file records the evaluations::

    [key_evaluations]
    sheet = "jiading"                      # default quality sheet

    [[key_evaluations.evaluation]]
    year = 2026
    project = "P001"
    agency = "某咨询公司"
    scores = { "评价工作组人员专业能力" = 14, ... }   # item name -> marks
    [key_evaluations.evaluation.stages]
    文件约定 = { due = "2026-03-31", date = "2026-03-25", status = "已完成", notes = "..." }

:func:`key_evaluation_control` gives the 重点评价质量管控 table (stages done
or late, score, 结果应用 taken) and :func:`agency_scorecard` each agency's
record across the years on file.
"""
from __future__ import annotations

import datetime as _dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..units import round_half_up

STAGES = ("文件约定", "方案预审", "全程介入", "力推答辩", "综合验收", "结果应用")
STATUSES = ("已完成", "进行中", "未开始", "不适用")
SHEETS_FILE = Path(__file__).with_name("quality_sheets.toml")


@dataclass
class QualitySheet:
    key: str
    title: str
    partial: bool
    note: str
    source: str
    items: pd.DataFrame             # group, name, max, bands
    grades: dict

    @property
    def max_marks(self) -> float:
        return float(self.items["max"].sum())


def load_sheets(path: str | Path | None = None) -> dict[str, QualitySheet]:
    """The report-quality sheets (default :data:`SHEETS_FILE`)."""
    path = Path(path) if path is not None else SHEETS_FILE
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    out = {}
    for key, s in doc.items():
        items = pd.DataFrame(s.get("item", []))
        if "bands" not in items:
            items["bands"] = ""
        out[key] = QualitySheet(key=key, title=s["title"], partial=bool(s.get("partial", False)),
                                note=s.get("note", ""), source=s["source"], items=items.fillna(""),
                                grades={k: float(v) for k, v in s.get("grades", {}).items()})
    return out


def _date(v, where) -> _dt.date | None:
    if v in (None, ""):
        return None
    if isinstance(v, _dt.date):
        return v
    try:
        return _dt.date.fromisoformat(str(v))
    except ValueError:
        raise InputError("日期格式不对", **where, expected="如 2026-03-31", found=v) from None


@dataclass
class KeyEvaluations:
    """The recorded key evaluations.

    Attributes
    ----------
    stages : DataFrame
        One row per evaluation and stage: ``eval_no, year, project_id, agency, stage, due, date`` (dates or
        None), ``status``, ``notes``, ``late``.
    evaluations : DataFrame
        One row per evaluation: ``eval_no, year, project_id, agency, sheet, score`` [marks], ``max_marks``,
        ``score_rate`` [fraction], ``partial``.
    as_of : date or None
        The latest date on file (lateness is judged at it).
    sheets : dict
    """

    stages: pd.DataFrame
    evaluations: pd.DataFrame
    as_of: _dt.date | None
    sheets: dict


def read_key_evaluations(doc: dict, path: str | Path, *, sheets: dict | None = None) -> KeyEvaluations:
    """The ``[key_evaluations]`` of a portfolio file's settings (``doc``), checked.

    Raises
    ------
    InputError
        An unknown stage, status or sheet, an unknown quality item or marks above its maximum, a bad date
        (each naming the file and the entry).
    """
    sheets = sheets or load_sheets()
    ke = doc.get("key_evaluations", {}) or {}
    default_sheet = ke.get("sheet", "jiading")
    st_rows, ev_rows = [], []
    for n, e in enumerate(ke.get("evaluation", []), 1):
        where = dict(file=str(path), column=f"[[key_evaluations.evaluation]] 第{n}项")
        for k in ("year", "project", "agency"):
            if not e.get(k):
                raise InputError(f"重点评价记录缺少 {k}", **where, expected="年度、项目编码、评价机构", found="")
        sheet = e.get("sheet", default_sheet)
        if sheet not in sheets:
            raise InputError("未知的报告质量评分表", **where, expected="、".join(sheets), found=sheet)
        stages = e.get("stages", {})
        unknown = sorted(set(stages) - set(STAGES))
        if unknown:
            raise InputError("未知的质量管控环节", **where, expected="、".join(STAGES), found=unknown[0])
        for s in STAGES:
            rec = stages.get(s, {})
            status = rec.get("status", "未开始")
            if status not in STATUSES:
                raise InputError(f"{s}的状态不对", **where, expected="、".join(STATUSES), found=status)
            st_rows.append({"eval_no": n, "year": int(e["year"]), "project_id": str(e["project"]),
                            "agency": str(e["agency"]), "stage": s, "due": _date(rec.get("due"), where),
                            "date": _date(rec.get("date"), where), "status": status,
                            "notes": str(rec.get("notes", ""))})
        sh = sheets[sheet]
        scores = e.get("scores", {}) or {}
        mx = sh.items.set_index("name")["max"]
        for item, v in scores.items():
            if item not in mx.index:
                raise InputError(f"评分表“{sh.title}”没有这一条目", **where, expected="、".join(mx.index), found=item)
            if not 0 <= float(v) <= float(mx[item]):
                raise InputError(f"“{item}”得分超出分值", **where, expected=f"0–{mx[item]:g}", found=v)
        score = float(sum(float(v) for v in scores.values())) if scores else np.nan
        ev_rows.append({"eval_no": n, "year": int(e["year"]), "project_id": str(e["project"]),
                        "agency": str(e["agency"]), "sheet": sheet, "score": score, "max_marks": sh.max_marks,
                        "score_rate": score / sh.max_marks if scores else np.nan, "partial": sh.partial})
    stages = pd.DataFrame(st_rows, columns=["eval_no", "year", "project_id", "agency", "stage", "due", "date",
                                            "status", "notes"])
    done = [d for d in stages["date"] if d is not None]
    as_of = max(done) if done else None
    late_done = [(d is not None and u is not None and d > u) for d, u in zip(stages["date"], stages["due"])]
    late_open = [(st not in ("已完成", "不适用") and u is not None and as_of is not None and u < as_of)
                 for st, u in zip(stages["status"], stages["due"])]
    stages["late"] = np.array(late_done, dtype=bool) | np.array(late_open, dtype=bool)
    evaluations = pd.DataFrame(ev_rows, columns=["eval_no", "year", "project_id", "agency", "sheet", "score",
                                                 "max_marks", "score_rate", "partial"])
    return KeyEvaluations(stages=stages, evaluations=evaluations, as_of=as_of, sheets=sheets)


def load_key_evaluations(portfolio_path: str | Path) -> KeyEvaluations:
    """The key evaluations recorded in a portfolio file (empty when it has none)."""
    from ..project import read_project_file

    path = Path(portfolio_path)
    return read_key_evaluations(read_project_file(path), path)


def _stage_text(r) -> str:
    day = lambda d: f"{d.month}月{d.day}日" if d else ""  # noqa: E731
    if r.status == "已完成":
        return f"已完成（{day(r.date)}）" + ("，逾期" if r.late else "")
    if r.status == "不适用":
        return "不适用"
    return r.status + (f"，逾期（应于{day(r.due)}前）" if r.late else (f"（应于{day(r.due)}前）" if r.due else ""))


def key_evaluation_control(ke: KeyEvaluations, project_names: dict | None = None) -> pd.DataFrame:
    """The 重点评价质量管控 table, Chinese headers: per evaluation, each stage done or late, the report score,
    结果应用 taken."""
    names = project_names or {}
    rows = []
    for (n, year, pid, agency), g in ke.stages.groupby(["eval_no", "year", "project_id", "agency"], sort=False):
        ev = ke.evaluations.set_index("eval_no").loc[n]
        sh = ke.sheets[ev["sheet"]]
        row = {"年度": year, "项目编码": pid, "项目名称": names.get(pid, ""), "评价机构": agency}
        for r in g.itertuples(index=False):
            row[r.stage] = _stage_text(r)
        done = int((g["status"] == "已完成").sum())
        row["已完成环节"] = f"{done}/{len(STAGES)}"
        row["逾期环节"] = "、".join(g.loc[g["late"], "stage"]) or "无"
        row["报告质量评分表"] = sh.title + ("（来源不完整）" if sh.partial else "")
        row["报告质量得分"] = (f"{ev['score']:g}/{ev['max_marks']:g}" if np.isfinite(ev["score"]) else "未评分")
        row["得分率（%）"] = round_half_up(100 * ev["score_rate"], 2) if np.isfinite(ev["score_rate"]) else np.nan
        applied = g[g["stage"] == "结果应用"].iloc[0]
        row["结果应用情况"] = "：".join(x for x in ("" if applied["status"] == "已完成" else applied["status"],
                                                applied["notes"]) if x)
        rows.append(row)
    return pd.DataFrame(rows)


def agency_scorecard(ke: KeyEvaluations) -> pd.DataFrame:
    """Each agency across the years on file: evaluations, mean report score rate [%] (mean of the evaluations'
    rates), stages done on time [%] (不适用 stages left out), 结果应用 done; one row per year and, when an agency
    has several years, one for 全部年度 (Chinese headers)."""
    st = ke.stages[ke.stages["status"] != "不适用"]
    ev = ke.evaluations
    groups = []
    for agency, ga in ev.groupby("agency", sort=True):
        groups += [(agency, year, g) for year, g in ga.groupby("year", sort=True)]
        if ga["year"].nunique() > 1:
            groups.append((agency, "全部年度", ga))
    rows = []
    for agency, year, g in groups:
        s = st[(st["agency"] == agency) & st["eval_no"].isin(g["eval_no"])]
        ontime = ((s["status"] == "已完成") & ~s["late"]).sum()
        rows.append({"评价机构": agency, "年度": year, "评价项目数": len(g),
                     "报告质量平均得分率（%）": round_half_up(float((100 * g["score_rate"]).mean()), 2)
                     if g["score_rate"].notna().any() else np.nan,
                     "按期完成环节": f"{int(ontime)}/{len(s)}",
                     "按期完成率（%）": round_half_up(100 * ontime / len(s), 2) if len(s) else np.nan,
                     "结果应用已落实": int(((s["stage"] == "结果应用") & (s["status"] == "已完成")).sum()),
                     "含来源不完整的评分表": "是" if g["partial"].any() else ""})
    return pd.DataFrame(rows)


def sheets_table(ke: KeyEvaluations) -> pd.DataFrame:
    """The quality sheets used, item by item, with their sources and whether the source was cut (Chinese)."""
    rows = []
    for key in dict.fromkeys(ke.evaluations["sheet"]):
        sh = ke.sheets[key]
        for it in sh.items.itertuples(index=False):
            rows.append({"评分表": sh.title, "类别": it.group, "条目": it.name, "分值": it.max, "计分档次": it.bands,
                         "来源": sh.source, "说明": sh.note + ("（部分）" if sh.partial else "")})
    return pd.DataFrame(rows)
