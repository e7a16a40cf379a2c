"""Fuzzing every reader: random bytes and mutated real files may only raise SignfuseError."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signfuse import io
from signfuse.datasets import open_index, read_asl_signs, read_how2sign, read_phoenix, read_phoenix_t, read_wlasl
from signfuse.errors import SignfuseError

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)
_TMP = Path(tempfile.mkdtemp(prefix="signfuse-fuzz-"))


def _try(reader, data: bytes, suffix: str) -> None:
    p = _TMP / f"f{suffix}"
    p.write_bytes(data)
    try:
        reader(p)
    except SignfuseError:
        pass


def _mutate(raw: bytes, edits, cut) -> bytes:
    b = bytearray(raw)
    for pos, val in edits:
        b[pos % len(b)] = val
    if cut is not None:
        b = b[: cut % (len(b) + 1)]
    return bytes(b)


EDITS = st.lists(st.tuples(st.integers(0, 2**31), st.integers(0, 255)), max_size=8)
CUT = st.none() | st.integers(0, 2**31)
READERS = {
    ".pose": io.read_pose,
    ".parquet": lambda p: io.read_kaggle_parquet(p, fps=30),
    ".npz": io.read_npz,
}


@pytest.fixture(scope="module")
def real_files(tmp_path_factory):
    rng = np.random.default_rng(0)
    from signfuse.sequence import Component, LandmarkSequence
    from signfuse.topology import FACE_POINTS_468, HAND_POINTS, POSE_POINTS

    comps = (
        Component("POSE", POSE_POINTS),
        Component("FACE", FACE_POINTS_468),
        Component("LEFT_HAND", HAND_POINTS),
        Component("RIGHT_HAND", HAND_POINTS),
    )
    seq = LandmarkSequence(comps, rng.random((3, 1, 543, 3)), np.ones((3, 1, 543)), 30.0)
    d = tmp_path_factory.mktemp("real")
    out = {".parquet": io.write(seq, d / "a.parquet").read_bytes(), ".npz": io.write(seq, d / "a.npz").read_bytes()}
    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "pose"
    poses = sorted(shared.glob("*.pose"))
    out[".pose"] = poses[0].read_bytes() if poses else io.write(seq, d / "a.pose").read_bytes()
    out[".pose-v0"] = (shared / "openpose.pose").read_bytes() if (shared / "openpose.pose").exists() else out[".pose"]
    out[".pose-v1"] = (shared / "mediapipe.pose").read_bytes() if (shared / "mediapipe.pose").exists() else out[".pose"]
    return out


@pytest.mark.timeout(120)
@pytest.mark.parametrize("suffix", sorted(READERS))
@SETTINGS
@given(data=st.binary(max_size=2048))
def test_random_bytes(suffix, data):
    _try(READERS[suffix], data, suffix)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", [".pose", ".pose-v0", ".pose-v1", ".parquet", ".npz"])
@SETTINGS
@given(edits=EDITS, cut=CUT)
def test_mutated_real_files(real_files, kind, edits, cut):
    suffix = kind.split("-")[0]
    _try(READERS[suffix], _mutate(real_files[kind], edits, cut), suffix)


@pytest.mark.timeout(120)
@SETTINGS
@given(data=st.binary(max_size=1024))
def test_stream_reader_random_bytes(data):
    _try(io.read_stream, data, ".parquet")


INDEX_READERS = {
    "wlasl": (read_wlasl, ".json"),
    "phoenix": (read_phoenix, ".corpus"),
    "phoenix_t": (read_phoenix_t, ".csv"),
    "how2sign": (read_how2sign, ".csv"),
    "asl_signs": (read_asl_signs, ".csv"),
    "open": (open_index, ".csv"),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(INDEX_READERS))
@SETTINGS
@given(data=st.binary(max_size=1024) | st.text(max_size=400).map(lambda s: s.encode()))
def test_index_readers_random_input(name, data):
    reader, suffix = INDEX_READERS[name]
    _try(reader, data, suffix)


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "name", ["asl100.json", "PHOENIX-2014-T.dev.corpus.csv", "RWTH-PHOENIX-Weather-Signer03-cutout.test.corpus"]
)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
@given(edits=EDITS, cut=CUT)
def test_index_readers_mutated(shared_data, name, edits, cut):
    raw = (shared_data / "datasets" / name).read_bytes()[:20000]
    _try(open_index, _mutate(raw, edits, cut), Path(name).suffix)
