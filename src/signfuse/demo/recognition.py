"""Demo stage "recognition": train, evaluate, ablate, adapt and export on the embedded synthetic corpus.

Budget: about 6 minutes on 2 CPU cores for the full corpus (40 signs, 8 signers, 200 sentences), a few
tens of seconds with ``ctx.quick``. Every number in the summary is measured in this run.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["stage", "SETTINGS"]

log = logging.getLogger(__name__)

SETTINGS = {
    "full": {"epochs": 12, "ablation_epochs": 12, "adapt_epochs": 12, "ctc_epochs": 40, "dim": 64, "batch_size": 32,
             "max_frames": 32, "ablation": "hands;hands,body;hands,face;hands,body,face;hands,body,face,au",
             "adapt_methods": ("none", "instance", "adain", "adversarial", "finetune"), "k_shot": 2},
    "quick": {"epochs": 2, "ablation_epochs": 1, "adapt_epochs": 1, "ctc_epochs": 2, "dim": 16, "batch_size": 16,
              "max_frames": 24, "ablation": "hands;hands,body,face", "adapt_methods": ("none", "adain"), "k_shot": 1},
}


def _curve(run_dir: Path, path: Path, title: str) -> Path | None:
    from .. import viz
    from ..io import save_figure
    f = run_dir / "csv" / "metrics.csv"
    if not f.is_file():
        return None
    return save_figure(viz.training_curve(f, title=title), path)


def _latency(onnx_path: Path, streams, dims, *, frames: int = 64, n: int = 50) -> dict:
    from ..inference.onnx import onnx_session
    sess = onnx_session(onnx_path, threads=1)
    rng = np.random.default_rng(0)
    feeds = {s: rng.normal(size=(1, frames, dims[s])).astype(np.float32) for s in streams}
    for _ in range(5):
        sess.run(None, feeds)
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        sess.run(None, feeds)
        ts.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": round(float(np.percentile(ts, 50)), 3), "p95_ms": round(float(np.percentile(ts, 95)), 3)}


def stage(ctx) -> dict[str, Any]:
    """Train/evaluate isolated and continuous models, ablate streams, compare adaptation, export ONNX."""
    import torch

    from .. import viz
    from ..io import save_figure
    from ..train.ablate import ablate
    from ..train.adapt import adapt
    from ..models.recognizer import load_checkpoint
    from ..train.evaluate import evaluate
    from ..inference.export import export_onnx
    from ..train.fit import fit, prepare_data, resolve_config

    S = SETTINGS["quick" if ctx.quick else "full"]
    out = ctx.stage_dir("recognition")
    corpus = ctx.corpus_dir
    if not (corpus / "corpus.json").is_file():
        from ..datasets import synthetic
        ctx.progress("recognition: generating a corpus (the corpus stage did not run)")
        size = (dict(signs=8, signers=4, sentences=6, samples_per_sign_per_signer=1) if ctx.quick
                else dict(signs=40, signers=8, sentences=200, samples_per_sign_per_signer=2))
        synthetic.generate_corpus(corpus, seed=ctx.seed, **size)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small matrices: a second thread buys little and makes timings noisy
    t_all = time.perf_counter()
    summary: dict[str, Any] = {"quick": ctx.quick}
    try:
        base = {"data": str(corpus), "model": "hybrid", "seed": ctx.seed, "epochs": S["epochs"],
                "batch_size": S["batch_size"], "max_frames": S["max_frames"], "model_kwargs": {"dim": S["dim"]},
                "cache_dir": str(out / "cache"), "progress": False, "patience": 100, "lr": 3e-3}
        ab_sets = S["ablation"]
        union = ",".join(dict.fromkeys(s for st in ab_sets.split(";") for s in st.split(",")))
        # ---------------------------------------------------------------- isolated
        ctx.progress("recognition: caching the isolated corpus")
        t0 = time.perf_counter()
        cfg = resolve_config(base, {"streams": union, "run_dir": str(out / "isolated")})
        bundle_all = prepare_data(cfg)
        main_streams = ("hands", "body", "face")
        bundle = replace(bundle_all, streams=main_streams, stats={s: bundle_all.stats[s] for s in main_streams})
        summary["data"] = {"isolated_train": len(bundle.splits["train"]), "isolated_val": len(bundle.splits["val"]),
                           "isolated_test": len(bundle.splits["test"]), "classes": len(bundle.vocab),
                           "cache_seconds": round(time.perf_counter() - t0, 1),
                           "test_signers": sorted({str(bundle.cache.records[i]["signer"]) for i in bundle.splits["test"]})}
        ctx.progress("recognition: training the isolated model")
        t0 = time.perf_counter()
        cfg_main = dict(cfg, streams=",".join(main_streams))
        res = fit(cfg_main, bundle=bundle)
        rec = load_checkpoint(res.best or res.last)
        m = evaluate(rec, bundle.cache, bundle.splits["test"], out_dir=out / "isolated" / "eval", domains=bundle.domains)
        summary["isolated"] = {k: m[k] for k in ("top1", "top5", "top1_per_class", "top5_per_class", "minimal_pair_top1",
                                                 "non_pair_top1", "per_domain_top1", "n")}
        summary["isolated"]["train_seconds"] = round(time.perf_counter() - t0, 1)
        summary["isolated"]["params"] = int(sum(p.numel() for p in rec.model.parameters()))
        ctx.figure(m["figure"], "Isolated recognition on held-out signers: confusion matrix (hybrid, hands+body+face)")
        c = _curve(res.run_dir, out / "isolated" / "curve.png", "isolated hybrid: training curve")
        if c:
            ctx.figure(c, "Isolated hybrid model: training loss, validation loss and accuracy per epoch")
        # ---------------------------------------------------------------- export
        ctx.progress("recognition: exporting to ONNX")
        info = export_onnx(rec, out / "isolated" / "model.onnx")
        info.update(_latency(Path(info["path"]), rec.streams, rec.model.in_dims))
        summary["export"] = {k: info[k] for k in ("bytes", "max_abs_diff", "p50_ms", "p95_ms")}
        # ---------------------------------------------------------------- ablation
        ctx.progress("recognition: stream ablation")
        t0 = time.perf_counter()
        ab = ablate(dict(cfg, epochs=S["ablation_epochs"]), ab_sets, out / "ablation", bundle=bundle_all,
                    pretrained={",".join(main_streams): rec} if S["ablation_epochs"] == S["epochs"] else None)
        summary["ablation"] = ab["rows"]
        summary["ablation_seconds"] = round(time.perf_counter() - t0, 1)
        ctx.figure(ab["figure"], "Stream ablation on held-out signers: all signs vs. minimal pairs that differ only "
                                 "in a non-manual marker (the face matters for those)")
        # ---------------------------------------------------------------- adaptation
        ctx.progress("recognition: cross-region adaptation")
        t0 = time.perf_counter()
        domains = bundle.domains
        src, tgt = ("north", "south") if {"north", "south"} <= set(domains) else (domains[0], domains[-1])
        ad = adapt(dict(cfg_main, epochs=S["adapt_epochs"]), out / "adaptation", source=src, target=tgt,
                   methods=S["adapt_methods"], k_shot=S["k_shot"], bundle=bundle)
        summary["adaptation"] = {k: ad[k] for k in ("source", "target", "k_shot", "train_n", "test_n", "rows")}
        summary["adaptation_seconds"] = round(time.perf_counter() - t0, 1)
        ctx.figure(save_figure(viz.adaptation_bars(ad["rows"], title=f"train on {src}, test on {tgt}"),
                               out / "adaptation" / "adaptation.png"),
                   f"Cross-region adaptation: trained on region {src}, tested on region {tgt}")
        # ---------------------------------------------------------------- continuous
        ctx.progress("recognition: continuous (CTC) model")
        t0 = time.perf_counter()
        cfg_c = resolve_config(base, {"task": "continuous", "streams": "hands,body,face", "epochs": S["ctc_epochs"],
                                      "batch_size": 8, "run_dir": str(out / "continuous"), "lr": 5e-3,
                                      "model_kwargs": {"dim": S["dim"], "downsample": 2}, "label_smoothing": 0.0})
        bc = prepare_data(cfg_c)
        # transfer: the CTC model starts from the isolated model's encoder (same streams and width);
        # from scratch, CTC on this little data stays in the all-blank phase for hundreds of steps
        rc = fit(cfg_c, bundle=bc, init_state=rec.model.state_dict())
        recc = load_checkpoint(rc.best or rc.last)
        held_out = bc.splits["test"] or bc.splits["val"]
        note = "held-out signers" if bc.splits["test"] else "no usable test sentences: evaluated on training sentences"
        if not held_out:
            held_out = bc.splits["train"]
        mc = evaluate(recc, bc.cache, held_out, out_dir=out / "continuous" / "eval", beam=4 if ctx.quick else 8)
        summary["continuous"] = {"wer_greedy": mc["greedy"]["wer"], "wer_beam": mc.get("beam", {}).get("wer"),
                                 "sub": mc["greedy"]["sub"], "del": mc["greedy"]["del"], "ins": mc["greedy"]["ins"],
                                 "n": mc["n"], "too_short": len(mc["too_short"]), "examples": mc["examples"][:2],
                                 "train_seconds": round(time.perf_counter() - t0, 1),
                                 "train_n": len(bc.splits["train"]), "evaluated_on": note,
                                 "init": "encoder from the isolated model"}
        c = _curve(rc.run_dir, out / "continuous" / "curve.png", "continuous hybrid (CTC): training curve")
        if c:
            ctx.figure(c, "Continuous recognition (CTC): training loss, validation loss and WER per epoch")
    finally:
        torch.set_num_threads(threads)
    summary["seconds"] = round(time.perf_counter() - t_all, 1)
    return summary
