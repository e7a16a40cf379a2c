import json

import numpy as np
import pytest
import torch

from signfuse import DataError, ParameterError
from signfuse.inference import a2g as a2g_inference
from signfuse.models import create_model
from signfuse.train import a2g


@pytest.mark.parametrize("name", ["a2g_gru", "a2g_transformer"])
def test_a2g_models_shapes_nan_and_backward(name):
    torch.manual_seed(0)
    stats = {"x_mean": [1.0] * 10, "x_std": [2.0] * 10, "y_mean": [5.0] * 3, "y_std": [3.0] * 3}
    m = create_model(name, in_dim=10, out_dim=3, dim=32, norm_stats=stats)
    x = torch.randn(2, 17, 10)
    x[0, 3, :] = float("nan")
    mask = torch.ones(2, 17, dtype=torch.bool)
    mask[1, 12:] = False
    out = m(x, mask)
    assert out["y"].shape == (2, 17, 3) and torch.isfinite(out["y"]).all()
    # de-normalization is exact: y = y_norm * std + mean
    torch.testing.assert_close(out["y"], out["y_norm"] * 3.0 + 5.0)
    out["y_norm"].pow(2).mean().backward()
    assert all(p.grad is not None for p in m.parameters() if p.requires_grad)
    with pytest.raises(ParameterError, match="audio features must be"):
        m(torch.randn(2, 5, 9))


def _clips(rng, n, T, F, shift, split):
    clips = []
    for i in range(n):
        x = rng.normal(size=(T, F)).astype(np.float32)
        y = np.zeros((T, a2g.TARGET_DIM), np.float32)
        drive = np.convolve(x[:, 0], np.ones(5) / 5, mode="same")
        # the target follows the "audio" with a delay of `shift` frames, as gesture leads voice
        y[:, :] = np.roll(drive, -shift)[:, None] * np.linspace(0.5, 1.5, a2g.TARGET_DIM)[None]
        clips.append(a2g.Clip(f"{split}{i}", split, f"s{i % 3}", 30.0, x, y, np.abs(x[:, 0])))
    return clips


@pytest.mark.slow
def test_training_learns_a_lagged_mapping(tmp_path, rng, monkeypatch):
    monkeypatch.setattr(a2g, "INPUT_NAMES", tuple(f"f{i}" for i in range(4)))
    train = _clips(rng, 24, 60, 4, 3, "train")
    test = _clips(rng, 6, 60, 4, 3, "test")
    ckpt = a2g.train_a2g(train + test, tmp_path, epochs=25, dim=32, fgd_steps=20, lr=5e-3)
    model, ae, cfg = a2g_inference.load_a2g(ckpt)
    pred = a2g_inference.predict_clip(model, test[0].x)
    r = np.corrcoef(pred[:, 0], test[0].y[:, 0])[0, 1]
    assert r > 0.8, r
    assert cfg["n_train"] == 24 and (tmp_path / "config.json").exists()


class _Oracle(torch.nn.Module):
    """Returns its input: with x == y, a perfect predictor."""

    def forward(self, x, mask=None):
        return {"y": x}


def test_evaluation_known_answers(rng):
    clips = []
    for i in range(4):
        T = 90
        t = np.arange(T) / 30.0
        y = np.zeros((T, a2g.TARGET_DIM), np.float32)
        y[:, : a2g.N_POSE * 2] = rng.normal(size=(1, a2g.N_POSE * 2)) + 0.3 * np.sin(2 * np.pi * 1.5 * t)[:, None]
        env = np.abs(np.sin(2 * np.pi * 1.5 * t + i))
        y[:, a2g.N_POSE * 2:] = np.stack([env, env, env * 0.5, env * 0.5], 1)
        onset = np.roll(-env, 2) + 1.0
        clips.append(a2g.Clip(f"c{i}", "test", "s", 30.0, y.copy(), y, onset.astype(np.float32)))
    ae = a2g._train_autoencoder(clips, steps=5, seed=0)
    table = a2g.evaluate_clips(_Oracle(), ae, clips, clips, seed=0)
    m = table["model"]
    assert m["l1"] == pytest.approx(0.0, abs=1e-6)
    assert m["pck_0.1"] == 1.0 and m["env_corr"] == pytest.approx(1.0)
    assert m["speed_ratio"] == pytest.approx(1.0) and m["fgd"] == pytest.approx(0.0, abs=1e-3)
    assert m["beat_align"] == pytest.approx(table["real"]["beat_align"])
    assert table["mean_pose"]["env_corr"] == 0.0 and table["mean_pose"]["beat_align"] == 0.0
    assert table["mean_pose"]["beat_align_peaks"] == 0.0
    assert table["model_beats_baselines"]["env_corr"]


def test_corpus_clips_train_predict_render(tiny_corpus, tmp_path):
    import av

    clips = a2g.clips_from_data(tiny_corpus, limit=12)
    assert clips and all(c.x.shape == (c.n_frames, len(a2g.INPUT_NAMES)) for c in clips)
    assert all(c.y.shape == (c.n_frames, a2g.TARGET_DIM) for c in clips)
    for c in clips:
        c.split = "train"
    ckpt = a2g.train_a2g(clips, tmp_path / "run", epochs=1, dim=16, fgd_steps=2)
    from signfuse.datasets.synthetic import load_corpus

    wav = load_corpus(tiny_corpus)[0].meta["audio"]
    res = a2g_inference.predict_audio(ckpt, wav, out=tmp_path / "pred.pose", render=tmp_path / "pred.mp4",
                            envelope_out=tmp_path / "env.parquet")
    from signfuse import io
    seq = io.read(tmp_path / "pred.pose")
    assert seq.n_frames == res["frames"] and seq.has("LEFT_HAND") and seq.fps == 30.0
    with av.open(str(tmp_path / "pred.mp4")) as f:
        kinds = {s.type for s in f.streams}
    assert kinds == {"video", "audio"}
    assert io.read_stream(tmp_path / "env.parquet").names == a2g.ENVELOPE_NAMES


def test_bad_checkpoints(tmp_path):
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(DataError, match="bad.ckpt"):
        a2g_inference.load_a2g(bad)
    other = tmp_path / "other.ckpt"
    torch.save({"kind": "emotion"}, other)
    with pytest.raises(DataError, match="this command needs a 'a2g' checkpoint|not a signfuse checkpoint"):
        a2g_inference.load_a2g(other)
    with pytest.raises(DataError, match="needs clips in the 'train' split"):
        a2g.train_a2g([], tmp_path)


@pytest.mark.slow
def test_train_on_videos_with_sound_after_extract(tmp_path):
    """The issue's second data source: a folder of videos with sound, then ``signfuse extract``, then
    ``a2g train --data`` on the extract output (audio from the source videos, via the manifest)."""
    pytest.importorskip("mediapipe", reason="needs the [vision] extra (mediapipe)")
    from click.testing import CliRunner

    from signfuse.cli import cli
    from signfuse.testing.media import moving_frames, photo, write_video
    from signfuse.train.a2g import clips_from_data

    videos = tmp_path / "videos"
    videos.mkdir()
    sr, fps, n = 16000, 25, 20
    t = np.arange(int(n / fps * sr)) / sr
    for k in range(4):
        voice = 0.3 * np.sin(2 * np.pi * (140 + 20 * k) * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 2 * t))
        voice = voice.astype(np.float32)
        write_video(videos / f"talk{k}.mp4", moving_frames(photo("astronaut"), n), fps=fps, audio=(voice, sr))
    r = CliRunner().invoke(cli, ["extract", str(videos), "--out", str(tmp_path / "lm")])
    assert r.exit_code == 0, r.output
    clips = clips_from_data(tmp_path / "lm")
    assert sorted(c.id for c in clips) == [f"talk{k}" for k in range(4)]
    for c in clips:
        assert c.n_frames == n and c.x.shape[0] == n
        assert np.isfinite(c.x).mean() > 0.9                        # the soundtrack was read
        assert np.isfinite(c.y[:, :4]).all()                        # the astronaut's pose was found
    f0 = [np.nanmedian(c.x[:, 0]) for c in sorted(clips, key=lambda c: c.id)]
    assert np.all(np.diff(f0) > 0)                                  # each clip got its own video's voice
    assert sorted(c.split for c in clips) == ["test", "train", "train", "train"]   # stable name hash
    r = CliRunner().invoke(cli, ["a2g", "train", "--data", str(tmp_path / "lm"), "--out", str(tmp_path / "run"),
                                 "--epochs", "1"])
    assert r.exit_code == 0, r.output
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert {"model", "mean_pose", "random_segment"} <= set(metrics)
