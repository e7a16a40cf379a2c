"""Pitch-adaptive analysis windows.

Method
------
A fixed analysis window (25 ms) is a compromise: it covers about 2.5 periods of a 100 Hz voice but 7.5
periods of a 300 Hz one, so low voices get smeared harmonics and high voices lose time resolution.
Praat's pitch analysis instead looks at a fixed number of *periods* (3 for autocorrelation pitch). We do
the same for the spectrum:

1. Track F0 first (any method of :func:`signfuse.audio.pitch.pitch`).
2. For a voiced frame with F0 ``f``, the window spans ``periods / f`` seconds (default 3 periods), so a
   long low-pitched vowel gets a long window and a short high one a short window; the length is clamped
   to ``[min_ms, max_ms]`` (default 5 to 60 ms) and rounded to a geometric grid with 48 steps per octave
   (about 1.5 %) so frames of similar pitch share one FFT batch.
3. Unvoiced frames keep the fixed window (``win_length``).
4. Every window is centred on the frame's time, zero-padded to one common ``n_fft`` (the next power of
   two that holds the longest window), so all frames share frequency bins and one mel filterbank.
5. Each frame's power is multiplied by ``sum(w_fixed**2) / sum(w**2)``, the ratio of the windows'
   energies, so that stationary noise has the same level whatever the window length; levels of the
   adaptive and fixed analyses are therefore comparable.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ParameterError
from .spectral import _check_y, frame_params, get_window, n_frames

__all__ = ["adaptive_window_lengths", "adaptive_power_spectrogram"]


def adaptive_window_lengths(
    f0_hz: np.ndarray, *, sr: int, win_length: int, periods: float = 3.0, min_ms: float = 5.0, max_ms: float = 60.0
) -> np.ndarray:
    """Window length in samples per frame, ``(frames,)`` int: ``periods`` F0 periods where voiced
    (``f0_hz`` finite and > 0), ``win_length`` elsewhere (see the module doc)."""
    if not (isinstance(periods, (int, float)) and math.isfinite(periods) and periods > 0):
        raise ParameterError(f"periods={periods!r} must be a positive number of pitch periods")
    if not (0 < min_ms < max_ms):
        raise ParameterError(f"need 0 < min_ms ({min_ms}) < max_ms ({max_ms})")
    f0 = np.asarray(f0_hz, dtype=np.float64)
    voiced = np.isfinite(f0) & (f0 > 0)
    lo, hi = max(4, int(round(min_ms * sr / 1000))), int(round(max_ms * sr / 1000))
    with np.errstate(divide="ignore", invalid="ignore"):
        L = np.where(voiced, periods * sr / np.where(voiced, f0, 1.0), win_length)
    L = np.clip(L, lo, hi)
    grid = np.exp2(np.round(np.log2(L) * 48) / 48)  # 48 steps per octave
    L = np.where(voiced, np.clip(np.round(grid), lo, hi), win_length)
    return L.astype(np.int64)


def adaptive_power_spectrogram(
    y: np.ndarray,
    *,
    sr: int,
    hop_length: int,
    f0_hz: np.ndarray,
    window: str = "hann",
    win_length: int | None = None,
    periods: float = 3.0,
    min_ms: float = 5.0,
    max_ms: float = 60.0,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Power spectrogram with pitch-adaptive windows.

    Returns ``(P, lengths, n_fft)``: ``P`` is ``(frames, 1 + n_fft // 2)`` float32, energy-normalized to
    the fixed window; ``lengths`` the window length per frame (samples).
    """
    from scipy import fft as sfft

    y = _check_y(y)
    hop_length, win_length, _ = frame_params(sr=sr, hop_length=hop_length, win_length=win_length)
    T = n_frames(y.size, hop_length)
    f0 = np.asarray(f0_hz, dtype=np.float64)
    if f0.shape != (T,):
        raise ParameterError(f"f0_hz has shape {f0.shape}, expected ({T},) frames for {y.size} samples")
    lengths = adaptive_window_lengths(f0, sr=sr, win_length=win_length, periods=periods, min_ms=min_ms, max_ms=max_ms)
    Lmax = int(max(lengths.max(), win_length))
    n_fft = max(512, 1 << int(math.ceil(math.log2(Lmax))))
    pad = Lmax // 2 + 1
    padded = np.zeros(y.size + 2 * pad, dtype=np.float32)
    padded[pad : pad + y.size] = y
    centres = np.arange(T) * hop_length + pad
    P = np.empty((T, n_fft // 2 + 1), dtype=np.float32)
    e_fixed = float(np.sum(get_window(window, win_length).astype(np.float64) ** 2))
    for L in np.unique(lengths):
        rows = np.flatnonzero(lengths == L)
        w = get_window(window, int(L))
        idx = (centres[rows] - int(L) // 2)[:, None] + np.arange(int(L))
        X = sfft.rfft(padded[idx] * w, n=n_fft, axis=1, workers=1)
        scale = e_fixed / float(np.sum(w.astype(np.float64) ** 2))
        P[rows] = (X.real**2 + X.imag**2) * scale
    return P, lengths, n_fft
