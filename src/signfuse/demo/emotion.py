"""Demo stage ``emotion``: emotion from gesture, face and voice on held-out signers; single streams versus
fusions (:func:`signfuse.train.emotion.run_experiment`)."""

from __future__ import annotations

from typing import Any

__all__ = ["stage"]


def stage(ctx) -> dict[str, Any]:
    """Run the emotion experiment on the corpus and plot accuracy and macro-F1 per model."""
    from .. import io, viz
    from ..samples.emotion import samples_from_data
    from ..train.emotion import run_experiment

    out = ctx.stage_dir("emotion")
    samples = samples_from_data(ctx.corpus_dir, limit_per_split=40 if ctx.quick else 120, seed=ctx.seed)
    table = run_experiment(samples, out, epochs=3 if ctx.quick else 25, seed=ctx.seed)
    fig = io.save_figure(viz.emotion_bars(table["rows"], table["classes"]), out / "emotion.png", dpi=100)
    ctx.figure(fig, "Emotion accuracy on held-out signers: single streams and fusions")
    return {k: table[k] for k in ("classes", "n_train", "n_test", "rows", "best_single", "best_fusion",
                                  "fusion_beats_best_single", "train_seconds") if k in table} | {
        "robustness_accuracy": {fu: {k: round(v["accuracy"], 3) for k, v in r.items()}
                                for fu, r in table["robustness"].items()}}
