# The two commands: `make demo` (the main job on the embedded sample drops) and
# `make test` (the whole suite). Both create .venv with only Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PLUGINS := $(sort $(wildcard vqa_plugins/*/pyproject.toml))
EDITABLES := $(foreach p,$(PLUGINS),-e $(dir $(p)))
DEMO_DIR ?= demo-output

.PHONY: demo test lint typecheck unit dist clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-demo: $(PY) pyproject.toml $(PLUGINS)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[train,predict,plots,hf]" $(EDITABLES)
	touch $@

$(VENV)/.installed-test: $(PY) pyproject.toml $(PLUGINS)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test,train,predict,plots]" $(EDITABLES)
	touch $@ $(VENV)/.installed-demo

demo: $(VENV)/.installed-demo
	$(VENV)/bin/vqa demo --out $(DEMO_DIR)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(VENV)/bin/mypy

unit: $(VENV)/.installed-test
	$(VENV)/bin/pytest

test: lint typecheck unit

# A wheel and an sdist for vqa-core and for every plugin, into dist/.
dist: $(VENV)/.installed-test
	rm -rf dist
	$(PY) -m build --outdir dist .
	for plugin in $(dir $(PLUGINS)); do $(PY) -m build --outdir dist $$plugin || exit 1; done

clean:
	rm -rf $(VENV) dist build $(DEMO_DIR)
