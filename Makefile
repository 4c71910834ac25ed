# Two commands: `make run` (set up, demo data, serve) and `make test` (set up, lint, checks, the whole suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
JICAI := $(BIN)/jicai
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test setup lint migrate demo serve clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Browser libraries (ECharts) from package-lock.json, served by Django as static files; no CDN at run time.
$(NODE_STAMP): package.json package-lock.json
	npm ci --omit=dev --no-audit --no-fund
	touch $(NODE_STAMP)

setup: $(STAMP) $(NODE_STAMP)

migrate: setup
	mkdir -p var/static
	$(JICAI) migrate --noinput

demo: migrate
	$(JICAI) demo --if-empty

run: demo
	$(JICAI) demo --logins
	$(JICAI) runserver 127.0.0.1:8000

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The suite runs in one worker process per CPU (at most 4: each holds a test database, PostgreSQL connections and
# possibly a Chromium), a whole test file per worker so that a module's fixtures are built once.
TEST_WORKERS ?= auto

test: lint
	mkdir -p var/static
	$(JICAI) check --fail-level WARNING
	$(JICAI) makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile

# Issue 9's benchmarks at city scale on SQLite and PostgreSQL (DuckDB for the progress floor comes with the bench
# extra). Writes docs/performance.md; BENCH_ARGS="--output FILE" writes elsewhere.
BENCH_ARGS ?=

bench: setup
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python bench/run.py --scale city $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var node_modules
