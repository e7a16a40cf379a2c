from __future__ import annotations

import numpy as np
import pytest

from signfuse import preprocess as pp
from signfuse.errors import ParameterError
from signfuse.sequence import Component, LandmarkSequence
from signfuse.topology import FACE_POINTS_468, FACE_REGIONS, HAND_POINTS, POSE_POINTS


def _seq(rng, frames=20, fps=25.0, dims=3, missing=0.0):
    comps = (
        Component("POSE", POSE_POINTS),
        Component("FACE", FACE_POINTS_468),
        Component("LEFT_HAND", HAND_POINTS),
        Component("RIGHT_HAND", HAND_POINTS),
    )
    data = rng.uniform(100, 500, size=(frames, 1, 543, dims)).astype(np.float32)
    conf = (rng.random((frames, 1, 543)) >= missing).astype(np.float32)
    return LandmarkSequence(comps, data, conf, fps, width=640, height=480)


def _with_shoulders(seq, left, right):
    data = seq.data.copy()
    data[:, 0, 11, :2] = left
    data[:, 0, 12, :2] = right
    conf = seq.confidence.copy()
    conf[:, 0, 11:13] = 1
    return seq.replace(data=data, confidence=conf)


def _ramp(T=30, fps=10.0, n=21):
    """One RIGHT_HAND whose x equals the frame time, y = 2 * time."""
    t = np.arange(T) / fps
    data = np.zeros((T, 1, n, 2), np.float32)
    data[..., 0] = t[:, None, None]
    data[..., 1] = 2 * t[:, None, None]
    return LandmarkSequence((Component("RIGHT_HAND", HAND_POINTS),), data, np.ones((T, 1, n)), fps)


def test_normalize_known_answer(rng):
    seq = _with_shoulders(_seq(rng), [300, 200], [200, 200])
    n = pp.normalize(seq)
    mid = (n.point("POSE", "LEFT_SHOULDER") + n.point("POSE", "RIGHT_SHOULDER")) / 2
    np.testing.assert_allclose(mid[..., :2], 0, atol=1e-5)
    width = np.linalg.norm(
        n.point("POSE", "LEFT_SHOULDER")[..., :2] - n.point("POSE", "RIGHT_SHOULDER")[..., :2], axis=-1
    )
    np.testing.assert_allclose(width, 1.0, rtol=1e-5)
    # a point 50 px right of the midpoint is 0.5 shoulder widths right
    np.testing.assert_allclose(n.data[0, 0, 0, 0], (seq.data[0, 0, 0, 0] - 250) / 100, rtol=1e-5)
    assert n.width is None and seq.data[0, 0, 11, 0] == 300  # input untouched


def test_to_streams_shapes_and_values(rng):
    seq = _with_shoulders(_seq(rng, missing=0.1), [300, 200], [200, 200])
    conf = seq.confidence.copy()
    conf[3, 0, seq.component_slice("LEFT_HAND")] = 0
    conf[3, 0, seq.component_slice("RIGHT_HAND")] = 0
    seq = seq.replace(confidence=conf)
    s = pp.to_streams(seq)
    face_n = len(dict.fromkeys(i for r in ("lips", "eyes", "brows", "nose") for i in FACE_REGIONS[r]))
    assert {k: v.n_features for k, v in s.items()} == {"hands": 126, "body": 75, "face": 3 * face_n}
    assert all(v.fps == 25.0 and v.n_frames == 20 for v in s.values())
    assert not s["hands"].mask[3] and s["hands"].mask.sum() == 19
    n = pp.normalize(seq)
    col = s["hands"].names.index("RIGHT_HAND.INDEX_FINGER_TIP.y")
    i = n.point_index("RIGHT_HAND", "INDEX_FINGER_TIP")
    seen = n.confidence[:, 0, i] > 0
    np.testing.assert_allclose(s["hands"].values[seen, col], n.data[seen, 0, i, 1], rtol=1e-6)
    assert np.all(s["hands"].values[~seen, col] == 0)
    raw = pp.to_streams(seq, streams=("body",), normalize=False)["body"]
    assert raw.column("POSE.LEFT_SHOULDER.x")[0] == 300
    with pytest.raises(ParameterError, match="unknown streams"):
        pp.to_streams(seq, streams=("audio",))


def test_to_streams_2d_and_partial_components(shared_data):
    from signfuse import io

    seq = io.read(shared_data / "pose" / "openpose.pose")
    s = pp.to_streams(seq)
    assert s["hands"].n_features == 126 and np.all(s["hands"].values[:, 2::3] == 0)  # z = 0
    assert not s["face"].mask.any()  # OpenPose's 70-point face has no mesh indices


def test_interpolate_gaps_exact_on_ramp():
    seq = _ramp()
    conf = seq.confidence.copy()
    conf[5:8] = 0  # 3-frame gap: filled
    conf[15:25] = 0  # 10-frame gap: too long
    conf[0:2] = 0  # leading gap: no extrapolation
    gappy = seq.replace(confidence=conf, data=np.where(conf[..., None] > 0, seq.data, 0))
    out = pp.interpolate_gaps(gappy, max_gap=4, confidence=0.5)
    np.testing.assert_allclose(out.data[5:8], seq.data[5:8], atol=1e-6)
    assert np.all(out.confidence[5:8] == 0.5)
    assert np.all(out.confidence[15:25] == 0) and np.all(out.confidence[0:2] == 0)
    assert np.all(gappy.confidence[5:8] == 0)  # pure


def test_one_euro_reduces_jitter_and_keeps_constants(rng):
    seq = _ramp(T=200, fps=30.0)
    flat = seq.replace(data=np.full_like(seq.data, 3.0))
    np.testing.assert_allclose(pp.smooth_one_euro(flat).data, 3.0, rtol=1e-6)
    noisy = flat.replace(data=flat.data + rng.normal(0, 0.1, flat.data.shape).astype(np.float32))
    sm = pp.smooth_one_euro(noisy, min_cutoff=0.5, beta=0.0)
    assert np.std(sm.data[50:] - 3.0) < 0.4 * np.std(noisy.data[50:] - 3.0)
    # higher beta: less lag on a fast ramp
    lag0 = np.abs(pp.smooth_one_euro(seq, min_cutoff=0.5, beta=0.0).data[-1] - seq.data[-1]).mean()
    lag1 = np.abs(pp.smooth_one_euro(seq, min_cutoff=0.5, beta=5.0).data[-1] - seq.data[-1]).mean()
    assert lag1 < lag0


def test_savgol_keeps_quadratics_and_gaps(rng):
    seq = _ramp(T=40)
    t = np.arange(40) / 10.0
    data = seq.data.copy()
    data[..., 0] = (t**2)[:, None, None]
    quad = seq.replace(data=data)
    np.testing.assert_allclose(pp.smooth_savgol(quad, window=7, polyorder=2).data, quad.data, atol=1e-4)
    conf = quad.confidence.copy()
    conf[20, 0, 0] = 0
    out = pp.smooth_savgol(quad.replace(confidence=conf), window=7, polyorder=2)
    assert out.confidence[20, 0, 0] == 0
    with pytest.raises(ParameterError, match="odd"):
        pp.smooth_savgol(quad, window=4)


def test_resample_fps_linear_exact():
    seq = _ramp(T=31, fps=10.0)  # 3.0 s
    out = pp.resample_fps(seq, fps=25.0)
    assert out.fps == 25.0 and out.n_frames == 76
    np.testing.assert_allclose(out.data[:, 0, 0, 0], np.arange(76) / 25.0, atol=1e-5)
    np.testing.assert_allclose(out.data[:, 0, 0, 1], 2 * np.arange(76) / 25.0, atol=1e-5)
    conf = seq.confidence.copy()
    conf[10] = 0
    out2 = pp.resample_fps(seq.replace(confidence=conf), fps=25.0)
    t = np.arange(out2.n_frames) / 25.0
    assert np.all(out2.confidence[(t > 0.9) & (t < 1.1), 0, 0] == 0)
    assert np.all(out2.confidence[(t < 0.9) | (t > 1.1), 0, 0] == 1)
    with pytest.raises(ParameterError, match="fps"):
        pp.resample_fps(seq, fps=0)


def test_rotate_scale_shear_known():
    seq = _ramp(T=3)
    data = np.zeros_like(seq.data)
    data[..., 0] = 1.0
    one = seq.replace(data=data)
    r = pp.rotate(one, degrees=90, centre=(0, 0))
    np.testing.assert_allclose(r.data[0, 0, 0], [0, 1], atol=1e-6)
    s = pp.scale(one, factor=2.0, centre=(0, 0))
    np.testing.assert_allclose(s.data[0, 0, 0], [2, 0], atol=1e-6)
    data[..., 1] = 2.0
    sh = pp.shear(seq.replace(data=data), x=0.5, centre=(0, 0))
    np.testing.assert_allclose(sh.data[0, 0, 0], [2, 2], atol=1e-6)


def test_mirror_swaps_left_right(rng):
    seq = _seq(rng)
    m = pp.mirror(seq)
    assert m.component_names == seq.component_names
    np.testing.assert_allclose(
        m.component_data("RIGHT_HAND")[0][..., 0], 640 - seq.component_data("LEFT_HAND")[0][..., 0]
    )
    np.testing.assert_allclose(m.point("POSE", "LEFT_WRIST")[..., 0], 640 - seq.point("POSE", "RIGHT_WRIST")[..., 0])
    np.testing.assert_allclose(m.point("POSE", "NOSE")[..., 1], seq.point("POSE", "NOSE")[..., 1])
    assert pp.mirror(m).equals(seq, atol=1e-4)
    one = _ramp(T=3)
    mo = pp.mirror(one, centre_x=1.0)
    assert mo.component_names == ("LEFT_HAND",)
    np.testing.assert_allclose(mo.data[..., 0], 2.0 - one.data[..., 0])


def test_time_warp_seeded_monotonic():
    seq = _ramp(T=50)
    a = pp.time_warp(seq, strength=0.4, seed=3)
    b = pp.time_warp(seq, strength=0.4, seed=3)
    c = pp.time_warp(seq, strength=0.4, seed=4)
    assert a.equals(b) and not a.equals(c) and a.n_frames == 50
    x = a.data[:, 0, 0, 0]
    assert np.all(np.diff(x) > 0) and x[0] == pytest.approx(0) and x[-1] == pytest.approx(seq.data[-1, 0, 0, 0])
    assert not np.allclose(x, seq.data[:, 0, 0, 0])
    assert pp.time_warp(seq, strength=0.0, seed=1).equals(seq)


def test_dropouts_seeded(rng):
    seq = _seq(rng, frames=200)
    f = pp.frame_dropout(seq, p=0.3, seed=0)
    dropped = (f.confidence == 0).all(axis=(1, 2))
    assert 0.2 < dropped.mean() < 0.4 and f.equals(pp.frame_dropout(seq, p=0.3, seed=0))
    lm = pp.landmark_dropout(seq, p=0.1, seed=0, components=["LEFT_HAND"])
    miss = lm.missing_fraction()
    assert 0.07 < miss["LEFT_HAND"] < 0.13 and miss["RIGHT_HAND"] == 0.0
    with pytest.raises(ParameterError, match="probability"):
        pp.frame_dropout(seq, p=1.5, seed=0)
    with pytest.raises(ParameterError, match="seed"):
        pp.frame_dropout(seq, p=0.1, seed=None)


def test_augment_deterministic(rng):
    seq = _seq(rng)
    a = pp.augment(seq, seed=7, mirror_p=0.5)
    assert a.equals(pp.augment(seq, seed=7, mirror_p=0.5)) and not a.equals(pp.augment(seq, seed=8, mirror_p=0.5))
    assert a.n_frames == seq.n_frames and a.component_names == seq.component_names


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PROPS = settings(
    max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)


@PROPS
@given(seed=st.integers(0, 2**16), missing=st.sampled_from([0.0, 0.3, 0.9]), frames=st.integers(1, 12))
def test_properties_mirror_interpolate_resample(seed, missing, frames):
    seq = _seq(np.random.default_rng(seed), frames=frames, missing=missing)
    assert pp.mirror(pp.mirror(seq)).equals(seq, atol=1e-3)
    filled = pp.interpolate_gaps(seq, max_gap=3)
    seen = seq.confidence > 0
    np.testing.assert_array_equal(filled.data[seen], seq.data[seen])
    assert np.all(filled.confidence[seen] == seq.confidence[seen])
    same = pp.resample_fps(seq, fps=seq.fps)
    assert same.n_frames == seq.n_frames and same.equals(seq, atol=1e-3)
    aug = pp.augment(seq, seed=seed, mirror_p=0.5)
    assert aug.n_frames == seq.n_frames and np.all(np.isfinite(aug.data))


def test_augment_streams_is_seeded_and_keeps_streams_aligned():
    from signfuse.preprocess import augment_streams

    rng = np.random.default_rng(0)
    v = {"a": rng.normal(size=(40, 3)).astype(np.float32), "b": np.arange(40, dtype=np.float32)[:, None]}
    m = {"a": np.ones(40, bool), "b": np.arange(40) % 2 == 0}
    x1, m1 = augment_streams(v, m, seed=[1, 2, 3])
    x2, m2 = augment_streams(v, m, seed=[1, 2, 3])
    assert all(np.array_equal(x1[k], x2[k]) for k in v) and all(np.array_equal(m1[k], m2[k]) for k in v)
    assert not np.array_equal(x1["a"], augment_streams(v, m, seed=[1, 2, 4])[0]["a"])
    # stream "b" holds the frame index: without gain and noise its values are the kept frames, which the
    # masks of every stream must follow (streams stay aligned)
    xb, mb = augment_streams(v, m, seed=[1, 2, 3], gain=(1.0, 1.0), noise=0.0)
    kept = xb["b"][:, 0].astype(int)
    assert len(kept) == len(xb["a"]) and np.all(np.diff(kept) >= 0) and len(kept) != 40
    assert np.array_equal(mb["b"], kept % 2 == 0) and np.array_equal(xb["a"], v["a"][kept])
    x0, m0 = augment_streams(v, m, seed=None, max_frames=10)
    assert len(x0["a"]) == 10 and np.array_equal(x0["b"][:, 0], np.round(np.linspace(0, 39, 10)))
    assert np.array_equal(m0["b"], np.round(np.linspace(0, 39, 10)) % 2 == 0)
