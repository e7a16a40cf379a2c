"""Known answers for the spectral frame features (signfuse.audio.spectral)."""

from __future__ import annotations

import numpy as np
import pytest

from signfuse.audio import spectral as sp
from signfuse.errors import DataError, ParameterError
from signfuse.testing.audio import tone

SR, HOP = 16000, 160


@pytest.mark.parametrize("freq", [440.0, 1000.0, 3150.0])
def test_centroid_of_sine_is_its_frequency(freq):
    y = tone(freq, sr=SR, duration=0.5)
    err = {
        w: float(np.abs(sp.spectral_centroid(y, sr=SR, hop_length=HOP, window=w)[5:-5] - freq).max())
        for w in sp.WINDOWS
    }
    # Hann and Blackman: within 1 Hz (their side lobes fall fast, so distant bins carry ~no magnitude)
    assert err["hann"] < 1.0 and err["blackman"] < 0.5, err
    # Hamming's slowly decaying side lobes put magnitude over the whole band and bias the
    # magnitude-weighted centroid upwards by tens of Hz: the leakage order shows up in a feature.
    assert err["blackman"] < err["hann"] < err["hamming"], err
    assert err["hamming"] > 10.0, err


def test_centroid_of_two_equal_sines_is_their_midpoint():
    y = tone(500.0, sr=SR, duration=0.5) + tone(2500.0, sr=SR, duration=0.5)
    c = sp.spectral_centroid(y, sr=SR, hop_length=HOP, window="blackman")[5:-5]
    np.testing.assert_allclose(c, 1500.0, rtol=0.005)


def test_delta_of_linear_ramp_is_its_slope_and_delta_delta_is_zero():
    t = np.arange(50, dtype=np.float32)
    x = np.stack([3.0 * t + 1.0, -0.5 * t], axis=1)
    d = sp.delta(x, order=1)
    np.testing.assert_allclose(d, np.broadcast_to([3.0, -0.5], x.shape), atol=1e-4)
    np.testing.assert_allclose(sp.delta(x, order=2), 0.0, atol=1e-4)
    q = (0.5 * t**2)[:, None]  # second derivative 1
    np.testing.assert_allclose(sp.delta(q, order=2), 1.0, atol=1e-3)


def test_delta_with_fewer_frames_than_width():
    assert sp.delta(np.ones((3, 2)), order=1).shape == (3, 2)
    with pytest.raises(ParameterError, match="width"):
        sp.delta(np.ones((20, 2)), width=4)


def test_rms_and_zcr_of_a_sine():
    a, f = 0.5, 1000.0
    y = tone(f, sr=SR, duration=0.5, amplitude=a)
    r = sp.rms_db(y, sr=SR, hop_length=HOP)[5:-5]
    np.testing.assert_allclose(r, 20 * np.log10(a / np.sqrt(2)), atol=0.05)
    z = sp.zero_crossing_rate(y, sr=SR, hop_length=HOP)[5:-5]
    np.testing.assert_allclose(z, 2 * f / SR, atol=2 / 400)


def test_log_mel_and_mfcc_match_librosa():
    import librosa

    rng = np.random.default_rng(0)
    y = (0.1 * rng.standard_normal(8000)).astype(np.float32) + tone(300.0, sr=SR, duration=0.5)
    lm = sp.log_mel(y, sr=SR, hop_length=HOP, window="hamming")
    ref = librosa.feature.melspectrogram(
        y=y,
        sr=SR,
        n_fft=512,
        hop_length=HOP,
        win_length=400,
        window="hamming",
        center=True,
        pad_mode="constant",
        power=2.0,
        n_mels=80,
    )
    ref_db = librosa.power_to_db(ref, ref=1.0, amin=1e-10, top_db=None).T
    np.testing.assert_allclose(lm, ref_db, atol=0.02)
    mf = sp.mfcc(log_mel_db=lm, sr=SR, hop_length=HOP)
    ref_mf = librosa.feature.mfcc(S=ref_db.T, n_mfcc=13).T
    np.testing.assert_allclose(mf, ref_mf, atol=0.05)


def test_onset_strength_peaks_at_a_step():
    y = np.concatenate([np.zeros(8000, np.float32), tone(800.0, sr=SR, duration=0.5)])
    y += np.float32(1e-4) * np.random.default_rng(1).standard_normal(y.size).astype(np.float32)
    o = sp.onset_strength(y, sr=SR, hop_length=HOP)
    assert abs(int(np.argmax(o)) - 50) <= 2
    assert o[0] == 0.0


def test_flux_is_zero_for_steady_tone_and_positive_at_onset():
    y = np.concatenate([np.zeros(4000, np.float32), tone(800.0, sr=SR, duration=0.5)])
    fl = sp.spectral_flux(y, sr=SR, hop_length=HOP)
    assert np.max(fl[40:-3]) < 1e-3 * np.max(fl)  # (the last frames reach into the end padding)
    assert abs(int(np.argmax(fl)) - 25) <= 2


def test_stft_summary_band_and_rolloff():
    y = tone(700.0, sr=SR, duration=0.5)
    P = sp.power_spectrogram(y, sr=SR, hop_length=HOP)
    s = sp.stft_summary(P, sr=SR, n_fft=512)[10]
    names = sp.STFT_SUMMARY_NAMES
    band = s[:6]
    assert names[int(np.argmax(band))] == "stft_db_500_1000"
    assert abs(s[names.index("stft_rolloff")] - 700) < 40
    assert s[names.index("stft_flatness")] < 0.01  # a tone is far from flat
    noise = np.random.default_rng(2).standard_normal(8000).astype(np.float32) * 0.1
    sn = sp.stft_summary(sp.power_spectrogram(noise, sr=SR, hop_length=HOP), sr=SR, n_fft=512)[10]
    assert sn[names.index("stft_flatness")] > 0.4  # white noise: geometric ~ 0.56 x arithmetic mean
    assert abs(sn[names.index("stft_rolloff")] - 0.85 * SR / 2) < 500


def test_frames_are_centred():
    y = np.zeros(1600, np.float32)
    y[800] = 1.0
    fr = sp.frames(y, hop_length=HOP, win_length=400)
    assert fr.shape == (11, 400)
    assert fr[5, 200] == 1.0  # frame 5 is centred on sample 800


def test_parameter_errors_name_the_parameter():
    y = tone(440.0, sr=SR, duration=0.1)
    with pytest.raises(ParameterError, match="window='kaiser'"):
        sp.stft(y, sr=SR, hop_length=HOP, window="kaiser")
    with pytest.raises(ParameterError, match="sr="):
        sp.stft(y, sr=0, hop_length=HOP)
    with pytest.raises(ParameterError, match="hop_length"):
        sp.stft(y, sr=SR, hop_length=0)
    with pytest.raises(ParameterError, match="n_mfcc"):
        sp.mfcc(y, sr=SR, hop_length=HOP, n_mfcc=0)
    with pytest.raises(DataError, match="NaN"):
        sp.stft(np.array([0.0, np.nan, 0.0] * 200, np.float32), sr=SR, hop_length=HOP)
    with pytest.raises(DataError, match="mono"):
        sp.stft(np.zeros((2, 1000), np.float32), sr=SR, hop_length=HOP)
