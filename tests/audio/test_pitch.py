"""Pitch trackers and pitch-adaptive windows against signals with a known F0."""

from __future__ import annotations

import numpy as np
import pytest

from signfuse.audio import adaptive_window_lengths, hz_to_semitones, pitch
from signfuse.audio.adaptive import adaptive_power_spectrogram
from signfuse.errors import ParameterError
from signfuse.testing.audio import frame_times, glide_f0, harmonic_glide, tone

SR = 16000


def cents(a, b):
    return 1200 * np.log2(np.asarray(a, float) / np.asarray(b, float))


@pytest.mark.parametrize("method", ["praat", "yin"])
@pytest.mark.parametrize("f", [98.0, 220.0, 440.0])
def test_tone_pitch_within_a_few_cents(method, f):
    y = tone(f, sr=SR, duration=0.6)
    f0, vp = pitch(y, sr=SR, method=method)
    mid = f0[8:-8]
    assert np.isfinite(mid).all()
    assert np.max(np.abs(cents(mid, f))) < 3.0
    assert vp[8:-8].min() > 0.9


@pytest.mark.parametrize("method", ["praat", "yin"])
def test_chirp_follows_known_contour(method):
    dur = 1.0
    y = harmonic_glide(120.0, 240.0, sr=SR, duration=dur, noise_db=30, seed=3)  # one octave up in 1 s
    f0, _ = pitch(y, sr=SR, method=method)
    t = frame_times(y.size, sr=SR, hop_length=160)
    truth = glide_f0(120.0, 240.0, t, duration=dur)
    sel = slice(5, -5)
    ok = np.isfinite(f0[sel])
    assert ok.mean() > 0.95
    err = np.abs(cents(f0[sel][ok], truth[sel][ok]))
    assert np.median(err) < 5.0, np.median(err)
    assert np.percentile(err, 95) < 20.0


@pytest.mark.slow
def test_pyin_agrees_on_a_tone():
    y = tone(220.0, sr=SR, duration=0.4)
    f0, vp = pitch(y, sr=SR, method="pyin")
    assert np.nanmedian(np.abs(cents(f0[5:-5], 220.0))) < 10.0  # pYIN quantizes to 10-cent bins


@pytest.mark.parametrize("method", ["praat", "yin"])
def test_silence_is_unvoiced(method):
    f0, vp = pitch(np.zeros(8000, np.float32), sr=SR, method=method)
    assert f0.shape == (51,) and np.isnan(f0).all()
    assert np.all(vp == 0)


def test_semitones():
    np.testing.assert_allclose(hz_to_semitones(np.array([27.5, 55.0, 110.0])), [0.0, 12.0, 24.0], atol=1e-5)
    assert np.isnan(hz_to_semitones(np.array([np.nan])))[0]


def test_bad_pitch_parameters():
    y = tone(200.0, sr=SR, duration=0.2)
    with pytest.raises(ParameterError, match="method='crepe'"):
        pitch(y, sr=SR, method="crepe")
    with pytest.raises(ParameterError, match="fmax"):
        pitch(y, sr=SR, fmin=75, fmax=9000)
    with pytest.raises(ParameterError, match="hop_ms"):
        pitch(y, sr=SR, hop_ms=0)


def test_adaptive_window_is_three_periods_where_voiced():
    f0 = np.array([100.0, np.nan, 200.0, 400.0, 0.0])
    L = adaptive_window_lengths(f0, sr=SR, win_length=400)
    np.testing.assert_allclose(L[[0, 2, 3]], [480, 240, 120], rtol=0.012)  # 3 periods (grid 1.5 %)
    assert L[1] == 400 and L[4] == 400  # unvoiced: fixed window
    L5 = adaptive_window_lengths(np.array([100.0]), sr=SR, win_length=400, periods=5)
    assert L5[0] == pytest.approx(800, rel=0.012)


def test_adaptive_spectrum_resolves_low_pitch_harmonics_better():
    # 80 Hz voice: a 25 ms window spans 2 periods and blurs harmonics; 3 periods (37.5 ms) resolve them.
    y = harmonic_glide(80.0, 80.0, sr=SR, duration=0.5)
    T = 1 + y.size // 160
    f0 = np.full(T, 80.0)
    P, L, n_fft = adaptive_power_spectrogram(y, sr=SR, hop_length=160, f0_hz=f0, window="hann")
    assert n_fft == 1024 and np.all(L == 600)
    Pfix, _, _ = adaptive_power_spectrogram(y, sr=SR, hop_length=160, f0_hz=np.full(T, np.nan), window="hann")
    freqs = np.fft.rfftfreq(n_fft, 1 / SR)

    def contrast(P):
        db = 10 * np.log10(P[20] + 1e-12)
        h = [db[np.argmin(np.abs(freqs - k * 80))] for k in range(2, 8)]
        v = [db[np.argmin(np.abs(freqs - (k + 0.5) * 80))] for k in range(2, 8)]
        return np.mean(h) - np.mean(v)

    assert contrast(P) > contrast(Pfix) + 3.0  # measured: about 9.9 vs 4.9 dB
