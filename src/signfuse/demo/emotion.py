"""Demo stage ``emotion``: emotion from gesture, face and voice on held-out signers; single streams versus
fusions (:func:`signfuse.train.emotion.run_experiment`)."""

from __future__ import annotations

from typing import Any

__all__ = ["stage", "findings", "tables"]


def stage(ctx) -> dict[str, Any]:
    """Run the emotion experiment on the corpus and plot accuracy and macro-F1 per model."""
    from .. import io, viz
    from ..samples.emotion import samples_from_data
    from ..train.emotion import run_experiment
    from .recognition import _every

    out = ctx.stage_dir("emotion")
    samples = samples_from_data(ctx.corpus_dir, limit_per_split=40 if ctx.quick else 120, seed=ctx.seed,
                                progress=_every(ctx, "reading samples"))
    table = run_experiment(samples, out, epochs=3 if ctx.quick else 25, seed=ctx.seed,
                           progress=lambda done, total: ctx.progress(f"trained model {done} of {total}"))
    fig = io.save_figure(viz.emotion_bars(table["rows"], table["classes"], n=table.get("n_test")), out / "emotion.png", dpi=100)
    ctx.figure(fig, "Emotion accuracy on held-out signers: single streams and fusions")
    return {k: table[k] for k in ("classes", "n_train", "n_test", "rows", "best_single", "best_fusion",
                                  "fusion_beats_best_single", "train_seconds") if k in table} | {
        "robustness_accuracy": {fu: {k: round(v["accuracy"], 3) for k, v in r.items()}
                                for fu, r in table["robustness"].items()}}


def findings(s: dict[str, Any], *, quick: bool = False) -> list[dict]:
    """Best fusion against the best single stream and chance."""
    from .report import UNTRUSTED, ci_text, finding, proportion, verdict_for

    C = len(s["classes"])
    chance = 1 / max(C, 1)
    n = s["n_test"]
    rows = s["rows"]
    bf, bs = s["best_fusion"], s["best_single"]
    pf = proportion(int(round(rows[bf]["accuracy"] * n)), n, chance=chance)
    ps = proportion(int(round(rows[bs]["accuracy"] * n)), n, chance=chance)
    v, why = verdict_for(pf, quick=quick)
    gain = rows[bf]["accuracy"] - rows[bs]["accuracy"]
    if gain > 0 and pf["ci"] and ps["ci"] and pf["ci"][0] <= ps["ci"][1]:
        why = "; ".join(w for w in (why, "the fusion's and the single stream's 95% intervals overlap") if w)
        v = v if v == UNTRUSTED else "weak"
    out = [finding("emotion", f"emotion from gesture, face and voice: {bf.replace('_', ' ')} reaches "
                              f"{100 * rows[bf]['accuracy']:.0f}% accuracy, the best single stream ({bs}) "
                              f"{100 * rows[bs]['accuracy']:.0f}%",
                   n=n, chance=f"{100 * chance:.0f}% (1 of {C} emotions)",
                   evidence=f"95% intervals {ci_text(pf)} and {ci_text(ps)}; macro-F1 {rows[bf]['macro_f1']:.2f} "
                            f"vs {rows[bs]['macro_f1']:.2f}",
                   meaning="combining modalities " + ("helps" if gain > 0 else "does not help") + " over the best one alone",
                   verdict=v, why=why)]
    return out


def tables(s: dict[str, Any]) -> list[dict]:
    from .report import table

    C = len(s["classes"])
    best = max(s["rows"], key=lambda k: s["rows"][k]["accuracy"])
    rows = [{"model": k.replace("_", " "), **v, "_class": "best" if k == best else ""} for k, v in s["rows"].items()]
    rows.append({"model": "chance", "accuracy": 1 / max(C, 1), "_class": "chance"})
    rob = s.get("robustness_accuracy", {})
    conds = list(dict.fromkeys(c for r in rob.values() for c in r))
    tabs = [table("Emotion on held-out signers (higher is better)",
                  [("model", "model", "str"), ("accuracy", "accuracy", "pct"), ("macro_f1", "macro-F1", "f2")], rows,
                  note=f"{s['n_test']} test and {s['n_train']} training clips; classes: {', '.join(s['classes'])}.")]
    if rob:   # one row per condition, one column per fusion model (narrow enough for half a page)
        fus = list(rob)
        rows = [{"cond": "all streams", **{fu: s["rows"].get(fu, {}).get("accuracy") for fu in fus}, "_class": "baseline"}]
        rows += [{"cond": c.replace("_", " "), **{fu: rob[fu].get(c) for fu in fus}} for c in conds]
        tabs.append(table("Robustness: fusion accuracy with one modality zeroed (a dead sensor) or dropped (masked)",
                          [("cond", "test condition", "str")] + [(fu, fu.replace("_", " "), "pct") for fu in fus],
                          rows))
    return tabs
