"""A 468-point MediaPipe-topology face that moves brows, eyelids, mouth and head.

The rest geometry is MediaPipe's face mesh on scikit-image's ``astronaut()`` photo, stored as the
package asset ``signfuse/assets/face_mesh.npz`` by ``scripts/make_face_asset.py`` (no MediaPipe at run
time). Units: the distance between the outer eye corners (points 33 and 263) is 1 ("IOD units"); axes as
MediaPipe's: x to the image right, y down, z away from the camera.

Controls (each ``(T,)``, amounts in IOD units unless stated):

``brow_raise``  brows (and the forehead above them) move up by this amount.
``brow_furrow`` brows move down by this amount and their inner ends toward the midline by 0.6x it.
``blink``       0 = eyes as at rest, 1 = closed; negative widens the eyes.
``mouth_open``  the lower lip and jaw move down by this amount.
``mouth_spread`` the mouth corners move outward (and up, 0.4x) by this amount; negative purses.
``yaw_deg``     positive turns the nose toward image +x (the signer's left).
``pitch_deg``   positive tips the nose down (image +y).
``roll_deg``    positive turns the top of the head toward image +x.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from ...errors import DataError
from ...topology import FACE_REGIONS

__all__ = [
    "face_rest",
    "face_edges",
    "face_points",
    "CONTROLS",
    "BROW_POINTS",
    "UPPER_LID",
    "LOWER_LID",
    "EYE_CORNERS",
    "yaw_proxy",
]

CONTROLS = ("brow_raise", "brow_furrow", "blink", "mouth_open", "mouth_spread", "yaw_deg", "pitch_deg", "roll_deg")

BROW_POINTS: tuple[int, ...] = FACE_REGIONS["brows"]
_INNER_BROW = (55, 65, 107, 66, 285, 295, 336, 296)
UPPER_LID = (246, 161, 160, 159, 158, 157, 173, 466, 388, 387, 386, 385, 384, 398)
LOWER_LID = (7, 163, 144, 145, 153, 154, 155, 249, 390, 373, 374, 380, 381, 382)
EYE_CORNERS = (33, 263)
_ASSET = Path(__file__).resolve().parents[2] / "assets" / "face_mesh.npz"


@lru_cache(maxsize=1)
def _asset() -> dict[str, np.ndarray]:
    try:
        with np.load(_ASSET) as z:
            d = {k: z[k] for k in ("points", "tesselation", "contours")}
    except (OSError, KeyError, ValueError) as e:
        raise DataError(f"face asset unreadable ({e}); rebuild it with scripts/make_face_asset.py", path=_ASSET) from e
    if d["points"].shape != (468, 3):
        raise DataError(f"face asset has shape {d['points'].shape}, expected (468, 3)", path=_ASSET)
    return d


def face_rest() -> np.ndarray:
    """``(468, 3)`` rest face in IOD units, centred on the mesh mean."""
    return _asset()["points"].astype(np.float64)


def face_edges(kind: str = "contours") -> np.ndarray:
    """Mesh edges ``(E, 2)`` from ``mediapipe.solutions.face_mesh_connections`` (``contours``/``tesselation``)."""
    return _asset()[kind].astype(np.int64)


@lru_cache(maxsize=1)
def _weights() -> dict[str, np.ndarray]:
    p = face_rest()
    x, y = p[:, 0], p[:, 1]
    brow = np.zeros(468)
    brow_pts = np.array(BROW_POINTS)
    brow[brow_pts] = 1.0
    eye_y = p[list(UPPER_LID), 1].mean()
    brow_y = p[brow_pts, 1].mean()
    # forehead follows the brows, fading with distance above them; nothing at or below the upper lids
    above = (y < brow_y) & (np.abs(x) < 0.75)
    brow = np.where(above, np.maximum(brow, np.clip(1 - (brow_y - y) / 0.45, 0, 1) * 0.7), brow)
    between = (y < eye_y - 0.08) & (y >= brow_y) & (np.abs(x) < 0.7)
    brow = np.where(between & (brow == 0), 0.5 * np.clip((eye_y - y) / (eye_y - brow_y), 0, 1), brow)
    inner = np.zeros(468)
    inner[list(_INNER_BROW)] = 1.0
    mouth_y = 0.5 * (p[13, 1] + p[14, 1])
    mid_x = 0.5 * (p[61, 0] + p[291, 0])
    jaw = 1.0 / (1.0 + np.exp(-(y - mouth_y) / 0.02)) * np.exp(-((x - mid_x) ** 2) / (2 * 0.45**2))
    jaw[[13, 82, 312, 81, 311, 80, 310, 0, 37, 267]] = 0.0  # upper lip stays
    cl, cr = p[61], p[291]  # mouth corners (61 on image left)
    dl = np.exp(-np.sum((p[:, :2] - cl[:2]) ** 2, axis=1) / (2 * 0.12**2))
    dr = np.exp(-np.sum((p[:, :2] - cr[:2]) ** 2, axis=1) / (2 * 0.12**2))
    return {
        "brow": brow,
        "inner": inner,
        "jaw": jaw,
        "corner_l": dl,
        "corner_r": dr,
        "center_x": np.array(0.5 * (p[33, 0] + p[263, 0])),
    }


def _rot(yaw: np.ndarray, pitch: np.ndarray, roll: np.ndarray) -> np.ndarray:
    """``(T, 3, 3)`` rotation matrices (conventions in the module docstring)."""
    yw, pt, rl = np.radians(-yaw), np.radians(pitch), np.radians(roll)  # same convention as signfuse.face
    T = yaw.shape[0]
    cy, sy, cp, sp, cr, sr = np.cos(yw), np.sin(yw), np.cos(pt), np.sin(pt), np.cos(rl), np.sin(rl)
    o, z = np.ones(T), np.zeros(T)
    Ry = np.stack([np.stack([cy, z, sy], -1), np.stack([z, o, z], -1), np.stack([-sy, z, cy], -1)], 1)
    Rx = np.stack([np.stack([o, z, z], -1), np.stack([z, cp, -sp], -1), np.stack([z, sp, cp], -1)], 1)
    Rz = np.stack([np.stack([cr, -sr, z], -1), np.stack([sr, cr, z], -1), np.stack([z, z, o], -1)], 1)
    return Rz @ Ry @ Rx


def face_points(controls: dict[str, np.ndarray]) -> np.ndarray:
    """Face mesh over time: controls (each ``(T,)``) -> ``(T, 468, 3)`` in IOD units, head-rotated.

    The head rotates about a pivot behind the chin (the top of the neck); the expression is applied
    first, in the face's own frame, so recorded amounts are exact in that frame.
    """
    T = len(next(iter(controls.values())))
    c = {k: np.asarray(controls.get(k, np.zeros(T)), dtype=np.float64) for k in CONTROLS}
    w = _weights()
    p0 = face_rest()
    pts = np.broadcast_to(p0, (T, 468, 3)).copy()
    pts[:, :, 1] -= c["brow_raise"][:, None] * w["brow"][None, :]
    pts[:, :, 1] += c["brow_furrow"][:, None] * w["brow"][None, :] * (w["brow"] >= 1.0)[None, :]
    toward_mid = -np.sign(p0[:, 0] - w["center_x"])
    pts[:, :, 0] += 0.6 * c["brow_furrow"][:, None] * (w["inner"] * toward_mid)[None, :]
    up, lo = np.array(UPPER_LID), np.array(LOWER_LID)
    gap = p0[lo, 1] - p0[up, 1]  # (14,) positive
    pts[:, up, 1] += 0.95 * c["blink"][:, None] * gap[None, :]
    # the rest mouth is open by ~0.11 IOD (points 13-14): closing further would cross the lips
    pts[:, :, 1] += np.maximum(c["mouth_open"], -0.09)[:, None] * w["jaw"][None, :]
    s = c["mouth_spread"][:, None]
    pts[:, :, 0] += s * (w["corner_r"] - w["corner_l"])[None, :]
    pts[:, :, 1] -= 0.4 * s * (w["corner_r"] + w["corner_l"])[None, :]
    R = _rot(c["yaw_deg"], c["pitch_deg"], c["roll_deg"])
    pivot = np.array([0.0, 0.95, 0.45])
    return np.einsum("tij,tpj->tpi", R, pts - pivot) + pivot


def yaw_proxy(face: np.ndarray) -> np.ndarray:
    """A head-yaw proxy from a face mesh ``(T, 468, >=2)``: nose-tip x offset from the eye-corner midpoint,
    over the eye-corner distance (positive = nose toward image +x)."""
    mid = 0.5 * (face[:, 33, 0] + face[:, 263, 0])
    iod = np.linalg.norm(face[:, 263, :2] - face[:, 33, :2], axis=1)
    return (face[:, 1, 0] - mid) / np.maximum(iod, 1e-9)
