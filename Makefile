# sqskit: two commands for people (`make lab`, `make test`) and a few for maintainers.
# Everything installs into ./.venv; a second run reinstalls nothing unless
# pyproject.toml or constraints.txt changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8888
IP     ?= 127.0.0.1
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
SUDO      := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: lab test lint typecheck unit course course-check notebooks browser bench clean help

help:
	@echo "make lab    - install what the labs need and start JupyterLab on labs/"
	@echo "              (options: PORT=8888 IP=0.0.0.0 NO_BROWSER=1)"
	@echo "make test   - install everything and run every check (lint, types, tests, notebooks)"
	@echo "make course - rebuild labs/, solutions/, slides/ and FACILITATOR.md from course/"
	@echo "              (make course-check, notebooks, browser: the course's parts of make test)"
	@echo "make bench  - run the benchmarks in bench/ and print the tables"

$(VENV)/.lab: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[lab]'
	-@$(BIN)/python -m pip uninstall --quiet -y rfc3987-syntax >/dev/null 2>&1
	@touch $@

$(VENV)/.dev: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	-@$(BIN)/python -m pip uninstall --quiet -y rfc3987-syntax >/dev/null 2>&1
	@touch $(VENV)/.lab $@

lab: $(VENV)/.lab
	$(BIN)/jupyter lab --notebook-dir=labs --ip=$(IP) --port=$(PORT) $(ROOT_FLAG) \
		$(if $(NO_BROWSER),--no-browser,)

lint: $(VENV)/.dev
	$(BIN)/ruff check $(wildcard sqskit tests tools bench course)

typecheck: $(VENV)/.dev
	$(BIN)/mypy

unit: $(VENV)/.dev
	$(BIN)/pytest -m "not browser" tests

test: lint typecheck unit course-check notebooks browser

# -- the course (tools/course.py explains each step) ------------------------------------------
# Notebooks import sqskit from this checkout, whatever the venv's editable install points at.
COURSE_ENV := PYTHONPATH=$(CURDIR)
NBVAL := --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	--nbval-cell-timeout=120

course: $(VENV)/.dev
	$(COURSE_ENV) $(BIN)/python tools/course.py build

course-check: $(VENV)/.dev
	$(COURSE_ENV) $(BIN)/python tools/course.py check

notebooks: $(VENV)/.dev
	@ls solutions/*.ipynb >/dev/null 2>&1 || { echo "solutions/ is empty: run make course"; exit 1; }
	$(COURSE_ENV) SQSKIT_PROGRESS_DIR=$$(mktemp -d) $(BIN)/pytest $(NBVAL) solutions
	$(COURSE_ENV) $(BIN)/python tools/course.py run-labs

# One real-browser test: JupyterLab runs lab 01 in Debian's chromium (never `playwright install`).
browser: $(VENV)/.dev
	@test -x /usr/bin/chromium || { echo "installing Debian's chromium (once, about a minute)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends chromium fonts-noto-color-emoji >/dev/null; }
	$(COURSE_ENV) $(BIN)/pytest -m browser tests/browser

bench: $(VENV)/.dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
