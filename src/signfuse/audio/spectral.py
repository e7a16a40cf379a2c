"""Spectral frame features as pure, librosa-style functions (time first: ``(frames, features)``).

Conventions shared by every function here (and by :func:`signfuse.audio.features`):

* Frames are *centred*: frame ``i`` is centred on sample ``i * hop_length`` (the signal is padded with
  ``win_length // 2`` zeros on both sides), so a signal of ``n`` samples has ``1 + n // hop_length``
  frames and frame ``i`` belongs to time ``i * hop_length / sr`` (librosa's ``center=True`` with zero
  padding).
* ``win_length`` defaults to 25 ms and ``n_fft`` to the next power of two that holds it (at least 512).
  The window (``"hann"``, ``"hamming"`` or ``"blackman"``, periodic form) has ``win_length`` samples
  and the frame is zero-padded to ``n_fft`` before the FFT.
* Every function takes the waveform ``y`` **or** a precomputed spectrogram ``S`` so that a pipeline
  computes one STFT and reuses it (:func:`signfuse.audio.features` does).
* Levels are in dB re full scale with a floor of ``amin = 1e-10`` (-100 dB) and no ``top_db``
  clipping, so a frame's value never depends on the loudest frame elsewhere in the file.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ..errors import DataError, ParameterError

__all__ = [
    "WINDOWS",
    "frame_params",
    "get_window",
    "frames",
    "stft",
    "power_spectrogram",
    "log_power_stft",
    "stft_summary",
    "STFT_SUMMARY_NAMES",
    "mel_filterbank",
    "log_mel",
    "mfcc",
    "delta",
    "spectral_centroid",
    "spectral_flux",
    "rms_db",
    "zero_crossing_rate",
    "onset_strength",
    "power_to_db",
]

WINDOWS = ("hann", "hamming", "blackman")
AMIN = 1e-10

# Octave-like bands (Hz) of the log-power STFT summary; a band above Nyquist is kept and filled with the
# -100 dB floor so that the column set does not depend on the sample rate.
_BANDS = ((0, 250), (250, 500), (500, 1000), (1000, 2000), (2000, 4000), (4000, 8000))
STFT_SUMMARY_NAMES = tuple(f"stft_db_{lo}_{hi}" for lo, hi in _BANDS) + (
    "stft_db_total",
    "stft_flatness",
    "stft_rolloff",
    "stft_bandwidth",
)


def _check_rate(sr: object, name: str = "sr") -> int:
    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or sr <= 0:
        raise ParameterError(f"{name}={sr!r} must be a positive integer sample rate in Hz")
    return int(sr)


def frame_params(
    *, sr: int, hop_length: int, win_length: int | None = None, n_fft: int | None = None
) -> tuple[int, int, int]:
    """Validate and complete ``(hop_length, win_length, n_fft)`` (defaults: 25 ms, next power of 2 >= 512)."""
    sr = _check_rate(sr)
    if isinstance(hop_length, bool) or not isinstance(hop_length, (int, np.integer)) or hop_length <= 0:
        raise ParameterError(f"hop_length={hop_length!r} must be a positive integer number of samples")
    if win_length is None:
        win_length = int(round(0.025 * sr))
    if not isinstance(win_length, (int, np.integer)) or win_length < 2:
        raise ParameterError(f"win_length={win_length!r} must be an integer >= 2 samples")
    if n_fft is None:
        n_fft = max(512, 1 << int(math.ceil(math.log2(win_length))))
    if not isinstance(n_fft, (int, np.integer)) or n_fft < win_length:
        raise ParameterError(f"n_fft={n_fft!r} must be an integer >= win_length={win_length}")
    return int(hop_length), int(win_length), int(n_fft)


@functools.lru_cache(maxsize=64)
def _window(name: str, length: int) -> np.ndarray:
    from scipy.signal import get_window as _gw

    w = _gw(name, length, fftbins=True).astype(np.float32)
    w.flags.writeable = False
    return w


def get_window(window: str, length: int) -> np.ndarray:
    """The periodic ``window`` of ``length`` samples (float32). ``window``: hann, hamming or blackman."""
    if window not in WINDOWS:
        raise ParameterError(f"window={window!r} must be one of {list(WINDOWS)}")
    if not isinstance(length, (int, np.integer)) or length < 2:
        raise ParameterError(f"window length={length!r} must be an integer >= 2")
    return _window(window, int(length))


def _check_y(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1:
        raise DataError(f"audio must be mono (samples,), got shape {y.shape}; mix it down first")
    if y.size == 0:
        raise DataError("audio has no samples")
    y = y.astype(np.float32, copy=False)
    if not np.all(np.isfinite(y)):
        raise DataError(f"audio has {int(np.sum(~np.isfinite(y)))} NaN/inf samples")
    return y


def n_frames(n_samples: int, hop_length: int) -> int:
    """Number of centred frames for ``n_samples`` samples."""
    return 1 + int(n_samples) // int(hop_length)


def frames(y: np.ndarray, *, hop_length: int, win_length: int) -> np.ndarray:
    """Centred, zero-padded frames of ``y``: a read-only ``(frames, win_length)`` view."""
    y = _check_y(y)
    half = win_length // 2
    padded = np.zeros(y.size + 2 * half + hop_length, dtype=np.float32)
    padded[half : half + y.size] = y
    view = np.lib.stride_tricks.sliding_window_view(padded, win_length)[::hop_length]
    return view[: n_frames(y.size, hop_length)]


def stft(
    y: np.ndarray | None = None,
    *,
    sr: int,
    hop_length: int,
    win_length: int | None = None,
    n_fft: int | None = None,
    window: str = "hann",
    frames_: np.ndarray | None = None,
) -> np.ndarray:
    """Short-time Fourier transform, ``(frames, 1 + n_fft // 2)`` complex64 (time first).

    ``frames_``: the :func:`frames` view of ``y`` to reuse (then ``y`` may be omitted).
    """
    from scipy import fft as sfft

    hop_length, win_length, n_fft = frame_params(sr=sr, hop_length=hop_length, win_length=win_length, n_fft=n_fft)
    w = get_window(window, win_length)
    fr = frames(_need(y), hop_length=hop_length, win_length=win_length) if frames_ is None else frames_
    buf = np.zeros((fr.shape[0], n_fft), dtype=np.float32)
    np.multiply(fr, w, out=buf[:, :win_length])
    return sfft.rfft(buf, axis=1, workers=1, overwrite_x=True)


def power_spectrogram(
    y: np.ndarray | None = None,
    *,
    sr: int,
    hop_length: int,
    win_length: int | None = None,
    n_fft: int | None = None,
    window: str = "hann",
    S: np.ndarray | None = None,
) -> np.ndarray:
    """``|STFT|^2``, ``(frames, bins)`` float32. ``S``: a complex STFT to reuse."""
    if S is None:
        S = stft(_need(y), sr=sr, hop_length=hop_length, win_length=win_length, n_fft=n_fft, window=window)
    return (S.real * S.real + S.imag * S.imag).astype(np.float32, copy=False)


def power_to_db(S: np.ndarray, *, amin: float = AMIN) -> np.ndarray:
    """``10 log10(max(S, amin))`` (dB re 1, no top_db clipping)."""
    return (10.0 * np.log10(np.maximum(S, amin))).astype(np.float32, copy=False)


def log_power_stft(
    y: np.ndarray | None = None,
    *,
    sr: int,
    hop_length: int,
    win_length: int | None = None,
    n_fft: int | None = None,
    window: str = "hann",
    P: np.ndarray | None = None,
) -> np.ndarray:
    """Log-power spectrogram in dB, ``(frames, bins)``. ``P``: a power spectrogram to reuse."""
    if P is None:
        P = power_spectrogram(_need(y), sr=sr, hop_length=hop_length, win_length=win_length, n_fft=n_fft, window=window)
    return power_to_db(P)


def _need(y: np.ndarray | None) -> np.ndarray:
    if y is None:
        raise ParameterError("give the waveform y or a precomputed spectrogram")
    return y


@functools.lru_cache(maxsize=32)
def _bin_freqs(sr: int, n_fft: int) -> np.ndarray:
    f = np.fft.rfftfreq(n_fft, 1.0 / sr).astype(np.float32)
    f.flags.writeable = False
    return f


@functools.lru_cache(maxsize=32)
def _summary_matrix(sr: int, n_fft: int) -> np.ndarray:
    f = _bin_freqs(sr, n_fft).astype(np.float64)
    cols = []
    for lo, hi in _BANDS:
        sel = (f >= lo) & (f < hi)
        cols.append(sel / max(int(sel.sum()), 1))
    cols += [np.ones_like(f), f, f * f]
    m = np.stack(cols, axis=1).astype(np.float32)
    m.flags.writeable = False
    return m  # (bins, 9): band means, total, first and second moments


def stft_summary(P: np.ndarray, *, sr: int, n_fft: int) -> np.ndarray:
    """Summary of a power spectrogram ``P (frames, bins)``: ``(frames, 10)`` in :data:`STFT_SUMMARY_NAMES` order.

    Columns: mean log power (dB) in six octave-like bands (0-250, 250-500, 500-1k, 1-2k, 2-4k, 4-8k Hz;
    bands beyond Nyquist hold the -100 dB floor, so the columns never depend on the rate), total power
    (dB), spectral flatness (geometric / arithmetic mean of power, 0..1), 85 % roll-off frequency (Hz)
    and spectral bandwidth (power-weighted standard deviation of frequency around the centroid, Hz).
    """
    sr = _check_rate(sr)
    f = _bin_freqs(sr, n_fft)
    if P.shape[1] != f.size:
        raise ParameterError(f"P has {P.shape[1]} bins but n_fft={n_fft} gives {f.size}")
    T = P.shape[0]
    out = np.empty((T, len(STFT_SUMMARY_NAMES)), dtype=np.float32)
    Pf = np.maximum(P, np.float32(AMIN))
    B = (Pf @ _summary_matrix(sr, n_fft)).astype(np.float64)  # (T, 9)
    out[:, :6] = power_to_db(B[:, :6])
    total = B[:, 6]
    out[:, 6] = power_to_db(total)
    out[:, 7] = np.exp(np.log(Pf).mean(axis=1, dtype=np.float64)) / (total / f.size)
    cum = np.cumsum(Pf, axis=1)
    out[:, 8] = f[np.argmax(cum >= 0.85 * cum[:, -1:], axis=1)]
    c = B[:, 7] / total
    out[:, 9] = np.sqrt(np.maximum(B[:, 8] / total - c * c, 0.0))
    return out


@functools.lru_cache(maxsize=32)
def mel_filterbank(
    *, sr: int, n_fft: int, n_mels: int = 80, fmin: float = 0.0, fmax: float | None = None
) -> np.ndarray:
    """librosa's Slaney-normalized mel filterbank, transposed: ``(bins, n_mels)`` float32 (read-only)."""
    import librosa

    fb = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, dtype=np.float32)
    fb = np.ascontiguousarray(fb.T)
    fb.flags.writeable = False
    return fb


def log_mel(
    y: np.ndarray | None = None,
    *,
    sr: int,
    hop_length: int,
    n_mels: int = 80,
    win_length: int | None = None,
    n_fft: int | None = None,
    window: str = "hann",
    P: np.ndarray | None = None,
) -> np.ndarray:
    """Log-mel spectrogram in dB, ``(frames, n_mels)`` (Slaney mel, 0 Hz to Nyquist). ``P``: power spectrogram."""
    hop_length, win_length, n_fft = frame_params(sr=sr, hop_length=hop_length, win_length=win_length, n_fft=n_fft)
    if isinstance(n_mels, bool) or not isinstance(n_mels, (int, np.integer)) or n_mels < 1:
        raise ParameterError(f"n_mels={n_mels!r} must be a positive integer")
    if P is None:
        P = power_spectrogram(_need(y), sr=sr, hop_length=hop_length, win_length=win_length, n_fft=n_fft, window=window)
    fb = mel_filterbank(sr=int(sr), n_fft=n_fft, n_mels=int(n_mels))
    if P.shape[1] != fb.shape[0]:
        raise ParameterError(f"P has {P.shape[1]} bins but n_fft={n_fft} gives {fb.shape[0]}")
    return power_to_db(P @ fb)


@functools.lru_cache(maxsize=16)
def _dct_matrix(n_in: int, n_out: int) -> np.ndarray:
    from scipy.fft import dct

    m = dct(np.eye(n_in, dtype=np.float64), type=2, norm="ortho", axis=0)[:n_out].T.astype(np.float32)
    m.flags.writeable = False
    return m  # (n_in, n_out): x (frames, n_in) @ m == dct(x, axis=1, norm="ortho")[:, :n_out]


def mfcc(
    y: np.ndarray | None = None,
    *,
    sr: int,
    hop_length: int,
    n_mfcc: int = 13,
    n_mels: int = 80,
    win_length: int | None = None,
    n_fft: int | None = None,
    window: str = "hann",
    log_mel_db: np.ndarray | None = None,
) -> np.ndarray:
    """MFCCs, ``(frames, n_mfcc)``: orthonormal DCT-II of the log-mel dB spectrogram (librosa's definition).

    ``log_mel_db``: a precomputed :func:`log_mel` result to reuse.
    """
    if isinstance(n_mfcc, bool) or not isinstance(n_mfcc, (int, np.integer)) or n_mfcc < 1:
        raise ParameterError(f"MFCC n_mfcc={n_mfcc!r} must be a positive integer")
    if log_mel_db is None:
        log_mel_db = log_mel(
            _need(y), sr=sr, hop_length=hop_length, n_mels=n_mels, win_length=win_length, n_fft=n_fft, window=window
        )
    if n_mfcc > log_mel_db.shape[1]:
        raise ParameterError(f"MFCC n_mfcc={n_mfcc} must not exceed the {log_mel_db.shape[1]} mel bands")
    return log_mel_db @ _dct_matrix(log_mel_db.shape[1], int(n_mfcc))


def delta(x: np.ndarray, *, order: int = 1, width: int = 9) -> np.ndarray:
    """Local derivative along time (axis 0) per frame, librosa's Savitzky-Golay definition.

    ``order`` 1 is the slope of a least-squares line (delta), 2 the second derivative of a least-squares
    parabola (delta-delta), both over ``width`` frames; edges use the polynomial fitted to the first or
    last window (``mode="interp"``), or nearest-value extension when there are fewer than ``width`` frames.
    """
    from scipy.signal import savgol_filter

    if order not in (1, 2):
        raise ParameterError(f"delta order={order!r} must be 1 or 2")
    if not isinstance(width, (int, np.integer)) or width < 3 or width % 2 == 0:
        raise ParameterError(f"delta width={width!r} must be an odd integer >= 3")
    x = np.asarray(x, dtype=np.float32)
    if x.shape[0] == 0:
        return x.copy()
    mode = "interp" if x.shape[0] >= width else "nearest"
    return savgol_filter(x, width, polyorder=order, deriv=order, axis=0, mode=mode).astype(np.float32)


def spectral_centroid(
    y: np.ndarray | None = None,
    *,
    sr: int,
    hop_length: int,
    win_length: int | None = None,
    n_fft: int | None = None,
    window: str = "hann",
    M: np.ndarray | None = None,
) -> np.ndarray:
    """Magnitude-weighted mean frequency in Hz, ``(frames,)``; 0 for silent frames. ``M``: ``|STFT|``."""
    hop_length, win_length, n_fft = frame_params(sr=sr, hop_length=hop_length, win_length=win_length, n_fft=n_fft)
    if M is None:
        M = np.abs(stft(_need(y), sr=sr, hop_length=hop_length, win_length=win_length, n_fft=n_fft, window=window))
    f = _bin_freqs(int(sr), n_fft)
    tot = M.sum(axis=1)
    num = M @ f
    return np.where(tot > 1e-8, num / np.maximum(tot, 1e-30), 0.0).astype(np.float32)


def spectral_flux(
    y: np.ndarray | None = None,
    *,
    sr: int,
    hop_length: int,
    win_length: int | None = None,
    n_fft: int | None = None,
    window: str = "hann",
    M: np.ndarray | None = None,
) -> np.ndarray:
    """Half-wave rectified spectral flux, ``(frames,)``: ``sqrt(sum_k max(0, |X_t,k| - |X_t-1,k|)^2)``.

    The magnitudes are normalized by the window sum so that a full-scale sine has peak magnitude ~0.5 at
    any ``win_length`` and window; the first frame's flux is 0.
    """
    hop_length, win_length, n_fft = frame_params(sr=sr, hop_length=hop_length, win_length=win_length, n_fft=n_fft)
    if M is None:
        M = np.abs(stft(_need(y), sr=sr, hop_length=hop_length, win_length=win_length, n_fft=n_fft, window=window))
    wsum = float(get_window(window, win_length).sum())
    out = np.zeros(M.shape[0], dtype=np.float32)
    if M.shape[0] > 1:
        d = np.maximum(M[1:] - M[:-1], 0.0)
        out[1:] = np.sqrt(np.einsum("ij,ij->i", d, d)) / wsum
    return out


def rms_db(
    y: np.ndarray | None = None,
    *,
    sr: int,
    hop_length: int,
    win_length: int | None = None,
    frames_: np.ndarray | None = None,
) -> np.ndarray:
    """Frame RMS level in dB re full scale, ``(frames,)`` (rectangular frames, floor -100 dB).

    ``frames_``: the :func:`frames` view to reuse.
    """
    hop_length, win_length, _ = frame_params(sr=sr, hop_length=hop_length, win_length=win_length)
    fr = frames(_need(y), hop_length=hop_length, win_length=win_length) if frames_ is None else frames_
    e = np.einsum("ij,ij->i", fr, fr, dtype=np.float64) / fr.shape[1]
    return power_to_db(e)


def zero_crossing_rate(
    y: np.ndarray | None = None,
    *,
    sr: int,
    hop_length: int,
    win_length: int | None = None,
    frames_: np.ndarray | None = None,
) -> np.ndarray:
    """Fraction of sample pairs in each frame whose signs differ, ``(frames,)`` in ``[0, 1]``.

    ``frames_``: the :func:`frames` view to reuse.
    """
    hop_length, win_length, _ = frame_params(sr=sr, hop_length=hop_length, win_length=win_length)
    fr = frames(_need(y), hop_length=hop_length, win_length=win_length) if frames_ is None else frames_
    sb = np.signbit(fr)
    return (np.count_nonzero(sb[:, 1:] != sb[:, :-1], axis=1) / (fr.shape[1] - 1)).astype(np.float32)


def onset_strength(
    y: np.ndarray | None = None,
    *,
    sr: int,
    hop_length: int,
    n_mels: int = 80,
    win_length: int | None = None,
    n_fft: int | None = None,
    window: str = "hann",
    log_mel_db: np.ndarray | None = None,
) -> np.ndarray:
    """Onset strength (spectral flux of the log-mel spectrogram), ``(frames,)``.

    ``mean_b max(0, L[t, b] - L[t-1, b])`` with ``L`` the log-mel dB spectrogram (floor -100 dB, no
    global clipping). The first frame is 0. This is librosa's ``onset_strength`` with ``lag=1, max_size=1`` and no
    ``top_db``/centring shift.
    """
    if log_mel_db is None:
        log_mel_db = log_mel(
            _need(y), sr=sr, hop_length=hop_length, n_mels=n_mels, win_length=win_length, n_fft=n_fft, window=window
        )
    out = np.zeros(log_mel_db.shape[0], dtype=np.float32)
    if log_mel_db.shape[0] > 1:
        out[1:] = np.maximum(log_mel_db[1:] - log_mel_db[:-1], 0.0).mean(axis=1)
    return out
