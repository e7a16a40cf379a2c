from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from signfuse import io
from signfuse.cli import cli


def test_info_real_files(shared_data):
    r = CliRunner().invoke(cli, ["info", str(shared_data / "pose" / "mediapipe.pose")])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["format"] == "pose" and d["version"] == "0.1" and d["fps"] == 24.0 and d["frames"] == 170
    assert d["people"] == 1
    assert d["components"] == [{"name": "POSE", "points": 8, "dims": 3}, {"name": "FACE", "points": 128, "dims": 3},
                               {"name": "LEFT_HAND", "points": 21, "dims": 3}, {"name": "RIGHT_HAND", "points": 21, "dims": 3}]
    assert d["missing"]["LEFT_HAND"] == 1.0 and 0 < d["missing"]["RIGHT_HAND"] < 1


def test_convert_round_trip(shared_data, tmp_path):
    src = shared_data / "pose" / "openpose.pose"
    runner = CliRunner()
    r = runner.invoke(cli, ["convert", str(src), str(tmp_path / "o.npz")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["convert", str(tmp_path / "o.npz"), str(tmp_path / "o.pose")])
    assert r.exit_code == 0, r.output
    assert io.read(tmp_path / "o.pose").equals(io.read(src))
    d = json.loads(runner.invoke(cli, ["info", str(tmp_path / "o.npz")]).stdout)
    assert d["format"] == "npz" and d["frames"] == 93 and d["components"][0] == {"name": "POSE", "points": 25, "dims": 2}
    r = runner.invoke(cli, ["convert", str(src), str(tmp_path / "o.npz")])
    assert r.exit_code != 0 and "exists" in r.output


def test_convert_kaggle_needs_fps(tmp_path, rng):
    import pyarrow.parquet as pq

    from signfuse.sequence import Component, LandmarkSequence
    from signfuse.topology import FACE_POINTS_468, HAND_POINTS, POSE_POINTS
    comps = (Component("POSE", POSE_POINTS), Component("FACE", FACE_POINTS_468), Component("LEFT_HAND", HAND_POINTS),
             Component("RIGHT_HAND", HAND_POINTS))
    seq = LandmarkSequence(comps, rng.random((4, 1, 543, 3)), np.ones((4, 1, 543)), 30.0)
    p = io.write(seq, tmp_path / "k.parquet")
    pq.write_table(pq.read_table(p).replace_schema_metadata(None), p)   # like a real Kaggle file
    runner = CliRunner()
    r = runner.invoke(cli, ["info", str(p)])                  # described; the rate is unknown
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["frames"] == 4 and d["fps"] is None and d["rate"] == "unknown"
    r = runner.invoke(cli, ["convert", str(p), str(tmp_path / "k0.pose")])
    assert r.exit_code != 0 and "fps" in r.output
    r = runner.invoke(cli, ["info", str(p), "--fps", "30"])
    assert r.exit_code == 0 and json.loads(r.stdout)["frames"] == 4
    r = runner.invoke(cli, ["convert", str(p), str(tmp_path / "k.pose"), "--fps", "30"])
    assert r.exit_code == 0, r.output
    back = io.read(tmp_path / "k.pose")
    np.testing.assert_array_equal(back.data, seq.data.astype(np.float32))
    assert back.fps == 30.0 and back.component_names == seq.component_names


def test_bad_files_give_clean_errors(tmp_path):
    bad = tmp_path / "bad.pose"
    bad.write_bytes(b"\x00\x01")
    r = CliRunner().invoke(cli, ["info", str(bad)])
    assert r.exit_code == 1 and "bad.pose" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(cli, ["info", str(tmp_path / "nope.pose")])
    assert r.exit_code == 2 and "no such file" in r.output
    r = CliRunner().invoke(cli, ["convert", str(bad), str(tmp_path / "x.txt")])
    assert r.exit_code == 1 and "extension" in r.output


def _pose_file(tmp_path, rng):
    from signfuse.sequence import Component, LandmarkSequence
    from signfuse.topology import HAND_POINTS
    seq = LandmarkSequence((Component("RIGHT_HAND", HAND_POINTS),), rng.random((5, 1, 21, 3)), np.ones((5, 1, 21)), 25.0)
    return io.write(seq, tmp_path / "h.pose")


def test_info_pretty_on_a_terminal_one_line_when_piped(tmp_path, rng, runner, monkeypatch):
    from signfuse.cli import files
    p = _pose_file(tmp_path, rng)
    piped = runner.invoke(cli, ["info", str(p)])                      # CliRunner's stdout is not a terminal
    assert piped.exit_code == 0, piped.output
    assert len(piped.stdout.strip().splitlines()) == 1 and json.loads(piped.stdout)["frames"] == 5
    monkeypatch.setattr(files, "_stdout_is_terminal", lambda: True)
    tty = runner.invoke(cli, ["info", str(p)])
    assert tty.exit_code == 0 and tty.stdout.startswith("{\n  \"") and json.loads(tty.stdout) == json.loads(piped.stdout)
    forced = runner.invoke(cli, ["info", str(p), "--one-line"])       # --one-line wins on a terminal too
    assert len(forced.stdout.strip().splitlines()) == 1
    monkeypatch.setattr(files, "_stdout_is_terminal", lambda: False)
    assert runner.invoke(cli, ["info", str(p), "--pretty"]).stdout.startswith("{\n  ")


def test_info_and_convert_refuse_a_fifo_instead_of_blocking(tmp_path, runner):
    import os
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    fifo = tmp_path / "pipe.pose"
    os.mkfifo(fifo)                                                   # nobody writes: opening it would block
    for args in (["info", str(fifo)], ["convert", str(fifo), str(tmp_path / "o.npz")]):
        r = runner.invoke(cli, args)
        assert r.exit_code == 2 and "pipe.pose" in r.output and "named pipe (FIFO)" in r.output, r.output
    assert not (tmp_path / "o.npz").exists()
