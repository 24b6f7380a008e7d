# The README's commands. `make run` practises, `make test` runs every test.
# Both set up .venv on first use (Python >= 3.11 as python3).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck unit data-check bench serve clean setup extension-deps vsix fuzz mutation

# The VS Code extension (vscode-extension/): npm dependencies from package-lock.json.
EXT := vscode-extension
EXT_STAMP := $(EXT)/node_modules/.package-lock.json

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# The distribution was called `pytrix` before 0.2; drop that old editable install.
	@$(BIN)/python -m pip uninstall --quiet --yes pytrix >/dev/null 2>&1 || true
	$(BIN)/python -m pip install --quiet -e '.[dev,ai]'
	@touch $(STAMP)

setup: $(STAMP)

$(EXT_STAMP): $(EXT)/package.json $(EXT)/package-lock.json
	cd $(EXT) && npm ci --no-audit --no-fund
	@touch $(EXT_STAMP)

extension-deps: $(EXT_STAMP)

# The platform .vsix: the server and its libraries (bundled/libs), the esbuild
# bundles and Pyodide's runtime files; prints its size. VSIX_TARGET picks the
# platform (linux-x64, linux-arm64, darwin-arm64, darwin-x64, win32-x64).
VSIX_TARGET ?= linux-x64
vsix: $(STAMP) $(EXT_STAMP)
	cd $(EXT) && PYTHON=$(abspath $(BIN)/python) node scripts/package.mjs --target $(VSIX_TARGET)

run: $(STAMP)
	$(BIN)/pytrix practice

serve: $(STAMP)
	$(BIN)/pytrix serve

lint: $(STAMP)
	$(BIN)/ruff check server tests $(wildcard bench)

typecheck: $(STAMP)
	$(BIN)/mypy

# tests/extension runs the extension's vitest, Chromium and code-server tests. The tests run on
# every core (pytest-xdist), each test file whole on one worker (tests/conftest.py says why);
# PYTEST_WORKERS=0 runs them in one process. Then the few marked `alone` (they assert on CPU
# budgets) run by themselves. The 15 slowest are printed every time. Exit 5: none selected.
PYTEST_WORKERS ?= auto
unit: $(STAMP) $(EXT_STAMP)
	@$(BIN)/python -m pytest -q --durations=15 -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder \
		-m "not alone" $(PYTEST_ARGS); parallel=$$?; \
	$(BIN)/python -m pytest -q --durations=5 -m alone $(PYTEST_ARGS); alone=$$?; \
	for code in $$parallel $$alone; do [ $$code -eq 0 ] || [ $$code -eq 5 ] || exit $$code; done

data-check: $(STAMP)
	$(BIN)/pytrix data check

test: lint typecheck data-check unit

# The hypothesis fuzzers (LSP params, import files) and grade() properties with a long
# example budget; `make test` runs the same tests with a short, fixed one.
FUZZ_EXAMPLES ?= 2000
fuzz: $(STAMP)
	PYTRIX_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q --timeout 3600 \
		tests/e2e/test_protocol_guard.py tests/unit/test_import_hardening.py \
		tests/unit/test_grading_properties.py -k "random or round_trips or anything or never_raises"

# mutmut over the core modules, one at a time, each against only its own unit tests; prints
# the killed share per module (docs/TESTING.md). MODULES picks some: make mutation MODULES="grading auto";
# MUTATE_SINCE=<git ref> keeps those whose source or tests changed since it (what CI does).
# Not part of `make test`: about 10 minutes on 2 cores.
MODULES ?=
MUTATE_SINCE ?=
mutation: $(STAMP)
	$(BIN)/python tests/mutation/mutate.py $(if $(MUTATE_SINCE),--changed-since $(MUTATE_SINCE)) $(MODULES)

# Every bench under bench/ (figures.py and figures.mjs are the printers they share): each prints
# its figures with goal and meets/misses and records them in $BENCH_REPORT (a temporary file);
# bench/summary.py ends with one table of them all. A bench that fails is recorded, the others
# still run, and the summary names it and exits 1; a missed goal is printed, not a failure.
BENCH_SHARED := bench/figures.py bench/figures.mjs bench/summary.py
bench: $(STAMP) $(EXT_STAMP)
	@report=$$(mktemp "$${TMPDIR:-/tmp}/pytrix-bench.XXXXXX"); export BENCH_REPORT=$$report; \
	for script in $(filter-out $(BENCH_SHARED),$(wildcard bench/*.py)); do \
		echo "== $$script"; $(BIN)/python $$script || echo "{\"bench\": \"$$script\", \"failed\": $$?}" >>$$report; \
	done; \
	echo "== the extension's bundles (npm run build)"; \
	(cd $(EXT) && npm run -s build) || echo '{"bench": "npm run build", "failed": 1}' >>$$report; \
	for script in $(filter-out $(BENCH_SHARED),$(wildcard bench/*.mjs)); do \
		echo "== $$script"; PYTHON=$(abspath $(BIN)/python) node $$script || echo "{\"bench\": \"$$script\", \"failed\": $$?}" >>$$report; \
	done; \
	$(BIN)/python bench/summary.py $$report; status=$$?; rm -f $$report; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
