"""Writing outputs: atomically, and with the permissions the user's umask gives.

:func:`atomic_path` is the one way ``costing`` writes an output file: the file
is built under a temporary name in the target folder and renamed onto the
target only when complete, so a reader (or a colleague on a shared drive)
never sees half a workbook. :func:`tempfile.mkstemp` creates files ``rw-------``
whatever the umask; the finished file gets ``0o666 & ~umask`` instead, like a
file opened with :func:`open`. Folders built aside (report folders) get
:func:`default_mode` ``(folder=True)``.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def _read_umask() -> int:
    # Python has no getter; set-and-restore once, at import (the main thread, before any worker).
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def default_mode(folder: bool = False) -> int:
    """Permissions of a new file (``0o666``) or folder (``0o777``) under the process umask."""
    return (0o777 if folder else 0o666) & ~_UMASK


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` when the block succeeds.

    The folder is created if missing. On an exception the temporary file is
    removed and ``path`` is left as it was.

    Examples
    --------
    >>> with atomic_path("out/table.xlsx") as tmp:  # doctest: +SKIP
    ...     workbook.save(tmp)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, default_mode())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
