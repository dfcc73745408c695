# Two commands do all set-up: `make demo` and `make test` (README). Only python3 and make are needed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test clean compiled-schema

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/icp-rules check examples/guangdong-enterprise-many-domains.yaml

test: $(STAMP)
	$(PY) -m pytest -q

# After editing schemas/application.schema.json: the schema as Python code (engine/compiled_application_schema.py).
compiled-schema: $(STAMP)
	$(PY) -c 'from engine.application import write_compiled_schema; write_compiled_schema()'

clean:
	rm -rf $(VENV) build dist *.egg-info
