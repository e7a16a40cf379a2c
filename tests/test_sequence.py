import numpy as np
import pytest

from signfuse import Component, DataError, LandmarkSequence, ParameterError
from signfuse.topology import HAND_EDGES, HAND_POINTS, POSE_POINTS


def make_seq(rng, frames=10, people=1, dims=3):
    comps = (Component("POSE", POSE_POINTS), Component("LEFT_HAND", HAND_POINTS, HAND_EDGES))
    data = rng.normal(size=(frames, people, 54, dims)).astype(np.float32)
    conf = np.ones((frames, people, 54), np.float32)
    return LandmarkSequence(comps, data, conf, fps=25.0)


def test_shapes_and_access(rng):
    seq = make_seq(rng)
    assert (seq.n_frames, seq.n_people, seq.n_points, seq.dims) == (10, 1, 54, 3)
    wrist = seq.point("LEFT_HAND", "WRIST")
    assert wrist.shape == (10, 1, 3)
    np.testing.assert_array_equal(wrist, seq.data[:, :, 33])
    assert seq.point_index("POSE", "LEFT_WRIST") == 15
    # aliases resolve to canonical names
    assert seq.component("LEFT_HAND_LANDMARKS").name == "LEFT_HAND"


def test_immutable(rng):
    seq = make_seq(rng)
    with pytest.raises(ValueError):
        seq.data[0, 0, 0, 0] = 1.0
    hands = seq.select(["LEFT_HAND"])
    assert hands.component_names == ("LEFT_HAND",) and hands.n_points == 21
    np.testing.assert_array_equal(hands.data, seq.data[:, :, 33:])
    assert seq.n_points == 54  # original untouched


def test_time_slicing_adjusts_fps(rng):
    seq = make_seq(rng, frames=20)
    sub = seq[::2]
    assert sub.n_frames == 10 and sub.fps == 12.5
    np.testing.assert_allclose(sub.frame_times, np.arange(10) / 12.5)
    assert seq[5:9].n_frames == 4
    assert seq.time_slice(0.2, 0.4).n_frames == 5


def test_to_array_masks_missing(rng):
    seq = make_seq(rng, dims=2)
    conf = seq.confidence.copy()
    conf[3, 0, 0] = 0
    seq = seq.replace(confidence=conf)
    values, mask = seq.to_array()
    assert values.shape == (10, 108) and mask.shape == (10, 108)
    assert not mask[3, 0] and not mask[3, 1] and mask[3, 2]
    assert values[3, 0] == 0.0
    assert seq.missing_fraction()["POSE"] == pytest.approx(1 / (10 * 33))


@pytest.mark.parametrize("fps", [0, -1, float("nan"), float("inf")])
def test_bad_fps(rng, fps):
    with pytest.raises(DataError, match="fps"):
        make_seq(rng).replace(fps=fps)


def test_bad_shapes(rng):
    seq = make_seq(rng)
    with pytest.raises(DataError, match="components hold 54 points"):
        seq.replace(data=np.zeros((10, 1, 50, 3)), confidence=np.zeros((10, 1, 50)))
    with pytest.raises(DataError, match="confidence shape"):
        seq.replace(confidence=np.zeros((10, 1, 53)))
    with pytest.raises(ParameterError, match="no component"):
        seq.select(["FACE"])
    with pytest.raises(ParameterError, match="no point 'ELBOW'"):
        seq.point("POSE", "ELBOW")
