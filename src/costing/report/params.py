"""Template parameters: the schema comes from the template's ``parameters`` cell.

papermill only *warns* about unknown parameters, so every project's
parameters are validated here before papermill runs. The schema is the
template's cell tagged ``parameters``: each top-level assignment
``name = <literal>`` (optionally annotated, ``name: float = 0.02``) declares a
parameter whose type is the type of the literal (or the annotation).

Rules
-----
- an unknown name is an error that lists the valid names and suggests the
  closest one (:mod:`difflib`);
- types: ``bool``, ``int``, ``float``, ``str``, ``list``, ``dict`` must match
  exactly, except that an ``int`` is accepted where a ``float`` is expected
  (and converted). A ``None`` default accepts any value;
- a parameter whose name ends in ``_path`` must name an existing file.
  Relative paths are resolved against ``base_dir`` (the project file's folder
  for ``[report.parameters]``, the current directory for CLI overrides) and
  passed to the kernel as absolute paths.

Template defaults that are relative paths are relative to the template's
folder: the pipeline runs every notebook with the template's folder as its
working directory, as JupyterLab does when a user opens the template.
"""
from __future__ import annotations

import ast
import difflib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .._paths import repo_root
from ..errors import ParameterError

#: Parameters the pipeline always passes; templates must declare them.
PIPELINE_PARAMETERS = ("project_path", "output_dir")

#: Python types a parameter may declare, by name.
PARAM_TYPES: dict[str, type] = {
    "bool": bool, "int": int, "float": float, "str": str, "list": list, "dict": dict,
}


@dataclass(frozen=True)
class TemplateParameter:
    """One declared parameter of a template.

    Attributes
    ----------
    name : str
    type : str or None
        ``"bool"``, ``"int"``, ``"float"``, ``"str"``, ``"list"``, ``"dict"``,
        or None when the default is ``None`` (any value accepted).
    default :
        The literal default value.
    help : str
        The trailing ``# comment`` of the assignment line, if any.
    """

    name: str
    type: str | None
    default: object
    help: str = ""


def templates_dir(explicit=None) -> Path:
    """Folder of the report templates.

    Order: ``explicit``; the environment variable ``COSTING_TEMPLATES_DIR``;
    ``notebooks/templates`` of the source checkout this package lives in;
    ``notebooks/templates`` under the current directory.
    """
    if explicit is not None:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get("COSTING_TEMPLATES_DIR")
    if env:
        return Path(env).expanduser().resolve()
    root = repo_root()
    if root is not None and (root / "notebooks" / "templates").is_dir():
        return root / "notebooks" / "templates"
    return (Path.cwd() / "notebooks" / "templates").resolve()


def resolve_template(name: str, *, base_dir=None, search_dir=None, project_file=None) -> Path:
    """Path of a template: a name (``cost_standard`` -> ``<templates>/cost_standard.ipynb``)
    or a path ending in ``.ipynb`` (relative to ``base_dir``).

    Raises
    ------
    ParameterError
        No such template; the message lists the available names.
    """
    if name.endswith(".ipynb"):
        p = Path(name).expanduser()
        if not p.is_absolute() and base_dir is not None:
            p = Path(base_dir) / p
        p = p.resolve()
        if p.is_file():
            return p
        raise ParameterError("template notebook not found", file=project_file,
                             column="report.templates",
                             expected="an existing .ipynb file", found=name)
    folder = templates_dir(search_dir)
    p = folder / f"{name}.ipynb"
    if p.is_file():
        return p
    available = sorted(q.stem for q in folder.glob("*.ipynb")) if folder.is_dir() else []
    hint = difflib.get_close_matches(name, available, n=1)
    problem = f"unknown template {name!r} in {folder}"
    if hint:
        problem += f" (did you mean {hint[0]!r}?)"
    raise ParameterError(problem, file=project_file, column="report.templates",
                         expected=f"one of {available}" if available else "a template notebook",
                         found=name)


def _parameters_cell(nb, path) -> str:
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell.source
    raise ParameterError("template has no cell tagged 'parameters'", file=path,
                         expected="one code cell tagged 'parameters' with literal defaults",
                         found="no such cell")


def _annotation_type(node) -> str | None:
    """'float' from ``x: float``; None for Optional/unions/unknown annotations."""
    if isinstance(node, ast.Name) and node.id in PARAM_TYPES:
        return node.id
    return None


def parse_parameters_cell(source: str, *, file=None) -> dict[str, TemplateParameter]:
    """Declared parameters of a ``parameters`` cell's source (pure).

    Raises
    ------
    ParameterError
        The cell does not parse, or a default is not a literal.
    """
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    text = "\n".join(lines)
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise ParameterError(f"parameters cell does not parse: {exc.msg}", file=file,
                             row=exc.lineno, expected="Python assignments", found=exc.text) from None
    out: dict[str, TemplateParameter] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            name, value_node, ann = node.targets[0].id, node.value, None
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                and node.value is not None:
            name, value_node, ann = node.target.id, node.value, _annotation_type(node.annotation)
        else:
            continue  # docstrings, comments-as-strings, imports: not parameters
        try:
            default = ast.literal_eval(value_node)
        except (ValueError, TypeError, SyntaxError):
            raise ParameterError("a parameters-cell default must be a literal", file=file,
                                 row=node.lineno, column=name,
                                 expected="a number, string, bool, None, list or dict literal",
                                 found=ast.get_source_segment(text, value_node)) from None
        if ann is None and default is not None:
            ann = type(default).__name__
            ann = ann if ann in PARAM_TYPES else ("list" if ann == "tuple" else None)
        line = lines[node.lineno - 1] if node.lineno - 1 < len(lines) else ""
        help_text = line.split("#", 1)[1].strip() if "#" in line else ""
        out[name] = TemplateParameter(name=name, type=ann, default=default, help=help_text)
    return out


@lru_cache(maxsize=64)
def _inspect_cached(path: str, mtime_ns: int) -> dict[str, TemplateParameter]:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return parse_parameters_cell(_parameters_cell(nb, path), file=path)


def inspect_template(name, *, search_dir=None) -> dict[str, TemplateParameter]:
    """List a template's parameters: name -> :class:`TemplateParameter`.

    Parameters
    ----------
    name : str or Path
        Template name (``"cost_standard"``) or path of an ``.ipynb``.
    search_dir : str or Path, optional
        Folder of templates (default: :func:`templates_dir`).
    """
    path = resolve_template(str(name), search_dir=search_dir)
    return dict(_inspect_cached(str(path), path.stat().st_mtime_ns))


def _type_ok(value, expected: str | None) -> bool:
    if expected is None:
        return True
    if expected == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "list":
        return isinstance(value, (list, tuple))
    return isinstance(value, PARAM_TYPES[expected])


_TRUE = {"true", "1", "yes", "on", "是"}
_FALSE = {"false", "0", "no", "off", "否"}


def coerce_cli_value(raw: str, expected: str | None):
    """Parse a ``-p NAME=VALUE`` string into the parameter's declared type.

    Returns the raw string unchanged when it cannot be parsed; validation
    then reports the wrong type with the expected type named.
    """
    text = raw.strip()
    try:
        if expected == "bool":
            low = text.lower()
            return True if low in _TRUE else False if low in _FALSE else raw
        if expected == "int":
            return int(text)
        if expected == "float":
            return float(text)
        if expected in ("list", "dict"):
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                return ast.literal_eval(text)
        if expected is None:
            try:
                return ast.literal_eval(text)
            except (ValueError, SyntaxError):
                return raw
    except (ValueError, SyntaxError):
        return raw
    return raw


def validate_parameters(params: dict, schema: dict[str, TemplateParameter], *, project_file=None,
                        template=None, base_dir=None) -> dict:
    """Check parameters against a template's schema and return them normalised.

    Parameters
    ----------
    params : dict
        Name -> value.
    schema : dict[str, TemplateParameter]
        From :func:`inspect_template`.
    project_file, template :
        Named in error messages.
    base_dir : str or Path, optional
        Folder that relative ``*_path`` values are relative to (default: cwd).

    Returns
    -------
    dict
        The parameters, with ints converted to float where a float is
        declared and ``*_path`` values made absolute.

    Raises
    ------
    ParameterError
        Unknown name (with the valid names and the closest match), wrong
        type, or missing file. The message names the project file and the
        template.
    """
    where = f"template {template}" if template and "," not in template else \
        f"templates {template}" if template else "template"
    valid = sorted(schema)
    out = {}
    for name, value in params.items():
        if name not in schema:
            hint = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
            problem = f"unknown parameter {name!r} for {where}"
            if hint:
                problem += f" (did you mean {hint[0]!r}?)"
            raise ParameterError(problem, file=project_file, expected=f"one of {valid}",
                                 found=name)
        spec = schema[name]
        if not _type_ok(value, spec.type):
            raise ParameterError(f"parameter {name!r} of {where} has the wrong type",
                                 file=project_file,
                                 expected=f"{spec.type} (default {spec.default!r})",
                                 found=f"{type(value).__name__} {value!r}")
        if spec.type == "float" and isinstance(value, int):
            value = float(value)
        if spec.type == "list" and isinstance(value, tuple):
            value = list(value)
        if name.endswith("_path") and value is not None:
            p = Path(str(value)).expanduser()
            if not p.is_absolute():
                p = Path(base_dir or Path.cwd()) / p
            if not p.is_file():
                raise ParameterError(f"parameter {name!r} of {where} names a missing file",
                                     file=project_file, expected="an existing file", found=str(value))
            value = str(p.resolve())
        out[name] = value
    return out
