# The two commands a fresh machine needs: `make report` and `make test`.
# Each builds .venv when it is missing (or when pyproject.toml changed).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: help test report lab bench examples clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench,dask]'
	$(BIN)/python -m ipykernel install --sys-prefix --name costing --display-name "Python (costing)" >/dev/null
	touch $(STAMP)

test: $(STAMP)  ## set up, then run the test suite
	$(BIN)/python -m pytest -n 2 -q

report: $(STAMP)  ## set up, then build the reports of every bundled project under reports/
	$(BIN)/costing report --all data/projects --all data/portfolios --out reports --jobs $(JOBS)

lab: $(STAMP)  ## open JupyterLab with a kernel that has costing installed
	$(BIN)/python -m pip install --quiet -e '.[lab]'
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

bench: $(STAMP)  ## run every benchmark script and print its figures
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

examples: $(STAMP)  ## regenerate the synthetic example data (seeded)
	$(BIN)/costing examples

clean:  ## remove generated outputs and the environment
	rm -rf $(VENV) reports/* .pytest_cache
