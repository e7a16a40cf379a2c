"""The feature Stream: layout, one time axis, options, prosody summary."""

from __future__ import annotations

import numpy as np
import pytest

from signfuse.audio import feature_names, features
from signfuse.audio.features import summary
from signfuse.audio.prosody import _movements, egemaps, own_summary
from signfuse.errors import ParameterError
from signfuse.streams import align
from signfuse.testing.audio import harmonic_glide, tone

SR = 16000


@pytest.fixture(scope="module")
def voice():
    # up an octave then back down, with noise: a voiced "utterance" with a known contour
    up = harmonic_glide(110.0, 220.0, sr=SR, duration=0.6, noise_db=30, seed=1)
    down = harmonic_glide(220.0, 110.0, sr=SR, duration=0.6, noise_db=30, seed=2)
    gap = np.zeros(int(0.3 * SR), np.float32)
    return np.concatenate([gap, up, down, gap])


def test_stream_layout(voice):
    f = features(voice, sr=SR)
    assert f.name == "audio" and f.fps == 100.0
    assert f.n_frames == 1 + voice.size // 160
    assert f.names == feature_names()
    for c in ("f0_hz", "voicing", "f0_semitones", "rms_db", "centroid", "flux", "zcr", "onset", "mel_00", "mel_79",
              "mfcc_00", "mfcc_12", "dmfcc_00", "ddmfcc_12", "stft_db_total"):
        assert c in f.names
    assert len(f.names) == 10 + 10 + 80 + 39
    assert np.isfinite(f.values).all() and f.mask.all()
    v = f.column("voiced") > 0.5
    assert 0.6 < v.mean() < 0.85                             # 1.2 s voiced out of 1.8 s
    np.testing.assert_allclose(f.column("f0_semitones")[v], 12 * np.log2(f.column("f0_hz")[v] / 27.5), atol=1e-3)
    assert (f.column("f0_hz")[~v] == 0).all()
    # every frame stays valid when put on a 25 fps clock with other streams
    a = align([f], fps=25.0)["audio"]
    assert a.mask.all() and a.n_frames == int(f.duration * 25)


def test_hop_and_window_options(voice):
    f5 = features(voice, sr=SR, hop_ms=5.0)
    assert f5.fps == 200.0 and f5.n_frames == 1 + voice.size // 80
    fh = features(voice, sr=SR, window="hann")
    fb = features(voice, sr=SR, window="blackman")
    i = fh.names.index("mel_40")
    assert not np.allclose(fh.values[:, i], fb.values[:, i])
    # F0 and time-domain features do not depend on the STFT window
    for c in ("f0_hz", "rms_db", "zcr"):
        np.testing.assert_array_equal(fh.column(c), fb.column(c))
    with pytest.raises(ParameterError, match="window='rect'"):
        features(voice, sr=SR, window="rect")
    with pytest.raises(ParameterError, match="pitch='crepe'"):
        features(voice, sr=SR, pitch="crepe")
    with pytest.raises(ParameterError, match="sr="):
        features(voice, sr=16000.5)


def test_adaptive_window_column(voice):
    f = features(voice, sr=SR, adaptive_window=True)
    v = f.column("voiced") > 0.5
    win = f.column("win_ms")
    np.testing.assert_allclose(win[~v], 25.0)
    # voiced: 3 periods of the tracked F0 (1.5 % grid)
    np.testing.assert_allclose(win[v], 3000.0 / f.column("f0_hz")[v], rtol=0.012)
    assert win[v].max() > 25.0 > win[v].min()               # low notes get longer, high ones shorter windows
    fixed = features(voice, sr=SR)
    assert np.isfinite(f.values).all()
    np.testing.assert_array_equal(f.column("f0_hz"), fixed.column("f0_hz"))


def test_yin_features_agree_with_praat(voice):
    a = features(voice, sr=SR)
    b = features(voice, sr=SR, pitch="yin")
    both = (a.column("voiced") > 0.5) & (b.column("voiced") > 0.5)
    assert both.sum() > 100
    d = np.abs(1200 * np.log2(a.column("f0_hz")[both] / b.column("f0_hz")[both]))
    assert np.median(d) < 5.0


def test_movements_counts_rises_and_falls():
    up = np.linspace(0, 6, 30)
    contour = np.concatenate([up, up[::-1], up[:10]])          # rise 6 st, fall 6 st, rise 2 st
    assert _movements(contour, 1.5) == (2, 1)
    assert _movements(contour, 3.0) == (1, 1)
    assert _movements(np.zeros(20), 1.5) == (0, 0)


def test_own_summary_known_contour(voice):
    p = own_summary(features(voice, sr=SR))
    assert p["f0_range_st"] == pytest.approx(10.8, abs=0.5)    # 5th-95th pct of a 12 st linear glide: 0.9 x 12
    assert p["rises"] == 1 and p["falls"] == 1
    assert p["final_slope_st_per_s"] < -10                     # ends falling (-20 st/s)
    assert p["f0_median_hz"] == pytest.approx(155.6, rel=0.03)  # geometric middle of 110..220
    assert p["pause_ratio"] == pytest.approx(0.0, abs=0.05)    # leading/trailing silence is not a pause
    two = np.concatenate([voice, voice])
    p2 = own_summary(features(two, sr=SR))
    # one internal 0.6 s pause in (2 x 1.2 s voiced + 0.6 s): 0.2 of the speaking span
    assert p2["pause_ratio"] == pytest.approx(0.2, abs=0.03)


def test_summary_has_88_egemaps_functionals(voice):
    s = summary(voice, sr=SR)
    assert len(s["egemaps"]) == 88
    # openSMILE's own F0 (semitones from 27.5 Hz) agrees with ours on the median within a semitone
    ours = 12 * np.log2(s["prosody"]["f0_median_hz"] / 27.5)
    assert s["egemaps"]["F0semitoneFrom27.5Hz_sma3nz_percentile50.0"] == pytest.approx(ours, abs=1.0)
    short = egemaps(tone(200.0, sr=SR, duration=0.05), sr=SR)
    assert len(short) == 88                                    # too short for openSMILE: NaN values, no crash


@pytest.mark.parametrize("method", ["praat", "yin"])
def test_any_length_and_rate_gives_finite_features(method):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=12, deadline=None, derandomize=True)
    @given(sr=st.sampled_from([8000, 11025, 16000, 22050, 44100, 48000]), n=st.integers(1, 4000),
           kind=st.sampled_from(["noise", "zeros", "tone", "full-scale square"]), seed=st.integers(0, 2 ** 16))
    def check(sr, n, kind, seed):
        rng = np.random.default_rng(seed)
        t = np.arange(n) / sr
        y = {"noise": 0.1 * rng.standard_normal(n), "zeros": np.zeros(n), "tone": 0.5 * np.sin(2 * np.pi * 200 * t),
             "full-scale square": np.sign(np.sin(2 * np.pi * 150 * t))}[kind].astype(np.float32)
        f = features(y, sr=sr, pitch=method)
        hop = int(round(sr / 100))
        assert f.n_frames == 1 + n // hop and f.fps == pytest.approx(sr / hop)
        assert np.isfinite(f.values).all()
        assert set(np.unique(f.column("voiced"))) <= {0.0, 1.0}

    check()
