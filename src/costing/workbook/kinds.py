"""Project kind -> the module that writes and checks its workbook."""
from __future__ import annotations

import importlib

_MODULES = {"bus": "standard", "sanitation": "standard", "cba": "cba", "portfolio": "portfolio"}


def module_for(kind):
    """The workbook module of a kind (``write``, ``check``), or None for an unknown kind."""
    name = _MODULES.get(kind)
    return None if name is None else importlib.import_module(f".{name}", __package__)
