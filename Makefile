# Two commands on a fresh clone: `make run` then `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Prefect runs embedded (its own local API, SQLite under PREFECT_HOME) unless PREFECT_API_URL is set.
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1

.PHONY: run test test-fast install lint bench clean help

help:
	@echo "make run        install into $(VENV) and ingest seeds/ into the local warehouse"
	@echo "make test       install into $(VENV) (with test extras) and run the tests"
	@echo "make test-fast  the tests without the slow (subprocess, server, install) ones"
	@echo "make lint       ruff check, ruff format --check, mypy flows tasks"
	@echo "make bench      run the ingest benchmark (CORPUS=path/to/text/bbc)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/newsflow run

# The suite in TEST_WORKERS processes (pytest-xdist; 0 runs it in this process): many tests wait
# on a Prefect server, a subprocess or a lock, so two processes finish well before one on 2 cores.
TEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) -m "not slow"

# ruff and mypy come with the test extras (pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check flows tasks tests benchmarks
	$(BIN)/ruff format --check flows tasks tests benchmarks
	$(BIN)/mypy flows tasks

CORPUS ?= ../shared/corpus/text/bbc
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_ingest.py $(CORPUS)

clean:
	rm -rf $(VENV) .prefect data *.egg-info
