"""``signfuse render``: bounded sizes (issue 14, item 2), the legend, caption and neck, and the source video's
sound kept with --video (issue 13, "The CLI")."""

from __future__ import annotations

import av
import numpy as np
import pytest

from signfuse import io as sio
from signfuse.cli import cli
from signfuse.datasets import synthetic
from signfuse.errors import ParameterError
from signfuse.io import render as rmod


@pytest.fixture(scope="module")
def sample():
    vocab = synthetic.make_vocabulary(6, seed=0)
    signer = synthetic.make_signers(1, seed=0)[0]
    return synthetic.synthesize_sign(vocab[0], signer, seed=1)


def _frames(path):
    with av.open(str(path)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(c.streams.video[0])]
    with av.open(str(path)) as c:                                    # a second pass for the sound
        sound = None
        if c.streams.audio:
            a = c.streams.audio[0]
            sound = float(sum(f.samples for f in c.decode(a))) / a.rate
    return frames, sound


@pytest.mark.parametrize("args, message", [
    (["--size", "100000"], "4096"),
    (["--size", "4097"], "4096"),
    (["--size", "8"], "16"),
    (["--fps", "0"], "fps"),
    (["--fps", "100000"], "fps"),
])
def test_render_refuses_sizes_before_allocating(sample, tmp_path, runner, args, message):
    pose = sio.write(sample[0], tmp_path / "s.pose")
    res = runner.invoke(cli, ["render", str(pose), "--out", str(tmp_path / "o.mp4"), *args])
    assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output, res.output
    assert not (tmp_path / "o.mp4").exists()


def test_render_checks_the_memory_it_needs(sample, tmp_path, monkeypatch):
    seq = sample[0]
    need = rmod.render_memory(width=4096, height=4096, n_frames=seq.n_frames, n_points=seq.data.shape[2])
    assert 4096 * 4096 * 3 < need < 2 * 2**30                      # at least one RGB frame, well under 2 GiB
    assert rmod.render_memory(width=512, height=512, n_frames=10, n_points=10, side_by_side=True) > \
        rmod.render_memory(width=512, height=512, n_frames=10, n_points=10)
    monkeypatch.setattr(rmod, "_available_memory", lambda: 256 * 2**20)   # a machine with 256 MiB free
    with pytest.raises(ParameterError, match=r"needs about 0\.\d GiB; only 0\.2 GiB"):
        rmod.render(seq, tmp_path / "big.mp4", width=4096, height=4096)
    assert not (tmp_path / "big.mp4").exists()
    with pytest.raises(ParameterError, match="from 16 to 4096"):
        rmod.render(seq, tmp_path / "x.mp4", width=100_000, height=100_000)
    with pytest.raises(ParameterError, match="fps"):
        rmod.check_render_size(width=64, height=64, fps=1e6, n_frames=1, n_points=1)


def test_render_draws_legend_caption_and_neck(sample, tmp_path, runner):
    seq = sample[0]
    pose = sio.write(seq, tmp_path / "s.pose")
    out = tmp_path / "o.mp4"
    res = runner.invoke(cli, ["render", str(pose), "--out", str(out), "--size", "320", "--caption", "GUPA"])
    assert res.exit_code == 0, res.output
    plain = tmp_path / "plain.mp4"
    assert runner.invoke(cli, ["render", str(pose), "--out", str(plain), "--size", "320", "--no-legend"]).exit_code == 0
    f, g = _frames(out)[0][5].astype(int), _frames(plain)[0][5].astype(int)
    # the legend (top right): swatches in the two hand colours, absent with --no-legend
    top_right = f[:40, 200:]
    for colour in (rmod._COLORS["LEFT_HAND"], rmod._COLORS["RIGHT_HAND"]):
        near = np.abs(top_right - np.array(colour)).sum(-1) < 60
        assert near.sum() > 20, colour
    assert np.abs(g[:40, 200:] - np.array(rmod._BG)).sum(-1).max() < 40
    # the caption and time (bottom rows): light text that only the render with the legend has
    assert ((f[-20:, :200] > 200).all(-1) & (np.abs(f[-20:, :200] - g[-20:, :200]).sum(-1) > 200)).sum() > 30
    # the neck: the point between the shoulders' midpoint and the mouth's midpoint is drawn
    k = 5
    sh = (seq.point("POSE", "LEFT_SHOULDER")[k, 0, :2] + seq.point("POSE", "RIGHT_SHOULDER")[k, 0, :2]) / 2
    mo = (seq.point("POSE", "MOUTH_LEFT")[k, 0, :2] + seq.point("POSE", "MOUTH_RIGHT")[k, 0, :2]) / 2
    x, y = ((sh + mo) / 2 * 320).round().astype(int)
    assert np.abs(g[y - 1:y + 2, x - 1:x + 2] - np.array(rmod._BG)).sum(-1).max() > 100
    frame = rmod.render_frame(seq, k, width=320, height=320)       # render_frame draws the neck too
    assert np.abs(frame[y - 1:y + 2, x - 1:x + 2].astype(int) - np.array(rmod._BG)).sum(-1).max() > 100


def test_render_keeps_the_source_videos_sound(sample, tmp_path, runner):
    seq, y, sr, _ = sample
    src = tmp_path / "src.mp4"
    with av.open(str(src), "w") as c:                                 # a grey video with the sign's sound
        s = c.add_stream("mpeg4", rate=int(round(seq.fps)))
        s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
        a = rmod.add_audio_stream(c, sr)
        for _ in range(seq.n_frames):
            for p in s.encode(av.VideoFrame.from_ndarray(np.full((64, 64, 3), 128, np.uint8), format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
        rmod.encode_audio(c, a, y)
    pose = sio.write(seq, tmp_path / "s.pose")
    res = runner.invoke(cli, ["render", str(pose), "--out", str(tmp_path / "sbs.mp4"), "--video", str(src),
                              "--size", "64"])
    assert res.exit_code == 0 and "with sound" in res.output, res.output
    frames, sound = _frames(tmp_path / "sbs.mp4")
    assert frames[0].shape == (64, 128, 3) and sound == pytest.approx(len(y) / sr, abs=0.15)
    silent = tmp_path / "silent.mp4"                                  # a video without sound: a note, no error
    with av.open(str(silent), "w") as c:
        s = c.add_stream("mpeg4", rate=25)
        s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
        for p in s.encode(av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")):
            c.mux(p)
        for p in s.encode():
            c.mux(p)
    res = runner.invoke(cli, ["render", str(pose), "--out", str(tmp_path / "s2.mp4"), "--video", str(silent),
                              "--size", "64"])
    assert res.exit_code == 0 and "no readable sound" in res.output, res.output
    assert _frames(tmp_path / "s2.mp4")[1] is None


def test_render_refuses_one_dimensional_points(tmp_path, runner, rng):
    from signfuse.sequence import Component, LandmarkSequence
    from signfuse.topology import HAND_POINTS
    seq = LandmarkSequence((Component("RIGHT_HAND", HAND_POINTS),), rng.random((5, 1, 21, 1)), np.ones((5, 1, 21)), 25.0)
    p = sio.write(seq, tmp_path / "flat.pose")
    res = runner.invoke(cli, ["render", str(p), "--out", str(tmp_path / "o.mp4")])
    assert res.exit_code == 1 and "1 dimension" in res.output and "Traceback" not in res.output, res.output
    assert not (tmp_path / "o.mp4").exists()


def test_render_shows_glosses_at_their_times(sample, tmp_path, runner):
    import json
    seq = sample[0]
    pose = sio.write(seq, tmp_path / "s.pose")
    half = seq.n_frames / seq.fps / 2
    doc = {"version": 1, "tiers": [
        {"id": "gloss-dom", "kind": "gloss_dominant", "annotations": [
            {"id": "a1", "start_ms": 0, "end_ms": int(half * 1000), "value": "HOUSE"}]},
        {"id": "au", "kind": "au", "annotations": [{"id": "a2", "start_ms": 0, "end_ms": 99999, "value": "AU01"}]}]}
    ann = tmp_path / "s.annotations.json"
    ann.write_text(json.dumps(doc))
    from signfuse.cli.render import gloss_spans
    assert gloss_spans(ann) == [(0.0, int(half * 1000) / 1000, "HOUSE")]       # gloss tiers only
    assert rmod._caption_at(gloss_spans(ann), 0.1) == "HOUSE" and rmod._caption_at(gloss_spans(ann), half + 0.1) is None
    out, plain = tmp_path / "g.mp4", tmp_path / "p.mp4"
    assert runner.invoke(cli, ["render", str(pose), "--out", str(out), "--size", "320", "--glosses", str(ann)]).exit_code == 0
    assert runner.invoke(cli, ["render", str(pose), "--out", str(plain), "--size", "320"]).exit_code == 0
    g, p = _frames(out)[0], _frames(plain)[0]
    # the caption row differs from the plain render while the gloss is on, and is the same after it
    early, late = 2, seq.n_frames - 2

    def changed(k):
        return int((np.abs(g[k][-24:, :160].astype(int) - p[k][-24:, :160]).sum(-1) > 150).sum())

    assert changed(early) > 40 and changed(late) < 0.2 * changed(early), (changed(early), changed(late))
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    res = runner.invoke(cli, ["render", str(pose), "--out", str(tmp_path / "b.mp4"), "--glosses", str(bad)])
    assert res.exit_code == 1 and "bad.json" in res.output and "tiers" in res.output
