"""The one fit (``signfuse.train.trainer``): checkpoints every epoch, resume at the next epoch after a kill,
safe loading, validation of every option before work starts, the overwrite policy, GPU for every task."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import torch

from signfuse.errors import DataError, ParameterError
from signfuse.train.trainer import TrainerConfig, fit_module

TOY = textwrap.dedent('''
    import time, torch, lightning as L

    class Toy(L.LightningModule):
        def __init__(self, sleep=0.0):
            super().__init__()
            self.model = torch.nn.Linear(3, 1)
            self.sleep = sleep

        def signfuse_header(self):
            return {"kind": "recognition", "model_name": "toy", "model_kwargs": {}}

        def training_step(self, b, i):
            loss = (self.model(b[0]) - b[1]).pow(2).mean()
            self.log("train_loss", loss)
            return loss

        def validation_step(self, b, i):
            self.log("val_loss", torch.tensor(1.0))          # never improves: best stays at epoch 1

        def on_train_epoch_end(self):
            time.sleep(self.sleep)

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.05)

    def loader():
        g = torch.Generator().manual_seed(0)
        x = torch.randn(16, 3, generator=g)
        return torch.utils.data.DataLoader(list(zip(x, x.sum(1, keepdim=True))), batch_size=8)
''')


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    d = tmp_path_factory.mktemp("toy")
    (d / "toy_module.py").write_text(TOY)
    sys.path.insert(0, str(d))
    import toy_module
    yield toy_module, d
    sys.path.remove(str(d))


def _cfg(run, **kw):
    return TrainerConfig(run_dir=run, progress=False, patience=None, accelerator="cpu", **kw)


def test_last_checkpoint_is_written_every_epoch_even_when_validation_does_not_improve(toy, tmp_path):
    mod, _ = toy
    res = fit_module(mod.Toy(), mod.loader(), mod.loader(), trainer=_cfg(tmp_path, epochs=4), config={"a": 1})
    last = torch.load(res.last, weights_only=True)
    best = torch.load(res.best, weights_only=True)
    assert last["epoch"] == 3 and best["epoch"] == 0          # 0-based inside Lightning
    assert last["signfuse"]["kind"] == "recognition" and last["signfuse"]["config"] == {"a": 1}
    hist = json.loads((tmp_path / "metrics.json").read_text())["epochs"]
    assert [r["epoch"] for r in hist] == [1, 2, 3, 4]
    assert (tmp_path / "config.yaml").is_file()


def test_killed_run_resumes_at_the_next_epoch(toy, tmp_path):
    """SIGKILL a training process after epoch N is on disk; the resumed run's first epoch is N + 1."""
    mod, d = toy
    run = tmp_path / "run"
    script = textwrap.dedent(f'''
        import sys; sys.path.insert(0, {str(d)!r})
        import toy_module
        from signfuse.train.trainer import TrainerConfig, fit_module
        fit_module(toy_module.Toy(sleep=0.4), toy_module.loader(), toy_module.loader(),
                   trainer=TrainerConfig(run_dir={str(run)!r}, epochs=200, progress=False, patience=None,
                                         accelerator="cpu"))
    ''')
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    last = run / "checkpoints" / "last.ckpt"
    done = -1
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and p.poll() is None:
            if last.is_file():
                try:
                    done = torch.load(last, weights_only=True)["epoch"] + 1      # epochs finished
                except Exception:  # noqa: BLE001  (never half-written: atomic; keep polling)
                    pass
                if done >= 2:
                    break
            time.sleep(0.05)
    finally:
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
    assert done >= 2, "the training process never finished two epochs"
    done = torch.load(last, weights_only=True)["epoch"] + 1
    assert not list((run / "checkpoints").glob(".*tmp*")), "a temporary checkpoint was left behind"
    res = fit_module(mod.Toy(), mod.loader(), mod.loader(), trainer=_cfg(run, epochs=done + 2), resume=True)
    epochs = [r["epoch"] for r in res.history]
    assert epochs[:done] == list(range(1, done + 1))            # the earlier epochs are kept
    assert epochs[done:] == [done + 1, done + 2]                 # and training went on from N + 1
    csvs = sorted((run / "csv").glob("resume*/metrics.csv"))
    assert csvs, "a resumed session writes its own CSV log"


class _Boom:
    def __reduce__(self):
        return (os.system, ("touch PWNED",))


def test_resume_never_unpickles_code_even_with_torch_force_no_weights_only(toy, tmp_path, monkeypatch):
    mod, _ = toy
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    torch.save({"epoch": 0, "state_dict": {}, "evil": _Boom()}, run / "checkpoints" / "last.ckpt")
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError, match="last.ckpt"):
        fit_module(mod.Toy(), mod.loader(), mod.loader(), trainer=_cfg(run, epochs=2), resume=True)
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("content, message", [(b"", "empty"), (b"PK\x03\x04trunc", "not a readable")])
def test_damaged_last_checkpoint_is_a_clear_error(toy, tmp_path, content, message):
    mod, _ = toy
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "last.ckpt").write_bytes(content)
    with pytest.raises(DataError, match=f"last.ckpt.*{message}"):
        fit_module(mod.Toy(), mod.loader(), None, trainer=_cfg(tmp_path, epochs=1), resume=True)


def test_existing_run_folder_needs_resume_or_force(toy, tmp_path):
    mod, _ = toy
    fit_module(mod.Toy(), mod.loader(), None, trainer=_cfg(tmp_path, epochs=1))
    with pytest.raises(DataError, match="already holds checkpoints"):
        fit_module(mod.Toy(), mod.loader(), None, trainer=_cfg(tmp_path, epochs=1))
    fit_module(mod.Toy(), mod.loader(), None, trainer=_cfg(tmp_path, epochs=1, overwrite=True))
    with pytest.raises(DataError, match="nothing to resume"):
        fit_module(mod.Toy(), mod.loader(), None, trainer=_cfg(tmp_path / "new", epochs=1), resume=True)


@pytest.mark.parametrize("kw, match", [
    ({"epochs": -1}, "epochs=-1"), ({"epochs": 0}, "epochs=0"), ({"epochs": 2.5}, "epochs=2.5"),
    ({"precision": "bogus"}, "precision='bogus'"), ({"accelerator": "tpu9"}, "accelerator='tpu9'"),
    ({"max_minutes": 0}, "max_minutes=0"), ({"max_minutes": float("nan")}, "max_minutes=nan"),
    ({"patience": -2}, "patience=-2"), ({"devices": 0}, "devices=0"), ({"mode": "up"}, "mode='up'"),
    ({"gradient_clip_val": -1.0}, "gradient_clip_val=-1.0"),
])
def test_trainer_config_rejects_bad_values(tmp_path, kw, match):
    with pytest.raises(ParameterError, match=match.replace("(", r"\(").replace(".", r"\.")):
        TrainerConfig(run_dir=tmp_path, **kw)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_gpu_accelerator_without_a_gpu_is_a_clear_error(tmp_path):
    with pytest.raises(ParameterError, match="no CUDA GPU"):
        TrainerConfig(run_dir=tmp_path, accelerator="gpu")


@pytest.mark.parametrize("override, match", [
    ({"lr": "abc"}, "lr='abc'"), ({"lr": "-1"}, "lr=-1"), ({"lr": "nan"}, "lr=nan"), ({"lr": "1e30"}, "lr=1e"),
    ({"num_workers": "-1"}, "num_workers=-1"), ({"precision": "bogus"}, "precision='bogus'"),
    ({"model_kwargs.dim": "100000"}, "model_kwargs.dim=100000"), ({"val_fraction": "1.0"}, "val_fraction=1.0"),
    ({"val_fraction": "-0.5"}, "val_fraction=-0.5"), ({"epochs": "-1"}, "epochs=-1"),
    ({"model": "emotion"}, "not a recognition model"), ({"label_smoothing": "1"}, "label_smoothing=1"),
])
def test_recognition_config_is_validated_before_any_work(override, match):
    from signfuse.train.fit import resolve_config
    with pytest.raises(ParameterError, match=match):
        resolve_config(None, {"data": "nowhere", **override})


def test_command_line_numbers_that_yaml_leaves_as_strings_are_numbers():
    from signfuse.train.fit import resolve_config
    cfg = resolve_config(None, {"data": "nowhere", "lr": "1e-3", "weight_decay": "0", "epochs": "3"})
    assert cfg["lr"] == 1e-3 and cfg["weight_decay"] == 0 and cfg["epochs"] == 3


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_every_task_trains_on_the_gpu(tmp_path):  # pragma: no cover - no GPU here
    """a2g and emotion go through the same fit_module; with a GPU, accelerator='auto' uses it."""
    import numpy as np

    from signfuse.samples.a2g import INPUT_NAMES, TARGET_DIM, Clip
    from signfuse.train.a2g import train_a2g
    rng = np.random.default_rng(0)
    clips = [Clip(f"c{i}", "train" if i < 6 else "val", "s", 30.0, rng.normal(size=(40, len(INPUT_NAMES))).astype("f4"),
                  rng.normal(size=(40, TARGET_DIM)).astype("f4"), np.abs(rng.normal(size=40)).astype("f4"))
             for i in range(8)]
    seen = []

    import lightning as L

    class Where(L.Callback):
        def on_train_start(self, trainer, pl_module):
            seen.append(next(pl_module.parameters()).device.type)

    train_a2g(clips, tmp_path / "a2g", epochs=1, dim=16, fgd_steps=1, callbacks=[Where()])
    from signfuse.samples.emotion import EmotionSample
    from signfuse.train.emotion import train_classifier
    samples = [EmotionSample(f"e{i}", "train", "s", ["calm", "angry"][i % 2],
                             {"gesture": rng.normal(size=(30, 4)).astype("f4")}, {"gesture": np.ones(30, bool)})
               for i in range(8)]
    train_classifier(samples, streams=["gesture"], fusion="single", classes=["angry", "calm"], epochs=1,
                     callbacks=[Where()])
    assert seen == ["cuda", "cuda"]
