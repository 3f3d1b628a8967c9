# The two commands: `make run` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test lint typecheck format install clean bench bench-media bench-fields

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

# Benchmarks: media uploads and renditions, then list queries on a generated space
# (DOCUMENTS posts, generated once under var/).
DOCUMENTS ?= 100000
bench: bench-media
	$(BIN)/python bench/content_queries.py --documents $(DOCUMENTS)

bench-media: $(STAMP)
	$(BIN)/python bench/media_upload.py

# Document writes while other spaces add and delete types (SQLite, then PostgreSQL at
# MASTHEAD_BENCH_PG_URL or the local default).
bench-fields: $(STAMP)
	$(BIN)/python bench/field_indexes.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
