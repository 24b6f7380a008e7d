# The README's commands. `make run` practises, `make test` runs every test.
# Both set up .venv on first use (Python >= 3.11 as python3).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck unit data-check bench serve clean setup

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,ai]'
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/pytrix practice

serve: $(STAMP)
	$(BIN)/pytrix serve

lint: $(STAMP)
	$(BIN)/ruff check server tests $(wildcard bench)

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q

data-check: $(STAMP)
	$(BIN)/pytrix data check

test: lint typecheck data-check unit

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
