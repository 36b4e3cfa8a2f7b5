"""Report pipeline: parameterized notebook templates -> HTML, xlsx and manifest per project.

Inside a template (the kernel side)::

    from costing.report import record, record_table
    record("subsidy", result.budget.subsidy, unit="元")
    record_table("成本标准表", table, unit="万元")

From Python or the ``costing report`` command (the pipeline side)::

    from costing.report import run_report, run_batch, inspect_template
    run_batch(["data/projects/bus_example.toml"], "reports", jobs=2)

Modules: :mod:`.spec` (what a project file says about its report, safe ids),
:mod:`.params` (template schema and validation), :mod:`.record` (kernel
side), :mod:`.execute` (one project, atomic), :mod:`.export` (HTML, xlsx,
manifest), :mod:`.batch` (many projects, any executor), :mod:`.cli`.
Only the light kernel-side names are imported eagerly.
"""
from __future__ import annotations

from .record import HEADLINE_MIME, TABLE_MIME, record, record_table

_LAZY = {
    "read_report_spec": "spec", "ReportSpec": "spec", "sanitise_id": "spec",
    "inspect_template": "params", "validate_parameters": "params",
    "TemplateParameter": "params", "templates_dir": "params",
    "run_report": "execute", "plan_report": "execute", "ReportResult": "execute",
    "ReportError": "execute", "execute_template": "execute",
    "run_batch": "batch", "format_summary": "batch",
}

__all__ = ["HEADLINE_MIME", "TABLE_MIME", "record", "record_table", *_LAZY]


def __getattr__(name):
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'costing.report' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{mod}", __name__), name)
    globals()[name] = value
    return value
