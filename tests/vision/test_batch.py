from __future__ import annotations

import json
import os
import shutil
import sys

import numpy as np
import pytest

from signfuse import io as sio
from signfuse.errors import DependencyError, ParameterError
from signfuse.vision import collect_jobs, extract_batch, read_manifest
from signfuse.vision.batch import MANIFEST_NAME
from signfuse.vision.extract import NOBODY_WARNING

from ._media import astronaut, moving_frames, write_video


@pytest.fixture
def folder(tmp_path, media):
    """IN/ with two good videos (one in a sub-folder), an image, a scene with nobody, and bad files."""
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    shutil.copy(media["astronaut_mp4"], d / "astronaut.mp4")
    shutil.copy(media["hopper_mkv"], d / "sub" / "hopper.mkv")
    shutil.copy(media["hopper_jpg"], d / "sub" / "hopper.jpg")
    shutil.copy(media["empty_scene_mp4"], d / "nobody.mp4")
    (d / "empty.mp4").write_bytes(b"")
    (d / "notes.mp4").write_text("a text file named like a video\n")
    raw = media["astronaut_mp4"].read_bytes()
    (d / "sub" / "truncated.mov").write_bytes(raw[: len(raw) // 3])
    (d / "readme.txt").write_text("ignored: not media")
    return d


def test_collect_jobs_names_and_clashes(folder, media):
    jobs = collect_jobs([folder])
    assert [j.output for j in jobs] == ["astronaut.pose", "empty.pose", "nobody.pose", "notes.pose",
                                        "sub/hopper.jpg.pose", "sub/hopper.mkv.pose", "sub/truncated.pose"]
    assert len(collect_jobs([folder, folder])) == 7          # the same input twice is one job
    with pytest.raises(ParameterError, match="no such file"):
        collect_jobs([folder / "nope.bin"])
    with pytest.raises(ParameterError, match="format"):
        collect_jobs([folder], format="csv")


def test_batch_outputs_failures_manifest_and_resume(folder, tmp_path, caplog):
    out = tmp_path / "out"
    events = []
    s = extract_batch([folder], out, progress=events.append)
    assert (s.total, s.done, s.failed, s.skipped) == (7, 4, 3, 0)
    assert s.frames == 12 + 10 + 1 + 8
    reasons = dict((os.path.basename(p), r) for p, r in s.failures)
    assert reasons["empty.mp4"] == "empty file (0 bytes)"
    assert "not a readable video" in reasons["notes.mp4"]
    assert "not a readable video" in reasons["truncated.mov"]
    assert all("\n" not in r for r in reasons.values())
    warned = {os.path.basename(p): w for p, w in s.warnings}
    assert [p for p, w in warned.items() if w == NOBODY_WARNING] == ["nobody.mp4"]
    assert warned["astronaut.mp4"].startswith("mostly missing: hands 0% of 12 frames")   # her hands are out of view
    assert "try --model hands" in warned["astronaut.mp4"]
    assert events[0]["done"] == 0 and events[-1]["done"] == 7 and events[-1]["frames"] == s.frames
    within = [e for e in events if e["status"] is None and e["done"] == 0 and e["frames"] > 0]
    assert within and max(e["frames"] for e in within) == 12     # frames reported inside the first video

    seq = sio.read(out / "astronaut.pose")
    assert seq.n_frames == 12 and seq.fps == 25.0 and (seq.width, seq.height) == (320, 240)
    assert np.all(seq.component_data("FACE")[1] == 1)
    img = sio.read(out / "sub" / "hopper.jpg.pose")
    assert img.n_frames == 1 and (img.width, img.height) == (512, 600)
    assert not (out / "notes.pose").exists() and not (out / "empty.pose").exists()
    assert not [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]

    lines = (out / MANIFEST_NAME).read_text().splitlines()
    assert len(lines) == 7
    recs = [json.loads(line) for line in lines]
    assert {r["status"] for r in recs} == {"ok", "failed"}
    for r in recs:
        assert {"path", "size", "mtime_ns", "settings", "status", "frames", "seconds", "error", "model",
                "detection"} <= set(r)
    by_name = {os.path.basename(r["path"]): r for r in recs}
    astro = by_name["astronaut.mp4"]
    assert astro["model"] == "holistic" and astro["settings"]["model"] == "auto"
    assert astro["detection"]["face"] == 1.0 and astro["detection"]["hands"] == 0.0
    assert astro["detection"]["pose"] == 1.0 and astro["detection"]["frames"] == 12
    assert by_name["notes.mp4"]["detection"] is None

    # rerun: done inputs are skipped, failed ones are tried again
    s2 = extract_batch([folder], out)
    assert (s2.skipped, s2.done, s2.failed) == (4, 0, 3)
    # a changed input is redone; so is everything when the settings change
    write_video(folder / "astronaut.mp4", moving_frames(astronaut(), 6))
    s3 = extract_batch([folder / "astronaut.mp4"], out)
    assert (s3.done, s3.skipped) == (1, 0) and sio.read(out / "astronaut.pose").n_frames == 6
    s4 = extract_batch([folder / "astronaut.mp4"], out, max_side=160)
    assert s4.done == 1
    s5 = extract_batch([folder / "astronaut.mp4"], out, max_side=160)
    assert s5.skipped == 1
    s6 = extract_batch([folder / "astronaut.mp4"], out, max_side=160, overwrite=True)
    assert s6.done == 1
    # a deleted output is redone even though the manifest says ok
    (out / "astronaut.pose").unlink()
    assert extract_batch([folder / "astronaut.mp4"], out, max_side=160).done == 1
    assert len(read_manifest(out)) == 7


def test_failed_write_leaves_no_output(tmp_path, media, monkeypatch):
    """A crash while writing leaves neither a file that looks complete nor an 'ok' record."""
    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("pose_format.Pose.write", boom)
    out = tmp_path / "out"
    s = extract_batch([media["astronaut_png"]], out)
    assert s.failed == 1 and "disk full" in s.failures[0][1]
    assert [p.name for p in out.iterdir()] == [MANIFEST_NAME]


def test_parquet_format_is_kaggle_layout_in_normalized_units(tmp_path, media):
    out = tmp_path / "out"
    s = extract_batch([media["astronaut_mp4"]], out, format="parquet")
    assert s.done == 1
    seq = sio.read(out / "astronaut.parquet")
    assert seq.n_frames == 12 and seq.fps == 25.0 and (seq.width, seq.height) == (320, 240)
    face, conf = seq.component_data("FACE")
    xy = face[conf > 0][:, :2]
    assert xy.min() > 0 and xy.max() < 1
    import pyarrow.parquet as pq
    assert pq.read_table(out / "astronaut.parquet").num_rows == 12 * 543


def test_sampled_output_keeps_real_times_beside_it(tmp_path, media):
    out = tmp_path / "out"
    extract_batch([media["astronaut_mp4"]], out, fps=10)
    rows = (out / "astronaut.times.csv").read_text().splitlines()
    assert rows[0] == "frame,time" and [r.split(",")[1] for r in rows[1:]] == \
        ["0.000000", "0.120000", "0.200000", "0.320000", "0.400000"]


def test_dataset_index_frame_ranges(tmp_path, media):
    root = tmp_path / "wlasl"
    root.mkdir()
    shutil.copy(media["astronaut_mp4"], root / "00001.mp4")
    index = [{"gloss": "book", "instances": [
        {"bbox": [0, 0, 1, 1], "fps": 25, "frame_start": 3, "frame_end": 8, "instance_id": 0, "signer_id": 1,
         "source": "x", "split": "train", "url": "", "variation_id": 0, "video_id": "00001"},
        {"bbox": [0, 0, 1, 1], "fps": 25, "frame_start": 1, "frame_end": -1, "instance_id": 1, "signer_id": 1,
         "source": "x", "split": "test", "url": "", "variation_id": 0, "video_id": "00001"}]}]
    (root / "index.json").write_text(json.dumps(index))
    s = extract_batch([root / "index.json"], tmp_path / "out")
    assert s.failed == 0 and s.done == 2
    outs = sorted(p.name for p in (tmp_path / "out").glob("*.pose"))
    assert outs == ["00001-2.pose", "00001.pose"]
    # WLASL frame_start=3, frame_end=8 (1-based, inclusive) -> frames 2..7 -> 6 frames
    assert sorted(sio.read(tmp_path / "out" / n).n_frames for n in outs) == [6, 12]


def test_parameter_errors(tmp_path, media):
    with pytest.raises(ParameterError, match="engine"):
        extract_batch([media["astronaut_png"]], tmp_path, engine="spark")
    with pytest.raises(ParameterError, match="workers"):
        extract_batch([media["astronaut_png"]], tmp_path, workers=0)
    with pytest.raises(ParameterError, match="not bundled"):
        extract_batch([media["astronaut_png"]], tmp_path, model_complexity=2)


def test_ray_missing_says_how_to_install(tmp_path, media, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(DependencyError, match=r"pip install 'signfuse\[ray\]'"):
        extract_batch([media["astronaut_png"]], tmp_path / "out", engine="ray")


@pytest.mark.slow
def test_process_pool_matches_serial(tmp_path, media):
    inputs = [media["astronaut_mp4"], media["hopper_mkv"], media["astronaut_png"]]
    a = extract_batch(inputs, tmp_path / "one", workers=1)
    b = extract_batch(inputs, tmp_path / "two", workers=2)
    assert (a.done, b.done, b.failed) == (3, 3, 0) and a.frames == b.frames
    for name in ("astronaut.mp4.pose", "astronaut.png.pose", "hopper.pose"):
        assert sio.read(tmp_path / "one" / name).equals(sio.read(tmp_path / "two" / name))


@pytest.mark.ray
@pytest.mark.slow
def test_ray_engine_local_two_cpus(tmp_path, media):
    pytest.importorskip("ray", reason="needs the [ray] extra")
    bad = tmp_path / "bad.mp4"
    bad.write_text("not a video")
    inputs = [media["astronaut_mp4"], media["astronaut_png"], bad]
    local = extract_batch(inputs, tmp_path / "local")
    ray_s = extract_batch(inputs, tmp_path / "ray", engine="ray", workers=2)
    assert (ray_s.done, ray_s.failed) == (2, 1) and ray_s.frames == local.frames
    assert "not a readable video" in ray_s.failures[0][1]
    name = "astronaut.mp4.pose"
    assert sio.read(tmp_path / "ray" / name).equals(sio.read(tmp_path / "local" / name))
    assert len(read_manifest(tmp_path / "ray")) == 3


def test_same_input_twice_keeps_plain_names(folder):
    once = [j.output for j in collect_jobs([folder])]
    assert [j.output for j in collect_jobs([folder, folder / "astronaut.mp4", folder])] == once
