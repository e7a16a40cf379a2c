"""Tri-modal emotion / intensity recognition: training and evaluation (samples in :mod:`signfuse.samples.emotion`,
prediction in :mod:`signfuse.inference.emotion`).

:func:`run_experiment` trains one model per single stream and one per fusion (early, late, cross-modal
attention; :mod:`signfuse.models.emotion`) with the same seed, each through the one
:func:`~signfuse.train.trainer.fit_module`, reports accuracy and macro-F1 on the test split (held-out
signers), and the robustness of each fusion model when one modality is missing at test time: *zeroed*
(the stream's raw values set to 0, mask kept: a dead sensor) or *dropped* (the stream absent, masked out).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError, ParameterError
from ..samples.emotion import LABELS, STREAMS, EmotionSample, known_streams, load_samples, samples_from_data
from .data import feature_stats, pad_collate

__all__ = [
    "STREAMS",
    "LABELS",
    "EmotionSample",
    "load_samples",
    "samples_from_data",
    "train_classifier",
    "evaluate",
    "run_experiment",
    "macro_f1",
    "save_emotion",
]

log = logging.getLogger(__name__)


def _stats(samples: Sequence[EmotionSample], streams: Sequence[str]) -> dict[str, dict[str, list[float]]]:
    return {s: feature_stats(smp.x[s][smp.mask[s]] for smp in samples if s in smp.x) for s in streams}


def _items(samples: Sequence[EmotionSample], streams: Sequence[str], classes: Sequence[str]) -> list[dict]:
    """Items for :func:`pad_collate`; a stream a sample lacks (no audio) is all zeros, masked out."""
    dims = {st: next(s.x[st].shape[1] for s in samples if st in s.x) for st in streams}
    out = []
    for s in samples:
        n = max(v.shape[0] for v in s.x.values())
        x = {st: s.x[st] if st in s.x else np.zeros((n, dims[st]), np.float32) for st in streams}
        m = {st: s.mask[st] if st in s.x else np.zeros(n, bool) for st in streams}
        out.append({"x": x, "mask": m, "y": classes.index(s.label)})
    return out


def _apply_missing(batch: dict, missing: dict[str, str] | None) -> dict:
    """Simulate a missing modality at test time: ``zeroed`` (values 0, mask on) or ``dropped`` (absent)."""
    for st, how in (missing or {}).items():
        if st not in batch["x"]:
            continue
        if how == "dropped":
            del batch["x"][st], batch["mask"][st]
        elif how == "zeroed":
            batch["x"][st] = batch["x"][st].new_zeros(batch["x"][st].shape)
            batch["mask"][st] = batch["mask"][st].new_ones(batch["mask"][st].shape)
        else:
            raise ParameterError(f"missing={{{st!r}: {how!r}}}: must be 'zeroed' or 'dropped'")
    return batch


def _module_class():
    import lightning as L
    import torch

    from ..models import create_model

    class EmotionModule(L.LightningModule):
        """Cross-entropy with label smoothing over one :class:`~signfuse.models.emotion.EmotionFusion`."""

        def __init__(
            self, *, model_kwargs: dict, classes: list[str], fusion: str, target: str, lr: float, label_smoothing: float
        ):
            super().__init__()
            self.save_hyperparameters()
            self.model = create_model("emotion", **model_kwargs)

        def signfuse_header(self) -> dict:
            hp = self.hparams
            return {
                "kind": "emotion",
                "model_name": "emotion",
                "model_kwargs": dict(hp.model_kwargs),
                "vocab": list(hp.classes),
                "extra": {"fusion": hp.fusion, "target": hp.target},
            }

        def training_step(self, batch, _):
            loss = torch.nn.functional.cross_entropy(
                self.model(batch["x"], batch["mask"])["logits"],
                batch["y"],
                label_smoothing=self.hparams.label_smoothing,
            )
            self.log("train_loss", loss, batch_size=len(batch["y"]))
            return loss

        def configure_optimizers(self):
            opt = torch.optim.AdamW(self.model.parameters(), lr=self.hparams.lr, weight_decay=1e-3)
            sched = torch.optim.lr_scheduler.OneCycleLR(
                opt, max_lr=self.hparams.lr, total_steps=max(1, self.trainer.estimated_stepping_batches)
            )
            return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}

    return EmotionModule


def train_classifier(
    samples: Sequence[EmotionSample],
    *,
    streams: Sequence[str],
    fusion: str,
    classes: Sequence[str],
    epochs: int = 20,
    batch_size: int = 32,
    lr: float = 2e-3,
    seed: int = 0,
    dim: int = 64,
    modality_dropout: float = 0.0,
    label_smoothing: float = 0.1,
    target: str = "emotion",
    run_dir: str | os.PathLike[str] | None = None,
    accelerator: str = "auto",
    callbacks: Sequence[Any] = (),
):
    """Train one :class:`~signfuse.models.emotion.EmotionFusion` through ``fit_module``; returns the model
    (eval mode, on the CPU). ``run_dir``: where its run folder goes (a temporary one when None)."""
    import torch

    from .trainer import TrainerConfig, fit_module

    train = [s for s in samples if s.split == "train"]
    if not train:
        raise DataError("no samples in the 'train' split")
    if len(set(s.label for s in train)) < 2:
        raise DataError(f"the training split has a single class ({train[0].label!r}); nothing to learn")
    for st in streams:
        if st not in known_streams():
            raise ParameterError(f"unknown stream {st!r}; known: {', '.join(known_streams())}")
        if not any(st in s.x for s in train):
            raise DataError(f"no training sample has the {st!r} stream")
    if not (isinstance(lr, (int, float)) and 0 < lr <= 10):
        raise ParameterError(f"lr={lr!r} must be a positive number up to 10")
    in_dims = {st: next(s.x[st].shape[1] for s in train if st in s.x) for st in streams}
    kwargs = dict(
        in_dims=in_dims,
        num_classes=len(classes),
        fusion=fusion,
        dim=dim,
        modality_dropout=modality_dropout if len(streams) > 1 else 0.0,
        norm_stats=_stats(train, streams),
    )
    module = _module_class()(
        model_kwargs=kwargs,
        classes=list(classes),
        fusion=fusion,
        target=target,
        lr=float(lr),
        label_smoothing=float(label_smoothing),
    )
    g = torch.Generator().manual_seed(seed)
    loader = torch.utils.data.DataLoader(
        _items(train, list(streams), list(classes)),
        batch_size=batch_size,
        shuffle=True,
        generator=g,
        collate_fn=pad_collate,
    )
    with tempfile.TemporaryDirectory(prefix="signfuse-emotion-") as tmp:
        tc = TrainerConfig(
            run_dir=Path(run_dir) if run_dir else Path(tmp),
            epochs=epochs,
            patience=None,
            seed=seed,
            accelerator=accelerator,
            gradient_clip_val=1.0,
            deterministic=True,
            progress=False,
            log_every_n_steps=1,
            overwrite=True,
            callbacks=tuple(callbacks),
            history_name="history.json",
        )
        fit_module(
            module,
            loader,
            None,
            trainer=tc,
            config={
                "streams": list(streams),
                "fusion": fusion,
                "epochs": epochs,
                "lr": lr,
                "seed": seed,
                "dim": dim,
                "target": target,
            },
        )
    return module.model.cpu().eval()


def evaluate(
    model,
    samples: Sequence[EmotionSample],
    classes: Sequence[str],
    *,
    missing: dict[str, str] | None = None,
    batch_size: int = 64,
) -> dict[str, float]:
    """Accuracy and macro-F1 (over the classes present in the labels or the predictions)."""
    import torch

    if not samples:
        raise DataError("no samples to evaluate (empty split)")
    items = _items(samples, list(model.streams), list(classes))
    preds, ys = [], []
    with torch.no_grad():
        for i in range(0, len(items), batch_size):
            b = _apply_missing(pad_collate(items[i : i + batch_size]), missing)
            preds.append(model(b["x"], b["mask"])["logits"].argmax(-1).numpy())
            ys.append(b["y"].numpy())
    p, y = np.concatenate(preds), np.concatenate(ys)
    return {"accuracy": float(np.mean(p == y)), "macro_f1": macro_f1(y, p)}


def macro_f1(y: np.ndarray, p: np.ndarray) -> float:
    """Macro-averaged F1 over the classes that occur in ``y`` or ``p`` (scikit-learn's)."""
    from sklearn.metrics import f1_score

    labels = np.union1d(y, p)
    if not len(labels):
        return float("nan")
    return float(f1_score(y, p, labels=labels, average="macro", zero_division=0))


def run_experiment(
    samples: Sequence[EmotionSample],
    out_dir: str | os.PathLike[str],
    *,
    epochs: int = 20,
    seed: int = 0,
    fusions: Sequence[str] = ("early", "late", "cross"),
    streams: Sequence[str] = STREAMS,
    target: str = "emotion",
    accelerator: str = "auto",
    progress: Any = None,
) -> dict[str, Any]:
    """Single streams and every fusion, same seed; the table (also ``OUT/emotion_table.json``) and checkpoints.

    ``progress(done, total)``: called after each model.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    classes = sorted({s.label for s in samples})
    test = [s for s in samples if s.split == "test"] or [s for s in samples if s.split == "val"]
    if not test:
        raise DataError("no samples in the test (or val) split")
    streams = [st for st in streams if any(st in s.x for s in samples)]
    if not streams:
        raise DataError("none of the requested streams is present in the samples")
    fus = list(fusions) if len(streams) > 1 else []
    total, done = len(streams) + len(fus), 0
    table: dict[str, Any] = {
        "classes": classes,
        "target": target,
        "n_train": sum(s.split == "train" for s in samples),
        "n_test": len(test),
        "rows": {},
        "robustness": {},
    }
    t0 = time.perf_counter()
    for st in streams:
        m = train_classifier(
            samples,
            streams=[st],
            fusion="single",
            classes=classes,
            epochs=epochs,
            seed=seed,
            target=target,
            accelerator=accelerator,
        )
        table["rows"][st] = evaluate(m, test, classes)
        done += 1
        if progress:
            progress(done, total)
    for fu in fus:
        m = train_classifier(
            samples,
            streams=streams,
            fusion=fu,
            classes=classes,
            epochs=epochs,
            seed=seed,
            modality_dropout=0.2,
            target=target,
            accelerator=accelerator,
        )
        table["rows"][f"fusion_{fu}"] = evaluate(m, test, classes)
        rob = {}
        for st in streams:
            for how in ("zeroed", "dropped"):
                rob[f"{st}_{how}"] = evaluate(m, test, classes, missing={st: how})
        table["robustness"][f"fusion_{fu}"] = rob
        save_emotion(m, out / f"emotion_{fu}.ckpt", classes=classes, fusion=fu, target=target)
        done += 1
        if progress:
            progress(done, total)
    table["train_seconds"] = round(time.perf_counter() - t0, 1)
    singles = {k: v for k, v in table["rows"].items() if not k.startswith("fusion_")}
    fused = {k: v for k, v in table["rows"].items() if k.startswith("fusion_")}
    best_single = max(singles, key=lambda k: singles[k]["accuracy"])
    table["best_single"] = best_single
    if fused:
        best_fusion = max(fused, key=lambda k: fused[k]["accuracy"])
        table["best_fusion"] = best_fusion
        table["fusion_beats_best_single"] = bool(fused[best_fusion]["accuracy"] > singles[best_single]["accuracy"])
    from ..io import atomic_path

    with atomic_path(out / "emotion_table.json") as tmp:
        tmp.write_text(json.dumps(table, indent=2))
    return table


def save_emotion(model, path: Path, *, classes, fusion, target) -> Path:
    """A slim checkpoint of one emotion model (the one schema, kind ``emotion``)."""
    from ..models.checkpoint import Checkpoint, write_checkpoint

    kw = {
        "in_dims": dict(model.in_dims),
        "num_classes": model.num_classes,
        "fusion": fusion,
        "dim": model.encoders[0].proj[0].out_features,
    }
    return write_checkpoint(
        Checkpoint(
            "emotion", "emotion", kw, model.state_dict(), list(classes), {}, None, {"fusion": fusion, "target": target}
        ),
        path,
    )
