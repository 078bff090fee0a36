# The two commands of the README contract: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install setup messages lint format e2e totp worker beat bench clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found); set PYTHON=..."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

setup: install
	$(MANAGE) compile_translations
	$(MANAGE) migrate --noinput
	$(MANAGE) load_reference_data
	$(MANAGE) load_demo_data

run: setup
	@echo "Serving the portal at http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	$(MANAGE) runserver $(HOST):$(PORT)

test: install
	$(MANAGE) compile_translations
	$(MANAGE) check_messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

e2e: install
	$(MANAGE) compile_translations
	E2E_REQUIRED=1 $(VENV)/bin/pytest tests/e2e $(PYTEST_ARGS)

# Re-extract translatable strings (needs GNU gettext) for the site and for every part, with
# the options that `make test` checks (portal/management/commands/check_messages.py).
messages: install
	$(MANAGE) check_messages --write
	$(MANAGE) compile_translations

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

totp: install
	@$(MANAGE) totp_code $(EMAIL)

worker: install
	$(VENV)/bin/celery -A portal worker -l info

beat: install
	$(VENV)/bin/celery -A portal beat -l info

bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles private_media sent_emails .pytest_cache .ruff_cache
