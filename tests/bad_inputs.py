"""Helpers of the bad-input catalogue (tests/test_bad_inputs.py).

A *workspace* is a copy of the repository's ``data/`` folder in a temporary
directory; a *mutation* edits one of its files the way a user typing into
Excel or a text editor would; the catalogue then runs a command on it.
"""
from __future__ import annotations

import csv
import hashlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]

BUS = "projects/bus_example.toml"
CBA = "projects/cba_ebus_replacement.toml"
PF = "portfolios/example_portfolio.toml"
RAW = "raw/bus_example/"
PRAW = "raw/portfolio_example/"
CASH = "raw/cba_ebus/cashflows.csv"


def make_workspace(root: Path) -> Path:
    """A fresh copy of ``data/`` under ``root``; returns its path."""
    ws = root / "data"
    shutil.copytree(REPO / "data", ws)
    return ws


def hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (to prove inputs are never modified)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _decode(raw: bytes) -> tuple[str, str]:
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("gbk"), "gbk"


Mutation = Callable[[Path], None]


def cell(rel: str, row: int, col: int | str, value: str) -> Mutation:
    """Set a CSV cell: ``row`` as a spreadsheet shows it (header = 1, after comment lines),
    ``col`` its header (or 0-based position). The file keeps its encoding."""
    def mutate(ws: Path) -> None:
        path = ws / rel
        text, enc = _decode(path.read_bytes())
        lines = text.splitlines()
        n = next(i for i, line in enumerate(lines) if line.strip() and not line.startswith("#"))
        rows = list(csv.reader(lines[n:]))
        rows[row - 1][rows[0].index(col) if isinstance(col, str) else col] = value
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        path.write_bytes(("\n".join(lines[:n] + [""]) if n else "").encode(enc) + buf.getvalue().encode(enc))
    return mutate


def xlsx_cell(rel: str, ref: str, value) -> Mutation:
    """Set a cell (``"C2"``) of the first sheet of a workbook."""
    def mutate(ws: Path) -> None:
        from openpyxl import load_workbook

        wb = load_workbook(ws / rel)
        wb.worksheets[0][ref] = value
        wb.save(ws / rel)
    return mutate


def replace(rel: str, old: str, new: str) -> Mutation:
    """Replace text in a UTF-8 file (``old`` must occur)."""
    def mutate(ws: Path) -> None:
        path = ws / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return mutate


def write(rel: str, content: bytes | str) -> Mutation:
    def mutate(ws: Path) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        (ws / rel).write_bytes(data)
    return mutate


def copy(rel: str, new: str) -> Mutation:
    """Copy a file of the workspace to a new name beside the others."""
    def mutate(ws: Path) -> None:
        shutil.copyfile(ws / rel, ws / new)
    return mutate


def reencode(rel: str, encoding: str) -> Mutation:
    """Save a UTF-8 text file in another encoding (as Excel on a Chinese Windows does)."""
    def mutate(ws: Path) -> None:
        path = ws / rel
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    return mutate


def header_only(rel: str) -> Mutation:
    """Keep a CSV's comment lines and header, drop every data row."""
    def mutate(ws: Path) -> None:
        path = ws / rel
        text, enc = _decode(path.read_bytes())
        lines = text.splitlines()
        n = next(i for i, line in enumerate(lines) if line.strip() and not line.startswith("#"))
        path.write_bytes(("\n".join(lines[:n + 1]) + "\n").encode(enc))
    return mutate


def duplicate_row(rel: str, row: int) -> Mutation:
    def mutate(ws: Path) -> None:
        path = ws / rel
        text, enc = _decode(path.read_bytes())
        lines = text.splitlines()
        lines.insert(row, lines[row - 1])
        path.write_bytes(("\n".join(lines) + "\n").encode(enc))
    return mutate


def blank_line(rel: str, row: int) -> Mutation:
    """Insert an empty line before spreadsheet row ``row`` (header = 1) of a CSV without comments."""
    def mutate(ws: Path) -> None:
        path = ws / rel
        text, enc = _decode(path.read_bytes())
        lines = text.splitlines()
        lines.insert(row - 1, "")
        path.write_bytes(("\n".join(lines) + "\n").encode(enc))
    return mutate


def chain(*mutations: Mutation) -> Mutation:
    def mutate(ws: Path) -> None:
        for m in mutations:
            m(ws)
    return mutate


def nothing(ws: Path) -> None:
    return None


@dataclass(frozen=True)
class Case:
    """One kind of bad input.

    ``argv`` is the command line after ``costing``; ``{ws}`` is the workspace,
    ``{out}`` a folder for outputs outside it. ``must`` are texts the message
    must contain (file, row, column, what was found). ``code`` is the exit code.
    """

    id: str
    argv: tuple[str, ...]
    mutate: Mutation
    must: tuple[str, ...]
    code: int = 2
