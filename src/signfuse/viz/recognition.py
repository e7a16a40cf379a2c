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
    """A row-normalized confusion matrix (rows: true class, columns: predicted) with a colour bar; the
    counts are written in the non-empty cells when there are at most 40 classes."""
    cm = np.asarray(cm)
    n = len(vocab)
    side = min(13, 3.5 + n * 0.24)
    fig = figure(figsize=(side + 1.2, side))
    ax = fig.subplots()
    totals = cm.sum(1, keepdims=True)
    norm = cm / np.maximum(totals, 1)
    im = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    fig.colorbar(im, ax=ax, shrink=0.8, label="fraction of the true class")
    if n <= 60:
        ax.set_xticks(range(n), vocab, rotation=90, fontsize=6)
        ax.set_yticks(range(n), vocab, fontsize=6)
    if n <= 40:
        size = 7 if n <= 20 else 5
        for i, j in zip(*np.nonzero(cm)):
            ax.text(j, i, str(int(cm[i, j])), ha="center", va="center", fontsize=size,
                    color="white" if norm[i, j] > 0.6 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or f"confusion matrix, n = {int(cm.sum())} (colour: row-normalized; numbers: counts)",
                 fontsize=9)
    return fig


def _chance_line(ax, chance: float | None, *, scale: float = 100.0) -> None:
    if chance is not None:
        ax.axhline(scale * chance, color="0.35", ls="--", lw=1, label=f"chance ({scale * chance:.0f}%)")


def _bar_labels(ax, bars, values) -> None:
    for bar, v in zip(bars, values):
        if v is not None:
            ax.annotate(f"{v:.0f}", (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center", va="bottom",
                        fontsize=7, xytext=(0, 1), textcoords="offset points")


def ablation_bars(rows: Sequence[dict], *, chance: float | None = None):
    """Top-1 on all signs and on minimal pairs, one pair of bars per stream set (rows of ``ablate``), with
    the number of test samples and the chance level."""
    names = [r["streams"] for r in rows]
    x = np.arange(len(rows))
    fig = figure(figsize=(max(6, 1.5 * len(rows) + 2.5), 3.8))
    ax = fig.subplots()
    allv = [100 * r["top1"] if r.get("top1") is not None else None for r in rows]
    mp = [100 * r["minimal_pair_top1"] if r.get("minimal_pair_top1") is not None else None for r in rows]
    b1 = ax.bar(x - 0.2, [v or 0 for v in allv], 0.4, label=f"all signs (n = {rows[0].get('n', '?')})" if rows else "")
    b2 = ax.bar(x + 0.2, [v or 0 for v in mp], 0.4,
                label=f"minimal pairs (n = {rows[0].get('minimal_pair_n', '?')})" if rows else "")
    _bar_labels(ax, b1, allv)
    _bar_labels(ax, b2, mp)
    _chance_line(ax, chance)
    ax.set_xticks(x, names, rotation=20, fontsize=8)
    ax.set_ylabel("top-1 accuracy (%)")
    ax.set_ylim(0, 105)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    ax.set_title("stream ablation, held-out signers", fontsize=10)
    return fig


def adaptation_bars(rows: Sequence[dict], *, title: str = "", chance: float | None = None):
    """Top-1 on the target region per adaptation method (rows of ``adapt``), with n and the chance level."""
    fig = figure(figsize=(6.5, 3.4))
    ax = fig.subplots()
    vals = [100 * r["top1"] for r in rows]
    bars = ax.bar([r["method"] for r in rows], vals, color="tab:orange",
                  label=f"target top-1 (n = {rows[0].get('n_test', '?')})" if rows else "")
    _bar_labels(ax, bars, vals)
    _chance_line(ax, chance)
    ax.set_ylabel("top-1 on target region (%)")
    ax.set_ylim(0, 105)
    ax.tick_params(axis="x", labelsize=8)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    ax.set_title(title, fontsize=10)
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
    """Train loss (mean per epoch), validation loss and validation accuracy (or WER) per epoch, from a
    Lightning ``metrics.csv``; epochs numbered from 1. A first epoch far above the rest (CTC starts very
    high) is drawn off scale with its value written, so it does not flatten the curve."""
    train, val = read_metrics_csv(metrics_csv)
    fig = figure(figsize=(7, 3.4))
    ax = fig.subplots()
    tr_x, tr_y = [e + 1 for e in train], list(train.values())
    va_x = [e + 1 for e in val]
    va_y = [v.get("val_loss", np.nan) for v in val.values()]
    if train:
        ax.plot(tr_x, tr_y, "o-", ms=3, label="train loss")
    ax.plot(va_x, va_y, "s-", ms=3, label="val loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    losses = np.array([v for v in tr_y + va_y if np.isfinite(v)])
    later = np.array([v for x, v in list(zip(tr_x, tr_y)) + list(zip(va_x, va_y)) if x > 1 and np.isfinite(v)])
    if later.size and losses.max() > 3 * later.max():
        top = later.max() * 1.25
        ax.set_ylim(min(0, losses.min()), top)
        for xs, ys in ((tr_x, tr_y), (va_x, va_y)):
            for x, y in zip(xs, ys):
                if np.isfinite(y) and y > top:
                    ax.annotate(f"{y:.1f} (off scale)", (x, top), xytext=(4, -10), textcoords="offset points",
                                fontsize=7, color="0.3", arrowprops={"arrowstyle": "-|>", "color": "0.5"})
    epochs = sorted(set(tr_x) | set(va_x))
    if epochs and len(epochs) <= 15:
        ax.set_xticks(epochs)
    ax2 = ax.twinx()
    key = "val_acc" if any("val_acc" in v for v in val.values()) else "val_wer"
    label = {"val_acc": "val accuracy", "val_wer": "val WER"}[key]
    ax2.plot(va_x, [v.get(key, np.nan) for v in val.values()], "g--", label=label)
    ax2.set_ylabel(label)
    ax2.set_ylim(0, max(1.0, np.nanmax([v.get(key, 0) for v in val.values()] or [1])))
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", bbox_to_anchor=(1.12, 1), fontsize=8, frameon=False)
    ax.set_title(title, fontsize=10)
    return fig
