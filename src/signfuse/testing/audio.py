"""Known-answer audio signals: tones, glides with a known F0 contour, a harmonic "voice", a linear ramp.

Each function returns float32 waveforms in [-1, 1] and, where there is one, the exact answer on the
centred frame grid of :mod:`signfuse.audio.spectral` (frame ``i`` at ``i * hop_length / sr`` seconds).
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError

__all__ = ["tone", "glide", "glide_f0", "harmonic_glide", "frame_times"]


def _check(sr: int, duration: float) -> int:
    if not (isinstance(sr, (int, np.integer)) and sr > 0):
        raise ParameterError(f"sr={sr!r} must be a positive integer")
    if not duration > 0:
        raise ParameterError(f"duration={duration!r} must be positive")
    return int(round(sr * duration))


def frame_times(n_samples: int, *, sr: int, hop_length: int) -> np.ndarray:
    """Times (s) of the centred frames of a signal of ``n_samples`` samples."""
    return np.arange(1 + n_samples // hop_length) * hop_length / sr


def tone(freq: float, *, sr: int, duration: float, amplitude: float = 0.5, phase: float = 0.0) -> np.ndarray:
    """A pure sine of ``freq`` Hz."""
    n = _check(sr, duration)
    t = np.arange(n) / sr
    return (amplitude * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)


def _glide_phase(f_start: float, f_end: float, t: np.ndarray, duration: float) -> np.ndarray:
    if f_start == f_end:
        return 2 * np.pi * f_start * t
    r = np.log(f_end / f_start)
    return 2 * np.pi * f_start * duration / r * (np.exp(r * t / duration) - 1.0)


def glide_f0(f_start: float, f_end: float, t: np.ndarray, *, duration: float) -> np.ndarray:
    """The instantaneous frequency of :func:`glide` at times ``t`` (exponential: linear in semitones)."""
    return f_start * (f_end / f_start) ** (np.clip(t, 0, duration) / duration)


def glide(f_start: float, f_end: float, *, sr: int, duration: float, amplitude: float = 0.5) -> np.ndarray:
    """A sine whose frequency moves exponentially (linearly in semitones) from ``f_start`` to ``f_end``."""
    n = _check(sr, duration)
    t = np.arange(n) / sr
    return (amplitude * np.sin(_glide_phase(f_start, f_end, t, duration))).astype(np.float32)


def harmonic_glide(
    f_start: float,
    f_end: float,
    *,
    sr: int,
    duration: float,
    n_harmonics: int = 12,
    amplitude: float = 0.5,
    noise_db: float | None = None,
    seed: int = 0,
) -> np.ndarray:
    """A voice-like harmonic complex (1/k amplitudes) on an exponential F0 glide, optional white noise
    ``noise_db`` dB below the signal's RMS (seeded)."""
    n = _check(sr, duration)
    t = np.arange(n) / sr
    ph = _glide_phase(f_start, f_end, t, duration)
    f_top = max(f_start, f_end)
    y = np.zeros(n)
    for k in range(1, n_harmonics + 1):
        if k * f_top < sr / 2 * 0.95:
            y += np.sin(k * ph) / k
    y *= amplitude / np.max(np.abs(y))
    if noise_db is not None:
        rms = np.sqrt(np.mean(y**2))
        y += np.random.default_rng(seed).standard_normal(n) * rms * 10 ** (-noise_db / 20)
    return y.astype(np.float32)
