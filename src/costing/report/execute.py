"""Run one project's report: validate, execute with papermill, export, publish atomically.

Layout of the outputs (``out`` defaults to ``reports``)::

    out/<id>/<id>_<template>.html     self-contained, no code cells
    out/<id>/<id>_<template>.xlsx     说明 + one sheet per recorded table
    out/<id>/<id>_<template>.docx     Word document from the template's Word
                                      template (when it has one), same records
    out/<id>/<id>_<template>.pdf      with a PDF converter (costing.report.pdf): the
                                      .docx (LibreOffice) or the HTML (Chromium)
    out/<id>/<id>_<template>.ipynb    executed notebook (papermill metadata kept,
                                      headline figures in metadata["costing"])
    out/<id>/manifest.json            input hashes, parameters, versions, time, headline
    out/failed/<id>_<template>.ipynb  executed notebook of a failed run

The report is built in a hidden temporary folder inside ``out`` and renamed
into place; an existing report is renamed aside, replaced, then deleted. A
failed project leaves no partial report (and leaves a previous complete
report untouched).

Execution: kernel ``python3`` by default, which jupyter_client starts with
this process's own interpreter (``sys.executable``); working directory = the
template's folder, so a template's relative default ``project_path`` is
relative to the template, as when a user opens it in JupyterLab. The
``output_dir`` the kernel sees is the temporary build folder (files a
template writes there are published atomically with the report); the
manifest and the xlsx show the final folder.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..errors import CostingError, InputError, ParameterError
from ..outputs import default_mode
from . import export
from .params import (PIPELINE_PARAMETERS, coerce_cli_value, inspect_template, resolve_template,
                     validate_parameters)
from .spec import ReportSpec, read_report_spec

DEFAULT_KERNEL = "python3"
DEFAULT_TIMEOUT = 600  # [s] per cell
#: Kernel command-line options: keep the kernel's own log to errors, so a batch's
#: terminal is not filled with one start-up warning per report. Errors inside the
#: notebook are unaffected (they are cell outputs).
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]


class ReportError(CostingError):
    """A report could not be produced (a cell raised, a glyph was missing, the kernel died).

    Attributes
    ----------
    project_path : Path
    template : str
    cell_index : int or None
        Index of the failing cell in the executed notebook (papermill's
        injected-parameters cell counts).
    cell_source : str or None
        First line of the failing cell's source.
    notebook_path : Path or None
        Where the executed notebook was kept (``<out>/failed/...``).
    """

    def __init__(self, message, *, project_path=None, template=None, cell_index=None,
                 cell_source=None, notebook_path=None):
        super().__init__(message)
        self.project_path = project_path
        self.template = template
        self.cell_index = cell_index
        self.cell_source = cell_source
        self.notebook_path = notebook_path

    def __reduce__(self):  # picklable across process pools
        return (_rebuild_report_error, (str(self), self.__dict__))


#: jupyter_client's message when a kernel dies before answering (nothing has run yet)
KERNEL_START_FAILED = "Kernel died before replying to kernel_info"

def _rebuild_report_error(message, state):
    err = ReportError(message)
    err.__dict__.update(state)
    return err


class CliValue(str):
    """A parameter value typed on the command line: parsed into the declared type."""


@dataclass
class ReportResult:
    """Outcome of one project's report.

    Attributes
    ----------
    project_path : Path
    project_id : str or None
    status : str
        ``"ok"``, ``"failed"`` (execution) or ``"invalid"`` (validation).
    report_dir : Path or None
        The published folder (None unless ok).
    files : dict[str, Path]
        ``"<template>.html"``/``.xlsx``/``.ipynb`` and ``"manifest"`` -> path.
    headline : dict[str, dict]
        template -> {figure name -> value}.
    seconds : float
        Wall time [s].
    error : str or None
    failed_notebooks : list[Path]
    """

    project_path: Path
    project_id: str | None = None
    status: str = "ok"
    report_dir: Path | None = None
    files: dict = field(default_factory=dict)
    headline: dict = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None
    failed_notebooks: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class PlannedTemplate:
    """A template to run for a project, with its validated parameters (minus the pipeline's)."""

    name: str
    path: Path
    parameters: dict
    word: object = None  # costing.report.word.WordTemplate, checked; None = no .docx


@dataclass(frozen=True)
class ReportPlan:
    """A validated project: everything needed to execute without further checks."""

    spec: ReportSpec
    templates: tuple
    pdf: object = None  # costing.report.pdf.Converter, or None: no PDF
    issued: object = None  # datetime.date the documents carry (--issued, [report] issued); None: as_of
    as_of: object = None  # datetime.date: the run's as_of parameter (-p as_of / [report.parameters]), if any


def plan_report(project_path, overrides=None, *, templates_dir=None, templates=None,
                word_templates=None, pdf=None) -> ReportPlan:
    """Read a project file and validate its parameters for each of its templates.

    ``[report.parameters]`` and ``overrides`` are checked against the union of
    the templates' parameters: a name no template declares is an error (with
    the valid names and the closest match); a name goes to each template that
    declares it, type-checked against that template.

    Parameters
    ----------
    project_path : str or Path
    overrides : dict, optional
        Name -> value, applied after ``[report.parameters]``. Values of type
        :class:`CliValue` are parsed into each template's declared type;
        relative ``*_path`` values are relative to the current directory.
        ``issued`` (``--issued``) is the date every document carries, before
        ``[report] issued``; it reaches the templates that declare ``issued``.
    templates_dir : str or Path, optional
    templates : list of str, optional
        Run these templates instead of the project's ``[report] templates``.
    word_templates : dict, optional
        Template name (None = every template) -> Word template (.docx), before
        the project's ``[report] word_template`` and the shipped one.
    pdf : costing.report.pdf.Converter, optional
        Also write a PDF of each document with this converter.

    Raises
    ------
    InputError, ParameterError
        Before anything runs (a Word template using an unknown field included).
    """
    spec = read_report_spec(project_path)
    _ = spec.safe_id  # path-traversal check before any work
    overrides = dict(overrides or {})
    from .spec import parse_issued

    issued = parse_issued(overrides.pop("issued", None), file=spec.path, column="--issued") or spec.issued
    as_of = overrides.get("as_of", spec.parameters.get("as_of"))
    try:
        as_of = parse_issued(str(as_of) if as_of is not None else None)
    except InputError:
        as_of = None  # reported by the template's own parameter check below
    reserved = [p for p in PIPELINE_PARAMETERS if p in spec.parameters or p in overrides]
    if reserved:
        raise ParameterError(f"{reserved} are set by the report pipeline, not by the project",
                             file=spec.path, expected="other parameter names", found=reserved)
    schemas = {}
    for name in (templates or spec.templates):
        path = resolve_template(name, base_dir=spec.path.parent, search_dir=templates_dir,
                                project_file=spec.path)
        try:
            schema = inspect_template(path)
        except ParameterError as exc:
            raise ParameterError(f"template {path.name}: {exc}", file=spec.path) from None
        missing = [p for p in PIPELINE_PARAMETERS if p not in schema]
        if missing:
            raise ParameterError(f"template {path.name} does not declare {missing} in its "
                                 "parameters cell", file=spec.path,
                                 expected=list(PIPELINE_PARAMETERS), found=sorted(schema))
        schemas[path] = schema
    # A name unknown to every template is an error (misspelt); a name some templates
    # declare goes to those templates only.
    union = {}
    for schema in schemas.values():
        union.update({k: v for k, v in schema.items() if k not in union})
    where = ", ".join(p.stem for p in schemas)
    for given in (spec.parameters, overrides):
        unknown = {k: v for k, v in given.items() if k not in union}
        validate_parameters(unknown, union, project_file=spec.path, template=where)
    validate_inputs(spec.path, [p.stem for p in schemas])
    planned = []
    for path, schema in schemas.items():
        mine = {k: v for k, v in spec.parameters.items() if k in schema}
        params = validate_parameters(mine, schema, project_file=spec.path,
                                     template=path.stem, base_dir=spec.path.parent)
        typed = {k: (coerce_cli_value(v, schema[k].type) if isinstance(v, CliValue) else v)
                 for k, v in overrides.items() if k in schema}
        params.update(validate_parameters(typed, schema, project_file=spec.path,
                                          template=path.stem, base_dir=Path.cwd()))
        if "issued" in schema and issued is not None:
            params["issued"] = issued.isoformat()
        planned.append(PlannedTemplate(name=path.stem, path=path, parameters=params,
                                       word=_word_template(path.stem, word_templates, spec)))
    return ReportPlan(spec=spec, templates=tuple(planned), pdf=pdf, issued=issued, as_of=as_of)


def _word_template(name: str, given, spec):
    """The checked Word template of report template ``name``: ``given`` (command line),
    then the project's ``[report] word_template``, then the shipped one; None when none."""
    from .word import WordTemplate, default_template

    given = given or {}
    for choices in (given, spec.word_templates):
        path = choices.get(name, choices.get(None))
        if path is not None:
            return WordTemplate(path)
    path = default_template(name)
    return WordTemplate(path) if path is not None else None


#: template -> "module:function" that reads and validates its project's data.
#: plan_report calls it before papermill runs, so bad data is reported as bad input
#: (file, sheet, row, column) instead of as a failing notebook cell. Templates not
#: listed here (e.g. test fixtures) get no data check.
INPUT_VALIDATORS = {
    "cost_standard": "costing.project:load_project",
    "cba": "costing.cba:load_cba_project",
    "ex_ante": "costing.performance:load_portfolio",
    "monitoring": "costing.performance:load_portfolio",
    "self_evaluation": "costing.performance:load_portfolio",
}


def validate_inputs(project_file, template_names) -> None:
    """Read the project's data once per distinct validator; InputError on bad data."""
    import importlib

    for target in dict.fromkeys(INPUT_VALIDATORS[t] for t in template_names if t in INPUT_VALIDATORS):
        module, func = target.split(":")
        getattr(importlib.import_module(module), func)(project_file)


# ------------------------------------------------------------------ kernel


class _DropParseNoise(logging.Filter):
    """papermill re-parses the parameters cell with a regex and logs "Unable to parse
    line" for valid lines (e.g. a comment holding '='); our own ast-based schema
    (:mod:`.params`) has already validated the cell, so those lines are noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Unable to parse line")


_papermill_log = logging.getLogger("papermill")
if not any(isinstance(f, _DropParseNoise) for f in _papermill_log.filters):
    _papermill_log.addFilter(_DropParseNoise())

_env_lock = threading.Lock()


def kernel_env_ready() -> None:
    """Make sure a kernel started from here imports this same ``costing``.

    PYTHONPATH entries are made absolute (the kernel's working directory is
    the template folder, so ``PYTHONPATH=src`` would otherwise break), and the
    folder holding this ``costing`` package is added when missing. The
    current process's own imports are unaffected (its ``sys.path`` is
    already absolute).
    """
    import costing

    pkg_parent = str(Path(costing.__file__).resolve().parents[1])
    with _env_lock:
        parts = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        parts = [str(Path(p).resolve()) for p in parts]
        if pkg_parent not in parts:
            parts.insert(0, pkg_parent)
        os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(parts))


def _first_line(source: str) -> str:
    for line in (source or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def execute_template(template: Path, parameters: dict, output_path: Path, *,
                     kernel_name: str = DEFAULT_KERNEL, timeout: float | None = DEFAULT_TIMEOUT,
                     project_path=None):
    """Execute a template with papermill and check it for missing glyphs.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook (also written to ``output_path``).

    Raises
    ------
    ReportError
        A cell raised (names the cell index, its first source line and the
        exception), a chart was displayed as text instead of an image, a
        missing-glyph warning was printed, or the kernel failed.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    kernel_env_ready()

    def run():
        return pm.execute_notebook(
            str(template), str(output_path), parameters=parameters, kernel_name=kernel_name,
            cwd=str(template.parent), progress_bar=False, log_output=False,
            request_save_on_cell_execute=False, execution_timeout=timeout,
            shutdown_kernel="immediate", extra_arguments=KERNEL_ARGUMENTS,
        )

    try:
        try:
            nb = run()
        except RuntimeError as exc:
            # A kernel that dies before its first reply ran no cell: typically two kernels started at
            # once picked the same free port (ZMQError: Address already in use). Start it once more.
            if KERNEL_START_FAILED not in str(exc):
                raise
            nb = run()
    except PapermillExecutionError as exc:
        first = _first_line(exc.source)
        raise ReportError(
            f"{template.stem}: cell {exc.cell_index} (In [{exc.exec_count}]) `{first}` raised "
            f"{exc.ename}: {exc.evalue}",
            project_path=project_path, template=template.stem, cell_index=exc.cell_index,
            cell_source=first) from None
    except Exception as exc:  # kernel died, timed out, could not start
        raise ReportError(f"{template.stem}: execution failed: {type(exc).__name__}: {exc}",
                          project_path=project_path, template=template.stem) from None
    figures = export.unrendered_figures(nb)
    if figures:
        idx, text = figures[0]
        raise ReportError(
            f"{template.stem}: cell {idx} `{_first_line(nb.cells[idx].source)}` displayed a chart "
            f"as text ({text}; {len(figures)} in all), so the report would have no image: run "
            "`%matplotlib inline` in the template's import cell",
            project_path=project_path, template=template.stem, cell_index=idx,
            cell_source=_first_line(nb.cells[idx].source))
    glyphs = export.glyph_warnings(nb)
    if glyphs:
        idx, line = glyphs[0]
        raise ReportError(
            f"{template.stem}: cell {idx} `{_first_line(nb.cells[idx].source)}` printed a "
            f"missing-glyph warning ({len(glyphs)} in all): {line}",
            project_path=project_path, template=template.stem, cell_index=idx,
            cell_source=_first_line(nb.cells[idx].source))
    return nb


# ------------------------------------------------------------------ publish


def _publish(build: Path, dest: Path) -> None:
    """Rename ``build`` to ``dest``; an existing ``dest`` is renamed aside first, then deleted."""
    old = None
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".old", dir=dest.parent))
        old.rmdir()
        os.replace(dest, old)
    os.replace(build, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _keep_failed(src: Path | None, out_dir: Path, name: str) -> Path | None:
    if src is None or not src.exists():
        return None
    failed = out_dir / "failed"
    failed.mkdir(parents=True, exist_ok=True)
    target = failed / name
    os.replace(src, target)
    return target


@dataclass
class Staging:
    """A report being built: the hidden ``build`` folder, where it will be published
    (``dest``) and the template being rendered (``current``, for the failure path)."""

    spec: ReportSpec
    out_dir: Path
    build: Path
    dest: Path
    current: str | None = None

    def stem(self, template: str) -> str:
        """File name stem of a template's outputs: ``<id>_<template>``."""
        return f"{self.spec.safe_id}_{template}"


@contextmanager
def staging(spec: ReportSpec, out_dir, template_names) -> Iterator[Staging]:
    """Build a report in a hidden folder of ``out_dir``; publish it as ``out_dir/<id>`` on success.

    On success the folder is renamed into place (:func:`_publish`) and stale failed
    notebooks of these templates are removed. On failure nothing is published: the
    executed notebook of the template being built (``Staging.current``) is moved to
    ``out_dir/failed/``, the build folder is deleted, and the error is a
    :class:`ReportError` naming that notebook (other costing errors and interrupts
    pass through unchanged).
    """
    sid = spec.safe_id
    out_dir = Path(out_dir).expanduser().resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    dest = out_dir / sid
    if dest.parent != out_dir:  # pragma: no cover - sanitise_id guarantees this
        raise ParameterError("report folder would escape the output folder", file=spec.path,
                             expected=str(out_dir), found=str(dest))
    build = Path(tempfile.mkdtemp(prefix=f".{sid}.", suffix=".building", dir=out_dir))
    os.chmod(build, default_mode(folder=True))  # mkdtemp gives 0o700; publish with the umask's
    stage = Staging(spec=spec, out_dir=out_dir, build=build, dest=dest)
    try:
        yield stage
    except BaseException as exc:
        kept = None
        if stage.current is not None:
            name = f"{stage.stem(stage.current)}.ipynb"
            kept = _keep_failed(build / name, out_dir, name)
        shutil.rmtree(build, ignore_errors=True)
        if isinstance(exc, ReportError):
            exc.notebook_path = kept
            if kept is not None:
                exc.args = (f"{exc.args[0]} [executed notebook: {kept}]",)
            raise
        if isinstance(exc, CostingError) or not isinstance(exc, Exception):
            raise
        raise ReportError(f"{spec.path.name}: {type(exc).__name__}: {exc}",
                          project_path=spec.path, notebook_path=kept) from exc
    _publish(build, dest)
    for name in template_names:  # a stale failure of this project is no longer current
        (out_dir / "failed" / f"{stage.stem(name)}.ipynb").unlink(missing_ok=True)


def render_template(tpl: PlannedTemplate, stage: Staging, *, pdf=None, kernel_name: str = DEFAULT_KERNEL,
                    timeout: float | None = DEFAULT_TIMEOUT, issued=None) -> dict:
    """Execute one template into the build folder and write its documents.

    Writes ``<id>_<template>`` .ipynb (with the headline in ``metadata["costing"]``),
    .html, .xlsx, and .docx (when the template has a Word template) and .pdf (with a
    converter). Returns the template's manifest entry: template and Word template
    hashes, kernel, parameters as the reader sees them (the final folder), headline,
    recorded tables, files (extension -> name) and seconds. The Word document is dated
    ``issued`` (:attr:`ReportPlan.issued`), else by the template's ``as_of``.
    """
    import nbformat

    t1 = time.perf_counter()
    spec, build = stage.spec, stage.build
    stem = stage.stem(tpl.name)
    params = {"project_path": str(spec.path), "output_dir": str(build), **tpl.parameters}
    shown = {**params, "output_dir": str(stage.dest)}
    nb_path = build / f"{stem}.ipynb"
    nb = execute_template(tpl.path, params, nb_path, kernel_name=kernel_name,
                          timeout=timeout, project_path=spec.path)
    headline, tables = export.collect_records(nb)
    nb.metadata["costing"] = {"project_id": spec.project_id, "template": tpl.name, "headline": headline}
    nbformat.write(nb, str(nb_path))
    (build / f"{stem}.html").write_text(export.to_html(nb), encoding="utf-8")
    from .. import __version__

    info = {"project_id": spec.project_id, "project_name": spec.name,
            "project_file": str(spec.path), "template": tpl.name, "parameters": shown,
            # for the workbook's 说明 sheet: input hashes, version, time of the run
            "inputs": export.input_entries(spec.input_files, spec.path.parent), "version": __version__,
            "created": export.now_iso()}
    export.write_xlsx(build / f"{stem}.xlsx", tables, headline, info)
    exts = ("html", "xlsx", "ipynb")
    if tpl.word is not None:
        from .word import report_context

        tpl.word.render(report_context(nb, headline, tables, {**info, "issued": issued}), build / f"{stem}.docx")
        exts += ("docx",)
    if pdf is not None:
        src = "docx" if pdf.source == "docx" and "docx" in exts else "html"
        pdf.convert(build / f"{stem}.{src}", build / f"{stem}.pdf")
        exts += ("pdf",)
    return {
        "template": str(tpl.path), "template_sha256": export.sha256_file(tpl.path),
        **({"word_template": str(tpl.word.path), "word_template_sha256":
            export.sha256_file(tpl.word.path)} if tpl.word is not None else {}),
        **({"pdf_converter": pdf.name} if pdf is not None else {}),
        "kernel": kernel_name, "parameters": shown, "headline": headline,
        "tables": [t.name for t in tables],
        "files": {ext: f"{stem}.{ext}" for ext in exts},
        "seconds": round(time.perf_counter() - t1, 3),
    }


def write_manifest(stage: Staging, per_template: dict) -> Path:
    """``manifest.json`` of the build folder: the project, time, input hashes, versions,
    each template's entry (:func:`render_template`) and every file of the report,
    including those a template wrote into ``output_dir``. Returns its path."""
    spec = stage.spec
    manifest = {
        "project": {"id": spec.project_id, "name": spec.name, "file": str(spec.path)},
        "created": export.now_iso(),
        "inputs": export.input_entries(spec.input_files, spec.path.parent),
        "versions": export.package_versions(),
        "templates": per_template,
        "outputs": [{"name": f.name, "bytes": f.stat().st_size}
                    for f in sorted(stage.build.iterdir()) if f.is_file()],
    }
    path = stage.build / "manifest.json"
    export.write_json(path, manifest)
    return path


def run_report(project_path, out_dir="reports", *, overrides=None, templates_dir=None,
               templates=None, kernel_name: str = DEFAULT_KERNEL,
               timeout: float | None = DEFAULT_TIMEOUT,
               plan: ReportPlan | None = None, word_templates=None, pdf=None) -> ReportResult:
    """Build one project's report (every template it lists) into ``out_dir/<id>/``.

    Parameters
    ----------
    project_path : str or Path
        The project file.
    out_dir : str or Path
        Folder of reports (created if missing).
    overrides : dict, optional
        Parameter overrides (see :func:`plan_report`).
    templates_dir : str or Path, optional
        Folder of templates (default: ``notebooks/templates``).
    templates : list of str, optional
        Run these templates instead of the project's ``[report] templates``.
    kernel_name : str
        Jupyter kernel (default ``python3`` = this interpreter).
    timeout : float or None
        Per-cell time limit [s].
    plan : ReportPlan, optional
        An already validated plan (skips :func:`plan_report`).
    word_templates : dict, optional
        Bureau Word templates (see :func:`plan_report`).
    pdf : costing.report.pdf.Converter, optional
        Also write PDFs (see :func:`plan_report`).

    Returns
    -------
    ReportResult
        With ``status="ok"``.

    Raises
    ------
    InputError, ParameterError
        Invalid project or parameters; nothing was run.
    ReportError
        Execution failed; nothing was published, the executed notebook is in
        ``out_dir/failed/`` (``err.notebook_path``).
    """
    t0 = time.perf_counter()
    if plan is None:
        plan = plan_report(project_path, overrides, templates_dir=templates_dir,
                           templates=templates, word_templates=word_templates, pdf=pdf)
    files, headlines, per_template = {}, {}, {}
    with staging(plan.spec, out_dir, [t.name for t in plan.templates]) as stage:
        for tpl in plan.templates:
            stage.current = tpl.name
            entry = render_template(tpl, stage, pdf=plan.pdf, kernel_name=kernel_name, timeout=timeout,
                                    issued=plan.issued or plan.as_of)
            per_template[tpl.name] = entry
            files.update({f"{tpl.name}.{ext}": stage.dest / name for ext, name in entry["files"].items()})
            headlines[tpl.name] = {k: v["value"] for k, v in entry["headline"].items()}
        files["manifest"] = stage.dest / write_manifest(stage, per_template).name
    return ReportResult(project_path=plan.spec.path, project_id=plan.spec.project_id, status="ok",
                        report_dir=stage.dest, files=files, headline=headlines,
                        seconds=time.perf_counter() - t0)
