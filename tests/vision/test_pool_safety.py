"""Crash safety of batch extraction: pool workers die with their parent; concurrent runs keep each other's
manifest records."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from signfuse.io.manifest import MANIFEST_NAME, merge_manifest, read_manifest, write_manifest

REPO = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _children(pid: int) -> list[int]:
    """Live (non-zombie) processes whose parent is ``pid``, from /proc."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[1]) == pid:
            out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].split()[0] != "Z"


@pytest.mark.slow   # two MediaPipe worker processes start (~15 s on 2 busy cores)
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_pool_workers_exit_when_extract_is_killed(tmp_path, media):
    d = tmp_path / "in"
    d.mkdir()
    for i in range(6):
        shutil.copy(media["astronaut_mp4"], d / f"v{i}.mp4")
    proc = subprocess.Popen([sys.executable, "-m", "signfuse.cli", "extract", str(d), "--out", str(tmp_path / "out"),
                             "--workers", "2"], env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
            time.sleep(0.2)
            workers = _children(proc.pid)
        assert proc.poll() is None and len(workers) >= 2, "the pool workers did not start"
        time.sleep(1.0)  # let the workers run their initializer (it installs the parent-death watch)
        workers = _children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.2)
        left = [w for w in workers if _alive(w)]
        assert not left, f"worker processes {left} outlived their killed parent"
    finally:
        if proc.poll() is None:
            proc.kill()
        for w in _children(proc.pid):
            os.kill(w, signal.SIGKILL)


def test_merge_manifest_keeps_records_written_meanwhile(tmp_path):
    write_manifest(tmp_path, {"a": {"key": "a", "status": "ok"}})
    # another run rewrote the manifest with its own record after we read it
    write_manifest(tmp_path, {"a": {"key": "a", "status": "ok"}, "b": {"key": "b", "status": "ok"}})
    merged = merge_manifest(tmp_path, {"c": {"key": "c", "status": "failed"}}, order={"c": 0})
    assert list(merged) == ["c", "a", "b"]
    assert set(read_manifest(tmp_path)) == {"a", "b", "c"}
    assert not list(tmp_path.glob(".*.tmp-*"))


@pytest.mark.slow   # two extract processes (~15 s on 2 busy cores)
def test_two_concurrent_extract_runs_into_one_folder_keep_both_records(tmp_path, media):
    a, b = tmp_path / "a", tmp_path / "b"
    for d, names in ((a, ["a1", "a2"]), (b, ["b1", "b2"])):
        d.mkdir()
        for n in names:
            shutil.copy(media["astronaut_png"], d / f"{n}.png")
    out = tmp_path / "out"
    procs = [subprocess.Popen([sys.executable, "-m", "signfuse.cli", "extract", str(d), "--out", str(out)],
                              env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for d in (a, b)]
    for p in procs:
        _, err = p.communicate(timeout=240)
        assert p.returncode == 0, err.decode()
    recs = read_manifest(out)
    assert {Path(r["path"]).name for r in recs.values()} == {"a1.png", "a2.png", "b1.png", "b2.png"}
    assert all(r["status"] == "ok" for r in recs.values())
    assert len((out / MANIFEST_NAME).read_text().splitlines()) == 4


def test_extract_on_a_full_disk_is_one_line_and_leaves_no_temp_file(tmp_path, media, monkeypatch):
    from click.testing import CliRunner

    from signfuse.cli import cli

    out = tmp_path / "out"
    real_replace = os.replace

    def full(src, dst):
        if str(dst).startswith(str(out)):
            import errno
            raise OSError(errno.ENOSPC, "No space left on device", str(src))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full)
    r = CliRunner().invoke(cli, ["extract", str(media["astronaut_png"]), "--out", str(out)])
    assert r.exit_code != 0, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output
    assert "No space left on device" in r.output and "manifest.jsonl" in r.output.replace("\n", ""), r.output
    assert not [p for p in out.rglob("*") if ".tmp" in p.name], list(out.rglob("*"))
