"""`signfuse annotate ROOT --prepare`: missing sidecar files are computed, named as the page reads them,
resumably; a broken video is recorded and the run goes on."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from .conftest import FPS, make_video


def _fake_extract(calls: list):
    from signfuse.testing.motion import holistic_sequence

    def extract(video, **kwargs):
        calls.append(Path(video).name)
        if "broken" in Path(video).name:
            from signfuse.errors import DataError

            raise DataError("not a readable video", path=video)
        for n in (10, 25, 50):  # as vision.extract reports frames done
            if kwargs.get("progress") is not None:
                kwargs["progress"](n)
        t = np.arange(50) / FPS
        right = np.stack([0.5 + 0.4 * np.sin(2 * np.pi * t), -0.5 + 0 * t], axis=1)
        return holistic_sequence(fps=FPS, n_frames=50, right=right)

    return extract


def test_prepare_writes_every_missing_sidecar_and_resumes(tmp_path, monkeypatch):
    """MediaPipe is replaced by a synthetic skeleton here (the slow test below runs it for real);
    face, events, motion and audio are the real library functions."""
    from click.testing import CliRunner

    from signfuse import io, vision
    from signfuse.annotate.prepare import missing_steps, prepare
    from signfuse.annotate.store import AnnotationStore, sidecar_files
    from signfuse.cli import cli
    from signfuse.testing.audio import tone
    from signfuse.testing.media import write_video

    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    make_video(root / "clip.mp4")  # no soundtrack
    sr = 16000
    write_video(root / "sub" / "talk.mp4", [np.full((64, 64, 3), 90, np.uint8)] * 50, fps=FPS,
                audio=(tone(220.0, sr=sr, duration=2.0), sr))
    (root / "broken.mp4").write_bytes(b"\x00" * 100)
    calls: list[str] = []
    monkeypatch.setattr(vision, "extract", _fake_extract(calls))
    seen = []
    rep = prepare(root, progress=lambda done, total, text: seen.append((done, total, text)))
    assert rep.videos == 3 and rep.up_to_date == 0
    assert sorted(rep.written) == sorted([
        "clip.mp4: clip.pose", "clip.mp4: clip.face.parquet", "clip.mp4: clip.events.json",
        "clip.mp4: clip.motion.parquet",
        "sub/talk.mp4: talk.pose", "sub/talk.mp4: talk.face.parquet", "sub/talk.mp4: talk.events.json",
        "sub/talk.mp4: talk.motion.parquet", "sub/talk.mp4: talk.audio.parquet"])
    assert "clip.mp4: audio (no soundtrack)" in rep.skipped
    assert any(f.startswith("broken.mp4: landmarks failed: ") for f in rep.failed)
    # the progress bar moves monotonically to its total
    assert seen[-1][0] == seen[-1][1] and all(a[0] <= b[0] for a, b in itertools.pairwise(seen))
    assert any(text == "clip.mp4: landmarks, frame 25/50" for _, _, text in seen)
    # the page finds them: landmarks, lanes, F0
    files, refused = sidecar_files(root / "sub" / "talk.mp4", root=root)
    assert set(files) == {"landmarks", "face", "motion", "events", "audio"} and refused == []
    audio = io.read_stream(root / "sub" / "talk.audio.parquet")
    f0 = audio.column("f0_hz")[audio.column("voiced") > 0]
    assert abs(np.median(f0) - 220.0) < 5
    assert json.loads((root / "clip.events.json").read_text()) == []
    assert AnnotationStore(root).summary(root / "clip.mp4")["landmarks"] is True
    # resumable: a second run computes nothing; a deleted file is computed again, alone
    calls.clear()
    again = prepare(root)
    assert again.written == [] and calls == ["broken.mp4"]
    assert again.up_to_date == 2 and not [x for x in again.skipped if x.startswith("clip.mp4")]  # not re-reported
    (root / "clip.motion.parquet").unlink()
    assert missing_steps(root / "clip.mp4", root=root) == ["motion", "audio"]
    calls.clear()
    third = prepare(root)
    assert third.written == ["clip.mp4: clip.motion.parquet"] and "clip.mp4" not in calls
    # a sidecar that links outside ROOT is reported, not followed or replaced
    outside = tmp_path / "elsewhere.pose"
    outside.write_bytes(b"x")
    (root / "clip.pose").unlink()
    (root / "clip.pose").symlink_to(outside)
    rep = prepare(root)
    assert any("clip.pose leads outside ROOT" in f for f in rep.failed) and outside.read_bytes() == b"x"
    (root / "clip.pose").unlink()
    # the command: progress on stderr, a summary, exit 0 with a failure recorded; --no-serve returns
    r = CliRunner().invoke(cli, ["annotate", str(root), "--prepare", "--no-serve"])
    assert r.exit_code == 0, r.output
    assert "prepared 3 video(s)" in r.output and "failed" in r.output and "broken.mp4" in r.output
    assert (root / "clip.pose").is_file()  # recomputed


@pytest.mark.slow
def test_prepare_a_real_clip_with_mediapipe(shared_data, tmp_path):
    from signfuse.annotate.prepare import prepare
    from signfuse.annotate.sidecar import suggestions

    src = shared_data / "real" / "how2sign" / "_5keJZsmTh0_0-5-rgb_front.mp4"
    if not src.is_file():
        pytest.skip(f"{src} is missing")
    root = tmp_path / "real"
    root.mkdir()
    shutil.copy(src, root / "clip.mp4")  # a scratch copy in the test's tmp folder, never in the repository
    rep = prepare(root)
    assert rep.failed == [], rep.failed
    assert {w.split(": ")[1] for w in rep.written} == {"clip.pose", "clip.face.parquet", "clip.events.json",
                                                       "clip.motion.parquet"}
    from signfuse import io

    seq = io.read(root / "clip.pose")
    assert seq.n_frames >= 10 and (seq.confidence[:, 0] > 0).mean() > 0.3
    lanes = {lane["id"] for lane in suggestions(root / "clip.mp4", fps=seq.fps, root=root)["lanes"]}
    assert {"face-au", "motion-rh", "motion-lh"} <= lanes
