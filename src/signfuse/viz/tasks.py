"""Figures of the audio-to-gesture and emotion tasks."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ._fig import figure

__all__ = ["a2g_example", "emotion_bars", "translation_bars"]


def a2g_example(t: np.ndarray, real_speed: np.ndarray, pred_speed: np.ndarray, onset: np.ndarray):
    """Predicted versus real hand speed over time, the audio onset strength below."""
    fig = figure(figsize=(9, 4.5))
    ax = fig.subplots(2, 1, sharex=True)
    ax[0].plot(t, real_speed, label="real hand speed")
    ax[0].plot(t, pred_speed, label="predicted")
    ax[0].legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    ax[0].set_ylabel("speed (shoulder widths/s)")
    ax[1].plot(t, np.nan_to_num(onset), color="gray")
    ax[1].set_ylabel("audio onset")
    ax[1].set_xlabel("time (s)")
    return fig


def emotion_bars(rows: dict[str, dict], classes: Sequence[str], *, n: int | None = None):
    """Accuracy and macro-F1 per model (single streams and fusions), with n and chance as a dashed line."""
    names = list(rows)
    acc = [rows[k]["accuracy"] for k in names]
    f1 = [rows[k]["macro_f1"] for k in names]
    xs = np.arange(len(names))
    fig = figure(figsize=(8, 3.4))
    ax = fig.subplots()
    b1 = ax.bar(xs - 0.2, acc, 0.4, label="accuracy")
    ax.bar(xs + 0.2, f1, 0.4, label="macro-F1")
    for bar, v in zip(b1, acc):
        ax.annotate(f"{100 * v:.0f}%", (bar.get_x() + bar.get_width() / 2, v), ha="center", va="bottom", fontsize=7,
                    xytext=(0, 1), textcoords="offset points")
    chance = 1 / max(1, len(classes))
    ax.axhline(chance, color="0.35", ls="--", lw=1, label=f"chance ({100 * chance:.0f}%)")
    ax.set_xticks(xs, [k.replace("_", " ") for k in names], rotation=20, fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title(f"emotion on held-out signers{f', n = {n}' if n else ''}", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return fig


def translation_bars(rows: dict[str, dict], *, n: int | None = None, n_marked: int | None = None):
    """BLEU-4 (left) and the share of sentences whose type (negation, question) came out right (right) per
    gloss source: reference glosses, recognized with the face, recognized without it."""
    names = list(rows)
    xs = np.arange(len(names))
    fig = figure(figsize=(8, 3.2))
    ax = fig.subplots(1, 2)
    bars = ax[0].bar(xs, [rows[k]["bleu"] for k in names], color=["0.6", "C0", "C1"][: len(names)])
    for b, k in zip(bars, names):
        ax[0].annotate(f"{rows[k]['bleu']:.1f}", (b.get_x() + b.get_width() / 2, b.get_height()), ha="center",
                       va="bottom", fontsize=7, xytext=(0, 1), textcoords="offset points")
    ax[0].set_ylabel("BLEU-4")
    ax[0].set_title(f"translation{f', n = {n}' if n else ''}", fontsize=10)
    acc = [rows[k].get("type_accuracy") for k in names]
    ax[1].bar(xs, [a if a is not None else 0.0 for a in acc], color=["0.6", "C0", "C1"][: len(names)])
    ax[1].set_ylim(0, 1.05)
    ax[1].set_ylabel("sentence type right")
    ax[1].set_title(f"negations and questions{f', n = {n_marked}' if n_marked else ''}", fontsize=10)
    for a in ax:
        a.set_xticks(xs, [k.replace("recognized ", "rec. ").replace("reference glosses", "ref. glosses")
                          for k in names], rotation=15, fontsize=8)
    return fig

