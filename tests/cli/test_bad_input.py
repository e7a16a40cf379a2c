"""Bad options and bad files through the CLI: a non-zero exit and one line naming the problem, never a traceback.

One table of (command line, expected message) for option values (bounded before any work starts), one
for outputs that exist already (the overwrite policy: refuse unless --force), and one for outputs that
cannot be written (a folder that cannot be created, a full disk).
"""

from __future__ import annotations

import errno
import os
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from signfuse.cli import cli


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """A landmark file with a face, its audio, an audio file and a tiny synthetic corpus."""
    from signfuse.datasets.synthetic import generate_corpus

    d = tmp_path_factory.mktemp("bad_input")
    corpus = generate_corpus(d / "corpus", signs=4, signers=2, sentences=2, samples_per_sign_per_signer=1, seed=0)
    pose = sorted((corpus / "continuous").glob("*.pose"))[0]
    wav = corpus / "audio" / f"{pose.stem}.wav"
    assert wav.is_file()
    return {"pose": pose, "wav": wav, "corpus": corpus, "dir": d}


def _one_line_error(r, expected: str) -> None:
    """Exit code != 0; the only message is one ``Error: ...`` line (click may add its Usage/Try lines)."""
    out = r.output.strip()
    assert r.exit_code != 0, out
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in out, out
    lines = [ln for ln in out.splitlines() if ln.strip() and not ln.startswith(("Usage:", "Try '"))]
    assert len(lines) == 1 and lines[0].startswith("Error: "), out
    assert expected in out, out


# (id, argv with {pose} {wav} {corpus} {out} placeholders, expected text in the message)
OPTION_CASES = [
    ("correlate-fps-huge", ["correlate", "{pose}", "{wav}", "--out", "{out}", "--fps", "100000"], "--fps"),
    ("correlate-fps-negative", ["correlate", "{pose}", "{wav}", "--out", "{out}", "--fps", "-5"], "--fps"),
    ("correlate-max-lag-negative", ["correlate", "{pose}", "{wav}", "--out", "{out}", "--max-lag", "-1"], "--max-lag"),
    ("correlate-n-perm-zero", ["correlate", "{pose}", "{wav}", "--out", "{out}", "--n-perm", "0"], "--n-perm"),
    ("correlate-sigma-huge", ["correlate", "{pose}", "{wav}", "--out", "{out}", "--sigma", "1e9"], "--sigma"),
    ("motion-fps-huge", ["motion", "{pose}", "--out", "{out}/m.parquet", "--fps", "100000"], "--fps"),
    ("motion-window-negative", ["motion", "{pose}", "--out", "{out}/m.parquet", "--window-s", "-0.2"], "--window-s"),
    ("face-fps-negative", ["face", "{pose}", "--out", "{out}/f.csv", "--fps", "-1"], "--fps"),
    ("audio-sr-tiny", ["audio", "{wav}", "--out", "{out}/a.parquet", "--sr", "10"], "--sr"),
    ("audio-hop-negative", ["audio", "{wav}", "--out", "{out}/a.parquet", "--hop-ms", "-1"], "--hop-ms"),
    ("audio-windows-segment-huge", ["audio-windows", "{wav}", "--segment-s", "1e6"], "--segment-s"),
    ("extract-workers-zero", ["extract", "{pose}", "--out", "{out}", "--workers", "0"], "--workers"),
    ("extract-workers-huge", ["extract", "{pose}", "--out", "{out}", "--workers", "100000"], "--workers"),
    ("extract-fps-huge", ["extract", "{pose}", "--out", "{out}", "--fps", "1e9"], "--fps"),
    ("extract-max-side-huge", ["extract", "{pose}", "--out", "{out}", "--max-side", "10000000"], "--max-side"),
    ("extract-frame-rate-negative", ["extract", "{pose}", "--out", "{out}", "--frame-rate", "-25"], "--frame-rate"),
    ("synth-signs-huge", ["synth", "{out}/s", "--signs", "1000000000"], "--signs"),
    ("synth-sentences-negative", ["synth", "{out}/s", "--sentences", "-1"], "--sentences"),
    ("adapt-same-region", ["adapt", "--data", "{corpus}", "--source", "north", "--target", "north"], "same region"),
    ("adapt-k-shot-negative", ["adapt", "--data", "{corpus}", "--k-shot", "-1"], "--k-shot"),
    ("export-opset-zero", ["export", "{pose}", "--opset", "0"], "--opset"),
]


def _argv(argv: list[str], files: dict[str, Path], out: Path) -> list[str]:
    return [a.format(pose=files["pose"], wav=files["wav"], corpus=files["corpus"], out=out) for a in argv]


@pytest.mark.parametrize("argv, expected", [c[1:] for c in OPTION_CASES], ids=[c[0] for c in OPTION_CASES])
def test_bad_option_values_are_refused_before_work(files, tmp_path, argv, expected):
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, _argv(argv, files, out))
    _one_line_error(r, expected)
    # refused before any work: nothing was written
    assert not out.exists() or not any(out.iterdir())


# (id, argv, the output that is made to exist first, expected message)
EXISTING_CASES = [
    ("motion", ["motion", "{pose}", "--out", "{out}/m.parquet"], "m.parquet", "exists (use --force"),
    (
        "motion-events",
        ["motion", "{pose}", "--out", "{out}/m.parquet", "--events", "{out}/e.json"],
        "e.json",
        "exists (use --force",
    ),
    ("face", ["face", "{pose}", "--out", "{out}/f.csv"], "f.csv", "exists (use --force"),
    ("audio", ["audio", "{wav}", "--out", "{out}/a.parquet"], "a.parquet", "exists (use --force"),
    (
        "audio-plot",
        ["audio", "{wav}", "--out", "{out}/a.parquet", "--plot", "{out}/a.png"],
        "a.png",
        "exists (use --force",
    ),
    ("audio-windows", ["audio-windows", "{wav}", "--plot", "{out}/w.png"], "w.png", "exists (use --force"),
    ("correlate", ["correlate", "{pose}", "{wav}", "--out", "{out}"], "report.json", "exists (use --force"),
    ("synth", ["synth", "{out}"], "metadata.jsonl", "is not empty (use --force"),
    # the writers of results: refused before the checkpoint is even read (a landmark file stands in for it)
    ("render", ["render", "{pose}", "--out", "{out}/r.mp4"], "r.mp4", "exists (use --force"),
    ("eval", ["eval", "{pose}", "--out", "{out}"], "metrics.json", "exists (use --force"),
    ("export", ["export", "{pose}", "--out", "{out}/m.onnx"], "m.onnx", "exists (use --force"),
    (
        "translate-eval",
        ["translate", "eval", "{pose}", "--test", "{corpus}", "--out", "{out}"],
        "hypotheses.txt",
        "exists (use --force",
    ),
    (
        "a2g-eval",
        ["a2g", "eval", "{pose}", "--data", "{corpus}", "--out", "{out}/a.json"],
        "a.json",
        "exists (use --force",
    ),
    ("a2g-predict", ["a2g", "predict", "{pose}", "{wav}", "--out", "{out}/p.pose"], "p.pose", "exists (use --force"),
    (
        "emotion-train",
        ["emotion", "train", "--data", "{corpus}", "--out", "{out}"],
        "emotion_table.json",
        "exists (use --force",
    ),
]


@pytest.mark.parametrize(
    "argv, existing, expected", [c[1:] for c in EXISTING_CASES], ids=[c[0] for c in EXISTING_CASES]
)
def test_existing_outputs_are_refused_without_force(files, tmp_path, argv, existing, expected):
    out = tmp_path / "out"
    out.mkdir()
    (out / existing).write_text("an older output\n")
    r = CliRunner().invoke(cli, _argv(argv, files, out))
    _one_line_error(r, expected)
    assert str(out / existing) in r.output.replace("\n", "") or str(out) in r.output
    assert (out / existing).read_text() == "an older output\n"  # untouched


def test_force_overwrites(files, tmp_path):
    out = tmp_path / "m.parquet"
    out.write_text("old")
    r = CliRunner().invoke(cli, ["motion", str(files["pose"]), "--out", str(out), "--force"])
    assert r.exit_code == 0, r.output
    assert out.read_bytes()[:4] == b"PAR1"


def test_synth_force_replaces_the_old_corpus(tmp_path):
    out = tmp_path / "c"
    r = CliRunner().invoke(cli, ["synth", str(out), "--signs", "3", "--signers", "2", "--sentences", "3"])
    assert r.exit_code == 0, r.output
    old = {p.relative_to(out) for p in out.rglob("*")}
    (out / "notes.txt").write_text("mine")
    r = CliRunner().invoke(cli, ["synth", str(out), "--signs", "3", "--signers", "2", "--sentences", "1", "--force"])
    assert r.exit_code == 0, r.output
    new = {p.relative_to(out) for p in out.rglob("*")}
    assert len([p for p in old if p.suffix == ".pose"]) == 3
    assert len([p for p in new if p.suffix == ".pose"]) == 1  # no old sentences left beside the new index
    n_meta = len((out / "metadata.jsonl").read_text().splitlines())
    assert len([p for p in new if p.suffix == ".wav"]) == n_meta  # every audio file is in the new index
    assert (out / "notes.txt").read_text() == "mine"  # files it does not own are kept


def test_extract_of_an_empty_folder_fails(tmp_path):
    (tmp_path / "empty").mkdir()
    r = CliRunner().invoke(cli, ["extract", str(tmp_path / "empty"), "--out", str(tmp_path / "out")])
    _one_line_error(r, "no inputs found in")


# Outputs that cannot be written. /sys refuses new folders even to root (EPERM), where chmod would not.
UNWRITABLE = Path("/sys/signfuse-cannot-write")

WRITER_CASES = [
    ("motion", ["motion", "{pose}", "--out", "{bad}/m.parquet"]),
    ("face", ["face", "{pose}", "--out", "{bad}/f.csv"]),
    ("audio", ["audio", "{wav}", "--out", "{bad}/a.parquet"]),
    ("audio-windows", ["audio-windows", "{wav}", "--plot", "{bad}/w.png"]),
    ("correlate", ["correlate", "{pose}", "{wav}", "--out", "{bad}"]),
    ("synth", ["synth", "{bad}", "--signs", "2", "--signers", "1", "--sentences", "0"]),
    ("convert", ["convert", "{pose}", "{bad}/x.npz"]),
]


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs /sys (Linux) for a folder nobody can create")
@pytest.mark.parametrize("argv", [c[1] for c in WRITER_CASES], ids=[c[0] for c in WRITER_CASES])
def test_unwritable_output_is_one_line_naming_the_path(files, argv):
    if argv[0] == "face":  # face checks its folders up front
        expected = "no such folder"
    else:
        expected = "cannot"
    argv = [a.format(pose=files["pose"], wav=files["wav"], bad=UNWRITABLE) for a in argv]
    r = CliRunner().invoke(cli, argv)
    _one_line_error(r, expected)
    assert str(UNWRITABLE) in r.output.replace("\n", "")


DISK_FULL_CASES = [
    ("motion", ["motion", "{pose}", "--out", "{out}/m.parquet"], "m.parquet"),
    ("face", ["face", "{pose}", "--out", "{out}/f.csv"], "f.csv"),
    ("audio", ["audio", "{wav}", "--out", "{out}/a.parquet"], "a.parquet"),
    ("correlate", ["correlate", "{pose}", "{wav}", "--out", "{out}"], ""),
]


@pytest.mark.parametrize("argv, name", [c[1:] for c in DISK_FULL_CASES], ids=[c[0] for c in DISK_FULL_CASES])
def test_full_disk_is_one_line_and_leaves_no_temp_file(files, tmp_path, monkeypatch, argv, name):
    out = tmp_path / "out"
    out.mkdir()
    real_replace = os.replace

    def full(src, dst):
        if str(dst).startswith(str(out)):
            raise OSError(errno.ENOSPC, "No space left on device", str(src))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full)
    r = CliRunner().invoke(cli, _argv(argv, files, out))
    _one_line_error(r, "No space left on device")
    assert str(out / name).rstrip("/") in r.output.replace("\n", "")
    assert not [p for p in out.rglob("*") if ".tmp" in p.name], list(out.rglob("*"))


def _wav_header(*, data_bytes: int, sr: int = 16000) -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, sr, 2 * sr, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", data_bytes)
    )


def test_truncated_wav_is_named_in_a_warning(tmp_path, caplog):
    from signfuse.audio.load import load

    p = tmp_path / "short.wav"
    p.write_bytes(_wav_header(data_bytes=128_000) + b"\x00\x01" * 8)  # 60 bytes, header promises 128 kB
    assert p.stat().st_size == 60
    with caplog.at_level("WARNING"):
        try:
            load(p)
        except Exception:  # noqa: BLE001  (a decoder may refuse it outright: then the error names it)
            pass
    assert any("short.wav" in m and "truncated WAV" in m and "128000" in m for m in caplog.messages), caplog.messages


def test_complete_wav_gets_no_warning(tmp_path, caplog):
    from signfuse.audio.load import load

    p = tmp_path / "ok.wav"
    p.write_bytes(_wav_header(data_bytes=3200) + b"\x00\x01" * 1600)
    with caplog.at_level("WARNING"):
        y, sr = load(p)
    assert y.shape == (1600,) and not [m for m in caplog.messages if "truncated" in m]


@pytest.mark.parametrize("fps", [1e5, -5.0, 0.0, float("nan")])
def test_correlate_library_refuses_an_unbounded_rate(files, fps):
    import numpy as np

    from signfuse import crossmodal, io
    from signfuse.errors import ParameterError

    with pytest.raises(ParameterError, match="fps="):
        crossmodal.correlate(io.read(files["pose"]), np.zeros(1600, np.float32), sr=16000, fps=fps)
