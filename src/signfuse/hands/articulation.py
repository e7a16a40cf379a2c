"""Finger joint angles and handshape features from MediaPipe's 21-point hands, vectorized over frames.

Points (MediaPipe hand topology): 0 wrist; thumb 1 CMC, 2 MCP, 3 IP, 4 tip; index 5 MCP, 6 PIP, 7 DIP,
8 tip; middle 9-12; ring 13-16; pinky 17-20.

**Flexion** of a joint is the angle between the bone entering it and the bone leaving it, in degrees:
0 for a straight finger, about 90 for a right-angle bend. Three joints per finger, proximal to distal:
thumb CMC (wrist-1-2), MCP (1-2-3), IP (2-3-4); fingers MCP (0-MCP-PIP), PIP, DIP. Angles use the 3-D
points when the hand has depth, else 2-D (which under-reads bends toward the camera). MediaPipe's hand
z is on the scale of normalized x: when x and y are pixels but z is still normalized (as pose-format
and ``signfuse extract`` store it), z is multiplied by the image width, or dropped when the width is
unknown. Column names: ``{left|right}_{finger}_{1|2|3}``.

**Handshape descriptor** per hand (Stream ``"handshape"``):
``{side}_{finger}_ext``  extension 0..1 = 1 - (sum of the finger's three flexions) / 270, clipped;
``{side}_spread_{a}_{b}`` angle in degrees between the MCP->tip directions of adjacent fingers
(thumb-index, index-middle, middle-ring, ring-pinky);
``{side}_thumb_{finger}`` distance from the thumb tip to each other fingertip over the palm size
(wrist to middle MCP), small when they touch (pinches, O-shapes).
:func:`handshape_codes` turns extensions into one letter per finger (thumb first): ``E`` extended
(ext > 0.7), ``B`` bent (0.4..0.7), ``C`` curled (< 0.4), ``-`` hand missing.

**Distances** (Stream ``"hand_distances"``), in the image plane (x, y: hand and face depths are not
comparable in MediaPipe), in units of shoulder width (POSE 11-12, median over the sequence) when the pose
is present, else of the face's outer-eye-corner distance (FACE 33-263, median) times 3 (about a
shoulder width), else pixels: ``left_hand_face``/``right_hand_face`` = smallest distance between any
point of the hand and the face (oval, nose, lips: 49 mesh points); ``hand_hand`` = smallest distance
between a left-hand and a right-hand point; ``wrist_wrist``. NaN when a part is missing.
"""

from __future__ import annotations

import logging

import numpy as np

from ..errors import DataError, ParameterError
from ..sequence import LandmarkSequence
from ..streams import Stream
from ..topology import FACE_REGIONS

__all__ = ["FINGERS", "flexion", "handshape", "handshape_codes", "distances"]

log = logging.getLogger(__name__)

FINGERS: tuple[str, ...] = ("thumb", "index", "middle", "ring", "pinky")
_CHAINS = {
    "thumb": (0, 1, 2, 3, 4),
    "index": (0, 5, 6, 7, 8),
    "middle": (0, 9, 10, 11, 12),
    "ring": (0, 13, 14, 15, 16),
    "pinky": (0, 17, 18, 19, 20),
}
_SIDES = {"left": "LEFT_HAND", "right": "RIGHT_HAND"}
_FACE_PTS = np.array(sorted(set(FACE_REGIONS["oval"] + FACE_REGIONS["nose"] + (61, 291, 13, 14, 0, 17))))


def _points(
    seq: LandmarkSequence, name: str, person: int, idx: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``(xyz (T, n, 3) float64 isotropic units, present (T,) all points present)``; NaN when absent."""
    if not 0 <= person < seq.n_people:
        raise ParameterError(f"person={person} is out of range (the sequence has {seq.n_people})")
    T = seq.n_frames
    if not seq.has(name):
        n = 21 if idx is None else len(idx)
        return np.full((T, n, 3), np.nan), np.zeros(T, bool)
    sl = seq.component_slice(name)
    ii = np.arange(sl.start, sl.stop) if idx is None else sl.start + np.asarray(idx)
    d = min(seq.dims, 3)
    xyz = np.zeros((T, len(ii), 3))
    xyz[..., :d] = seq.data[:, person, ii, :d]
    ok = (seq.confidence[:, person, ii] > 0) & np.all(np.isfinite(xyz), axis=-1)
    seen = xyz[ok]
    normalized = bool(seen.size) and seen[:, :2].min() >= -0.5 and seen[:, :2].max() <= 1.5
    if normalized and seq.width and seq.height:
        xyz *= np.array([seq.width, seq.height, seq.width])
    elif seen.size and seq.dims >= 3 and not normalized:
        # pixels in x, y but MediaPipe's z left on the normalized scale (pose-format and `signfuse extract`
        # store it so): bring z to pixels with the width, or drop it when the width is unknown
        z_spread, xy_spread = float(np.ptp(seen[:, 2])), float(np.ptp(seen[:, :2]))
        if xy_spread > 0 and z_spread < 0.05 * xy_spread:
            if seq.width:
                xyz[..., 2] *= seq.width
            else:
                xyz[..., 2] = 0.0
    present = ok.all(axis=1)
    xyz[~present] = np.nan
    return xyz, present


def _angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle in degrees between vectors ``(..., 3)``."""
    na, nb = np.linalg.norm(a, axis=-1), np.linalg.norm(b, axis=-1)
    cos = np.sum(a * b, axis=-1) / np.maximum(na * nb, 1e-12)
    out = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    return np.where((na > 0) & (nb > 0), out, np.nan)


def _hand_flexion(h: np.ndarray, use_depth: bool) -> np.ndarray:
    """``(T, 21, 3)`` -> ``(T, 15)`` flexion angles (finger-major, proximal first)."""
    if not use_depth:
        h = h.copy()
        h[..., 2] = 0.0
    cols = []
    for f in FINGERS:
        c = _CHAINS[f]
        for j in range(1, 4):
            cols.append(_angle(h[:, c[j]] - h[:, c[j - 1]], h[:, c[j + 1]] - h[:, c[j]]))
    return np.stack(cols, axis=1)


def _has_depth(seq: LandmarkSequence, h: np.ndarray) -> bool:
    z = h[..., 2]
    return seq.dims >= 3 and bool(np.isfinite(z).any()) and float(np.nanmax(z) - np.nanmin(z)) > 0


def flexion(seq: LandmarkSequence, *, person: int = 0) -> Stream:
    """Finger joint flexion, Stream ``"hand_flexion"`` ``(T, 30)``: left then right hand, 15 angles each."""
    cols, names, masks = [], [], []
    for side, comp in _SIDES.items():
        h, present = _points(seq, comp, person)
        cols.append(_hand_flexion(h, _has_depth(seq, h)))
        names += [f"{side}_{f}_{j}" for f in FINGERS for j in (1, 2, 3)]
        masks.append(present)
    if not (seq.has("LEFT_HAND") or seq.has("RIGHT_HAND")):
        raise DataError(f"the landmarks have no hand component (components: {list(seq.component_names)})")
    return Stream(
        "hand_flexion",
        np.concatenate(cols, axis=1).astype(np.float32),
        tuple(names),
        seq.fps,
        times=seq.times,
        mask=np.logical_or(*masks),
    )


def handshape(seq: LandmarkSequence, *, person: int = 0) -> Stream:
    """Handshape descriptor, Stream ``"handshape"`` (columns in the module doc), left then right hand."""
    if not (seq.has("LEFT_HAND") or seq.has("RIGHT_HAND")):
        raise DataError(f"the landmarks have no hand component (components: {list(seq.component_names)})")
    cols, names, masks = [], [], []
    for side, comp in _SIDES.items():
        h, present = _points(seq, comp, person)
        fl = _hand_flexion(h, _has_depth(seq, h)).reshape(-1, 5, 3)
        ext = np.clip(1.0 - fl.sum(axis=2) / 270.0, 0.0, 1.0)
        cols.append(ext)
        names += [f"{side}_{f}_ext" for f in FINGERS]
        dirs = {f: h[:, _CHAINS[f][4]] - h[:, _CHAINS[f][1 if f != "thumb" else 2]] for f in FINGERS}
        for a, b in zip(FINGERS[:-1], FINGERS[1:]):
            cols.append(_angle(dirs[a], dirs[b])[:, None])
            names.append(f"{side}_spread_{a}_{b}")
        palm = np.linalg.norm(h[:, 9] - h[:, 0], axis=-1)
        palm = np.where(palm > 0, palm, np.nan)
        for f in FINGERS[1:]:
            cols.append((np.linalg.norm(h[:, 4] - h[:, _CHAINS[f][4]], axis=-1) / palm)[:, None])
            names.append(f"{side}_thumb_{f}")
        masks.append(present)
    return Stream(
        "handshape",
        np.concatenate(cols, axis=1).astype(np.float32),
        tuple(names),
        seq.fps,
        times=seq.times,
        mask=np.logical_or(*masks),
    )


def handshape_codes(seq: LandmarkSequence | Stream, *, side: str, person: int = 0) -> list[str]:
    """One 5-letter code per frame for one hand (``E``/``B``/``C`` per finger, thumb first; ``-----`` if missing)."""
    if side not in _SIDES:
        raise ParameterError(f"side={side!r} must be 'left' or 'right'")
    s = seq if isinstance(seq, Stream) else handshape(seq, person=person)
    ext = s.select([f"{side}_{f}_ext" for f in FINGERS]).values
    letters = np.where(ext > 0.7, "E", np.where(ext >= 0.4, "B", "C"))
    letters = np.where(np.isfinite(ext), letters, "-")
    return ["".join(r) for r in letters]


def _min_dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Smallest 2-D distance between point sets ``a (T, n, 3)`` and ``b (T, m, 3)`` per frame."""
    d = np.linalg.norm(a[:, :, None, :2] - b[:, None, :, :2], axis=-1)
    with np.errstate(all="ignore"):
        out = d.reshape(d.shape[0], -1).min(axis=1) if d.size else np.full(a.shape[0], np.nan)
    return out


def distances(seq: LandmarkSequence, *, person: int = 0) -> Stream:
    """Hand-to-face and hand-to-hand distances, Stream ``"hand_distances"`` (units in the module doc)."""
    lh, lok = _points(seq, "LEFT_HAND", person)
    rh, rok = _points(seq, "RIGHT_HAND", person)
    face, fok = (
        _points(seq, "FACE", person, _FACE_PTS)
        if seq.has("FACE") and seq.component("FACE").n_points >= 468
        else (np.full((seq.n_frames, len(_FACE_PTS), 3), np.nan), np.zeros(seq.n_frames, bool))
    )
    unit = np.nan
    if seq.has("POSE"):
        sh, sok = _points(seq, "POSE", person, np.array([11, 12]))
        if sok.any():
            unit = float(np.median(np.linalg.norm(sh[sok, 0, :2] - sh[sok, 1, :2], axis=-1)))
    if not (np.isfinite(unit) and unit > 0) and seq.has("FACE") and seq.component("FACE").n_points >= 468:
        eyes, eok = _points(seq, "FACE", person, np.array([33, 263]))
        if eok.any():
            unit = 3.0 * float(np.median(np.linalg.norm(eyes[eok, 0, :2] - eyes[eok, 1, :2], axis=-1)))
    if not (np.isfinite(unit) and unit > 0):
        log.info("no shoulders or face to scale hand distances; reporting raw units")
        unit = 1.0
    cols = (
        np.stack(
            [
                _min_dist(lh, face),
                _min_dist(rh, face),
                _min_dist(lh, rh),
                np.linalg.norm(lh[:, 0, :2] - rh[:, 0, :2], axis=-1),
            ],
            axis=1,
        )
        / unit
    )
    names = ("left_hand_face", "right_hand_face", "hand_hand", "wrist_wrist")
    return Stream(
        "hand_distances", cols.astype(np.float32), names, seq.fps, times=seq.times, mask=np.isfinite(cols).any(axis=1)
    )
