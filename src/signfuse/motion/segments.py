"""Movement and hold phases of the hands (and head).

A frame is *still* when the target's speed is below ``threshold`` shoulder widths per second (default
0.25 sw/s, about 10 cm/s for an adult). Runs of still frames shorter than ``min_hold_s`` are merged
into the surrounding movement and movement runs shorter than ``min_move_s`` between two holds are
merged into the hold, so landmark jitter neither splits a hold nor invents a movement. Frames where the
target is absent form ``"absent"`` phases.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..errors import ParameterError
from ..sequence import LandmarkSequence
from ..streams import Stream
from .kinematics import TARGETS, Kinematics, kinematics

__all__ = ["segments", "hold_mask", "runs"]


def runs(labels: np.ndarray) -> list[tuple[int, int, object]]:
    """Run-length encoding: ``[(start, end_exclusive, value), ...]`` of a 1-D array."""
    labels = np.asarray(labels)
    if labels.size == 0:
        return []
    change = np.flatnonzero(labels[1:] != labels[:-1]) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [labels.size]])
    return [(int(s), int(e), labels[s].item() if hasattr(labels[s], "item") else labels[s])
            for s, e in zip(starts, ends)]


def _absorb(kind: np.ndarray, value: int, min_len: int, between: bool) -> np.ndarray:
    """Relabel runs of ``value`` shorter than ``min_len`` as their neighbours' label."""
    kind = kind.copy()
    for s, e, v in runs(kind):
        if v != value or e - s >= min_len:
            continue
        left = kind[s - 1] if s > 0 else None
        right = kind[e] if e < kind.size else None
        if between and (left is None or right is None or left != right):
            continue
        fill = left if left is not None and left >= 0 else right
        if fill is not None and fill >= 0:
            kind[s:e] = fill
    return kind


def hold_mask(speed: np.ndarray, present: np.ndarray, *, fps: float, threshold: float = 0.25,
              min_hold_s: float = 0.1, min_move_s: float = 0.1) -> np.ndarray:
    """``(frames,)`` int labels: 1 hold, 0 movement, -1 absent (see the module doc)."""
    if not (threshold > 0 and math.isfinite(threshold)):
        raise ParameterError(f"threshold={threshold} must be a positive speed in shoulder widths per second")
    if min_hold_s < 0 or min_move_s < 0:
        raise ParameterError(f"min_hold_s={min_hold_s} and min_move_s={min_move_s} must be >= 0")
    kind = np.where(speed < threshold, 1, 0).astype(np.int8)
    kind[~present] = -1
    kind = _absorb(kind, 1, int(round(min_hold_s * fps)), between=False)
    kind = _absorb(kind, 0, int(round(min_move_s * fps)), between=True)
    return kind


def segments(source: LandmarkSequence | Kinematics | Stream, *, targets: Sequence[str] = ("lh", "rh"),
             threshold: float = 0.25, min_hold_s: float = 0.1, min_move_s: float = 0.1) -> list[dict]:
    """Movement and hold phases.

    Parameters
    ----------
    source:
        A landmark sequence (kinematics are computed with defaults), a :class:`Kinematics`, or a
        ``motion`` Stream from :func:`signfuse.motion.features`.
    targets:
        Which of ``lh``, ``rh``, ``head``.
    threshold, min_hold_s, min_move_s:
        See the module doc.

    Returns
    -------
    list of dicts sorted by target then time: ``target``, ``kind`` (``"hold"``, ``"movement"``,
    ``"absent"``), ``start``/``end`` (seconds, end exclusive), ``start_frame``/``end_frame``,
    ``mean_speed`` and ``peak_speed`` (sw/s).
    """
    for t in targets:
        if t not in TARGETS:
            raise ParameterError(f"target {t!r} must be one of {TARGETS}")
    if isinstance(source, LandmarkSequence):
        source = kinematics(source)
    if isinstance(source, Kinematics):
        fps = source.fps
        speed = {t: source.speed[:, TARGETS.index(t)] for t in targets}
        present = {t: source.present[:, TARGETS.index(t)] for t in targets}
        times = source.times
    elif isinstance(source, Stream):
        fps = source.fps
        speed = {t: source.column(f"{t}_speed").astype(np.float64) for t in targets}
        present = {t: source.column(f"{t}_present") > 0.5 for t in targets}
        times = source.times
    else:
        raise ParameterError(f"source must be a LandmarkSequence, Kinematics or motion Stream, "
                             f"got {type(source).__name__}")
    out = []
    names = {1: "hold", 0: "movement", -1: "absent"}
    for t in targets:
        kind = hold_mask(speed[t], present[t], fps=fps, threshold=threshold, min_hold_s=min_hold_s,
                         min_move_s=min_move_s)
        tt = times if times is not None else np.arange(kind.size) / fps
        for s, e, v in runs(kind):
            sp = speed[t][s:e]
            out.append({"target": t, "kind": names[int(v)], "start": float(tt[s]),
                        "end": float(tt[e - 1] + 1.0 / fps), "start_frame": s, "end_frame": e,
                        "mean_speed": float(sp.mean()), "peak_speed": float(sp.max())})
    return out
