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

# The example third-party plugin (tests/plugin_example), installed for the tests as any
# plugin is installed; `make run` leaves it off (make run FOLLOWUP_DISABLE_PLUGINS= to try it).
PLUGIN_EXAMPLE := $(VENV)/.plugin-example
FOLLOWUP_DISABLE_PLUGINS ?= legislation_sharing

.PHONY: run test lint typecheck pytest bench fuzz system-deps clean

system-deps:
	@scripts/system-deps.sh

$(INSTALLED): setup.cfg pyproject.toml
	@scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,postgres]'
	@touch $@

$(PLUGIN_EXAMPLE): $(INSTALLED) tests/plugin_example/pyproject.toml
	$(BIN)/python -m pip install -q -e tests/plugin_example
	@touch $@

run: export FOLLOWUP_DISABLE_PLUGINS := $(FOLLOWUP_DISABLE_PLUGINS)
run: $(INSTALLED)
	@mkdir -p var
	$(BIN)/followup init
	$(BIN)/followup serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

pytest: $(INSTALLED) $(PLUGIN_EXAMPLE)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

test: lint typecheck pytest

bench: $(INSTALLED)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
