# Footnote: `make run` serves the site with demo content, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test lint bench bench-scale check-python clean

help:
	@echo "make run    serve the site with demo content at http://127.0.0.1:$(PORT) (development mode)"
	@echo "make test   run the whole test suite"
	@echo "make lint   ruff over the code"
	@echo "make bench  the article page cached and uncached beside hello-world, and the API's page of 100 beside a hand-written view (gunicorn); how pages and the API scale with notes and claims; imports, exports"
	@echo "make bench-scale  100,000 generated articles on PostgreSQL, served by gunicorn: p50 and p95 per page"

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0) if sys.version_info >= (3, 11) else sys.exit("Footnote needs Python 3.11 or newer; $(PYTHON) is " + sys.version.split()[0] + ". Run again with PYTHON=/path/to/python3.11 (or newer).")' \
		|| { [ -n "$$(command -v $(PYTHON))" ] || echo "$(PYTHON) was not found: set PYTHON=/path/to/python3.11 (or newer)."; exit 1; }

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory check-python
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)

run: $(STAMP)
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py load_demo
	DEBUG=true $(PY) manage.py demo_account --port $(PORT)
	@# The background worker (large spreadsheet imports) runs beside the site and stops with it.
	DEBUG=true $(PY) manage.py db_worker --no-reload & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP)
	$(VENV)/bin/pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(STAMP)
	$(PY) bench/site.py
	$(PY) bench/api.py
	$(PY) bench/pages.py
	$(PY) bench/imports.py
	$(PY) bench/spreadsheets.py
	$(PY) bench/exports.py

bench-scale: $(STAMP)
	$(PY) bench/scale.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
