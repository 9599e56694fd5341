# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstall when the project's metadata changes.
INSTALLED := $(VENV)/.installed
FOLLOWUP_DATABASE_URL ?= sqlite:///var/followup.sqlite
export FOLLOWUP_DATABASE_URL
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2

# The example third-party plugin (tests/plugin_example), installed for the tests only, in
# a folder of its own: the tests about it put that folder on the path (tests/conftest.py),
# so that no other test, process or `make run` loads it by accident.
PLUGIN_EXAMPLE := $(VENV)/plugin-example
PLUGIN_EXAMPLE_FILES := $(wildcard tests/plugin_example/*.toml tests/plugin_example/*/*.py)

# axe-core, the accessibility engine the console's browser tests run in Chromium (MPL-2.0;
# from the npm registry, pinned, kept in the virtualenv: nothing of it is in the repo).
AXE_VERSION := 4.10.3
AXE := $(VENV)/axe/node_modules/axe-core/axe.min.js

.PHONY: run test lint typecheck pytest bench fuzz system-deps clean

system-deps:
	@scripts/system-deps.sh

$(INSTALLED): setup.cfg pyproject.toml
	@scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,postgres]'
	@touch $@

$(PLUGIN_EXAMPLE)/.installed: $(INSTALLED) $(PLUGIN_EXAMPLE_FILES)
	rm -rf $(PLUGIN_EXAMPLE)
	$(BIN)/python -m pip install -q --no-deps --target $(PLUGIN_EXAMPLE) ./tests/plugin_example
	rm -rf tests/plugin_example/build tests/plugin_example/*.egg-info
	@touch $@

run: $(INSTALLED)
	@mkdir -p var
	$(BIN)/followup init
	$(BIN)/followup serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

$(AXE): Makefile
	@mkdir -p $(VENV)/axe
	npm install --silent --no-audit --no-fund --prefix $(VENV)/axe axe-core@$(AXE_VERSION)
	@touch $@

# The suite's files run on every core (pytest-xdist), each file whole in one worker: its
# module fixtures (a history, a served API) are made once. Every test has its own store,
# ports and folders. `make test PYTEST_ARGS=-n0` runs it in one process.
PYTEST_ARGS ?= -n auto --dist loadfile --durations=15

pytest: $(INSTALLED) $(PLUGIN_EXAMPLE)/.installed $(AXE)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

test: lint typecheck pytest

# `make bench` runs every benchmark at full size (README: "Benchmarks and reliability");
# `make bench QUICK=1` (or BENCH_ARGS=--quick) at small sizes, each under a minute.
bench: $(INSTALLED)
	$(BIN)/python -m bench $(if $(QUICK),--quick) $(BENCH_ARGS)

# schemathesis against a served API with a larger budget than the suite's (examples per
# operation and generation mode).
FUZZ_EXAMPLES ?= 300
fuzz: $(INSTALLED)
	FOLLOWUP_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q \
		tests/e2e/test_api_schemathesis.py tests/e2e/test_hostile_inputs.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
