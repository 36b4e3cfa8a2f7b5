"""The browser tests run only from `make test-browser` (which sets COSTING_BROWSER_TEST=1):
they need JupyterLab, Playwright and Debian's chromium, and take a minute or two."""
import os

collect_ignore_glob = [] if os.environ.get("COSTING_BROWSER_TEST") == "1" else ["test_*.py"]
