"""The ``costing`` command.

Sub-commands:

- ``costing standard PROJECT_FILE [--xlsx PATH]``: run the four steps and
  print the cost-standard table and the budget summary (money in 万元).
- ``costing report PROJECT... [--out DIR] [--jobs N] [--all DIR]``: reports.
- ``costing assess | monitor | evaluate PORTFOLIO``: the performance life cycle;
  ``costing spotcheck PORTFOLIO``: the bureau's spot-check of the self-evaluations.
- ``costing new TYPE OUT.xlsx [--from FILE]``: a fill-in workbook (bus, sanitation, cba, portfolio).
- ``costing check FILE [--annotate OUT.xlsx] [--json]``: every problem of a workbook with its
  cell; exit 0 no problem, 1 warnings only, 2 errors.
- ``costing examples``: regenerate the synthetic example data.

Exit codes: 0 success; 2 bad input (a clear message naming the file, sheet,
row and column; no traceback); 1 an internal error.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ._cli import EXIT_INTERNAL, EXIT_OK, guarded


def _standard_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", metavar="PROJECT_FILE", help="a .toml or .yaml project file")
    p.add_argument("--xlsx", metavar="PATH", help="also write every table to this Excel workbook")
    p.add_argument("--preset", help="subsidy preset (default: the project's [budget] preset)")


def write_tables_xlsx(path, tables: dict, info: dict) -> Path:
    """Write named DataFrames to ``path`` atomically (temp file in the same folder, then rename)."""
    from .outputs import atomic_path
    from .report.export import RecordedTable, write_xlsx

    path = Path(path)
    recorded = []
    for name, df in tables.items():
        frame = df.reset_index() if df.index.name else df
        recorded.append(RecordedTable(name=name, frame=frame, n_index=1 if df.index.name else 0))
    with atomic_path(path) as tmp:
        write_xlsx(tmp, recorded, {}, info)
    return path


def run_standard(args) -> int:
    from . import present
    from .glossary import display_name
    from .method import run_method
    from .project import load_project
    from .fmt import fmt, fmt_money, fmt_rate, kind_of, value_kind

    project = load_project(args.project)
    result = run_method(project, preset=args.preset)
    b = result.budget
    print(f"{project.name} [{project.id}]  预算年度 {project.budget_year}，价格基年 {project.price_year}，金额单位：万元")
    print()
    print("成本标准表")
    print(present.format_for_console(present.cost_standard_table(result).drop(columns=["依据"])))
    print()
    print("预算汇总")
    for _, row in present.budget_table(result).iterrows():
        v, u = row["数值"], row["单位"]
        rate = kind_of(u) == "rate"
        print(f"  {row['项目']:<12} {fmt(v, value_kind(v, u)):>16} {'' if rate else u}")
    print()
    print(f"单位成本标准 {fmt(b.unit_cost_standard, 'unit_cost')} {b.unit_cost_label}；核定补贴 {fmt_money(b.subsidy)} 万元；"
          f"申报 {fmt_money(b.requested)} 万元；审减 {fmt_money(b.cut_amount)} 万元；审减率 {fmt_rate(b.cut_rate)}")
    for note in b.notes:
        print(f"注：{note}")
    if args.xlsx:
        tables = {"成本标准表": present.cost_standard_table(result), "预算汇总": present.budget_table(result),
                  "审减情况": present.cut_table(result), "资源测算": present.need_table(result)}
        from . import __version__
        from .io import sha256_file

        inputs = [project.path] + [m.path for m in project.meta.values()]
        recorded = {"price_year": project.price_year, "preset": display_name(result.budget.preset)}
        out = write_tables_xlsx(args.xlsx, tables, {"project_id": project.id, "project_name": project.name,
                                                    "project_file": str(project.path), "template": "costing standard",
                                                    "parameters": recorded, "version": __version__,
                                                    "inputs": [{"name": p.name, "sha256": sha256_file(p)}
                                                               for p in inputs]})
        print(f"Excel: {out}")
    return EXIT_OK


def run_examples(args) -> int:
    from .examples import write_all

    for p in write_all(args.root):
        print(p)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    ap = argparse.ArgumentParser(prog="costing", description="Budget costing workbench (全成本预算绩效管理).")
    ap.add_argument("--version", action="version", version=f"costing {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("standard", help="run the four-step method on a project and print the standard")
    _standard_args(p)
    p.set_defaults(func=run_standard)
    p = sub.add_parser("examples", help="regenerate the synthetic example data (seeded)")
    p.add_argument("--root", default="data")
    p.set_defaults(func=run_examples)
    from .workbook import cli as workbook_cli

    p = sub.add_parser("new", help="write a fill-in workbook for a project type (填报工作簿)")
    workbook_cli.add_new_arguments(p)
    p.set_defaults(func=workbook_cli.run_new)
    p = sub.add_parser("check", help="check a workbook: every problem with its cell (exit 0 clean, 1 warnings, 2 errors)")
    workbook_cli.add_check_arguments(p)
    p.set_defaults(func=workbook_cli.run_check)
    # a broken sub-package is an internal error (see main), never a silently missing sub-command
    from .report import cli as report_cli

    p = sub.add_parser("report", help="build reports (HTML, xlsx, manifest) for projects")
    report_cli.add_arguments(p)
    p.set_defaults(func=report_cli.run)
    from .performance import cli as perf_cli

    for name, helptext in (("assess", "ex-ante assessment of a portfolio (事前绩效评估)"),
                           ("monitor", "in-year dual monitoring (双监控)"),
                           ("ledger", "rectification ledger: replies, status, overdue, adjustments (整改台账)"),
                           ("evaluate", "self-evaluation and grades (绩效自评)"),
                           ("rollover", "next year's portfolio skeleton from this year's evaluation (结果应用)"),
                           ("spotcheck", "spot-check of the self-evaluations: sample, 复核底稿, re-check (抽查复核)")):
        p = sub.add_parser(name, help=helptext)
        getattr(perf_cli, f"add_{name}_arguments")(p)
        p.set_defaults(func=getattr(perf_cli, f"run_{name}"))
    return ap


def main(argv=None) -> int:
    try:
        parser = build_parser()
    except ImportError as e:
        print(f"costing: internal error: part of costing cannot be imported: {type(e).__name__}: {e}",
              file=sys.stderr)
        if os.environ.get("COSTING_DEBUG"):
            raise
        return EXIT_INTERNAL
    args = parser.parse_args(argv)
    return guarded(args.command, args.func, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
