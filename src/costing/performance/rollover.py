"""Closing the loop across years: next year's portfolio skeleton from this year's evaluation (结果应用).

The article's "事后评价+事前评估": each project's evaluation ends in a
recommendation, and the recommendation decides how it enters next year's
budget. :func:`rollover` applies it project by project:

- 延续 (continue): carried over as a continuing project (``new_or_continuing``
  = 延续);
- 调整 (adjust): carried over with ``change_required`` stating what must
  change (the grade, the score and the indicators missed) — the next ex-ante
  review sees it next to the previous recommendation;
- 取消 (cancel): not carried (blocked) unless ``overrides`` gives a reason
  for that project; it is then carried with the reason in ``override_reason``
  (恢复申报理由) and ``change_required``;
- a project of this year's portfolio that was not evaluated (not funded this
  year) is not carried: it applies again as a new project.

This year's results become next year's ``previous_evaluation``
(:func:`costing.performance.evaluation.feed_forward`), so the next ex-ante
assessment shows the grade and blocks a 取消 without a reason.

The skeleton's amounts are placeholders: ``requested``, ``approved``,
``budget_initial`` and ``budget`` are this year's budget [元] until the unit
submits its request. Targets and weights are carried; actuals, spending,
tracking rows and ex-ante scores start empty. The departments' own targets
(两头锁定) are carried without their actuals.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError
from ..outputs import default_mode
from .display import header, to_display
from .evaluation import EvaluationResult, feed_forward
from .portfolio import Portfolio

#: carried columns of each table
PROJECT_KEEP = ["project_id", "project_name", "department_id", "project_type", "implementing_unit", "annual_goal"]
INDICATOR_KEEP = ["project_id", "indicator_id", "level1", "level2", "level3", "unit", "direction", "progress",
                  "target", "weight", "data_source"]
#: the open rectification items carried to next year (上年整改事项), written next to the skeleton
OPEN_ITEMS_FILE = "上年整改事项.csv"
#: next year's notices folder, holding a ledger that starts with the open items
NOTICES_FOLDER = "整改"
#: file names of the skeleton's tables
FILES = {"departments": "departments.csv", "projects": "projects.csv", "indicators": "indicators.csv",
         "previous_evaluation": "previous_evaluation.csv", "department_targets": "department_targets.csv"}


@dataclass
class Rollover:
    """Next year's portfolio skeleton and the decision taken for each of this year's projects.

    Attributes
    ----------
    to_year : int
    name : str
        Next year's portfolio name.
    tables : dict of DataFrame
        ``departments, projects, indicators, previous_evaluation,
        department_targets`` in glossary names, money in 元.
    decisions : DataFrame
        One row per project of this year: ``project_id, project_name,
        department_name, grade, score, recommendation, action`` (结转 /
        结转（须调整） / 结转（恢复申报） / 不结转) and ``reason``.
    parameters : dict
        This year's ``[parameters]``, carried.
    profile : str
        The scoring profile, carried: a bundled profile's name, else the
        absolute path of its file (``[scoring] profile``).
    bureau : dict
        This year's ``[bureau]`` (issuer, 文号 prefix), carried.
    open_items : DataFrame
        上年整改事项: the rectification-ledger rows still open at year end
        (status other than 已整改, 预算调整 rows excluded), in
        :data:`costing.performance.ledger.LEDGER_COLUMNS`, for the next
        year's notices and 考核 to follow up.
    """

    to_year: int
    name: str
    tables: dict
    decisions: pd.DataFrame
    parameters: dict
    profile: str = "national"
    bureau: dict = field(default_factory=dict)
    open_items: pd.DataFrame = field(default_factory=pd.DataFrame)


def rollover(portfolio: Portfolio, evaluation: EvaluationResult, to_year: int, *,
             overrides: Mapping[str, str] | None = None, ledger: pd.DataFrame | None = None) -> Rollover:
    """Build next year's portfolio skeleton from this year's evaluation.

    Parameters
    ----------
    portfolio : Portfolio
        This year's portfolio.
    evaluation : EvaluationResult
        Its self-evaluation (:func:`evaluate_portfolio`).
    to_year : int
        Next budget year (after ``portfolio.budget_year``).
    overrides : mapping project id -> reason, optional
        取消 projects carried all the same, each with its reason.
    ledger : DataFrame, optional
        This year's rectification ledger (:func:`costing.performance.ledger.load_ledger`):
        its open problems are carried as 上年整改事项.

    Raises
    ------
    InputError
        A year not after this one, an override of an unknown project or one
        not recommended 取消, an empty override reason.
    """
    if int(to_year) <= portfolio.budget_year:
        raise InputError("结转年度不晚于本项目组合的预算年度", column="--to",
                         expected=f"{portfolio.budget_year} 年以后的年份", found=to_year)
    overrides = {str(k): str(v).strip() for k, v in (overrides or {}).items()}
    ev = evaluation.projects.set_index("project_id")
    for pid, reason in overrides.items():
        if pid not in ev.index or ev.loc[pid, "recommendation"] != "取消":
            raise InputError("恢复申报的项目并非评价建议取消的项目", column="--override",
                             expected="评价建议“取消”的项目编码",
                             found=f"{pid}（{ev.loc[pid, 'recommendation'] if pid in ev.index else '未评价'}）")
        if not reason:
            raise InputError("恢复申报未说明理由", column="--override", expected="项目编码=恢复申报理由",
                             found=pid)
    prj = portfolio.projects.set_index("project_id", drop=False)
    d = prj[["project_id", "project_name"]].copy()
    d["department_name"] = prj["department_id"].map(portfolio.departments.set_index("department_id")["department_name"])
    for c in ("grade", "score", "recommendation"):
        d[c] = d["project_id"].map(ev[c])
    rec = d["recommendation"].fillna("")
    overridden = d["project_id"].isin(list(overrides))
    missed = evaluation.indicators[evaluation.indicators["missed"]]
    missed_names = missed.groupby("project_id")["level3"].agg("、".join)
    cases = [rec == "延续", rec == "调整", (rec == "取消") & overridden, rec == "取消"]
    d["action"] = np.select(cases, ["结转", "结转（须调整）", "结转（恢复申报）", "不结转"], "不结转")
    head = (f"{portfolio.budget_year}年度绩效评价" + d["grade"].fillna("") + "（"
            + d["score"].map(lambda v: f"{v:.2f}" if pd.notna(v) else "") + "分），建议" + rec)
    change = head + "：须按评价意见调整后申报" + d["project_id"].map(
        lambda p: f"（未完成指标：{missed_names[p]}）" if p in missed_names.index else "")
    d["reason"] = np.select(
        cases, [head, change, head + "；恢复申报理由：" + d["project_id"].map(lambda x: overrides.get(x, "")),
         head + "：不结转（如需恢复，须说明理由）"],
        f"{portfolio.budget_year}年度未安排预算、未评价：不结转，如需申报按新增项目办理")
    carried = d["action"] != "不结转"

    p = prj.loc[carried.to_numpy(), [c for c in PROJECT_KEEP if c in prj]].reset_index(drop=True)
    amount = p["project_id"].map(ev["budget"]).to_numpy(dtype=float)
    p["new_or_continuing"] = "延续"
    for c in ("requested", "approved", "budget_initial", "budget"):
        p[c] = amount
    by_id = d.set_index("project_id")
    p["change_required"] = p["project_id"].map(by_id["reason"].where(by_id["action"] != "结转", ""))
    p["override_reason"] = p["project_id"].map(lambda x: overrides.get(x, ""))
    ind = portfolio.indicators
    ind = ind.loc[ind["project_id"].isin(p["project_id"]), [c for c in INDICATOR_KEEP if c in ind]]
    prev = feed_forward(evaluation, portfolio.budget_year)
    prev = prev[prev["project_id"].isin(p["project_id"])]
    dep = portfolio.departments[["department_id", "department_name"]]
    own = portfolio.department_targets.drop(columns=["actual"], errors="ignore")
    tables = {"departments": dep, "projects": p, "indicators": ind.reset_index(drop=True),
              "previous_evaluation": prev.reset_index(drop=True), "department_targets": own.reset_index(drop=True)}
    name = portfolio.name.replace(str(portfolio.budget_year), str(to_year)) + f"（由{portfolio.budget_year}年度结转）"
    open_items = pd.DataFrame()
    if ledger is not None and len(ledger):
        from .ledger import ADJUSTMENT_TYPE

        open_items = ledger[(ledger["status"] != "已整改") & (ledger["problem_type"] != ADJUSTMENT_TYPE)]
        open_items = open_items.reset_index(drop=True)
    return Rollover(to_year=int(to_year), name=name, tables=tables, decisions=d.reset_index(drop=True),
                    parameters=dict(portfolio.parameters), profile=_profile_ref(portfolio.profile),
                    bureau=dict(getattr(portfolio, "bureau", {}) or {}), open_items=open_items)


def _profile_ref(profile) -> str:
    """How the skeleton names the scoring profile: the bundled name, else the file's absolute path."""
    from .profile import PROFILE_DIR

    path = getattr(profile, "path", None)
    if path is None:
        return profile.name
    path = Path(path).resolve()
    return path.stem if path.parent == PROFILE_DIR.resolve() else str(path)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_rollover(result: Rollover, out_dir: str | Path, *, portfolio_id: str) -> Path:
    """Write the skeleton to ``out_dir`` (a new or empty folder): the portfolio TOML, its tables and 结转清单.csv.

    The folder is built aside and renamed into place, so a failure leaves
    nothing half-written. Tables have Chinese headers; money is in 元 to the
    fen, so nothing is rounded away.

    Returns
    -------
    Path
        The portfolio file.
    """
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("输出文件夹不是空的", file=str(out), column="--out",
                         expected="新的或空的文件夹", found="、".join(sorted(p.name for p in out.iterdir())[:3])
                         if out.is_dir() else "一个文件")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    os.chmod(tmp, default_mode(folder=True))  # mkdtemp gives 0o700; publish with the umask's
    try:
        for key, df in result.tables.items():
            shown = to_display(df, unit="元", decimals=2)
            if "weight" in df:   # weights unrounded, so a split such as 50/3 still sums to its group
                shown[header("weight")] = df["weight"].to_numpy()
            shown.to_csv(tmp / FILES[key], index=False, encoding="utf-8")
        to_display(result.decisions).to_csv(tmp / "结转清单.csv", index=False, encoding="utf-8")
        pid = f"{portfolio_id}_{result.to_year}"
        lines = ["# Next year's portfolio skeleton written by `costing rollover`: amounts are this year's budgets,",
                 "# placeholders until the units submit their requests (see 结转清单.csv for each decision).",
                 "[project]", f"id = {_toml_value(pid)}", f"name = {_toml_value(result.name)}", 'kind = "portfolio"',
                 f"budget_year = {result.to_year}", "", "[tables]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in FILES.items()]
        lines += ["", "[scoring]", f"profile = {_toml_value(result.profile)}"]
        if result.bureau:
            lines += ["", "[bureau]"] + [f"{k} = {_toml_value(v)}" for k, v in result.bureau.items()]
        lines += ["", "[parameters]"] + [f"{k} = {_toml_value(v)}" for k, v in result.parameters.items()]
        if len(result.open_items):
            from .ledger import LEDGER_COLUMNS

            items = result.open_items[LEDGER_COLUMNS]
            to_display(items, unit="元", decimals=2).to_csv(tmp / OPEN_ITEMS_FILE, index=False, encoding="utf-8")
            # next year's notices folder starts from them: `costing monitor … --notices OUT/整改` numbers its
            # notices from 1 for the new year and cites last year's number on a problem found again (再次提醒)
            from .ledger import LEDGER_FILE, write_ledger

            (tmp / NOTICES_FOLDER).mkdir()
            write_ledger(result.open_items, tmp / NOTICES_FOLDER / LEDGER_FILE)
        (tmp / f"{pid}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out / f"{pid}.toml"
