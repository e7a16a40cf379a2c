"""Beat alignment between speech and movement (the AIST++ / BEAT score).

* **Motion beats** are local minima of hand speed (the moments a stroke ends or reverses), found by
  :func:`scipy.signal.find_peaks` on ``-speed`` with a prominence of at least ``prominence`` times the
  signal's 5-95 % range and at least ``min_interval_s`` apart.
* **Audio beats** are peaks of an onset envelope (signfuse's ``onset`` column, or any envelope), with
  the same rule.
* The **beat alignment score**: for each audio beat, the distance ``d`` to the nearest motion beat;
  the score is the mean of ``exp(-d^2 / (2 sigma^2))`` (1 when every audio beat has a motion beat at
  the same instant, towards 0 when they are unrelated). AIST++ (Li et al. 2021) averages over the
  kinematic beats instead; ``reference="motion"`` gives that direction.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import find_peaks

from ..errors import ParameterError
from ..validators import check_rate

__all__ = ["beat_alignment", "motion_beats", "audio_beats", "envelope_peaks", "beat_alignment_null"]


def envelope_peaks(x: np.ndarray, *, fps: float, prominence: float = 0.1, min_interval_s: float = 0.2) -> np.ndarray:
    """Times (s) of peaks of ``x`` (see the module doc for the rule)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ParameterError(f"envelope must be 1-D, got shape {x.shape}")
    fps = check_rate(fps)
    x = np.where(np.isfinite(x), x, np.nanmin(x) if np.isfinite(x).any() else 0.0)
    if x.size < 3:
        return np.zeros(0)
    lo, hi = np.percentile(x, [5, 95])
    prom = prominence * max(hi - lo, 1e-12)
    peaks, _ = find_peaks(x, prominence=prom, distance=max(1, int(round(min_interval_s * fps))))
    return peaks / float(fps)


def motion_beats(speed: np.ndarray, *, fps: float, prominence: float = 0.1, min_interval_s: float = 0.2) -> np.ndarray:
    """Times (s) of local minima of hand speed."""
    return envelope_peaks(
        -np.asarray(speed, dtype=np.float64), fps=fps, prominence=prominence, min_interval_s=min_interval_s
    )


def audio_beats(onset: np.ndarray, *, fps: float, prominence: float = 0.1, min_interval_s: float = 0.2) -> np.ndarray:
    """Times (s) of onset-envelope peaks."""
    return envelope_peaks(onset, fps=fps, prominence=prominence, min_interval_s=min_interval_s)


def beat_alignment(audio_beats_s, motion_beats_s, *, sigma: float = 0.1, reference: str = "audio") -> float:
    """Mean over reference beats of ``exp(-d^2 / (2 sigma^2))``, ``d`` the distance to the nearest other beat.

    ``reference="audio"`` (default, BEAT-style: each audio beat looks for a motion beat) or ``"motion"``
    (AIST++). NaN when there are no reference beats; 0 when there are no beats to match against.
    """
    if not (isinstance(sigma, (int, float)) and math.isfinite(sigma) and sigma > 0):
        raise ParameterError(f"sigma={sigma!r} must be a positive number of seconds")
    if reference not in ("audio", "motion"):
        raise ParameterError(f"reference={reference!r} must be 'audio' or 'motion'")
    a = np.sort(np.asarray(audio_beats_s, dtype=np.float64).ravel())
    m = np.sort(np.asarray(motion_beats_s, dtype=np.float64).ravel())
    ref, other = (a, m) if reference == "audio" else (m, a)
    if ref.size == 0:
        return math.nan
    if other.size == 0:
        return 0.0
    j = np.searchsorted(other, ref)
    left = other[np.clip(j - 1, 0, other.size - 1)]
    right = other[np.clip(j, 0, other.size - 1)]
    d = np.minimum(np.abs(ref - left), np.abs(ref - right))
    return float(np.mean(np.exp(-(d**2) / (2 * sigma**2))))


def beat_alignment_null(
    audio_beats_s,
    motion_beats_s,
    *,
    duration: float,
    sigma: float = 0.1,
    n: int = 200,
    seed: int = 0,
    reference: str = "audio",
) -> float:
    """Chance level: the mean score after circularly shifting the motion beats by random offsets
    (uniform over ``[0, duration)``, seeded)."""
    m = np.asarray(motion_beats_s, dtype=np.float64)
    if m.size == 0 or duration <= 0:
        return math.nan
    rng = np.random.default_rng(seed)
    vals = [
        beat_alignment(audio_beats_s, np.mod(m + s, duration), sigma=sigma, reference=reference)
        for s in rng.uniform(0, duration, size=n)
    ]
    return float(np.nanmean(vals))
