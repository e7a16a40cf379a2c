"""Detection rates and the detection guard (signfuse.quality)."""

from __future__ import annotations

import numpy as np
import pytest

from signfuse.errors import DataError, ParameterError
from signfuse.io.mp_data import vectors_to_sequence
from signfuse.quality import detection_rates, format_rates, require_detected


def _seq(T=10, *, left=(), right=(), pose=True):
    x = np.zeros((T, 258), np.float32)
    if pose:
        x[:, :132] = 0.5
    for i in left:
        x[i, 132:195] = 0.3
    for i in right:
        x[i, 195:] = 0.7
    return vectors_to_sequence(x, fps=30)


def test_rates_per_part():
    r = detection_rates(_seq(left=range(2), right=range(1, 7)))
    assert r == {"pose": 1.0, "face": None, "left_hand": 0.2, "right_hand": 0.6, "hands": 0.7,
                 "both_hands": 0.1, "frames": 10}
    assert format_rates(r, ["face", "hands"]) == "face n/a, hands 70%"
    z = detection_rates(_seq(T=0, pose=False))
    assert z["pose"] == 0.0 and z["frames"] == 0


def test_require_detected_refuses_names_file_parts_and_rates(caplog):
    seq = _seq(left=range(2), right=range(1, 7))
    assert require_detected(seq, ["hands", "pose"], path="clip.pose")["hands"] == 0.7
    with pytest.raises(DataError, match=r"clip.pose: mostly missing: both hands 10%, face n/a of 10 frames "
                                        r"\(needs at least 50% each\)"):
        require_detected(seq, ["both_hands", "face"], path="clip.pose")
    with pytest.raises(DataError, match="left hand 20%"):
        require_detected(seq, "left_hand", min_rate=0.25)
    with caplog.at_level("WARNING"):
        r = require_detected(seq, ["both_hands"], force=True, path="clip.pose")
    assert r["both_hands"] == 0.1 and "going on because of force" in caplog.text
    with pytest.raises(ParameterError, match="must be one or more of"):
        require_detected(seq, ["tail"])
    with pytest.raises(ParameterError, match="min_rate"):
        require_detected(seq, ["pose"], min_rate=2)


def test_nan_coordinates_with_confidence_count_as_missing():
    """Files in the wild mark missing points with NaN coordinates and confidence 1: not found either."""
    seq = _seq(T=4, left=range(4))
    names = [c.name for c in seq.components]
    k = names.index("LEFT_HAND")
    start = sum(c.n_points for c in seq.components[:k])
    data = seq.data.copy()
    data[:2, :, start:start + seq.components[k].n_points] = np.nan
    conf = seq.confidence.copy()
    conf[:2, :, start:start + seq.components[k].n_points] = 1.0
    nan_seq = type(seq)(seq.components, data, conf, fps=seq.fps)
    assert detection_rates(seq)["left_hand"] == 1.0 and detection_rates(nan_seq)["left_hand"] == 0.5


def test_parts_for_streams():
    from signfuse.quality import parts_for_streams
    assert parts_for_streams(["hands_vel", "body", "face", "au", "audio"]) == ("hands", "pose", "face")
    assert parts_for_streams(["audio"]) == ()
