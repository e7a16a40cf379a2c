import numpy as np
import pytest

from signfuse.errors import DataError
from signfuse.face import head_pose
from signfuse.face.headpose import euler_from_matrices, face_model, mirror_index, rotation_matrices
from signfuse.sequence import Component, LandmarkSequence
from signfuse.topology import HAND_POINTS

from .synthface import face_frames, face_seq


def test_model_is_symmetric_and_oriented():
    m, pair = face_model(), mirror_index()
    assert np.array_equal(pair[pair], np.arange(468))
    assert pair[33] == 263 and pair[61] == 291 and pair[1] == 1
    np.testing.assert_allclose(m[pair, 0], -m[:, 0], atol=1e-6)
    assert m[263, 0] > 0 > m[33, 0]  # x toward the signer's left
    assert m[10, 1] < m[1, 1] < m[152, 1]  # y down: forehead, nose, chin
    assert m[1, 2] < m[234, 2]  # nose tip nearer the camera than the cheek side


def test_euler_round_trip(rng):
    a = rng.uniform(-40, 40, size=(50, 3))
    np.testing.assert_allclose(euler_from_matrices(rotation_matrices(a[:, 0], a[:, 1], a[:, 2])), a, atol=1e-9)


def test_known_pose_recovered_weak_perspective(rng):
    T = 12
    ang = rng.uniform(-35, 35, size=(T, 3))
    pts = face_frames(T, pitch=ang[:, 0], yaw=ang[:, 1], roll=ang[:, 2], scale=60.0)
    np.testing.assert_allclose(head_pose(face_seq(pts)), ang, atol=0.05)


def _perspective(ang: np.ndarray, *, depth: float) -> np.ndarray:
    """Pinhole projection (f = 640 px, centre (320, 240)) of the posed model ``depth`` eye-distances away."""
    R = rotation_matrices(ang[:, 0], ang[:, 1], ang[:, 2])
    cam = np.einsum("tij,pj->tpi", R, face_model())
    cam[..., 2] += depth
    cam[..., 0] += 0.8  # face a little right of the optical axis
    f = 640.0
    return np.stack(
        [f * cam[..., 0] / cam[..., 2] + 320, f * cam[..., 1] / cam[..., 2] + 240, f * (cam[..., 2] - depth) / depth],
        axis=-1,
    )


def test_known_pose_recovered_perspective(rng):
    T = 10
    ang = rng.uniform(-30, 30, size=(T, 3))
    seq = face_seq(_perspective(ang, depth=4.0))  # a close-up: the face fills a third of the frame
    exact = head_pose(seq, method="opencv")
    weak = head_pose(seq, method="pos")
    np.testing.assert_allclose(exact, ang, atol=0.2)
    # weak perspective is off in a close-up (by the viewing angle), but within a few degrees
    assert np.abs(weak - ang).max() < 15
    assert np.abs(exact - ang).max() < np.abs(weak - ang).max()


def test_yaw_sign_convention():
    # the signer turns to their left: the nose tip moves toward image +x
    pts = face_frames(2, yaw=np.array([0.0, 20.0]))
    assert pts[1, 1, 0] > pts[0, 1, 0]
    assert head_pose(face_seq(pts))[1, 1] == pytest.approx(20.0, abs=0.05)


def test_missing_frames_are_nan():
    pts = face_frames(5, yaw=10.0)
    present = np.array([True, False, True, True, False])
    est = head_pose(face_seq(pts, present=present))
    assert np.isnan(est[~present]).all() and np.isfinite(est[present]).all()


def test_no_face_component_is_a_clear_error():
    seq = LandmarkSequence(
        (Component("RIGHT_HAND", HAND_POINTS),), np.zeros((3, 1, 21, 3)), np.ones((3, 1, 21)), fps=25
    )
    with pytest.raises(DataError, match="no FACE component"):
        head_pose(seq)
