# One command per gate; CI calls the same targets people do.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: install services-install test unit lint demo bench bench-enrich clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), f"Python 3.11 or later needed, found {sys.version}"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Redis (Debian package), the Elasticsearch distribution (Maven) and the compose validator.
services-install: $(STAMP)
	$(BIN)/python -m newsdesk.localstack.services install --with-compose

test: services-install lint
	$(BIN)/python -m pytest -v -p no:cacheprovider

unit: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/unit

# Style, then the one-way dependency contracts in pyproject.toml ([tool.importlinter]).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

demo: $(STAMP)
	$(BIN)/python -m newsdesk.localstack.services install
	$(BIN)/newsdesk demo

# The bench extras once per pyproject.toml, not at every run: the editable rebuild took ~25 s of each.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: services-install $(BENCH_STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# Enrichment quality and cost on hand-labelled articles; needs no service.
bench-enrich: $(STAMP)
	$(BIN)/python -m benchmarks.enrich

clean:
	rm -rf $(VENV) *.egg-info
