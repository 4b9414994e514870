# Kopiena: development, demo and test entry points (GNU make).
#
# Prerequisites: Python >= 3.11 (with its venv module), git and GNU make. Everything else is
# installed inside this checkout: uv into .tools/, the project's dependencies (pinned in
# uv.lock) into .venv/, the demo database and collected static files into var/.
#
#   make demo   build everything and serve the demo municipality on http://127.0.0.1:8000
#   make test   ruff, mypy --strict and the whole pytest suite (SQLite, or DATABASE_URL)
#   make help   all targets

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
.NOTPARALLEL:

# Interpreter used only to create .tools/ (uv then picks a Python >= 3.11 for .venv/).
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_STAMP := $(TOOLS)/.uv-$(UV_VERSION)
VENV := .venv
PY := $(VENV)/bin/python

# uv: never download interpreters, install into .venv/ of this checkout, keep its cache here too.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export UV_CACHE_DIR ?= $(CURDIR)/$(TOOLS)/uv-cache
export UV_NO_PROGRESS := 1

# The demo and the test suite run with development settings (no SECRET_KEY needed;
# tests switch to production behaviour per test with pytest-django's `settings` fixture).
DEV_ENV := DEBUG=1

# `make demo` options: e.g. make demo SEED_ARGS="--pupils 500 --seed 7" DEMO_ADDR=127.0.0.1:8080
SEED_ARGS ?=
DEMO_ADDR ?= 127.0.0.1:8000
# `make serve` options (gunicorn also reads GUNICORN_CMD_ARGS from the environment).
BIND ?= 127.0.0.1:8000
WORKERS ?= 3

.PHONY: help venv venv-prod demo test lint types pytest messages worker serve clean

help: ## list the targets
	@echo "Kopiena make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  \1\t\2/' | expand -t 12

# --- environment -----------------------------------------------------------------------------

$(UV_STAMP):
	@echo "==> bootstrapping uv $(UV_VERSION) into $(TOOLS)/"
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@touch $@

venv: $(UV_STAMP) ## create or update .venv/ from uv.lock (all groups, incl. dev)
	$(UV) sync --frozen --all-groups

# worker and serve only need some .venv/; they leave an existing (e.g. production) one alone.
$(PY): | $(UV_STAMP)
	$(UV) sync --frozen --all-groups

venv-prod: $(UV_STAMP) ## production .venv/: runtime dependencies only (removes dev tools)
	$(UV) sync --frozen --no-dev

# --- demo --------------------------------------------------------------------------------------

demo: venv ## migrate, seed the demo municipality, compile, print logins and serve on :8000
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py createcachetable
	$(DEV_ENV) $(PY) manage.py compilemessages_py
	$(DEV_ENV) $(PY) manage.py seed_demo $(SEED_ARGS)
	$(DEV_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(DEV_ENV) $(PY) manage.py demo_logins
	@echo "==> background worker (imports uploaded on the page) and web server; Ctrl+C stops both"
	$(DEV_ENV) $(PY) manage.py db_worker --no-reload --verbosity 0 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(DEV_ENV) $(PY) manage.py runserver $(DEMO_ADDR)

# --- checks ------------------------------------------------------------------------------------

test: lint types pytest ## ruff + mypy --strict + pytest (uses DATABASE_URL when set)

lint: venv ## ruff check
	$(VENV)/bin/ruff check .

types: venv ## mypy --strict (config in pyproject.toml)
	$(DEV_ENV) $(VENV)/bin/mypy .

pytest: venv ## the pytest suite (compiles translations first; browser tests need /usr/bin/chromium)
	$(DEV_ENV) $(PY) manage.py compilemessages_py
	$(DEV_ENV) $(VENV)/bin/pytest -q

# --- translations ------------------------------------------------------------------------------

# English is the source language: its catalogue copies each msgid, so it is complete.
messages: venv ## update the lv/en .po files (needs GNU gettext) and compile them
	$(DEV_ENV) $(PY) manage.py makemessages -l lv -l en --no-obsolete \
		--ignore='var/*' --ignore='tests/*' --ignore='benchmarks/*'
	$(DEV_ENV) $(PY) manage.py fill_source_catalogue --language en
	$(DEV_ENV) $(PY) manage.py compilemessages_py

# --- running -----------------------------------------------------------------------------------

worker: $(PY) ## background task worker (manage.py db_worker); reads settings from the environment
	$(PY) manage.py db_worker

serve: $(PY) ## gunicorn kopiena.wsgi, production-like; reads settings from the environment
	$(VENV)/bin/gunicorn kopiena.wsgi:application --bind $(BIND) --workers $(WORKERS) \
		--access-logfile - --error-logfile -

# --- housekeeping ------------------------------------------------------------------------------

clean: ## remove var/ (demo database!), .venv/, .tools/ and caches
	rm -rf var $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache .hypothesis test-results
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
