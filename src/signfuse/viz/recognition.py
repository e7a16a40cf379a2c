"""Recognition figures: confusion matrix, stream ablation, adaptation, training curves."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from ._fig import figure

__all__ = ["confusion_matrix", "ablation_bars", "adaptation_bars", "training_curve", "read_metrics_csv"]


def confusion_matrix(cm: np.ndarray, vocab: Sequence[str], *, title: str = ""):
    """A row-normalized confusion matrix (rows: true class, columns: predicted)."""
    cm = np.asarray(cm)
    n = len(vocab)
    side = min(12, 3 + n * 0.22)
    fig = figure(figsize=(side, side))
    ax = fig.subplots()
    norm = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    if n <= 60:
        ax.set_xticks(range(n), vocab, rotation=90, fontsize=6)
        ax.set_yticks(range(n), vocab, fontsize=6)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or "confusion matrix (row-normalized)")
    return fig


def ablation_bars(rows: Sequence[dict]):
    """Top-1 on all signs and on minimal pairs, one pair of bars per stream set (rows of ``ablate``)."""
    names = [r["streams"] for r in rows]
    x = np.arange(len(rows))
    fig = figure(figsize=(max(5, 1.6 * len(rows)), 3.6))
    ax = fig.subplots()
    ax.bar(x - 0.2, [100 * (r["top1"] or 0) for r in rows], 0.4, label="all signs")
    ax.bar(x + 0.2, [100 * (r["minimal_pair_top1"] or 0) for r in rows], 0.4, label="minimal pairs")
    ax.set_xticks(x, names, rotation=20, fontsize=8)
    ax.set_ylabel("top-1 accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend()
    ax.set_title("stream ablation, held-out signers")
    return fig


def adaptation_bars(rows: Sequence[dict], *, title: str = ""):
    """Top-1 on the target region per adaptation method (rows of ``adapt``)."""
    fig = figure(figsize=(6, 3.2))
    ax = fig.subplots()
    ax.bar([r["method"] for r in rows], [100 * r["top1"] for r in rows], color="tab:orange")
    ax.set_ylabel("top-1 on target region (%)")
    ax.set_ylim(0, 100)
    ax.set_title(title)
    return fig


def read_metrics_csv(path: str | os.PathLike[str]) -> tuple[dict[int, float], dict[int, dict[str, float]]]:
    """Per-epoch mean train loss and the validation metrics of a Lightning ``metrics.csv``."""
    ep_tr: dict[int, list[float]] = {}
    val: dict[int, dict[str, float]] = {}
    with Path(path).open() as f:
        for r in csv.DictReader(f):
            e = int(float(r.get("epoch") or 0))
            if r.get("train_loss"):
                ep_tr.setdefault(e, []).append(float(r["train_loss"]))
            for k in ("val_loss", "val_acc", "val_wer"):
                if r.get(k):
                    val.setdefault(e, {})[k] = float(r[k])
    return {e: float(np.mean(v)) for e, v in sorted(ep_tr.items())}, dict(sorted(val.items()))


def training_curve(metrics_csv: str | os.PathLike[str], *, title: str = ""):
    """Train loss, validation loss and validation accuracy (or WER) per epoch from a ``metrics.csv``."""
    train, val = read_metrics_csv(metrics_csv)
    fig = figure(figsize=(6, 3.4))
    ax = fig.subplots()
    if train:
        ax.plot(list(train), list(train.values()), label="train loss")
    ax.plot(list(val), [v.get("val_loss", np.nan) for v in val.values()], label="val loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax2 = ax.twinx()
    key = "val_acc" if any("val_acc" in v for v in val.values()) else "val_wer"
    ax2.plot(list(val), [v.get(key, np.nan) for v in val.values()], "g--", label=key)
    ax2.set_ylabel(key)
    ax.legend(loc="upper center", fontsize=8)
    ax2.legend(loc="upper right", fontsize=8)
    ax.set_title(title)
    return fig
