# The two commands a newcomer needs: `make run` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: run test lint unit bench dist dist-test wheelhouse clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[test]'
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-bench: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[test,bench]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(VENV)/bin/ohm-desktop

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check ohm_desktop tests
	$(VENV)/bin/mypy ohm_desktop/core ohm_desktop/store ohm_desktop/artifacts ohm_desktop/sync
	$(VENV)/bin/lint-imports

test: $(VENV)/.installed-test lint
	$(PY) -m tests.support.run_suite

bench: $(VENV)/.installed-bench
	$(PY) -m tests.benchmarks.run_all --out bench/results.json

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache
