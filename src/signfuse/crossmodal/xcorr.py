"""Lagged cross-correlation and its circular-shift permutation test.

Convention: ``lagged_xcorr(a, b)`` returns ``r(lag) = corr(a[t], b[t + lag])``, so a **positive lag
means b follows a**. In :func:`signfuse.crossmodal.correlate` ``a`` is the kinematic signal and ``b``
the prosodic one: a positive lag means the voice follows the gesture.

The permutation test asks whether the best correlation within ``+-max_lag_s`` is larger than chance
for signals with the same autocorrelation. The null distribution comes from circularly shifting ``b``
by every offset ``0..n-1`` (or, with ``n_perm``, a seeded random sample of offsets); circular shifts keep
each signal's own structure (its smoothness, its rhythm), which is what makes the test honest for
slowly varying signals where a shuffle would be far too optimistic. The statistic, observed and under
the null, is ``max |r_circ(k)|`` over ``|k| <= max_lag`` with the circular cross-correlation of the
z-scored signals (computed once with the FFT; the null maxima are a sliding maximum of it), and
``p = #{shifts s: T(s) >= T(0)} / n`` (the identity shift included), an exact test over the group of
circular shifts. Shifts close to 0 are deliberately *not* excluded: the sliding maximum makes
neighbouring shifts share their maximum, and dropping them makes the test anti-conservative (about
13 % false positives at alpha = 0.05 on independent smooth noise instead of 5 %). The price is a
floor: ``p >= (2 max_lag + 1) / n`` when the effect is real, so ``n`` should well exceed
``2 max_lag / alpha`` frames (about 40 s at 30 fps for +-1 s and alpha = 0.05).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.ndimage import maximum_filter1d

from ..errors import DataError, ParameterError
from ..validators import check_rate

__all__ = ["lagged_xcorr", "peak_lag", "permutation_pvalue", "xcorr_test"]


def _check(a: np.ndarray, b: np.ndarray, fps: float, max_lag_s: float) -> tuple[np.ndarray, np.ndarray, int]:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape:
        raise ParameterError(f"a and b must be 1-D signals of equal length, got shapes {a.shape} and {b.shape}")
    fps = check_rate(fps)
    if not (math.isfinite(max_lag_s) and max_lag_s >= 0):
        raise ParameterError(f"max_lag_s={max_lag_s!r} must be a non-negative number of seconds")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise DataError("signals contain NaN or inf; interpolate or drop invalid frames first")
    L = int(round(max_lag_s * fps))
    if a.size < 3 or L > a.size - 3:
        raise DataError(f"signals of {a.size} frames are too short for lags up to {max_lag_s} s at {fps:g} fps")
    return a, b, L


def lagged_xcorr(a: np.ndarray, b: np.ndarray, *, fps: float, max_lag_s: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Pearson correlation of ``a[t]`` and ``b[t + lag]`` over their overlap for every lag in ``+-max_lag_s``.

    Returns ``(lags_s (2L+1,), r (2L+1,))``; ``r`` is 0 where either overlap is constant.
    """
    a, b, L = _check(a, b, fps, max_lag_s)
    n = a.size
    lags = np.arange(-L, L + 1)
    r = np.zeros(lags.size)
    for i, k in enumerate(lags):
        x = a[max(0, -k) : n - max(0, k)]
        y = b[max(0, k) : n - max(0, -k) if k < 0 else n]
        y = y[: x.size]
        x = x - x.mean()
        y = y - y.mean()
        den = math.sqrt(float(x @ x) * float(y @ y))
        r[i] = float(x @ y) / den if den > 0 else 0.0
    return lags / float(fps), r


def peak_lag(lags_s: np.ndarray, r: np.ndarray, *, absolute: bool = True) -> tuple[float, float]:
    """Lag (seconds, refined below one frame by a parabola through the peak and its neighbours) and
    the correlation at the peak (signed). ``absolute``: peak of ``|r|`` (else of ``r``)."""
    lags_s = np.asarray(lags_s, float)
    r = np.asarray(r, float)
    score = np.abs(r) if absolute else r
    i = int(np.argmax(score))
    lag = float(lags_s[i])
    if 0 < i < r.size - 1:
        y0, y1, y2 = score[i - 1], score[i], score[i + 1]
        den = y0 - 2 * y1 + y2
        if den < 0:
            delta = 0.5 * (y0 - y2) / den
            lag += float(np.clip(delta, -0.5, 0.5)) * float(lags_s[1] - lags_s[0])
    return lag, float(r[i])


def _zscore(x: np.ndarray) -> np.ndarray:
    """scipy's z-score; a constant signal is all zeros (it correlates with nothing)."""
    from scipy.stats import zscore

    return np.zeros_like(x) if not x.std() > 0 else zscore(x)


def _tail(tail: str) -> str:
    if tail not in ("both", "positive"):
        raise ParameterError(f"tail={tail!r} must be 'both' (peak |r|) or 'positive' (peak r)")
    return tail


def permutation_pvalue(
    a: np.ndarray,
    b: np.ndarray,
    *,
    fps: float,
    max_lag_s: float = 1.0,
    n_perm: int | None = None,
    seed: int = 0,
    tail: str = "both",
) -> tuple[float, int]:
    """Circular-shift permutation p-value of the peak |correlation| within ``+-max_lag_s``.

    Returns ``(p, number of shifts used)`` (see the module doc). With ``n_perm`` smaller than the
    number of frames, ``n_perm`` shifts are drawn (seeded) from ``1..n-1`` and
    ``p = (1 + #{null >= observed}) / (1 + n_perm)``. ``tail="positive"`` uses the peak of ``r`` instead
    of ``|r|`` (a one-sided test for positive coupling).
    """
    tail = _tail(tail)
    a, b, L = _check(a, b, fps, max_lag_s)
    n = a.size
    za, zb = _zscore(a), _zscore(b)
    # c[k] = mean_t za[t] zb[(t + k) mod n]
    c = np.fft.irfft(np.conj(np.fft.rfft(za)) * np.fft.rfft(zb), n) / n
    stat = np.abs(c) if tail == "both" else c
    window = maximum_filter1d(stat, size=2 * L + 1, mode="wrap")  # window[s] = max over lags [s-L, s+L]
    observed = float(window[0]) - 1e-12
    if n_perm is not None:
        if n_perm < 1:
            raise ParameterError(f"n_perm={n_perm} must be a positive number of shifts")
        if n_perm < n - 1:
            shifts = np.random.default_rng(seed).choice(np.arange(1, n), size=n_perm, replace=False)
            return (1.0 + float(np.sum(window[shifts] >= observed))) / (1.0 + n_perm), int(n_perm)
    return float(np.sum(window >= observed)) / n, int(n)


def xcorr_test(
    a: np.ndarray,
    b: np.ndarray,
    *,
    fps: float,
    max_lag_s: float = 1.0,
    n_perm: int | None = None,
    seed: int = 0,
    tail: str = "both",
) -> dict:
    """Lagged correlation, its peak (sub-frame lag) and permutation p-value in one dict:
    ``lag_s``, ``r``, ``p_value``, ``n_shifts``, ``lags_s``, ``curve``. ``tail``: ``"both"`` (peak of
    ``|r|``) or ``"positive"`` (peak of ``r``; side lobes of oscillating signals cannot win)."""
    tail = _tail(tail)
    lags, r = lagged_xcorr(a, b, fps=fps, max_lag_s=max_lag_s)
    lag, rp = peak_lag(lags, r, absolute=tail == "both")
    p, n_null = permutation_pvalue(a, b, fps=fps, max_lag_s=max_lag_s, n_perm=n_perm, seed=seed, tail=tail)
    return {"lag_s": lag, "r": rp, "p_value": p, "n_shifts": n_null, "lags_s": lags, "curve": r}
