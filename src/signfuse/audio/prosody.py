"""Utterance-level prosody: the 88 eGeMAPS v02 functionals (openSMILE) plus signfuse's own summary.

Own summary (all from the frame features of :func:`signfuse.audio.features`, 10 ms hop):

``duration_s``, ``voiced_ratio``
    Length and fraction of frames called voiced.
``f0_median_hz``, ``f0_p5_hz``, ``f0_p95_hz``, ``f0_range_st``
    F0 statistics over voiced frames; the range is ``p95 - p5`` in semitones (robust to octave errors).
``rises``, ``falls``, ``rises_per_s``, ``falls_per_s``
    Pitch movements: inside each voiced run (>= 50 ms) the semitone contour is median-smoothed (5 frames)
    and split at turning points with a hysteresis of ``movement_st`` (default 1.5 st): a rise is a
    valley-to-peak movement of at least that size, a fall the reverse.
``final_slope_st_per_s``
    Least-squares F0 slope over the last 300 ms of the last voiced run (positive: final rise, as in a
    yes/no question).
``nuclei_per_s`` (speech-rate proxy)
    Syllable-nucleus candidates per second of speech: peaks of the smoothed RMS level that are voiced,
    at most 25 dB below the loudest frame, at least 2 dB prominent and 100 ms apart (after de Jong and
    Wempe 2009), divided by the speaking time (first to last non-silent frame, pauses excluded).
``pause_ratio``
    Total length of internal pauses (silent runs of at least 150 ms, silent meaning 30 dB below the 95th
    percentile level) divided by the time from the first to the last non-silent frame.

This module works on frame features it is given; :func:`signfuse.audio.features.summary` computes them
from a waveform and combines both summaries (so that features.py imports prosody.py and not the reverse).
"""

from __future__ import annotations

import logging
import math
import warnings
from typing import Any

import numpy as np

from ..errors import DataError
from ..streams import Stream

__all__ = ["egemaps", "own_summary"]

log = logging.getLogger(__name__)


def egemaps(y: np.ndarray, *, sr: int) -> dict[str, float]:
    """The 88 eGeMAPS v02 functionals of a mono waveform (openSMILE); NaN where openSMILE gives none."""
    import opensmile

    smile = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                            feature_level=opensmile.FeatureLevel.Functionals)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Segment too short": reported as NaN values
        df = smile.process_signal(np.asarray(y, dtype=np.float32), int(sr))
    return {str(k): float(v) for k, v in df.iloc[0].items()}


def _runs(b: np.ndarray) -> list[tuple[int, int]]:
    """Half-open ``(start, end)`` index ranges where ``b`` is True."""
    d = np.diff(np.concatenate([[0], b.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)))


def _movements(st: np.ndarray, thr: float) -> tuple[int, int]:
    """Count rises and falls of at least ``thr`` in a contour (hysteresis turning points)."""
    # running min and max since the last turning point; state +1 rising, -1 falling, 0 not yet known
    rises = falls = 0
    lo = hi = st[0]
    state = 0
    for v in st[1:]:
        if state == 0:
            lo, hi = min(lo, v), max(hi, v)
            if v - lo >= thr:
                state, hi = 1, v
            elif hi - v >= thr:
                state, lo = -1, v
        elif state == 1:
            if v > hi:
                hi = v
            elif hi - v >= thr:
                rises += 1
                state, lo = -1, v
        else:
            if v < lo:
                lo = v
            elif v - lo >= thr:
                falls += 1
                state, hi = 1, v
    if state == 1:
        rises += 1
    elif state == -1:
        falls += 1
    return rises, falls


def own_summary(feats: Stream, *, movement_st: float = 1.5) -> dict[str, Any]:
    """signfuse's utterance prosody summary from an ``"audio"`` feature stream (see the module doc)."""
    from scipy.ndimage import median_filter
    from scipy.signal import find_peaks

    fps = feats.fps
    T = feats.n_frames
    if T == 0:
        raise DataError("no frames to summarize")
    voiced = feats.column("voiced") > 0.5
    f0 = feats.column("f0_hz").astype(np.float64)
    st = feats.column("f0_semitones").astype(np.float64)
    rms = feats.column("rms_db").astype(np.float64)
    out: dict[str, Any] = {"duration_s": T / fps, "voiced_ratio": float(voiced.mean())}
    if voiced.any():
        fv = f0[voiced]
        p5, p50, p95 = np.percentile(fv, [5, 50, 95])
        out.update(f0_median_hz=float(p50), f0_p5_hz=float(p5), f0_p95_hz=float(p95),
                   f0_range_st=float(12 * math.log2(p95 / p5)))
    else:
        out.update(f0_median_hz=math.nan, f0_p5_hz=math.nan, f0_p95_hz=math.nan, f0_range_st=math.nan)

    rises = falls = 0
    runs = [(a, b) for a, b in _runs(voiced) if (b - a) >= max(3, int(round(0.05 * fps)))]
    for a, b in runs:
        sm = median_filter(st[a:b], size=5, mode="nearest")
        r, f = _movements(sm, movement_st)
        rises, falls = rises + r, falls + f
    slope = math.nan
    if runs:
        a, b = runs[-1]
        n = max(3, int(round(0.3 * fps)))
        seg = median_filter(st[a:b], size=5, mode="nearest")[-n:]
        t = np.arange(seg.size) / fps
        slope = float(np.polyfit(t, seg, 1)[0]) if seg.size >= 3 else math.nan

    loud = np.percentile(rms, 95)
    silent = rms < loud - 30.0
    sounding = np.flatnonzero(~silent)
    if sounding.size:
        first, last = int(sounding[0]), int(sounding[-1]) + 1
        span = (last - first) / fps
        min_pause = int(round(0.15 * fps))
        pause = sum(b - a for a, b in _runs(silent[first:last]) if b - a >= min_pause) / fps
    else:
        span, pause = 0.0, 0.0
    speaking = max(span - pause, 1e-9)
    sm_rms = np.convolve(rms, np.ones(5) / 5, mode="same")
    peaks, _ = find_peaks(sm_rms, prominence=2.0, distance=max(1, int(round(0.1 * fps))),
                          height=float(np.max(rms)) - 25.0)
    nuclei = int(np.sum(voiced[peaks])) if peaks.size else 0
    dur = T / fps
    out.update(rises=rises, falls=falls, rises_per_s=rises / dur, falls_per_s=falls / dur,
               final_slope_st_per_s=slope, nuclei=nuclei,
               nuclei_per_s=nuclei / speaking if span > 0 else 0.0,
               pause_ratio=float(pause / span) if span > 0 else math.nan)
    return out


