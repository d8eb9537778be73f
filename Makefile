# The two commands a newcomer needs: `make run` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: run test lint unit bench screenshots dist dist-test wheelhouse clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[test]'
	touch $@ $(VENV)/.installed-run

# LiteLLM's proxy, a third-party OpenAI-compatible server the suite runs a full turn against
# (tests/integration/core/test_litellm_proxy.py). It gets a venv of its own: litellm[proxy] pins
# rich<14, which import-linter (rich>=14.2) cannot share; ~90 s and ~750 MB on first install.
# prisma (the client library only, no database): without it the proxy's error handler itself
# fails on `import prisma` and every refusal becomes a bare-text 500 that says nothing.
LITELLM_VENV ?= .venv-litellm
$(LITELLM_VENV)/.installed:
	$(PYTHON) -m venv $(LITELLM_VENV)
	$(LITELLM_VENV)/bin/python -m pip install -q 'litellm[proxy]==1.108.7' 'prisma==0.15.0'
	touch $@

$(VENV)/.installed-bench: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[test,bench]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(VENV)/bin/ohm-desktop

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check ohm_desktop tests
	$(VENV)/bin/mypy ohm_desktop/core ohm_desktop/store ohm_desktop/artifacts ohm_desktop/sync ohm_desktop/simulation ohm_desktop/design_rules ohm_desktop/errors.py ohm_desktop/redaction.py ohm_desktop/ids.py ohm_desktop/paths.py ohm_desktop/listeners.py ohm_desktop/settings_service.py
	$(VENV)/bin/lint-imports

test: $(VENV)/.installed-test $(LITELLM_VENV)/.installed lint
	$(PY) -m tests.support.run_suite

# The scripted first session in the real window under Xvfb + xdotool; screenshots into docs/screenshots/.
screenshots: $(VENV)/.installed-test
	WALKTHROUGH_SHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) -m tests.support.run_suite tests/e2e/test_walkthrough.py

bench: $(VENV)/.installed-bench
	$(PY) -m tests.benchmarks.run_all --out bench/results.json

$(VENV)/.installed-dist: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[test,dist]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed-run

# Frozen one-folder app + portable tar.gz + .deb in dist/ (packaging/build_dist.py; sizes in dist/sizes.json).
dist: $(VENV)/.installed-dist
	$(PY) packaging/build_dist.py

# Offline install from source: every wheel `pip install --no-index --find-links wheelhouse ohm-desktop` needs.
wheelhouse: $(VENV)/.installed-run
	rm -rf wheelhouse
	$(PIP) wheel -q --wheel-dir wheelhouse . 'setuptools>=68' wheel

# Smoke-tests the installers like a user would (tests/packaging; not part of `make test`).
dist-test: dist wheelhouse
	OHM_DIST_TEST=1 $(PY) -m tests.support.run_suite tests/packaging

clean:
	rm -rf build dist wheelhouse .pytest_cache .mypy_cache .ruff_cache
