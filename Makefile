# Elo: `make demo` runs it, `make test` checks everything. Only python3 (>= 3.11) and make needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
PG_TEST_URL ?= postgres://elo:elo@127.0.0.1:5432/elo
export ELO_TEST_POSTGRES_URL ?= $(PG_TEST_URL)

.PHONY: demo serve worker test test-sqlite test-postgres test-e2e lint fmt typecheck migrations-check bench lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: $(BIN)/python requirements.lock pyproject.toml
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(PIP) install -r requirements-dev.lock
	@touch $@

demo: $(VENV)/.runtime
	$(BIN)/elo demo

serve: $(VENV)/.runtime
	$(BIN)/elo serve

worker: $(VENV)/.runtime
	$(BIN)/elo worker

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

fmt: $(VENV)/.dev
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

typecheck: $(VENV)/.dev
	ELO_DATA_DIR=$(CURDIR)/var/check $(BIN)/mypy

migrations-check: $(VENV)/.dev
	ELO_DATA_DIR=$(CURDIR)/var/check $(BIN)/python manage.py makemigrations --check --dry-run

test-sqlite: $(VENV)/.dev
	ELO_DATA_DIR=$(CURDIR)/var/test ELO_DATABASE_URL= $(BIN)/python bin/run-tests sqlite

test-postgres: $(VENV)/.dev
	ELO_DATA_DIR=$(CURDIR)/var/test $(BIN)/python bin/run-tests postgres

test-e2e: $(VENV)/.dev
	ELO_DATA_DIR=$(CURDIR)/var/test ELO_DATABASE_URL= $(BIN)/python -m pytest -m e2e

test: lint typecheck migrations-check test-sqlite test-postgres

bench: $(VENV)/.dev
	$(BIN)/elo bench

lock: $(BIN)/python
	@echo "Install the new versions, then split 'pip freeze' into requirements.lock and requirements-dev.lock."

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
