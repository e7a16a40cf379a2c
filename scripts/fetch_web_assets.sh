#!/usr/bin/env bash
# Fetch the pinned MediaPipe Holistic web package (WASM + model files) into the live page's static
# vendor folder, so that `signfuse live` serves every asset itself and works with no internet.
# Run at install/build time (`make webassets`); the files are not committed (see .gitignore).
# Needs npm (the npm registry, or a local npm cache/mirror). Idempotent: does nothing when the
# pinned version is already in place.
set -euo pipefail

HOLISTIC_VERSION="0.5.1675471629"
HOLISTIC_INTEGRITY="sha512-qY+cxtDeSOvVtevrLgnodiwXYaAtPi7dHZtNv/bUCGEjFicAOYtMmrZSqMmbPkTB2+4jLnPF1vgshkAqQRSYAw=="

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$here/src/signfuse/live/static/vendor/holistic}"
stamp="$dest/.version"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$HOLISTIC_VERSION" ]]; then
    echo "webassets: @mediapipe/holistic@$HOLISTIC_VERSION already in $dest"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "webassets: npm not found; the live page's in-browser landmarks need @mediapipe/holistic@$HOLISTIC_VERSION" >&2
    echo "webassets: install npm (apt-get install npm) and run 'make webassets', or use 'signfuse live --server-landmarks'" >&2
    exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@mediapipe/holistic@$HOLISTIC_VERSION" >/dev/null)
tgz="$tmp/mediapipe-holistic-$HOLISTIC_VERSION.tgz"
# check the tarball against the registry's pinned integrity (sha512, base64)
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [[ "$got" != "$HOLISTIC_INTEGRITY" ]]; then
    echo "webassets: integrity mismatch for @mediapipe/holistic@$HOLISTIC_VERSION: $got" >&2
    exit 1
fi
tar -xzf "$tgz" -C "$tmp"
rm -rf "$dest"
mkdir -p "$dest"
cp "$tmp"/package/{holistic.js,holistic.binarypb,holistic_solution_packed_assets.data,holistic_solution_packed_assets_loader.js,holistic_solution_simd_wasm_bin.js,holistic_solution_simd_wasm_bin.wasm,holistic_solution_simd_wasm_bin.data,holistic_solution_wasm_bin.js,holistic_solution_wasm_bin.wasm,pose_landmark_full.tflite,package.json,README.md} "$dest"/
chmod -R u+rw,go+r "$dest"
echo "$HOLISTIC_VERSION" > "$stamp"
echo "webassets: @mediapipe/holistic@$HOLISTIC_VERSION -> $dest"
