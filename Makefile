# The two commands: `make run` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test lint typecheck format install clean bench bench-queries bench-media bench-fields

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/masthead migrate
	$(BIN)/masthead serve

format: $(STAMP)
	$(BIN)/ruff format src tests bench

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# Benchmarks. `make bench`: HTTP load on `masthead serve` beside the framework floor, with the
# peers' posts (10,000 then 100,000, imported once under var/); needs wrk (Debian's package,
# installed here when missing). `make bench-queries`: list queries on a generated space
# (DOCUMENTS posts).
DOCUMENTS ?= 100000
bench: $(STAMP)
	command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
	[ -x /usr/bin/time ] || apt-get install -y time >/dev/null
	$(BIN)/python bench/http_load.py

bench-queries: $(STAMP)
	$(BIN)/python bench/content_queries.py --documents $(DOCUMENTS)

bench-media: $(STAMP)
	$(BIN)/python bench/media_upload.py

# Document writes while other spaces add and delete types (SQLite, then PostgreSQL at
# MASTHEAD_BENCH_PG_URL or the local default).
bench-fields: $(STAMP)
	$(BIN)/python bench/field_indexes.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
