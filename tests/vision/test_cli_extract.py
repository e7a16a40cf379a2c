from __future__ import annotations

import json
import shutil
import sys

from click.testing import CliRunner

from signfuse.cli import cli


def test_extract_command_success_then_resume(tmp_path, media):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(media["astronaut_mp4"], d / "a.mp4")
    runner = CliRunner()
    r = runner.invoke(cli, ["extract", str(d), "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    assert "1 extracted" in r.output and "12 frames" in r.output
    r = runner.invoke(cli, ["extract", str(d), "--out", str(tmp_path / "out")])
    assert r.exit_code == 0 and "1 already done" in r.output
    rec = json.loads((tmp_path / "out" / "manifest.jsonl").read_text())
    assert rec["status"] == "ok" and rec["frames"] == 12


def test_extract_command_reports_failures_and_exits_nonzero(tmp_path, media):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(media["astronaut_png"], d / "a.png")
    (d / "b.mp4").write_text("not a video")
    r = CliRunner().invoke(cli, ["extract", str(d), "--out", str(tmp_path / "out"), "--format", "parquet"])
    assert r.exit_code == 1
    assert "1 failed" in r.output and "b.mp4" in r.output and "not a readable video" in r.output
    assert (tmp_path / "out" / "a.parquet").exists()


def test_extract_command_clear_errors(tmp_path, media, monkeypatch):
    runner = CliRunner()
    r = runner.invoke(cli, ["extract", str(media["astronaut_png"]), "--out", str(tmp_path), "--model-complexity", "2"])
    assert r.exit_code != 0 and "not bundled" in r.output
    monkeypatch.setitem(sys.modules, "ray", None)
    r = runner.invoke(cli, ["extract", str(media["astronaut_png"]), "--out", str(tmp_path), "--engine", "ray"])
    assert r.exit_code != 0 and "pip install 'signfuse[ray]'" in r.output
