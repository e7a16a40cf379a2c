"""Demo stage ``audio_to_gesture``: train on the corpus's training signers, evaluate on held-out signers
against both baselines (:func:`signfuse.train.a2g.evaluate_clips`)."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import numpy as np

__all__ = ["stage"]


def stage(ctx) -> dict[str, Any]:
    """Train the audio-to-gesture model, evaluate it against the baselines, plot and write one example."""
    import torch

    from .. import io, viz
    from ..inference.a2g import load_a2g, predict_clip, prediction_to_sequence
    from ..train.a2g import _envelopes, clips_from_data, evaluate_clips, rtf, train_a2g

    out = ctx.stage_dir("audio_to_gesture")
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    clips = clips_from_data(ctx.corpus_dir, limit=None if ctx.quick else 420, seed=ctx.seed)
    t0 = time.perf_counter()
    ckpt = train_a2g(clips, out, epochs=4 if ctx.quick else 25, seed=ctx.seed, fgd_steps=50 if ctx.quick else 300,
                     overwrite=True)
    train_s = time.perf_counter() - t0
    model, ae, cfg = load_a2g(ckpt)
    train = [c for c in clips if c.split == "train"]
    test = [c for c in clips if c.split == "test"] or [c for c in clips if c.split == "val"]
    table = evaluate_clips(model, ae, test, train, seed=ctx.seed)
    with io.atomic_path(out / "metrics.json") as tmp:
        tmp.write_text(json.dumps(table, indent=2))
    clip = test[0]
    pred = predict_clip(model, clip.x)
    t = np.arange(clip.n_frames) / clip.fps
    fig = io.save_figure(viz.a2g_example(t, _envelopes(clip.y)[0], _envelopes(pred)[0], clip.onset),
                         out / "a2g_example.png", dpi=100)
    ctx.figure(fig, "Audio to gesture: predicted vs real hand speed on a held-out signer's clip")
    io.write(prediction_to_sequence(pred, fps=clip.fps), out / "example_pred.pose")
    return {"train_seconds": round(train_s, 1), "n_train": len(train), "n_test": len(test),
            "rtf_one_thread": rtf(model, seconds=30.0), "checkpoint": str(ckpt),
            "metrics": {k: ({m: round(v, 4) for m, v in d.items()} if isinstance(d, dict) and k != "model_beats_baselines" else d)
                        for k, d in table.items()}}
