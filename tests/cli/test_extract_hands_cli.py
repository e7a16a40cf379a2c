"""``signfuse extract --model hands|auto`` on a real close-up of a hand: the manifest and the file say which model ran."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from signfuse import io
from signfuse.cli import cli


@pytest.fixture
def thumbs(shared_data, tmp_path):
    src = shared_data / "real" / "hands" / "thumbs_up.png"
    if not src.is_file():
        pytest.skip(f"{src} not found")
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(src, d / "thumbs_up.png")
    return d


@pytest.mark.parametrize("model", ["auto", "hands"])
def test_extract_records_the_model_in_manifest_and_file(thumbs, tmp_path, model):
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["extract", str(thumbs), "--out", str(out), "--model", model, "--format", "parquet"])
    assert r.exit_code == 0, r.output
    rec = json.loads((out / "manifest.jsonl").read_text().splitlines()[0])
    assert rec["model"] == "hands" and rec["settings"]["model"] == model
    assert rec["detection"] == {"pose": None, "face": None, "left_hand": 0.0, "right_hand": 1.0, "hands": 1.0,
                                "both_hands": 0.0, "frames": 1}
    info = io.describe(out / "thumbs_up.parquet")
    assert info["model"] == "hands" and info["missing"]["RIGHT_HAND"] == 0.0 and info["missing"]["POSE"] == 1.0


def test_holistic_alone_warns_nobody(thumbs, tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["extract", str(thumbs), "--out", str(out), "--model", "holistic"])
    assert r.exit_code == 0, r.output
    assert "nobody visible" in r.output
    rec = json.loads((out / "manifest.jsonl").read_text().splitlines()[0])
    assert rec["model"] == "holistic" and rec["detection"]["pose"] == 0.0
    seq = io.read(out / "thumbs_up.pose")
    assert seq.component_names == ("POSE", "FACE", "LEFT_HAND", "RIGHT_HAND", "POSE_WORLD")
