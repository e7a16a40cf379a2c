"""A voice-like 16 kHz track whose prosody follows the gesture.

Source-filter synthesis: a harmonic glottal source (harmonic ``k`` at ``1/k`` amplitude, built with the
Chebyshev recurrence so it costs a few multiply-adds per harmonic and sample) following an F0 contour,
shaped by three formant resonators (second-order sections through :func:`scipy.signal.sosfilt`), with a
little aspiration noise.

Two documented links tie the voice to the hands:

* **Contour, lagged.** ``drive(t)`` is the (stroke-weighted) hand speed of the sequence at frame rate,
  and the audio at time ``t`` uses ``drive(t - lag_s)``: F0 (in semitones) and the slow energy envelope
  peak ``lag_s`` after the wrist-speed peaks, so a lagged cross-correlation of F0 and hand speed
  recovers ``lag_s``.
* **Stress on the stops.** Syllables (the emotion's rate) are laid out so that a *stressed* syllable (full
  level, 25 ms attack) starts at each moment the hand stops after a movement (``stress_s``: prominent
  minima of the wrist speed, :func:`stress_times`), with weaker unstressed syllables (0.3, 80 ms attack)
  in between. This is the gesture-speech anchor found in real speakers: the pitch-accented syllable lines
  up with the gesture's point of maximum extension, where the hand is slowest (Leonard & Cummins 2011,
  *Language and Cognitive Processes* 26(10)). It is what the AIST++/BEAT beat-alignment score (audio
  onsets versus hand-speed minima) measures.

::

    f0(t)  = f0_base * 2 ** ((shift + decl * t + range_st * drive(t - lag_s) + jitter(t)) / 12)
    amp(t) = gain * (floor + (1 - floor) * drive(t - lag_s)) * syllables(t; stress_s)

Emotion shapes ``shift``, ``range_st``, ``gain``, syllable rate and spectral brightness
(:data:`EMOTION_VOICE`).
"""

from __future__ import annotations

import numpy as np
from scipy.signal import sosfilt

from ...errors import ParameterError

__all__ = ["EMOTION_VOICE", "VOWELS", "voice_track", "drive_from_speed", "stress_times", "syllable_envelope"]

# emotion -> (F0 shift st at intensity 1, accent range st at intensity 0 and 1, gain dB at intensity 1,
#             syllable rate Hz, brightness)
EMOTION_VOICE: dict[str, dict[str, float]] = {
    "neutral": {"shift": 0.0, "range0": 3.0, "range1": 4.0, "gain_db": 0.0, "rate": 4.5, "bright": 0.0},
    "happy": {"shift": 2.5, "range0": 4.0, "range1": 8.0, "gain_db": 3.0, "rate": 5.0, "bright": 0.3},
    "sad": {"shift": -2.5, "range0": 2.5, "range1": 1.5, "gain_db": -6.0, "rate": 3.5, "bright": -0.4},
    "angry": {"shift": 1.5, "range0": 4.0, "range1": 6.0, "gain_db": 6.0, "rate": 5.5, "bright": 0.6},
    "surprised": {"shift": 4.0, "range0": 4.0, "range1": 10.0, "gain_db": 2.0, "rate": 4.5, "bright": 0.2},
}
VOWELS: dict[str, tuple[float, float, float]] = {
    "a": (730, 1090, 2440),
    "e": (530, 1840, 2480),
    "i": (300, 2200, 2950),
    "o": (570, 840, 2410),
    "u": (320, 920, 2300),
}


def drive_from_speed(speed: np.ndarray, weight: np.ndarray, *, ref: float) -> np.ndarray:
    """``(frames,)`` prosodic drive in [0, 1): ``1 - exp(-speed * weight / ref)``, lightly smoothed
    (a symmetric 3-tap filter, so it shifts nothing)."""
    s = np.asarray(speed, dtype=np.float64) * np.asarray(weight, dtype=np.float64)
    if s.size >= 3:
        s = np.convolve(np.pad(s, 1, mode="edge"), [0.25, 0.5, 0.25], mode="valid")
    return 1.0 - np.exp(-np.maximum(s, 0.0) / ref)


def stress_times(speed: np.ndarray, *, fps: float, prominence: float = 0.3, min_interval_s: float = 0.25) -> np.ndarray:
    """Times (s) where the hand stops after a movement: local minima of ``speed`` with a prominence of at
    least ``prominence`` times its 5-95 % range, at least ``min_interval_s`` apart."""
    from scipy.signal import find_peaks

    s = np.asarray(speed, dtype=np.float64)
    if s.size < 3 or not fps > 0:
        return np.zeros(0)
    lo, hi = np.percentile(s, [5, 95])
    if not hi > lo:
        return np.zeros(0)
    idx, _ = find_peaks(-s, prominence=prominence * (hi - lo), distance=max(1, int(round(min_interval_s * fps))))
    return idx / float(fps)


def syllable_envelope(
    t: np.ndarray, stress_s: np.ndarray, *, rate: float, phase: float = 0.0, unstressed: float = 0.3
) -> np.ndarray:
    """Amplitude envelope (0.1..1) of syllables at ``rate`` Hz on the sample times ``t``.

    A stressed syllable (gain 1, 25 ms linear attack) starts at each time in ``stress_s``; between two of
    them, as many evenly spaced unstressed syllables (gain ``unstressed``, 80 ms attack) as fit at ``rate``;
    before the first and after the last, unstressed syllables every ``1 / rate`` s. Without stress times the
    syllables run freely from ``phase`` (s). Each syllable decays with a 90 ms time constant.
    """
    t = np.asarray(t, dtype=np.float64)
    if t.size == 0:
        return np.zeros(0)
    period = 1.0 / rate
    stress = np.sort(np.asarray(stress_s, dtype=np.float64).ravel())
    stress = stress[(stress >= t[0]) & (stress <= t[-1])]
    onsets: list[tuple[float, float]] = []
    if stress.size == 0:
        onsets = [(o, unstressed) for o in np.arange(t[0] + phase % period - period, t[-1], period)]
    else:
        onsets = [(float(a), 1.0) for a in stress]
        for a, b in zip(stress[:-1], stress[1:]):
            n = int(np.floor((b - a) / period - 0.5))
            onsets += [(float(a + j * (b - a) / (n + 1)), unstressed) for j in range(1, n + 1)]
        onsets += [(float(o), unstressed) for o in np.arange(stress[0] - period, t[0] - period, -period)]
        onsets += [(float(o), unstressed) for o in np.arange(stress[-1] + period, t[-1], period)]
    env = np.zeros_like(t)
    sr = (t.size - 1) / (t[-1] - t[0]) if t.size > 1 else 1.0
    span = int(0.6 * sr) + 1
    for o, g in onsets:
        att = 0.025 if g >= 1.0 else 0.08
        i0 = max(0, int(np.searchsorted(t, o)))
        seg = slice(i0, min(t.size, i0 + span))
        tau = t[seg] - o
        np.maximum(env[seg], g * np.minimum(tau / att, 1.0) * np.exp(-np.maximum(tau - att, 0.0) / 0.09), out=env[seg])
    return 0.1 + 0.9 * env


def _resonator(freq: float, bw: float, sr: int) -> np.ndarray:
    r = np.exp(-np.pi * bw / sr)
    th = 2 * np.pi * freq / sr
    a1, a2 = -2 * r * np.cos(th), r * r
    g = 1 + a1 + a2  # unit gain at DC
    return np.array([g, 0.0, 0.0, 1.0, a1, a2])


def voice_track(
    drive: np.ndarray,
    *,
    fps: float,
    sr: int,
    lag_s: float,
    f0_hz: float,
    emotion: str,
    intensity: float,
    vowel: str,
    formant_scale: float,
    weight: float,
    rng: np.random.Generator,
    stress_s: np.ndarray | None = None,
) -> tuple[np.ndarray, dict]:
    """Synthesize ``len(drive) / fps`` seconds of voice. Returns ``(y float32, factors)``.

    ``weight`` (0..1.5) scales how much the emotion shows in the voice (per-sample channel weight);
    ``stress_s`` are the stressed-syllable onsets (s; none: free-running syllables).
    """
    if sr <= 0 or fps <= 0:
        raise ParameterError(f"sr={sr} and fps={fps} must be positive")
    if emotion not in EMOTION_VOICE:
        raise ParameterError(f"unknown emotion {emotion!r}; known: {sorted(EMOTION_VOICE)}")
    drive = np.asarray(drive, dtype=np.float64)
    n_frames = drive.shape[0]
    n = int(round(n_frames / fps * sr))
    t = np.arange(n) / sr
    frame_t = np.arange(n_frames) / fps
    d = np.interp(t - lag_s, frame_t, drive, left=drive[0] if n_frames else 0.0, right=drive[-1] if n_frames else 0.0)
    ev = EMOTION_VOICE[emotion]
    k = float(np.clip(intensity * weight, 0.0, 1.5))
    shift = ev["shift"] * k
    range_st = ev["range0"] + (ev["range1"] - ev["range0"]) * k
    gain_db = ev["gain_db"] * k
    rate = ev["rate"] * float(rng.uniform(0.9, 1.1))
    # slow jitter: smoothed noise, 0.15 st
    jn = rng.normal(0.0, 1.0, size=max(2, int(len(t) / sr * 20) + 2))
    jitter = 0.15 * np.interp(t * 20, np.arange(jn.size), jn)
    st = shift - 0.3 * t + range_st * d + jitter
    f0 = f0_hz * 2.0 ** (st / 12.0)
    phase = 2 * np.pi * np.cumsum(f0) / sr + rng.uniform(0, 2 * np.pi)
    s1, c2 = np.sin(phase).astype(np.float32), (2 * np.cos(phase)).astype(np.float32)
    src = s1.copy()
    prev, cur = np.zeros_like(s1), s1
    tilt = 1.0 - 0.35 * ev["bright"] * k
    nyq = 0.45 * sr
    f0max = float(f0.max())
    for h in range(2, 40):
        nxt = c2 * cur
        nxt -= prev
        prev, cur = cur, nxt
        if h * f0max < nyq:
            src += np.float32(1.0 / h**tilt) * cur
        else:
            src += (np.float32(1.0 / h**tilt) * (h * f0 < nyq)).astype(np.float32) * cur
            if h * float(f0.min()) >= nyq:
                break
    src = src.astype(np.float64)
    src += 0.02 * rng.normal(0.0, 1.0, size=n)
    fm = np.array(VOWELS[vowel]) * formant_scale
    sos = np.stack([_resonator(f, bw, sr) for f, bw in zip(fm, (80.0, 100.0, 140.0))])
    y = sosfilt(sos, src)
    syl = syllable_envelope(
        t, np.zeros(0) if stress_s is None else np.asarray(stress_s), rate=rate, phase=float(rng.uniform(0, 1.0 / rate))
    )
    floor = 0.5
    env = (floor + (1 - floor) * d) * syl
    g = 10 ** (gain_db / 20.0) * 0.05
    y = np.clip(g * env * y, -0.99, 0.99).astype(np.float32)
    factors = {
        "f0_base_hz": round(float(f0_hz), 3),
        "f0_shift_st": round(float(shift), 4),
        "f0_range_st": round(float(range_st), 4),
        "gain_db": round(float(gain_db), 3),
        "syllable_rate_hz": round(rate, 4),
        "vowel": vowel,
        "formant_scale": formant_scale,
        "lag_s": float(lag_s),
        "declination_st_per_s": -0.3,
        "voice_weight": round(float(weight), 4),
    }
    return y, factors
