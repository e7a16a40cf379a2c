"""Known-answer faces for tests: the shipped 3-D face model, deformed, posed and projected."""

from __future__ import annotations

import numpy as np

from signfuse.face.headpose import face_model, rotation_matrices
from signfuse.sequence import Component, LandmarkSequence
from signfuse.topology import FACE_POINTS_468

BROW_R = (46, 53, 52, 65, 55, 70, 63, 105, 66, 107)
BROW_L = (276, 283, 282, 295, 285, 300, 293, 334, 296, 336)


def face_frames(
    T: int,
    *,
    pitch=0.0,
    yaw=0.0,
    roll=0.0,
    brow_up=0.0,
    scale=120.0,
    centre=(320.0, 200.0),
    depth: bool = True,
    jaw=0.0,
) -> np.ndarray:
    """``(T, 468, 3)`` pixel points: model face with brows moved up by ``brow_up`` model units
    (arrays or scalars, one value per frame), rotated by the given angles (degrees), scaled and shifted."""
    m = face_model()
    pts = np.broadcast_to(m, (T, 468, 3)).copy()
    bu = np.broadcast_to(np.asarray(brow_up, float), (T,))
    pts[:, list(BROW_R + BROW_L), 1] -= bu[:, None]
    jw = np.broadcast_to(np.asarray(jaw, float), (T,))
    lower = m[:, 1] >= m[[14, 87, 317], 1].min() - 1e-6  # lower lip, chin and jaw
    pts[:, lower, 1] += jw[:, None]
    R = rotation_matrices(*(np.broadcast_to(np.asarray(a, float), (T,)) for a in (pitch, yaw, roll)))
    cam = np.einsum("tij,tpj->tpi", R, pts) * scale
    cam[..., 0] += centre[0]
    cam[..., 1] += centre[1]
    if not depth:
        cam[..., 2] = 0.0
    return cam


def face_seq(
    points: np.ndarray, *, fps: float = 30.0, present: np.ndarray | None = None, dims: int = 3
) -> LandmarkSequence:
    T = points.shape[0]
    conf = np.ones((T, 1, 468), np.float32)
    if present is not None:
        conf[~present] = 0.0
    return LandmarkSequence(
        (Component("FACE", FACE_POINTS_468),),
        points[:, None, :, :dims].astype(np.float32),
        conf,
        fps=fps,
        width=640,
        height=480,
    )
