import numpy as np
import pytest

from signfuse import ParameterError, motion
from signfuse.testing.motion import holistic_sequence, tap_sequence


def _hold_move_hold(fps):
    n = int(3 * fps)
    t = np.arange(n) / fps
    x = np.where(t < 1.0, 0.0, np.where(t < 2.0, 0.5 * (1 - np.cos(np.pi * (t - 1.0))) * 0.6, 0.6))
    right = np.stack([-0.3 + x, np.full(n, 0.8), np.zeros(n)], axis=1)
    return holistic_sequence(fps=fps, n_frames=n, right=right)


@pytest.mark.parametrize("fps", [25.0, 30.0, 50.0])
def test_holds_found_where_the_hand_rests(fps):
    segs = [s for s in motion.segments(_hold_move_hold(fps)) if s["target"] == "rh"]
    kinds = [s["kind"] for s in segs]
    assert kinds == ["hold", "movement", "hold"]
    # speed 0.3 pi sin(pi (t - 1)) exceeds 0.25 sw/s for t in 1 + [asin(r), pi - asin(r)] / pi, r = 0.25 / (0.3 pi)
    r = np.arcsin(0.25 / (0.3 * np.pi)) / np.pi
    assert segs[1]["start"] == pytest.approx(1 + r, abs=1.5 / fps)
    assert segs[1]["end"] == pytest.approx(2 - r, abs=1.5 / fps)
    lh = [s for s in motion.segments(_hold_move_hold(fps)) if s["target"] == "lh"]
    assert [s["kind"] for s in lh] == ["hold"]


def test_segments_from_stream_equal_segments_from_sequence():
    seq = _hold_move_hold(30.0)
    a = motion.segments(seq)
    b = motion.segments(motion.features(seq))
    assert [(s["kind"], s["start_frame"], s["end_frame"]) for s in a] == [
        (s["kind"], s["start_frame"], s["end_frame"]) for s in b
    ]


def test_absent_phase():
    seq = _hold_move_hold(30.0)
    gone = np.zeros(seq.n_frames, bool)
    gone[:30] = True
    conf = seq.confidence.copy()
    conf[gone, 0, seq.component_slice("RIGHT_HAND")] = 0
    conf[gone, 0, seq.point_index("POSE", "RIGHT_WRIST")] = 0
    segs = [s for s in motion.segments(seq.replace(confidence=conf)) if s["target"] == "rh"]
    assert segs[0]["kind"] == "absent" and segs[0]["end_frame"] == 30


def test_segments_errors():
    with pytest.raises(ParameterError, match="target"):
        motion.segments(_hold_move_hold(30.0), targets=("nose",))
    with pytest.raises(ParameterError, match="threshold"):
        motion.segments(_hold_move_hold(30.0), threshold=0)


TAPS = [
    dict(time=1.5, speed=1.0, stop_s=0.15, type="hand-face"),  # light
    dict(time=3.5, speed=3.0, stop_s=0.03, type="hand-face"),  # heavy
    dict(time=6.5, speed=2.5, stop_s=0.04, type="hand-hand"),
    dict(time=9.5, speed=1.5, stop_s=0.10, type="hand-body"),
    dict(time=11.5, speed=1.5, stop_s=0.04, type="hand-body"),
]  # same speed, harder stop
# (stops shorter than about two frames are not resolved: intensity then grows with the approach speed)


@pytest.mark.parametrize("fps", [25.0, 30.0, 60.0])
def test_taps_found_typed_and_ranked_by_force(fps):
    seq, truth = tap_sequence(fps=fps, taps=TAPS)
    found = motion.taps(seq)
    assert len(found) == len(truth)
    for f, t in zip(found, truth):
        assert f["type"] == t["type"]
        assert f["hand"] == "right"
        assert abs(f["time"] - t["time"]) <= 1.5 / fps
        assert f["approach_speed"] == pytest.approx(t["speed"], rel=0.1)
    order_found = np.argsort([f["intensity"] for f in found])
    order_true = np.argsort([t["force"] for t in truth])
    np.testing.assert_array_equal(order_found, order_true)


def test_taps_scale_invariant():
    a, _ = tap_sequence(fps=30.0, taps=TAPS[:2])
    b, _ = tap_sequence(fps=30.0, taps=TAPS[:2], origin=(0.5, 0.5), shoulder_width=0.3)
    ia = [t["intensity"] for t in motion.taps(a)]
    ib = [t["intensity"] for t in motion.taps(b)]
    np.testing.assert_allclose(ia, ib, rtol=1e-3)


def test_no_taps_in_smooth_motion():
    from signfuse.testing.motion import sinusoid_motion

    seq, _ = sinusoid_motion(fps=30.0, duration=4.0, amplitude=0.3, freq=1.0)
    assert motion.taps(seq) == []


def test_tap_type_filter_and_errors():
    seq, _ = tap_sequence(fps=30.0, taps=TAPS)
    only = motion.taps(seq, types=("hand-hand",))
    assert [t["type"] for t in only] == ["hand-hand"]
    with pytest.raises(ParameterError, match="tap type"):
        motion.taps(seq, types=("hand-knee",))
    with pytest.raises(ParameterError, match="hands"):
        motion.taps(seq, hands=("xx",))
