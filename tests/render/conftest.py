"""The render tests run only from `make test-render` (which sets COSTING_RENDER_TEST=1): they build
every bundled Word document, convert each with LibreOffice and read the PDFs back (a few minutes)."""
import os

collect_ignore_glob = [] if os.environ.get("COSTING_RENDER_TEST") == "1" else ["test_*.py"]
