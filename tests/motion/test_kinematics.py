import numpy as np
import pytest

from signfuse import DataError, ParameterError, motion
from signfuse.motion.kinematics import TARGETS
from signfuse.testing.motion import holistic_sequence, linear_motion, sinusoid_motion

RH = TARGETS.index("rh")


@pytest.mark.parametrize("fps", [15.0, 25.0, 30.0, 60.0])
def test_constant_acceleration_is_exact(fps):
    seq, tr = linear_motion(fps=fps, duration=3.0, velocity=(0.5, -0.3), acceleration=(0.2, 0.1))
    k = motion.kinematics(seq)
    np.testing.assert_allclose(k.pos[:, RH], tr["pos"], atol=1e-4)
    np.testing.assert_allclose(k.vel[:, RH], tr["vel"], atol=1e-3)
    np.testing.assert_allclose(k.acc[:, RH], tr["acc"], atol=2e-3)
    assert np.abs(k.jerk_norm[:, RH]).max() < 0.02  # jerk of a parabola is 0
    np.testing.assert_allclose(k.speed[:, RH], tr["speed"], atol=1e-3)


@pytest.mark.parametrize("fps", [15.0, 25.0, 30.0, 60.0])
def test_sinusoid_derivatives(fps):
    seq, tr = sinusoid_motion(fps=fps, duration=4.0, amplitude=0.3, freq=1.0)
    k = motion.kinematics(seq)
    inner = slice(int(0.5 * fps), -int(0.5 * fps))
    scale = {name: np.abs(tr[name]).max() for name in ("vel", "acc", "jerk_norm")}
    assert np.abs(k.vel[inner, RH, 0] - tr["vel"][inner, 0]).max() < 0.01 * scale["vel"]
    assert np.abs(k.acc[inner, RH, 0] - tr["acc"][inner, 0]).max() < 0.08 * scale["acc"]
    assert np.abs(k.jerk_norm[inner, RH] - tr["jerk_norm"][inner]).max() < 0.08 * scale["jerk_norm"]


def test_units_are_per_second_not_per_frame():
    """The same motion sampled at 25 and 50 fps gives the same speeds."""
    a = motion.kinematics(linear_motion(fps=25.0, duration=2.0)[0])
    b = motion.kinematics(linear_motion(fps=50.0, duration=2.0)[0])
    assert a.speed[:, RH].mean() == pytest.approx(b.speed[:, RH].mean(), rel=1e-3)
    assert a.speed[:, RH].mean() == pytest.approx(np.hypot(0.5, 0.3), rel=1e-3)


def test_unsmoothed_central_differences():
    seq, tr = linear_motion(fps=30.0, duration=2.0, velocity=(1.0, 0.0))
    k = motion.kinematics(seq, smooth=False)
    np.testing.assert_allclose(k.vel[:, RH], tr["vel"], atol=1e-3)


def test_smoothing_reduces_noise(rng):
    seq, tr = sinusoid_motion(fps=30.0, duration=4.0, noise=0.01, seed=3)
    raw = motion.kinematics(seq, smooth=False)
    sm = motion.kinematics(seq)
    err_raw = np.abs(raw.vel[:, RH, 0] - tr["vel"][:, 0]).mean()
    err_sm = np.abs(sm.vel[:, RH, 0] - tr["vel"][:, 0]).mean()
    assert err_sm < 0.8 * err_raw


@pytest.mark.parametrize("origin,width", [((320.0, 200.0), 100.0), ((0.5, 0.4), 0.25), ((900.0, 50.0), 400.0)])
def test_scale_and_translation_invariance(origin, width):
    ref = motion.features(sinusoid_motion(fps=30.0, duration=2.0)[0])
    seq, _ = sinusoid_motion(fps=30.0, duration=2.0, origin=origin, shoulder_width=width)
    f = motion.features(seq)
    # float32 landmarks: quantization noise grows with each derivative, so compare per column scale
    scale = np.abs(ref.values).max(axis=0)
    assert np.all(np.abs(f.values - ref.values) <= 2e-3 + 5e-3 * scale)


def test_amplitude_from_rest():
    n = 60
    right = np.tile([-0.45, 1.8, 0.0], (n, 1))
    right[20:40] = [-0.45, 1.0, 0.0]  # raised 0.8 shoulder widths
    seq = holistic_sequence(fps=30.0, n_frames=n, right=right, shoulder_width=37.0)
    k = motion.kinematics(seq, smooth=False)
    assert k.amplitude[25, RH] == pytest.approx(0.8, abs=1e-4)
    assert k.amplitude[5, RH] == pytest.approx(0.0, abs=1e-4)


def test_feature_stream_layout():
    seq, tr = linear_motion(fps=30.0, duration=1.0)
    s = motion.features(seq)
    assert s.name == "motion" and s.fps == 30.0 and s.n_frames == 30
    assert s.names == motion.feature_names(dims=2)
    assert {
        "rh_x",
        "rh_vx",
        "rh_speed",
        "rh_acc",
        "rh_jerk",
        "rh_amplitude",
        "rh_energy",
        "head_speed",
        "hands_speed",
    } <= set(s.names)
    np.testing.assert_allclose(s.column("rh_energy"), 0.5 * s.column("rh_speed") ** 2, rtol=1e-4)
    assert s.mask.all() and np.all(np.isfinite(s.values))
    s3 = motion.features(seq, dims=3)
    assert "rh_z" in s3.names


def test_missing_hand_frames_are_filled_and_flagged():
    n = 90
    gone = np.zeros(n, bool)
    gone[10:13] = True  # short gap: filled, still present
    gone[40:80] = True  # long gap: absent
    seq, tr = linear_motion(fps=30.0, duration=3.0, missing={"RIGHT_HAND": gone})
    # also drop the POSE wrist fallback in the long gap by removing the whole hand including the wrist
    s = motion.features(seq)
    assert np.all(np.isfinite(s.values))
    # the POSE wrist stands in when the hand component is missing
    assert s.column("rh_present")[45] == 1.0
    k = motion.kinematics(seq)
    np.testing.assert_allclose(k.vel[45, RH], tr["vel"][45], atol=1e-3)


def test_absent_hand_gives_zero_features():
    n = 60
    seq = holistic_sequence(fps=30.0, n_frames=n, missing={"LEFT_HAND": np.ones(n, bool)})
    conf = seq.confidence.copy()
    conf[:, 0, seq.point_index("POSE", "LEFT_WRIST")] = 0
    seq = seq.replace(confidence=conf)
    s = motion.features(seq)
    assert np.all(s.column("lh_present") == 0) and np.all(s.column("lh_speed") == 0)
    assert s.mask.all()  # the right hand and head are there


def test_errors():
    seq, _ = linear_motion(fps=30.0, duration=1.0)
    with pytest.raises(ParameterError, match="polyorder"):
        motion.kinematics(seq, polyorder=2)
    with pytest.raises(ParameterError, match="window_s"):
        motion.kinematics(seq, window_s=0)
    with pytest.raises(ParameterError, match="dims"):
        motion.kinematics(seq, dims=4)
    with pytest.raises(DataError, match="POSE component with LEFT_SHOULDER"):
        motion.kinematics(seq.select(["LEFT_HAND", "RIGHT_HAND"]))
    conf = seq.confidence.copy()
    conf[:, 0, seq.point_index("POSE", "LEFT_SHOULDER")] = 0
    with pytest.raises(DataError, match="shoulders"):
        motion.kinematics(seq.replace(confidence=conf))


def test_very_short_sequences():
    seq, _ = linear_motion(fps=30.0, duration=0.1)  # 3 frames
    s = motion.features(seq)
    assert s.n_frames == 3 and np.all(np.isfinite(s.values))
    s1 = motion.features(seq[:1])
    assert s1.n_frames == 1


@pytest.mark.parametrize(
    "name",
    [
        "autsl_signer0_sample1000.pose",
        "example.pose",
        "openpose.pose",
        "phoenix2014t_25October_2010_Monday_tagesschau-17.pose",
        "segmentation_example.pose",
        "mediapipe.pose",
    ],
)
def test_real_pose_files(shared_data, name):
    """Real MediaPipe and OpenPose files (reduced pose sets, 2-D, 4-D, missing hands): finite features,
    plausible speeds in shoulder widths per second."""
    from signfuse import io

    path = shared_data / "pose" / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    seq = io.read(path)
    s = motion.features(seq)
    assert s.n_frames == seq.n_frames and np.all(np.isfinite(s.values))
    present = s.column("rh_present") > 0
    if present.any():
        assert 0.0 <= float(np.median(s.column("rh_speed")[present])) < 5.0
    for t in motion.taps(seq):
        assert t["type"] in motion.TAP_TYPES and t["intensity"] > 0
