"""Demo stage ``face``: AUs and events on corpus samples with known non-manual markers."""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np

__all__ = ["stage"]

log = logging.getLogger(__name__)


def stage(ctx: Any) -> dict:
    """AUs and events on corpus samples with known non-manual markers.

    Takes up to ``n`` isolated samples per marker class (``brow_raise``, ``brow_furrow``, ``head_shake``,
    ``head_nod``) and as many without a face marker, computes :func:`signfuse.face.features` and
    :func:`signfuse.face.events`, and reports, per class, the fraction of samples where "marker detected"
    equals "marker present" (accuracy), plus recall and false-positive rate. Saves one plot of AU and
    head-pose curves.
    """
    from .. import io, viz
    from ..datasets import synthetic
    from ..face import MARKERS, detect_markers, events, features

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
        fig = viz.face_features(s, events=evs, title=f"{sid} (marker: {truth})")
        path = io.save_figure(fig, out / "face_curves.png", dpi=100)
        ctx.figure(path, f"Head pose and AU curves of {sid} (known marker {truth}); shaded spans are detected events.")
    accs = [v["accuracy"] for v in per_class.values()]
    return {"samples": len(rows), "per_class": per_class,
            "mean_accuracy": float(np.mean(accs)) if accs else None,
            "seconds": round(time.perf_counter() - t0, 2), "details": rows[:40]}
