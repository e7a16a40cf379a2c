# Two commands: `make demo` and `make test`. Each creates .venv when missing and installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.signfuse-installed
DEMO_OUT ?= signfuse-demo

.PHONY: demo test test-fast install sysdeps webassets bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch first: 2.13.0 is a CPU wheel already on the machine; anything that lets pip choose a torch
# would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python webassets
	$(BIN)/python -m pip install torch==2.13.0
	$(BIN)/python -m pip install -e '.[test,ray]'
	touch $(STAMP)

install: $(STAMP)

# The pinned @mediapipe/holistic web package (WASM + models) for the live page, from the npm registry
# into src/signfuse/live/static/vendor/ (not committed; does nothing when already there; without npm it warns and only --server-landmarks works).
webassets:
	-@bash scripts/fetch_web_assets.sh

# System packages used by some tests (browser, speech synthesis). Installed when we can (root + apt);
# otherwise the tests that need them skip and say why.
sysdeps:
	@bash scripts/sysdeps.sh

demo: $(STAMP)
	$(BIN)/signfuse demo --out $(DEMO_OUT)

test: $(STAMP) sysdeps
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not browser"

# Every benchmark script in turn (several minutes; results go to benchmarks/results/*.md)
bench: $(STAMP)
	@set -e; for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f; done
	$(BIN)/python benchmarks/assemble.py

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache
