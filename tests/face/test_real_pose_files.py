"""Face and hand features on real MediaPipe landmark files from other projects (../shared/data/pose)."""

import numpy as np
import pytest

from signfuse import hands, io
from signfuse.errors import DataError
from signfuse.face import events, features

HOLISTIC = [
    "segmentation_example.pose",
    "autsl_signer0_sample1000.pose",
    "phoenix2014t_25October_2010_Monday_tagesschau-17.pose",
    "6fb01565da31c5500d1ef2cd2906b06b.pose",
]


@pytest.mark.parametrize("name", HOLISTIC)
def test_real_holistic_files(shared_data, name):
    seq = io.read(shared_data / "pose" / name)
    s = features(seq)
    assert s.n_frames == seq.n_frames and s.mask.mean() > 0.9
    v = s.values[s.mask]
    assert np.isfinite(v).all()
    # a real signer facing the camera: head within +-45 degrees, AUs within a few full intensities
    assert np.abs(v[:, :3]).max() < 45
    assert np.abs(s.select(["AU01", "AU02", "AU04", "AU12", "AU25", "AU26"]).values[s.mask]).max() < 5
    eye = s.select(["eye_open_r", "eye_open_l"]).values[s.mask]
    assert (eye > -0.05).all() and (eye < 0.8).all()
    assert ("gaze_x" in s.names) == (seq.component("FACE").n_points == 478)
    for e in events(s):
        assert 0 <= e["start_frame"] < e["end_frame"] <= seq.n_frames
    f = hands.flexion(seq)
    seen = f.values[np.isfinite(f.values)]
    assert seen.size and (seen >= 0).all() and (seen <= 180).all()


@pytest.mark.parametrize("name,points", [("mediapipe.pose", "128"), ("openpose.pose", "70")])
def test_reduced_or_openpose_faces_are_a_clear_error(shared_data, name, points):
    seq = io.read(shared_data / "pose" / name)
    with pytest.raises(DataError, match=f"has {points} points"):
        features(seq)
