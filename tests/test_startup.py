"""Light start-up (issue 11): heavy libraries load where they are used, not with the package.

Checked by the modules a fresh interpreter has loaded (the timings themselves are in
benchmarks/bench_import.py, never in a test).
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "numpy", "scipy", "statsmodels", "matplotlib")


def loaded_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                         check=True, capture_output=True, text=True).stdout
    return {m.split(".")[0] for m in json.loads(out.splitlines()[-1])}


@pytest.mark.parametrize("code", [
    "import costing",
    "import costing.cba, costing.performance, costing.report, costing.benchmark",
    "import sys; sys.argv = ['costing', '--help']\nfrom costing.cli import build_parser\nbuild_parser()",
])
def test_package_and_argument_parsing_load_no_heavy_library(code):
    assert not loaded_after(code) & set(HEAVY)


def test_the_four_steps_load_neither_statsmodels_api_nor_charts():
    mods = loaded_after("from costing import run_method, load_project")
    assert {"pandas", "numpy"} <= mods and not mods & {"scipy", "statsmodels", "matplotlib"}


def test_lazy_names_resolve():
    import costing
    import costing.benchmark as bench
    import costing.cba as cba
    import costing.performance as cp

    for module in (costing, bench, cba, cp):
        for name in module.__all__:
            assert getattr(module, name) is not None, (module.__name__, name)
    assert costing.cba is cba and "run_method" in dir(costing)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        costing.nope  # noqa: B018
