"""The rectification ledger (整改台账): every problem noticed, the unit's reply, its status, adjustments confirmed.

One workbook, ``DIR/整改台账.xlsx``, kept next to the notices
(``costing monitor … --notices DIR``) and updated by ``costing ledger DIR``.
One row per problem of each notice, plus one row per 预算调整建议 of the
notice (``problem_type`` = ``预算调整``). Columns (:data:`LEDGER_COLUMNS`, ids
stable for other modules — the 考核's 整改回复按时率 and 整改完成率 read them):

========================  ==========================================================
``notice_number``         文号 of the notice (文财绩〔2026〕3号)
``issued``, ``as_of``     发文日期 and the monitoring date of the round (ISO text)
``department_id/_name``   the addressee (主管部门)
``seq``                   序号 within the notice (the row of its 整改建议书 sheet); 0 for 预算调整 rows
``project_id/_name``
``problem_type``          执行偏慢 / 目标偏离 / 填报不完整 / 无预算支出 / 评价等级中 / 评价等级差 / 预算调整
``problem``, ``requirement``, ``deadline`` (reply deadline, ISO text)
``previous_number``       the earlier notice that raised the same problem ("" when first raised)
``reply_measures``        整改措施, ``reply_deadline`` 完成时限, ``reply_note`` 说明 (from the unit's reply)
``replied``               the date the reply was read back (ISO text, "" when none)
``status``                待回复 / 已回复 / 逾期未回复 / 已整改 (:data:`STATUSES`)
``closed``                the date it was closed (已整改), "" while open
``budget``, ``proposed``  全年预算数 and 建议调整后预算数 [元] (预算调整 rows)
``adjusted_budget``       调整后预算数 the bureau confirms [元] (NaN until confirmed)
``confirmed``             the confirmation date (ISO text)
========================  ==========================================================

Status rules at a date D (:func:`refresh_status`):

- 已整改 — closed: a later monitoring round no longer finds the problem
  (execution, targets, form, unbudgeted spending are re-detected each round),
  or, for a 预算调整 row, the bureau confirmed the 调整后预算数;
- 已回复 — the unit's reply has 整改措施;
- 逾期未回复 — no reply and D is after the deadline;
- 待回复 — no reply yet, deadline not passed;
- 待确认 — a 预算调整 row the bureau has not confirmed yet (the unit does
  not reply to it; it is never overdue).

整改回复按时率 and 整改完成率 are computed on the problem rows
(``problem_type`` != 预算调整).

A confirmed adjustment becomes the budget (全年预算数) that later rounds and
the year-end evaluation measure against (:func:`with_adjustments`); the
original stays shown as 调整前全年预算数.

The workbook shows Chinese headers (money in 万元, six decimals kept so the
元 amounts round-trip to the fen); :func:`load_ledger` maps them back.
Every write is atomic.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..glossary import display_name
# numbering and open problems live with the notices (notices never imports the ledger)
from .notices import (ADJUSTMENT_TYPE, MONITORED_TYPES, REPLY_COLUMNS, RectificationNotice, last_sequence,  # noqa: F401
                      open_problems)

#: file name of the ledger inside the notices folder
LEDGER_FILE = "整改台账.xlsx"
#: sheet holding the ledger rows
LEDGER_SHEET = "整改台账"
#: the statuses of a problem (预算调整 rows: 待确认 until the bureau confirms, then 已整改)
STATUSES = ("待回复", "已回复", "逾期未回复", "已整改", "待确认")
#: the ledger's columns (stable ids); money columns in 元
LEDGER_COLUMNS = ["notice_number", "issued", "as_of", "department_id", "department_name", "seq", "project_id",
                  "project_name", "problem_type", "problem", "requirement", "deadline", "previous_number",
                  *REPLY_COLUMNS, "replied", "status", "closed", "budget", "proposed", "adjusted_budget", "confirmed"]
MONEY_COLUMNS = ("budget", "proposed", "adjusted_budget")
TEXT_COLUMNS = [c for c in LEDGER_COLUMNS if c not in MONEY_COLUMNS and c != "seq"]


def _header(col: str) -> str:
    return f"{display_name(col)}（万元）" if col in MONEY_COLUMNS else display_name(col)


def empty_ledger() -> pd.DataFrame:
    """A ledger with no rows and every column."""
    df = pd.DataFrame({c: pd.Series(dtype=float if c in MONEY_COLUMNS else (int if c == "seq" else object))
                       for c in LEDGER_COLUMNS})
    return df


def ledger_path(folder: str | Path) -> Path:
    """``folder/整改台账.xlsx``."""
    return Path(folder) / LEDGER_FILE


def load_ledger(path: str | Path) -> pd.DataFrame:
    """Read a ledger workbook (or a notices folder holding ``整改台账.xlsx``) into :data:`LEDGER_COLUMNS`.

    A missing file gives an empty ledger. Money is returned in 元; dates as ISO
    text ("" when empty); ``seq`` as int.

    Raises
    ------
    InputError
        The workbook has no 整改台账 sheet or lacks a column (named).
    """
    path = Path(path)
    if path.is_dir():
        path = ledger_path(path)
    if not path.exists():
        return empty_ledger()
    try:
        raw = pd.read_excel(path, sheet_name=LEDGER_SHEET, dtype=object)
    except ValueError as e:
        raise InputError("整改台账工作簿缺少工作表", file=str(path), sheet=LEDGER_SHEET,
                         expected=f"工作表“{LEDGER_SHEET}”", found=str(e)) from None
    by_header = {_header(c): c for c in LEDGER_COLUMNS}
    missing = [h for h in by_header if h not in raw.columns]
    if missing:
        raise InputError("整改台账缺少列", file=str(path), sheet=LEDGER_SHEET, row=1, column=missing[0],
                         expected="、".join(by_header), found="、".join(map(str, raw.columns)))
    df = raw[list(by_header)].rename(columns=by_header)
    for c in MONEY_COLUMNS:
        v = pd.to_numeric(df[c], errors="coerce")
        bad = df[c].notna() & v.isna() & (df[c].astype(str).str.strip() != "")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError("金额不是数字", file=str(path), sheet=LEDGER_SHEET, row=i + 2, column=_header(c),
                             expected="以万元计的数字，如 188.45", found=df[c].iloc[i])
        df[c] = (v * 1e4).round(2)
    df["seq"] = pd.to_numeric(df["seq"], errors="coerce").fillna(0).astype(int)
    for c in TEXT_COLUMNS:
        df[c] = df[c].map(_text)
    return df[LEDGER_COLUMNS].reset_index(drop=True)


def _text(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, (pd.Timestamp, _dt.datetime)):
        return v.date().isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v).strip()


def write_ledger(ledger: pd.DataFrame, path: str | Path) -> Path:
    """Write the ledger workbook atomically: 整改台账 (all rows), 逾期未回复 (overdue), 说明 (the status rules)."""
    from openpyxl import Workbook

    from .excel import add_table_sheet, save_atomic

    path = Path(path)
    if path.is_dir():
        path = ledger_path(path)
    shown = ledger[LEDGER_COLUMNS].copy()
    for c in MONEY_COLUMNS:
        shown[c] = (shown[c].astype(float) / 1e4).round(6)
    shown.columns = [_header(c) for c in LEDGER_COLUMNS]
    wb = Workbook()
    wb.remove(wb.active)
    add_table_sheet(wb, LEDGER_SHEET, shown, freeze="C2")
    add_table_sheet(wb, "逾期未回复", shown[ledger["status"].to_numpy() == "逾期未回复"], freeze="C2")
    add_table_sheet(wb, "说明", pd.DataFrame({"项目": list(STATUS_RULES), "规则": list(STATUS_RULES.values())}),
                    freeze="A2")
    return save_atomic(wb, path)


#: the ledger's rules in words (its 说明 sheet)
STATUS_RULES = {
    "待回复": "已发整改建议书，单位尚未回复，未过整改期限",
    "已回复": "单位已在整改建议书回复栏填写整改措施",
    "逾期未回复": "过了整改期限仍未回复",
    "待确认": "预算调整建议尚未由财政局确认（不计逾期）",
    "已整改": "下一监控时点不再发现同一问题（执行偏慢、目标偏离、填报不完整、无预算支出），或预算调整已由财政局确认",
    "再次提醒": "同一项目、同一类问题尚未整改又被发现的，新的整改建议书注明首次通知文号并再次提醒",
    "调整后预算数": "财政局确认后，成为此后监控和年终绩效自评衡量执行率的全年预算数；原全年预算数仍列示",
    "金额": "万元（保留六位小数，即精确到分）",
}


# ---- numbering --------------------------------------------------------------------------------

# ---- the round's notices into the ledger ------------------------------------------------------

def notice_rows(notices: list[RectificationNotice]) -> pd.DataFrame:
    """The ledger rows of a round's notices: each problem, then each 预算调整建议."""
    parts = []
    for n in notices:
        it = n.items
        rows = pd.DataFrame({
            "notice_number": n.number, "issued": (n.issued or n.as_of).isoformat(), "as_of": n.as_of.isoformat(),
            "department_id": n.department_id, "department_name": n.department_name,
            "seq": it["seq"].astype(int).to_numpy(), "project_id": it["project_id"].to_numpy(),
            "project_name": it["project_name"].to_numpy(), "problem_type": it["problem_type"].to_numpy(),
            "problem": it["problem"].to_numpy(), "requirement": it["requirement"].to_numpy(),
            "deadline": n.deadline.isoformat(), "previous_number": it["previous_number"].to_numpy()})
        a = n.adjustments
        from .notices import ADJUSTMENT_RULES

        adj = pd.DataFrame({
            "notice_number": n.number, "issued": (n.issued or n.as_of).isoformat(), "as_of": n.as_of.isoformat(),
            "department_id": n.department_id, "department_name": n.department_name, "seq": 0,
            "project_id": a["project_id"].to_numpy(), "project_name": a["project_name"].to_numpy(),
            "problem_type": ADJUSTMENT_TYPE, "problem": (a["advice"] + "（" + a["rule"].map(ADJUSTMENT_RULES) + "）").to_numpy(),
            "requirement": "财政局确认调整后预算数后执行", "deadline": n.deadline.isoformat(), "previous_number": "",
            "budget": a["budget"].to_numpy(dtype=float), "proposed": a["proposed"].to_numpy(dtype=float)})
        parts += [rows, adj]
    if not parts:
        return empty_ledger()
    out = pd.concat([empty_ledger(), *parts], ignore_index=True)
    for c in TEXT_COLUMNS:
        out[c] = out[c].map(_text)
    out["seq"] = out["seq"].astype(int)
    out["status"] = "待回复"
    return out[LEDGER_COLUMNS]


def record_round(ledger: pd.DataFrame, notices: list[RectificationNotice], as_of) -> pd.DataFrame:
    """The ledger after a monitoring round at ``as_of``.

    Problems of earlier rounds that this round no longer finds (a monitored
    type, same project) are closed (已整改, ``closed`` = as_of); the round's
    notices are appended (:func:`notice_rows`); statuses are refreshed.
    """
    d = pd.Timestamp(as_of).date().isoformat()
    led = ledger.copy()
    if len(led):
        if (led["as_of"] >= d).any():
            later = led.loc[led["as_of"] >= d, "as_of"].max()
            raise InputError("整改台账中已有同一或更晚监控时点的记录", column="--as-of",
                             expected=f"晚于 {later} 的监控时点", found=d)
        found = set()
        for n in notices:
            found |= set(n.items["project_id"] + "|" + n.items["problem_type"])
        key = led["project_id"] + "|" + led["problem_type"]
        gone = led["problem_type"].isin(MONITORED_TYPES) & (led["status"] != "已整改") & ~key.isin(found)
        led.loc[gone, "status"] = "已整改"
        led.loc[gone, "closed"] = d
    new = notice_rows(notices)
    out = pd.concat([led, new], ignore_index=True) if len(led) else new
    return refresh_status(out, as_of)


def refresh_status(ledger: pd.DataFrame, as_of) -> pd.DataFrame:
    """Statuses at ``as_of`` (rules in the module docstring); 已整改 rows stay closed."""
    d = pd.Timestamp(as_of).date().isoformat()
    led = ledger.copy()
    done = (led["status"] == "已整改") | ((led["problem_type"] == ADJUSTMENT_TYPE) & led["adjusted_budget"].notna())
    replied = led["reply_measures"] != ""
    adjustment = led["problem_type"] == ADJUSTMENT_TYPE
    led["status"] = np.select([done, adjustment, replied, led["deadline"] < d],
                              ["已整改", "待确认", "已回复", "逾期未回复"], "待回复")
    newly = done & (led["closed"] == "")
    led.loc[newly, "closed"] = led.loc[newly, "confirmed"].where(led.loc[newly, "confirmed"] != "", d)
    return led


def overdue(ledger: pd.DataFrame) -> pd.DataFrame:
    """The rows 逾期未回复."""
    return ledger[ledger["status"] == "逾期未回复"].reset_index(drop=True)


# ---- replies ----------------------------------------------------------------------------------

def read_reply(path: str | Path) -> tuple[str, pd.DataFrame]:
    """A unit's returned 整改建议书 workbook: (notice number, rows ``seq, project_id`` + :data:`REPLY_COLUMNS`).

    Raises
    ------
    InputError
        Not a notice workbook (no 整改建议书 sheet, no 编号 in row 2), or a row
        whose 序号 is not a number — each naming file, sheet, row and column.
    """
    from openpyxl import load_workbook

    path = Path(path)
    if not path.exists():
        raise InputError("回复文件不存在", file=str(path), expected="单位回复的整改建议书 .xlsx", found="无此文件")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable file is bad input, named
        raise InputError("回复文件无法读取", file=str(path), expected="整改建议书 .xlsx 工作簿",
                         found=f"{type(e).__name__}: {e}") from None
    if "整改建议书" not in wb.sheetnames:
        raise InputError("回复文件不是整改建议书", file=str(path), sheet="整改建议书",
                         expected="工作表“整改建议书”", found="、".join(wb.sheetnames))
    rows = list(wb["整改建议书"].iter_rows(values_only=True))
    wb.close()
    m = re.search(r"编号：\s*(\S+)", str(rows[1][0] if len(rows) > 1 and rows[1] else ""))
    if not m:
        raise InputError("回复文件第2行没有整改建议书编号", file=str(path), sheet="整改建议书", row=2, column="A",
                         expected="“…  编号：文财绩〔2026〕1号”", found=rows[1][0] if len(rows) > 1 else None)
    head = [str(h or "") for h in rows[3]]
    col = {h: j for j, h in enumerate(head)}
    need = {"seq": display_name("seq"), "project_id": display_name("project_id"),
            **{c: display_name(c) for c in REPLY_COLUMNS}}
    for key, h in need.items():
        if h not in col:
            raise InputError("回复文件缺少列", file=str(path), sheet="整改建议书", row=4, column=h,
                             expected="、".join(need.values()), found="、".join(head))
    out = []
    for i, r in enumerate(rows[4:], 5):
        if r is None or all(v is None for v in r):
            continue
        seq = r[col[need["seq"]]]
        try:
            seq = int(seq)
        except (TypeError, ValueError):
            raise InputError("序号不是整数", file=str(path), sheet="整改建议书", row=i, column=need["seq"],
                             expected="整改建议书原有的序号", found=seq) from None
        out.append({"seq": seq, "project_id": _text(r[col[need["project_id"]]]), "row": i,
                    **{c: _text(r[col[need[c]]]) for c in REPLY_COLUMNS}})
    return m.group(1), pd.DataFrame(out, columns=["seq", "project_id", "row", *REPLY_COLUMNS])


def apply_replies(ledger: pd.DataFrame, paths, as_of) -> pd.DataFrame:
    """Record the units' replies (returned notice workbooks) in the ledger and refresh statuses at ``as_of``.

    A reply counts when its 整改措施 is filled. Each reply row must match a
    problem of its notice (same 文号, 序号 and 项目编码).

    Raises
    ------
    InputError
        A file whose number matches no notice of the ledger, or a row whose
        序号/项目编码 match no problem of that notice (file, sheet, row named).
    """
    led = ledger.copy()
    d = pd.Timestamp(as_of).date().isoformat()
    for path in paths:
        number, rep = read_reply(path)
        mine = led.index[(led["notice_number"] == number) & (led["seq"] > 0)]
        if not len(mine):
            raise InputError("回复文件的编号在整改台账中没有对应的整改建议书", file=str(path), sheet="整改建议书",
                             row=2, column="A", expected="台账中的文号之一："
                             + "、".join(pd.unique(led["notice_number"])[:6]), found=number)
        by_seq = {int(led.at[i, "seq"]): i for i in mine}
        for r in rep.itertuples(index=False):
            i = by_seq.get(r.seq)
            if i is None or led.at[i, "project_id"] != r.project_id:
                raise InputError("回复行与整改建议书的问题对不上", file=str(path), sheet="整改建议书", row=r.row,
                                 column="序号、项目编码", expected=f"{number} 的序号 1–{len(mine)} 及其项目编码",
                                 found=f"{r.seq} {r.project_id}")
            if r.reply_measures:
                for c in REPLY_COLUMNS:
                    led.at[i, c] = getattr(r, c)
                led.at[i, "replied"] = led.at[i, "replied"] or d
    return refresh_status(led, as_of)


# ---- adjustments ------------------------------------------------------------------------------

def accept_adjustments(ledger: pd.DataFrame, accepted: dict, as_of) -> pd.DataFrame:
    """The bureau confirms adjustments: ``{project_id: amount [元] or None (= the proposal)}`` at ``as_of``.

    The latest open 预算调整 row of each project gets ``adjusted_budget`` and
    ``confirmed``; its status becomes 已整改.

    Raises
    ------
    InputError
        A project with no 预算调整 row in the ledger, or a negative amount.
    """
    led = ledger.copy()
    d = pd.Timestamp(as_of).date().isoformat()
    for pid, amount in accepted.items():
        rows = led.index[(led["project_id"] == pid) & (led["problem_type"] == ADJUSTMENT_TYPE)]
        if not len(rows):
            raise InputError("整改台账中没有该项目的预算调整建议", column="--accept",
                             expected="台账中有预算调整建议的项目编码", found=pid)
        i = rows[-1]
        value = float(led.at[i, "proposed"]) if amount is None else float(amount)
        if not np.isfinite(value) or value < 0:
            raise InputError("调整后预算数须为非负数", column="--accept", expected="万元金额 ≥ 0", found=f"{pid}={amount}")
        led.at[i, "adjusted_budget"] = round(value, 2)
        led.at[i, "confirmed"] = d
    return refresh_status(led, as_of)


def confirmed_adjustments(ledger: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """The confirmed budgets, latest per project, confirmed on or before ``as_of`` (None: all):
    ``project_id, adjusted_budget`` [元], ``confirmed``, ``notice_number``."""
    t = ledger[(ledger["problem_type"] == ADJUSTMENT_TYPE) & ledger["adjusted_budget"].notna()]
    if as_of is not None:
        t = t[t["confirmed"] <= pd.Timestamp(as_of).date().isoformat()]
    t = t.sort_values("confirmed", kind="stable").drop_duplicates("project_id", keep="last")
    return t[["project_id", "adjusted_budget", "confirmed", "notice_number"]].reset_index(drop=True)


def with_adjustments(portfolio, ledger: pd.DataFrame | str | Path, as_of=None):
    """A copy of ``portfolio`` that measures against the budgets confirmed in the ledger (on or before ``as_of``).

    :func:`costing.performance.exante.funded_projects` then uses each
    confirmed 调整后预算数 as the project's 全年预算数 and keeps the original
    as ``budget_before_adjustment``; monitoring and evaluation follow.
    """
    led = load_ledger(ledger) if isinstance(ledger, (str, Path)) else ledger
    return dataclasses.replace(portfolio, adjustments=confirmed_adjustments(led, as_of))
