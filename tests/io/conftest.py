"""Seeded synthetic sequences for the io tests."""

from __future__ import annotations

import numpy as np
import pytest

from signfuse.sequence import Component, LandmarkSequence
from signfuse.topology import FACE_POINTS_468, HAND_EDGES, HAND_POINTS, POSE_EDGES, POSE_POINTS


def holistic(rng: np.random.Generator, *, frames: int = 12, dims: int = 3, missing: float = 0.2,
             fps: float = 30.0, width: int | None = 640, height: int | None = 480) -> LandmarkSequence:
    comps = (Component("POSE", POSE_POINTS, POSE_EDGES), Component("FACE", FACE_POINTS_468),
             Component("LEFT_HAND", HAND_POINTS, HAND_EDGES), Component("RIGHT_HAND", HAND_POINTS, HAND_EDGES))
    data = rng.uniform(0, 1, size=(frames, 1, 543, dims)).astype(np.float32)
    conf = (rng.random((frames, 1, 543)) >= missing).astype(np.float32)
    data[conf == 0] = 0
    return LandmarkSequence(comps, data, conf, fps, width=width, height=height)



@pytest.fixture
def make_holistic():
    """``make_holistic(rng, frames=..., dims=..., missing=...)``: a seeded 543-point sequence."""
    return holistic
