"""Fundamental frequency (F0) and voicing, on the centred frame grid of :mod:`signfuse.audio.spectral`.

Three trackers, chosen with ``method``:

``"praat"`` (default)
    Praat's autocorrelation pitch (Boersma 1993) through parselmouth, with its Viterbi path finder
    (octave and voicing costs) and Praat's standard settings (window = 3 periods of ``fmin``, voicing
    threshold 0.45, silence threshold 0.03 of the file's peak amplitude). Fast (about 2 ms of one core
    per second of audio) and accurate.
    The voicing probability of a frame is the largest normalized autocorrelation peak among its voiced
    candidates (0..1, 0 for silence).
``"yin"``
    YIN (de Cheveigne and Kawahara 2002), vectorized here because :func:`librosa.yin` returns no
    aperiodicity (and is ~10x slower): cumulative-mean-normalized difference, first trough under 0.1 (else the global
    minimum), parabolic interpolation. Voicing probability ``1 - aperiodicity``; a frame is voiced when
    its aperiodicity is under 0.3 and it is not silent (RMS above -60 dBFS). No path finder, so
    octave jumps are possible where Praat's costs would prevent them.
``"pyin"``
    :func:`librosa.pyin` (probabilistic YIN with HMM decoding). Accurate but about 50-100x slower;
    offered for comparison. Its F0 is quantized to 10-cent bins.

Praat's frames are centred in the sound rather than at multiples of the hop, so its F0 is linearly
interpolated onto our frame times (only between two voiced Praat frames; elsewhere the nearest Praat
frame decides). Unvoiced frames carry ``NaN`` F0 (librosa's convention).
"""

from __future__ import annotations

import logging
import math

import numpy as np

from ..errors import ParameterError
from .spectral import _check_rate, _check_y, n_frames

__all__ = ["PITCH_METHODS", "pitch", "hop_length_for", "hz_to_semitones", "SEMITONE_REF_HZ"]

log = logging.getLogger(__name__)

PITCH_METHODS = ("praat", "yin", "pyin")
SEMITONE_REF_HZ = 27.5  # semitone reference (A0), as in eGeMAPS: every audible F0 is > 0 st


def hop_length_for(*, sr: int, hop_ms: float) -> int:
    """Hop in samples for ``hop_ms`` milliseconds at ``sr`` (rounded; at least 1)."""
    sr = _check_rate(sr)
    if isinstance(hop_ms, bool) or not isinstance(hop_ms, (int, float)) or not math.isfinite(hop_ms) or hop_ms <= 0:
        raise ParameterError(f"hop_ms={hop_ms!r} must be a positive number of milliseconds")
    hop = int(round(sr * hop_ms / 1000.0))
    if hop < 1:
        raise ParameterError(f"hop_ms={hop_ms} is shorter than one sample at sr={sr}")
    return hop


def hz_to_semitones(f0_hz: np.ndarray, *, ref_hz: float = SEMITONE_REF_HZ) -> np.ndarray:
    """``12 log2(f0 / ref_hz)``; NaN stays NaN (unvoiced)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (12.0 * np.log2(np.asarray(f0_hz, dtype=np.float64) / ref_hz)).astype(np.float32)


def _check_range(fmin: float, fmax: float, sr: int) -> None:
    if not (isinstance(fmin, (int, float)) and math.isfinite(fmin) and fmin > 0):
        raise ParameterError(f"fmin={fmin!r} must be a positive frequency in Hz")
    if not (isinstance(fmax, (int, float)) and math.isfinite(fmax) and fmin < fmax < sr / 2):
        raise ParameterError(f"fmax={fmax!r} must be a frequency between fmin={fmin} and Nyquist ({sr / 2:g} Hz)")


def pitch(
    y: np.ndarray, *, sr: int, hop_ms: float = 10.0, method: str = "praat", fmin: float = 75.0, fmax: float = 600.0
) -> tuple[np.ndarray, np.ndarray]:
    """F0 in Hz and voicing probability on the centred frame grid.

    Parameters
    ----------
    y:
        Mono waveform ``(samples,)``.
    sr:
        Its sample rate (Hz).
    hop_ms:
        Frame hop in milliseconds; frame ``i`` is at ``i * hop_length / sr`` seconds.
    method:
        ``"praat"`` (default), ``"yin"`` or ``"pyin"`` (see the module doc).
    fmin, fmax:
        Search range in Hz (Praat's defaults 75 and 600).

    Returns
    -------
    ``(f0_hz, voiced_prob)``, both ``(1 + samples // hop_length,)`` float32; ``f0_hz`` is NaN where unvoiced.
    """
    sr = _check_rate(sr)
    if method not in PITCH_METHODS:
        raise ParameterError(f"pitch method={method!r} must be one of {list(PITCH_METHODS)}")
    _check_range(fmin, fmax, sr)
    y = _check_y(y)
    hop = hop_length_for(sr=sr, hop_ms=hop_ms)
    T = n_frames(y.size, hop)
    if method == "praat":
        f0, vp = _praat(y, sr=sr, hop=hop, T=T, fmin=fmin, fmax=fmax)
    elif method == "yin":
        f0, vp = _yin(y, sr=sr, hop=hop, T=T, fmin=fmin, fmax=fmax)
    else:
        f0, vp = _pyin(y, sr=sr, hop=hop, T=T, fmin=fmin, fmax=fmax)
    return f0.astype(np.float32), np.clip(vp, 0.0, 1.0).astype(np.float32)


def _praat(y: np.ndarray, *, sr: int, hop: int, T: int, fmin: float, fmax: float) -> tuple[np.ndarray, np.ndarray]:
    import parselmouth

    f0 = np.full(T, np.nan)
    vp = np.zeros(T)
    if not np.any(y):
        return f0, vp  # digital silence: Praat would only confirm it
    if y.size / sr < 3.0 / fmin:
        log.warning(
            "audio of %.1f ms is shorter than Praat's pitch window (3 periods of fmin=%g Hz = %.1f ms); "
            "all %d frames unvoiced",
            1000 * y.size / sr,
            fmin,
            3000.0 / fmin,
            T,
        )
        return f0, vp
    snd = parselmouth.Sound(y.astype(np.float64), sampling_frequency=float(sr))
    try:
        p = snd.to_pitch_ac(time_step=hop / sr, pitch_floor=float(fmin), pitch_ceiling=float(fmax))
    except parselmouth.PraatError as e:  # e.g. shorter than one analysis window (3 / fmin seconds)
        log.warning("Praat pitch analysis failed (%s); all %d frames unvoiced", str(e).strip().splitlines()[0], T)
        return f0, vp
    n = p.n_frames
    if n == 0:
        return f0, vp
    cand = p.to_array()  # (candidates, frames) of (frequency, strength)
    sel = p.selected_array["frequency"]
    pf = np.where(sel > 0, sel, np.nan)
    strength = np.where(cand["frequency"] > 0, cand["strength"], 0.0).max(axis=0)
    pos = (np.arange(T) * hop / sr - p.x1) / p.dx  # our frame times in Praat frame units
    j0 = np.clip(np.floor(pos).astype(np.int64), 0, n - 1)
    j1 = np.clip(j0 + 1, 0, n - 1)
    w = np.clip(pos - j0, 0.0, 1.0)
    near = np.clip(np.rint(pos).astype(np.int64), 0, n - 1)
    inside = (pos > -0.5) & (pos < n - 0.5)
    both = np.isfinite(pf[j0]) & np.isfinite(pf[j1])
    f0 = np.where(both, pf[j0] * (1 - w) + pf[j1] * w, pf[near])
    f0 = np.where(inside, f0, np.nan)
    vp = np.where(inside, strength[j0] * (1 - w) + strength[j1] * w, 0.0)
    return f0, vp


def _yin(
    y: np.ndarray,
    *,
    sr: int,
    hop: int,
    T: int,
    fmin: float,
    fmax: float,
    trough: float = 0.1,
    voicing: float = 0.3,
    chunk: int = 4096,
) -> tuple[np.ndarray, np.ndarray]:
    from scipy import fft as sfft

    tau_max = int(math.ceil(sr / fmin))
    tau_min = max(2, int(math.floor(sr / fmax)))
    W = tau_max  # integration window
    L = W + tau_max + 1  # frame length
    nfft = 1 << int(math.ceil(math.log2(L)))
    # d(tau) compares x[j] with x[j + tau], j < W: its centre of mass lies (W + tau) / 2 after the frame
    # start; centring for the geometric middle of the search range keeps the time error under
    # |tau - tau_mid| / 2 samples (about 2 ms for 100-250 Hz at the defaults)
    tau_mid = sr / math.sqrt(fmin * fmax)
    half = int(round((W + tau_mid) / 2))
    padded = np.zeros(y.size + 2 * L + hop, dtype=np.float64)
    padded[half : half + y.size] = y
    allfr = np.lib.stride_tricks.sliding_window_view(padded, L)[::hop][:T]
    f0 = np.full(T, np.nan)
    vp = np.zeros(T)
    taus = np.arange(tau_max + 1)
    for s in range(0, T, chunk):
        fr = allfr[s : s + chunk]
        A = sfft.rfft(fr[:, :W], n=nfft, axis=1, workers=1)
        B = sfft.rfft(fr, n=nfft, axis=1, workers=1)
        r = sfft.irfft(np.conj(A) * B, n=nfft, axis=1, workers=1)[:, : tau_max + 1]
        cs = np.concatenate([np.zeros((fr.shape[0], 1)), np.cumsum(fr * fr, axis=1)], axis=1)
        e0 = cs[:, W : W + 1]
        et = cs[:, W + taus] - cs[:, taus]
        d = np.maximum(e0 + et - 2 * r, 0.0)
        d[:, 0] = 0.0
        cum = np.cumsum(d[:, 1:], axis=1)
        cmnd = np.ones_like(d)
        with np.errstate(divide="ignore", invalid="ignore"):
            cmnd[:, 1:] = np.where(cum > 0, d[:, 1:] * taus[1:] / cum, 1.0)
        rng = cmnd[:, tau_min:tau_max]  # candidate lags
        is_trough = np.zeros_like(rng, dtype=bool)
        is_trough[:, 1:-1] = (rng[:, 1:-1] <= rng[:, :-2]) & (rng[:, 1:-1] < rng[:, 2:])
        below = is_trough & (rng < trough)
        k = np.where(below.any(axis=1), np.argmax(below, axis=1), np.argmin(rng, axis=1))
        rows = np.arange(rng.shape[0])
        kk = np.clip(k, 1, rng.shape[1] - 2)
        a, b, c = rng[rows, kk - 1], rng[rows, kk], rng[rows, kk + 1]
        den = a - 2 * b + c
        shift = np.where(np.abs(den) > 1e-12, 0.5 * (a - c) / np.where(den == 0, 1, den), 0.0)
        shift = np.where(k == kk, np.clip(shift, -1, 1), 0.0)
        tau = tau_min + k + shift
        ap = rng[rows, k]
        rms = np.sqrt(e0[:, 0] / W)
        ok = (ap < voicing) & (rms > 1e-3)
        f0[s : s + chunk] = np.where(ok, sr / tau, np.nan)
        vp[s : s + chunk] = np.where(rms > 1e-3, 1.0 - ap, 0.0)
    return f0, vp


def _pyin(y: np.ndarray, *, sr: int, hop: int, T: int, fmin: float, fmax: float) -> tuple[np.ndarray, np.ndarray]:
    import librosa

    frame_length = 1 << int(math.ceil(math.log2(4 * sr / fmin)))
    if y.size < frame_length // 2 + 1:
        y = np.pad(y, (0, frame_length // 2 + 1 - y.size))
    f0, _, prob = librosa.pyin(
        y,
        fmin=float(fmin),
        fmax=float(fmax),
        sr=sr,
        frame_length=frame_length,
        hop_length=hop,
        center=True,
        pad_mode="constant",
    )
    return f0[:T], np.nan_to_num(prob[:T])
