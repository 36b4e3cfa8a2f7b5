"""Benchmark of the report pipeline (issue 3): batch vs naive loop vs floor.

Measured in one run, on the same machine state:

- **batch**: the command ``costing report --jobs 2`` (``python -m
  costing.report.cli``) on N generated copies of a project: reused, pre-warmed
  worker processes, in-process HTML export, xlsx and manifest included;
- **naive loop**: per project, ``papermill`` then ``jupyter nbconvert --to html
  --no-input`` as subprocesses, one after the other (HTML only: less work);
- **floor**: papermill + nbconvert of a template that only imports the
  libraries the real template imports (no computation, no xlsx), measured two
  ways: in-process (as ``run_report`` runs them) and as the two commands;
- **libraries floor**: the same, importing every module of the heavy libraries
  the report ends up loading (``costing`` loads statsmodels, scipy and
  matplotlib on first use, so the template's import statements no longer name
  them): what is left of one report is its own computation, charts and exports.

- **chart floor** (issue 17): the imports-only floor plus one cell drawing one chart, run the naive
  way (papermill and jupyter nbconvert commands): the single-report ratio against it must not rise
  above 1.8x (Word table layout, HTML print groups and the 有关建议 section included).

Goals: naive / batch >= 1.8 on 2 cores; one report / floor <= 1.3; one report / chart floor <= 1.8.

The template and project default to ``notebooks/templates/cost_standard.ipynb``
and ``data/projects/bus_example.toml``, falling back to the test fixture
(``tests/fixtures/report``) while those do not exist; the code path is the same.

Usage: ``python benchmarks/bench_reports.py [-n 20] [--jobs 2] [--template T] [--project P]``
"""
from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from costing.errors import CostingError  # noqa: E402
from costing.report import export  # noqa: E402
from costing.report.execute import execute_template, kernel_env_ready, run_report  # noqa: E402
from costing.report.spec import read_report_spec  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "report"


def defaults() -> tuple[Path, Path]:
    tpl = ROOT / "notebooks" / "templates" / "cost_standard.ipynb"
    proj = ROOT / "data" / "projects" / "bus_example.toml"
    if tpl.exists() and proj.exists():
        return tpl, proj
    return FIXTURE / "report_fixture.ipynb", FIXTURE / "bus_tiny.toml"


def generate_projects(project: Path, n: int, root: Path) -> list[Path]:
    """N copies of ``project`` with ids ``<id>_gen01``...; table files copied so that the
    relative paths of ``[tables]`` still resolve."""
    spec = read_report_spec(project)
    text = project.read_text(encoding="utf-8")
    rels = {}
    for name, path in spec.tables.items():
        rels[name] = os.path.relpath(path, project.parent)
    depth = max([r.split(os.sep).count("..") for r in rels.values()] + [0])
    gen = root.joinpath(*[f"d{i}" for i in range(depth)], "projects")
    gen.mkdir(parents=True)
    for name, rel in rels.items():
        dst = (gen / rel).resolve()
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(spec.tables[name], dst)
    id_line = re.compile(r"^(\s*id\s*[=:]\s*)(['\"]?)([^'\"\n#]+)(['\"]?)", flags=re.M)
    out = []
    for i in range(1, n + 1):
        new = id_line.sub(lambda m: f"{m.group(1)}{m.group(2)}{spec.project_id}_gen{i:02d}"
                                    f"{m.group(4)}", text, count=1)
        p = gen / f"{project.stem}_gen{i:02d}{project.suffix}"
        p.write_text(new, encoding="utf-8")
        out.append(p)
    return out


#: the chart of the chart floor: one bar chart, shown inline as a report shows its charts
ONE_CHART = ("import matplotlib.pyplot as plt\n"
             "fig, ax = plt.subplots(figsize=(6, 3.5))\n"
             "ax.bar(['a', 'b', 'c'], [3, 1, 2])\n"
             "ax.set_title('floor')\n"
             "plt.show()")


def floor_template(template: Path, dst: Path, *, chart: bool = False) -> Path:
    """The template's parameters cell plus one cell with its import statements only (and, with
    ``chart``, drawing :data:`ONE_CHART` in the same cell)."""
    import nbformat

    nb = nbformat.read(template, as_version=4)
    imports, params = [], None
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" in cell.metadata.get("tags", []):
            params = cell
            continue
        try:
            tree = ast.parse("\n".join(ln for ln in cell.source.splitlines()
                                       if not ln.lstrip().startswith(("%", "!"))))
        except SyntaxError:
            continue
        imports += [ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    floor = nbformat.v4.new_notebook(metadata=nb.metadata)
    body = "\n".join(dict.fromkeys(imports)) + ("\n" + ONE_CHART if chart else "")
    floor.cells = [params, nbformat.v4.new_code_cell(body)]
    nbformat.write(floor, dst)
    return dst


#: libraries whose loading is part of the floor: what any report of the template must load
LIBRARIES = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "mplfonts", "PIL", "openpyxl", "docx",
             "docxtpl", "yaml", "costing")
LOADED = "import sys, json; print(json.dumps(sorted(sys.modules)))"


def libraries_floor_template(template: Path, project: Path, out: Path, dst: Path) -> Path:
    """The template's parameters cell plus one cell importing every module of :data:`LIBRARIES`
    that one run of the template loads (found by running it once with a last cell listing them)."""
    import json

    import nbformat

    nb = nbformat.read(template, as_version=4)
    probe = out / "probe.ipynb"
    nb.cells.append(nbformat.v4.new_code_cell(LOADED))
    nbformat.write(nb, probe)
    ran = execute_template(probe, {"project_path": str(project), "output_dir": str(out)}, out / "probed.ipynb")
    text = "".join(o.get("text", "") for o in ran.cells[-1].outputs)
    mods = [m for m in json.loads(text) if m.split(".")[0] in LIBRARIES and "._" not in f".{m}"
            and ".tests" not in m]
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    floor = nbformat.v4.new_notebook(metadata=nb.metadata)
    floor.cells = [params, nbformat.v4.new_code_cell(
        "import importlib\n"
        f"for m in {mods!r}:\n"
        "    try:\n        importlib.import_module(m)\n    except Exception:\n        pass")]
    nbformat.write(floor, dst)
    return dst


def naive_one(template: Path, project: Path, out: Path) -> None:
    bindir = Path(sys.executable).parent
    nb_out = out / f"{project.stem}.ipynb"
    subprocess.run([str(bindir / "papermill"), str(template), str(nb_out), "--cwd",
                    str(template.parent), "-k", "python3", "--no-progress-bar",
                    "-p", "project_path", str(project), "-p", "output_dir", str(out)],
                   check=True, capture_output=True)
    subprocess.run([str(bindir / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                    str(nb_out)], check=True, capture_output=True)


def plain_one(template: Path, project: Path, out: Path):
    """papermill + in-process nbconvert only (no xlsx, manifest, atomic publish)."""
    nb = execute_template(template, {"project_path": str(project), "output_dir": str(out)},
                          out / f"{template.stem}.ipynb")
    (out / f"{template.stem}.html").write_text(export.to_html(nb), encoding="utf-8")
    return nb


def cell_seconds(nb) -> float:
    """Time the kernel spent in the notebook's cells [s] (papermill's per-cell durations)."""
    return sum(c.metadata.get("papermill", {}).get("duration") or 0.0
               for c in nb.cells if c.cell_type == "code")


def _env() -> dict:
    """This process's environment with ``src`` on PYTHONPATH (for the command's subprocess)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"),
                                                     env.get("PYTHONPATH")) if p)
    return env


def timed(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    tpl_default, proj_default = defaults()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=20, help="generated projects (default 20)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3,
                    help="repeats of the single-report timings (the minimum is reported)")
    ap.add_argument("--template", type=Path, default=tpl_default)
    ap.add_argument("--project", type=Path, default=proj_default)
    args = ap.parse_args(argv)
    template, project = args.template.resolve(), args.project.resolve()
    kernel_env_ready()
    print(f"template: {template.relative_to(ROOT) if template.is_relative_to(ROOT) else template}")
    print(f"project:  {project.relative_to(ROOT) if project.is_relative_to(ROOT) else project}")
    print(f"projects: {args.n}, jobs: {args.jobs}, cores: {os.cpu_count()}")

    with tempfile.TemporaryDirectory(prefix="bench_reports_") as tmp:
        tmp = Path(tmp)
        # the generated copies run the given template: it sits next to them under its own name
        tdir = tmp / "templates"
        tdir.mkdir()
        shutil.copy(template, tdir / template.name)
        for f in template.parent.iterdir():  # files a template reads by relative default
            if f.is_file() and f.suffix != ".ipynb" and not (tdir / f.name).exists():
                shutil.copy(f, tdir / f.name)
        tpl = tdir / template.name
        projects = generate_projects(project, args.n, tmp / "gen")
        kw = {"templates_dir": tdir, "templates": [tpl.stem]}
        floor = floor_template(tpl, tdir / "floor_imports.ipynb")
        chart_floor = floor_template(tpl, tdir / "floor_chart.ipynb", chart=True)
        (tmp / "probe").mkdir()
        lib_floor = libraries_floor_template(tpl, projects[0], tmp / "probe", tdir / "floor_libraries.ipynb")

        # single report vs floor, in this process, after one warm-up of each
        one_out = tmp / "one"
        one_out.mkdir()
        try:
            run_report(projects[0], one_out, **kw)
        except CostingError as exc:
            print(f"cannot benchmark: the template does not make a report: {exc}")
            return 1
        plain_one(floor, projects[0], one_out)
        plain_one(lib_floor, projects[0], one_out)
        # alternate the four so that load from other processes hits them alike; take the
        # minimum of the repeats (the least disturbed run), as timeit does
        t_reports, t_plains, t_floors, cells, floor_cells, t_libs = [], [], [], [], [], []
        for _ in range(args.repeat):
            t_reports.append(timed(lambda: run_report(projects[0], one_out, **kw)))
            t0 = time.perf_counter()
            cells.append(cell_seconds(plain_one(tpl, projects[0], one_out)))
            t_plains.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            floor_cells.append(cell_seconds(plain_one(floor, projects[0], one_out)))
            t_floors.append(time.perf_counter() - t0)
            t_libs.append(timed(plain_one, lib_floor, projects[0], one_out))
        t_report, t_plain, t_floor, t_lib = min(t_reports), min(t_plains), min(t_floors), min(t_libs)
        t_cells, t_floor_cells = min(cells), min(floor_cells)
        report_dir = one_out / read_report_spec(projects[0]).safe_id
        sizes = {p.suffix: p.stat().st_size for p in report_dir.iterdir()}

        # batch: the command itself, `costing report --jobs N`, as a subprocess
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "costing.report.cli", *map(str, projects), "--out",
             str(tmp / "batch"), "--jobs", str(args.jobs), "--templates-dir", str(tdir),
             "--template", tpl.stem, "--no-progress"],
            capture_output=True, text=True, env=_env())
        t_batch = time.perf_counter() - t0
        if proc.returncode != 0:
            print(f"batch failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
            return 1

        # floor the naive way: papermill and jupyter nbconvert as subprocesses
        t_floor_cli = min(timed(naive_one, floor, projects[0], one_out)
                          for _ in range(args.repeat))
        t_chart_cli = min(timed(naive_one, chart_floor, projects[0], one_out)
                          for _ in range(args.repeat))

        # naive loop
        naive_out = tmp / "naive"
        naive_out.mkdir()
        t0 = time.perf_counter()
        for p in projects:
            naive_one(tpl, p, naive_out)
        t_naive = time.perf_counter() - t0

    n = args.n
    print()
    print(f"{'':28}{'total [s]':>10}{'per project [s]':>17}")
    print(f"{'costing report --jobs %d' % args.jobs:28}{t_batch:>10.1f}{t_batch / n:>17.2f}")
    print(f"{'naive loop (subprocesses)':28}{t_naive:>10.1f}{t_naive / n:>17.2f}")
    print(f"{'one report (run_report)':28}{'':>10}{t_report:>17.2f}")
    print(f"{'  papermill+nbconvert only':28}{'':>10}{t_plain:>17.2f}")
    print(f"{'  of which template cells':28}{'':>10}{t_cells:>17.2f}")
    print(f"{'floor (imports only)':28}{'':>10}{t_floor:>17.2f}")
    print(f"{'  of which import cells':28}{'':>10}{t_floor_cells:>17.2f}")
    print(f"{'floor, naive way (CLIs)':28}{'':>10}{t_floor_cli:>17.2f}")
    print(f"{'libraries floor':28}{'':>10}{t_lib:>17.2f}")
    print(f"{'chart floor, naive way':28}{'':>10}{t_chart_cli:>17.2f}")
    print()
    ratio_batch = t_naive / t_batch
    ratio_floor = t_report / t_floor
    print(f"pipeline overhead  = {t_report / t_plain:.2f}x  (run_report / papermill+nbconvert "
          "of the same template: xlsx, manifest, atomic publish)")
    print(f"template's own work = {t_cells - t_floor_cells:.2f} s  (its cells minus the "
          "imports-only cells: computation and charts)")
    print(f"naive / batch      = {ratio_batch:.2f}x  (goal >= 1.8)  "
          f"{'ok' if ratio_batch >= 1.8 else 'MISSED'}")
    print(f"one report / floor = {ratio_floor:.2f}x  (goal <= 1.3)  "
          f"{'ok' if ratio_floor <= 1.3 else 'MISSED'}  (floor run in-process, as run_report)")
    ratio_cli = t_report / t_floor_cli
    print(f"one report / floor = {ratio_cli:.2f}x  (goal <= 1.3)  "
          f"{'ok' if ratio_cli <= 1.3 else 'MISSED'}  (floor run the naive way: papermill "
          "and jupyter nbconvert commands)")
    ratio_lib = t_report / t_lib
    print(f"one report / floor = {ratio_lib:.2f}x  (goal <= 1.3)  "
          f"{'ok' if ratio_lib <= 1.3 else 'MISSED'}  (libraries floor: the floor loading every "
          "library module the report loads)")
    ratio_chart = t_report / t_chart_cli
    print(f"one report / chart floor = {ratio_chart:.2f}x  (goal <= 1.8)  "
          f"{'ok' if ratio_chart <= 1.8 else 'MISSED'}  (issue 17: papermill + nbconvert commands on the "
          "imports plus one chart)")
    print("one report's size: " + ", ".join(f"{k[1:]} {v / 1024:.0f} KiB"
                                            for k, v in sorted(sizes.items()))
          + f"; total {sum(sizes.values()) / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
