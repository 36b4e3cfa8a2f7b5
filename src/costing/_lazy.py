"""Lazy attributes of a package (PEP 562): a public name imports its module on first use.

``import costing`` then costs almost nothing, the command line parses its arguments
without pandas, and a notebook pays only for the modules it uses (statsmodels and
scipy.stats load with the cost function and the Monte Carlo, not with the package).
"""
from __future__ import annotations

import importlib
import sys


def attach(package: str, modules: dict[str, tuple[str, ...]], submodules=()):
    """``(__getattr__, __dir__)`` for ``package``.

    ``modules`` maps a sub-module (relative, without the dot) to the public names it
    defines; ``submodules`` are reachable as attributes (``costing.cba``) without an import.
    """
    where = {name: mod for mod, names in modules.items() for name in names}
    subs = frozenset(submodules)

    def __getattr__(name):
        if name in where:
            value = getattr(importlib.import_module(f".{where[name]}", package), name)
        elif name in subs:
            value = importlib.import_module(f".{name}", package)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        setattr(sys.modules[package], name, value)
        return value

    def __dir__():
        return sorted(set(vars(sys.modules[package])) | set(where) | subs)

    return __getattr__, __dir__
