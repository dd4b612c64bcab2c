# Two commands set everything up on a fresh machine with Python 3.11+ and make:
#   make run    installs the bot into .venv and starts it (embedded SQLite, no cloud account)
#   make test   installs what the tests need into .venv and runs lint, type checks and the suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
ARGS   ?=

.PHONY: run test test-stock lint typecheck bench lock dist clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml bot/__init__.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml bot/__init__.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/ehcp-bot serve $(ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest $(ARGS)

# the whole suite again on the stock Bot Framework SDK, without the framework fixes (CI runs both)
test-stock: $(VENV)/.installed-test
	EHCP_FRAMEWORK_FIXES=off $(BIN)/python -m pytest $(ARGS)

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks $(ARGS)

# The deployment lock, deploy/requirements.txt: every dependency of [project] and of its postgres
# extra pinned, with hashes, for any platform and Python 3.11 or newer (uv's universal resolution). Run it after changing the
# dependencies in pyproject.toml (make test fails while the lock no longer satisfies them), and
# with ARGS=--upgrade for the newest versions that fit (uv keeps the pins it has otherwise).
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet "uv>=0.9,<1"
	$(BIN)/uv pip compile pyproject.toml --extra postgres --universal --python-version 3.11 \
		--generate-hashes --custom-compile-command "make lock" --output-file deploy/requirements.txt $(ARGS)

# The release: the wheel and the lock file it is installed with, in dist/ (README, "Deploying it").
dist: | $(BIN)/python
	rm -rf build dist
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .
	cp deploy/requirements.txt dist/
	rm -rf build

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
