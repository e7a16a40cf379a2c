"""Bad and unusual input: each gives a clear result or a DataError naming the file, never a traceback."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from signfuse.audio import analyze_file, features, load, pitch
from signfuse.cli import cli
from signfuse.errors import DataError, FormatError
from signfuse.testing.audio import harmonic_glide, tone

SR = 16000


def _wav(path, y, sr=SR, subtype="PCM_16"):
    sf.write(path, y, sr, subtype=subtype)
    return path


def _cli_error(path, tmp_path):
    res = CliRunner().invoke(cli, ["audio", str(path), "--out", str(tmp_path / "f.parquet")])
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output and str(path) in res.output
    assert not (tmp_path / "f.parquet").exists()
    return res.output


def test_empty_file(tmp_path):
    p = tmp_path / "empty.wav"
    p.write_bytes(b"")
    with pytest.raises(DataError, match="empty.wav: file is empty"):
        load(p)
    assert "empty" in _cli_error(p, tmp_path)


def test_not_audio(tmp_path):
    p = tmp_path / "notes.wav"
    p.write_text("this is not a wav file")
    with pytest.raises(FormatError, match="notes.wav: cannot decode audio"):
        load(p)
    _cli_error(p, tmp_path)


def test_zero_length_audio(tmp_path):
    p = _wav(tmp_path / "zero.wav", np.zeros(0, np.float32))
    with pytest.raises(DataError, match="zero.wav: contains no audio samples"):
        load(p)
    _cli_error(p, tmp_path)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_inf_samples(tmp_path, bad):
    y = tone(300.0, sr=SR, duration=0.3)
    y[1000] = bad
    p = _wav(tmp_path / "nan.wav", y, subtype="FLOAT")
    with pytest.raises(DataError, match=r"nan.wav: 1 NaN/inf samples \(first at 0.062 s\)"):
        load(p)
    _cli_error(p, tmp_path)
    with pytest.raises(DataError, match="NaN/inf"):
        features(y, sr=SR)


def test_pure_silence_is_all_unvoiced(tmp_path, runner):
    p = _wav(tmp_path / "silence.wav", np.zeros(SR, np.float32))
    f, _, y, sr = analyze_file(p)
    assert f.n_frames == 101 and np.isfinite(f.values).all()
    assert (f.column("voiced") == 0).all() and (f.column("f0_hz") == 0).all()
    assert (f.column("rms_db") == -100).all()
    res = runner.invoke(cli, ["audio", str(p), "--out", str(tmp_path / "s.parquet"), "--summary"])
    assert res.exit_code == 0, res.output


def test_clipping_gives_finite_features_and_a_warning(tmp_path, caplog):
    y = np.clip(3.0 * tone(220.0, sr=SR, duration=0.5), -1.0, 1.0)
    p = _wav(tmp_path / "clipped.wav", y, subtype="FLOAT")
    with caplog.at_level(logging.WARNING, logger="signfuse.audio.load"):
        f, _, _, _ = analyze_file(p)
    assert "clipped" in caplog.text and "clipped.wav" in caplog.text
    assert np.isfinite(f.values).all()
    f0 = f.column("f0_hz")[5:-5]
    assert np.all(np.abs(1200 * np.log2(f0 / 220.0)) < 5)      # clipping keeps the period


@pytest.mark.parametrize("rate", [8000, 48000])
def test_other_rates_are_resampled(tmp_path, rate):
    y = harmonic_glide(150.0, 150.0, sr=rate, duration=0.5, n_harmonics=5)
    p = _wav(tmp_path / f"r{rate}.wav", y, sr=rate)
    z, sr = load(p)
    assert sr == 16000 and abs(z.size - 8000) <= 1
    f = features(z, sr=sr)
    assert np.isfinite(f.values).all()
    assert np.median(f.column("f0_hz")[10:-10]) == pytest.approx(150.0, rel=0.005)
    # and analysed at the file's own rate
    g = features(y, sr=rate)
    assert g.fps == pytest.approx(100.0) and np.isfinite(g.values).all()
    assert np.median(g.column("f0_hz")[10:-10]) == pytest.approx(150.0, rel=0.005)


def test_stereo_is_mixed_down(tmp_path):
    left = tone(440.0, sr=SR, duration=0.3, amplitude=0.6)
    right = np.zeros_like(left)
    p = tmp_path / "stereo.wav"
    sf.write(p, np.stack([left, right], axis=1), SR, subtype="FLOAT")
    y, sr = load(p)
    np.testing.assert_allclose(y, left / 2, atol=1e-6)
    with pytest.raises(DataError, match="mono"):
        features(np.stack([left, right]), sr=SR)


def test_clip_shorter_than_one_analysis_window(tmp_path, runner):
    # 50 ms: shorter than Praat's pitch window at 75 Hz (3 periods = 40 ms, plus its margins) but
    # long enough for the 25 ms spectral window
    y = tone(200.0, sr=SR, duration=0.05)
    p = _wav(tmp_path / "short.wav", y)
    f, _, _, _ = analyze_file(p)
    assert f.n_frames == 6 and np.isfinite(f.values).all()
    f0, vp = pitch(y, sr=SR)
    assert f0.shape == (6,)
    assert np.all(np.isnan(f0) | (np.abs(f0 - 200) < 5))    # unvoiced or right, never wrong
    res = runner.invoke(cli, ["audio", str(p), "--out", str(tmp_path / "short.parquet"), "--summary"])
    assert res.exit_code == 0, res.output
    tiny = tone(200.0, sr=SR, duration=0.002)                 # 32 samples: one frame
    assert features(tiny, sr=SR).n_frames == 1


def test_missing_file_and_folder(tmp_path, runner):
    res = runner.invoke(cli, ["audio", str(tmp_path / "nope.wav"), "--out", str(tmp_path / "x.parquet")])
    assert res.exit_code == 2 and "no such file" in res.output
    with pytest.raises(DataError, match="no such file"):
        load(tmp_path / "nope.wav")


def test_clip_shorter_than_the_pitch_window_is_unvoiced_with_a_warning(tmp_path, caplog):
    y = tone(200.0, sr=SR, duration=0.03)                      # 30 ms < Praat's 40 ms window at 75 Hz
    with caplog.at_level(logging.WARNING, logger="signfuse.audio.pitch"):
        f = features(y, sr=SR)
    assert "shorter than Praat's pitch window" in caplog.text
    assert f.n_frames == 4 and (f.column("voiced") == 0).all() and np.isfinite(f.values).all()
