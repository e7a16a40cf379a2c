"""The pinned MediaPipe web package: one version in the fetch script and the server, and (when fetched)
every file the page's Holistic graph asks for is in the vendor folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fetch_web_assets.sh"


def test_one_pinned_version():
    from signfuse.live.server import HOLISTIC_VERSION

    text = SCRIPT.read_text()
    assert re.search(r'^HOLISTIC_VERSION="([^"]+)"$', text, re.M).group(1) == HOLISTIC_VERSION
    assert re.search(r'^HOLISTIC_INTEGRITY="sha512-[A-Za-z0-9+/=]{88}"$', text, re.M)


def test_vendor_folder_has_what_holistic_js_loads():
    from signfuse.live.server import VENDOR_DIR, wasm_assets_present

    if not wasm_assets_present():
        pytest.skip(f"the pinned @mediapipe/holistic files are not in {VENDOR_DIR} (run `make webassets`)")
    js = (VENDOR_DIR / "holistic.js").read_text()
    wanted = set(re.findall(r'"([\w.]+\.(?:js|binarypb|data|wasm|tflite))"', js))
    wanted |= {"holistic_solution_simd_wasm_bin.wasm", "holistic_solution_wasm_bin.wasm",
               "holistic_solution_packed_assets.data", "pose_landmark_full.tflite"}
    wanted -= {"pose_landmark_lite.tflite", "pose_landmark_heavy.tflite"}   # model_complexity 1 only
    missing = sorted(f for f in wanted if not (VENDOR_DIR / f).is_file())
    assert not missing, missing
