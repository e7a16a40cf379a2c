import numpy as np
import pytest

from signfuse import ParameterError, Sample, Stream, align
from signfuse.streams import concat_streams


def test_pooling_downsamples_by_window_mean():
    # 100 Hz ramp into 25 fps: each output frame is the mean of 4 inputs
    x = np.arange(400, dtype=np.float32)
    s = Stream("audio", x[:, None], ("ramp",), fps=100)
    out = align([s], fps=25)["audio"]
    assert out.n_frames == 100
    np.testing.assert_allclose(out.values[:, 0], x.reshape(100, 4).mean(1))
    assert out.mask.all()


def test_interpolation_upsamples_linear_signal_exactly():
    t = np.arange(50) / 25.0
    s = Stream("motion", (2.0 * t)[:, None], ("v",), fps=25)
    out = align([s], fps=100)["motion"]
    centres = np.arange(out.n_frames) / 100 + 0.005
    src_centres = t + 0.02
    ok = out.mask
    assert ok.all() and out.n_frames == 200
    inner = (centres >= src_centres[0]) & (centres <= src_centres[-1])
    # a linear input is interpolated exactly between source frame centres ...
    np.testing.assert_allclose(out.values[inner, 0], 2.0 * (centres[inner] - 0.02), atol=1e-5)
    # ... and held at the edges (within half a source frame), never extrapolated
    np.testing.assert_allclose(out.values[centres < src_centres[0], 0], 0.0)
    np.testing.assert_allclose(out.values[centres > src_centres[-1], 0], 2.0 * t[-1], atol=1e-6)


def test_align_masks_gaps_and_common_duration():
    v = np.ones((30, 2), np.float32)
    mask = np.ones(30, bool)
    mask[10:20] = False
    a = Stream("a", v, ("x", "y"), fps=30, mask=mask)
    b = Stream("b", np.ones((200, 1), np.float32), ("z",), fps=100)
    out = align({"a": a, "b": b}, fps=10)
    assert out["a"].n_frames == out["b"].n_frames == 10  # shortest stream: 1 s
    assert not out["a"].mask[4] and out["a"].mask[0] and out["a"].mask[9]
    assert np.isnan(out["a"].values[4]).all()


def test_stream_validation():
    with pytest.raises(ParameterError, match="fps"):
        Stream("x", np.zeros((3, 1)), ("a",), fps=0)
    s = Stream("x", np.zeros((3, 2)), ("a", "b"), fps=10)
    with pytest.raises(ParameterError, match="no feature 'c'"):
        s.column("c")
    with pytest.raises(ParameterError, match="align"):
        concat_streams([s, Stream("y", np.zeros((4, 1)), ("c",), fps=10)], "xy")


def test_sample_drop():
    s = Stream("hands", np.zeros((3, 2)), ("a", "b"), fps=10)
    smp = Sample("id1", {"hands": s, "face": s.replace(name="face")}, gloss="HELLO")
    assert set(smp.drop(["face"]).streams) == {"hands"}
    assert smp.n_frames == 3
