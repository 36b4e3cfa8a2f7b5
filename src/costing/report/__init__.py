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

from .._lazy import attach
from .record import HEADLINE_MIME, TABLE_MIME, record, record_table

__getattr__, __dir__ = attach(__name__, {
    "spec": ("read_report_spec", "ReportSpec", "sanitise_id"),
    "params": ("inspect_template", "validate_parameters", "TemplateParameter", "templates_dir"),
    "execute": ("run_report", "plan_report", "ReportResult", "ReportError", "execute_template"),
    "batch": ("run_batch", "format_summary"),
}, submodules=("spec", "params", "record", "execute", "export", "batch", "cli", "word"))

__all__ = ["HEADLINE_MIME", "TABLE_MIME", "record", "record_table", "read_report_spec", "ReportSpec",
           "sanitise_id", "inspect_template", "validate_parameters", "TemplateParameter", "templates_dir",
           "run_report", "plan_report", "ReportResult", "ReportError", "execute_template", "run_batch",
           "format_summary"]
