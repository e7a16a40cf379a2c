"""Metrics for generated gesture against ground truth (audio-to-gesture evaluation).

Every function takes time-first arrays: keypoints ``(frames, joints, dims)`` or envelopes
``(frames,)``, with the frame rate given explicitly where time matters.

=====================  ==========================================================================
metric                 definition
=====================  ==========================================================================
``keypoint_l1``        mean absolute coordinate error over frames, joints and dims (lower better)
``pck``                Percentage of Correct Keypoints: fraction of (frame, joint) pairs whose
                       Euclidean error is at most ``alpha * scale``; ``scale`` is a per-frame
                       reference length (default: the diagonal of the ground truth's bounding box
                       in that frame, as in the PCK of Ginosar et al. 2019 "Speech2Gesture")
``kinematics``         mean speed, mean acceleration magnitude and mean jerk magnitude (finite
                       differences scaled by fps, per joint, averaged)
``kinematic_gaps``     absolute and relative difference of those means, generated vs real
``hellinger``          Hellinger distance sqrt(1 - sum sqrt(p q)) between two histograms, used on
                       speed histograms with shared bins (0 identical, 1 disjoint)
``frechet_distance``   Frechet distance between two Gaussians fitted to feature vectors (FGD when the
                       features come from a motion autoencoder, Yoon et al. 2020)
``envelope_corr``      Pearson correlation between two envelopes over frames valid in both
=====================  ==========================================================================

The beat alignment score lives in :mod:`signfuse.crossmodal.beats`.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import linalg

from ..errors import ParameterError
from ..validators import check_rate

__all__ = [
    "keypoint_l1",
    "pck",
    "kinematics",
    "kinematic_gaps",
    "speed_histogram",
    "hellinger",
    "speed_hellinger",
    "frechet_distance",
    "envelope_corr",
]


def _pair(pred: np.ndarray, true: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pred = np.asarray(pred, dtype=np.float64)
    true = np.asarray(true, dtype=np.float64)
    if pred.shape != true.shape:
        raise ParameterError(f"prediction shape {pred.shape} differs from ground truth shape {true.shape}")
    if pred.ndim != 3:
        raise ParameterError(f"keypoints must be (frames, joints, dims), got shape {pred.shape}")
    return pred, true


def keypoint_l1(pred: np.ndarray, true: np.ndarray) -> float:
    """Mean absolute error over frames, joints and coordinates; NaN in ``true`` is ignored."""
    pred, true = _pair(pred, true)
    err = np.abs(pred - true)
    return float(np.nanmean(err))


def pck(pred: np.ndarray, true: np.ndarray, *, alpha: float, scale: np.ndarray | float | None = None) -> float:
    """Fraction of keypoints within ``alpha * scale`` of the truth.

    ``scale``: a scalar, a per-frame ``(frames,)`` array, or None for the diagonal of the ground
    truth's per-frame bounding box.
    """
    if not (0 < alpha <= 1):
        raise ParameterError(f"PCK alpha={alpha} must be in (0, 1]")
    pred, true = _pair(pred, true)
    if scale is None:
        extent = np.nanmax(true, axis=1) - np.nanmin(true, axis=1)  # (frames, dims)
        scale = np.sqrt(np.nansum(extent**2, axis=1))  # (frames,)
    scale = np.broadcast_to(np.asarray(scale, dtype=np.float64), (true.shape[0],))
    dist = np.linalg.norm(pred - true, axis=2)  # (frames, joints)
    ok = np.isfinite(dist)
    hit = dist <= alpha * scale[:, None]
    return float(hit[ok].mean()) if ok.any() else float("nan")


def kinematics(x: np.ndarray, *, fps: float) -> dict[str, float]:
    """Mean speed, acceleration and jerk magnitudes of ``(frames, joints, dims)`` keypoints.

    Units: coordinate units per second (speed), per second^2 (acceleration), per second^3 (jerk).
    """
    fps = check_rate(fps)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3 or x.shape[0] < 4:
        raise ParameterError(f"kinematics needs (frames>=4, joints, dims) keypoints, got shape {x.shape}")
    v = np.diff(x, axis=0) * fps
    a = np.diff(v, axis=0) * fps
    j = np.diff(a, axis=0) * fps
    mag = lambda d: float(np.nanmean(np.linalg.norm(d, axis=2)))  # noqa: E731
    return {"speed": mag(v), "acceleration": mag(a), "jerk": mag(j)}


def kinematic_gaps(pred: np.ndarray, true: np.ndarray, *, fps: float) -> dict[str, float]:
    """For speed, acceleration and jerk: generated mean, real mean, and their ratio (1 is ideal)."""
    kp, kt = kinematics(pred, fps=fps), kinematics(true, fps=fps)
    out: dict[str, float] = {}
    for k in kp:
        out[f"{k}_pred"], out[f"{k}_true"] = kp[k], kt[k]
        out[f"{k}_ratio"] = kp[k] / kt[k] if kt[k] > 0 else float("nan")
    return out


def speed_histogram(x: np.ndarray, *, fps: float, bins: np.ndarray) -> np.ndarray:
    """Normalized histogram of per-joint speeds of ``(frames, joints, dims)`` keypoints."""
    x = np.asarray(x, dtype=np.float64)
    speed = np.linalg.norm(np.diff(x, axis=0), axis=2).ravel() * fps
    speed = speed[np.isfinite(speed)]
    h, _ = np.histogram(np.clip(speed, bins[0], bins[-1]), bins=bins)
    total = h.sum()
    return h / total if total else h.astype(np.float64)


def hellinger(p: np.ndarray, q: np.ndarray) -> float:
    """Hellinger distance between two discrete distributions (normalized here)."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if p.shape != q.shape:
        raise ParameterError(f"histograms differ in shape: {p.shape} vs {q.shape}")
    if np.any(p < 0) or np.any(q < 0) or p.sum() <= 0 or q.sum() <= 0:
        raise ParameterError("histograms must be non-negative with a positive sum")
    p, q = p / p.sum(), q / q.sum()
    bc = float(np.sum(np.sqrt(p * q)))
    return float(np.sqrt(max(0.0, 1.0 - bc)))


def speed_hellinger(pred: np.ndarray, true: np.ndarray, *, fps: float, n_bins: int = 30) -> float:
    """Hellinger distance between speed histograms; bins span 0 .. the 99th percentile of real speed."""
    pred, true = _pair(pred, true)
    real_speed = np.linalg.norm(np.diff(true, axis=0), axis=2).ravel() * fps
    top = float(np.nanpercentile(real_speed, 99)) if np.isfinite(real_speed).any() else 1.0
    bins = np.linspace(0.0, max(top, 1e-9), n_bins + 1)
    return hellinger(
        speed_histogram(pred, fps=fps, bins=bins) + 1e-12, speed_histogram(true, fps=fps, bins=bins) + 1e-12
    )


def frechet_distance(feats_a: np.ndarray, feats_b: np.ndarray) -> float:
    """Frechet distance between Gaussians fitted to ``(n, d)`` feature sets.

    ``||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))``, as in FID/FGD.
    """
    a = np.asarray(feats_a, dtype=np.float64)
    b = np.asarray(feats_b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ParameterError(f"feature sets must be (n, d) with equal d, got {a.shape} and {b.shape}")
    if len(a) < 2 or len(b) < 2:
        raise ParameterError("Frechet distance needs at least two feature vectors per set")
    mu_a, mu_b = a.mean(0), b.mean(0)
    sa, sb = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # a degenerate set (e.g. a constant baseline) has a singular covariance: scipy warns, and we
        # retry with a small ridge, as the reference FID implementation does
        warnings.simplefilter("ignore")
        covmean = linalg.sqrtm(sa @ sb)
        if not np.isfinite(covmean).all():
            eps = np.eye(sa.shape[0]) * 1e-6
            covmean = linalg.sqrtm((sa + eps) @ (sb + eps))
    covmean = np.real(covmean)
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(sa + sb - 2.0 * covmean))


def envelope_corr(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two ``(frames,)`` envelopes over frames finite in both."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ParameterError(f"envelopes differ in length: {a.shape[0]} vs {b.shape[0]}")
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3 or np.std(a[ok]) == 0 or np.std(b[ok]) == 0:
        return float("nan")
    return float(np.corrcoef(a[ok], b[ok])[0, 1])
