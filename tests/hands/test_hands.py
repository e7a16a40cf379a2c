import numpy as np
import pytest

from signfuse import hands
from signfuse.errors import DataError, ParameterError
from signfuse.sequence import Component, LandmarkSequence
from signfuse.topology import FACE_POINTS_468, HAND_POINTS, POSE_POINTS

FINGERS = ("thumb", "index", "middle", "ring", "pinky")


def hand_points(bends_deg: np.ndarray, *, origin=(0.0, 0.0, 0.0), rot: float = 0.0) -> np.ndarray:
    """A 21-point hand in the x-y plane whose fingers bend by known angles.

    ``bends_deg`` ``(5, 3)``: flexion of each finger's three joints. Each finger starts at the wrist
    pointing up (-y), fans out, and every joint turns the chain by its bend (toward the palm, +z).
    """
    pts = np.zeros((21, 3))
    fan = np.radians([-50, -20, 0, 20, 40])
    for f in range(5):
        base = 1 + 4 * f
        d = np.array([np.sin(fan[f]), -np.cos(fan[f]), 0.0])
        p = np.zeros(3)
        lengths = (1.0, 0.5, 0.35, 0.3)
        # first segment wrist -> base joint, then three joints each bending about the finger's side axis
        side = np.cross(d, [0, 0, 1.0])
        for j in range(4):
            if j > 0:
                a = np.radians(bends_deg[f, j - 1])
                # rotate d about `side` by a (Rodrigues)
                d = d * np.cos(a) + np.cross(side, d) * np.sin(a) + side * (side @ d) * (1 - np.cos(a))
            p = p + lengths[j] * d
            pts[base + j] = p
    c, s = np.cos(np.radians(rot)), np.sin(np.radians(rot))
    pts = pts @ np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]).T
    return pts * 40 + np.array(origin)


def seq_of(
    left: np.ndarray | None,
    right: np.ndarray | None,
    *,
    face: np.ndarray | None = None,
    shoulders: tuple | None = None,
    T: int = 1,
) -> LandmarkSequence:
    comps, data, conf = [], [], []
    for name, pts, names in (("LEFT_HAND", left, HAND_POINTS), ("RIGHT_HAND", right, HAND_POINTS)):
        comps.append(Component(name, names))
        data.append(np.zeros((21, 3)) if pts is None else pts)
        conf.append(np.zeros(21) if pts is None else np.ones(21))
    if face is not None:
        comps.append(Component("FACE", FACE_POINTS_468))
        data.append(face)
        conf.append(np.ones(468))
    if shoulders is not None:
        comps.append(Component("POSE", POSE_POINTS))
        p = np.zeros((33, 3))
        p[11], p[12] = shoulders
        data.append(p)
        conf.append(np.ones(33))
    d = np.broadcast_to(np.concatenate(data)[None, None], (T, 1, sum(c.n_points for c in comps), 3))
    c = np.broadcast_to(np.concatenate(conf)[None, None], d.shape[:3])
    return LandmarkSequence(tuple(comps), d, c, fps=25)


def test_flexion_known_angles(rng):
    bends = rng.uniform(0, 80, size=(5, 3))
    s = hands.flexion(seq_of(hand_points(bends, origin=(300, 200, 0), rot=33), None))
    assert s.values.shape == (1, 30)
    got = s.select([f"left_{f}_{j}" for f in FINGERS for j in (1, 2, 3)]).values[0].reshape(5, 3)
    # joint 1's bend also includes the fan angle between wrist->base and the base segment: none here
    np.testing.assert_allclose(got, bends, atol=1e-3)
    assert np.isnan(s.select([f"right_{f}_1" for f in FINGERS]).values).all()


def test_pixel_xy_with_normalized_z(rng):
    """pose-format / extract layout: x, y in pixels, z still on MediaPipe's normalized-x scale."""
    bends = rng.uniform(10, 80, size=(5, 3))
    pts = hand_points(bends, origin=(300, 200, 0))
    stored = pts.copy()
    stored[:, 2] /= 640.0
    seq = seq_of(None, stored).replace(width=640, height=480)
    got = hands.flexion(seq).select([f"right_{f}_{j}" for f in FINGERS for j in (1, 2, 3)]).values[0]
    np.testing.assert_allclose(got.reshape(5, 3), bends, atol=1e-2)


def test_handshape_codes_fist_and_flat():
    flat = hand_points(np.zeros((5, 3)))
    fist = hand_points(np.full((5, 3), 80.0))
    bent = hand_points(np.array([[0, 0, 0], [0, 0, 0], [40, 40, 40], [90, 90, 90], [90, 90, 90]], float))
    seq = seq_of(flat, fist)
    assert hands.handshape_codes(seq, side="left") == ["EEEEE"]
    assert hands.handshape_codes(seq, side="right") == ["CCCCC"]
    assert hands.handshape_codes(seq_of(bent, None), side="left") == ["EEBCC"]
    assert hands.handshape_codes(seq_of(bent, None), side="right") == ["-----"]
    hs = hands.handshape(seq)
    assert hs.column("left_index_ext")[0] == pytest.approx(1.0)
    assert hs.column("left_spread_index_middle")[0] == pytest.approx(20.0, abs=1e-3)
    with pytest.raises(ParameterError, match="side"):
        hands.handshape_codes(seq, side="both")


def test_distances_in_shoulder_widths():
    face = np.zeros((468, 3))
    face[:, 0] = 500.0
    face[:, 1] = 100.0 + np.arange(468) % 7  # a small blob of face points around (500, 103)
    left = hand_points(np.zeros((5, 3)), origin=(500, 400, 0))  # tips reach up to y ~ 315
    right = left + np.array([-100.0, 0, 0])
    seq = seq_of(left, right, face=face, shoulders=((400, 500, 0), (600, 500, 0)))
    d = hands.distances(seq)

    def brute(a, b):
        return min(np.hypot(*(p[:2] - q[:2])) for p in a for q in b) / 200.0  # shoulder width 200 px

    from signfuse.topology import FACE_REGIONS

    used = sorted(set(FACE_REGIONS["oval"] + FACE_REGIONS["nose"] + (61, 291, 13, 14, 0, 17)))
    assert d.column("left_hand_face")[0] == pytest.approx(brute(left, face[used]), abs=1e-6)
    assert d.column("right_hand_face")[0] == pytest.approx(brute(right, face[used]), abs=1e-6)
    assert d.column("wrist_wrist")[0] == pytest.approx(0.5)
    assert d.column("hand_hand")[0] == pytest.approx(brute(left, right), abs=1e-6)
    # without a pose the unit is 3 eye-corner distances (here 0: falls back to pixels, logged)
    assert hands.distances(seq_of(left, right)).column("wrist_wrist")[0] == pytest.approx(100.0)


def test_no_hands_is_an_error():
    seq = LandmarkSequence(
        (Component("FACE", FACE_POINTS_468),), np.zeros((2, 1, 468, 3)), np.ones((2, 1, 468)), fps=25
    )
    with pytest.raises(DataError, match="no hand component"):
        hands.flexion(seq)


def test_vectorized_over_frames(rng):
    T = 2000
    pts = hand_points(rng.uniform(0, 60, (5, 3)))
    seq = seq_of(pts, pts, T=T)
    s = hands.flexion(seq)
    assert s.values.shape == (T, 30) and np.isfinite(s.values).all()
