"""``costing report PROJECT... [--out DIR] [--jobs N] [--all DIR] [-p NAME=VALUE ...]``.

Exit codes: 0 every report written; 1 a project failed while running;
2 bad input (no project files, a malformed ``-p``, or a project that does
not validate). Errors are printed as one clear message, never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._cli import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK
from ..errors import CostingError
from .spec import PROJECT_SUFFIXES


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``report`` sub-command's arguments to ``parser``."""
    parser.add_argument("projects", nargs="*", metavar="PROJECT",
                        help="project files (.toml, .yaml, .yml) or fill-in workbooks (.xlsx)")
    parser.add_argument("--all", dest="all_dir", metavar="DIR", action="append", default=[],
                        help="every project file in DIR (repeatable)")
    parser.add_argument("--out", default="reports", metavar="DIR",
                        help="folder of reports (default: reports)")
    parser.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                        help="parallel projects (default: number of cores)")
    parser.add_argument("-p", "--param", dest="params", action="append", default=[],
                        metavar="NAME=VALUE", help="override a template parameter (repeatable)")
    parser.add_argument("--template", "-t", dest="templates", action="append", default=None,
                        metavar="NAME", help="run this template instead of the project's "
                        "[report] templates (repeatable)")
    parser.add_argument("--templates-dir", default=None, metavar="DIR",
                        help="folder of report templates (default: notebooks/templates)")
    parser.add_argument("--word-template", dest="word_templates", action="append", default=[],
                        metavar="[NAME=]PATH", help="a bureau's own Word template (.docx) for the "
                        "documents of template NAME (default: every template); repeatable")
    parser.add_argument("--issued", default=None, metavar="DATE",
                        help="date the documents carry (ISO, e.g. 2026-10-08); default [report] issued, "
                             "else the as-of date; never the machine clock")
    parser.add_argument("--pdf", action="store_true",
                        help="also write a PDF of each document (needs LibreOffice or Chromium installed)")
    parser.add_argument("--no-progress", dest="progress", action="store_false",
                        help="no progress bar")
    return parser


def collect_projects(projects, all_dirs) -> list[Path]:
    """Project files named directly plus every project file in each ``--all`` folder."""
    out: list[Path] = [Path(p) for p in projects]
    for d in all_dirs:
        d = Path(d)
        if not d.is_dir():
            raise CostingError(f"--all {d}: not a folder")
        out.extend(sorted(p for p in d.iterdir()
                          if p.suffix.lower() in PROJECT_SUFFIXES and p.is_file()
                          and not p.name.startswith(".")))
    return list(dict.fromkeys(out))


def parse_params(items) -> dict:
    """``["a=1", "b=x"]`` -> ``{"a": CliValue("1"), "b": CliValue("x")}``; typed per template later."""
    from .execute import CliValue

    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise CostingError(f"-p {item!r}: expected NAME=VALUE")
        out[name.strip()] = CliValue(value)
    return out


def parse_word_templates(items) -> dict:
    """``["cba=b.docx", "a.docx"]`` -> ``{"cba": Path("b.docx"), None: Path("a.docx")}``."""
    out = {}
    for item in items:
        name, sep, path = item.rpartition("=")
        out[name.strip() if sep else None] = Path(path)
    return out


def run(args: argparse.Namespace) -> int:
    """Run the command; returns the exit code (0 ok, 1 a project failed, 2 bad input)."""
    from .batch import run_batch

    try:
        paths = collect_projects(args.projects, args.all_dir)
        overrides = parse_params(args.params)
        if args.issued:
            overrides["issued"] = args.issued
        if args.jobs is not None and args.jobs < 1:
            raise CostingError(f"--jobs {args.jobs}: expected a positive number")
        converter = None
        if args.pdf:
            from .pdf import INSTALL_HINT, find_converter

            converter = find_converter()
            if converter is None:
                raise CostingError(f"--pdf: {INSTALL_HINT}")
    except CostingError as exc:
        print(f"costing report: {exc}", file=sys.stderr)
        return EXIT_INPUT
    if not paths:
        print("costing report: no project files given (PROJECT... or --all DIR)", file=sys.stderr)
        return EXIT_INPUT
    results = run_batch(paths, args.out, jobs=args.jobs, overrides=overrides,
                        progress=args.progress, templates_dir=args.templates_dir,
                        templates=args.templates,
                        word_templates=parse_word_templates(args.word_templates), pdf=converter)
    for r in results:
        if not r.ok:
            print(f"costing report: {r.project_path}: {r.status}: {r.error}", file=sys.stderr)
    print(f"Reports are in {Path(args.out).resolve()}")
    if any(r.status == "invalid" for r in results):
        return EXIT_INPUT
    return EXIT_INTERNAL if any(r.status == "failed" for r in results) else EXIT_OK


def main(argv=None) -> int:
    """Stand-alone entry point: ``python -m costing.report.cli ...``."""
    parser = add_arguments(argparse.ArgumentParser(
        prog="costing report", description="Build cost-standard reports (HTML, xlsx, manifest)."))
    return run(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
