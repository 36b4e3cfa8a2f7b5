"""Where the source checkout is: the one repository-root finder of the package.

When ``costing`` runs from a checkout (``pip install -e .``, or ``src`` on the
path), the checkout's folders (``notebooks/templates``, ``data``) are the
defaults; an installed package has no checkout and callers fall back to the
current directory.
"""
from __future__ import annotations

from pathlib import Path


def repo_root() -> Path | None:
    """The checkout holding this package (``<root>/src/costing``), or None when installed elsewhere."""
    root = Path(__file__).resolve().parent.parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "src" / "costing").is_dir() else None
