# Kōrero: every set-up step the README promises, from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
WEB_CONCURRENCY ?= 2
export KORERO_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: run test test-unit test-e2e bench lint install install-dev clean

# Installs are stamped with a hash of pyproject.toml, so a second run reuses what is there.
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cksum pyproject.toml | cut -d' ' -f1)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

install: $(STAMP)
install-dev: $(DEV_STAMP)

# gunicorn.conf.py writes invitation and password-reset tokens to the access log as [redacted].
# app/serve.py runs the job worker beside gunicorn: Ctrl-C or SIGTERM stops both, and if
# either exits the other is stopped.
run: $(STAMP)
	$(BIN)/flask --app app db-upgrade
	@if [ "$$KORERO_ENV" != "production" ]; then $(BIN)/flask --app app seed-demo --if-empty; fi
	$(BIN)/python -m app.serve \
		$(BIN)/gunicorn -c gunicorn.conf.py --workers $(WEB_CONCURRENCY) --bind 127.0.0.1:$(PORT) \
		--access-logfile - 'app:create_app()'

# The whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set, then
# the browser tests (Chromium; KORERO_REQUIRE_BROWSER=1 turns "no browser" into a failure).
test: $(DEV_STAMP)
	TEST_DATABASE_URL= $(BIN)/pytest -q -p no:cacheprovider --ignore=tests/e2e
	@if [ -n "$(TEST_DATABASE_URL)" ]; then \
		echo "== The same suite on PostgreSQL"; \
		TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest -q -p no:cacheprovider --ignore=tests/e2e; \
	fi
	$(MAKE) --no-print-directory test-e2e

test-e2e: $(DEV_STAMP)
	TEST_DATABASE_URL= $(BIN)/pytest -q -p no:cacheprovider tests/e2e

bench: $(DEV_STAMP)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.signins

# ruff, then the import-linter contracts in pyproject.toml (layers, forbidden imports, no cycles).
lint: $(DEV_STAMP)
	$(BIN)/ruff check app forums workshops submissions tests bench
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build *.egg-info
