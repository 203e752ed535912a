# Regie: `make run` sets everything up and serves the demo; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint messages messages-check lock demo worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements/lock.txt
	$(BIN)/python -m pip install -q --upgrade "pip>=24"
	$(BIN)/python -m pip install -q -r requirements/lock.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements/dev-lock.txt
	$(BIN)/python -m pip install -q -r requirements/dev-lock.txt
	touch $@

## run: create the environment, migrate the embedded SQLite database, load the demo and serve on :8000
run: $(VENV)/.installed
	DEBUG=true $(BIN)/regie demo
	DEBUG=true $(BIN)/regie run 127.0.0.1:8000

## test: the whole test suite (browser tests run when /usr/bin/chromium exists)
test: $(VENV)/.installed-dev
	$(BIN)/pytest -n auto

## lint: style, types, layering, migrations and the production security check
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check regie bench
	$(BIN)/ruff format --check regie bench
	$(BIN)/mypy regie
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=regie.settings_test $(BIN)/python -m django makemigrations --check --dry-run
	DEBUG=false SECRET_KEY=check-deploy-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz ALLOWED_HOSTS=regie.example.org \
		DJANGO_SETTINGS_MODULE=regie.settings $(BIN)/python -m django check --deploy --fail-level WARNING

## messages: refresh the translation catalogues from the source and compile them (needs GNU gettext)
messages: $(VENV)/.installed-dev
	cd regie && ../$(BIN)/python -m django makemessages --settings=regie.settings_test -l nl -l sv --no-obsolete --no-location --ignore "*/static/vendor/*" --ignore "static/vendor/*"
	cd regie && ../$(BIN)/python -m django makemessages --settings=regie.settings_test -d djangojs -l nl -l sv --no-obsolete --no-location --ignore "*/static/vendor/*" --ignore "static/vendor/*"
	cd regie && ../$(BIN)/python -m django compilemessages --settings=regie.settings_test

## messages-check: fail when a catalogue misses a translation or is out of date with the source
messages-check: $(VENV)/.installed-dev
	$(BIN)/python -m regie.core.i18n_check
	$(MAKE) messages
	$(BIN)/python -m regie.core.i18n_check || (echo "New strings in the source: run make messages and translate them." && exit 1)

## lock: re-resolve the pinned dependency lock files from pyproject.toml
lock: $(VENV)/.installed-dev
	$(BIN)/python -m pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 -q -o requirements/lock.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 -q -o requirements/dev-lock.txt

demo: $(VENV)/.installed
	$(BIN)/regie demo

worker: $(VENV)/.installed
	$(BIN)/regie worker

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
