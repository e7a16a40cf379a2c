"""Prosody-gesture figures: correlation versus lag, and the signals overlaid after the best lag."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from ._fig import figure

__all__ = ["xcorr_lags", "signal_overlay"]


def _z(x: np.ndarray) -> np.ndarray:
    s = np.std(x)
    return (x - np.mean(x)) / s if s > 0 else x - np.mean(x)


def xcorr_lags(pairs: list[dict]):
    """Pearson r versus lag for every pair of a :func:`signfuse.crossmodal.correlate_signals` report
    (the pairs that carry a ``curve``), the best lag of each dotted."""
    fig = figure(figsize=(9, 4))
    ax = fig.subplots()
    for p in pairs:
        ax.plot(p["lags_s"], p["curve"], label=f"{p['audio']} vs {p['motion']} (p={p['p_value']:.3g})")
        ax.axvline(p["lag_s"], color=ax.lines[-1].get_color(), ls=":", lw=0.8)
    ax.axvline(0, color="k", lw=0.5)
    ax.set_xlabel("lag (s); positive: audio follows motion")
    ax.set_ylabel("Pearson r")
    ax.set_title("Cross-correlation versus lag")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return fig


def signal_overlay(pairs: list[dict], prosodic: Mapping[str, np.ndarray], kinematic: Mapping[str, np.ndarray], *,
                   fps: float, n_frames: int, overlay_s: float = 20.0):
    """One panel per pair: the kinematic signal and the prosodic one shifted by the recovered lag (z-scored,
    the first ``overlay_s`` seconds)."""
    fig = figure(figsize=(10, 1.8 * len(pairs) + 0.6))
    axes = fig.subplots(len(pairs), 1, sharex=True, squeeze=False)
    n = min(n_frames, int(overlay_s * fps))
    t = np.arange(n) / fps
    for ax, p in zip(axes[:, 0], pairs):
        a = _z(np.asarray(prosodic[p["audio"]], float))[:n]
        m = _z(np.asarray(kinematic[p["motion"]], float))[:n]
        ax.plot(t, m, lw=0.9, label=p["motion"])
        sign = 1.0 if p["r"] >= 0 else -1.0
        ax.plot(t - p["lag_s"], sign * a, lw=0.9, label=f"{'' if sign > 0 else '-'}{p['audio']} shifted by "
                                                         f"{-p['lag_s']:+.3f} s")
        ax.set_ylabel("z")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    axes[-1, 0].set_xlabel("time (s)")
    fig.suptitle("Signals overlaid after the best lag")
    return fig
