"""``costing new`` and ``costing check`` (kept light: nothing heavy is imported before it is used)."""
from __future__ import annotations

import argparse
import json
import sys

from .layout import KINDS


def add_new_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", metavar="TYPE", choices=KINDS, help="bus | sanitation | cba | portfolio")
    # dest "workbook", not "out": --out is the report folder every command checks
    p.add_argument("workbook", metavar="OUT.xlsx", help="the workbook to write (an existing file is not overwritten)")
    p.add_argument("--from", dest="source", metavar="PROJECT.toml",
                   help="write this project file's settings and tables into the workbook")


def run_new(args) -> int:
    from pathlib import Path

    from ..errors import InputError
    from .write import new_workbook

    if Path(args.workbook).exists():
        raise InputError("文件已存在，未覆盖", file=args.workbook, expected="一个新文件名", found="已有的文件",
                         fix="换一个文件名，或先把原文件改名（以免覆盖已填写的工作簿）")
    out = new_workbook(args.kind, args.workbook, source=args.source)
    print(f"已生成 {out}：填写黄色区域并删除灰色示例行后，运行 costing check {out.name}")
    return 0


def add_check_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="a workbook written by costing new (.xlsx)")
    p.add_argument("--annotate", metavar="OUT.xlsx",
                   help="write a copy with each problem cell highlighted and commented (the input is not changed)")
    p.add_argument("--json", action="store_true", help="print the problems as JSON")


def run_check(args) -> int:
    """Exit code: 0 no problem, 1 warnings only, 2 errors."""
    from .check import ERROR, check_workbook, exit_code

    problems, _ = check_workbook(args.file)
    if args.json:
        json.dump([p.as_dict() for p in problems], sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        from ..intake import MAX_LISTED

        n_err = sum(p.severity == ERROR for p in problems)
        for p in problems[:MAX_LISTED]:
            print(p.line())
        if len(problems) > MAX_LISTED:
            print(f"……另有 {len(problems) - MAX_LISTED} 处问题未列出（先改正以上各处；--annotate 可标出全部单元格）")
        print(f"{args.file}：{n_err} 处错误，{len(problems) - n_err} 处警告" if problems else f"{args.file}：未发现问题")
    if args.annotate:
        from .annotate import annotate

        out = annotate(args.file, args.annotate, problems)
        print(f"已标注：{out}", file=sys.stderr if args.json else sys.stdout)
    return exit_code(problems)
