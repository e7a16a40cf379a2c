"""The frame feature set of one waveform on one time axis, as a :class:`~signfuse.streams.Stream` "audio".

One STFT is computed and reused by every spectral feature (log-mel, MFCC and deltas, centroid, flux,
onset strength, STFT summary); RMS and zero-crossing rate come from running sums over the waveform,
F0 from the chosen pitch tracker on the same centred frame grid (see :mod:`signfuse.audio.spectral`).

Columns (in this order):

=================  =====================================================================================
``f0_hz``          F0 in Hz; **0 where unvoiced** (so that the stream has no NaN and unvoiced frames stay
                   valid in :func:`signfuse.streams.align`; use ``voiced`` to select voiced frames)
``voicing``        voicing probability 0..1 (tracker specific, see :mod:`signfuse.audio.pitch`)
``voiced``         1 where the tracker calls the frame voiced, else 0
``f0_semitones``   ``12 log2(F0 / 27.5 Hz)`` (eGeMAPS' reference); 0 where unvoiced
``rms_db``         RMS level, dB re full scale (floor -100)
``centroid``       spectral centroid, Hz
``flux``           half-wave rectified spectral flux
``zcr``            zero-crossing rate (fraction of sample pairs)
``onset``          onset strength (log-mel flux, dB)
``win_ms``         analysis window length of the frame, ms (varies only with ``adaptive_window``)
``stft_*``         log-power STFT summary (:data:`~signfuse.audio.spectral.STFT_SUMMARY_NAMES`)
``mel_00..79``     log-mel spectrogram, dB
``mfcc_00..12``    MFCCs; ``dmfcc_*`` their deltas and ``ddmfcc_*`` delta-deltas (9-frame Savitzky-Golay)
=================  =====================================================================================
"""

from __future__ import annotations

import logging
from os import PathLike
from typing import Any

import numpy as np

from ..errors import DataError, ParameterError
from ..streams import Stream
from . import spectral as sp
from .adaptive import adaptive_power_spectrogram
from .pitch import PITCH_METHODS, hop_length_for, hz_to_semitones
from .pitch import pitch as _pitch
from .prosody import egemaps, own_summary

__all__ = ["features", "feature_names", "summary", "analyze_file"]

log = logging.getLogger(__name__)

_BLOCK = 2048  # frames per STFT block (about 4 MB of spectra at 16 kHz)

SCALAR_NAMES = ("f0_hz", "voicing", "voiced", "f0_semitones", "rms_db", "centroid", "flux", "zcr", "onset",
                "win_ms")


def feature_names(*, n_mels: int = 80, n_mfcc: int = 13) -> tuple[str, ...]:
    """Column names of :func:`features` in order."""
    mf = [f"mfcc_{i:02d}" for i in range(n_mfcc)]
    return (SCALAR_NAMES + sp.STFT_SUMMARY_NAMES + tuple(f"mel_{i:02d}" for i in range(n_mels)) + tuple(mf)
            + tuple("d" + m for m in mf) + tuple("dd" + m for m in mf))


def features(y: np.ndarray, *, sr: int, hop_ms: float = 10.0, window: str = "hann", pitch: str = "praat",
             adaptive_window: bool = False, periods: float = 3.0, fmin: float = 75.0, fmax: float = 600.0,
             n_mels: int = 80, n_mfcc: int = 13, win_ms: float = 25.0) -> Stream:
    """Frame-level audio features of a mono waveform.

    Parameters
    ----------
    y:
        ``(samples,)`` mono waveform (float, nominally in [-1, 1]).
    sr:
        Sample rate in Hz (required; see :func:`signfuse.audio.load`).
    hop_ms:
        Hop between frames (ms). The stream's rate is ``sr / round(sr * hop_ms / 1000)``.
    window:
        ``"hann"`` (default), ``"hamming"`` or ``"blackman"``, for every STFT-based feature.
    pitch:
        F0 tracker: ``"praat"`` (default), ``"yin"`` or ``"pyin"``.
    adaptive_window:
        Pitch-adaptive windows (``periods`` F0 periods in voiced frames; see :mod:`signfuse.audio.adaptive`).
    fmin, fmax:
        F0 search range (Hz).
    n_mels, n_mfcc:
        Mel bands and cepstral coefficients.
    win_ms:
        Fixed analysis window length (ms).

    Returns
    -------
    Stream named ``"audio"``: ``(1 + samples // hop_length, len(feature_names()))`` with every frame valid;
    frame ``i`` is centred on ``i * hop_length / sr`` seconds (its ``time``), so it meets other streams
    through :func:`signfuse.streams.align`.
    """
    if window not in sp.WINDOWS:
        raise ParameterError(f"window={window!r} must be one of {list(sp.WINDOWS)}")
    if pitch not in PITCH_METHODS:
        raise ParameterError(f"pitch={pitch!r} must be one of {list(PITCH_METHODS)}")
    if not (isinstance(win_ms, (int, float)) and 1.0 <= win_ms <= 500.0):
        raise ParameterError(f"win_ms={win_ms!r} must be a window length between 1 and 500 ms")
    sr = sp._check_rate(sr)
    y = np.asarray(y)
    if y.ndim == 2 and min(y.shape) <= 8:
        raise DataError(f"audio has shape {y.shape}: mix it down to mono first (signfuse.audio.load does)")
    y = sp._check_y(y)
    hop = hop_length_for(sr=sr, hop_ms=hop_ms)
    win = int(round(win_ms * sr / 1000))
    hop, win, n_fft = sp.frame_params(sr=sr, hop_length=hop, win_length=win)
    peak = float(np.max(np.abs(y)))
    if peak > 1.0:
        log.warning("audio peak %.3g exceeds full scale 1.0; levels in dB are above 0 dBFS", peak)

    fr = sp.frames(y, hop_length=hop, win_length=win)
    f0, vp = _pitch(y, sr=sr, hop_ms=hop_ms, method=pitch, fmin=fmin, fmax=fmax)
    voiced = np.isfinite(f0)

    T = fr.shape[0]
    if adaptive_window:
        P_all, lengths, n_fft = adaptive_power_spectrogram(y, sr=sr, hop_length=hop, f0_hz=f0, window=window,
                                                           win_length=win, periods=periods)
        win_col = lengths * (1000.0 / sr)
    else:
        P_all = None
        win_col = np.full(T, win * 1000.0 / sr)

    # One STFT, reused by every spectral feature, computed in blocks of frames that stay in cache and
    # written straight into the output matrix (column blocks in feature_names() order).
    names = feature_names(n_mels=n_mels, n_mfcc=n_mfcc)
    values = np.empty((T, len(names)), dtype=np.float32)
    ns, nsum = len(SCALAR_NAMES), len(sp.STFT_SUMMARY_NAMES)
    c_sum, c_mel = ns, ns + nsum
    c_mf = c_mel + n_mels
    lm = values[:, c_mel:c_mf]
    i_centroid, i_flux = SCALAR_NAMES.index("centroid"), SCALAR_NAMES.index("flux")
    m_prev = None
    for s in range(0, T, _BLOCK):
        e = min(T, s + _BLOCK)
        if P_all is None:
            S = sp.stft(sr=sr, hop_length=hop, win_length=win, n_fft=n_fft, window=window, frames_=fr[s:e])
            P = sp.power_spectrogram(S=S, sr=sr, hop_length=hop)
        else:
            P = P_all[s:e]
        M = np.sqrt(P)
        lm[s:e] = sp.log_mel(sr=sr, hop_length=hop, n_mels=n_mels, win_length=win, n_fft=n_fft, P=P)
        values[s:e, c_sum:c_mel] = sp.stft_summary(P, sr=sr, n_fft=n_fft)
        values[s:e, i_centroid] = sp.spectral_centroid(sr=sr, hop_length=hop, win_length=win, n_fft=n_fft, M=M)
        Mf = M if m_prev is None else np.concatenate([m_prev, M])
        fl = sp.spectral_flux(sr=sr, hop_length=hop, win_length=win, n_fft=n_fft, window=window, M=Mf)
        values[s:e, i_flux] = fl if m_prev is None else fl[1:]
        m_prev = M[-1:]

    mf = sp.mfcc(sr=sr, hop_length=hop, n_mfcc=n_mfcc, log_mel_db=lm)
    values[:, c_mf:c_mf + n_mfcc] = mf
    values[:, c_mf + n_mfcc:c_mf + 2 * n_mfcc] = sp.delta(mf, order=1)
    values[:, c_mf + 2 * n_mfcc:] = sp.delta(mf, order=2)
    values[:, 0] = np.where(voiced, f0, 0.0)
    values[:, 1] = vp
    values[:, 2] = voiced
    values[:, 3] = np.where(voiced, hz_to_semitones(np.where(voiced, f0, 1.0)), 0.0)
    values[:, 4] = sp.rms_db(sr=sr, hop_length=hop, win_length=win, frames_=fr)
    values[:, 7] = sp.zero_crossing_rate(sr=sr, hop_length=hop, win_length=win, frames_=fr)
    values[:, 8] = sp.onset_strength(sr=sr, hop_length=hop, log_mel_db=lm)
    values[:, 9] = win_col
    log.info("audio features: %d frames x %d columns at %.4g fps (%s window, %s pitch%s)", T, len(names),
             sr / hop, window, pitch, ", adaptive" if adaptive_window else "")
    return Stream("audio", values, names, sr / hop, mask=np.ones(T, dtype=bool))


def summary(y: np.ndarray, *, sr: int, feats: Stream | None = None, egemaps_features: bool = True,
            pitch: str = "praat") -> dict[str, Any]:
    """Utterance prosody: ``{"prosody": own_summary(...), "egemaps": {88 functionals}}``.

    ``feats``: the frame features of ``y`` if already computed (else computed with ``pitch``). See
    :mod:`signfuse.audio.prosody` for what each summary holds.
    """
    if feats is None:
        feats = features(y, sr=sr, pitch=pitch)
    out: dict[str, Any] = {"prosody": own_summary(feats)}
    if egemaps_features:
        out["egemaps"] = egemaps(y, sr=sr)
    return out


def analyze_file(path: str | PathLike[str], *, sr: int | None = 16000, hop_ms: float = 10.0, window: str = "hann",
                 pitch: str = "praat", adaptive_window: bool = False,
                 summary: bool = False) -> tuple[Stream, dict | None, np.ndarray, int]:
    """Load ``path`` (:func:`signfuse.audio.load`), compute :func:`features` and optionally the prosody summary.

    Returns ``(features, summary_or_None, y, sr)``. Every data problem raises
    :class:`~signfuse.errors.DataError` naming the file.
    """
    from .load import load

    y, rate = load(path, sr=sr)
    try:
        feats = features(y, sr=rate, hop_ms=hop_ms, window=window, pitch=pitch, adaptive_window=adaptive_window)
        summ = _summary(y, sr=rate, feats=feats) if summary else None
    except DataError as e:
        raise DataError(e.reason, path=path) from None
    return feats, summ, y, rate


_summary = summary  # analyze_file's `summary` argument shadows the function
