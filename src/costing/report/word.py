"""Word documents (.docx) from templates a bureau can edit in Word or WPS.

The templates are ordinary .docx files with Jinja2 tags (docxtpl): the
letterhead, the fonts, the headings and the wording live in the template, the
figures and tables come from the same recorded results as the HTML and the
xlsx (:func:`costing.report.export.collect_records`). The shipped templates
are in ``word_templates/`` beside this module and are rebuilt by
``python tools/word_build.py`` (a maintainer's script, outside the package); a
bureau swaps in its own with ``costing report --word-template PATH`` or
``[report] word_template``. Tables are laid out when rendered
(:mod:`costing.report.word_layout`).

Fields of a report template (:data:`REPORT_FIELDS`)::

    project.id, project.name          the project (or portfolio)
    date                              the date the document carries (:func:`document_date`):
                                      ``--issued`` / ``[report] issued``, else the run's as-of
                                      date, 2026年9月30日; never the machine clock
    figures.<name>                    a headline figure, shown: money in 万元 with
                                      thousands separators, rates in %, unit costs
                                      with 4 decimals; figures.<name>.unit its unit
    tables["<name>"]                  a recorded table: .header, .rows (shown text),
                                      .without("列", ...) drops columns
    charts                            the report's charts in order: .image, .number,
                                      .caption
    parameters.<name>                 the report's parameters
    advice                            the 有关建议 paragraphs the HTML report shows too
                                      (:func:`costing.report.advice.report_advice`)
    policy.<name>                     policy numbers, never typed into a template: for a
                                      portfolio its scoring profile (.title, .execution,
                                      .output, .benefit, .satisfaction [points], .grades,
                                      .recommendations); for a costing project its
                                      parameters (.profit_rate_cap, in %)

A field a template uses that the document does not have is bad input
(:class:`~costing.errors.InputError` naming the template and the field),
checked before the notebooks run for top-level names and while rendering for
the rest.
"""
from __future__ import annotations

import base64
import functools
import io
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..outputs import atomic_path
from ..fmt import fmt, fmt_figure, fmt_rate
from .export import RecordedTable

TEMPLATE_DIR = Path(__file__).with_name("word_templates")

#: Top-level fields of a report template.
REPORT_FIELDS = frozenset({"project", "date", "figures", "tables", "charts", "parameters", "policy", "wording",
                           "advice"})

#: Width of an embedded chart [mm] (A4 minus the official-document margins).
CHART_WIDTH_MM = 150


def default_template(report: str) -> Path | None:
    """The shipped Word template of a report template (``cost_standard`` ->
    ``word_templates/cost_standard.docx``), or None when there is none."""
    path = TEMPLATE_DIR / f"{report}.docx"
    return path if path.is_file() else None


# ------------------------------------------------------------------ values


def show_value(value, kind=None, *, integer: bool | None = None) -> str:
    """A number as a reader sees it: the one formatter (:func:`costing.fmt.fmt`) with ``kind``;
    without one, a count when ``integer`` (default: the value is whole), else 2 decimals."""
    if kind is None and isinstance(value, (int, float)) and not isinstance(value, bool):
        whole = float(value).is_integer() if integer is None else integer
        kind = "count" if whole else "number"
    return fmt(value, kind or "text")


def show_number(value, unit=None, name: str = "") -> str:
    """A headline figure as shown (:func:`costing.fmt.fmt_figure`: 元 -> 万元, the unit's kind)."""
    return fmt_figure(value, unit)[0]


class Figure(str):
    """A headline figure as shown (a str), with ``.value`` and ``.unit`` kept."""

    def __new__(cls, value, unit=None, name=""):
        text, shown_unit = fmt_figure(value, unit)
        obj = super().__new__(cls, text)
        obj.value, obj.unit = value, shown_unit
        return obj


class Fields(dict):
    """A mapping of named fields whose missing key is reported with the field's full name."""

    def __init__(self, label: str, data):
        super().__init__(data)
        self.label = label

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


@dataclass(frozen=True)
class Table:
    """A recorded table as shown: header labels and rows of text (``columns``: the recorded
    column names, which :meth:`without` also accepts)."""

    header: list
    rows: list
    columns: list

    def without(self, *names) -> "Table":
        keep = [j for j, (h, c) in enumerate(zip(self.header, self.columns)) if h not in names and c not in names]
        return Table([self.header[j] for j in keep], [[r[j] for j in keep] for r in self.rows],
                     [self.columns[j] for j in keep])


def show_table(table: RecordedTable) -> Table:
    """A :class:`RecordedTable` as text, shown as the HTML report shows it
    (:func:`costing.present.reader_frame`): unnamed index columns (row numbers) dropped,
    English glosses dropped from the headers. A table with 数值 and 单位 columns shows
    each 数值 by the unit of its row."""
    from ..present import reader_frame

    df = table.frame
    drop = [c for j, c in enumerate(df.columns) if j < table.n_index and not str(c)]
    df = df.drop(columns=drop)
    shown = reader_frame(df, table.unit)
    header = [_LATIN_NOTE.sub("", str(c)).strip() or str(c) for c in shown.columns]
    return Table(header, shown.values.tolist(), [str(c) for c in df.columns])


@dataclass(frozen=True)
class Chart:
    """A chart of the report: PNG bytes and the heading it sits under."""

    number: int
    caption: str
    png: bytes


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$", re.M)
_LATIN_NOTE = re.compile(r"\s*[（(][^（）()]*[A-Za-z][^（）()]*[)）]\s*")


def notebook_charts(nb) -> list[Chart]:
    """Every PNG a notebook shows, in order, captioned with the chart's own title (recorded in the
    output's metadata by :mod:`costing.plotting`, so two charts under one heading differ), else the
    heading above it (English glosses in brackets dropped)."""
    charts, heading = [], ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = _HEADING.findall(cell.source)
            if found:
                heading = _LATIN_NOTE.sub("", found[-1]).strip(" *")
        for out in cell.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png:
                meta = out.get("metadata", {}).get("image/png", {}) or out.get("metadata", {})
                title = _LATIN_NOTE.sub("", str(meta.get("alt", ""))).strip()  # the chart's title (plotting)
                charts.append(Chart(len(charts) + 1, title or heading, base64.b64decode(png)))
    return charts


def type_wording(project_file) -> Fields:
    """``wording.<key>``: the sentences of the project's type (``[wording]`` of its TOML,
    e.g. ``targets``, ``need``), so each document speaks of its own type; empty for a
    project file without a type (a portfolio, a CBA project)."""
    from ..errors import InputError
    from ..project import load_type, read_project_file

    words = {}
    if project_file:
        path = Path(project_file)
        try:  # TOML, YAML or a fill-in workbook
            head = read_project_file(path).get("project", {})
        except (OSError, InputError):
            head = {}
        if isinstance(head, dict) and head.get("type"):
            words = load_type(str(head["type"]), base_dir=path.parent).get("wording", {})
    return Fields("wording", words)


def report_context(nb, headline: dict, tables: list[RecordedTable], info: dict) -> dict:
    """The fields of a report template, from the executed notebook's records."""
    from .advice import report_advice

    return {
        "project": Fields("project", {"id": info.get("project_id"), "name": info.get("project_name")}),
        "date": document_date(info),
        "figures": Fields("figures", {k: Figure(v["value"], v.get("unit"), k)
                                      for k, v in headline.items()}),
        "tables": Fields("tables", {t.name: show_table(t) for t in tables}),
        "charts": notebook_charts(nb),
        "parameters": Fields("parameters", info.get("parameters", {})),
        "wording": type_wording(info.get("project_file")),
        "policy": policy_fields(info.get("project_file")),
        "advice": report_advice(info.get("template"), headline),
    }


def policy_fields(project_file) -> Fields:
    """The policy numbers a document states, from where they are set: a portfolio's scoring
    profile (``[scoring] profile``), or a costing project's parameters (``profit_rate_cap``).
    Empty when there is no project file."""
    if not project_file:
        return Fields("policy", {})
    from ..project import read_project_file

    path = Path(project_file)
    data = read_project_file(path)  # TOML, YAML or a fill-in workbook (a report on bus.xlsx states its cap too)
    if (data.get("project") or {}).get("kind") == "portfolio":
        from ..performance.profile import bands_text, load_profile

        prof = load_profile((data.get("scoring") or {}).get("profile"), base_dir=path.parent)
        w = prof.weights
        by_advice: dict[str, list[str]] = {}
        for grade, advice in prof.recommendations.items():
            by_advice.setdefault(advice, []).append(grade)
        return Fields("policy", {
            "title": prof.title, "execution": f"{w['execution']:g}", "output": f"{w['产出指标']:g}",
            "benefit": f"{w['效益指标']:g}", "satisfaction": f"{w['满意度指标']:g}",
            "grades": bands_text(prof.grade_bands, sep="，"),
            "recommendations": "，".join(f"{'、'.join(g)}建议{a}" for a, g in by_advice.items())})
    if (data.get("project") or {}).get("kind") not in (None, "costing"):
        return Fields("policy", {})
    from ..schema import type_spec

    # the type's [parameters] under the project's own, as costing.project.load_project merges them
    # (without reading the project's tables)
    params = {**(type_spec(data, path.parent).get("parameters") or {}), **(data.get("parameters") or {})}
    cap = params.get("profit_rate_cap", 0.03)
    return Fields("policy", {"profit_rate_cap": fmt_rate(cap)})


#: the date line of a document with neither an issue date nor an as-of date: filled in by hand
#: when it is signed (the run never dates a document by the machine clock)
UNDATED = "　　年　　月　　日"


def show_date(d) -> str:
    """A date as a document shows it: 2026年9月30日 (:func:`costing.fmt.fmt_date`)."""
    from ..fmt import fmt_date

    return fmt_date(d)


def document_date(info: dict) -> str:
    """The date a report carries: ``info["issued"]`` (``--issued`` / ``[report] issued``), else the
    report's ``as_of`` parameter, else :data:`UNDATED`."""
    from datetime import date as _date

    issued = info.get("issued")
    if issued:
        return show_date(issued if isinstance(issued, _date) else _date.fromisoformat(str(issued)))
    as_of = (info.get("parameters") or {}).get("as_of")
    if as_of:
        return show_date(as_of if isinstance(as_of, _date) else _date.fromisoformat(str(as_of)))
    return UNDATED


# --------------------------------------------------------------- templates


@functools.cache
def _unknown_field_class():
    from jinja2 import StrictUndefined

    class UnknownField(StrictUndefined):
        """Names the missing field in full (``figures.subsidy_x``), and what there is."""

        __slots__ = ()

        @property
        def _undefined_message(self):
            obj, name = self._undefined_obj, self._undefined_name
            if isinstance(obj, Fields):
                return f"unknown field {obj.label}.{name}; {obj.label} has {sorted(obj)}"
            return f"unknown field {name!r}"

    return UnknownField


_env_local = threading.local()
#: compiled templates kept per thread (a template's XML is the same for each document)
CACHE_SIZE = 64


def _cached(cache: dict, key, make):
    """``make(key)``, remembered in ``cache`` (emptied when it reaches :data:`CACHE_SIZE`)."""
    value = cache.get(key)
    if value is None:
        if len(cache) >= CACHE_SIZE:
            cache.clear()
        value = cache[key] = make(key)
    return value


@functools.cache
def _environment_class():
    from jinja2 import Environment

    class CachingEnvironment(Environment):
        """Compiles each distinct source once (docxtpl compiles every part on every render;
        a template's parts are the same for each document)."""

        def from_string(self, source, globals=None, template_class=None):
            if globals is not None or template_class is not None:
                return super().from_string(source, globals, template_class)
            return _cached(self.__dict__.setdefault("_compiled", {}), source, super().from_string)

    return CachingEnvironment


def _jinja_env():
    """This thread's Jinja environment: autoescaped (a value holding "<" or "&" must not
    break the document's XML), unknown fields named (:func:`_unknown_field_class`)."""
    env = getattr(_env_local, "env", None)
    if env is None:
        env = _env_local.env = _environment_class()(autoescape=True, undefined=_unknown_field_class())
    return env


_patched: dict = {}


@functools.cache
def _template_class():
    """docxtpl's DocxTemplate, with the work that depends only on the template done once:
    the tag clean-up (``patch_xml``, a pure function of a part's XML) is cached, and the
    line-break pass (``resolve_listing``) is skipped when no value holds a control character."""
    from docxtpl import DocxTemplate

    class Template(DocxTemplate):
        def patch_xml(self, src_xml):
            return _cached(_patched, src_xml, super().patch_xml)

        def resolve_listing(self, xml):
            return super().resolve_listing(xml) if _CONTROL.search(xml) else xml

    return Template


_CONTROL = re.compile("[\n\t\a\f]")


def _docx_template(blob: bytes):
    return _template_class()(io.BytesIO(blob))


class WordTemplate:
    """A Word template read once and checked, rendered as many times as needed.

    Parameters
    ----------
    path : str or Path
        The .docx template.
    fields : iterable of str
        The top-level fields the documents will have.

    Raises
    ------
    InputError
        The file is missing or not a Word document, or uses a field not in ``fields``.
    """

    def __init__(self, path, fields=REPORT_FIELDS):
        self.path = Path(path)
        try:
            self.blob = self.path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read the Word template: {exc.strerror}", file=self.path,
                             expected="a .docx file") from None
        try:
            used = _docx_template(self.blob).get_undeclared_template_variables(_jinja_env())
        except Exception as exc:  # not a zip / not a docx / a broken Jinja tag
            raise InputError(f"not a usable Word template ({type(exc).__name__}: {exc})",
                             file=self.path, expected="a .docx file with valid {{ }} / {% %} tags") \
                from None
        unknown = sorted(used - set(fields))
        if unknown:
            raise InputError(f"the Word template uses unknown field(s) {', '.join(unknown)}",
                             file=self.path, expected=f"fields among {sorted(fields)}", found=unknown)

    def render(self, context: dict, out_path) -> Path:
        """Render to ``out_path``, written atomically (a temporary file in the same folder,
        then renamed). Charts in ``context["charts"]`` become inline images."""
        from docx.shared import Mm
        from docxtpl import InlineImage
        from jinja2 import TemplateError

        tpl = _docx_template(self.blob)
        ctx = dict(context)
        if "charts" in ctx:
            ctx["charts"] = [Fields("chart", {"number": c.number, "caption": c.caption,
                                              "image": InlineImage(tpl, io.BytesIO(c.png),
                                                                   width=Mm(CHART_WIDTH_MM))})
                             for c in ctx["charts"]]
        try:
            tpl.render(ctx, _jinja_env())
        except TemplateError as exc:
            raise InputError(f"the Word template cannot be filled: {exc}", file=self.path,
                             expected="fields the document has") from None
        from .word_layout import fit_tables

        fit_tables(tpl.docx.element.body)
        return save_atomic(tpl, out_path)


def save_atomic(doc, out_path) -> Path:
    """Save a python-docx / docxtpl document to a temporary file beside ``out_path``, then rename."""
    out = Path(out_path)
    with atomic_path(out) as tmp:
        doc.save(tmp)
    return out
