import numpy as np
import pytest

from signfuse.errors import DataError, ParameterError
from signfuse.face import AU_NAMES, action_units, features
from signfuse.sequence import Component, LandmarkSequence
from signfuse.topology import FACE_POINTS_468, HAND_POINTS

from .synthface import face_frames, face_seq

OTHER = [a for a in AU_NAMES if a not in ("AU01", "AU02", "AU04")]


def test_neutral_model_face_reads_zero():
    s = features(face_seq(face_frames(3)))
    np.testing.assert_allclose(s.select(AU_NAMES).values, 0.0, atol=1e-4)
    assert s.names[:3] == ("pitch", "yaw", "roll") and "gaze_x" not in s.names  # 468 points: no iris


def test_brow_raise_known_amount_any_pose(rng):
    T = 8
    ang = rng.uniform(-25, 25, size=(T, 3))
    up = np.linspace(0.0, 0.1, T)  # 0.1 model units = full intensity
    pts = face_frames(T, pitch=ang[:, 0], yaw=ang[:, 1], roll=ang[:, 2], brow_up=up, scale=rng.uniform(40, 200))
    s = features(face_seq(pts))
    np.testing.assert_allclose(s.column("AU01"), up / 0.1, atol=0.02)
    np.testing.assert_allclose(s.column("AU02"), up / 0.1, atol=0.02)
    assert np.all(np.diff(s.column("AU04")) < 0)  # lowerer goes the other way
    np.testing.assert_allclose(s.select(OTHER).values, 0.0, atol=0.02)
    np.testing.assert_allclose(s.select(["pitch", "yaw", "roll"]).values, ang, atol=0.1)


def test_jaw_drop_and_lips_part():
    pts = face_frames(2, jaw=np.array([0.0, 0.15]))
    s = features(face_seq(pts))
    assert s.column("AU26")[1] == pytest.approx(1.0, abs=0.05)
    assert s.column("AU25")[1] == pytest.approx(1.5, abs=0.05) and s.column("mouth_open")[1] > s.column("mouth_open")[0]
    assert abs(s.column("AU01")[1]) < 0.02


def test_two_d_input_matches_three_d_for_frontal_faces():
    pts = face_frames(4, brow_up=np.array([0, 0.03, 0.06, 0.1]), roll=np.array([0, 10, -10, 20]))
    a = features(face_seq(pts)).select(AU_NAMES).values
    b = features(face_seq(pts, dims=2)).select(AU_NAMES).values
    np.testing.assert_allclose(a, b, atol=1e-3)


def test_normalized_coordinates_use_image_size():
    pts = face_frames(3, brow_up=np.array([0, 0.05, 0.1]), yaw=np.array([0, 15, -15]))
    px = face_seq(pts)
    norm = px.replace(data=px.data / np.array([640, 480, 640], np.float32))
    np.testing.assert_allclose(features(norm).values, features(px).values, atol=1e-3)


def test_lost_face_frames_are_nan_never_garbage():
    pts = face_frames(6, brow_up=0.05)
    present = np.array([True, True, False, True, False, True])
    seq = face_seq(pts, present=present)
    # garbage coordinates where the face is lost must not leak
    data = seq.data.copy()
    data[~present] = 1e6
    s = features(seq.replace(data=data))
    assert np.array_equal(s.mask, present)
    assert np.isnan(s.values[~present]).all() and np.isfinite(s.values[present]).all()
    # one missing point is enough to call the face lost
    conf = seq.confidence.copy()
    conf[0, 0, 159] = 0
    assert not features(seq.replace(confidence=conf)).mask[0]


def test_baselines():
    up = np.array([0.05, 0.05, 0.15, 0.05, 0.05])
    seq = face_seq(face_frames(5, brow_up=up, yaw=np.array([5, 5, 5, 5, 5.0])))
    none = features(seq).column("AU01")
    first = features(seq, baseline="first")
    med = features(seq, baseline="median").column("AU01")
    np.testing.assert_allclose(none, up / 0.1, atol=0.02)
    np.testing.assert_allclose(first.column("AU01"), (up - 0.05) / 0.1, atol=0.02)
    np.testing.assert_allclose(med, (up - 0.05) / 0.1, atol=0.02)
    np.testing.assert_allclose(first.column("yaw"), 0.0, atol=0.05)  # the baseline's pose is removed
    neutral = face_seq(face_frames(3, brow_up=0.05))
    np.testing.assert_allclose(features(seq, baseline=neutral).column("AU01"), (up - 0.05) / 0.1, atol=0.02)
    with pytest.raises(ParameterError, match="baseline"):
        features(seq, baseline="mean")


def test_action_units_has_no_pose_columns():
    s = action_units(face_seq(face_frames(2)))
    assert "yaw" not in s.names and s.names[0] == "AU01" and s.name == "au"


def test_bad_inputs():
    hands_only = LandmarkSequence(
        (Component("RIGHT_HAND", HAND_POINTS),), np.zeros((3, 1, 21, 3)), np.ones((3, 1, 21)), fps=25
    )
    with pytest.raises(DataError, match="no FACE component"):
        features(hands_only)
    small = LandmarkSequence(
        (Component("FACE", FACE_POINTS_468[:70]),), np.zeros((3, 1, 70, 3)), np.ones((3, 1, 70)), fps=25
    )
    with pytest.raises(DataError, match="468"):
        features(small)
    no_face = face_seq(face_frames(3), present=np.zeros(3, bool))
    s = features(no_face)
    assert not s.mask.any() and np.isnan(s.values).all()
    with pytest.raises(DataError, match="no frame has a face"):
        features(no_face, baseline="first")
    degenerate = face_seq(np.zeros((2, 468, 3)))  # all points at one spot: no face, not garbage
    assert np.isnan(features(degenerate).values).all()
