"""Project kind -> the module that writes and checks its workbook."""
from __future__ import annotations

import importlib

_MODULES = {"bus": "standard", "sanitation": "standard", "cba": "cba", "portfolio": "portfolio"}


def kind_code(kind) -> str | None:
    """The code of a project type typed as its code (``bus``) or its Chinese label (``公交运行补贴``)."""
    from .layout import KIND_LABELS

    text = "" if kind is None else str(kind).strip()
    return next((k for k, v in KIND_LABELS.items() if v == text), text) or None


def module_for(kind):
    """The workbook module of a kind (``write``, ``check``), or None for an unknown kind."""
    name = _MODULES.get(kind_code(kind))
    return None if name is None else importlib.import_module(f".{name}", __package__)
