"""Rectification notices (整改建议书) and budget adjustment proposals (预算调整建议), one per budget unit.

The article's bureau sends the problems found in monitoring — low execution,
deviating targets — and weak evaluation grades to each budget unit as a
整改建议书 and asks for an explanation or a rectification by a deadline.
:func:`rectification_notices` builds that notice as data, one
:class:`RectificationNotice` per unit (主管部门) with something to rectify;
the workbook writer (:func:`costing.performance.excel.write_notice_xlsx`) and
the Word documents of the reports render the same object.

Problems (one row each in :attr:`RectificationNotice.items`):

- 执行偏慢 — the execution rate is below time progress − tolerance;
- 目标偏离 — at least one indicator deviates (names and achievement given);
- 评价等级中 / 评价等级差 — this year's self-evaluation grade, when an
  evaluation is passed, else the previous evaluation's grade on file;
- 填报不完整 — required fields missing on the unit's 《绩效跟踪分析表》;
- 无预算支出 — spending on a project with no budget this year (not funded:
  new and not assessed, 暂停 by a 取消 recommendation, cancelled, approved 0),
  with the amount (:attr:`MonitoringResult.unbudgeted`).

Each problem carries the required rectification (:data:`REQUIREMENTS`), the
deadline (issue date + ``days``, default :data:`DEFAULT_DAYS` or the
portfolio's ``[parameters] notice_days``) and empty reply fields for the unit
(整改措施, 完成时限, 说明).

Numbering and dating (the portfolio's ``[bureau]``: ``name`` the issuer,
``doc_prefix`` the 机关代字 such as 文财绩): a notice is numbered
``文财绩〔2026〕3号`` — prefix, year in 〔〕, sequence without leading zeros
and 号, as GB/T 9704-2012 §7.2.4 writes a 发文字号. The sequence runs per
year across rounds: with the rectification ledger
(:mod:`costing.performance.ledger`) a second round continues after the
first. A notice is dated by its round — the monitoring as-of date, or the
``issued`` date given — never the machine's clock; the reply deadline is
the issue date + ``days``. A problem the ledger already holds from an
earlier notice (same project and problem type, not yet closed) cites the
earlier number and says 再次提醒.

Budget adjustment rule (:data:`ADJUSTMENT_RULES`), amounts in 元, a negative
``adjustment`` is a reduction. Every flagged project enters the adjustment
list (预算调整范畴), one row each, the rule stated on the row:

- 取消 (the evaluation recommends cancelling): the unspent balance is
  withdrawn, proposed budget = spent to date;
- 执行偏慢: the budget is cut to the year's expected spending, proposed
  budget = min(budget, 全年预计执行数). The unit's reported 全年预计执行数 is
  used; when it did not report one, the straight-line projection spent /
  time progress (capped at the budget) is used and the row says so. A
  forecast at or above the budget gives an adjustment of 0 (kept, stated);
- 目标偏离 (targets deviate, execution not slow): the budget is held
  (adjustment 0) and the unit must correct course or apply to change its
  targets; still deviating at the next round, the bureau re-examines the
  unspent balance.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..fmt import fmt_date, fmt_rate
from .evaluation import EvaluationResult
from .monitoring import MonitoringResult
from .portfolio import Portfolio

#: days from the as-of date to the reply deadline
DEFAULT_DAYS = 30
#: default issuer of the notices
DEFAULT_ISSUER = "区财政局"

#: problem type -> required rectification
REQUIREMENTS: dict[str, str] = {
    "执行偏慢": "分析执行偏慢的原因，制定支出计划并加快预算执行；年内确实无法支出的资金，按预算调整建议申请调减。",
    "目标偏离": "逐项说明偏离原因，制定并落实纠偏措施；绩效目标确需调整的，按程序申请调整。",
    "评价等级中": "对照评价发现的问题逐项整改，整改结果作为下年度预算安排的依据。",
    "评价等级差": "全面整改并书面报告整改结果；整改不到位的，压减或取消下年度预算。",
    "填报不完整": "补齐《绩效跟踪分析表》缺失的内容后重新报送。",
    "无预算支出": "立即停止无预算支出，书面说明资金来源和支出依据；确需支出的，按程序申请追加预算，不得先支后补。",
}
#: adjustment rule name -> statement printed with the proposal
ADJUSTMENT_RULES: dict[str, str] = {
    "取消": "评价建议取消：收回未支出余额，调整后预算数 = 截至执行数",
    "执行偏慢": "执行偏慢：调减至全年预计执行数，调整后预算数取全年预算数与全年预计执行数中的较小者",
    "目标偏离": "目标偏离（执行进度正常）：预算数暂不调整（调整额为0），限期纠偏或按程序调整绩效目标；"
               "下一监控时点仍偏离的，重新核定未支出资金",
}
#: columns of the reply the unit fills in: 整改措施, 完成时限, 说明
REPLY_COLUMNS = ("reply_measures", "reply_deadline", "reply_note")

ITEM_COLUMNS = ["seq", "project_id", "project_name", "implementing_unit", "problem_type", "problem", "requirement",
                "deadline", "previous_number", *REPLY_COLUMNS]
#: problem types a monitoring round re-detects: one found before and not found again is closed (已整改)
MONITORED_TYPES = ("执行偏慢", "目标偏离", "填报不完整", "无预算支出")


def notice_number(prefix: str, year: int, seq: int) -> str:
    """发文字号: ``notice_number("文财绩", 2026, 3)`` -> ``文财绩〔2026〕3号`` (GB/T 9704-2012 §7.2.4: no leading zeros)."""
    return f"{prefix}〔{int(year)}〕{int(seq)}号"


#: a number as notice_number writes it: prefix, year, sequence
NUMBER_PATTERN = re.compile(r"^(?P<prefix>.*)〔(?P<year>\d{4})〕(?P<seq>\d+)号$")
#: problem type of a budget adjustment row
ADJUSTMENT_TYPE = "预算调整"


def last_sequence(ledger: pd.DataFrame, year: int, prefix: str) -> int:
    """The highest notice sequence of ``year`` with ``prefix`` in the ledger (0 when none)."""
    seqs = [int(m["seq"]) for m in map(NUMBER_PATTERN.match, ledger["notice_number"].astype(str))
            if m and int(m["year"]) == int(year) and m["prefix"] == prefix]
    return max(seqs, default=0)


def open_problems(ledger: pd.DataFrame, *, before) -> pd.Series:
    """``project_id|problem_type`` -> the first notice number, for problems still open from rounds before ``before``."""
    d = pd.Timestamp(before).date().isoformat()
    t = ledger[(ledger["as_of"] < d) & (ledger["status"] != "已整改") & (ledger["problem_type"] != ADJUSTMENT_TYPE)]
    first = t["previous_number"].where(t["previous_number"] != "", t["notice_number"])
    key = t["project_id"] + "|" + t["problem_type"]
    return pd.Series(first.to_numpy(), index=key.to_numpy()).groupby(level=0).first()


ADJUSTMENT_COLUMNS = ["project_id", "project_name", "budget_before_adjustment", "budget", "spent", "forecast",
                      "forecast_source", "proposed",
                      "adjustment", "rule", "advice"]


@dataclass
class RectificationNotice:
    """整改建议书 to one budget unit: everything a renderer (xlsx, docx) needs, money in 元.

    Attributes
    ----------
    department_id, department_name : str
        The addressee (主管部门).
    issuer : str
        The finance bureau sending it.
    number : str
        The notice's number (文号), e.g. ``文财绩〔2026〕3号``.
    budget_year : int
    as_of : date
        The monitoring date.
    deadline : date
        Reply deadline (issued + days).
    issued : date
        The notice's date (the round's as-of date unless given).
    time_progress : float
        [fraction]
    items : DataFrame
        One row per problem (:data:`ITEM_COLUMNS`): ``seq`` (序号),
        ``project_id, project_name, implementing_unit``, ``problem_type``
        (a key of :data:`REQUIREMENTS`), ``problem`` (the finding with its
        figures), ``requirement``, ``deadline``, and the empty reply fields
        ``reply_measures`` (整改措施), ``reply_deadline`` (完成时限),
        ``reply_note`` (说明); ``previous_number`` (the earlier notice
        that raised the same problem, "" when new).
    adjustments : DataFrame
        预算调整建议 (:data:`ADJUSTMENT_COLUMNS`): ``budget, spent, forecast,
        proposed, adjustment`` [元], ``forecast_source`` (单位填报 /
        按序时进度推算 / —), ``rule`` (a key of :data:`ADJUSTMENT_RULES`).
    submission : DataFrame
        The unit's missing monitoring-form fields
        (:attr:`MonitoringResult.problems` rows of this unit).
    rules : dict
        Label -> statement of every rule used (thresholds, deadline, the
        adjustment rules), for the notice's 说明.
    """

    department_id: str
    department_name: str
    issuer: str
    number: str
    budget_year: int
    as_of: _dt.date
    deadline: _dt.date
    time_progress: float
    items: pd.DataFrame
    adjustments: pd.DataFrame
    submission: pd.DataFrame
    rules: dict = field(default_factory=dict)
    issued: _dt.date | None = None

    @property
    def file_stem(self) -> str:
        """File name without extension, one rule for the .xlsx and the .docx:
        ``整改建议书_<文号>_<department id>_<department name>`` (unique across rounds; path characters removed)."""
        safe = lambda t: "".join(ch for ch in str(t) if ch not in '\\/:*?"<>|')  # noqa: E731
        return f"整改建议书_{safe(self.number)}_{safe(self.department_id)}_{safe(self.department_name)}"

    @property
    def title(self) -> str:
        return f"关于{self.budget_year}年度项目支出绩效监控问题的整改建议书"

    @property
    def n_again(self) -> int:
        """How many of the problems were noticed before (再次提醒)."""
        return int((self.items["previous_number"] != "").sum()) if "previous_number" in self.items else 0

    @property
    def request(self) -> str:
        """What is asked, on what basis, by when (the notice's first paragraph after the addressee);
        the Word notice and the workbook both print this one text."""
        n = self.items["project_id"].nunique()
        return (f"根据{self.budget_year}年度项目支出绩效运行监控结果（截至{fmt_date(self.as_of)}，"
                f"时间进度{fmt_rate(self.time_progress)}），你单位有{n}个项目存在下列问题。"
                f"请逐项说明原因、落实整改，并于{fmt_date(self.deadline)}前将整改情况（填写表中整改措施、"
                f"完成时限和说明栏）报送{self.issuer}。"
                + (f"其中{self.n_again}项问题此前已通知（见各项注明的文号），此次再次提醒。" if self.n_again else "")
                + (f"对其中{len(self.adjustments)}个项目，提出预算调整建议如附表。" if len(self.adjustments) else ""))

    @property
    def opening(self) -> str:
        """The notice's first paragraph with its addressee."""
        return f"{self.department_name}：\n    {self.request}"


def _pct(x) -> pd.Series:
    return pd.Series(x, dtype=float).map(fmt_rate).astype(object)


def _items(portfolio: Portfolio, mon: MonitoringResult, evaluation: EvaluationResult | None) -> pd.DataFrame:
    """Every problem of every project, one row each (vectorised)."""
    t = mon.projects.set_index("project_id")
    parts = []
    low = t[t["low_execution"]]
    parts.append(pd.DataFrame({
        "project_id": low.index, "problem_type": "执行偏慢",
        "problem": ("截至" + fmt_date(mon.as_of) + "预算执行率" + _pct(low["execution_rate"]).to_numpy()
                    + "，低于时间进度" + fmt_rate(mon.time_progress) + "减" + f"{100 * mon.tolerance:g}"
                    + "个百分点的预警线（" + fmt_rate(mon.time_progress - mon.tolerance) + "）")}))
    r = mon.indicators[mon.indicators["deviation"]]
    shown = np.where(r["direction"] == "qualitative", "完成目标可能性为" + r["likelihood"],
                     "实现程度" + _pct(r["achievement"]).to_numpy())
    dev = (r["level3"] + "（" + shown + "）").groupby(r["project_id"], sort=False).agg("、".join)
    parts.append(pd.DataFrame({"project_id": dev.index, "problem_type": "目标偏离",
                               "problem": (dev.index.map(t["n_deviating"]).astype(str) + "个绩效指标偏离序时目标："
                                           + dev.to_numpy())}))
    if evaluation is not None:
        g = evaluation.projects.set_index("project_id")[["grade", "score"]]
        source = f"{portfolio.budget_year}年度绩效自评"
    else:
        pv = portfolio.previous_evaluation.drop_duplicates("project_id", keep="last").set_index("project_id")
        g = pv[["grade", "score"]]
        source = pv["year"].map(lambda y: f"{int(y)}年度绩效评价" if pd.notna(y) else "上年度绩效评价")
    weak = g["grade"].isin(["中", "差"]) & g.index.isin(t.index)
    if weak.any():
        src = source[weak] if isinstance(source, pd.Series) else source
        w = g[weak].astype({"grade": str})
        parts.append(pd.DataFrame({"project_id": w.index, "problem_type": "评价等级" + w["grade"],
                                   "problem": src + "等级为" + w["grade"] + "（"
                                   + w["score"].map(lambda v: f"{v:.2f}") + "分）"}))
    pr = mon.problems
    if len(pr):
        label = np.where(pr["level3"] == "", pr["field"], pr["level3"] + "的" + pr["field"])
        miss = pd.Series(label, index=pr.index).groupby(pr["project_id"], sort=False).agg("、".join)
        parts.append(pd.DataFrame({"project_id": miss.index, "problem_type": "填报不完整",
                                   "problem": "《绩效跟踪分析表》未填报：" + miss.to_numpy()}))
    u = mon.unbudgeted
    if len(u):
        parts.append(pd.DataFrame({
            "project_id": u["project_id"].to_numpy(), "problem_type": "无预算支出",
            "problem": ("本年度未安排预算（" + u["exclusion_reason"].replace("", "未安排预算") + "），截至"
                        + fmt_date(mon.as_of) + "已支出"
                        + (u["spent"] / 1e4).map(lambda v: f"{v:,.2f}") + "万元").to_numpy()}))
    items = pd.concat(parts, ignore_index=True)
    order = {p: i for i, p in enumerate(portfolio.projects["project_id"])}
    kinds = {k: i for i, k in enumerate(REQUIREMENTS)}
    items = items.assign(_p=items["project_id"].map(order), _k=items["problem_type"].map(kinds)).sort_values(
        ["_p", "_k"], kind="stable").drop(columns=["_p", "_k"])
    items["requirement"] = items["problem_type"].map(REQUIREMENTS)
    return items.reset_index(drop=True)


def _adjustments(mon: MonitoringResult, evaluation: EvaluationResult | None) -> pd.DataFrame:
    """预算调整建议 for every flagged project, one row each, its rule stated (vectorised).

    The first rule that applies: 取消 (evaluation), 执行偏慢, 目标偏离.
    """
    t = mon.projects
    reported = t["forecast"].notna()
    projected = np.minimum(t["spent"] / mon.time_progress, t["budget"])
    forecast = t["forecast"].where(reported, projected)
    rule = pd.Series(np.select([t["low_execution"], t["deviating"]], ["执行偏慢", "目标偏离"], ""), index=t.index)
    proposed = pd.Series(np.where(rule == "执行偏慢", np.minimum(t["budget"], forecast), t["budget"]), index=t.index)
    if evaluation is not None:
        cancel = t["project_id"].map(evaluation.projects.set_index("project_id")["recommendation"]).eq("取消")
        rule = rule.mask(cancel, "取消")
        proposed = proposed.mask(cancel, t["spent"])
    out = t[["project_id", "project_name", "department_id", "budget_before_adjustment", "budget", "spent"]].copy()
    out["forecast"] = forecast
    out["forecast_source"] = np.where(rule == "取消", "—", np.where(reported, "单位填报", "按序时进度推算"))
    out["proposed"] = proposed
    out["adjustment"] = out["proposed"] - out["budget"]
    out["rule"] = rule
    wan = (out["adjustment"].abs() / 1e4).map(lambda v: f"{v:,.2f}")
    to = (out["proposed"] / 1e4).map(lambda v: f"{v:,.2f}")
    out["advice"] = np.where(out["adjustment"] < 0, "调减" + wan + "万元，调整后预算数" + to + "万元",
                             np.where(rule == "目标偏离", "预算数暂不调整，限期纠偏或调整绩效目标",
                                      "预计可全部执行，预算数暂不调整，督促加快执行"))
    return out[rule != ""].reset_index(drop=True)


def rectification_notices(portfolio: Portfolio, monitoring: MonitoringResult,
                          evaluation: EvaluationResult | None = None, *, days: int | None = None,
                          issuer: str | None = None, issued=None,
                          ledger: pd.DataFrame | None = None) -> list[RectificationNotice]:
    """One 整改建议书 per budget unit (主管部门) that has something to rectify.

    Parameters
    ----------
    portfolio : Portfolio
    monitoring : MonitoringResult
        :func:`costing.performance.monitor` of the same portfolio.
    evaluation : EvaluationResult, optional
        This year's self-evaluation: its 中/差 grades become problems and its
        取消 recommendations withdraw the unspent balance. Without it the
        previous evaluation's grades on file are used and nothing is withdrawn.
    days : int, optional
        Reply deadline = issue date + ``days``; default ``[parameters]
        notice_days`` or :data:`DEFAULT_DAYS`.
    issuer : str, optional
        Default ``[bureau] name``, else ``[parameters] issuer``, else :data:`DEFAULT_ISSUER`.
    issued : date or ISO string, optional
        The notices' date; default the monitoring as-of date (never the
        machine's clock). Must not be before the as-of date.
    ledger : DataFrame, optional
        The rectification ledger so far (:func:`costing.performance.ledger.load_ledger`):
        numbering continues after its last number of the year, and a
        problem it holds open cites the earlier number (再次提醒).

    Returns
    -------
    list of RectificationNotice
        In the order of the departments table; units without any problem get none.
    """
    from ..errors import InputError
    from .monitoring import _as_date

    p = portfolio.parameters
    bureau = getattr(portfolio, "bureau", {}) or {}
    days = int(p.get("notice_days", DEFAULT_DAYS) if days is None else days)
    issuer = str(issuer if issuer is not None else bureau.get("name", p.get("issuer", DEFAULT_ISSUER)))
    prefix = str(bureau.get("doc_prefix", ""))
    issued = monitoring.as_of if issued is None else _as_date(issued, dict(column="--issued"))
    if issued < monitoring.as_of:
        raise InputError("发文日期早于监控时点", column="--issued",
                         expected=f"{fmt_date(monitoring.as_of)}或之后", found=fmt_date(issued))
    deadline = issued + _dt.timedelta(days=days)
    items = _items(portfolio, monitoring, evaluation)
    info = portfolio.projects.set_index("project_id")
    units = info["implementing_unit"]
    items.insert(2, "project_name", items["project_id"].map(info["project_name"]))
    items.insert(3, "implementing_unit", items["project_id"].map(units))
    items["deadline"] = deadline
    items["previous_number"] = ""
    seq0 = 0
    if ledger is not None and len(ledger):
        seq0 = last_sequence(ledger, portfolio.budget_year, prefix)
        earlier = open_problems(ledger, before=monitoring.as_of)
        key = items["project_id"] + "|" + items["problem_type"]
        items["previous_number"] = key.map(earlier).astype(object).fillna("").astype(str)
        again = items["previous_number"] != ""
        items.loc[again, "problem"] = (items.loc[again, "problem"] + "（已于" + items.loc[again, "previous_number"]
                                       + "通知，再次提醒）")
    for c in REPLY_COLUMNS:
        items[c] = ""
    dept_of = items["project_id"].map(info["department_id"])
    adj = _adjustments(monitoring, evaluation)
    rules = {
        "监控时点": f"{fmt_date(monitoring.as_of)}（时间进度 {fmt_rate(monitoring.time_progress)}）",
        "执行偏慢": f"预算执行率低于时间进度减 {100 * monitoring.tolerance:g} 个百分点",
        "目标偏离": f"定量指标实现程度低于 {fmt_rate(monitoring.deviation_threshold)}，或单位填报的完成目标可能性为“不可能”",
        "无预算支出": "本年度未安排预算（未评估、暂停、取消或安排数为0）的项目在监控时点前有支出",
        "评价等级": "本年度绩效自评" if evaluation is not None else "最近一次绩效评价（本年度自评前）",
        "发文日期": f"{fmt_date(issued)}（{'监控时点' if issued == monitoring.as_of else '指定发文日期'}）",
        "整改期限": f"发文后 {days} 日（{fmt_date(deadline)}）",
        "再次提醒": "同一项目、同一类问题此前已发整改建议书且尚未整改的，注明首次通知文号并再次提醒",
        **{f"预算调整（{k}）": v for k, v in ADJUSTMENT_RULES.items()},
    }
    notices = []
    by_dept = dict(tuple(items.groupby(dept_of, sort=False)))
    adj_by = dict(tuple(adj.groupby("department_id", sort=False)))
    sub_by = dict(tuple(monitoring.problems.groupby("department_id", sort=False))) if len(monitoring.problems) else {}
    for dep in portfolio.departments.itertuples(index=False):
        it = by_dept.get(dep.department_id)
        if it is None and dep.department_id not in adj_by:
            continue
        it = (it if it is not None else items.iloc[:0]).reset_index(drop=True)
        it.insert(0, "seq", np.arange(1, len(it) + 1))
        a = adj_by.get(dep.department_id, adj.iloc[:0])
        notices.append(RectificationNotice(
            department_id=dep.department_id, department_name=dep.department_name, issuer=issuer,
            number=notice_number(prefix, portfolio.budget_year, seq0 + len(notices) + 1),
            budget_year=portfolio.budget_year,
            as_of=monitoring.as_of, deadline=deadline, time_progress=monitoring.time_progress,
            items=it[ITEM_COLUMNS], adjustments=a[ADJUSTMENT_COLUMNS].reset_index(drop=True),
            submission=sub_by.get(dep.department_id, monitoring.problems.iloc[:0]).reset_index(drop=True),
            rules=dict(rules), issued=issued))
    return notices


def notices_summary(notices: list[RectificationNotice]) -> pd.DataFrame:
    """One row per notice: unit, number, deadline, problems, projects to adjust and the total adjustment [元]."""
    return pd.DataFrame({
        "department_id": [n.department_id for n in notices], "department_name": [n.department_name for n in notices],
        "number": [n.number for n in notices], "deadline": [n.deadline.isoformat() for n in notices],
        "n_items": [len(n.items) for n in notices], "n_adjustments": [len(n.adjustments) for n in notices],
        "adjustment": [float(n.adjustments["adjustment"].sum()) for n in notices]})
