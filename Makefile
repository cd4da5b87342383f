# The README's two commands are `make run` and `make test`; everything they need is installed here.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium

.PHONY: run test venv test-deps browser postgres lint check-catalog eval bench

$(BIN)/pip:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -U pip

$(VENV)/.installed: pyproject.toml | $(BIN)/pip
	$(BIN)/pip install -q -e .
	touch $@

venv: $(VENV)/.installed

# Main job: install, ingest the seeds when the index is missing or stale, serve on 127.0.0.1:8000.
run: venv
	$(BIN)/concierge ingest --if-stale
	$(BIN)/concierge serve

# torch first: pinned to the CPU build that lies on this machine (plain torch would pull CUDA).
$(VENV)/.test-installed: pyproject.toml | $(BIN)/pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[st,test]'
	touch $(VENV)/.installed $@

test-deps: $(VENV)/.test-installed browser postgres

browser:
	@test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-ipafont-gothic >/dev/null; }

# PostgreSQL 15 for the store contract and multi-worker tests (the suite starts a throwaway cluster as `postgres`).
postgres:
	@test -x /usr/lib/postgresql/15/bin/initdb || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

check-catalog: venv
	$(BIN)/concierge knowledge check

# The whole test suite (lint, format, types, catalog check, every pytest suite incl. browser, server and real-model ones).
test: test-deps lint
	$(BIN)/concierge knowledge check
	$(BIN)/pytest

eval: venv
	$(BIN)/concierge eval

bench: venv
	$(BIN)/concierge bench chat
