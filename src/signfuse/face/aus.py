"""Action units from the geometry of the face mesh, normalized by face size and head pose.

How a frame is measured
-----------------------
1. Head pose by PnP on rigid points (:mod:`signfuse.face.headpose`) gives a rotation ``R``, a scale ``s``
   (pixels per model unit) and a translation.
2. The mesh points that define the AUs are brought into the model's frontal frame:
   ``Y = R^T (p - t) / s``. Units are the face model's (outer-eye-corner distance 33-263 = 1), so
   every measure is **normalized by face size** and independent of head rotation and distance. The
   depth of a point is MediaPipe's z when the landmarks have one (calibrated against the model's depth
   once per sequence), otherwise the model's depth for that point.
3. Each AU is a signed distance in that frame (below; y points down, x to the signer's left), minus
   a **reference** value, divided by a typical full-intensity change and multiplied by the AU's sign,
   so 0 is neutral, about 1 a strong action, negative the opposite movement (values are not clipped).

The reference is, by default, the measure on the shipped 3-D face model (an average of two real
faces); with a per-signer ``baseline`` it is that signer's neutral face: ``"first"`` (the first frame
with a face), ``"median"`` (the median over all frames with a face: right when expressions are
shorter than half the recording) or the landmarks of a neutral recording (median over its frames).
A baseline also subtracts its head pose from pitch, yaw and roll.

Definitions (R = signer's right, L = signer's left; a ``y(..)`` is the mean y of the points)
------------------------------------------------------------------------------------------------
======  =====================  ==========================================================  ====  =====
AU      name                   measure (mesh point indices)                                sign  scale
======  =====================  ==========================================================  ====  =====
AU01    inner brow raiser      y(inner eye corner R 133 / L 362) - y(inner brow R 107 66     +   0.10
                               55 65 / L 336 296 285 295), mean of both sides
AU02    outer brow raiser      y(outer eye corner R 33 / L 263) - y(outer brow R 70 63 46     +   0.10
                               53 / L 300 293 276 283)
AU04    brow lowerer           brow height y(33 133 263 362) - y(all 20 brow points) plus    -   0.10
                               half the inner-brow gap x(285 336) - x(55 107)
AU05    upper lid raiser       y(eye corners 33 133 / 263 362) - y(upper lid 159 158 160 /    +   0.03
                               386 385 387)
AU06    cheek raiser           y(cheek R 117 118 50 101 / L 346 347 280 330) - y(lower lid    -   0.05
                               145 / 374)
AU07    lid tightener          y(lower lid 145 144 153 / 374 373 380) - y(eye corners)        -   0.02
AU09    nose wrinkler          y(nose alae 98 327) - y(inner eye corners 133 362)             -   0.04
AU10    upper lip raiser       y(upper lip top 0 37 267) - y(subnasale 2)                     -   0.04
AU12    lip corner puller      corner elevation y(13 14) - y(61 291) plus half the mouth      +   0.06
                               width x(291) - x(61)
AU15    lip corner depressor   corner elevation y(13 14) - y(61 291)                          -   0.04
AU17    chin raiser            y(chin 152) - y(lower lip bottom 17)                           -   0.04
AU20    lip stretcher          mouth width x(291) - x(61)                                     +   0.08
AU23    lip tightener          lip thickness (y(13) - y(0)) + (y(17) - y(14))                 -   0.04
AU25    lips part              inner-lip gap y(14 87 317) - y(13 82 312)                      +   0.10
AU26    jaw drop               y(chin 152) - y(subnasale 2)                                   +   0.15
AU45    blink                  1 - eye openness / reference eye openness (0 open as at        +   1
                               rest, 1 closed)
======  =====================  ==========================================================  ====  =====

Other columns: ``eye_open_r``/``eye_open_l`` = lid gap y(lower lid 145 153 144 / 374 380 373) -
y(upper lid 159 158 160 / 386 385 387) over the eye width |x(33) - x(133)| / |x(263) - x(362)|
(raw ratio, about 0.2-0.35 open, near 0 closed); ``mouth_open`` = inner-lip gap over mouth width;
``gaze_x``/``gaze_y`` (478-point meshes only) = iris centre (468 R, 473 L) relative to the middle of
its eye (corners for x, lids 159/145 and 386/374 for y), in half eye widths, mean of both eyes:
positive x = toward the signer's left, positive y = down; relative to the head, not the camera.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from ..errors import DataError, ParameterError
from ..sequence import LandmarkSequence
from ..streams import Stream
from .headpose import RIGID_POINTS, _pose_core, euler_from_matrices, face_model, face_points

__all__ = ["action_units", "features", "raw_measures", "AU_NAMES", "AU_TABLE", "POSE_NAMES", "MEASURE_POINTS"]

log = logging.getLogger(__name__)

AU_NAMES: tuple[str, ...] = (
    "AU01",
    "AU02",
    "AU04",
    "AU05",
    "AU06",
    "AU07",
    "AU09",
    "AU10",
    "AU12",
    "AU15",
    "AU17",
    "AU20",
    "AU23",
    "AU25",
    "AU26",
    "AU45",
)
POSE_NAMES: tuple[str, ...] = ("pitch", "yaw", "roll")

# AU -> (description, raw measure name, sign, full-intensity change in model units)
AU_TABLE: dict[str, tuple[str, str, float, float]] = {
    "AU01": ("inner brow raiser", "inner_brow", +1, 0.10),
    "AU02": ("outer brow raiser", "outer_brow", +1, 0.10),
    "AU04": ("brow lowerer", "brow_lower", -1, 0.10),
    "AU05": ("upper lid raiser", "upper_lid", +1, 0.03),
    "AU06": ("cheek raiser", "cheek", -1, 0.05),
    "AU07": ("lid tightener", "lower_lid", -1, 0.02),
    "AU09": ("nose wrinkler", "nose", -1, 0.04),
    "AU10": ("upper lip raiser", "upper_lip", -1, 0.04),
    "AU12": ("lip corner puller", "smile", +1, 0.06),
    "AU15": ("lip corner depressor", "corner_elev", -1, 0.04),
    "AU17": ("chin raiser", "chin", -1, 0.04),
    "AU20": ("lip stretcher", "mouth_width", +1, 0.08),
    "AU23": ("lip tightener", "lip_thickness", -1, 0.04),
    "AU25": ("lips part", "lip_gap", +1, 0.10),
    "AU26": ("jaw drop", "jaw", +1, 0.15),
    "AU45": ("blink", "eye_open", +1, 1.0),
}

_IN_BROW_R, _IN_BROW_L = (107, 66, 55, 65), (336, 296, 285, 295)
_OUT_BROW_R, _OUT_BROW_L = (70, 63, 46, 53), (300, 293, 276, 283)
_UP_LID_R, _UP_LID_L = (159, 158, 160), (386, 385, 387)
_LO_LID_R, _LO_LID_L = (145, 153, 144), (374, 380, 373)
_CHEEK_R, _CHEEK_L = (117, 118, 50, 101), (346, 347, 280, 330)
_BROWS = _IN_BROW_R + _IN_BROW_L + _OUT_BROW_R + _OUT_BROW_L + (105, 334, 52, 282, 46, 276)

#: every mesh point the measures read (besides the rigid pose points)
MEASURE_POINTS: tuple[int, ...] = tuple(
    sorted(
        set(
            _IN_BROW_R
            + _IN_BROW_L
            + _OUT_BROW_R
            + _OUT_BROW_L
            + _BROWS
            + _UP_LID_R
            + _UP_LID_L
            + _LO_LID_R
            + _LO_LID_L
            + _CHEEK_R
            + _CHEEK_L
            + (33, 133, 263, 362, 98, 327, 0, 37, 267, 2, 13, 14, 61, 291, 152, 17, 82, 87, 312, 317)
        )
    )
)

_MEASURES = (
    "inner_brow",
    "outer_brow",
    "brow_lower",
    "upper_lid",
    "cheek",
    "lower_lid",
    "nose",
    "upper_lip",
    "smile",
    "corner_elev",
    "chin",
    "mouth_width",
    "lip_thickness",
    "lip_gap",
    "jaw",
    "eye_open",
    "eye_open_r",
    "eye_open_l",
    "mouth_open",
)


def _measures(Y: np.ndarray, col: dict[int, int]) -> dict[str, np.ndarray]:
    """Raw measures from frontalized points ``Y (T, n, 3)``; ``col`` maps mesh index -> column of Y."""

    def y(*pts: int) -> np.ndarray:
        return Y[:, [col[p] for p in pts], 1].mean(axis=1)

    def x(*pts: int) -> np.ndarray:
        return Y[:, [col[p] for p in pts], 0].mean(axis=1)

    m: dict[str, np.ndarray] = {}
    m["inner_brow"] = 0.5 * ((y(133) - y(*_IN_BROW_R)) + (y(362) - y(*_IN_BROW_L)))
    m["outer_brow"] = 0.5 * ((y(33) - y(*_OUT_BROW_R)) + (y(263) - y(*_OUT_BROW_L)))
    m["brow_lower"] = (y(33, 133, 263, 362) - y(*_BROWS)) + 0.5 * (x(285, 336) - x(55, 107))
    m["upper_lid"] = 0.5 * ((y(33, 133) - y(*_UP_LID_R)) + (y(263, 362) - y(*_UP_LID_L)))
    m["cheek"] = 0.5 * ((y(*_CHEEK_R) - y(145)) + (y(*_CHEEK_L) - y(374)))
    m["lower_lid"] = 0.5 * ((y(*_LO_LID_R) - y(33, 133)) + (y(*_LO_LID_L) - y(263, 362)))
    m["nose"] = y(98, 327) - y(133, 362)
    m["upper_lip"] = y(0, 37, 267) - y(2)
    elev = y(13, 14) - y(61, 291)
    width = x(291) - x(61)
    m["smile"] = elev + 0.5 * width
    m["corner_elev"] = elev
    m["chin"] = y(152) - y(17)
    m["mouth_width"] = width
    m["lip_thickness"] = (y(13) - y(0)) + (y(17) - y(14))
    gap = y(14, 87, 317) - y(13, 82, 312)
    m["lip_gap"] = gap
    m["jaw"] = y(152) - y(2)
    eye_r = (y(*_LO_LID_R) - y(*_UP_LID_R)) / np.maximum(np.abs(x(33) - x(133)), 1e-6)
    eye_l = (y(*_LO_LID_L) - y(*_UP_LID_L)) / np.maximum(np.abs(x(263) - x(362)), 1e-6)
    m["eye_open_r"], m["eye_open_l"] = eye_r, eye_l
    m["eye_open"] = 0.5 * (eye_r + eye_l)
    m["mouth_open"] = (y(14) - y(13)) / np.maximum(np.abs(width), 1e-6)
    return m


def _model_reference() -> dict[str, float]:
    pts = np.array(MEASURE_POINTS)
    Y = face_model()[pts][None]
    return {k: float(v[0]) for k, v in _measures(Y, {int(p): i for i, p in enumerate(pts)}).items()}


def _frontalize(seq: LandmarkSequence, person: int) -> dict[str, Any]:
    """Pose and frontalized measure points for every frame."""
    rigid = np.array(RIGID_POINTS)
    meas = np.array(MEASURE_POINTS)
    n_face = seq.component("FACE").n_points if seq.has("FACE") else 0
    iris = n_face >= 478
    extra = np.array([468, 473, 159, 145, 386, 374, 33, 133, 263, 362]) if iris else np.zeros(0, int)
    pts = np.concatenate([rigid, meas, extra])
    xyz, present, has_depth = face_points(seq, person=person, points=pts)
    K = len(rigid)
    R, ok, s, t = _pose_core(xyz[:, :K], present[:, :K], width=seq.width, height=seq.height)
    ok &= present.all(axis=1)
    T = seq.n_frames
    model = face_model()
    # every frame is computed; frames without a face carry NaN in R, s, t and so come out NaN
    # (no gather/scatter of the big arrays: that costs more than the arithmetic)
    R[~ok], s[~ok], t[~ok] = np.nan, np.nan, np.nan
    pose = euler_from_matrices(R) if T else np.zeros((0, 3))
    X_r = model[rigid]
    z_pred = s[:, None] * (R[:, 2] @ X_r.T)  # (T, K) model depth, scaled
    a = 0.0
    if has_depth and ok.any():
        zp = z_pred[ok] - z_pred[ok].mean(axis=1, keepdims=True)
        zd = xyz[ok, :K, 2] - xyz[ok, :K, 2].mean(axis=1, keepdims=True)
        den = float(np.sum(zd * zd))
        a = float(np.sum(zd * zp)) / den if den > 0 else 0.0
        if not np.isfinite(a) or a <= 0:
            log.info("landmark depth does not match the face model (scale %.3g); using the model's depth", a)
            a = 0.0
    if a > 0:
        z = (xyz[..., 2] - xyz[:, :K, 2].mean(axis=1, keepdims=True)) * a + z_pred.mean(axis=1, keepdims=True)
    else:
        Xall = model[np.where(pts == 468, 145, np.where(pts == 473, 374, pts))]  # iris ~ its eye's depth
        z = s[:, None] * (R[:, 2] @ Xall.T)
    with np.errstate(invalid="ignore", divide="ignore"):
        inv_s = (1.0 / s)[:, None]
    rx, ry, rz = (xyz[..., 0] - t[:, :1]) * inv_s, (xyz[..., 1] - t[:, 1:]) * inv_s, z * inv_s
    Y = np.empty((T, len(pts), 3))
    for c in range(3):  # Y = R^T rel, written out: batched 3x3 matmuls are slow in numpy
        Y[:, :, c] = rx * R[:, 0, c : c + 1] + ry * R[:, 1, c : c + 1] + rz * R[:, 2, c : c + 1]
    return {"Y": Y, "pose": pose, "ok": ok, "pts": pts, "iris": iris}


def raw_measures(seq: LandmarkSequence, *, person: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """``(measures {name: (T,)}, pose (T, 3), ok (T,))``: the un-referenced geometry behind the AUs."""
    f = _frontalize(seq, person)
    col = {int(p): i for i, p in enumerate(f["pts"][: len(RIGID_POINTS) + len(MEASURE_POINTS)])}
    m = _measures(f["Y"], col)
    return m, f["pose"], f["ok"]


def _gaze(Y: np.ndarray, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n0 = len(pts) - 10
    e = Y[:, n0:]  # 468, 473, 159, 145, 386, 374, 33, 133, 263, 362
    hw_r = np.maximum(np.abs(e[:, 7, 0] - e[:, 6, 0]) / 2, 1e-6)
    hw_l = np.maximum(np.abs(e[:, 8, 0] - e[:, 9, 0]) / 2, 1e-6)
    gx = 0.5 * (
        (e[:, 0, 0] - 0.5 * (e[:, 6, 0] + e[:, 7, 0])) / hw_r + (e[:, 1, 0] - 0.5 * (e[:, 8, 0] + e[:, 9, 0])) / hw_l
    )
    gy = 0.5 * (
        (e[:, 0, 1] - 0.5 * (e[:, 2, 1] + e[:, 3, 1])) / hw_r + (e[:, 1, 1] - 0.5 * (e[:, 4, 1] + e[:, 5, 1])) / hw_l
    )
    return gx, gy


def _reference(
    baseline: Any, m: dict[str, np.ndarray], pose: np.ndarray, ok: np.ndarray, person: int
) -> tuple[dict[str, float], np.ndarray]:
    """Reference measures and pose offset for a baseline spec."""
    if baseline is None:
        return _model_reference(), np.zeros(3)
    if isinstance(baseline, str):
        if baseline not in ("first", "median"):
            raise ParameterError(f"baseline={baseline!r} must be None, 'first', 'median' or a neutral LandmarkSequence")
        if not ok.any():
            raise DataError(f"baseline={baseline!r}: no frame has a face to take the neutral from")
        if baseline == "first":
            k = int(np.flatnonzero(ok)[0])
            return {n: float(v[k]) for n, v in m.items()}, pose[k].copy()
        return ({n: float(np.median(v[ok])) for n, v in m.items()}, np.median(pose[ok], axis=0))
    if isinstance(baseline, LandmarkSequence):
        bm, bpose, bok = raw_measures(baseline, person=person)
        if not bok.any():
            raise DataError("the baseline landmarks have no frame with a face")
        return ({n: float(np.median(v[bok])) for n, v in bm.items()}, np.median(bpose[bok], axis=0))
    raise ParameterError(
        f"baseline must be None, 'first', 'median' or a LandmarkSequence, got {type(baseline).__name__}"
    )


def _au_matrix(m: dict[str, np.ndarray], ref: dict[str, float]) -> np.ndarray:
    cols = []
    for au in AU_NAMES:
        _, key, sign, scale = AU_TABLE[au]
        if au == "AU45":
            cols.append(1.0 - m[key] / max(ref[key], 1e-6))
        else:
            cols.append(sign * (m[key] - ref[key]) / scale)
    return np.stack(cols, axis=1)


def features(seq: LandmarkSequence, *, baseline: Any = None, person: int = 0) -> Stream:
    """All face features per frame as a Stream named ``"au"``.

    Columns: ``pitch, yaw, roll`` (degrees, see :mod:`signfuse.face.headpose`), ``AU01`` ... ``AU45``,
    ``eye_open_r, eye_open_l, mouth_open`` and, for 478-point meshes, ``gaze_x, gaze_y``. The mask is
    ``face_present``; frames without a face are NaN in every column.

    Parameters
    ----------
    seq:
        Landmarks with a ``FACE`` component of 468 or 478 points (a :class:`DataError` otherwise).
    baseline:
        ``None`` (reference = the shipped face model), ``"first"``, ``"median"``, or a
        :class:`LandmarkSequence` of the same signer's neutral face (see the module doc).
    person:
        Which person of the sequence.
    """
    f = _frontalize(seq, person)
    pts = f["pts"]
    col = {int(p): i for i, p in enumerate(pts[: len(RIGID_POINTS) + len(MEASURE_POINTS)])}
    m = _measures(f["Y"], col)
    ok, pose = f["ok"], f["pose"]
    ref, pose0 = _reference(baseline, m, pose, ok, person)
    blocks = [
        pose - pose0[None, :],
        _au_matrix(m, ref),
        np.stack([m["eye_open_r"], m["eye_open_l"], m["mouth_open"]], axis=1),
    ]
    names = list(POSE_NAMES) + list(AU_NAMES) + ["eye_open_r", "eye_open_l", "mouth_open"]
    if f["iris"]:
        gx, gy = _gaze(f["Y"], pts)
        blocks.append(np.stack([gx, gy], axis=1))
        names += ["gaze_x", "gaze_y"]
    values = np.concatenate(blocks, axis=1)
    values[~ok] = np.nan
    return Stream("au", values.astype(np.float32), tuple(names), seq.fps, times=seq.times, mask=ok)


def action_units(seq: LandmarkSequence, *, baseline: Any = None, person: int = 0) -> Stream:
    """The AU, eye, mouth and gaze columns of :func:`features` (no head pose), as a Stream ``"au"``."""
    s = features(seq, baseline=baseline, person=person)
    return s.select([n for n in s.names if n not in POSE_NAMES])
