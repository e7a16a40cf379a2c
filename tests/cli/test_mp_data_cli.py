"""MP_Data sequence folders as CLI inputs (info, convert, motion)."""

from __future__ import annotations

import json

import numpy as np
from click.testing import CliRunner

from signfuse import io
from signfuse.cli import cli


def _folder(tmp_path, rng, frames=10):
    d = tmp_path / "hello" / "0"
    d.mkdir(parents=True)
    for i in range(frames):
        v = np.zeros(258)
        v[:132] = np.tile([0.5, 0.4 + 0.01 * i, 0.0, 0.9], 33) + rng.normal(0, 0.01, 132)
        v[195:] = rng.uniform(0.3, 0.6, 63)
        np.save(d / f"{i}.npy", v)
    return d


def test_info_convert_motion_on_an_mp_data_folder(tmp_path, rng):
    d = _folder(tmp_path, rng)
    r = CliRunner().invoke(cli, ["info", str(d)])
    assert r.exit_code == 0, r.output
    info = json.loads(r.output)
    assert info["format"] == "mp_data" and info["rate"] == "unknown" and info["frames"] == 10
    r = CliRunner().invoke(cli, ["convert", str(d), str(tmp_path / "x.pose")])
    assert r.exit_code != 0 and "carry no frame rate" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(cli, ["convert", str(d), str(tmp_path / "x.pose"), "--fps", "30"])
    assert r.exit_code == 0, r.output
    seq = io.read(tmp_path / "x.pose")
    assert seq.fps == 30 and seq.n_frames == 10 and seq.component_names == ("POSE", "LEFT_HAND", "RIGHT_HAND")
    r = CliRunner().invoke(cli, ["motion", str(d), "--fps", "30", "--out", str(tmp_path / "m.parquet")])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, ["info", str(tmp_path)])
    assert r.exit_code != 0 and "not an MP_Data sequence" in r.output
