import math

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter1d

from signfuse import DataError, ParameterError
from signfuse.crossmodal import (
    align_envelopes,
    beat_alignment,
    beat_alignment_null,
    dtw,
    lagged_xcorr,
    motion_beats,
    peak_lag,
    permutation_pvalue,
    xcorr_test,
)


def smooth_noise(rng, n, sigma=3.0):
    return gaussian_filter1d(rng.normal(size=n), sigma)


@pytest.mark.parametrize("shift", [-7, 0, 4, 12])
def test_integer_lag_recovered_with_sign_convention(rng, shift):
    fps = 30.0
    x = smooth_noise(rng, 1200)
    a = x[100:1100]
    b = x[100 - shift:1100 - shift]          # b[t] = a[t - shift]: b follows a by `shift` frames
    lags, r = lagged_xcorr(a, b, fps=fps, max_lag_s=1.0)
    assert lags.shape == r.shape == (61,)
    lag, rp = peak_lag(lags, r)
    assert lag == pytest.approx(shift / fps, abs=0.05 / fps)
    assert rp == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("frac", [0.25, 0.5, 3.6])
def test_subframe_lag(rng, frac):
    fps = 30.0
    t = np.arange(2000) / fps
    x = smooth_noise(rng, 2000, sigma=4.0)
    b = np.interp(t - frac / fps, t, x)
    lag, _ = peak_lag(*lagged_xcorr(x[50:-50], b[50:-50], fps=fps))
    assert lag * fps == pytest.approx(frac, abs=0.15)


def test_permutation_test_detects_dependence_and_not_independence(rng):
    fps = 30.0
    a = smooth_noise(rng, 1500)
    related = np.roll(a, 5) + 0.5 * smooth_noise(rng, 1500)
    p, n = permutation_pvalue(a, related, fps=fps)
    assert n == 1500 and p < 0.06
    unrelated = smooth_noise(np.random.default_rng(7), 1500)
    p2, _ = permutation_pvalue(a, unrelated, fps=fps)
    assert p2 > 0.05


def test_permutation_test_is_calibrated():
    """Independent smooth signals: at most about 5 % of p-values fall below 0.05."""
    ps = []
    for seed in range(100):
        r = np.random.default_rng(seed)
        ps.append(permutation_pvalue(smooth_noise(r, 900, 4.0), smooth_noise(r, 900, 4.0), fps=30.0, n_perm=300,
                                     seed=seed)[0])
    assert np.mean(np.array(ps) < 0.05) <= 0.08


def test_xcorr_errors_and_short_signals(rng):
    with pytest.raises(ParameterError, match="equal length"):
        lagged_xcorr(np.zeros(10), np.zeros(11), fps=30.0)
    with pytest.raises(DataError, match="NaN"):
        lagged_xcorr(np.array([1.0, np.nan, 2, 3, 4]), np.ones(5), fps=30.0, max_lag_s=0.0)
    with pytest.raises(DataError, match="too short"):
        lagged_xcorr(np.ones(20), np.ones(20), fps=30.0, max_lag_s=1.0)
    with pytest.raises(ParameterError, match="fps"):
        lagged_xcorr(np.ones(20), np.ones(20), fps=0, max_lag_s=0.1)
    # the p-value cannot fall below (2 L + 1) / n when the signals are identical
    x = smooth_noise(rng, 300)
    p, n = permutation_pvalue(x, x, fps=30.0)
    assert n == 300 and p >= 61 / 300
    res = xcorr_test(smooth_noise(rng, 400), smooth_noise(rng, 400), fps=30.0, n_perm=50)
    assert res["n_shifts"] == 50


def _dtw_reference(x, y):
    N, M = len(x), len(y)
    D = np.full((N + 1, M + 1), np.inf)
    D[0, 0] = 0
    for i in range(1, N + 1):
        for j in range(1, M + 1):
            D[i, j] = abs(x[i - 1] - y[j - 1]) + min(D[i - 1, j], D[i, j - 1], D[i - 1, j - 1])
    return D[N, M]


def test_dtw_matches_reference_and_known_warps(rng):
    for _ in range(5):
        x, y = rng.normal(size=rng.integers(5, 30)), rng.normal(size=rng.integers(5, 30))
        cost, path = dtw(x, y)
        assert cost == pytest.approx(_dtw_reference(x, y))
        assert tuple(path[0]) == (0, 0) and tuple(path[-1]) == (len(x) - 1, len(y) - 1)
        steps = np.diff(path, axis=0)
        assert np.all((steps >= 0) & (steps <= 1)) and np.all(steps.sum(axis=1) >= 1)
        assert sum(abs(x[i] - y[j]) for i, j in path) == pytest.approx(cost)
    x = np.sin(np.linspace(0, 6, 50))
    cost, path = dtw(x, x)
    assert cost == 0 and np.array_equal(path[:, 0], path[:, 1])
    stretched = np.repeat(x, 2)                # the same signal at half speed: zero-cost warp
    assert dtw(x, stretched)[0] == pytest.approx(0.0)


def test_dtw_offset_of_delayed_envelope(rng):
    fps = 30.0
    x = smooth_noise(rng, 700, 4.0)
    env_m, env_a = x[100:600], x[94:594]       # audio follows motion by 6 frames
    res = align_envelopes(env_m, env_a, fps=fps, band_s=1.0)
    assert res["median_offset_s"] == pytest.approx(6 / fps, abs=1 / fps)


def test_dtw_band_and_errors(rng):
    x = rng.normal(size=40)
    assert dtw(x, x, band=0)[0] == 0
    with pytest.raises(DataError, match="NaN"):
        dtw(np.array([1.0, np.nan]), np.ones(3))
    with pytest.raises(ParameterError, match="features"):
        dtw(np.ones((4, 2)), np.ones((4, 3)))


def test_beat_alignment_known_values():
    a = np.array([1.0, 2.0, 3.0])
    assert beat_alignment(a, a, sigma=0.1) == pytest.approx(1.0)
    assert beat_alignment(a, a + 0.1, sigma=0.1) == pytest.approx(math.exp(-0.5))
    # nearest motion beat is used: the 2.95 beat serves both 3.0 and (at distance 0.95) nothing else
    assert beat_alignment([3.0], [0.0, 2.95, 10.0], sigma=0.05) == pytest.approx(math.exp(-0.5))
    assert beat_alignment([1.0, 5.0], [1.0], sigma=0.1) == pytest.approx(0.5, abs=1e-6)
    assert beat_alignment([1.0], [1.0, 5.0], sigma=0.1, reference="motion") == pytest.approx(0.5, abs=1e-6)
    assert math.isnan(beat_alignment([], [1.0]))
    assert beat_alignment([1.0], []) == 0.0
    with pytest.raises(ParameterError, match="sigma"):
        beat_alignment(a, a, sigma=0)


def test_motion_beats_are_speed_minima_and_null_is_lower():
    fps = 60.0
    t = np.arange(int(6 * fps)) / fps
    speed = np.abs(np.sin(np.pi * 1.25 * t)) + 0.05       # zeros every 0.8 s
    beats = motion_beats(speed, fps=fps)
    np.testing.assert_allclose(beats, np.arange(1, 8) * 0.8, atol=1.0 / fps)
    score = beat_alignment(beats, beats, sigma=0.1)
    chance = beat_alignment_null(beats, beats, duration=6.0, sigma=0.1, seed=0)
    assert score == 1.0 and chance < 0.6


def _audio_stream(n, fps=100.0, seed=0):
    from signfuse.streams import Stream
    r = np.random.default_rng(seed)
    names = ("f0_hz", "voicing", "voiced", "f0_semitones", "rms_db", "centroid", "onset", "mel_00", "mel_01")
    v = r.normal(size=(n, len(names))).astype(np.float32)
    v[:, 2] = (np.arange(n) % 50) < 30                        # voiced 60 % of the time
    v[:, 3] = np.where(v[:, 2] > 0, 40 + v[:, 3], 0.0)
    return Stream("audio", v, names, fps)


def test_signals_resample_to_one_clock_and_fill_unvoiced():
    from signfuse import motion
    from signfuse.crossmodal import signals
    from signfuse.testing.motion import sinusoid_motion
    seq, _ = sinusoid_motion(fps=25.0, duration=4.0)
    fps, pro, kin, dom = signals(_audio_stream(390), motion.features(seq))
    assert fps == 25.0 and dom == "right"
    lengths = {len(v) for v in list(pro.values()) + list(kin.values())}
    assert lengths == {int(np.floor(3.89 * 25)) + 1}          # the overlap: audio ends at 3.89 s
    assert np.all(np.isfinite(pro["f0"])) and pro["f0"].min() > 30   # unvoiced frames interpolated, not 0
    assert set(pro) == {"f0", "energy", "centroid", "mel_delta", "onset"}
    assert set(kin) == {"hand_speed", "amplitude", "acceleration", "energy"}


def test_correlate_signal_errors():
    from signfuse.crossmodal import correlate_signals, signals
    from signfuse.streams import Stream
    with pytest.raises(ParameterError, match="same length"):
        correlate_signals({"f0": np.ones(10)}, {"hand_speed": np.ones(11)}, fps=30.0)
    with pytest.raises(DataError, match="lacks"):
        signals(Stream("audio", np.zeros((10, 1)), ("x",), 100.0), Stream("motion", np.zeros((10, 1)), ("y",), 30.0))
    rep = correlate_signals({"f0": np.ones(200)}, {"hand_speed": np.arange(200.0)}, fps=30.0, dtw_pair=None)
    assert rep["pairs"][0]["note"] == "constant signal" and not rep["pairs"][0]["significant"]
