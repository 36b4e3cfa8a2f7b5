"""What the report pipeline reads from a project file, and safe path names.

A project file is TOML (``.toml``, :mod:`tomllib`), YAML (``.yaml``/``.yml``,
``yaml.safe_load``) or a fill-in workbook (``.xlsx``, :mod:`costing.workbook`:
its tables are its own sheets, so the workbook is the one input hashed). The pipeline reads only:

- ``[project] id`` (string, required) and ``[project] name`` (optional);
- ``[tables]``: values are paths relative to the project file's folder,
  either a string or a table with a ``path`` key (and an optional
  ``sheet``). These files and the project file are the inputs hashed in
  the manifest;
- ``[report]``: ``templates`` (list of template names, default
  ``["cost_standard"]``), ``[report.parameters]`` (switches passed to
  every template) and ``word_template`` (a bureau's own Word template: a
  path for every template, or a table template name -> path; relative to the
  project file).

Every other key belongs to :func:`costing.load_project` and is ignored here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

DEFAULT_TEMPLATES = ("cost_standard",)
PROJECT_SUFFIXES = (".toml", ".yaml", ".yml", ".xlsx")


@dataclass(frozen=True)
class ReportSpec:
    """The report-relevant part of a project file.

    Attributes
    ----------
    path : Path
        Absolute path of the project file.
    project_id : str
        ``[project] id`` as written (see :func:`sanitise_id` for the folder name).
    name : str or None
        ``[project] name``.
    tables : dict[str, Path]
        Table name -> absolute path of its file.
    templates : tuple[str, ...]
        Template names (or ``.ipynb`` paths relative to the project file).
    parameters : dict
        ``[report.parameters]``, passed to every template.
    word_templates : dict[str | None, Path]
        ``[report] word_template``: template name (None = every template) -> .docx path.
    issued : datetime.date or None
        ``[report] issued``: the date the documents carry (default: the run's as-of date).
    """

    path: Path
    project_id: str
    name: str | None = None
    tables: dict = field(default_factory=dict)
    templates: tuple = DEFAULT_TEMPLATES
    parameters: dict = field(default_factory=dict)
    word_templates: dict = field(default_factory=dict)
    issued: object = None  # datetime.date

    @property
    def input_files(self) -> list[Path]:
        """The project file and every table file, in a stable order, without duplicates."""
        out = [self.path]
        for p in self.tables.values():
            if p not in out:
                out.append(p)
        return out

    @property
    def safe_id(self) -> str:
        """The project id as a path component (see :func:`sanitise_id`)."""
        return sanitise_id(self.project_id, file=self.path)


def load_mapping(path: Path) -> dict:
    """Parse a TOML or YAML project file into a dict; InputError names the file.

    The project loader's reader (:func:`costing.project.read_project_file`), so the report
    refuses a binary, non-UTF-8 or unparsable file with the same message as ``costing standard``.
    """
    suffix = path.suffix.lower()
    if suffix not in PROJECT_SUFFIXES:
        raise InputError("not a project file", file=path,
                         expected="a .toml, .yaml or .yml file", found=path.suffix)
    if not path.is_file():
        raise InputError("project file not found", file=path, expected="an existing file",
                         found=str(path))
    from ..project import read_project_file

    return read_project_file(path)


def read_report_spec(path) -> ReportSpec:
    """Read the report-relevant keys of a project file.

    Parameters
    ----------
    path : str or Path
        The project file (``.toml``, ``.yaml`` or ``.yml``).

    Returns
    -------
    ReportSpec

    Raises
    ------
    InputError
        The file is missing or unparsable, ``[project] id`` is missing or not
        a string, a ``[tables]`` entry is malformed, or ``[report]`` has the
        wrong shape. Missing table files are reported too, since the manifest
        must hash them.
    """
    path = Path(path).expanduser().resolve()
    data = load_mapping(path)
    project = data.get("project")
    if not isinstance(project, dict):
        raise InputError("missing [project] table", file=path, column="project",
                         expected="a [project] table with an id", found=project)
    pid = project.get("id")
    if not isinstance(pid, str) or not pid.strip():
        raise InputError("[project] id must be a non-empty string", file=path, column="project.id",
                         expected="a string such as 'bus_2025'", found=pid)
    name = project.get("name")
    if name is not None and not isinstance(name, str):
        raise InputError("[project] name must be a string", file=path, column="project.name",
                         expected="a string", found=name)

    tables_raw = data.get("tables", {}) or {}
    if not isinstance(tables_raw, dict):
        raise InputError("[tables] must be a table of name = path", file=path, column="tables",
                         expected="a mapping", found=type(tables_raw).__name__)
    tables = {}
    for key, value in tables_raw.items():
        rel = value.get("path") if isinstance(value, dict) else value
        if not isinstance(rel, str) or not rel:
            raise InputError("a [tables] entry must be a path or a table with a 'path' key",
                             file=path, column=f"tables.{key}",
                             expected="'data/x.csv' or {path = 'data/x.xlsx', sheet = '...'}",
                             found=value)
        p = (path.parent / rel).resolve()
        if not p.is_file():
            raise InputError("table file not found", file=path, column=f"tables.{key}",
                             expected="an existing file (relative to the project file)", found=rel)
        tables[str(key)] = p

    report = data.get("report", {}) or {}
    if not isinstance(report, dict):
        raise InputError("[report] must be a table", file=path, column="report",
                         expected="templates = [...] and [report.parameters]",
                         found=type(report).__name__)
    templates = report.get("templates", list(DEFAULT_TEMPLATES))
    if isinstance(templates, str):
        templates = [templates]
    if (not isinstance(templates, list) or not templates
            or not all(isinstance(t, str) and t for t in templates)):
        raise InputError("[report] templates must be a non-empty list of template names",
                         file=path, column="report.templates",
                         expected='["cost_standard"]', found=templates)
    params = report.get("parameters", {}) or {}
    if not isinstance(params, dict):
        raise InputError("[report.parameters] must be a table of name = value", file=path,
                         column="report.parameters", expected="a mapping",
                         found=type(params).__name__)
    word = report.get("word_template", {})
    word = {None: word} if isinstance(word, str) else word
    if not isinstance(word, dict) or not all(isinstance(v, str) and v for v in word.values()):
        raise InputError("[report] word_template must be a path or a table of template = path",
                         file=path, column="report.word_template",
                         expected='"bureau.docx" or {cost_standard = "bureau.docx"}', found=word)
    return ReportSpec(path=path, project_id=pid, name=name, tables=tables,
                      templates=tuple(templates), parameters=dict(params),
                      word_templates={k: (path.parent / v).resolve() for k, v in word.items()},
                      issued=parse_issued(report.get("issued"), file=path, column="report.issued"))


def parse_issued(value, *, file=None, column="issued"):
    """The date documents are issued on (``[report] issued``, ``--issued``): a TOML date or an ISO
    string -> :class:`datetime.date`; None or "" -> None (the run's as-of date is used)."""
    import datetime as _dt

    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError("发文日期不是日期", file=file, column=column,
                         expected="ISO 日期，如 2026-10-08", found=value) from None


# Letters and digits of any script (CJK included), '-' and '_'; everything else -> '_'.
_UNSAFE = re.compile(r"[^\w\-]+", flags=re.UNICODE)


def sanitise_id(raw: str, *, file=None) -> str:
    """Turn a project id (or template name) into a safe single path component.

    Keeps letters and digits of any script (CJK included), ``-`` and ``_``;
    every other run of characters becomes ``_``, and leading dots,
    underscores and dashes are stripped. An id that contains a path
    separator or a ``..`` component, or that is empty after cleaning,
    is rejected: it would escape (or land directly in) the output folder.

    Raises
    ------
    InputError
        For ``../../etc``, ``a/b``, ``C:\\x``, ``.``, or an id with no usable character.

    Examples
    --------
    >>> sanitise_id("公交 2025")
    '公交_2025'
    """
    if not isinstance(raw, str):
        raise InputError("project id must be a string", file=file, column="project.id",
                         expected="a string", found=raw)
    parts = re.split(r"[/\\]", raw)
    if len(parts) > 1 or ".." in raw or raw.strip().startswith("."):
        raise InputError("project id would escape the report folder", file=file,
                         column="project.id",
                         expected="letters, digits, '-' or '_' (no '/', '\\', '..' or leading dot)",
                         found=raw)
    safe = _UNSAFE.sub("_", raw.strip()).strip("._-")
    if not safe:
        raise InputError("project id has no usable character for a folder name", file=file,
                         column="project.id", expected="letters, digits, '-' or '_'", found=raw)
    return safe[:120]
