"""Frame folders (image sequences, as RWTH-PHOENIX-Weather ships its videos) read as videos."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mediapipe", reason="needs the [vision] extra (mediapipe)")

from click.testing import CliRunner  # noqa: E402

from signfuse.errors import DataError, ParameterError  # noqa: E402
from signfuse.vision import decode, extract, extract_batch  # noqa: E402
from signfuse.vision.holistic import HolisticRunner  # noqa: E402

from ._media import astronaut, moving_frames  # noqa: E402

N = 11


def _write_frames(folder: Path, frames: list[np.ndarray], *, stem: str = "images") -> Path:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for i, f in enumerate(frames, start=1):
        # PHOENIX names frames images0001.png; unpadded numbers check the natural order (2 before 10)
        Image.fromarray(f).save(folder / f"{stem}{i}.png")
    return folder


@pytest.fixture(scope="module")
def frames() -> list[np.ndarray]:
    return moving_frames(astronaut(), N)


@pytest.fixture(scope="module")
def phoenix(tmp_path_factory, frames):
    """A PHOENIX-2014T-style tree: features/<name>/1/*.png and a dev corpus csv pointing at it."""
    root = tmp_path_factory.mktemp("phoenix")
    _write_frames(root / "features" / "clip-0" / "1", frames)
    _write_frames(root / "features" / "clip-1" / "1", frames[:6])
    csv = root / "PHOENIX-2014-T.dev.corpus.csv"
    csv.write_text("name|video|start|end|speaker|orth|translation\n"
                   "clip-0|features/clip-0/1/*.png|-1|-1|Signer01|REGEN SCHNEE|regen und schnee\n"
                   "clip-1|features/clip-1/1/*.png|-1|-1|Signer02|WETTER|das wetter\n", encoding="utf-8")
    return root, csv


def test_natural_order_and_probe(tmp_path, frames):
    d = _write_frames(tmp_path / "seq", frames)
    (d / "notes.txt").write_text("not a frame")
    names = [f.name for f in decode.frame_files(d)]
    assert names == [f"images{i}.png" for i in range(1, N + 1)]         # images2 before images10
    assert decode.is_frame_folder(d) and not decode.is_frame_folder(tmp_path / "missing")
    info = decode.probe_frame_folder(d, rate=25)
    assert (info.width, info.height, info.n_frames, info.fps) == (320, 240, N, 25.0)
    assert info.duration == pytest.approx(N / 25)
    got = list(decode.iter_frame_folder(d, rate=25, start_frame=2, end_frame=5))
    assert [f.index for f in got] == [2, 3, 4] and got[0].time == pytest.approx(2 / 25)
    np.testing.assert_array_equal(got[0].image, frames[2])                  # PNG is lossless


def test_extract_equals_a_bare_loop_over_the_frames(tmp_path, frames):
    """Video mode (tracking) over the frames in natural order, nothing added or lost."""
    d = _write_frames(tmp_path / "seq", frames)
    seq = extract(d)
    assert seq.n_frames == N and seq.fps == 25.0 and (seq.width, seq.height) == (320, 240)
    assert seq.times is None
    with HolisticRunner(static_image_mode=False) as runner:
        rows = [runner.process(f) for f in frames]
    np.testing.assert_array_equal(seq.data[:, 0], np.stack([r[0] for r in rows]))
    np.testing.assert_array_equal(seq.confidence[:, 0], np.stack([r[1] for r in rows]))
    assert (seq.component_data("FACE")[1] > 0).all()                      # the face is found in every frame


def test_frame_rate_and_sampling(tmp_path, frames):
    d = _write_frames(tmp_path / "seq", frames[:8])
    assert extract(d, frame_rate=30).fps == 30.0
    half = extract(d, frame_rate=30, fps=15)
    assert half.n_frames == 4 and half.fps == 15.0
    with pytest.raises(ParameterError, match="frame rate"):
        extract(d, frame_rate=0)


def test_bad_frame_folders_name_the_frame(tmp_path, frames):
    from PIL import Image

    d = _write_frames(tmp_path / "broken", frames[:4])
    (d / "images3.png").write_text("this is not a PNG")
    with pytest.raises(DataError, match=r"frame images3\.png: not a readable image") as e:
        extract(d)
    assert str(d) in str(e.value)
    d2 = _write_frames(tmp_path / "sizes", frames[:3])
    Image.fromarray(frames[0][:100, :100]).save(d2 / "images4.png")
    with pytest.raises(DataError, match=r"images4\.png: size 100x100 differs"):
        extract(d2)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="no image files"):
        extract(empty)


def test_phoenix_index_extracts_its_frame_folders(phoenix, tmp_path):
    root, csv = phoenix
    out = tmp_path / "out"
    s = extract_batch([csv], out)
    assert (s.total, s.done, s.failed) == (2, 2, 0) and s.frames == N + 6
    from signfuse import io

    a = io.read(out / "clip-0.pose")
    assert a.n_frames == N and a.fps == 25.0 and (a.width, a.height) == (320, 240)
    recs = [json.loads(x) for x in (out / "manifest.jsonl").read_text().splitlines()]
    assert {r["frame_rate"] for r in recs} == {25.0} and all(r["status"] == "ok" for r in recs)
    # resumable: nothing to do; a frame added to one folder redoes that folder only
    assert extract_batch([csv], out).skipped == 2
    from PIL import Image
    clip1 = root / "features" / "clip-1" / "1"
    Image.open(clip1 / "images6.png").save(clip1 / "images7.png")
    again = extract_batch([csv], out)
    assert (again.skipped, again.done) == (1, 1)
    assert io.read(out / "clip-1.pose").n_frames == 7


def test_cli_frame_folders_option(tmp_path, frames):
    from signfuse import io
    from signfuse.cli import cli

    src = tmp_path / "videos"
    _write_frames(src / "a", frames[:5])
    _write_frames(src / "b", frames[:3])
    # default: a folder of images is images, one static-mode job each
    r = CliRunner().invoke(cli, ["extract", str(src), "--out", str(tmp_path / "each")])
    assert r.exit_code == 0, r.output
    assert len(list((tmp_path / "each").rglob("*.pose"))) == 8
    r = CliRunner().invoke(cli, ["extract", str(src), "--out", str(tmp_path / "seq"), "--frame-folders",
                                 "--frame-rate", "30"])
    assert r.exit_code == 0, r.output
    outs = sorted(p.relative_to(tmp_path / "seq").as_posix() for p in (tmp_path / "seq").rglob("*.pose"))
    assert outs == ["a.pose", "b.pose"]
    a = io.read(tmp_path / "seq" / "a.pose")
    assert a.n_frames == 5 and a.fps == 30.0
