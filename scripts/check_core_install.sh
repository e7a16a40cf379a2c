#!/usr/bin/env bash
# The core install works on its own: a fresh venv, torch==2.13.0 first (the CPU wheel on this machine;
# letting pip choose a torch pulls a multi-GB CUDA build), then `pip install .` without extras, with
# numpy 2 when the registry has a wheel. Then scripts/check_core_imports.py imports the library, checks
# that no extra's package (mediapipe, fastapi, uvicorn, ray, onnxruntime, onnx) came along and that a
# feature needing one fails with the install hint. `make check-core` runs it; .ci/run calls that.
# pip's cache (~/.cache/pip) is reused, so after the first run this is mostly unpacking wheels.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
PYTHON=${PYTHON:-python3}
VENV=$(realpath -m "${CORE_VENV:-.venv-core}")
start=$(date +%s)

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
"${PIP[@]}" install --quiet torch==2.13.0

# numpy 2 if the registry has a wheel for this Python (mediapipe, which needs numpy<2, is not in the core).
numpy_req=()
if "${PIP[@]}" install --quiet --dry-run --no-deps --only-binary=:all: "numpy>=2" >/dev/null 2>&1; then
  numpy_req=("numpy>=2")
else
  echo "check-core: no numpy 2 wheel available; testing with the numpy pip picks" >&2
fi
"${PIP[@]}" install --quiet . "${numpy_req[@]}"

"$VENV/bin/python" -m pip list --format=freeze 2>/dev/null | grep -iE '^(numpy|torch|mediapipe|pyarrow|lightning)==' || true
# Run from outside the tree so that `import signfuse` is the installed package, not ./src.
(cd / && "$VENV/bin/python" "$REPO/scripts/check_core_imports.py")
(cd / && "$VENV/bin/signfuse" --help >/dev/null)
echo "check-core: ok in $(( $(date +%s) - start )) s"
