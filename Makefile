# `make demo` and `make test` are the two commands a user needs. Each creates .venv when missing and
# installs what it needs. `make lint` checks style and types; `make check-core` proves the core install.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.signfuse-installed
DEMO_OUT ?= signfuse-demo

# Files kept formatted by `ruff format` (checked by `make lint`): the whole tree.
FORMATTED := src tests benchmarks scripts
# Files mypy checks (strictness in pyproject.toml [tool.mypy]).
MYPY_FILES := src/signfuse/errors.py src/signfuse/topology.py src/signfuse/sequence.py src/signfuse/streams.py \
              src/signfuse/_layers.py src/signfuse/validators.py src/signfuse/quality.py src/signfuse/io \
              src/signfuse/ctc.py src/signfuse/samples src/signfuse/models src/signfuse/inference

.PHONY: demo test test-fast install sysdeps webassets lint format check-core bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch first: 2.13.0 is a CPU wheel already on the machine; anything that lets pip choose a torch
# would pull a multi-GB CUDA build. Every extra (vision, annotate, export, ray) and the test tools.
$(STAMP): pyproject.toml | $(BIN)/python webassets
	$(BIN)/python -m pip install torch==2.13.0
	$(BIN)/python -m pip install -e '.[all,test]'
	touch $(STAMP)

install: $(STAMP)

# The pinned @mediapipe/holistic web package (WASM + models) for the live page, from the npm registry
# into src/signfuse/live/static/vendor/ (not committed; does nothing when already there; without npm it
# warns and only --server-landmarks works).
webassets:
	-@bash scripts/fetch_web_assets.sh

# System packages used by some tests (browser, speech synthesis). Installed when we can (root + apt);
# otherwise the tests that need them skip and say why. Tests themselves never install anything.
sysdeps:
	@bash scripts/sysdeps.sh

demo: $(STAMP)
	$(BIN)/signfuse demo --out $(DEMO_OUT)

# Everything is installed here, so an extra that cannot be imported fails the run (tests/conftest.py).
test: $(STAMP) sysdeps
	SIGNFUSE_REQUIRE_EXTRAS=1 $(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not browser"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check $(FORMATTED)
	$(BIN)/mypy $(MYPY_FILES)

format: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks scripts
	$(BIN)/ruff format $(FORMATTED)

# A fresh venv with torch and the package without extras: imports signfuse, io, models and train with
# no mediapipe, fastapi, ray or onnxruntime, beside numpy 2.
check-core:
	bash scripts/check_core_install.sh

# Every benchmark script in turn (several minutes; results go to benchmarks/results/*.md)
bench: $(STAMP)
	@set -e; for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f; done
	$(BIN)/python benchmarks/assemble.py

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .mypy_cache .ruff_cache
