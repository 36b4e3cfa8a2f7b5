# The two commands a fresh machine needs: `make report` and `make test`.
# Each builds .venv when it is missing (or when pyproject.toml changed).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LAB    := $(VENV)/.lab-installed
BROWSER := $(VENV)/.browser-installed
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: help test test-browser test-render report lab bench examples clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench,dask]'
	$(BIN)/python -m ipykernel install --sys-prefix --name costing --display-name "Python (costing)" >/dev/null
	touch $(STAMP)

test: $(STAMP)  ## set up, then run the test suite
	$(BIN)/python -m pytest -n 2 -q --reruns 1 --only-rerun Timeout

report: $(STAMP)  ## set up, then build the reports of every bundled project under reports/
	$(BIN)/costing report --all data/projects --all data/portfolios --out reports --jobs $(JOBS)

# JupyterLab for a classroom: Chinese interface, no news or update checks, Markdown opens as a page.
# Installed once (a stamp, like the test environment), so `make lab` starts offline afterwards.
$(LAB): $(STAMP) etc/jupyterlab/overrides.json
	$(BIN)/python -m pip install --quiet -e '.[lab]'
	mkdir -p $(LAB_SETTINGS)
	cp etc/jupyterlab/overrides.json $(LAB_SETTINGS)/overrides.json
	touch $(LAB)

lab: $(LAB)  ## open JupyterLab (Chinese interface) at the project, on the course's 课程目录 (trainee start page)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) --ServerApp.root_dir="$(CURDIR)" \
		--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate $(LAB_ARGS) notebooks/course/README.md

$(BROWSER): $(LAB)
	$(BIN)/python -m pip install --quiet -e '.[lab,browser]'
	touch $(BROWSER)

test-browser: $(BROWSER)  ## the course in a real browser: Playwright drives Debian's chromium (with a CJK font)
	@if dpkg -s chromium fonts-noto-cjk >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk || \
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk; }; \
	else echo "make test-browser needs Debian's chromium and a CJK font: run 'sudo apt-get install chromium fonts-noto-cjk' (as root, make installs them)" >&2; exit 1; fi
	COSTING_BROWSER_TEST=1 $(BIN)/python -m pytest tests/browser -q -p no:xdist

# Word documents as a reader sees them: LibreOffice converts each bundled .docx, pdftotext reads it back.
RENDER_PACKAGES := libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-noto-cjk
test-render: $(STAMP)  ## every bundled Word document through LibreOffice: no broken table cell, no English
	@if ! command -v soffice >/dev/null || ! command -v pdftotext >/dev/null || ! fc-list | grep -qi 'noto.*cjk'; then \
		if [ "$$(id -u)" = 0 ]; then \
			DEBIAN_FRONTEND=noninteractive apt-get install -y $(RENDER_PACKAGES) || \
			{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(RENDER_PACKAGES); }; \
		else echo "make test-render needs LibreOffice, poppler-utils and a CJK font: run 'sudo apt-get install $(RENDER_PACKAGES)' (as root, make installs them)" >&2; exit 1; fi; fi
	COSTING_RENDER_TEST=1 $(BIN)/python -m pytest tests/render -q -p no:xdist -rxs --timeout 1800

bench: $(STAMP)  ## run every benchmark script and print its figures
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

examples: $(STAMP)  ## regenerate the synthetic example data (seeded)
	$(BIN)/costing examples

clean:  ## remove generated outputs and the environment
	rm -rf $(VENV) reports/* .pytest_cache
