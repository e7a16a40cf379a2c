from __future__ import annotations

import json

from click.testing import CliRunner

from signfuse import io
from signfuse.cli import cli


def test_a2g_train_predict_eval(tiny_corpus, tmp_path):
    runner = CliRunner()
    run = tmp_path / "run"
    r = runner.invoke(
        cli, ["a2g", "train", "--data", str(tiny_corpus), "--out", str(run), "--epochs", "1", "--limit", "16"]
    )
    assert r.exit_code == 0, r.output
    assert (run / "a2g.ckpt").exists() and (run / "metrics.json").exists()
    wav = sorted((tiny_corpus / "audio").glob("*.wav"))[0]
    r = runner.invoke(cli, ["a2g", "predict", str(run / "a2g.ckpt"), str(wav), "--out", str(tmp_path / "p.pose")])
    assert r.exit_code == 0, r.output
    assert io.read(tmp_path / "p.pose").n_frames == json.loads(r.stdout)["frames"]
    r = runner.invoke(
        cli, ["a2g", "predict", str(tmp_path / "missing.ckpt"), str(wav), "--out", str(tmp_path / "q.pose")]
    )
    assert r.exit_code != 0 and "missing.ckpt" in r.output


def test_emotion_train_and_predict(tiny_corpus, tmp_path):
    runner = CliRunner()
    out = tmp_path / "emo"
    r = runner.invoke(
        cli,
        [
            "emotion",
            "train",
            "--data",
            str(tiny_corpus),
            "--out",
            str(out),
            "--epochs",
            "1",
            "--limit",
            "6",
            "--fusions",
            "late",
        ],
    )
    assert r.exit_code == 0, r.output
    table = json.loads((out / "emotion_table.json").read_text())
    assert set(table["rows"]) == {"gesture", "face", "voice", "fusion_late"}
    parquet = sorted((tiny_corpus / "isolated" / "landmarks").rglob("*.parquet"))[0]
    wav = tiny_corpus / "audio" / f"iso_{parquet.stem}.wav"
    r = runner.invoke(cli, ["emotion", "predict", str(out / "emotion_late.ckpt"), str(parquet), "--audio", str(wav)])
    assert r.exit_code == 0, r.output
    probs = json.loads(r.stdout)
    assert abs(sum(probs.values()) - 1) < 1e-4
