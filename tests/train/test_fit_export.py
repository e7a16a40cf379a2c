from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from signfuse.errors import DataError, ParameterError
from signfuse.inference.export import export_onnx
from signfuse.inference.onnx import load_onnx
from signfuse.models.recognizer import load_checkpoint
from signfuse.samples import StreamCache
from signfuse.train.evaluate import evaluate
from signfuse.train.fit import dataset_splits, fit, prepare_data, resolve_config

from .toy import toy_samples

torch.set_num_threads(1)
TINY = {"model_kwargs": {"dim": 16, "heads": 2, "transformer_layers": 1, "conv_layers": 1}, "progress": False,
        "batch_size": 8, "mirror": False, "threads": 1}


def _cfg(cache, run_dir, **kw):
    return resolve_config({**TINY, "data": str(cache.path), "streams": "hands,face", "run_dir": str(run_dir), **kw})


def test_resolve_config_layers_and_errors(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("epochs: 7\nmodel_kwargs: {dim: 32}\n")
    cfg = resolve_config(f, {"lr": "0.01", "model_kwargs.heads": "2", "streams": "hands"})
    assert cfg["epochs"] == 7 and cfg["lr"] == 0.01 and cfg["model_kwargs"] == {"dim": 32, "heads": 2}
    with pytest.raises(ParameterError, match="unknown config key 'epoch'"):
        resolve_config(None, {"epoch": 3})
    with pytest.raises(ParameterError, match="unknown stream"):
        resolve_config(None, {"streams": "hands,nose"})
    with pytest.raises(DataError, match="no such config"):
        resolve_config(tmp_path / "nope.yaml")


def test_isolated_fit_checkpoint_evaluate(toy_cache, tmp_path):
    cfg = _cfg(toy_cache, tmp_path / "run", epochs=6, lr=5e-3)
    res = fit(cfg)
    run = tmp_path / "run"
    assert (run / "checkpoints" / "best.ckpt").is_file() and (run / "checkpoints" / "last.ckpt").is_file()
    assert yaml.safe_load((run / "config.yaml").read_text())["epochs"] == 6
    assert (run / "csv" / "metrics.csv").is_file() and any((run / "tensorboard").iterdir())
    # the checkpoint rebuilds itself and predicts well above chance (4 classes) on held-out signers
    rec = load_checkpoint(res.best)
    assert rec.model_name == "hybrid" and rec.streams == ["hands", "face"] and rec.vocab == ["G0", "G1", "G2", "G3"]
    splits = dataset_splits(cfg, toy_cache)
    m = evaluate(rec, toy_cache, splits["test"], out_dir=tmp_path / "eval")
    assert m["top1"] > 0.5, m
    assert (tmp_path / "eval" / "metrics.json").is_file() and (tmp_path / "eval" / "confusion.png").is_file()
    assert m["minimal_pair_n"] > 0 and set(m["per_domain_top1"]) <= {"A", "B"}
    # training signers never appear in test
    tr = {toy_cache.records[i]["signer"] for i in splits["train"]}
    te = {toy_cache.records[i]["signer"] for i in splits["test"]}
    assert not tr & te


def test_resume_continues_from_last(toy_cache, tmp_path):
    first = fit(_cfg(toy_cache, tmp_path / "run", epochs=1))
    steps1 = torch.load(first.last, weights_only=True)["global_step"]
    with pytest.raises(DataError, match="nothing to resume"):
        fit(_cfg(toy_cache, tmp_path / "other", epochs=2), resume=True)
    res = fit(_cfg(toy_cache, tmp_path / "run", epochs=2), resume=True)
    ck = torch.load(res.last, weights_only=True)
    assert ck["global_step"] == 2 * steps1 and res.metrics["epochs_run"] == 2  # one more epoch, not two
    assert (tmp_path / "run" / "csv" / "metrics.csv").is_file()


def test_continuous_ctc_fit_and_evaluate(toy_ctc_cache, tmp_path):
    cfg = _cfg(toy_ctc_cache, tmp_path / "run", task="continuous", epochs=2,
               model_kwargs={"dim": 16, "heads": 2, "transformer_layers": 1, "downsample": 2})
    res = fit(cfg)
    rec = load_checkpoint(res.last)
    assert rec.task == "continuous"
    m = evaluate(rec, toy_ctc_cache, dataset_splits(cfg, toy_ctc_cache)["test"], beam=3)
    assert 0.0 <= m["greedy"]["wer"] and "beam" in m and m["n"] > 0
    assert m["greedy"]["n_sub"] + m["greedy"]["n_del"] + m["greedy"]["n_ins"] == round(m["greedy"]["wer"] * m["greedy"]["n_ref"])


def test_bad_data_errors(tmp_path):
    one = toy_samples(n_classes=1, signers=4, per=2)
    c = StreamCache.write(one, tmp_path / "one", streams=("hands", "face"))
    with pytest.raises(DataError, match="1 class"):
        prepare_data(_cfg(c, tmp_path / "r"))
    c2 = StreamCache.write(toy_samples(n_classes=2, signers=4, per=1), tmp_path / "two", streams=("hands",))
    with pytest.raises(ParameterError, match="not in the dataset cache"):
        prepare_data(_cfg(c2, tmp_path / "r"))
    with pytest.raises(DataError, match="no samples labelled for the continuous"):
        prepare_data(_cfg(c2, tmp_path / "r", streams="hands", task="continuous"))


def test_corrupt_checkpoint_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(b"\x00not a checkpoint")
    with pytest.raises(DataError, match="not a readable signfuse checkpoint"):
        load_checkpoint(bad)
    other = tmp_path / "other.ckpt"
    torch.save({"state_dict": {}, "hyper_parameters": {"x": 1}}, other)
    with pytest.raises(DataError, match="without signfuse.s model description"):
        load_checkpoint(other)


@pytest.fixture
def two_checkpoints(toy_cache, tmp_path):
    a = fit(_cfg(toy_cache, tmp_path / "a", epochs=1))
    b = fit(_cfg(toy_cache, tmp_path / "b", epochs=1, seed=1))
    return a.last, b.last


def test_onnx_export_matches_pytorch_and_refuses_other_models(two_checkpoints, tmp_path):
    a, b = two_checkpoints
    info = export_onnx(a, tmp_path / "a.onnx")
    assert info["max_abs_diff"] <= 1e-4
    r = load_onnx(tmp_path / "a.onnx", checkpoint=a)
    assert r.streams == ["hands", "face"] and r.task == "isolated"
    # dynamic sequence length: two lengths through the same file equal PyTorch
    rec = load_checkpoint(a)
    for T in (5, 40):
        x = {s: np.random.default_rng(T).normal(size=(1, T, f)).astype(np.float32) for s, f in rec.model.in_dims.items()}
        with torch.no_grad():
            ref = rec.model({s: torch.from_numpy(v) for s, v in x.items()})["logits"].numpy()
        np.testing.assert_allclose(r.run(x), ref, atol=1e-4)
    with pytest.raises(DataError, match="exported from another model"):
        load_onnx(tmp_path / "a.onnx", checkpoint=b)
    # an ONNX file that signfuse did not write
    import onnx
    from onnx import TensorProto, helper
    g = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    onnx.save(helper.make_model(g), tmp_path / "foreign.onnx")
    with pytest.raises(DataError, match="not exported by signfuse"):
        load_onnx(tmp_path / "foreign.onnx")


def test_cli_train_eval_export(toy_cache, tmp_path):
    from click.testing import CliRunner

    from signfuse.cli import cli
    run = tmp_path / "run"
    r = CliRunner().invoke(cli, ["train", "--data", str(toy_cache.path), "--streams", "hands,face", "--run-dir", str(run),
                                 "--epochs", "1", "--batch-size", "8", "--mirror", "false", "--progress", "false",
                                 "--model-kwargs.dim", "16", "--model-kwargs.heads", "2"])
    assert r.exit_code == 0, r.output
    ck = run / "checkpoints" / "last.ckpt"
    steps = torch.load(ck, weights_only=True)["global_step"]
    # --resume with only the run folder: the saved config.yaml supplies the rest
    r = CliRunner().invoke(cli, ["train", "--run-dir", str(run), "--resume", "--epochs", "2"])
    assert r.exit_code == 0, r.output
    assert torch.load(ck, weights_only=True)["global_step"] == 2 * steps
    r = CliRunner().invoke(cli, ["eval", str(ck), "--out", str(tmp_path / "ev")])
    assert r.exit_code == 0, r.output
    assert "top1" in json.loads((tmp_path / "ev" / "metrics.json").read_text())
    r = CliRunner().invoke(cli, ["export", str(ck), "--out", str(tmp_path / "m.onnx")])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["max_abs_diff"] <= 1e-4
    r = CliRunner().invoke(cli, ["train", "--data", str(toy_cache.path), "--streams", "hands,lips"])
    assert r.exit_code != 0 and "unknown stream 'lips'" in r.output
    r = CliRunner().invoke(cli, ["eval", str(tmp_path / "m.onnx")])
    assert r.exit_code != 0 and "this is an ONNX model, not a checkpoint" in r.output


@pytest.mark.slow
def test_resume_after_sigkill(toy_cache, tmp_path):
    run = tmp_path / "run"
    cmd = [str(Path(sys.executable).parent / "signfuse"), "train", "--data", str(toy_cache.path), "--streams", "hands,face",
           "--run-dir", str(run), "--epochs", "400", "--batch-size", "8", "--mirror", "false", "--progress", "false",
           "--model-kwargs.dim", "16", "--threads", "1", "--patience", "1000"]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    last = run / "checkpoints" / "last.ckpt"
    t0 = time.time()
    while time.time() - t0 < 120 and not last.is_file():
        time.sleep(0.2)
    time.sleep(1.0)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert last.is_file()
    epoch = torch.load(last, weights_only=True)["epoch"]
    r = subprocess.run(cmd[:cmd.index("--epochs") + 1] + [str(epoch + 2)] + cmd[cmd.index("--epochs") + 2:] + ["--resume"],
                       env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert torch.load(last, weights_only=True)["epoch"] > epoch


@pytest.mark.slow
def test_ddp_two_cpu_processes_gloo(toy_cache, tmp_path):
    run = tmp_path / "ddp"
    # -vv keeps Lightning's "Initializing distributed ... gloo ... 2 processes" banner, which this test reads
    cmd = [str(Path(sys.executable).parent / "signfuse"), "-vv", "train", "--data", str(toy_cache.path), "--streams",
           "hands,face", "--run-dir", str(run), "--epochs", "1", "--batch-size", "4", "--mirror", "false", "--progress", "false",
           "--model-kwargs.dim", "16", "--devices", "2", "--strategy", "ddp", "--accelerator", "cpu", "--threads", "1"]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"), PL_TORCH_DISTRIBUTED_BACKEND="gloo")
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert (run / "checkpoints" / "last.ckpt").is_file()
    assert "2 processes" in r.stderr or "distributed_backend=gloo" in r.stderr


def test_mixed_precision_bf16(toy_cache, tmp_path):
    res = fit(_cfg(toy_cache, tmp_path / "run", epochs=1, precision="bf16-mixed"))
    assert np.isfinite(res.metrics["train_loss"]) and res.last.is_file()
