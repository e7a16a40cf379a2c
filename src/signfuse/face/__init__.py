"""Face features: head pose, geometric action units, blendshapes, non-manual events.

>>> from signfuse import face
>>> s = face.features(seq, baseline="median")     # Stream "au": pitch,yaw,roll,AU01..AU45,eye/mouth/gaze
>>> face.events(s)                                 # brow raise/furrow, head shake/nod, blinks

See :mod:`signfuse.face.headpose` (angle conventions: yaw positive when the signer turns to their
left), :mod:`signfuse.face.aus` (the mesh points behind every AU) and :mod:`signfuse.face.blendshapes`
(the blendshape-to-AU table).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np

from .aus import AU_NAMES, AU_TABLE, MEASURE_POINTS, POSE_NAMES, action_units, features, raw_measures
from .events import events
from .headpose import head_pose

__all__ = ["features", "head_pose", "action_units", "events", "raw_measures", "AU_NAMES", "AU_TABLE",
           "POSE_NAMES", "MEASURE_POINTS", "demo_stage", "MARKERS", "detect_markers"]

log = logging.getLogger(__name__)

#: non-manual markers the demo scores, and the event type that detects each
MARKERS: dict[str, str] = {"brow_raise": "brow_raise", "brow_furrow": "brow_furrow",
                           "head_shake": "head_shake", "head_nod": "head_nod"}


def detect_markers(evs: list[dict]) -> set[str]:
    """The set of non-manual markers (keys of :data:`MARKERS`) found in a list of events."""
    types = {e["type"] for e in evs}
    return {m for m, t in MARKERS.items() if t in types}


def demo_stage(ctx: Any) -> dict:
    """Face stage of ``signfuse demo``: AUs and events on corpus samples with known non-manual markers.

    Takes up to ``n`` isolated samples per marker class (``brow_raise``, ``brow_furrow``, ``head_shake``,
    ``head_nod``) and as many without a face marker, computes :func:`features` and :func:`events`, and
    reports, per class, the fraction of samples where "marker detected" equals "marker present"
    (accuracy), plus recall and false-positive rate. Saves one plot of AU and head-pose curves.
    """
    from .. import io
    from ..datasets import synthetic
    from .plot import plot_features

    t0 = time.perf_counter()
    n = 2 if ctx.quick else 20
    entries = [e for e in synthetic.load_corpus(ctx.corpus_dir) if e.meta.get("kind") == "isolated"]
    rng = np.random.default_rng(ctx.seed)
    chosen = []
    for cls in list(MARKERS) + ["none"]:
        pool = [e for e in entries if e.meta.get("nonmanual", "none") == cls]
        if cls == "none":
            pool += [e for e in entries if e.meta.get("nonmanual") not in MARKERS and e.meta.get("nonmanual") != "none"]
        if pool:
            chosen += [pool[i] for i in rng.choice(len(pool), size=min(n, len(pool)), replace=False)]
    rows = []
    best_fig = None
    for e in chosen:
        seq = io.read(e.path)
        end = e.end_frame if e.end_frame is not None else seq.n_frames
        if e.start_frame or end != seq.n_frames:
            seq = seq[e.start_frame:end]
        s = features(seq)
        evs = events(s)
        truth = e.meta.get("nonmanual", "none")
        found = detect_markers(evs)
        rows.append({"id": e.id, "truth": truth, "found": sorted(found)})
        if best_fig is None and truth in ("head_shake", "brow_raise"):
            best_fig = (s, evs, e.id, truth)
    per_class = {}
    for m in MARKERS:
        has = np.array([r["truth"] == m for r in rows])
        det = np.array([m in r["found"] for r in rows])
        if has.size == 0:
            continue
        per_class[m] = {"accuracy": float(np.mean(has == det)), "positives": int(has.sum()),
                        "recall": float(det[has].mean()) if has.any() else None,
                        "false_positive_rate": float(det[~has].mean()) if (~has).any() else None}
    out = ctx.stage_dir("face")
    if best_fig is not None:
        s, evs, sid, truth = best_fig
        fig = plot_features(s, events=evs, title=f"{sid} (marker: {truth})")
        from ..io import save_figure
        path = save_figure(fig, out / "face_curves.png", dpi=100)
        ctx.figure(path, f"Head pose and AU curves of {sid} (known marker {truth}); shaded spans are detected events.")
    accs = [v["accuracy"] for v in per_class.values()]
    return {"samples": len(rows), "per_class": per_class,
            "mean_accuracy": float(np.mean(accs)) if accs else None,
            "seconds": round(time.perf_counter() - t0, 2), "details": rows[:40]}
