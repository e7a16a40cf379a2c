"""signfuse.io.render and `signfuse render`: frames, side-by-side video, audio muxing."""

from __future__ import annotations

import av
import numpy as np
import pytest

from signfuse import io as sio
from signfuse.datasets import synthetic
from signfuse.errors import DataError, ParameterError
from signfuse.io.render import frame_to_png, render, render_frame


@pytest.fixture(scope="module")
def sample():
    vocab = synthetic.make_vocabulary(6, seed=0)
    signer = synthetic.make_signers(1, seed=0)[0]
    return synthetic.synthesize_sign(vocab[0], signer, seed=1)


def _decode(path):
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(v)]
        has_audio = bool(c.streams.audio)
    return frames, has_audio


def test_render_frame_draws_at_the_landmarks(sample):
    seq = sample[0]
    img = render_frame(seq, 0, width=200, height=200)
    assert img.shape == (200, 200, 3) and img.dtype == np.uint8
    bg = img[0, 0].copy()
    sh = seq.point("POSE", "LEFT_SHOULDER")[0, 0]  # drawn as a filled dot
    x, y = int(round(sh[0] * 200)), int(round(sh[1] * 200))
    assert np.any(img[y - 1:y + 2, x - 1:x + 2] != bg)
    # far from every landmark, nothing is drawn
    assert np.all(img[2:10, 2:10] == bg)
    with pytest.raises(ParameterError, match="index"):
        render_frame(seq, seq.n_frames, width=64, height=64)


def test_render_mp4_frames_and_audio(sample, tmp_path):
    seq, y, sr, _ = sample
    out = render(seq, tmp_path / "s.mp4", width=128, height=96, audio=(y, sr))
    frames, has_audio = _decode(out)
    assert len(frames) == seq.n_frames and frames[0].shape == (96, 128, 3)
    assert has_audio
    with av.open(str(out)) as c:
        a = c.streams.audio[0]
        dur = float(sum(f.samples for f in c.decode(a))) / a.rate
    assert dur == pytest.approx(len(y) / sr, abs=0.1)


def test_render_side_by_side_with_source_video(sample, tmp_path):
    seq = sample[0]
    src = tmp_path / "src.mp4"
    with av.open(str(src), "w") as c:  # a plain red video as the "camera"
        s = c.add_stream("mpeg4", rate=30)
        s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
        for _ in range(seq.n_frames):
            for p in s.encode(av.VideoFrame.from_ndarray(np.full((64, 64, 3), (200, 0, 0), np.uint8), format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    frames, _ = _decode(render(seq, tmp_path / "sbs.mp4", width=64, height=64, video=src))
    assert frames[0].shape == (64, 128, 3)
    left, right = frames[3][:, :64].astype(int), frames[3][:, 64:].astype(int)
    assert left[2:6, 2:6, 0].mean() > 150 and right[2:6, 2:6, 0].mean() < 60  # video on the left only


def test_render_rejects_bad_arguments(sample, tmp_path):
    seq = sample[0]
    with pytest.raises(ParameterError, match="out"):
        render(seq, tmp_path / "x.avi")
    with pytest.raises(ParameterError, match="width"):
        render(seq, tmp_path / "x.mp4", width=15)
    with pytest.raises(DataError):
        render(seq, tmp_path / "x.mp4", video=tmp_path / "missing.mp4")
    assert not (tmp_path / "x.mp4").exists()


def test_frame_to_png(sample, tmp_path):
    from PIL import Image

    p = frame_to_png(render_frame(sample[0], 5, width=64, height=48), tmp_path / "f.png")
    assert Image.open(p).size == (64, 48)


def test_render_cli(sample, tmp_path, runner):

    from signfuse.cli import cli

    seq, y, sr, _ = sample
    pose = sio.write(seq, tmp_path / "s.pose")
    wav = synthetic.write_wav(tmp_path / "s.wav", y, sr=sr)
    res = runner.invoke(cli, ["render", str(pose), "--out", str(tmp_path / "o.mp4"), "--audio", str(wav),
                                   "--size", "96"])
    assert res.exit_code == 0, res.output
    frames, has_audio = _decode(tmp_path / "o.mp4")
    assert len(frames) == seq.n_frames and has_audio
    res = runner.invoke(cli, ["render", str(tmp_path / "nope.pose"), "--out", str(tmp_path / "o.mp4")])
    assert res.exit_code != 0 and "no such file" in res.output
