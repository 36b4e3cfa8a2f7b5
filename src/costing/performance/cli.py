"""Sub-commands ``costing assess``, ``costing monitor --as-of DATE…``, ``costing ledger``, ``costing evaluate``
and ``costing rollover``.

Each prints its tables (money in 万元, rates in %) and, with ``--xlsx PATH``,
writes the workbook atomically. ``run_*`` return the exit code: 0 success,
2 bad input (the message names the file, row and column; no traceback),
1 an internal error.
"""
from __future__ import annotations

import argparse
import sys

from .._cli import EXIT_INPUT, EXIT_INTERNAL, guarded  # one error policy for every command
from ..units import fmt_rate



def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("portfolio", metavar="PORTFOLIO", help="a portfolio .toml file (kind = \"portfolio\")")
    p.add_argument("--xlsx", metavar="PATH", help="also write the workbook to this path (atomic)")


def add_assess_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``costing assess``."""
    _common(parser)


def add_monitor_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``costing monitor``."""
    _common(parser)
    parser.add_argument("--as-of", dest="as_of", required=True, action="append", metavar="DATE",
                        help="monitoring date in the budget year, e.g. 2026-09-30; repeat for several dates "
                        "(一表通观: one row per project, a block per date, the change since the previous date)")
    parser.add_argument("--tolerance", type=float, default=None,
                        help="low execution when execution rate < time progress - tolerance (fraction, default 0.15)")
    parser.add_argument("--threshold", type=float, default=None,
                        help="target deviation when achievement < threshold (fraction, default 0.80)")
    parser.add_argument("--convention", choices=("days", "months"), default=None,
                        help="time progress: elapsed days (default) or months")
    parser.add_argument("--notices", metavar="DIR",
                        help="write one 整改建议书 (rectification notice) per budget unit to this folder, "
                        "as .xlsx and .docx, and keep the folder's ledger DIR/整改台账.xlsx (numbers continue "
                        "across rounds; a problem already noticed cites the earlier number; budgets the bureau "
                        "confirmed in the ledger are measured against); with several dates, one round per date")
    parser.add_argument("--notice-days", dest="notice_days", type=int, default=None, metavar="N",
                        help="reply deadline = notice date + N days (default [parameters] notice_days or 30)")
    parser.add_argument("--issued", metavar="DATE", default=None,
                        help="date of the notices (default: the monitoring date; never the machine's clock)")
    parser.add_argument("--ledger", metavar="FILE", default=None,
                        help="measure against the budgets confirmed in this 整改台账.xlsx (default with --notices: "
                        "DIR/整改台账.xlsx)")


def add_ledger_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``costing ledger``."""
    parser.add_argument("folder", metavar="DIR", help="the notices folder holding 整改台账.xlsx")
    parser.add_argument("--replies", nargs="*", default=[], metavar="FILE",
                        help="the units' returned 整改建议书 workbooks (reply columns 整改措施, 完成时限, 说明 filled)")
    parser.add_argument("--as-of", dest="as_of", required=True, metavar="DATE",
                        help="the date of this update: replies are recorded on it, overdue is judged at it")
    parser.add_argument("--accept", action="append", default=[], metavar="ID[=万元]",
                        help="the bureau confirms a project's 预算调整 (the proposal, or the amount in 万元); "
                        "repeatable; later rounds and the evaluation measure against it")


def add_evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``costing evaluate``."""
    _common(parser)
    parser.add_argument("--rechecked", metavar="DIR", default=None,
                        help="the spot-check's filled 复核底稿 (costing spotcheck): 自评质量 in the 绩效管理工作考核")
    parser.add_argument("--spotcheck-rules", dest="spotcheck_rules", metavar="NAME|PATH", default=None,
                        help="spot-check rules used with --rechecked (default local_2025)")
    parser.add_argument("--docx", metavar="DIR",
                        help="write one 项目支出绩效自评表 per project, and the key-project summary for "
                        "the People's Congress (人大), to this folder, as .docx")
    parser.add_argument("--issued", default=None, metavar="DATE",
                        help="the forms' date, e.g. 2027-01-15 (default [report] issued of the portfolio, else "
                        "a blank date line to fill in when signed; never the machine's clock)")


def _issued(args):
    """``--issued``, else the portfolio file's ``[report] issued``, else None (never the machine clock)."""
    from ..report.spec import parse_issued

    if getattr(args, "issued", None):
        return parse_issued(args.issued, column="--issued")
    import tomllib
    from pathlib import Path

    try:
        data = tomllib.loads(Path(args.portfolio).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # the loader has already reported a bad file
    return parse_issued((data.get("report") or {}).get("issued"), file=args.portfolio, column="report.issued")
    parser.add_argument("--ledger", metavar="FILE", default=None,
                        help="measure execution against the budgets confirmed in this 整改台账.xlsx "
                        "(调整后预算数; the original 全年预算数 stays shown); also gives the 绩效管理工作考核 "
                        "its 整改回复按时率 and 整改完成率 (缺少数据 without it)")


def add_spotcheck_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``costing spotcheck``: choose the sample and write the workpapers, or read them back."""
    parser.add_argument("portfolio", metavar="PORTFOLIO", help="a portfolio .toml file (kind = \"portfolio\")")
    parser.add_argument("--share", type=float, default=None, metavar="S",
                        help="random share (0-1) of the projects no risk rule picks; no official share exists")
    parser.add_argument("--seed", type=int, default=None, metavar="N", help="random seed (same seed, same sample)")
    parser.add_argument("--out", metavar="DIR", help="write 抽查清单.xlsx and one 复核底稿 per sampled project here")
    parser.add_argument("--rechecked", metavar="DIR", help="read the filled 复核底稿 back from this folder")
    parser.add_argument("--xlsx", metavar="PATH", help="with --rechecked: write the re-check workbook (atomic)")
    parser.add_argument("--rules", metavar="NAME|PATH", default=None,
                        help="spot-check rules: bundled name (local_2025) or a .toml file")
    parser.add_argument("--ledger", metavar="PATH", default=None,
                        help="the rectification ledger (整改台账.xlsx or its folder) joined to the 整改 list")
    parser.add_argument("--as-of", dest="as_of", default=None, metavar="DATE",
                        help="date of the re-check (整改期限 = DATE + the rules' days)")


def add_rollover_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``costing rollover``."""
    parser.add_argument("portfolio", metavar="PORTFOLIO", help="this year's portfolio .toml file")
    parser.add_argument("--to", dest="to_year", type=int, required=True, metavar="YEAR",
                        help="next budget year, e.g. 2027")
    parser.add_argument("--out", required=True, metavar="DIR", help="a new or empty folder for the skeleton")
    parser.add_argument("--override", action="append", default=[], metavar="ID=REASON",
                        help="carry a project recommended 取消 all the same, with the reason (恢复申报理由); repeatable")
    parser.add_argument("--ledger", metavar="FILE", default=None,
                        help="this year's 整改台账.xlsx: the evaluation measures against its confirmed budgets, and "
                        "its open problems are carried as 上年整改事项.csv")


def _print(title: str, df, out) -> None:
    import pandas as pd

    from ..present import reader_frame
    from .display import report_units, to_display

    print(f"\n== {title}", file=out)
    # the one formatter, as the reports show the table (money 1,234.56 万元, rates 72.00%, scores 87.50)
    shown = reader_frame(to_display(df, rates_as_fractions=True), report_units(df))
    with pd.option_context("display.width", 200, "display.max_columns", 40, "display.max_rows", 200,
                           "display.unicode.east_asian_width", True):
        print(shown.to_string(index=False), file=out)


def _assess(args, out=None) -> None:
    from .excel import write_ex_ante_xlsx
    from .exante import ex_ante
    from .portfolio import load_portfolio

    out = out or sys.stdout
    res = ex_ante(load_portfolio(args.portfolio))
    cols = ["project_id", "project_name", "department_name", "new_or_continuing", "requested", "approved_final",
            "cut_amount", "cut_rate", "total", "conclusion", "prev_year", "prev_grade", "prev_recommendation",
            "prev_note", "exclusion_reason", "problem"]
    _print("事前绩效评估表 (ex-ante sheet)", res.sheet[cols], out)
    _print("部门汇总 (departments)", res.departments, out)
    _print("全部项目 (portfolio)", res.total, out)
    print(f"\n审减率（评审口径）(cut rate over the reviewed amounts) {fmt_rate(res.cut_rate)}; "
          f"全部申报口径 {fmt_rate(res.cut_rate_all)}; 未评估 {res.n_no_assessment}; 取消建议暂停 {res.n_blocked}; "
          f"评分口径 {res.profile.name}", file=out)
    if args.xlsx:
        print(f"wrote {write_ex_ante_xlsx(res, args.xlsx)}", file=out)


def _monitor(args, out=None) -> None:
    from .excel import write_tracking_xlsx
    from .monitoring import monitor_dates, one_table
    from .portfolio import load_portfolio

    out = out or sys.stdout
    pf = load_portfolio(args.portfolio)
    dates = args.as_of if isinstance(args.as_of, list) else [args.as_of]
    kw = dict(tolerance=getattr(args, "tolerance", None), deviation_threshold=getattr(args, "threshold", None),
              convention=getattr(args, "convention", None))
    notices_dir = getattr(args, "notices", None)
    ledger_file = getattr(args, "ledger", None)
    if notices_dir or ledger_file:
        return _monitor_rounds(pf, dates, kw, args, out)
    rounds = monitor_dates(pf, dates, **kw)
    res = rounds.results[-1]
    _print_result(res, out)
    if len(rounds.results) > 1:
        _print("一表通观 (several dates, one view)", one_table(rounds), out)
    if args.xlsx:
        print(f"wrote {write_tracking_xlsx(res, args.xlsx, profile=pf.profile, rounds=rounds)}", file=out)


def _print_result(res, out) -> None:
    cols = ["project_id", "project_name", "department_name", "budget_initial", "budget_before_adjustment", "budget",
            "spent", "forecast", "execution_rate", "time_progress", "low_execution", "n_deviating",
            "deviating_indicators", "n_problems"]
    _print(f"绩效跟踪分析表 (tracking table, as of {res.as_of})", res.projects[cols], out)
    _print("部门汇总 (departments)", res.departments, out)
    if len(res.problems):
        _print("填报问题 (missing fields of the units' forms)", res.problems, out)
    if len(res.unbudgeted):
        _print("无预算支出 (spending with no budget this year)", res.unbudgeted, out)
    s = res.summary
    print(f"\n时间进度 {fmt_rate(s['time_progress'])}; 执行率 {fmt_rate(s['execution_rate'])}; "
          f"执行偏慢 {s['n_low_execution']} 个项目; 目标偏离 {s['n_deviating_projects']} 个项目"
          f"（{s['n_deviating_indicators']} 个指标）; 填报问题 {s['n_problems']} 项; "
          f"无预算支出 {s['n_unbudgeted']} 个项目 {s['unbudgeted_spent'] / 1e4:,.2f} 万元", file=out)


def _monitor_rounds(pf, dates, kw, args, out):
    """One round per date: confirmed adjustments applied, notices numbered after the ledger, the ledger updated."""
    from pathlib import Path

    from ..errors import InputError
    from .excel import write_notices, write_tracking_xlsx
    from .ledger import ledger_path, load_ledger, record_round, with_adjustments, write_ledger
    from .monitoring import MonitoringRounds, _as_date, _trajectory, monitor
    from .notices import rectification_notices

    notices_dir = getattr(args, "notices", None)
    path = Path(args.ledger) if getattr(args, "ledger", None) else ledger_path(notices_dir)
    ledger = load_ledger(path)
    days = sorted(_as_date(d, dict(column="--as-of")) for d in dates)
    if len(days) > 1 and getattr(args, "issued", None):
        raise InputError("多个监控时点不能共用一个发文日期", column="--issued",
                         expected="只给一个 --as-of，或不写 --issued（各轮按监控时点发文）", found=args.issued)
    results, code = [], None
    for d in days:
        res = monitor(with_adjustments(pf, ledger, d), d, **kw)
        results.append(res)
        if not notices_dir:
            continue
        notices = rectification_notices(pf, res, days=getattr(args, "notice_days", None),
                                        issued=getattr(args, "issued", None), ledger=ledger)
        new_ledger = record_round(ledger, notices, d)   # refuses a round not after the ledger's last
        written, failed = write_notices(notices, notices_dir)
        from ..report.word_docs import write_notice_docs

        for n in notices:
            if n.department_id not in failed:
                again = int((n.items["previous_number"] != "").sum())
                print(f"wrote {n.number} {n.department_name}: {len(n.items)} 项问题（再次提醒 {again} 项）, "
                      f"{len(n.adjustments)} 项预算调整建议", file=out)
        docs, docs_failed = write_notice_docs(notices, notices_dir)
        for p in [*written, *docs]:
            print(f"wrote {p}", file=out)
        for dep, msg in [*failed.items(), *docs_failed.items()]:
            print(f"costing monitor: notice of {dep} failed: {msg}", file=sys.stderr)
            code = EXIT_INTERNAL
        if code:   # the ledger is not advanced, so the round can be run again once the failure is fixed
            print(f"costing monitor: {path.name} not updated for {d.isoformat()}: a notice failed", file=sys.stderr)
            break
        ledger = new_ledger
        print(f"wrote {write_ledger(ledger, path)} ({len(ledger)} 条)", file=out)
    rounds = MonitoringRounds(results=results, trajectory=_trajectory(results))
    _print_result(results[-1], out)
    if len(results) > 1:
        from .monitoring import one_table

        _print("一表通观 (several dates, one view)", one_table(rounds), out)
    if args.xlsx:
        print(f"wrote {write_tracking_xlsx(results[-1], args.xlsx, profile=pf.profile, rounds=rounds)}", file=out)
    return code


def _ledger(args, out=None) -> None:
    from pathlib import Path

    from ..errors import InputError
    from .ledger import accept_adjustments, apply_replies, ledger_path, load_ledger, overdue, write_ledger

    out = out or sys.stdout
    path = ledger_path(args.folder)
    if not path.exists():
        raise InputError("整改台账不存在", file=str(path), expected="先运行 costing monitor … --notices DIR",
                         found="无此文件")
    led = apply_replies(load_ledger(path), [Path(p) for p in args.replies], args.as_of)
    accepted = {}
    for item in args.accept:
        pid, sep, amount = item.partition("=")
        try:
            accepted[pid.strip()] = float(amount) * 1e4 if sep else None
        except ValueError:
            raise InputError("调整后预算数不是数字", column="--accept", expected="ID 或 ID=万元金额，如 P006=188.45",
                             found=item) from None
    if accepted:
        led = accept_adjustments(led, accepted, args.as_of)
    counts = led["status"].value_counts()
    print("整改状态: " + "，".join(f"{k} {counts.get(k, 0)}" for k in ("待回复", "已回复", "逾期未回复", "已整改")),
          file=out)
    late = overdue(led)
    if len(late):
        _print("逾期未回复 (overdue)", late[["notice_number", "department_name", "seq", "project_id", "project_name",
                                        "problem_type", "deadline"]], out)
    print(f"wrote {write_ledger(led, path)}", file=out)


def _evaluate(args, out=None) -> None:
    from .department import score_departments
    from .evaluation import evaluate_portfolio
    from .excel import write_self_evaluation_xlsx
    from .portfolio import load_portfolio

    out = out or sys.stdout
    pf = load_portfolio(args.portfolio)
    if getattr(args, "ledger", None):
        from .ledger import with_adjustments

        pf = with_adjustments(pf, args.ledger)
    res = evaluate_portfolio(pf)
    cols = ["project_id", "project_name", "department_name", "budget", "spent", "execution_rate",
            "execution_score", "output_score", "benefit_score", "satisfaction_score", "score", "grade",
            "recommendation", "n_missed", "n_problems"]
    _print("绩效自评汇总 (self-evaluation)", res.projects[cols], out)
    _print("部门汇总 (departments)", res.departments, out)
    if len(res.excluded):
        _print("未安排预算、不参加自评的项目 (not funded, not evaluated)",
               res.excluded[["project_id", "project_name", "department_name", "exclusion_reason"]], out)
    from .evaluation import key_projects
    from .excel import KEY_PROJECT_COLUMNS

    _print("重点项目（报人大）(key projects for the People's Congress)",
           key_projects(res)[KEY_PROJECT_COLUMNS].drop(columns=["annual_goal", "targets", "results"]), out)
    print("\n等级分布 (grades): " + "，".join(f"{g} {n}" for g, n in res.grade_counts.items())
          + f"; 评分口径 {res.profile.name}", file=out)
    scores = score_departments(pf, res)
    _print("部门整体绩效评分 (whole-department scores, ranked)", scores.table, out)
    from .assessment import assess_work
    from .assessment import shown as shown_assessment

    ledger = _load_ledger(getattr(args, "ledger", None))
    rechecked = None
    if getattr(args, "rechecked", None):
        from .spotcheck import recheck

        rechecked = recheck(args.rechecked, rules=getattr(args, "spotcheck_rules", None), profile=pf.profile,
                            ledger=ledger)
    work = assess_work(pf, res, ledger=ledger, recheck=rechecked)
    _print("绩效管理工作考核（缺少数据的考核内容不计0分，按有数据的权重折算）", shown_assessment(work)[0], out)
    key_evals = None   # [key_evaluations] of a portfolio .toml: written to the workbook (--xlsx), not printed
    if args.xlsx and pf.path is not None and pf.path.suffix.lower() == ".toml":
        from .key_evaluations import load_key_evaluations

        key_evals = load_key_evaluations(pf.path)
    if args.xlsx:
        names = dict(zip(pf.projects["project_id"], pf.projects["project_name"]))
        path = write_self_evaluation_xlsx(res, args.xlsx, year=pf.budget_year, departments=scores, work=work,
                                          key_evaluations=key_evals, project_names=names)
        print(f"wrote {path}", file=out)
    if getattr(args, "docx", None):
        issued = _issued(args)
        from ..report.word_docs import write_self_evaluation_docs

        written, failed = write_self_evaluation_docs(res, args.docx, year=pf.budget_year, issued=issued)
        print(f"wrote {len(written)} 自评表 (.docx) to {args.docx}", file=out)
        from pathlib import Path

        from ..report.word_docs import write_key_projects_doc

        path = Path(args.docx) / f"重点项目预算绩效情况_{pf.budget_year}.docx"
        print(f"wrote {write_key_projects_doc(res, path, year=pf.budget_year, issued=issued)}", file=out)
        for pid, msg in failed.items():
            print(f"costing evaluate: 自评表 of {pid} failed: {msg}", file=sys.stderr)
        if failed:
            return EXIT_INTERNAL


def _load_ledger(path):
    """The rectification ledger at ``path`` (H18's 整改台账), or None when not given."""
    if not path:
        return None
    from .ledger import load_ledger

    return load_ledger(path)


def _spotcheck(args, out=None) -> None:
    from ..errors import InputError
    from .evaluation import evaluate_portfolio
    from .portfolio import load_portfolio
    from .spotcheck import HEADERS, choose_sample, recheck, shown_projects, write_recheck_xlsx, write_workpapers

    out = out or sys.stdout
    pf = load_portfolio(args.portfolio)
    if bool(args.out) == bool(args.rechecked):
        raise InputError("抽查需要 --out 目录（抽取样本、写出复核底稿）或 --rechecked 目录（读回复核底稿），二者选一",
                         column="--out / --rechecked", expected="二者之一", found="两个都给了" if args.out else "都没有给")
    if args.out:
        if args.share is None or args.seed is None:
            raise InputError("抽取样本需要随机抽取比例 --share 和随机种子 --seed", column="--share / --seed",
                             expected="如 --share 0.2 --seed 2027", found="未给出")
        ev = evaluate_portfolio(pf)
        sample = choose_sample(pf, ev, share=args.share, seed=args.seed, rules=args.rules)
        t = sample.table[sample.table["sampled"]][["project_id", "project_name", "department_name", "budget", "score",
                                                   "grade", "reason"]]
        _print(f"抽查样本（随机比例 {args.share:.0%}，种子 {args.seed}）", t.rename(columns={"reason": "抽取理由"}), out)
        written, failed, listing = write_workpapers(sample, ev, args.out)
        print(f"wrote {listing} and {len(written)} 复核底稿 to {args.out}", file=out)
        for pid, msg in failed.items():
            print(f"costing spotcheck: 复核底稿 of {pid} failed: {msg}", file=sys.stderr)
        return EXIT_INTERNAL if failed else None
    res = recheck(args.rechecked, rules=args.rules, profile=pf.profile, ledger=_load_ledger(args.ledger),
                  as_of=args.as_of)
    _print("复核结果", shown_projects(res), out)
    _print("自评质量（按主管部门）", res.quality.rename(columns=HEADERS), out)
    print(f"\n整改清单 {len(res.rectification)} 项；无法读取的底稿 {len(res.failed)} 份", file=out)
    for name, msg in res.failed.items():
        print(f"costing spotcheck: {name}: {msg}", file=sys.stderr)
    if args.xlsx:
        print(f"wrote {write_recheck_xlsx(res, args.xlsx)}", file=out)
    return EXIT_INPUT if res.failed else None


def _rollover(args, out=None) -> None:
    from ..errors import InputError
    from .evaluation import evaluate_portfolio
    from .portfolio import load_portfolio
    from .rollover import rollover, write_rollover

    out = out or sys.stdout
    overrides = {}
    for item in args.override:
        pid, sep, reason = item.partition("=")
        if not sep:
            raise InputError("恢复申报未说明理由", column="--override", expected="项目编码=恢复申报理由", found=item)
        overrides[pid.strip()] = reason
    pf = load_portfolio(args.portfolio)
    ledger = None
    if getattr(args, "ledger", None):
        from .ledger import load_ledger, with_adjustments

        ledger = load_ledger(args.ledger)
        pf = with_adjustments(pf, ledger)
    res = rollover(pf, evaluate_portfolio(pf), args.to_year, overrides=overrides, ledger=ledger)
    _print(f"结转清单 ({pf.budget_year} -> {res.to_year})", res.decisions, out)
    counts = res.decisions["action"].value_counts()
    print("\n" + "，".join(f"{k} {v}" for k, v in counts.items()), file=out)
    if len(res.open_items):
        print(f"上年整改事项 {len(res.open_items)} 项（未整改），写入上年整改事项.csv", file=out)
    print(f"wrote {write_rollover(res, args.out, portfolio_id=pf.id)}", file=out)


def run_assess(args) -> int:
    """``costing assess PORTFOLIO [--xlsx PATH]``: the ex-ante sheet and the cut per department."""
    return guarded("assess", _assess, args)


def run_monitor(args) -> int:
    """``costing monitor PORTFOLIO --as-of DATE [--xlsx PATH] [--notices DIR]``: the tracking form, flags, notices."""
    return guarded("monitor", _monitor, args)


def run_ledger(args) -> int:
    """``costing ledger DIR --as-of DATE [--replies FILE…] [--accept ID[=万元]]``: replies, status, overdue."""
    return guarded("ledger", _ledger, args)


def run_evaluate(args) -> int:
    """``costing evaluate PORTFOLIO [--xlsx PATH]``: scores, grades, recommendations and the 自评表."""
    return guarded("evaluate", _evaluate, args)


def run_spotcheck(args) -> int:
    """``costing spotcheck PORTFOLIO --share S --seed N --out DIR`` or ``--rechecked DIR [--xlsx PATH]``."""
    return guarded("spotcheck", _spotcheck, args)


def run_rollover(args) -> int:
    """``costing rollover PORTFOLIO --to YEAR --out DIR [--override ID=REASON]``: next year's skeleton."""
    return guarded("rollover", _rollover, args)
