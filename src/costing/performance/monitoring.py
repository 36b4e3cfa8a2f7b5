"""In-year dual monitoring (绩效运行监控, 双监控): budget execution and target achievement.

Conventions
-----------
- **Time progress** (时间进度) is by default elapsed calendar days including
  the as-of date over the days of the budget year: 30 September 2026 is day
  273 of 365, so 273/365 = 74.79%. The bureau's rule of thumb says "75% at the
  end of September", which is the month convention
  (``convention="months"``: (month − 1 + day / days in month) / 12 = 9/12).
- **Execution rate** (预算执行率) = cumulative spending at the as-of date /
  annual budget (全年预算数) [fraction]; the spending record used is the latest
  one dated on or before the as-of date (no record: 0 spent).
- **Low execution** (执行进度偏慢): execution rate < time progress − tolerance,
  default tolerance :data:`DEFAULT_TOLERANCE` = 15 percentage points (at the
  end of September a project is flagged below 59.79%).
- **Expected to date** (序时进度目标): target × time progress for cumulative
  indicators (progress ``cumulative``: vehicle-km, passengers); the target
  itself for level indicators (rates, quality, stocks).
- **Dated actuals**: an indicator's actual to date is the latest row of the
  portfolio's ``tracking`` table dated on or before the as-of date, and it is
  compared with the value expected *at its own date*: a cumulative
  indicator measured on 30 September is judged against target × 273/365
  whether monitoring runs as of 30 September or 31 December. An indicator
  with no row dated on or before the as-of date is ``missing_actual``.
- **Target achievement** (目标实现程度) = actual to date / expected to date for
  higher-is-better indicators, expected / actual for lower-is-better ones
  (an actual of 0 is ``inf``: better than any target).
- **Target deviation** (目标偏离): achievement < threshold, default
  :data:`DEFAULT_DEVIATION_THRESHOLD` = 0.80 (more than 20% behind the
  expected value to date); any indicator, quantitative or qualitative,
  also deviates when the unit itself answers 不可能 (cannot be met): the
  unit's own forecast counts. A missing actual is a submission problem,
  not a deviation.
- **Traffic light** (预警灯, :data:`LIGHTS`): a quantitative indicator is
  绿 at achievement ≥ 100%, 黄 from the threshold up to 100%, 红 below it;
  a qualitative one follows the unit's 完成目标可能性 (确定能 绿, 有可能 黄,
  不可能 红). No answer: empty. A quantitative indicator the unit rates
  不可能 is 红 whatever its achievement to date.
- **Unbudgeted spending** (无预算支出): spending recorded on or before the
  as-of date on a project with no budget this year (not funded by the
  ex-ante decision: new and not assessed, 暂停 by a 取消 recommendation,
  cancelled, approved 0) — listed in :attr:`MonitoringResult.unbudgeted`.
- **Submission problems** (填报问题) of the 《绩效跟踪分析表》, listed per unit
  in :attr:`MonitoringResult.problems`: an indicator without an actual to
  date or without a 完成目标可能性; a 有可能 / 不可能 answer without its
  偏差原因类别, 偏差原因 or 改进措施; a project without a 全年预计执行数
  (the spending table's ``forecast``) on or before the as-of date.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError, ParameterError
from .portfolio import Portfolio
from .scoring import _wrap

#: traffic light of a 完成目标可能性 answer
LIGHTS: dict[str, str] = {"确定能": "绿", "有可能": "黄", "不可能": "红"}
#: answers that require 偏差原因类别, 偏差原因 and 改进措施
NEEDS_REASON = ("有可能", "不可能")
#: tolerance below time progress before an execution rate is flagged [fraction]
DEFAULT_TOLERANCE = 0.15
#: achievement below which an indicator deviates [fraction]
DEFAULT_DEVIATION_THRESHOLD = 0.80
CONVENTIONS = ("days", "months")


def _as_date(as_of, where: dict | None = None) -> _dt.date:
    if isinstance(as_of, pd.Timestamp):
        return as_of.date()
    if isinstance(as_of, _dt.datetime):
        return as_of.date()
    if isinstance(as_of, _dt.date):
        return as_of
    try:
        return _dt.date.fromisoformat(str(as_of).strip())
    except ValueError:
        raise InputError("不是日期", **(where or {}), expected="日期，如 2026-09-30", found=as_of) from None


def time_progress(as_of, budget_year: int, *, convention: str = "days") -> float:
    """Share of the budget year elapsed at the end of ``as_of`` [fraction].

    Parameters
    ----------
    as_of : date, Timestamp or ISO string
        Must fall in ``budget_year``.
    budget_year : int
    convention : {"days", "months"}
        ``days``: day of year / days in year (2026-09-30 -> 273/365 = 0.7479);
        ``months``: (month − 1 + day / days in month) / 12 (2026-09-30 -> 0.75).

    Raises
    ------
    InputError
        A date outside the budget year.
    """
    d = _as_date(as_of, dict(column="as_of"))
    if d.year != budget_year:
        raise InputError("截至日期不在预算年度内", column="as_of",
                         expected=f"{budget_year} 年内的日期", found=d.isoformat())
    if convention == "days":
        start = _dt.date(budget_year, 1, 1)
        n = (_dt.date(budget_year + 1, 1, 1) - start).days
        return ((d - start).days + 1) / n
    if convention == "months":
        dim = (_dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1) - _dt.date(d.year, d.month, 1)).days
        return (d.month - 1 + d.day / dim) / 12
    raise ParameterError("未知的时间进度口径", column="convention",
                         expected=f"{'、'.join(CONVENTIONS)} 之一", found=convention)


def progress_of_dates(dates: pd.Series, budget_year: int, *, convention: str = "days") -> np.ndarray:
    """:func:`time_progress` of each date of a datetime Series (NaT -> NaN), vectorised [fraction]."""
    d = pd.to_datetime(dates)
    if convention == "days":
        n = (pd.Timestamp(budget_year + 1, 1, 1) - pd.Timestamp(budget_year, 1, 1)).days
        return (d.dt.day_of_year / n).to_numpy(dtype=float)
    if convention == "months":
        return ((d.dt.month - 1 + d.dt.day / d.dt.days_in_month) / 12).to_numpy(dtype=float)
    raise ParameterError("未知的时间进度口径", column="convention",
                         expected=f"{'、'.join(CONVENTIONS)} 之一", found=convention)


def execution_rate(spent, budget):
    """Budget execution rate (预算执行率) = spent / budget [fraction], not capped.

    Parameters
    ----------
    spent : float, array or Series
        Cumulative spending [元].
    budget : float, array or Series
        Annual budget [元], > 0.
    """
    s = np.asarray(spent, dtype=float)
    b = np.asarray(budget, dtype=float)
    if np.any(~(b > 0)):
        raise InputError("预算数应为正数", column="budget", expected="大于 0 的数",
                         found=float(b[~(b > 0)].reshape(-1)[0]))
    return _wrap(s / b, spent, budget)


def expected_to_date(target, cumulative, progress):
    """Expected value to date: target × progress if cumulative, else the target [indicator unit].

    Parameters
    ----------
    target : float, array or Series
    cumulative : bool, array or Series
        True for quantities that build up over the year.
    progress : float or array
        Time progress [fraction], one value or one per indicator (at each actual's date).
    """
    t = np.asarray(target, dtype=float)
    c = np.asarray(cumulative, dtype=bool)
    return _wrap(np.where(c, t * progress, t), target)


def target_achievement(actual, expected, direction):
    """Achievement against the expected value [fraction]: actual/expected, or expected/actual if lower is better.

    Returns NaN for qualitative indicators and missing actuals; an expected
    value of 0 is met by any actual (1.0 for higher-is-better); a
    lower-is-better actual of 0 gives ``inf``.
    """
    a = np.asarray(actual, dtype=float)
    e = np.asarray(expected, dtype=float)
    d = np.asarray(direction, dtype=object)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        hi = np.where(e > 0, a / np.where(e > 0, e, 1.0), np.where(np.isnan(a), np.nan, 1.0))
        lo = np.where(a > 0, e / np.where(a > 0, a, 1.0), np.where(np.isnan(a), np.nan, np.inf))
    out = np.where(d == "higher", hi, np.where(d == "lower", lo, np.nan))
    return _wrap(out, actual, expected)


def spending_at(spending: pd.DataFrame, project_ids: pd.Series, as_of=None) -> pd.DataFrame:
    """Latest cumulative spending per project dated on or before ``as_of`` (None: latest overall).

    Returns a frame indexed like ``project_ids`` with ``spent`` [元] (0 when no
    record) and ``spent_date`` (NaT when no record).
    """
    last = latest_on_or_before(spending, ["project_id"], pd.Timestamp.max if as_of is None else as_of)
    last = last.reindex(project_ids.to_numpy())
    return pd.DataFrame({"spent": last["spent"].fillna(0.0).to_numpy(dtype=float),
                         "spent_date": last["date"].to_numpy()}, index=project_ids.index)


def latest_on_or_before(df: pd.DataFrame, keys: list[str], as_of) -> pd.DataFrame:
    """The latest row of ``df`` per ``keys`` dated (column ``date``) on or before ``as_of``, indexed by ``keys``."""
    df = df[df["date"] <= pd.Timestamp(as_of)]
    return df.sort_values("date", kind="stable").drop_duplicates(keys, keep="last").set_index(keys)


def _last_index(pos: np.ndarray, dates: np.ndarray, as_of, n: int) -> np.ndarray:
    """For each of ``n`` targets, the row index of its latest record dated on or before ``as_of`` (−1: none).

    ``dates`` is sorted ascending (stable: file order within a date), ``pos`` the target of each record
    (−1: not a target); the larger row index of a target is the later record, as
    :func:`latest_on_or_before` keeps the last row after a stable sort.
    """
    k = int(np.searchsorted(dates, np.datetime64(pd.Timestamp(as_of)), side="right"))
    p = pos[:k]
    ok = p >= 0
    out = np.full(n, -1, dtype=np.int64)
    np.maximum.at(out, p[ok], np.arange(k, dtype=np.int64)[ok])
    return out


def _take(values: np.ndarray, at: np.ndarray, fill) -> np.ndarray:
    """``values[at]`` where ``at`` ≥ 0, else ``fill`` (also when there are no records at all)."""
    if not len(values):
        return np.full(len(at), fill, dtype=values.dtype if values.dtype != object else object)
    return np.where(at >= 0, values[np.maximum(at, 0)], fill)


class _Prepared:
    """The date-independent part of monitoring (funded set, base tables, sorted dated records), built once
    and shared by the dates of :func:`monitor_dates`."""

    def __init__(self, portfolio_all: Portfolio, funded):
        self.portfolio_all, self.funded = portfolio_all, funded
        pf = self.portfolio = funded.portfolio
        prj = pf.projects
        self.names = pf.departments.set_index("department_id")["department_name"]
        t = prj[["project_id", "project_name", "department_id", "project_type", "budget_initial",
                 "budget_before_adjustment", "budget"]].copy()
        t.insert(3, "department_name", t["department_id"].map(self.names))
        t["annual_goal"] = prj["annual_goal"].fillna("").astype(str) if "annual_goal" in prj else ""
        self.t0 = t
        at = pd.Series(np.arange(len(prj)), index=prj["project_id"].to_numpy())
        sp = pf.spending.sort_values("date", kind="stable")
        self.sp_pos = sp["project_id"].map(at).fillna(-1).to_numpy(dtype=np.int64)
        self.sp_date = sp["date"].to_numpy(dtype="datetime64[ns]")
        self.sp_spent = sp["spent"].to_numpy(dtype=float)
        fc = sp[sp["forecast"].notna()]
        self.fc_pos = fc["project_id"].map(at).fillna(-1).to_numpy(dtype=np.int64)
        self.fc_date = fc["date"].to_numpy(dtype="datetime64[ns]")
        self.fc_value = fc["forecast"].to_numpy(dtype=float)
        ind = pf.indicators
        self.r0 = ind[["project_id", "ind_no", "indicator_id", "level1", "level2", "level3", "unit", "direction",
                       "progress", "target", "target_value"]].copy()
        keys = pd.MultiIndex.from_frame(self.r0[["project_id", "ind_no"]])
        tr = pf.tracking.sort_values("date", kind="stable")
        self.tr_pos = keys.get_indexer(pd.MultiIndex.from_frame(tr[["project_id", "ind_no"]])).astype(np.int64)
        self.tr_date = tr["date"].to_numpy(dtype="datetime64[ns]")
        self.tr_actual = tr["actual"].to_numpy(dtype=float)
        self.tr_text = {c: tr[c].fillna("").to_numpy(dtype=object)
                        for c in ("actual_text", "likelihood", "reason_group", "cause", "measures")}


@dataclass
class MonitoringResult:
    """Dual monitoring of a portfolio at one date.

    Attributes
    ----------
    as_of : date
    time_progress : float
        [fraction]
    tolerance, deviation_threshold : float
        [fraction]
    projects : DataFrame
        The tracking table (《绩效跟踪分析表》), one row per project:
        ``budget_initial`` (年初预算数), ``budget_before_adjustment`` (before a
        confirmed ledger adjustment), ``budget`` (全年预算数 measured against),
        ``annual_goal`` (年度总体目标),
        ``spent`` (执行数 to date),
        ``forecast`` (全年预计执行数, NaN when not reported) [元],
        ``execution_rate, time_progress, gap`` (execution − time progress)
        [fraction], ``low_execution``, ``n_indicators, n_deviating,
        n_missing_actual``, ``deviating`` (any indicator deviates),
        ``deviating_indicators`` (names) and ``n_problems``.
    indicators : DataFrame
        One row per indicator: ``ind_no``, ``target`` (年度指标值),
        ``actual_to_date`` [unit] and ``actual_text`` (截至执行情况),
        ``actual_date``, ``expected`` [unit] at the actual's date,
        ``achievement`` [fraction], ``likelihood`` (完成目标可能性),
        ``reason_group``, ``cause``, ``measures``, ``light``,
        ``deviation``, ``missing_actual``.
    departments : DataFrame
        Per department: projects, budget, spent, execution rate (sums then
        divide), projects with low execution (``n_low_execution``), with
        deviating targets (``n_deviating_projects``), deviating indicators
        (``n_deviating_indicators``) and submission problems (``n_problems``).
    problems : DataFrame
        Missing required fields of the units' submission, one row each:
        ``department_id, department_name, project_id, project_name, ind_no,
        level3, field, problem``.
    excluded : DataFrame
        Projects not funded this year, not monitored, with the reason
        (:func:`costing.performance.exante.funded_projects`).
    unbudgeted : DataFrame
        无预算支出: the excluded projects with spending > 0 on or before the
        as-of date: ``project_id, project_name, department_id,
        department_name, exclusion_reason, spent`` [元], ``spent_date``.
    """

    as_of: _dt.date
    time_progress: float
    tolerance: float
    deviation_threshold: float
    convention: str
    projects: pd.DataFrame
    indicators: pd.DataFrame
    departments: pd.DataFrame
    summary: dict = field(default_factory=dict)
    problems: pd.DataFrame = field(default_factory=pd.DataFrame)
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame)
    unbudgeted: pd.DataFrame = field(default_factory=pd.DataFrame)


def monitor(portfolio: Portfolio, as_of, *, tolerance: float | None = None,
            deviation_threshold: float | None = None, convention: str | None = None,
            _funded=None) -> MonitoringResult:
    """Dual monitoring of every project of a portfolio at ``as_of``.

    Only the projects funded by the ex-ante decision are monitored, on the
    approved budget (:func:`costing.performance.exante.funded_projects`).

    Parameters
    ----------
    portfolio : Portfolio
    as_of : date or ISO string
        In the budget year.
    tolerance : float, optional
        [fraction]; default the portfolio's ``[parameters] tolerance`` or
        :data:`DEFAULT_TOLERANCE`.
    deviation_threshold : float, optional
        [fraction]; default ``[parameters] deviation_threshold`` or
        :data:`DEFAULT_DEVIATION_THRESHOLD`.
    convention : {"days", "months"}, optional
        Time progress convention (default ``days``).

    Returns
    -------
    MonitoringResult
    """
    p = portfolio.parameters
    tol = float(p.get("tolerance", DEFAULT_TOLERANCE) if tolerance is None else tolerance)
    thr = float(p.get("deviation_threshold", DEFAULT_DEVIATION_THRESHOLD)
                if deviation_threshold is None else deviation_threshold)
    conv = convention or p.get("time_progress", "days")
    for name, v in (("tolerance", tol), ("deviation_threshold", thr)):
        if not 0 <= v <= 1:
            raise ParameterError(f"{name} out of range", column=name, expected="a fraction in [0, 1]", found=v)
    d = _as_date(as_of, dict(column="as_of"))
    tp = time_progress(d, portfolio.budget_year, convention=conv)
    if isinstance(_funded, _Prepared):
        prep = _funded
    else:
        from .exante import funded_projects
        prep = _Prepared(portfolio, funded_projects(portfolio) if _funded is None else _funded)
    funded, portfolio_all, portfolio = prep.funded, prep.portfolio_all, prep.portfolio
    names = prep.names

    t = prep.t0.copy()
    at = _last_index(prep.sp_pos, prep.sp_date, d, len(t))
    t["spent"] = _take(prep.sp_spent, at, 0.0)
    t["spent_date"] = pd.Series(_take(prep.sp_date, at, np.datetime64("NaT")), index=t.index,
                                dtype="datetime64[ns]")
    t["forecast"] = _take(prep.fc_value, _last_index(prep.fc_pos, prep.fc_date, d, len(t)), np.nan)
    t["execution_rate"] = execution_rate(t["spent"], t["budget"])
    t["time_progress"] = tp
    t["gap"] = t["execution_rate"] - tp
    t["low_execution"] = t["execution_rate"] < tp - tol

    r = prep.r0.copy()
    at = _last_index(prep.tr_pos, prep.tr_date, d, len(r))
    r["actual_to_date"] = _take(prep.tr_actual, at, np.nan)
    r["actual_text"] = _take(prep.tr_text["actual_text"], at, "").astype(object)
    r["actual_date"] = pd.Series(_take(prep.tr_date, at, np.datetime64("NaT")), index=r.index,
                                 dtype="datetime64[ns]")
    for c in ("likelihood", "reason_group", "cause", "measures"):
        r[c] = _take(prep.tr_text[c], at, "").astype(object)
    progress = np.where(r["actual_date"].notna(), progress_of_dates(r["actual_date"], portfolio.budget_year,
                                                                    convention=conv), tp)
    r["expected"] = expected_to_date(r["target_value"], r["progress"] == "cumulative", progress)
    r["achievement"] = target_achievement(r["actual_to_date"], r["expected"], r["direction"])
    quant = r["direction"] != "qualitative"
    r["missing_actual"] = np.where(quant, r["actual_to_date"].isna(), r["actual_text"] == "")
    ach = r["achievement"]
    cannot = r["likelihood"] == "不可能"
    r["light"] = np.where(quant, np.select([cannot, ach >= 1, ach >= thr, ach < thr], ["红", "绿", "黄", "红"], ""),
                          r["likelihood"].map(LIGHTS).fillna(""))
    r["deviation"] = np.where(quant, ach < thr, False) | cannot
    g = r.groupby("project_id", sort=False)
    t["n_indicators"] = t["project_id"].map(g.size()).fillna(0).astype(int)
    t["n_deviating"] = t["project_id"].map(g["deviation"].sum()).fillna(0).astype(int)
    t["n_missing_actual"] = t["project_id"].map(g["missing_actual"].sum()).fillna(0).astype(int)
    t["deviating"] = t["n_deviating"] > 0
    dev = r[r["deviation"]]
    # names joined with 、 (a string sum per project is a cython loop; "、".join per group is a Python call each)
    names_by = (dev["level3"].astype(str) + "、").groupby(dev["project_id"], sort=False).sum().str[:-1]
    t["deviating_indicators"] = t["project_id"].map(names_by).astype(object).fillna("")

    problems = _submission_problems(t, r)
    t["n_problems"] = t["project_id"].map(problems.groupby("project_id").size()).fillna(0).astype(int)
    dep = t.groupby("department_id", sort=False).agg(
        n_projects=("project_id", "size"), budget=("budget", "sum"), spent=("spent", "sum"),
        n_low_execution=("low_execution", "sum"), n_deviating_projects=("deviating", "sum"),
        n_deviating_indicators=("n_deviating", "sum"), n_problems=("n_problems", "sum"))
    dep.insert(0, "department_name", dep.index.map(names))
    dep["execution_rate"] = execution_rate(dep["spent"], dep["budget"])
    dep["time_progress"] = tp
    summary = {
        "as_of": d.isoformat(), "time_progress": tp, "n_projects": len(t),
        "execution_rate": float(t["spent"].sum() / t["budget"].sum()),
        "n_low_execution": int(t["low_execution"].sum()), "n_deviating_projects": int(t["deviating"].sum()),
        "n_deviating_indicators": int(r["deviation"].sum()), "n_missing_actual": int(r["missing_actual"].sum()),
        "n_problems": len(problems),
    }
    unb = unbudgeted_spending(portfolio_all, funded.excluded, d)   # few projects: the plain path
    summary["n_unbudgeted"] = len(unb)
    summary["unbudgeted_spent"] = float(unb["spent"].sum())
    return MonitoringResult(as_of=d, time_progress=tp, tolerance=tol, deviation_threshold=thr, convention=conv,
                            projects=t, indicators=r, departments=dep, summary=summary, problems=problems,
                            excluded=funded.excluded, unbudgeted=unb)


def unbudgeted_spending(portfolio: Portfolio, excluded: pd.DataFrame, as_of) -> pd.DataFrame:
    """无预算支出: projects with no budget this year that spent money on or before ``as_of`` [元].

    ``excluded`` is :attr:`FundedSet.excluded` (one row per project not funded,
    with ``exclusion_reason``). Returns one row per such project with spending
    > 0: ``project_id, project_name, department_id, department_name,
    exclusion_reason, spent, spent_date``.
    """
    cols = ["project_id", "project_name", "department_id", "department_name", "exclusion_reason"]
    e = excluded[cols].reset_index(drop=True)
    sp = portfolio.spending
    e = e.join(spending_at(sp[sp["project_id"].isin(e["project_id"])], e["project_id"], as_of))
    return e[e["spent"] > 0].reset_index(drop=True)


#: fields required when the answer is 有可能 or 不可能: column -> label on the form
REASON_FIELDS = {"reason_group": "偏差原因类别", "cause": "偏差原因", "measures": "改进措施"}


def _submission_problems(t: pd.DataFrame, r: pd.DataFrame) -> pd.DataFrame:
    """Missing required fields of the 《绩效跟踪分析表》, one row each (vectorised)."""
    doubt = r["likelihood"].isin(NEEDS_REASON).to_numpy()
    checks = [(r["missing_actual"].to_numpy(dtype=bool), "截至执行情况", None),
              ((r["likelihood"] == "").to_numpy(), "完成目标可能性", None)]
    checks += [(doubt & (r[col] == "").to_numpy(), label, col) for col, label in REASON_FIELDS.items()]
    parts = []
    for miss, label, col in checks:   # the problem text is built for the flagged rows only (speed, 50,000 rows)
        rows = r.loc[miss, ["project_id", "ind_no", "level3", "likelihood"]]
        text = (f"未填报{label}" if col is None else "完成目标可能性为" + rows["likelihood"] + f"，未填报{label}")
        parts.append(rows.drop(columns="likelihood").assign(field=label, problem=text))
    parts.append(t.loc[t["forecast"].isna(), ["project_id"]].assign(
        ind_no=0, level3="", field="全年预计执行数", problem="未填报全年预计执行数"))
    out = pd.concat(parts, ignore_index=True)
    info = t.set_index("project_id")
    out.insert(0, "department_id", out["project_id"].map(info["department_id"]))
    out.insert(1, "department_name", out["project_id"].map(info["department_name"]))
    out.insert(3, "project_name", out["project_id"].map(info["project_name"]))
    order = out["project_id"].map(pd.Series(np.arange(len(t)), index=t["project_id"]))
    return out.assign(_o=order).sort_values(["_o", "ind_no"], kind="stable").drop(columns="_o").reset_index(drop=True)


@dataclass
class MonitoringRounds:
    """Dual monitoring of a portfolio at several dates (分段展示, 一表通观).

    Attributes
    ----------
    results : list of MonitoringResult
        One per date, in date order.
    trajectory : DataFrame
        One row per funded project and date: ``project_id, project_name,
        department_name, as_of, budget`` [元], ``spent`` [元],
        ``time_progress, execution_rate, gap`` [fraction; gap = execution −
        time progress], ``low_execution``, ``n_green, n_yellow, n_red``
        (indicator lights), ``n_certain, n_possible, n_impossible``
        (完成目标可能性 确定能/有可能/不可能), ``n_deviating``, and the change
        since the previous date: ``d_execution_rate, d_gap`` [fraction]
        and ``d_red`` (NaN at the first date).
    """

    results: list
    trajectory: pd.DataFrame

    @property
    def dates(self) -> list:
        return [r.as_of for r in self.results]


def monitor_dates(portfolio: Portfolio, dates, **kwargs) -> MonitoringRounds:
    """:func:`monitor` at each date (sorted, distinct) from the same dated actuals, and their trajectory.

    The ex-ante decision (the funded set) is computed once and shared by the
    dates. Keyword arguments are passed to :func:`monitor`.

    Raises
    ------
    InputError
        No date, or the same date twice.
    """
    ds = [_as_date(d, dict(column="--as-of")) for d in dates]
    if not ds:
        raise InputError("没有监控时点", column="--as-of", expected="至少一个日期，如 2026-06-30", found=list(dates))
    if len(set(ds)) != len(ds):
        dup = next(d for d in ds if ds.count(d) > 1)
        raise InputError("监控时点重复", column="--as-of", expected="互不相同的日期", found=dup.isoformat())
    from .exante import funded_projects

    prep = _Prepared(portfolio, funded_projects(portfolio))
    results = [monitor(portfolio, d, _funded=prep, **kwargs) for d in sorted(ds)]
    return MonitoringRounds(results=results, trajectory=_trajectory(results))


def _trajectory(results: list) -> pd.DataFrame:
    parts = []
    for r in results:
        t = r.projects[["project_id", "project_name", "department_name", "budget", "spent", "time_progress",
                        "execution_rate", "gap", "low_execution", "n_deviating"]].copy()
        t.insert(3, "as_of", r.as_of)
        i = r.indicators
        pos = pd.Index(t["project_id"]).get_indexer(i["project_id"])
        ok = pos >= 0
        for col, src, value in (("n_green", "light", "绿"), ("n_yellow", "light", "黄"), ("n_red", "light", "红"),
                                ("n_certain", "likelihood", "确定能"), ("n_possible", "likelihood", "有可能"),
                                ("n_impossible", "likelihood", "不可能")):
            hit = (i[src].to_numpy() == value) & ok
            t[col] = np.bincount(pos[hit], minlength=len(t)).astype(int)
        parts.append(t)
    tr = pd.concat(parts, ignore_index=True)
    g = tr.groupby("project_id", sort=False)
    tr["d_execution_rate"] = g["execution_rate"].diff()
    tr["d_gap"] = g["gap"].diff()
    tr["d_red"] = g["n_red"].diff()
    order = {p: k for k, p in enumerate(results[-1].projects["project_id"])}
    return tr.assign(_o=tr["project_id"].map(order)).sort_values(["_o", "as_of"], kind="stable").drop(
        columns="_o").reset_index(drop=True)


def one_table(rounds: MonitoringRounds) -> pd.DataFrame:
    """The 一表通观: one row per funded project, a block of columns per date (Chinese headers).

    Per date: 时间进度（%）, 预算执行率（%）, 偏差（百分点） (execution − time
    progress × 100), 预警灯 (绿/黄/红 counts), 完成目标可能性 (counts); from
    the second date on, 执行率变化（百分点） and 红灯变化 (since the previous date).
    """
    tr = rounds.trajectory
    first = rounds.results[-1].projects[["project_id", "project_name", "department_name", "budget"]]
    out = pd.DataFrame({"项目编码": first["project_id"].to_numpy(), "项目名称": first["project_name"].to_numpy(),
                        "主管部门": first["department_name"].to_numpy(),
                        "全年预算数（万元）": (first["budget"] / 1e4).round(2).to_numpy()})
    for k, d in enumerate(rounds.dates):
        t = tr[tr["as_of"] == d].set_index("project_id").reindex(out["项目编码"])
        label = f"{d.month}月{d.day}日"
        out[f"{label}·时间进度（%）"] = (100 * t["time_progress"]).round(2).to_numpy()
        out[f"{label}·预算执行率（%）"] = (100 * t["execution_rate"]).round(2).to_numpy()
        out[f"{label}·偏差（百分点）"] = (100 * t["gap"]).round(2).to_numpy()
        out[f"{label}·预警灯"] = ("绿" + t["n_green"].astype(str) + " 黄" + t["n_yellow"].astype(str)
                                + " 红" + t["n_red"].astype(str)).to_numpy()
        out[f"{label}·完成目标可能性"] = ("确定能" + t["n_certain"].astype(str) + " 有可能"
                                   + t["n_possible"].astype(str) + " 不可能" + t["n_impossible"].astype(str)).to_numpy()
        if k:
            out[f"{label}·执行率较上期变化（百分点）"] = (100 * t["d_execution_rate"]).round(2).to_numpy()
            out[f"{label}·红灯较上期变化"] = t["d_red"].astype(int).to_numpy()
    return out
