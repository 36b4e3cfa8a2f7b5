"""The error policy of every ``costing`` command, in one leaf module.

Exit codes: 0 success; 2 bad input (one message naming the file, sheet, row and
column; no traceback); 1 an internal error, or a report that failed while running.
``costing check`` reuses them for its verdict: 0 no problem, 1 warnings only
(:data:`EXIT_WARNINGS`), 2 errors.

:func:`guarded` runs a sub-command under that policy; :mod:`costing.cli`,
:mod:`costing.report.cli`, :mod:`costing.performance.cli` and
:mod:`costing.workbook` import it from here (none imports another command's module).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .errors import CostingError, InputError

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2
#: ``costing check``: warnings only (errors exit with EXIT_INPUT)
EXIT_WARNINGS = 1


def _writable_folder(folder: Path, option: str, value) -> None:
    """The nearest existing folder at or above ``folder`` must be a writable folder."""
    p = folder.resolve()
    while not p.exists():
        p = p.parent
    if not p.is_dir():
        raise InputError(f"{option} cannot be created: {p} is a file", file=str(value),
                         expected="a path whose folders are folders", found=f"the file {p}")
    if not os.access(p, os.W_OK | os.X_OK):
        raise InputError(f"{option} cannot be written: no permission in {p}", file=str(value),
                         expected="a folder you may write to", found=str(p))


def check_outputs(args) -> None:
    """Refuse unusable output paths before any work: ``--xlsx`` names a file, ``--out`` a folder."""
    xlsx = getattr(args, "xlsx", None)
    if xlsx:
        path = Path(xlsx)
        if path.is_dir():
            raise InputError("--xlsx names a folder", file=str(xlsx), expected="a path to an .xlsx file",
                             found="an existing folder")
        if path.suffix.lower() != ".xlsx":
            raise InputError("--xlsx is not an .xlsx path", file=str(xlsx), expected="a name ending in .xlsx",
                             found=path.suffix or "no extension")
        _writable_folder(path.parent, "--xlsx", xlsx)
    out = getattr(args, "out", None)
    if out:
        path = Path(out)
        if path.exists() and not path.is_dir():
            raise InputError("--out names a file", file=str(out), expected="a folder (existing or new)",
                             found="an existing file")
        _writable_folder(path, "--out", out)


def guarded(name: str, fn, args) -> int:
    """Run a sub-command: its own exit code (None = 0), 2 on bad input, 1 on an internal error.

    Bad input prints one message naming the place, never a traceback; an
    internal error prints one line (set COSTING_DEBUG=1 for the traceback).
    """
    try:
        check_outputs(args)
        rc = fn(args)
        return EXIT_OK if rc is None else rc
    except InputError as e:
        if getattr(e, "chinese", False):  # a message for a budget unit: Chinese from the first word
            print(f"costing {name}：输入有误：{e}", file=sys.stderr)
        else:
            print(f"costing {name}: bad input: {e}", file=sys.stderr)
        return EXIT_INPUT
    except CostingError as e:
        print(f"costing {name}: {e}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    except Exception as e:  # an internal error: say so, briefly
        print(f"costing {name}: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        if os.environ.get("COSTING_DEBUG"):
            raise
        return EXIT_INTERNAL
