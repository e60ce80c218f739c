# OncoKG: `make demo` runs the whole job end to end; `make test` runs the tests.
# Both set everything up themselves: virtual environment, package, Neo4j jars, server.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

# Offline copy of the public sources, when present beside the checkout (tests, CI).
SHARED_DATA := $(abspath ../shared/data)
ONCOKG_DATA_DIR ?= $(if $(wildcard $(SHARED_DATA)/README.md),$(SHARED_DATA),)
export ONCOKG_DATA_DIR

# The test suite runs its own server (own ports, own data) so it never touches the demo graph.
TEST_ENV := env -u NEO4J_URI ONCOKG_HOME=$(CURDIR)/.oncokg-test ONCOKG_BOLT_PORT=17687 \
            ONCOKG_HTTP_PORT=17474 ONCOKG_NEO4J_HEAP=1g ONCOKG_NEO4J_PAGECACHE=512m

.PHONY: install demo test test-fast bench bench-gnn bench-gnn-targets lint wheel-check neo4j-start neo4j-stop clean

install: $(STAMP)

# uv (from PyPI, like everything else) installs the dependencies: about 25 s with nothing
# cached and 6 s from its cache, where pip took about 100 s for torch and its CUDA libraries.
# UV_NATIVE_TLS: trust the system's certificates, as pip does.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet 'uv>=0.13,<0.14'
	UV_NATIVE_TLS=1 $(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	@touch $@

neo4j-start: install
	$(BIN)/oncokg neo4j start

neo4j-stop:
	-$(BIN)/oncokg neo4j stop

demo: neo4j-start
	$(BIN)/oncokg demo

test: install
	$(TEST_ENV) $(BIN)/oncokg neo4j start
	$(TEST_ENV) $(BIN)/python -m pytest -q -p no:cacheprovider; \
	  status=$$?; $(TEST_ENV) $(BIN)/oncokg neo4j stop; exit $$status

# The quick tests: no Neo4j (no server is started), no repeated full loads; about a minute.
test-fast: install
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not neo4j and not slow"

bench: install
	$(TEST_ENV) $(BIN)/oncokg neo4j start
	$(TEST_ENV) ONCOKG_TESTS_MAY_WIPE=1 $(BIN)/python -m bench.run; \
	  status=$$?; $(TEST_ENV) $(BIN)/oncokg neo4j stop; exit $$status

# The response benchmark: both screens (GDSC1 v17, GDSC2 release 8) with the cell lines' omics
# profiles, every split × 3 seeds, cross-study; the README's response tables.
bench-gnn: install
	$(BIN)/python -m bench.bench_gnn --quiet --tasks drug-response \
	  --add-sources gdsc2 gdsc_expression --datasets "GDSC1 v17" "GDSC2 r8" --jobs 2

# The drug → target benchmark (every split × 3 seeds).
bench-gnn-targets: install
	$(BIN)/python -m bench.bench_gnn --quiet --tasks drug-target

# Style, and the layers of DESIGN.md (import-linter contracts in pyproject.toml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Build the wheel and use it from a fresh virtual environment (packaging regressions).
wheel-check: install
	bash .ci/check-wheel

clean: neo4j-stop
	rm -rf $(VENV) .oncokg-test
