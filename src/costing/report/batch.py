"""Batch of reports: many projects in parallel, one failure never stops the others.

Projects are validated in the calling process first (cheap, and bad input
gets status ``"invalid"`` without running anything); the valid ones are
submitted to an executor. By default that is a :class:`ProcessPoolExecutor`
whose workers are reused across projects and warmed once (papermill,
nbconvert's HTML exporter and openpyxl imported up front), so a report pays
for its kernel and its own work only. Any ``concurrent.futures``-style
executor may be passed instead, including a Dask ``distributed.Client``
(its :meth:`get_executor` is used) for batches bigger than one machine.
"""
from __future__ import annotations

import concurrent.futures as cf
import contextvars
import multiprocessing as mp
import os
import sys
import threading
import time
from pathlib import Path

from ..errors import CostingError
from .execute import (DEFAULT_KERNEL, DEFAULT_TIMEOUT, ReportError, ReportResult, plan_report,
                      run_report)
from .export import display_width
from .spec import sanitise_id


def warm_worker() -> None:
    """Import and build what every report needs, once per worker process."""
    import openpyxl  # noqa: F401
    import papermill  # noqa: F401

    from . import export

    export._html_exporter()
    from .execute import kernel_env_ready

    kernel_env_ready()


_tls = threading.local()


def _thread_context() -> contextvars.Context:
    """One empty :class:`contextvars.Context` per thread, reused across reports.

    jupyter_core keeps its event loop in a context variable. Thread-pool
    executors (Dask's among them) run tasks in a *copy* of the submitting
    context, so two worker threads could inherit the same loop and one would
    find it "already running". Running each report in its thread's own
    context gives every thread its own loop.
    """
    ctx = getattr(_tls, "ctx", None)
    if ctx is None:
        ctx = _tls.ctx = contextvars.Context()
    return ctx


def _run_one(project_path, out_dir, overrides, templates_dir, kernel_name, timeout, plan=None):
    """Worker entry point: never raises; every outcome becomes a ReportResult."""
    return _thread_context().run(_run_one_here, project_path, out_dir, overrides, templates_dir,
                                 kernel_name, timeout, plan)


def _run_one_here(project_path, out_dir, overrides, templates_dir, kernel_name, timeout, plan):
    t0 = time.perf_counter()
    try:
        return run_report(project_path, out_dir, overrides=overrides, templates_dir=templates_dir,
                          kernel_name=kernel_name, timeout=timeout, plan=plan)
    except ReportError as exc:
        failed = [exc.notebook_path] if exc.notebook_path else []
        status = "failed"
        msg = str(exc)
    except CostingError as exc:
        failed, status, msg = [], "invalid", str(exc)
    except Exception as exc:  # a bug of ours: still one project, not the batch
        failed, status, msg = [], "failed", f"{type(exc).__name__}: {exc}"
    pid = plan.spec.project_id if plan is not None else None
    return ReportResult(project_path=Path(project_path), project_id=pid, status=status,
                        seconds=time.perf_counter() - t0, error=msg, failed_notebooks=failed)


def _as_executor(executor):
    """A concurrent.futures executor from an executor or a Dask Client."""
    get = getattr(executor, "get_executor", None)
    return get() if callable(get) else executor


def run_batch(project_paths, out_dir="reports", jobs: int | None = None, executor=None,
              overrides=None, progress: bool = True, *, templates_dir=None, templates=None,
              word_templates=None, pdf=None, kernel_name: str = DEFAULT_KERNEL, timeout: float | None = DEFAULT_TIMEOUT,
              summary: bool = True, stream=None) -> list[ReportResult]:
    """Build the reports of many projects in parallel.

    Parameters
    ----------
    project_paths : iterable of str or Path
        Project files.
    out_dir : str or Path
        Folder of reports; each project gets ``out_dir/<id>/``.
    jobs : int, optional
        Worker processes of the default executor (default ``os.cpu_count()``).
        Ignored when ``executor`` is given. ``jobs=1`` runs in this process.
    executor : concurrent.futures.Executor or distributed.Client, optional
        Where to run the projects; it is not shut down here.
    overrides : dict, optional
        Parameter overrides for every project (see :func:`plan_report`).
    progress : bool
        Show a tqdm progress bar on stderr.
    templates_dir, templates, word_templates, pdf, kernel_name, timeout :
        As :func:`~costing.report.run_report`.
    summary : bool
        Print the summary table (to ``stream``, default stdout) at the end.

    Returns
    -------
    list[ReportResult]
        One per project, in input order, with ``status`` ``"ok"``,
        ``"failed"`` or ``"invalid"``.
    """
    from tqdm.auto import tqdm

    t0 = time.perf_counter()
    paths = [Path(p) for p in project_paths]
    results: list[ReportResult | None] = [None] * len(paths)
    plans, seen = {}, {}
    for i, p in enumerate(paths):
        t1 = time.perf_counter()
        try:
            plan = plan_report(p, overrides, templates_dir=templates_dir, templates=templates,
                               word_templates=word_templates, pdf=pdf)
            sid = sanitise_id(plan.spec.project_id, file=plan.spec.path)
            if sid in seen:
                raise CostingError(f"{p}: project id {plan.spec.project_id!r} gives the same "
                                   f"report folder {sid!r} as {paths[seen[sid]]}")
            seen[sid] = i
            plans[i] = plan
        except CostingError as exc:
            results[i] = ReportResult(project_path=p, status="invalid", error=str(exc),
                                      seconds=time.perf_counter() - t1)
        except Exception as exc:  # a bug of ours while preparing: this project fails, not the batch
            results[i] = ReportResult(project_path=p, status="failed",
                                      error=f"{type(exc).__name__}: {exc}",
                                      seconds=time.perf_counter() - t1)
    out_dir = Path(out_dir).expanduser().resolve()
    args = (out_dir, overrides, templates_dir, kernel_name, timeout)
    bar = tqdm(total=len(paths), desc="reports", unit="project", disable=not progress,
               file=sys.stderr, initial=len(paths) - len(plans))
    own = None
    try:
        if executor is None and (jobs == 1 or len(plans) <= 1):
            for i, plan in plans.items():
                results[i] = _run_one(paths[i], *args, plan=plan)
                bar.update(1)
        else:
            if executor is None:
                workers = max(1, min(jobs or os.cpu_count() or 1, len(plans)))
                own = cf.ProcessPoolExecutor(max_workers=workers,
                                             mp_context=mp.get_context("spawn"),
                                             initializer=warm_worker)
            ex = _as_executor(executor) if executor is not None else own
            futures = {ex.submit(_run_one, paths[i], *args, plan=plan): i
                       for i, plan in plans.items()}
            for fut in cf.as_completed(futures):
                i = futures[fut]
                try:
                    results[i] = fut.result()
                except Exception as exc:  # worker died, executor broke
                    results[i] = ReportResult(project_path=paths[i],
                                              project_id=plans[i].spec.project_id,
                                              status="failed",
                                              error=f"worker failed: {type(exc).__name__}: {exc}")
                bar.update(1)
    finally:
        bar.close()
        if own is not None:
            own.shutdown(wait=True)
    if summary:
        print(format_summary(results, out_dir, time.perf_counter() - t0), file=stream or sys.stdout)
    return results


def format_summary(results, out_dir=None, seconds: float | None = None) -> str:
    """A plain-text summary table: project, status, seconds, report folder or error."""
    rows = [("project", "status", "seconds", "report / error")]
    for r in results:
        where = str(r.report_dir) if r.ok else (r.error or "").splitlines()[0][:200]
        rows.append((r.project_id or r.project_path.name, r.status, f"{r.seconds:.1f}", where))
    w0 = max(display_width(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    w2 = max(len(r[2]) for r in rows)
    lines = [f"{_pad(a, w0)}  {b:<{w1}}  {c:>{w2}}  {d}" for a, b, c, d in rows]
    lines.insert(1, "-" * min(120, w0 + w1 + w2 + 30))
    n_ok = sum(r.ok for r in results)
    tail = f"{n_ok}/{len(results)} reports written"
    if out_dir is not None:
        tail += f" under {out_dir}"
    if seconds is not None:
        tail += f" in {seconds:.1f} s"
    lines.append(tail)
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))
