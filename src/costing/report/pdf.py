"""PDF of a report, when a converter is installed (never a dependency of the package).

Looked up at run time, in this order:

- LibreOffice (``soffice``, Debian package ``libreoffice-writer-nogui``) converts
  the Word document, so the PDF is the document a bureau files;
- Chromium (``chromium``, Debian package ``chromium``) prints the HTML report,
  with its A4 print stylesheet.

:func:`find_converter` returns None when neither is there, and
:data:`INSTALL_HINT` says what to install.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import CostingError
from ..outputs import atomic_path

INSTALL_HINT = ("no PDF converter found: install LibreOffice for the Word document "
                "(apt-get install libreoffice-writer-nogui) or Chromium for the HTML (apt-get install chromium)")
#: [s] a conversion that takes longer has hung
TIMEOUT = 180


@dataclass(frozen=True)
class Converter:
    """A PDF converter found on this machine: ``source`` is the report file it reads."""

    name: str
    executable: str
    source: str  # "docx" or "html"

    def convert(self, src, out) -> Path:
        """Convert ``src`` to the PDF ``out`` (written atomically). CostingError on failure."""
        src, out = Path(src).resolve(), Path(out).resolve()
        with tempfile.TemporaryDirectory(prefix="costing-pdf-") as tmp:
            tmp = Path(tmp)
            if self.source == "docx":
                # its own profile, so conversions can run in parallel with each other and with
                # a LibreOffice the user has open
                cmd = [self.executable, f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
                       "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(src)]
                made = tmp / f"{src.stem}.pdf"
            else:
                made = tmp / f"{src.stem}.pdf"
                cmd = [self.executable, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                       "--disable-background-networking", "--disable-component-update", "--disable-sync",
                       f"--user-data-dir={tmp / 'profile'}", "--no-pdf-header-footer",
                       f"--print-to-pdf={made}", src.as_uri()]
            try:
                run = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise CostingError(f"{self.name} could not convert {src.name} to PDF: {exc}") from None
            if not made.is_file() or made.stat().st_size == 0:
                detail = (run.stderr or run.stdout).strip().splitlines()[-1:] or [f"exit code {run.returncode}"]
                raise CostingError(f"{self.name} could not convert {src.name} to PDF: {detail[0]}")
            with atomic_path(out) as part:
                shutil.copyfile(made, part)
        return out


def find_converter() -> Converter | None:
    """LibreOffice if installed, else Chromium, else None (see :data:`INSTALL_HINT`)."""
    for name, exe, source in (("LibreOffice", "soffice", "docx"), ("LibreOffice", "libreoffice", "docx"),
                              ("Chromium", "chromium", "html"), ("Chromium", "chromium-browser", "html")):
        path = shutil.which(exe)
        if path:
            return Converter(name, path, source)
    return None
