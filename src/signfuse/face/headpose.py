"""Head pose from the face mesh by PnP against a 3-D face model that ships with signfuse.

The model (``signfuse/assets/face_model_3d.npy``, 468 points, built by ``scripts/make_face_model.py``
from MediaPipe's mesh on two real photographs, made exactly left-right symmetric) has its x axis toward
the signer's left, y down and z away from the camera; units are the outer-eye-corner distance.

Angles (degrees), for a signer facing the camera:

``yaw``   positive when the signer turns to **their left** (the nose moves toward image +x).
``pitch`` positive when the head tips **down** (the nose moves toward image +y, chin to chest).
``roll``  positive when the top of the head tilts toward image +x (toward the signer's left
          shoulder); rotating an upright photo counter-clockwise by ``a`` degrees gives roll ``-a``.

The rotation is ``R = Rz(roll) @ Ry(-yaw) @ Rx(pitch)`` (camera frame x right, y down, z forward) and
maps model coordinates into the camera frame. Zero pitch is the head held as in the two upright
portrait photographs the model was built from (looking into the camera); a per-signer baseline
removes any remaining habitual offset.

Two solvers:

``method="pos"`` (default) PnP under the scaled-orthographic (weak-perspective) camera: the affine
    projection is fitted by least squares and projected onto the nearest scaled rotation
    (POS, DeMenthon & Davis 1995, without the perspective iterations). Vectorized over frames, so
    10,000 frames take milliseconds. Faces are small in signing videos, where weak perspective is
    accurate to about a degree.
``method="opencv"`` full-perspective ``cv2.solvePnP`` (iterative Levenberg-Marquardt started from the
    POS answer) per frame with a pinhole camera of focal length ``max(width, height)`` at the image
    centre; slower (a Python loop), for close-up video.

Only rigid points (eye corners, nose bridge and tip, forehead, temples and cheekbones) enter the fit,
so expressions (brows, lids, mouth, jaw) do not move the pose.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import DataError, ParameterError
from ..sequence import LandmarkSequence

__all__ = [
    "head_pose",
    "RIGID_POINTS",
    "face_model",
    "mirror_index",
    "rotation_matrices",
    "euler_from_matrices",
    "solve_pose",
    "face_points",
]

log = logging.getLogger(__name__)

_ASSETS = Path(__file__).resolve().parents[1] / "assets"

#: Mesh points that the pose fit uses (little moved by facial expressions).
RIGID_POINTS: tuple[int, ...] = (
    33,
    133,
    362,
    263,  # eye corners (outer right, inner right, inner left, outer left)
    6,
    168,
    197,
    195,
    5,
    4,
    1,  # nose bridge to nose tip
    10,
    151,
    9,
    109,
    338,
    67,
    297,  # forehead
    234,
    454,
    127,
    356,
    93,
    323,  # temples and cheek sides
    116,
    345,
    123,
    352,  # cheekbones
    98,
    327,
    2,  # nose base
)


@lru_cache(maxsize=1)
def face_model() -> np.ndarray:
    """The ``(468, 3)`` 3-D face model (float64, eye-corner distance 1, x signer's left, y down, z away)."""
    path = _ASSETS / "face_model_3d.npy"
    try:
        m = np.load(path).astype(np.float64)
    except (OSError, ValueError) as e:
        raise DataError(f"face model unreadable ({e}); rebuild it with scripts/make_face_model.py", path=path) from e
    if m.shape != (468, 3):
        raise DataError(f"face model has shape {m.shape}, expected (468, 3)", path=path)
    m.flags.writeable = False
    return m


@lru_cache(maxsize=1)
def mirror_index() -> np.ndarray:
    """``(468,)`` index of each mesh point's left-right mirror partner (midline points map to themselves)."""
    m = np.load(_ASSETS / "face_mirror_468.npy").astype(np.int64)
    m.flags.writeable = False
    return m


def face_points(
    seq: LandmarkSequence, *, person: int = 0, points: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Face-mesh points in isotropic image units.

    Returns ``(xyz (frames, n, 3) float64, present (frames, n) bool, has_depth)``. Coordinates that look
    normalized (all within ``[-0.5, 1.5]``) are multiplied by the image width/height when the sequence
    records them (x by width, y by height, z by width, MediaPipe's convention); otherwise they are used
    as they are. ``has_depth`` is False for 2-D data or when z is constant.
    """
    if not seq.has("FACE"):
        raise DataError(
            f"the landmarks have no FACE component (components: {list(seq.component_names)}); "
            "face features need the face mesh (extract with MediaPipe Holistic)"
        )
    comp = seq.component("FACE")
    if comp.n_points < 468:
        raise DataError(
            f"the FACE component has {comp.n_points} points; face features need MediaPipe's 468- or 478-point mesh"
        )
    if not 0 <= person < seq.n_people:
        raise ParameterError(f"person={person} is out of range (the sequence has {seq.n_people})")
    sl = seq.component_slice("FACE")
    idx = np.arange(comp.n_points) if points is None else np.asarray(points)
    d = min(seq.dims, 3)
    data = seq.data[:, person][:, sl.start + idx, :d]
    conf = seq.confidence[:, person][:, sl.start + idx]
    xyz = np.zeros(data.shape[:2] + (3,), dtype=np.float64)
    xyz[..., :d] = data
    present = (conf > 0) & np.isfinite(data).all(axis=-1)
    # normalized [0, 1] coordinates or pixels? decided on up to ~500 evenly spaced frames (cheap)
    step = max(1, xyz.shape[0] // 500)
    sample = xyz[::step][present[::step]]
    if sample.size and seq.width and seq.height and sample[:, :2].min() >= -0.5 and sample[:, :2].max() <= 1.5:
        xyz *= np.array([seq.width, seq.height, seq.width], dtype=np.float64)
    elif sample.size and sample[:, :2].min() >= -0.5 and sample[:, :2].max() <= 1.5:
        log.info("face coordinates look normalized but the image size is unknown; assuming square pixels")
    has_depth = seq.dims >= 3 and sample.size > 0 and float(np.ptp(sample[:, 2])) > 0
    xyz[~present] = np.nan
    return xyz, present, has_depth


def rotation_matrices(pitch: np.ndarray, yaw: np.ndarray, roll: np.ndarray) -> np.ndarray:
    """``(T, 3, 3)`` rotations ``Rz(roll) @ Ry(-yaw) @ Rx(pitch)`` from angles in degrees."""
    p, y, r = (np.radians(np.asarray(a, dtype=np.float64)) for a in (pitch, yaw, roll))
    y = -y
    cp, sp, cy, sy, cr, sr = np.cos(p), np.sin(p), np.cos(y), np.sin(y), np.cos(r), np.sin(r)
    o, z = np.ones_like(p), np.zeros_like(p)
    Rx = np.stack([np.stack([o, z, z], -1), np.stack([z, cp, -sp], -1), np.stack([z, sp, cp], -1)], -2)
    Ry = np.stack([np.stack([cy, z, sy], -1), np.stack([z, o, z], -1), np.stack([-sy, z, cy], -1)], -2)
    Rz = np.stack([np.stack([cr, -sr, z], -1), np.stack([sr, cr, z], -1), np.stack([z, z, o], -1)], -2)
    return Rz @ Ry @ Rx


def euler_from_matrices(R: np.ndarray) -> np.ndarray:
    """``(T, 3)`` pitch, yaw, roll in degrees from ``(T, 3, 3)`` rotations (inverse of :func:`rotation_matrices`)."""
    roll = np.arctan2(R[:, 1, 0], R[:, 0, 0])
    yaw = -np.arcsin(np.clip(-R[:, 2, 0], -1.0, 1.0))
    pitch = np.arctan2(R[:, 2, 1], R[:, 2, 2])
    return np.degrees(np.stack([pitch, yaw, roll], axis=1))


def solve_pose(xy: np.ndarray, model: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weak-perspective PnP (POS) for all frames at once.

    ``xy`` ``(T, K, 2)`` image points (NaN-free rows only), ``model`` ``(K, 3)``. Returns rotations
    ``(T, 3, 3)``, scales ``(T,)`` and 2-D translations ``(T, 2)`` with ``xy ~ s * (R @ X)[:2] + t``.
    """
    Xc = model - model.mean(axis=0)  # (K, 3)
    mu = xy.mean(axis=1)  # (T, 2)
    xc = xy - mu[:, None, :]
    P = np.linalg.pinv(Xc)  # (3, K)
    M = np.einsum("ik,tkj->tji", P, xc)  # (T, 2, 3): xc ~ Xc @ M^T
    U, S, Vt = np.linalg.svd(M, full_matrices=False)  # (T,2,2), (T,2), (T,2,3)
    R2 = U @ Vt  # nearest orthonormal rows
    r3 = np.cross(R2[:, 0], R2[:, 1])
    R = np.concatenate([R2, r3[:, None, :]], axis=1)
    s = S.mean(axis=1)
    t = mu - s[:, None] * (model.mean(axis=0) @ np.transpose(R[:, :2], (0, 2, 1)))
    return R, s, t


def _opencv_refine(
    xy: np.ndarray,
    model: np.ndarray,
    R0: np.ndarray,
    s0: np.ndarray,
    t0: np.ndarray,
    width: int | None,
    height: int | None,
) -> np.ndarray:
    import cv2

    out = R0.copy()
    if width and height:
        f, cx, cy = float(max(width, height)), width / 2.0, height / 2.0
    else:
        f = None
    for i in range(xy.shape[0]):
        pts = xy[i]
        if f is None:  # no image size: centre on the face, focal length ~ 6 face widths
            cxy = pts.mean(axis=0)
            fi, (cxi, cyi) = 6.0 * s0[i] * 3.0, cxy
        else:
            fi, cxi, cyi = f, cx, cy
        K = np.array([[fi, 0, cxi], [0, fi, cyi], [0, 0, 1]], dtype=np.float64)
        # initial translation: depth from the weak-perspective scale
        tz = fi / max(s0[i], 1e-9)
        c = t0[i] + s0[i] * (R0[i, :2] @ np.zeros(3))
        tvec = np.array([(c[0] - cxi) * tz / fi, (c[1] - cyi) * tz / fi, tz], dtype=np.float64)
        rvec, _ = cv2.Rodrigues(R0[i])
        ok, rvec, tvec = cv2.solvePnP(
            model.astype(np.float64),
            pts.astype(np.float64),
            K,
            None,
            rvec=rvec,
            tvec=tvec,
            useExtrinsicGuess=True,
            flags=cv2.SOLVEPNP_ITERATIVE,
        )
        if ok:
            out[i] = cv2.Rodrigues(rvec)[0]
    return out


def head_pose(seq: LandmarkSequence, *, method: str = "pos", person: int = 0) -> np.ndarray:
    """Head pose per frame: ``(frames, 3)`` float64 pitch, yaw, roll in degrees (conventions above).

    Frames whose rigid face points are not all present are NaN.
    """
    if method not in ("pos", "opencv"):
        raise ParameterError(f"head_pose method={method!r} must be 'pos' or 'opencv'")
    xyz, present, _ = face_points(seq, person=person, points=np.array(RIGID_POINTS))
    R, ok, *_ = _pose_core(xyz, present, method=method, width=seq.width, height=seq.height)
    out = np.full((seq.n_frames, 3), np.nan)
    if ok.any():
        out[ok] = euler_from_matrices(R[ok])
    return out


def _pose_core(
    xyz: np.ndarray, present: np.ndarray, *, method: str = "pos", width: int | None = None, height: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pose of the rigid points ``xyz (T, K, 3)``: rotations ``(T,3,3)``, ok ``(T,)``, scale, translation."""
    T = xyz.shape[0]
    model = face_model()[np.array(RIGID_POINTS)]
    ok = present.all(axis=1)
    R = np.full((T, 3, 3), np.nan)
    s = np.full(T, np.nan)
    t = np.full((T, 2), np.nan)
    if ok.any():
        Ri, si, ti = solve_pose(xyz[ok, :, :2], model)
        good = np.isfinite(si) & (si > 1e-9)
        if method == "opencv" and good.any():
            Ri[good] = _opencv_refine(xyz[ok][good, :, :2], model, Ri[good], si[good], ti[good], width, height)
        idx = np.flatnonzero(ok)
        R[idx], s[idx], t[idx] = Ri, si, ti
        ok[idx[~good]] = False
    return R, ok, s, t
