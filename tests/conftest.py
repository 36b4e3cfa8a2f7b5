"""Test-suite settings shared by every test file.

Hypothesis runs derandomized (a fixed example sequence per test), so a CI
run and a developer's run see the same cases: the suite is reproducible like
the package. Set HYPOTHESIS_PROFILE=explore to search with fresh random
examples.
"""
import os

from hypothesis import settings

settings.register_profile("reproducible", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reproducible"))
