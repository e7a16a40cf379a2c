"""The one Entry -> Sample producer: every registered stream builder on a real corpus entry."""

from __future__ import annotations

import numpy as np
import pytest

from signfuse.datasets import load_entries
from signfuse.errors import ParameterError
from signfuse.samples import parse_streams, register_stream, sample_from_entry, stream_builders


def test_every_builder_gives_a_stream_on_the_landmark_clock(tiny_corpus):
    e = next(x for x in load_entries(tiny_corpus, task="isolated"))
    names = [b for b in stream_builders()]
    assert {"hands", "body", "face", "au", "audio", "motion", "hand_flexion", "handshape", "gesture",
            "voice"} <= set(names)
    smp = sample_from_entry(e, streams=names + ["hand_flexion_vel", "motion_acc"])
    n = smp.n_frames
    for name, st in smp.streams.items():
        assert st.name == name and st.values.shape[0] == n and st.mask.shape == (n,), name
        assert st.values.dtype == np.float32 and st.n_features > 0, name
    # hand articulation: 15 flexion angles per hand; derived streams differentiate it
    assert smp.streams["hand_flexion"].n_features == 30
    assert smp.streams["hand_flexion_vel"].names[0].startswith("d1_")


def test_unknown_stream_names_the_known_ones():
    with pytest.raises(ParameterError, match="unknown stream 'lips'.*hand_flexion"):
        parse_streams("hands,lips")


def test_a_registered_builder_is_a_stream_name_everywhere(tiny_corpus):
    from signfuse.samples import builders
    from signfuse.streams import Stream

    @register_stream("wrist_height_test")
    def _wrist(seq, entry, *, face_regions, normalize):
        y = seq.point("POSE", "LEFT_WRIST")[:, 0, 1:2].astype(np.float32)
        return Stream("wrist_height_test", y, ("y",), seq.fps)

    try:
        assert "wrist_height_test_vel" in parse_streams("hands,wrist_height_test_vel")
        e = next(x for x in load_entries(tiny_corpus, task="isolated"))
        assert sample_from_entry(e, streams=["wrist_height_test"]).streams["wrist_height_test"].n_features == 1
    finally:
        builders._BUILDERS.pop("wrist_height_test")
    with pytest.raises(ParameterError, match="derived suffix"):
        register_stream("hands_vel")
