"""Held-out signers (``test_signers``), leave-one-signer-out folds and unseen test labels, on a tiny npz
array dataset written here (3 signers, 4 hand shapes; signer s3 also makes a sign nobody else makes)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from signfuse.errors import DataError, ParameterError
from signfuse.train.fit import (
    check_signer_independent,
    fit,
    fold_signers,
    held_out_splits,
    open_cache_or_build,
    prepare_data,
    resolve_config,
)
from signfuse.train.folds import fit_folds

torch.set_num_threads(1)
TINY = {
    "model": "lstm",
    "model_kwargs": {"dim": 16, "layers": 1},
    "progress": False,
    "batch_size": 16,
    "mirror": False,
    "threads": 1,
    "epochs": 1,
    "accelerator": "cpu",
    "augment": False,
}


def write_npz(
    path: Path,
    *,
    signers=("s1", "s2", "s3"),
    labels=("A", "B", "C", "D"),
    per: int = 4,
    extra=("s3", "Z", 2),
    T: int = 8,
    seed: int = 0,
) -> Path:
    """Hands-only 126-d sequences: each label one hand shape (21 points x 3) moving slightly, each
    signer a small offset; ``extra`` = (signer, label, count) adds a label only that signer makes."""
    rng = np.random.default_rng(seed)
    shapes = {lab: rng.uniform(0.3, 0.7, (21, 3)) for lab in (*labels, extra[1])}
    X, y, who = [], [], []

    def add(s, lab):
        off = 0.02 * (signers.index(s) + 1)
        pts = shapes[lab][None] + off + rng.normal(0, 0.01, (T, 21, 3))
        frame = np.concatenate([pts.reshape(T, -1), pts.reshape(T, -1)], 1)  # left and right hand
        X.append(frame.astype(np.float32)), y.append(lab), who.append(s)

    for s in signers:
        for lab in labels:
            for _ in range(per):
                add(s, lab)
    for _ in range(extra[2]):
        add(extra[0], extra[1])
    np.savez(path, X=np.stack(X), label=np.array(y), signer=np.array(who), fps=np.array(30.0))
    return path


@pytest.fixture
def npz(tmp_path) -> Path:
    return write_npz(tmp_path / "hands.npz")


def _cfg(npz, tmp_path, **kw):
    return resolve_config(
        {
            **TINY,
            "data": str(npz),
            "streams": "hands",
            "cache_dir": str(tmp_path / "cache"),
            "run_dir": str(tmp_path / "run"),
            **kw,
        }
    )


def test_config_keys_resolve():
    cfg = resolve_config(None, {"test_signers": "s1, s2"})
    assert cfg["test_signers"] == ["s1", "s2"] and cfg["folds"] is None
    assert resolve_config(None, {"test_signers": ["7"]})["test_signers"] == ["7"]
    assert resolve_config(None, {"folds": "loso"})["folds"] == "loso"
    assert resolve_config(None, {"test_signers": ""})["test_signers"] is None
    with pytest.raises(ParameterError, match="folds='kfold'"):
        resolve_config(None, {"folds": "kfold"})
    with pytest.raises(ParameterError, match="cannot be combined"):
        resolve_config(None, {"folds": "loso", "test_signers": "s1"})
    with pytest.raises(ParameterError, match="twice"):
        resolve_config(None, {"test_signers": "s1,s1"})
    with pytest.raises(ParameterError, match="use fit_folds"):
        fit(resolve_config(None, {"folds": "loso"}))


def test_held_out_splits():
    recs = [{"id": str(i), "signer": f"p{i % 5}"} for i in range(50)]
    sp = held_out_splits(recs, test_signers=["p1", "p3"], val_fraction=0.3, seed=0)
    sig = {k: {recs[i]["signer"] for i in v} for k, v in sp.items()}
    assert sig["test"] == {"p1", "p3"} and len(sig["val"]) == 1 and not (sig["val"] & sig["train"])
    assert sorted(sp["train"] + sp["val"] + sp["test"]) == list(range(50))
    # two signers left: validation is a share of their samples, never a test signer
    sp2 = held_out_splits(recs[:30], test_signers=["p0", "p1", "p2"], val_fraction=0.2, seed=0)
    assert {recs[i]["signer"] for i in sp2["test"]} == {"p0", "p1", "p2"}
    assert {recs[i]["signer"] for i in sp2["val"] + sp2["train"]} <= {"p3", "p4"} and len(sp2["val"]) == 2
    with pytest.raises(ParameterError, match=r"\['p9'\] are not in the dataset"):
        held_out_splits(recs, test_signers=["p9"])
    with pytest.raises(ParameterError, match="every signer"):
        held_out_splits(recs[:10], test_signers=[f"p{i}" for i in range(5)])
    with pytest.raises(DataError, match="signer on every sample"):
        held_out_splits(recs + [{"id": "x", "signer": None}], test_signers=["p1"])
    with pytest.raises(DataError, match=r"signers \['p1'\] are in both"):
        check_signer_independent(recs, {"train": [1, 2], "test": [6]})


def test_test_signers_split_and_unseen_labels(npz, tmp_path):
    cfg = _cfg(npz, tmp_path, test_signers="s3")
    b = prepare_data(cfg)
    recs = b.cache.records
    assert {recs[i]["signer"] for i in b.splits["test"]} == {"s3"}
    assert {recs[i]["signer"] for i in b.splits["train"] + b.splits["val"]} == {"s1", "s2"}
    # s3's two 'Z' samples are reported apart, the other 16 are kept for scoring
    assert b.unseen["test"]["count"] == 2 and b.unseen["test"]["labels"] == ["Z"]
    assert len(b.splits["test"]) == 16 and "Z" not in b.vocab.tokens
    res = fit(cfg, bundle=b)
    summary = json.loads((Path(cfg["run_dir"]) / "summary.json").read_text())
    assert summary["unseen_labels"]["test"] == {"count": 2, "labels": ["Z"]}
    assert res.metrics["unseen_labels"] == {"count": 2, "labels": ["Z"]}
    assert summary["test_signers"] == ["s3"] and summary["test"] == 16

    # eval on the checkpoint rebuilds the same held-out signer, scores 16 and reports the 2 apart
    from signfuse.train.evaluate import evaluate_checkpoint

    m = evaluate_checkpoint(res.best or res.last, split="test", out_dir=tmp_path / "ev")
    assert m["n"] == 16 and m["unseen_labels"]["count"] == 2 and m["unseen_labels"]["labels"] == ["Z"]
    written = json.loads((tmp_path / "ev" / "metrics.json").read_text())
    assert written["unseen_labels"]["labels"] == ["Z"] and len(written["unseen_labels"]["ids"]) == 2
    # another held-out signer on the same checkpoint: no unseen labels there (it trained on s1, s2)
    m2 = evaluate_checkpoint(res.best or res.last, split="test", test_signers=["s1"])
    assert m2["n"] == 16 and m2["unseen_labels"]["count"] == 0 and m2["test_signers"] == ["s1"]


def test_loso_folds_report(npz, tmp_path):
    cfg = _cfg(npz, tmp_path, folds="loso")
    assert fold_signers(cfg, open_cache_or_build(cfg)) == ["s1", "s2", "s3"]
    r = fit_folds(cfg)
    run = Path(cfg["run_dir"])
    saved = json.loads((run / "folds.json").read_text())
    assert saved["complete"] and [f["test_signer"] for f in saved["folds"]] == ["s1", "s2", "s3"]
    for f in saved["folds"]:
        d = run / f"fold_{f['test_signer']}"
        assert (d / "checkpoints" / "last.ckpt").is_file() and (d / "eval_test" / "metrics.json").is_file()
        assert 0 <= f["top1"] <= 1 and f["n"] == 16
        import yaml

        assert yaml.safe_load((d / "config.yaml").read_text())["test_signers"] == [f["test_signer"]]
    s3 = saved["folds"][2]
    assert s3["unseen_count"] == 2 and s3["unseen_labels"] == ["Z"]
    # the s1 and s2 folds train on s3's Z: their test signers never make it, nothing unseen
    assert saved["folds"][0]["unseen_count"] == 0
    assert saved["mean"]["top1"] == pytest.approx(np.mean([f["top1"] for f in saved["folds"]]))
    assert saved["std"]["top1"] == pytest.approx(np.std([f["top1"] for f in saved["folds"]]))
    md = (run / "folds.md").read_text()
    assert "| s3 |" in md and "**mean**" in md and "**std**" in md
    # a rerun resumes: complete folds are read back, not retrained
    mtime = (run / "fold_s1" / "checkpoints" / "last.ckpt").stat().st_mtime
    r2 = fit_folds(cfg)
    assert r2["mean"] == r["mean"] and (run / "fold_s1" / "checkpoints" / "last.ckpt").stat().st_mtime == mtime


def test_folds_need_signers(tmp_path):
    p = tmp_path / "one.npz"
    write_npz(p, signers=("only",), extra=("only", "Z", 1))
    cfg = resolve_config(
        {
            **TINY,
            "data": str(p),
            "streams": "hands",
            "cache_dir": str(tmp_path / "c"),
            "run_dir": str(tmp_path / "r"),
            "folds": "loso",
        }
    )
    with pytest.raises(DataError, match="at least 2 signers"):
        fit_folds(cfg)


def test_ablate_held_out_signer(npz, tmp_path):
    from signfuse.train.ablate import ablate

    cfg = _cfg(npz, tmp_path, test_signers="s3")
    r = ablate(cfg, "hands", tmp_path / "abl")
    assert r["test_signers"] == ["s3"] and r["unseen_labels"] == {"count": 2, "labels": ["Z"]}
    assert r["rows"][0]["n"] == 16


def test_cli_signer_options(npz, tmp_path):
    from signfuse.cli import cli

    runner = CliRunner()
    for cmd in ("train", "ablate", "adapt"):
        out = runner.invoke(cli, [cmd, "--help"]).output
        assert "--test-signers" in out and "--folds" in out, cmd
    assert "--test-signers" in runner.invoke(cli, ["eval", "--help"]).output
    common = [
        "--streams",
        "hands",
        "--epochs",
        "1",
        "--accelerator",
        "cpu",
        "--model",
        "lstm",
        "--mirror",
        "false",
        "--cache_dir",
        str(tmp_path / "cache"),
        "--model_kwargs.dim",
        "16",
        "--threads",
        "1",
    ]
    r = runner.invoke(
        cli, ["train", "--data", str(npz), "--test-signers", "s3", "--run-dir", str(tmp_path / "t"), *common]
    )
    assert r.exit_code == 0, r.output
    assert "2 test samples have labels never seen in training" in r.output and "Z" in r.output
    r = runner.invoke(cli, ["eval", str(tmp_path / "t" / "checkpoints" / "last.ckpt")])
    assert r.exit_code == 0, r.output
    body = json.loads(r.output[r.output.index("{") :])
    assert body["unseen_labels"] == {"count": 2, "labels": ["Z"]} and body["n"] == 16
    r = runner.invoke(
        cli, ["train", "--data", str(npz), "--test-signers", "nobody", "--run-dir", str(tmp_path / "u"), *common]
    )
    assert r.exit_code != 0 and "nobody" in r.output
    r = runner.invoke(cli, ["train", "--data", str(npz), "--folds", "loso", "--test-signers", "s1", *common])
    assert r.exit_code != 0 and "cannot be combined" in r.output
    r = runner.invoke(cli, ["train", "--data", str(npz), "--folds", "loso", "--run-dir", str(tmp_path / "f"), *common])
    assert r.exit_code == 0, r.output
    assert "| s1 |" in r.output and "**mean**" in r.output and (tmp_path / "f" / "folds.json").is_file()
    # a fold's checkpoint evaluates on its own held-out signer; the fold run already wrote eval_test, so
    # eval refuses to overwrite it (naming the file) until --force
    fold_ckpt = str(tmp_path / "f" / "fold_s2" / "checkpoints" / "last.ckpt")
    r = runner.invoke(cli, ["eval", fold_ckpt])
    assert r.exit_code != 0 and "eval_test/metrics.json exists" in r.output and "--force" in r.output
    r = runner.invoke(cli, ["eval", fold_ckpt, "--force"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output[r.output.index("{") :])["test_signers"] == ["s2"]


def test_real_traduttore_held_out_signer(shared_data, tmp_path):
    """A subset of the real words_258 arrays: signer s3 holds out, and the letters s3 fingerspells but
    s1 and s2 never do are reported apart (one fold, one epoch)."""
    src = shared_data / "real" / "traduttore" / "words_258.npz"
    if not src.is_file():
        pytest.skip(f"{src} not found")
    z = np.load(src)
    y, who = z["label"], z["signer"]
    rows = [
        i
        for s in ("s1", "s2", "s3")
        for lab in sorted(set(y[who == s]))
        for i in np.flatnonzero((who == s) & (y == lab))[:2]
    ]
    sub = tmp_path / "words_sub.npz"
    np.savez(sub, X=z["X"][rows], label=y[rows], signer=who[rows], fps=np.array(30.0))
    cfg = resolve_config(
        {
            **TINY,
            "data": str(sub),
            "streams": "hands,body",
            "cache_dir": str(tmp_path / "c"),
            "run_dir": str(tmp_path / "r"),
            "test_signers": "s3",
        }
    )
    b = prepare_data(cfg)
    expect = sorted(set(y[who == "s3"]) - set(y[(who == "s1") | (who == "s2")]))
    assert b.unseen["test"]["labels"] == expect and b.unseen["test"]["count"] == 2 * len(expect)
    assert expect == ["s", "t", "u", "v", "w", "x", "y", "z"]
    res = fit(cfg, bundle=b)
    from signfuse.train.evaluate import evaluate_checkpoint

    m = evaluate_checkpoint(res.last, split="test")
    assert m["unseen_labels"]["labels"] == expect and m["n"] == len(b.splits["test"])


def test_cli_ablate_folds(npz, tmp_path):
    from signfuse.cli import cli

    r = CliRunner().invoke(
        cli,
        [
            "ablate",
            "--data",
            str(npz),
            "--streams-sets",
            "hands",
            "--folds",
            "loso",
            "--out",
            str(tmp_path / "ab"),
            "--epochs",
            "1",
            "--model",
            "lstm",
            "--mirror",
            "false",
            "--model_kwargs.dim",
            "16",
            "--cache_dir",
            str(tmp_path / "c"),
            "--progress",
            "false",
            "--accelerator",
            "cpu",
            "--threads",
            "1",
        ],
    )
    assert r.exit_code == 0, r.output
    saved = json.loads((tmp_path / "ab" / "folds.json").read_text())
    assert [f["test_signer"] for f in saved["folds"]] == ["s1", "s2", "s3"]
    assert saved["folds"][2]["unseen_labels"] == ["Z"] and "top1[hands]" in saved["mean"]
    assert (tmp_path / "ab" / "fold_s3" / "ablation.json").is_file()
    assert "| s3 |" in r.output and "mean over folds" in r.output


def test_adapt_test_signers_and_folds(tmp_path):
    from signfuse.samples import StreamCache
    from signfuse.train.adapt import adapt

    from .toy import toy_samples

    cache = StreamCache.write(toy_samples(per=2), tmp_path / "cache", streams=("hands", "face"))
    cfg = resolve_config({**TINY, "data": str(cache.path), "streams": "hands,face", "test_signers": "P2"})
    r = adapt(cfg, tmp_path / "ad", source="A", target="B", methods=("none",))
    assert r["test_signers"] == ["P2"] and r["test_n"] == 8  # P2's 4 classes x 2 samples, in region B
    with pytest.raises(ParameterError, match="not signers of the target region"):
        adapt(dict(cfg, test_signers=["P1"]), tmp_path / "ad1", source="A", target="B", methods=("none",))
    r = adapt(dict(cfg, test_signers=None, folds="loso"), tmp_path / "ad2", source="A", target="B", methods=("none",))
    assert [f["test_signer"] for f in r["folds"]] == ["P0", "P2"] and "top1[none]" in r["mean"]
    assert (tmp_path / "ad2" / "folds.md").is_file() and r["rows"][0]["method"] == "none"


def test_mp_data_root_trains_with_held_out_signer(tmp_path):
    """An MP_Data root (``<label>/<sequence>/<frame>.npy``) with its signer map is a training dataset."""
    rng = np.random.default_rng(0)
    root = tmp_path / "MP_Data"
    smap, seq = [], 0
    for lab in ("hello", "thanks"):
        base = rng.uniform(0.3, 0.7, 126)
        for s in ("s1", "s2", "s3"):
            for _ in range(2):
                d = root / lab / str(seq)
                d.mkdir(parents=True)
                for f in range(5):
                    np.save(d / f"{f}.npy", base + rng.normal(0, 0.01, 126))
                smap.append({"label": lab, "sequence": seq, "signer": s})
                seq += 1
    (tmp_path / "MP_Data.signers.json").write_text(json.dumps(smap))
    from signfuse.datasets import load_entries

    assert len(load_entries(root, task="isolated")) == 12
    cfg = resolve_config(
        {
            **TINY,
            "data": str(root),
            "fps": 30,
            "streams": "hands",
            "test_signers": "s2",
            "cache_dir": str(tmp_path / "c"),
            "run_dir": str(tmp_path / "r"),
        }
    )
    b = prepare_data(cfg)
    assert {b.cache.records[i]["signer"] for i in b.splits["test"]} == {"s2"} and len(b.splits["test"]) == 4
    fit(cfg, bundle=b)
    assert (tmp_path / "r" / "checkpoints" / "last.ckpt").is_file()


def test_cli_ablate_refuses_a_used_folder_until_force(npz, tmp_path):
    """A second ablate into the same --out would overwrite the first one's checkpoints: it stops with an
    error naming --force, and --force retrains."""
    from signfuse.cli import cli

    args = ["ablate", "--data", str(npz), "--streams-sets", "hands", "--out", str(tmp_path / "ab"), "--epochs", "1"]
    args += ["--model", "lstm", "--mirror", "false", "--model_kwargs.dim", "16", "--cache_dir", str(tmp_path / "c")]
    args += ["--progress", "false", "--accelerator", "cpu", "--threads", "1", "--test-signers", "s3"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(cli, args)
    assert again.exit_code != 0 and "--force" in again.output and "already holds checkpoints" in again.output
    forced = CliRunner().invoke(cli, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert json.loads((tmp_path / "ab" / "ablation.json").read_text())["rows"][0]["streams"] == "hands"
