"""Real synthesized sentences from espeak-ng: question intonation and the pitch setting."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from signfuse.audio import features, load
from signfuse.audio.prosody import own_summary


@pytest.fixture(scope="module")
def espeak() -> str:
    # Tests install nothing: `make test` runs scripts/sysdeps.sh before pytest.
    exe = shutil.which("espeak-ng")
    if exe is None:
        pytest.skip("espeak-ng is not installed (Debian package espeak-ng: `bash scripts/sysdeps.sh`, which "
                    "`make test` runs, installs it)")
    return exe


def _say(exe: str, text: str, out: Path, *, pitch: int = 50, speed: int = 160) -> Path:
    subprocess.run([exe, "-v", "en", "-p", str(pitch), "-s", str(speed), "-w", str(out), text], check=True,
                   timeout=60, capture_output=True)
    return out


def test_question_ends_with_rising_f0(espeak, tmp_path):
    q = _say(espeak, "Are you coming home tonight?", tmp_path / "q.wav")
    s = _say(espeak, "You are coming home tonight.", tmp_path / "s.wav")
    pq = own_summary(features_of(q))
    ps = own_summary(features_of(s))
    # measured with espeak-ng 1.51: question about +56 st/s over its last 300 ms, statement about -10
    assert pq["final_slope_st_per_s"] > 10.0, pq
    assert ps["final_slope_st_per_s"] < pq["final_slope_st_per_s"] - 20.0, (ps, pq)


def test_higher_pitch_setting_gives_higher_median_f0(espeak, tmp_path):
    text = "The quick brown fox jumps over the lazy dog."
    med = {}
    for p in (20, 50, 80):
        f = features_of(_say(espeak, text, tmp_path / f"p{p}.wav", pitch=p))
        med[p] = float(np.median(f.column("f0_hz")[f.column("voiced") > 0.5]))
    assert med[20] < med[50] < med[80], med
    assert 12 * np.log2(med[80] / med[20]) > 3.0, med       # measured: about 9 semitones


def test_faster_speech_gives_shorter_audio_and_more_nuclei_per_second(espeak, tmp_path):
    text = "We will meet again tomorrow morning at the station."
    slow = own_summary(features_of(_say(espeak, text, tmp_path / "slow.wav", speed=110)))
    fast = own_summary(features_of(_say(espeak, text, tmp_path / "fast.wav", speed=240)))
    assert fast["duration_s"] < 0.7 * slow["duration_s"]
    assert fast["nuclei_per_s"] > slow["nuclei_per_s"]


def features_of(path: Path):
    y, sr = load(path)
    return features(y, sr=sr)
