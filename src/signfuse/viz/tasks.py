"""Figures of the audio-to-gesture and emotion tasks."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ._fig import figure

__all__ = ["a2g_example", "emotion_bars"]


def a2g_example(t: np.ndarray, real_speed: np.ndarray, pred_speed: np.ndarray, onset: np.ndarray):
    """Predicted versus real hand speed over time, the audio onset strength below."""
    fig = figure(figsize=(8, 4.5))
    ax = fig.subplots(2, 1, sharex=True)
    ax[0].plot(t, real_speed, label="real hand speed")
    ax[0].plot(t, pred_speed, label="predicted")
    ax[0].legend(loc="upper right")
    ax[0].set_ylabel("speed (shoulder widths/s)")
    ax[1].plot(t, np.nan_to_num(onset), color="gray")
    ax[1].set_ylabel("audio onset")
    ax[1].set_xlabel("time (s)")
    return fig


def emotion_bars(rows: dict[str, dict], classes: Sequence[str]):
    """Accuracy and macro-F1 per model (single streams and fusions), chance as a dashed line."""
    names = list(rows)
    acc = [rows[n]["accuracy"] for n in names]
    f1 = [rows[n]["macro_f1"] for n in names]
    xs = np.arange(len(names))
    fig = figure(figsize=(7, 3.2))
    ax = fig.subplots()
    ax.bar(xs - 0.2, acc, 0.4, label="accuracy")
    ax.bar(xs + 0.2, f1, 0.4, label="macro-F1")
    ax.axhline(1 / max(1, len(classes)), color="gray", ls="--", lw=1, label="chance")
    ax.set_xticks(xs, names, rotation=20)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    return fig
