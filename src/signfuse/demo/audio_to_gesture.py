"""Demo stage ``audio_to_gesture``: train on the corpus's training signers, evaluate on held-out signers
against both baselines (:func:`signfuse.train.a2g.evaluate_clips`)."""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np

__all__ = ["stage", "findings", "tables", "METRICS"]

#: the a2g metrics in the report: (key, label, which direction is better)
METRICS = (("l1", "L1 pose error", "lower"), ("pck_0.1", "PCK@0.1", "higher"), ("pck_0.2", "PCK@0.2", "higher"),
           ("env_corr_speed", "speed envelope r", "higher"), ("env_corr_amplitude", "amplitude envelope r", "higher"),
           ("env_corr", "envelope r (mean)", "higher"), ("beat_align", "beat alignment (onsets)", "closer to real"),
           ("beat_align_peaks", "beat alignment (speed peaks)", "closer to real"),
           ("speed_ratio", "speed ratio", "closer to 1"), ("acceleration_ratio", "acceleration ratio", "closer to 1"),
           ("jerk_ratio", "jerk ratio", "closer to 1"), ("speed_hellinger", "speed distribution distance", "lower"),
           ("fgd", "Fréchet gesture distance", "lower"))


def stage(ctx) -> dict[str, Any]:
    """Train the audio-to-gesture model, evaluate it against the baselines, plot and write one example."""
    from .. import io, viz
    from ..inference.a2g import load_a2g, predict_clip, prediction_to_sequence
    from .recognition import _epochs, _every
    from ..train.a2g import _envelopes, clips_from_data, evaluate_clips, rtf, train_a2g

    out = ctx.stage_dir("audio_to_gesture")
    clips = clips_from_data(ctx.corpus_dir, limit=None if ctx.quick else 420, seed=ctx.seed,
                            progress=_every(ctx, "reading clips"))
    t0 = time.perf_counter()
    ckpt = train_a2g(clips, out, epochs=4 if ctx.quick else 25, seed=ctx.seed, fgd_steps=50 if ctx.quick else 300,
                     overwrite=True, callbacks=[_epochs(ctx, "training")])
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


def findings(s: dict[str, Any], *, quick: bool = False) -> list[dict]:
    """Envelope correlation and beat alignment of the model against the two baselines."""
    from .report import TRUSTED, UNTRUSTED, WEAK, finding

    m = s["metrics"]
    model, mean, rnd = m["model"], m["mean_pose"], m["random_segment"]
    beats = m.get("model_beats_baselines", {})
    n = s["n_test"]
    out = []
    why = []
    if quick:
        why.append("quick mode: 4 epochs on a tiny corpus")
    if not beats.get("env_corr"):
        why.append("the model does not beat the random-segment baseline on envelope correlation")
    if n < 30:
        why.append(f"{n} test clips")
    bad = quick or not beats.get("env_corr")
    out.append(finding(
        "audio_to_gesture", f"gesture predicted from audio follows the real hand-speed envelope with r = "
                            f"{model['env_corr_speed']:.2f}, against {rnd['env_corr_speed']:.2f} for a random real "
                            f"segment and {mean['env_corr_speed']:.2f} for the mean pose",
        n=f"{n} held-out clips", chance="r = 0 (the mean pose)",
        evidence=f"Fréchet gesture distance {model['fgd']:.2f} (random segment {rnd['fgd']:.2f}, mean pose "
                 f"{mean['fgd']:.2f}; lower is better)",
        meaning="whether the model's movement rises and falls with the speech",
        verdict=UNTRUSTED if bad else (WEAK if why else TRUSTED), why="; ".join(why)))
    real = m.get("real", {}).get("beat_align")
    if real is not None:
        d_model, d_rnd = abs(model["beat_align"] - real), abs(rnd["beat_align"] - real)
        closer = d_model < d_rnd
        out.append(finding(
            "audio_to_gesture", f"beat alignment {model['beat_align']:.2f} for the model against {real:.2f} for the "
                                f"real gestures (random segment {rnd['beat_align']:.2f})",
            n=f"{n} held-out clips", chance=f"{rnd['beat_align']:.2f} (a random real segment)",
            meaning="closer to the real value is better: " + ("the model is closer than the baseline" if closer
                                                               else "the model is not closer than the baseline"),
            verdict=UNTRUSTED if quick or not closer else TRUSTED,
            why="quick mode" if quick else ("" if closer else "no closer to the real gestures than a random segment")))
    return out


def tables(s: dict[str, Any]) -> list[dict]:
    from .report import table

    m = s["metrics"]
    cols = [c for c in ("model", "random_segment", "mean_pose", "real") if c in m]
    rows = []
    for key, label, better in METRICS:
        if not any(key in m[c] for c in cols):
            continue
        rows.append({"metric": label, "better": better, **{c: m[c].get(key) for c in cols}})
    labels = {"model": "model", "random_segment": "random segment", "mean_pose": "mean pose", "real": "real gestures"}
    return [table("Audio to gesture on held-out signers: the model against two baselines",
                  [("metric", "metric", "str"), ("better", "better", "str")] + [(c, labels[c], "f3") for c in cols],
                  rows, note=f"{s['n_test']} test clips, {s['n_train']} training clips; trained in "
                             f"{s['train_seconds']:.0f} s; real-time factor {s['rtf_one_thread']:.4f} on one thread "
                             "(compute seconds per second of audio).")]
