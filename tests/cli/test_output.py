"""What the commands print, and where (issue 13, "The CLI"): results on stdout, progress and notes on stderr,
one-line summaries, the names the user gave, tables that say which direction is better."""

from __future__ import annotations

import numpy as np
import soundfile as sf

from signfuse.cli import cli


def test_audio_windows_table_goes_to_stdout(tmp_path, runner):
    from signfuse.testing.audio import harmonic_glide
    p = tmp_path / "voice.wav"
    sf.write(p, np.concatenate([np.zeros(1600, np.float32), harmonic_glide(120.0, 200.0, sr=16000, duration=0.5,
                                                                          noise_db=30)]), 16000, subtype="PCM_16")
    res = runner.invoke(cli, ["audio-windows", str(p), "--plot", str(tmp_path / "w.png")])
    assert res.exit_code == 0, res.output
    assert "sidelobe_db" in res.stdout and "blackman" in res.stdout     # the table: the command's result
    assert "sidelobe_db" not in res.stderr and "w.png" in res.stderr    # notes about files stay on stderr
