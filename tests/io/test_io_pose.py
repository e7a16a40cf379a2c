from __future__ import annotations

import json

import numpy as np
import pytest

from signfuse import io
from signfuse.errors import DataError, FormatError

EXPECTED = {  # file -> (version, frames, fps, dims, [(component, points)])
    "6fb01565da31c5500d1ef2cd2906b06b.pose": ("0.2", 5, 25.0, 3,
                                              [("POSE", 33), ("FACE", 478), ("LEFT_HAND", 21), ("RIGHT_HAND", 21),
                                               ("POSE_WORLD", 33)]),
    "mediapipe.pose": ("0.1", 170, 24.0, 3, [("POSE", 8), ("FACE", 128), ("LEFT_HAND", 21), ("RIGHT_HAND", 21)]),
    "mediapipe_hand_normalized.pose": ("0.1", 170, 24.0, 3, [("RIGHT_HAND", 21)]),
    "openpose.pose": ("0.0", 93, 24.0, 2, [("POSE", 25), ("FACE", 70), ("LEFT_HAND", 21), ("RIGHT_HAND", 21)]),
    "example.pose": ("0.1", 66, 24.0, 2, [("POSE", 25), ("FACE", 70), ("LEFT_HAND", 21), ("RIGHT_HAND", 21)]),
    "segmentation_example.pose": ("0.2", 130, 30.0, 3, [("POSE", 33), ("FACE", 468), ("LEFT_HAND", 21),
                                                       ("RIGHT_HAND", 21), ("POSE_WORLD", 33)]),
    "autsl_signer0_sample1000.pose": ("0.1", 43, 30.0, 4, [("POSE", 33), ("FACE", 468), ("LEFT_HAND", 21),
                                                           ("RIGHT_HAND", 21)]),
    "phoenix2014t_25October_2010_Monday_tagesschau-17.pose": ("0.1", 86, 25.0, 3,
                                                             [("POSE", 33), ("FACE", 468), ("LEFT_HAND", 21),
                                                              ("RIGHT_HAND", 21)]),
}


def test_every_shared_pose_file_is_covered(shared_data):
    assert {p.name for p in (shared_data / "pose").glob("*.pose")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_pose_files_load(shared_data, name):
    version, frames, fps, dims, comps = EXPECTED[name]
    d = io.describe(shared_data / "pose" / name)
    assert d["format"] == "pose" and d["version"] == version
    assert d["frames"] == frames and d["fps"] == fps and d["dims"] == dims and d["people"] == 1
    assert [(c["name"], c["points"]) for c in d["components"]] == comps
    assert set(d["missing"]) == {c for c, _ in comps}
    json.dumps(d)


def test_real_pose_matches_pose_format(shared_data):
    from pose_format import Pose
    path = shared_data / "pose" / "segmentation_example.pose"
    ref = Pose.read(path.read_bytes())
    seq = io.read(path)
    np.testing.assert_array_equal(seq.data, np.asarray(ref.body.data.data))
    np.testing.assert_array_equal(seq.confidence, np.asarray(ref.body.confidence))
    assert (seq.width, seq.height) == (ref.header.dimensions.width, ref.header.dimensions.height)


def test_openpose_names_are_canonical(shared_data):
    seq = io.read(shared_data / "pose" / "openpose.pose")
    assert seq.component("POSE").points[:3] == ("NOSE", "NECK", "RIGHT_SHOULDER")
    assert seq.component("LEFT_HAND").points[0] == "WRIST"
    assert seq.point("POSE", "LEFT_WRIST").shape == (93, 1, 2)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_pose_round_trip(shared_data, tmp_path, name):
    seq = io.read(shared_data / "pose" / name)
    out = io.write(seq, tmp_path / "x.pose")
    back = io.read(out)
    assert back.equals(seq)
    np.testing.assert_array_equal(back.confidence, seq.confidence)
    assert (back.width, back.height) == (seq.width, seq.height)


def test_written_pose_uses_pose_format_names(tmp_path, rng, make_holistic):
    from pose_format import Pose
    seq = make_holistic(rng)
    io.write(seq, tmp_path / "a.pose")
    p = Pose.read((tmp_path / "a.pose").read_bytes())
    assert [c.name for c in p.header.components] == ["POSE_LANDMARKS", "FACE_LANDMARKS", "LEFT_HAND_LANDMARKS",
                                                     "RIGHT_HAND_LANDMARKS"]
    assert p.body.fps == 30.0 and p.body.data.shape == (12, 1, 543, 3)


@pytest.mark.parametrize("dims", [2, 3, 4])
def test_synthetic_round_trip_dims(tmp_path, rng, dims, make_holistic):
    seq = make_holistic(rng, dims=dims, fps=29.97)
    back = io.read(io.write(seq, tmp_path / "a.pose"))
    assert back.dims == dims and back.equals(seq)
    assert back.fps == pytest.approx(29.97, rel=1e-6)


def test_write_is_atomic_on_failure(tmp_path, rng, monkeypatch, make_holistic):
    target = tmp_path / "a.pose"
    target.write_bytes(b"old")
    seq = make_holistic(rng)
    from pose_format import Pose

    def boom(self, buffer):
        buffer.write(b"partial")
        raise RuntimeError("disk full")

    monkeypatch.setattr(Pose, "write", boom)
    with pytest.raises(RuntimeError):
        io.write(seq, target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pose"]


def test_bad_pose_files(tmp_path, shared_data):
    empty = tmp_path / "empty.pose"
    empty.write_bytes(b"")
    with pytest.raises(FormatError, match="empty"):
        io.read(empty)
    raw = (shared_data / "pose" / "mediapipe.pose").read_bytes()
    for cut in (3, 40, len(raw) // 2, len(raw) - 5):
        p = tmp_path / f"cut{cut}.pose"
        p.write_bytes(raw[:cut])
        with pytest.raises(FormatError) as e:
            io.read(p)
        assert str(p) in str(e.value)
    raw2 = (shared_data / "pose" / "segmentation_example.pose").read_bytes()
    p = tmp_path / "cut2.pose"
    p.write_bytes(raw2[:-100])
    with pytest.raises(FormatError, match="truncated"):
        io.read(p)


def test_nan_fps_pose(tmp_path, rng, make_holistic):
    import struct
    seq = make_holistic(rng, frames=2)
    path = io.write(seq, tmp_path / "a.pose")
    raw = bytearray(path.read_bytes())
    body = len(raw) - (2 * 543 * 4 * 4) - 10   # fps float follows the header
    raw[body:body + 4] = struct.pack("<f", float("nan"))
    path.write_bytes(bytes(raw))
    with pytest.raises(DataError, match="fps"):
        io.read(path)


def test_wrong_hand_points(tmp_path):
    from pose_format import Pose
    from pose_format.numpy import NumPyPoseBody
    from pose_format.pose_header import PoseHeader, PoseHeaderComponent, PoseHeaderDimensions
    comp = PoseHeaderComponent("LEFT_HAND_LANDMARKS", [str(i) for i in range(20)], [], [(1, 2, 3)], "XYC")
    body = NumPyPoseBody(25, np.zeros((3, 1, 20, 2), np.float32), np.ones((3, 1, 20), np.float32))
    path = tmp_path / "h.pose"
    with open(path, "wb") as f:
        Pose(PoseHeader(0.2, PoseHeaderDimensions(10, 10, 0), [comp]), body).write(f)
    with pytest.raises(DataError, match="21"):
        io.read(path)


def test_unknown_extension(tmp_path, rng, make_holistic):
    from signfuse.errors import ParameterError
    with pytest.raises(ParameterError, match="extension"):
        io.write(make_holistic(rng), tmp_path / "a.txt")
