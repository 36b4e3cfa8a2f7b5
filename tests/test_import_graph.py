"""The package's import graph: no cycles, and the core stands alone.

Every module under ``src/costing`` is parsed with :mod:`ast`; every ``import`` counts,
including those inside functions (a lazy import is still a dependency). Only imports
under ``if TYPE_CHECKING:`` are left out (they never run). ``from pkg import name``
points at the sub-module ``pkg.name`` when there is one, at the module a package's lazy
``attach`` map names for ``name``, and otherwise at ``pkg`` itself.

The rings (a decision written down here; README "Layout" names them too):

- **core**: the arithmetic and the leaves it stands on. It imports only core modules, so
  the method, the rules, the benchmarking engine and the CBA measures can be used, tested
  and changed without the life cycle, the reports, the workbooks or the course.
- **outer**: performance/, report/, workbook/, teach.py, whatif.py (the issue's list),
  plus what presents or drives the core (present, charts, examples, the command line).
- in between, the project loaders (project.py, schema.py, cba/project.py): the core takes
  a loaded project; loading one may read a fill-in workbook.

Run ``python tests/test_import_graph.py`` to print the layers.
"""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

#: the core ring: these modules (a trailing ".*" = the package and everything in it)
CORE = ("costing", "costing._lazy", "costing._cli", "costing._paths", "costing.errors", "costing.fmt", "costing.units",
        "costing.intake",
        "costing.expr", "costing.glossary", "costing.io", "costing.outputs", "costing.plotting",
        "costing.rules", "costing.cuts", "costing.method", "costing.benchmark.*", "costing.cba.*")
#: in the CBA package, the project-file loader belongs with the loaders, not the core
NOT_CORE = ("costing.cba.project",)
OUTER = ("costing.performance.*", "costing.report.*", "costing.workbook.*", "costing.teach", "costing.whatif",
         "costing.present", "costing.charts", "costing.examples", "costing.cli")


def _in(module: str, patterns) -> bool:
    return any(module == p or (p.endswith(".*") and (module == p[:-2] or module.startswith(p[:-1])))
               for p in patterns)


def modules() -> dict[str, tuple[Path, bool]]:
    """Module name -> (file, is a package)."""
    out = {}
    for path in sorted((SRC / "costing").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if package else parts)] = (path, package)
    return out


def _lazy_names(tree: ast.Module) -> dict[str, str]:
    """A package's ``attach(__name__, {"module": ("name", ...)})`` map: name -> sub-module."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "attach" and len(node.args) > 1 \
                and isinstance(node.args[1], ast.Dict):
            for key, names in zip(node.args[1].keys, node.args[1].values):
                for n in getattr(names, "elts", []):
                    out[n.value] = key.value
    return out


def _runtime_imports(node: ast.AST):
    """Import nodes that run: everything except the bodies of ``if TYPE_CHECKING:``."""
    if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
        for sub in node.orelse:
            yield from _runtime_imports(sub)
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
    else:
        for child in ast.iter_child_nodes(node):
            yield from _runtime_imports(child)


@lru_cache(maxsize=1)
def import_graph() -> dict[str, dict[str, int]]:
    """Module -> {imported costing module: line of the first such import} (parsed once per run)."""
    mods = modules()
    trees = {m: ast.parse(p.read_text(encoding="utf-8"), str(p)) for m, (p, _) in mods.items()}
    lazy = {m: _lazy_names(t) for m, t in trees.items() if mods[m][1]}
    graph = {}
    for m, tree in trees.items():
        package = m if mods[m][1] else m.rpartition(".")[0]
        edges: dict[str, int] = {}
        for node in _runtime_imports(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                if node.level:
                    base = package.split(".")[:len(package.split(".")) - node.level + 1]
                    origin = ".".join(base + ([node.module] if node.module else []))
                else:
                    origin = node.module or ""
                targets = [f"{origin}.{a.name}" if f"{origin}.{a.name}" in mods
                           else f"{origin}.{lazy[origin][a.name]}" if a.name in lazy.get(origin, {})
                           else origin for a in node.names]
            for t in targets:
                if t.split(".")[0] == "costing" and t != m:
                    assert t in mods, f"{m} line {node.lineno} imports {t}, which is not a module of costing"
                    edges.setdefault(t, node.lineno)
        graph[m] = edges
    return graph


def cycles(graph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter[0]; counter[0] += 1; stack.append(root); on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter[0]; counter[0] += 1; stack.append(w); on.add(w)
                    work.append((w, iter(graph[w])))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop(); on.discard(w); comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def layers(graph) -> list[list[str]]:
    """Modules by depth: layer 0 imports no costing module, layer k only layers below k.

    Each cycle counts as one node (so the layers exist while a pending cycle does).
    """
    rep = {m: m for m in graph}
    for comp in cycles(graph):
        for m in comp:
            rep[m] = comp[0]
    depth: dict[str, int] = {}

    def d(m):
        r = rep[m]
        if r not in depth:
            members = [x for x in graph if rep[x] == r]
            deps = {rep[t] for x in members for t in graph[x]} - {r}
            depth[r] = 1 + max((d(t) for t in deps), default=-1)
        return depth[r]

    for m in graph:
        d(m)
    out: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    for m in graph:
        out[depth[rep[m]]].append(m)
    return [sorted(x) for x in out]


def describe(graph) -> str:
    short = lambda m: m.removeprefix("costing.") or "costing"  # noqa: E731
    ring = lambda m: "core" if _in(m, CORE) and not _in(m, NOT_CORE) else "outer" if _in(m, OUTER) else "loader"  # noqa: E731
    lines = []
    for k, mods in enumerate(layers(graph)):
        by = {r: [short(m) for m in mods if ring(m) == r] for r in ("core", "loader", "outer")}
        lines.append(f"layer {k}: " + "; ".join(f"{r}: {', '.join(v)}" for r, v in by.items() if v))
    return "\n".join(lines)


# ----------------------------------------------------------------------------- tests
def test_graph_sees_imports_inside_functions_and_skips_type_checking():
    # the walker itself: a function-level import is an edge, a TYPE_CHECKING one is not
    tree = ast.parse("import a\nif TYPE_CHECKING:\n    import b\nelse:\n    import c\n"
                     "def f():\n    from . import d\n")
    found = [ast.unparse(n) for n in _runtime_imports(tree)]
    assert found == ["import a", "import c", "from . import d"]
    graph = import_graph()
    assert "costing.performance.example" in graph["costing.examples"]  # inside write_all()
    assert "costing.project" not in graph["costing.method"]             # TYPE_CHECKING only
    assert cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [["a", "b", "c"]]


def test_no_import_cycles():
    graph = import_graph()
    print("\n" + describe(graph))
    found = cycles(graph)  # schema.build_project is pure: the project loader and the workbook reader share it
    assert found == [], "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_core_imports_only_the_core():
    graph = import_graph()
    core = [m for m in graph if _in(m, CORE) and not _in(m, NOT_CORE)]
    assert {"costing.method", "costing.rules", "costing.cuts", "costing.benchmark.dea", "costing.cba.measures"} <= set(core)
    bad = [f"{m} (line {line}) imports {t}" for m in sorted(core) for t, line in sorted(graph[m].items())
           if not (_in(t, CORE) and not _in(t, NOT_CORE))]
    assert bad == [], "the core imports outside the core:\n" + "\n".join(bad)
    # the list, named: nothing in the core reaches the outer ring
    assert not [m for m in core for t in graph[m] if _in(t, OUTER)]


if __name__ == "__main__":
    print(describe(import_graph()))
