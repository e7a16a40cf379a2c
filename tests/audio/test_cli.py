"""`signfuse audio` and `signfuse audio-windows` end to end."""

from __future__ import annotations

import json

import numpy as np
import soundfile as sf

from signfuse import io
from signfuse.cli import cli
from signfuse.testing.audio import harmonic_glide

SR = 16000


def _voice(tmp_path):
    y = np.concatenate([np.zeros(3200, np.float32), harmonic_glide(120.0, 200.0, sr=SR, duration=0.8, noise_db=30),
                        np.zeros(3200, np.float32)])
    p = tmp_path / "voice.wav"
    sf.write(p, y, SR, subtype="PCM_16")
    return p, y


def test_audio_command_writes_features_summary_and_plot(tmp_path, runner):
    p, y = _voice(tmp_path)
    out = tmp_path / "feats.parquet"
    png = tmp_path / "feats.png"
    res = runner.invoke(cli, ["audio", str(p), "--out", str(out), "--summary", "--plot", str(png),
                                   "--window", "blackman", "--hop-ms", "5"])
    assert res.exit_code == 0, res.output
    s = io.read_stream(out)
    assert s.n_frames == 1 + y.size // 80 and "f0_hz" in s.names
    np.testing.assert_allclose(np.diff(s.time), 0.005, atol=1e-9)
    summ = json.loads(out.with_suffix(".summary.json").read_text())
    assert len(summ["egemaps"]) == 88
    assert summ["prosody"]["rises"] >= 1
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"


def test_audio_command_resamples_and_uses_pitch_option(tmp_path, runner):
    p, y = _voice(tmp_path)
    out = tmp_path / "f8k.parquet"
    res = runner.invoke(cli, ["audio", str(p), "--out", str(out), "--sr", "8000", "--pitch", "yin",
                                   "--adaptive-window"])
    assert res.exit_code == 0, res.output
    s = io.read_stream(out)
    assert s.fps == 100.0 and s.n_frames == 1 + (y.size // 2) // 80
    v = s.column("voiced") > 0.5
    assert v.sum() > 50 and (s.column("win_ms")[v] != 25.0).any()


def test_audio_windows_command(tmp_path, runner):
    p, _ = _voice(tmp_path)
    png, csv = tmp_path / "w.png", tmp_path / "w.csv"
    res = runner.invoke(cli, ["audio-windows", str(p), "--plot", str(png), "--csv", str(csv)])
    assert res.exit_code == 0, res.output
    assert "sidelobe_db" in res.output and "blackman" in res.output
    import pandas as pd

    t = pd.read_csv(csv, index_col="window")
    assert t.loc["blackman", "sidelobe_db"] < t.loc["hamming", "sidelobe_db"] < t.loc["hann", "sidelobe_db"]
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_audio_windows_bad_file(tmp_path, runner):
    p = tmp_path / "bad.wav"
    p.write_bytes(b"RIFF0000WAVEjunk")
    res = runner.invoke(cli, ["audio-windows", str(p), "--plot", str(tmp_path / "w.png")])
    assert res.exit_code == 1 and "bad.wav" in res.output and "Traceback" not in res.output
