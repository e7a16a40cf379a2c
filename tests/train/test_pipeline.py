"""End to end on a tiny synthetic corpus: entries -> cache -> train -> recognize (checkpoint and ONNX)."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from signfuse.datasets import load_entries, synthetic
from signfuse.errors import DataError, ParameterError
from signfuse.samples import build_cache

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    synthetic.generate_corpus(d, signs=4, signers=4, sentences=3, samples_per_sign_per_signer=1, seed=0)
    return d


def test_corpus_to_cache(corpus, tmp_path):
    iso = load_entries(corpus, task="isolated")
    cont = load_entries(corpus, task="continuous")
    assert all(e.gloss for e in iso) and all(e.glosses for e in cont)
    c = build_cache(iso, tmp_path, streams="hands,body,face,hands_vel", mirror=True)
    assert c.dims() == {"hands": 126, "body": 75, "face": 312, "hands_vel": 126}
    assert len(c) == 2 * len(iso)
    twins = [r for r in c.records if r["meta"].get("mirror_of")]
    assert len(twins) == len(iso) and all(r["id"].endswith("~mirror") for r in twins)
    v0, _ = c[0]
    v1, _ = c[1]  # the mirror twin of sample 0: hands swap sides and x flips
    assert not np.allclose(v0["hands"], v1["hands"])
    assert build_cache(iso, tmp_path, streams="hands,body,face,hands_vel", mirror=True).path == c.path  # reused
    with pytest.raises(DataError, match="no such dataset"):
        load_entries(tmp_path / "missing")


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory):
    """A tiny isolated model (1 epoch) on hands and face, as a checkpoint and as ONNX."""
    from signfuse.inference.export import export_onnx
    from signfuse.train.fit import fit, resolve_config
    tmp = tmp_path_factory.mktemp("trained")
    cfg = resolve_config({"data": str(corpus), "streams": "hands,face", "epochs": 1, "batch_size": 8, "progress": False,
                          "run_dir": str(tmp / "run"), "cache_dir": str(tmp / "cache"),
                          "model_kwargs": {"dim": 16, "heads": 2, "transformer_layers": 1}})
    res = fit(cfg)
    export_onnx(res.last, tmp / "m.onnx")
    return res.last, tmp / "m.onnx"


def test_recognize_with_checkpoint_and_onnx(corpus, trained):
    from signfuse.inference.recognize import recognize
    ckpt, onnx = trained
    src = load_entries(corpus, task="isolated")[0].path
    a = recognize(ckpt, src, top_k=3)
    b = recognize(onnx, src, top_k=3)
    assert [t["gloss"] for t in a["top"]] == [t["gloss"] for t in b["top"]]
    np.testing.assert_allclose([t["probability"] for t in a["top"]], [t["probability"] for t in b["top"]], atol=1e-4)
    assert len(a["top"]) == 3 and a["top"][0]["probability"] >= a["top"][1]["probability"]
    with pytest.raises(ParameterError, match="top_k"):
        recognize(ckpt, src, top_k=0)


def test_recognize_a_video_end_to_end(trained, tmp_path):
    """A real-photo video: MediaPipe landmarks, then the model; the same answer as from the extracted
    landmark file, and no temporary files left behind."""
    pytest.importorskip("mediapipe", reason="needs the [vision] extra (mediapipe)")
    import tempfile
    from pathlib import Path

    from signfuse import io, vision
    from signfuse.inference.recognize import recognize
    from signfuse.testing.media import moving_frames, photo, write_video

    ckpt, onnx = trained
    video = write_video(tmp_path / "signer.mp4", moving_frames(photo("astronaut"), 10), fps=25)
    before = set(Path(tempfile.gettempdir()).glob("signfuse-rec-*"))
    # the astronaut photo shows no hands: no confident answer without --force
    from signfuse.errors import DataError
    with pytest.raises(DataError, match=r"signer.mp4: mostly missing: hands 0% of 10 frames"):
        recognize(onnx, video, top_k=3)
    r = recognize(onnx, video, top_k=3, force=True)
    assert set(Path(tempfile.gettempdir()).glob("signfuse-rec-*")) == before
    assert r["frames"] == 10 and r["input"] == str(video) and len(r["top"]) == 3
    assert r["detection"]["hands"] == 0.0 and r["detection"]["face"] == 1.0
    assert sum(t["probability"] for t in r["top"]) <= 1 + 1e-6
    ref = recognize(onnx, io.write(vision.extract(video), tmp_path / "signer.pose"), top_k=3, force=True)
    assert [t["gloss"] for t in r["top"]] == [t["gloss"] for t in ref["top"]]
    np.testing.assert_allclose([t["probability"] for t in r["top"]], [t["probability"] for t in ref["top"]],
                               atol=1e-5)
    from click.testing import CliRunner

    from signfuse.cli import cli
    out = CliRunner().invoke(cli, ["recognize", str(ckpt), str(video), "--top-k", "2"])
    assert out.exit_code != 0 and "mostly missing: hands 0%" in out.output and "--force" in out.output
    out = CliRunner().invoke(cli, ["recognize", str(ckpt), str(video), "--top-k", "2", "--force"])
    assert out.exit_code == 0, out.output
    assert r["top"][0]["gloss"] in out.output and "detected in 10 frames" in out.output


@pytest.mark.slow
def test_ablate_and_adapt_on_toy(toy_cache, tmp_path):
    from signfuse.train.ablate import ablate
    from signfuse.train.adapt import adapt
    from signfuse.train.fit import resolve_config
    cfg = resolve_config({"data": str(toy_cache.path), "streams": "hands,face", "epochs": 3, "batch_size": 8,
                          "progress": False, "mirror": False, "lr": 5e-3,
                          "model_kwargs": {"dim": 16, "heads": 2, "transformer_layers": 1}})
    ab = ablate(cfg, "hands;hands,face", tmp_path / "ab")
    assert [r["streams"] for r in ab["rows"]] == ["hands", "hands,face"]
    md = (tmp_path / "ab" / "ablation.md").read_text()
    assert md.count("\n") == 5 and md.splitlines()[-1].startswith("| chance (4 classes) | 25.0% |")  # 2 rows + chance
    # in the toy data the face offset carries the class parity: it must help on the 'minimal pair' classes
    assert all(0.0 <= r["top1"] <= 1.0 for r in ab["rows"])
    ad = adapt(cfg, tmp_path / "ad", source="A", target="B", methods=("none", "adain", "instance", "finetune"), k_shot=1)
    assert [r["method"] for r in ad["rows"]] == ["none", "instance", "adain", "finetune"]
    assert json.loads((tmp_path / "ad" / "adaptation.json").read_text())["target"] == "B"
    assert "| method | top-1 on B ↑ | top-1 on A (val) ↑ |" in (tmp_path / "ad" / "adaptation.md").read_text()
    with pytest.raises(ParameterError, match="unknown adaptation"):
        adapt(cfg, tmp_path / "ad2", methods=("magic",))


def test_recognize_live_over_a_stream(trained, tmp_path):
    """Live recognition: results every hop over the last window, each the same as recognizing that
    window's frames offline; the CLI prints one line per result."""
    pytest.importorskip("mediapipe", reason="needs the [vision] extra (mediapipe)")
    from signfuse import io, vision
    from signfuse.inference.recognize import recognize, recognize_live
    from signfuse.testing.media import moving_frames, photo, write_video

    ckpt, onnx = trained
    video = write_video(tmp_path / "cam.mp4", moving_frames(photo("astronaut"), 10), fps=25)
    results = list(recognize_live(onnx, str(video), window_s=0.2, hop_s=0.12, top_k=2))
    assert [r["time"] for r in results] == pytest.approx([0.12, 0.24, 0.36])
    assert all(len(r["top"]) == 2 and r["latency_ms"] > 0 for r in results)
    assert [r["frames"] for r in results] == [4, 6, 6]                 # the window fills, then slides
    frames = list(vision.iter_frames(str(video)))[3:10]                 # the last window: 0.16 .. 0.36 s
    last = frames[-results[-1]["frames"]:]
    ref = recognize(onnx, io.write(vision.frames_to_sequence(last, fps=25.0), tmp_path / "w.npz"), top_k=2, force=True)
    assert [t["gloss"] for t in results[-1]["top"]] == [t["gloss"] for t in ref["top"]]
    np.testing.assert_allclose([t["probability"] for t in results[-1]["top"]],
                               [t["probability"] for t in ref["top"]], atol=1e-5)
    with pytest.raises(ParameterError, match="window_s"):
        next(recognize_live(onnx, str(video), window_s=0))
    from click.testing import CliRunner

    from signfuse.cli import cli
    out = CliRunner().invoke(cli, ["recognize", str(ckpt), str(video), "--live", "--window", "0.2", "--hop", "0.12",
                                   "--top-k", "1"])
    assert out.exit_code == 0, out.output
    assert len([ln for ln in out.output.splitlines() if ln.strip().endswith("ms)")]) == 3
    out = CliRunner().invoke(cli, ["recognize", str(ckpt), str(tmp_path / "missing.pose")])
    assert out.exit_code != 0 and "no such file" in out.output


def test_recognize_with_translation(trained, corpus, tmp_path):
    """sign -> gloss -> text: ``recognize --translate`` adds the sentence of the recognized glosses."""
    from click.testing import CliRunner

    from signfuse.cli import cli
    from signfuse.datasets import load_entries
    from signfuse.inference.recognize import recognize
    from signfuse.models.recognizer import load_checkpoint
    from signfuse.train.translation import train_translation

    ckpt, onnx = trained
    src = next(e for e in load_entries(corpus, task="isolated") if e.split == "test").path

    class StandIn:  # records what it was asked to translate
        def __init__(self):
            self.calls = []

        def translate(self, glosses, *, beam=5):
            self.calls.append(list(glosses))
            return "TEXT " + " ".join(glosses).lower()

    t = StandIn()
    r = recognize(onnx, src, top_k=2, translate=t)
    assert t.calls == [[r["top"][0]["gloss"]]] and r["text"] == "TEXT " + r["top"][0]["gloss"].lower()
    # a real (tiny) translation checkpoint through the CLI: one gloss -> its lower-case word
    vocab = load_checkpoint(ckpt).vocab
    head = "name|video|start|end|speaker|orth|translation\n"
    rows = "".join(f"s{i}|x|-1|-1|S|{g}|das ist {g.lower()}\n" for i, g in enumerate(vocab * 6))
    (tmp_path / "tr.train.corpus.csv").write_text(head + rows)
    (tmp_path / "tr.dev.corpus.csv").write_text(head + rows)
    res = train_translation(tmp_path / "tr.train.corpus.csv", tmp_path / "tr.dev.corpus.csv", tmp_path / "tr",
                            epochs=2, patience=None, dim=16, heads=2, enc_layers=1, dec_layers=1, ff=32,
                            batch_size=16, threads=1, accelerator="cpu")
    out = CliRunner().invoke(cli, ["recognize", str(onnx), str(src), "--top-k", "1", "--translate", str(res.best)])
    assert out.exit_code == 0, out.output
    from signfuse.translate import load_translator
    top = recognize(onnx, src, top_k=1)["top"][0]["gloss"]
    lines = out.stdout.strip().splitlines()
    assert lines[0].split("\t")[0] == top and len(lines) == 2
    assert lines[1] == load_translator(res.best).translate([top]) != ""
