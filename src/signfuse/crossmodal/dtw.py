"""Dynamic time warping between two envelopes (e.g. audio RMS and hand speed).

A vectorized implementation without numba (librosa's DTW compiles with numba on first use, which
costs seconds; this one sweeps anti-diagonals with numpy, O(N + M) Python steps of O(min(N, M)) work).
Steps are the classic (1, 0), (0, 1), (1, 1) with unit weights; an optional Sakoe-Chiba band limits
``|i - j * N / M|`` to ``band`` frames. Envelopes are z-scored first by :func:`align_envelopes` so that
level and scale differences between modalities do not dominate the cost.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import DataError, ParameterError
from ..validators import check_rate

__all__ = ["dtw", "align_envelopes"]


def dtw(x: np.ndarray, y: np.ndarray, *, band: int | None = None) -> tuple[float, np.ndarray]:
    """DTW of ``x (N,)`` or ``(N, F)`` against ``y (M,)`` or ``(M, F)`` with Euclidean local cost.

    Returns ``(total cost, path (K, 2) int)``; the path runs from ``(0, 0)`` to ``(N-1, M-1)``.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    x = x[:, None] if x.ndim == 1 else x
    y = y[:, None] if y.ndim == 1 else y
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
        raise ParameterError(
            f"x and y must be (frames,) or (frames, features) with equal features, got {x.shape} and {y.shape}"
        )
    N, M = x.shape[0], y.shape[0]
    if N == 0 or M == 0:
        raise DataError("DTW needs two non-empty sequences")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise DataError("DTW inputs contain NaN or inf")
    C = np.sqrt(((x[:, None, :] - y[None, :, :]) ** 2).sum(-1))
    if band is not None:
        if band < 0:
            raise ParameterError(f"band={band} must be a non-negative number of frames")
        i = np.arange(N)[:, None]
        j = np.arange(M)[None, :]
        C = np.where(np.abs(i - j * (N - 1) / max(M - 1, 1)) <= band + 0.5, C, np.inf)
    D = np.full((N + 1, M + 1), np.inf)
    D[0, 0] = 0.0
    for d in range(2, N + M + 1):  # d = i + j in 1-based padded indices
        i = np.arange(max(1, d - M), min(N, d - 1) + 1)
        j = d - i
        best = np.minimum(np.minimum(D[i - 1, j], D[i, j - 1]), D[i - 1, j - 1])
        D[i, j] = C[i - 1, j - 1] + best
    total = float(D[N, M])
    if not math.isfinite(total):
        raise DataError(f"no warping path within band={band}; widen the band")
    # backtrack
    path = []
    i, j = N, M
    while i > 0 and j > 0:
        path.append((i - 1, j - 1))
        k = int(np.argmin((D[i - 1, j - 1], D[i - 1, j], D[i, j - 1])))
        if k == 0:
            i, j = i - 1, j - 1
        elif k == 1:
            i -= 1
        else:
            j -= 1
    return total, np.array(path[::-1], dtype=np.int64)


def _z(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    s = v.std()
    return (v - v.mean()) / s if s > 0 else v - v.mean()


def align_envelopes(motion_env: np.ndarray, audio_env: np.ndarray, *, fps: float, band_s: float | None = 1.0) -> dict:
    """DTW alignment of a motion envelope and an audio envelope sampled at the same ``fps``.

    Returns ``cost`` (total), ``normalized_cost`` (per path step), ``path`` ((K, 2) frames: motion,
    audio), ``median_offset_s`` (median of ``(audio frame - motion frame) / fps`` along the path: positive
    when the audio follows the motion) and ``warp_std_s`` (spread of that offset).
    """
    fps = check_rate(fps)
    band = None if band_s is None else int(round(band_s * fps))
    cost, path = dtw(_z(motion_env), _z(audio_env), band=band)
    off = (path[:, 1] - path[:, 0]) / float(fps)
    return {
        "cost": cost,
        "normalized_cost": cost / len(path),
        "path": path,
        "median_offset_s": float(np.median(off)),
        "warp_std_s": float(np.std(off)),
    }
