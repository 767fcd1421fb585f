# One entry point for every dev task. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_DB ?= bifocals-demo.db

.PHONY: run test lint typecheck docs bench clean install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m bifocals.locale.extract --compile
	touch $(STAMP)

install: $(STAMP)

## make run: the demo organization on SQLite, served on http://$(HOST):$(PORT)
run: $(STAMP)
	$(BIN)/bifocals demo load --db $(DEMO_DB) --replace
	$(BIN)/bifocals serve --db $(DEMO_DB) --host $(HOST) --port $(PORT)

## make test: lint, format check, types (mypy strict), then the whole test suite
test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

## make docs: regenerate the generated docs (CLI reference, framework, instrument)
docs: $(STAMP)
	$(BIN)/python -m bifocals.clidoc > docs/cli.md
	$(BIN)/python -m bifocals.docgen

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
