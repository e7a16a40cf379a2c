"""Demo stages of recognition on the embedded synthetic corpus: ``recognition`` trains, evaluates and
exports the isolated model; ``ablation``, ``adaptation`` and ``continuous`` start from it (their modules,
:mod:`.ablation`, :mod:`.adaptation`, :mod:`.continuous`, call the functions here), so the runner can run
them side by side on two cores.

``findings`` and ``tables`` serve all four: each reports the parts its summary holds. Every number in a
summary is measured in that run; times are in ``benchmarks/results/demo.md``.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["stage", "SETTINGS", "findings", "tables", "setup", "isolated_data", "isolated_model", "continuous_config"]

log = logging.getLogger(__name__)

SETTINGS = {
    "full": {
        "epochs": 12,
        "ablation_epochs": 12,
        "adapt_epochs": 12,
        "ctc_epochs": 40,
        "dim": 64,
        "batch_size": 32,
        "max_frames": 32,
        "ablation": "hands;hands,body;hands,face;hands,body,face;hands,body,face,au",
        "adapt_methods": ("none", "instance", "adain", "adversarial", "finetune"),
        "k_shot": 2,
    },
    "quick": {
        "epochs": 2,
        "ablation_epochs": 1,
        "adapt_epochs": 1,
        "ctc_epochs": 2,
        "dim": 16,
        "batch_size": 16,
        "max_frames": 24,
        "ablation": "hands;hands,body,face",
        "adapt_methods": ("none", "adain"),
        "k_shot": 1,
    },
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


def _epochs(ctx, what: str):
    """A Lightning callback that reports each finished epoch of ``what`` as a stage message."""
    from ..train.trainer import epoch_callback

    def tell(epoch: int, total: int, m: dict) -> None:
        loss = f", train loss {m['train_loss']:.3f}" if "train_loss" in m else ""
        ctx.progress(f"{what}: epoch {epoch}/{total}{loss}")

    return epoch_callback(tell)


def _every(ctx, what: str, step: int = 50):
    def tell(done: int, total: int | None) -> None:
        if done % step == 0 or done == total:
            ctx.progress(f"{what}: {done} of {total}")

    return tell


@dataclass
class Setup:
    """What the recognition stages share: settings, the base training config, the isolated data."""

    S: dict[str, Any]
    out: Path
    base: dict[str, Any]
    cfg: dict[str, Any]  # the isolated config over the union of the ablation's streams
    ab_sets: str
    main_streams: tuple[str, ...] = ("hands", "body", "face")


def setup(ctx) -> Setup:
    """The recognition stages' settings and configs (generates a corpus when the corpus stage did not run)."""
    from ..train.fit import resolve_config

    S = SETTINGS["quick" if ctx.quick else "full"]
    out = ctx.stage_dir("recognition")
    corpus = ctx.corpus_dir
    if not (corpus / "corpus.json").is_file():
        from ..datasets import synthetic

        ctx.progress("generating a corpus (the corpus stage did not run)")
        size = (
            dict(signs=8, signers=4, sentences=6, samples_per_sign_per_signer=1)
            if ctx.quick
            else dict(signs=40, signers=8, sentences=200, samples_per_sign_per_signer=2)
        )
        synthetic.generate_corpus(corpus, seed=ctx.seed, **size)
    base = {
        "data": str(corpus),
        "model": "hybrid",
        "seed": ctx.seed,
        "epochs": S["epochs"],
        "batch_size": S["batch_size"],
        "max_frames": S["max_frames"],
        "model_kwargs": {"dim": S["dim"]},
        "cache_dir": str(out / "cache"),
        "progress": False,
        "patience": 100,
        "lr": 3e-3,
        "log_every_n_steps": 1,
    }  # every step in metrics.csv: the training curves show the train loss
    ab_sets = S["ablation"]
    union = ",".join(dict.fromkeys(s for st in ab_sets.split(";") for s in st.split(",")))
    cfg = resolve_config(base, {"streams": union, "run_dir": str(out / "isolated")})
    return Setup(S=S, out=out, base=base, cfg=cfg, ab_sets=ab_sets)


def isolated_data(ctx, st: Setup):
    """``(bundle over all ablation streams, bundle over the main streams)``; the first call caches the
    corpus under ``recognition/cache``, later calls (the other recognition stages) read that cache."""
    from ..train.fit import prepare_data

    bundle_all = prepare_data(st.cfg, progress=_every(ctx, "caching the isolated corpus"))
    bundle = replace(bundle_all, streams=st.main_streams, stats={s: bundle_all.stats[s] for s in st.main_streams})
    return bundle_all, bundle


def isolated_model(st: Setup):
    """The ``recognition`` stage's isolated model; a DataError naming the folder when it has not run."""
    from ..errors import DataError
    from ..models.recognizer import load_checkpoint

    ck = st.out / "isolated" / "checkpoints"
    for name in ("best.ckpt", "last.ckpt"):
        if (ck / name).is_file():
            return load_checkpoint(ck / name)
    raise DataError(
        "this stage starts from the recognition stage's isolated model: run that stage first "
        "(signfuse demo --stage recognition --stage ...)",
        path=ck,
    )


def data_summary(st: Setup, bundle) -> dict[str, Any]:
    return {
        "isolated_train": len(bundle.splits["train"]),
        "isolated_val": len(bundle.splits["val"]),
        "isolated_test": len(bundle.splits["test"]),
        "classes": len(bundle.vocab),
        "test_signers": sorted({str(bundle.cache.records[i]["signer"]) for i in bundle.splits["test"]}),
    }


@contextlib.contextmanager
def one_thread():
    """Small matrices: a second torch thread buys little and makes timings noisy."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def stage(ctx) -> dict[str, Any]:
    """Train and evaluate the isolated model on held-out signers, export it to ONNX.

    The stream ablation, the adaptation comparison and the continuous model start from this model; they
    are stages of their own (:mod:`.ablation`, :mod:`.adaptation`, :mod:`.continuous`), so the runner can
    run them side by side.
    """
    from ..inference.export import export_onnx
    from ..models.recognizer import load_checkpoint
    from ..train.evaluate import evaluate
    from ..train.fit import fit

    st = setup(ctx)
    out = st.out
    t_all = time.perf_counter()
    summary: dict[str, Any] = {"quick": ctx.quick}
    with one_thread():
        ctx.progress("caching the isolated corpus")
        t0 = time.perf_counter()
        _, bundle = isolated_data(ctx, st)
        summary["data"] = dict(data_summary(st, bundle), cache_seconds=round(time.perf_counter() - t0, 1))
        ctx.progress("training the isolated model")
        t0 = time.perf_counter()
        cfg_main = dict(st.cfg, streams=",".join(st.main_streams))
        res = fit(cfg_main, bundle=bundle, callbacks=[_epochs(ctx, "isolated model")])
        rec = load_checkpoint(res.best or res.last)
        m = evaluate(
            rec, bundle.cache, bundle.splits["test"], out_dir=out / "isolated" / "eval", domains=bundle.domains
        )
        summary["isolated"] = {
            k: m[k]
            for k in (
                "top1",
                "top5",
                "top1_per_class",
                "top5_per_class",
                "minimal_pair_top1",
                "minimal_pair_n",
                "non_pair_top1",
                "per_domain_top1",
                "n",
            )
        }
        summary["isolated"]["train_seconds"] = round(time.perf_counter() - t0, 1)
        summary["isolated"]["params"] = int(sum(p.numel() for p in rec.model.parameters()))
        ctx.figure(m["figure"], "Isolated recognition on held-out signers: confusion matrix (hybrid, hands+body+face)")
        c = _curve(res.run_dir, out / "isolated" / "curve.png", "isolated hybrid: training curve")
        if c:
            ctx.figure(c, "Isolated hybrid model: training loss, validation loss and accuracy per epoch")
        ctx.progress("exporting to ONNX")
        info = export_onnx(rec, out / "isolated" / "model.onnx")
        info.update(_latency(Path(info["path"]), rec.streams, rec.model.in_dims))
        summary["export"] = {k: info[k] for k in ("bytes", "max_abs_diff", "p50_ms", "p95_ms")}
    summary["seconds"] = round(time.perf_counter() - t_all, 1)
    return summary


def ablation_stage(ctx) -> dict[str, Any]:
    """Stream ablation: the isolated recipe on each stream set (the main set reuses the isolated model)."""
    from ..train.ablate import ablate

    st = setup(ctx)
    with one_thread():
        rec = isolated_model(st)
        bundle_all, bundle = isolated_data(ctx, st)
        t0 = time.perf_counter()
        ab = ablate(
            dict(st.cfg, epochs=st.S["ablation_epochs"]),
            st.ab_sets,
            st.out / "ablation",
            bundle=bundle_all,
            progress=ctx.progress,
            pretrained={",".join(st.main_streams): rec} if st.S["ablation_epochs"] == st.S["epochs"] else None,
        )
    ctx.figure(
        ab["figure"],
        "Stream ablation on held-out signers: all signs vs. minimal pairs that differ only "
        "in a non-manual marker (the face matters for those)",
    )
    return {
        "quick": ctx.quick,
        "data": data_summary(st, bundle),
        "ablation": ab["rows"],
        "ablation_seconds": round(time.perf_counter() - t0, 1),
    }


def adaptation_stage(ctx) -> dict[str, Any]:
    """Cross-region adaptation: train on one region, test on another, with each method."""
    from .. import viz
    from ..io import save_figure
    from ..train.adapt import adapt

    st = setup(ctx)
    with one_thread():
        _, bundle = isolated_data(ctx, st)
        t0 = time.perf_counter()
        domains = bundle.domains
        src, tgt = ("north", "south") if {"north", "south"} <= set(domains) else (domains[0], domains[-1])
        ad = adapt(
            dict(st.cfg, streams=",".join(st.main_streams), epochs=st.S["adapt_epochs"]),
            st.out / "adaptation",
            source=src,
            target=tgt,
            progress=ctx.progress,
            methods=st.S["adapt_methods"],
            k_shot=st.S["k_shot"],
            bundle=bundle,
        )
    ctx.figure(
        save_figure(
            viz.adaptation_bars(
                ad["rows"], title=f"train on {src}, test on {tgt}", chance=1 / max(1, len(bundle.vocab))
            ),
            st.out / "adaptation" / "adaptation.png",
        ),
        f"Cross-region adaptation: trained on region {src}, tested on region {tgt}",
    )
    return {
        "quick": ctx.quick,
        "data": data_summary(st, bundle),
        "adaptation": {k: ad[k] for k in ("source", "target", "k_shot", "train_n", "test_n", "rows")},
        "adaptation_seconds": round(time.perf_counter() - t0, 1),
    }


#: the continuous model's settings, beside the isolated ones, chosen on the validation sentences (3 settings
#: tried, 40 epochs each, one thread): frames strided by 4 before the BiLSTM (``downsample``) and batches of
#: 16 reached 12.7% val WER (best epoch) in 78 s, against 14.6% in 113 s for stride 4 with batches of 8 and
#: 39.4% in about 190 s for stride 2 with batches of 8, the earlier recipe (benchmarks/results/demo.md)
CTC = {"batch_size": 16, "lr": 5e-3, "downsample": 4}


def continuous_config(st: Setup, *, streams: str, run_dir: Path) -> dict[str, Any]:
    """The continuous (CTC) recipe: the isolated base config, sentence batches, a strided encoder."""
    from ..train.fit import resolve_config

    return resolve_config(
        st.base,
        {
            "task": "continuous",
            "streams": streams,
            "epochs": st.S["ctc_epochs"],
            "batch_size": CTC["batch_size"],
            "run_dir": str(run_dir),
            "lr": CTC["lr"],
            "model_kwargs": {"dim": st.S["dim"], "downsample": CTC["downsample"]},
            "label_smoothing": 0.0,
        },
    )


def continuous_stage(ctx) -> dict[str, Any]:
    """Continuous (CTC) recognition of sentences, the encoder started from the isolated model."""
    from ..models.recognizer import load_checkpoint
    from ..train.evaluate import evaluate
    from ..train.fit import fit, prepare_data

    st = setup(ctx)
    out = st.out
    with one_thread():
        rec = isolated_model(st)
        ctx.progress("continuous (CTC) model")
        t0 = time.perf_counter()
        cfg_c = continuous_config(st, streams="hands,body,face", run_dir=out / "continuous")
        bc = prepare_data(cfg_c, progress=_every(ctx, "caching the sentences"))
        # transfer: the CTC model starts from the isolated model's encoder (same streams and width);
        # from scratch, CTC on this little data stays in the all-blank phase for hundreds of steps
        rc = fit(cfg_c, bundle=bc, init_state=rec.model.state_dict(), callbacks=[_epochs(ctx, "continuous model")])
        recc = load_checkpoint(rc.best or rc.last)
        held_out = bc.splits["test"] or bc.splits["val"]
        note = "held-out signers" if bc.splits["test"] else "no usable test sentences: evaluated on training sentences"
        if not held_out:
            held_out = bc.splits["train"]
        mc = evaluate(recc, bc.cache, held_out, out_dir=out / "continuous" / "eval", beam=4 if ctx.quick else 8)
    summary = {
        "quick": ctx.quick,
        "continuous": {
            "wer_greedy": mc["greedy"]["wer"],
            "wer_beam": mc.get("beam", {}).get("wer"),
            "sub": mc["greedy"]["sub"],
            "del": mc["greedy"]["del"],
            "ins": mc["greedy"]["ins"],
            "n": mc["n"],
            "too_short": len(mc["too_short"]),
            "examples": mc["examples"][:2],
            "train_seconds": round(time.perf_counter() - t0, 1),
            "train_n": len(bc.splits["train"]),
            "evaluated_on": note,
            "init": "encoder from the isolated model",
            "downsample": CTC["downsample"],
        },
    }
    c = _curve(rc.run_dir, out / "continuous" / "curve.png", "continuous hybrid (CTC): training curve")
    if c:
        ctx.figure(c, "Continuous recognition (CTC): training loss, validation loss and WER per epoch")
    return summary


def _k(acc: float | None, n: int) -> int:
    return int(round((acc or 0.0) * n))


def _pick_face_pair(rows: list[dict]) -> tuple[dict, dict] | None:
    by = {r["streams"]: r for r in rows}
    for a, b in (("hands,body", "hands,body,face"), ("hands", "hands,face"), ("hands", "hands,body,face")):
        if a in by and b in by:
            return by[a], by[b]
    return None


def findings(s: dict[str, Any], *, quick: bool = False) -> list[dict]:
    """Isolated top-1 against chance, the face's lift on minimal pairs, adaptation, CTC WER, export."""
    from .report import TRUSTED, UNTRUSTED, WEAK, ci_text, finding, proportion, verdict_for

    out = []
    C = s.get("data", {}).get("classes", 0)
    chance = 1.0 / max(C, 1)
    iso = s.get("isolated")
    if iso:
        n = iso["n"]
        p = proportion(_k(iso["top1"], n), n, chance=chance)
        v, why = verdict_for(p, quick=quick)
        out.append(
            finding(
                "recognition",
                f"isolated signs: top-1 {100 * iso['top1']:.1f}% on held-out signers "
                f"({p['k']}/{n}), top-5 {100 * iso['top5']:.1f}%",
                n=n,
                chance=f"{100 * chance:.1f}% (1 of {C} signs)",
                evidence=f"95% interval {ci_text(p)}",
                meaning="a hybrid model on hands, body and face recognizes signs of people it never saw",
                verdict=v,
                why=why,
            )
        )
    pair = _pick_face_pair(s.get("ablation") or [])
    if pair and pair[0].get("minimal_pair_n"):
        a, b = pair
        m = b["minimal_pair_n"]
        pa, pb = proportion(_k(a["minimal_pair_top1"], m), m), proportion(_k(b["minimal_pair_top1"], m), m)
        separated = pa["ci"] and pb["ci"] and pb["ci"][0] > pa["ci"][1]
        lift = (b["minimal_pair_top1"] or 0) - (a["minimal_pair_top1"] or 0)
        if quick:
            v, why = UNTRUSTED, "quick mode: 1-2 epochs on a tiny corpus"
        elif lift <= 0:
            v, why = UNTRUSTED, "the face does not help here"
        elif separated:
            v, why = (WEAK, f"tiny minimal-pair test set (n = {m})") if m < 30 else (TRUSTED, "")
        else:
            v, why = WEAK, f"the 95% intervals overlap ({ci_text(pa)} vs {ci_text(pb)}, n = {m})"
        verb = "lifts" if lift > 0 else "changes"
        out.append(
            finding(
                "recognition",
                f"the face stream {verb} minimal-pair top-1 from {100 * (a['minimal_pair_top1'] or 0):.0f}% "
                f"({a['streams']}) to {100 * (b['minimal_pair_top1'] or 0):.0f}% ({b['streams']})",
                n=m,
                chance=f"{100 * chance:.1f}%; 50% for a model that knows the sign but guesses the marker",
                evidence=f"all signs: {100 * (a['top1'] or 0):.0f}% -> {100 * (b['top1'] or 0):.0f}%",
                meaning="signs that differ only in a head shake or a brow raise need the face; hands alone confuse them",
                verdict=v,
                why=why,
            )
        )
    ad = s.get("adaptation")
    if ad and ad.get("rows"):
        rows = ad["rows"]
        base = next((r for r in rows if r["method"] == "none"), rows[0])
        best = max(rows, key=lambda r: r["top1"])
        nt = base.get("n_test") or ad.get("test_n")
        pb = proportion(_k(best["top1"], nt), nt, chance=chance)
        v, why = verdict_for(pb, quick=quick, what="target-region test set")
        if best is base and v == TRUSTED:
            why = "no adaptation method beats training on the source region alone"
        out.append(
            finding(
                "recognition",
                f"region {ad['source']} -> {ad['target']}: {best['method']} reaches "
                f"{100 * best['top1']:.0f}% top-1 on the target region, against {100 * base['top1']:.0f}% "
                "without adaptation",
                n=nt,
                chance=f"{100 * chance:.1f}%",
                evidence=f"{ad.get('k_shot')} labelled target sample(s) per sign for the few-shot methods; 95% interval "
                f"{ci_text(pb)}",
                meaning="how much of the regional difference in signing style each method recovers",
                verdict=v,
                why=why,
            )
        )
    c = s.get("continuous")
    if c:
        trained_on_test = "training" in (c.get("evaluated_on") or "")
        why = []
        if quick:
            why.append("quick mode")
        if trained_on_test:
            why.append("evaluated on training sentences (no usable held-out sentence)")
        if c["n"] < 10:
            why.append(f"tiny test set (n = {c['n']} sentences)")
        bad = quick or trained_on_test or (c["wer_greedy"] is not None and c["wer_greedy"] >= 1.0)
        if c["wer_greedy"] is not None and c["wer_greedy"] >= 1.0:
            why.append("WER of 100% or more: no better than outputting nothing")
        out.append(
            finding(
                "recognition",
                f"continuous signing (CTC): WER {100 * c['wer_greedy']:.0f}% greedy"
                + (f", {100 * c['wer_beam']:.0f}% with beam search" if c.get("wer_beam") is not None else ""),
                n=f"{c['n']} sentences",
                chance="100% WER for an empty output",
                evidence=f"substitutions {100 * c['sub']:.0f}%, deletions {100 * c['del']:.0f}%, "
                f"insertions {100 * c['ins']:.0f}%; trained on {c['train_n']} sentences",
                meaning="sentence-level recognition without word boundaries, from an encoder pretrained on isolated signs",
                verdict=UNTRUSTED if bad else (WEAK if why else TRUSTED),
                why="; ".join(why),
            )
        )
    e = s.get("export")
    if e:
        ok = e["max_abs_diff"] <= 1e-4
        out.append(
            finding(
                "recognition",
                f"the ONNX export matches PyTorch (max difference {e['max_abs_diff']:.1e}) "
                f"and answers in {e['p50_ms']:.2f} ms (median, one thread)",
                evidence=f"p95 {e['p95_ms']:.2f} ms, {e['bytes'] / 1e3:.0f} kB, 64 frames",
                meaning="the model can run without PyTorch, e.g. in live recognition",
                verdict=TRUSTED if ok else UNTRUSTED,
                why="" if ok else "outputs differ",
            )
        )
    return out


def tables(s: dict[str, Any]) -> list[dict]:
    from .report import table

    d = s.get("data", {})
    C = d.get("classes", 0)
    iso = s.get("isolated")
    tabs = []
    if iso:
        tabs += [
            table(
                "Data (held-out signers: " + ", ".join(d["test_signers"]) + ")",
                [("k", "", "str"), ("v", "", "int")],
                [
                    {"k": "classes", "v": C},
                    {"k": "train samples", "v": d["isolated_train"]},
                    {"k": "validation samples", "v": d["isolated_val"]},
                    {"k": "test samples", "v": d["isolated_test"]},
                ],
            ),
            table(
                "Isolated recognition on held-out signers (higher is better)",
                [("k", "", "str"), ("v", "", "pct")],
                [
                    {"k": "top-1", "v": iso["top1"]},
                    {"k": "top-5", "v": iso["top5"]},
                    {"k": "top-1, mean over classes", "v": iso["top1_per_class"]},
                    {
                        "k": f"top-1 on minimal pairs (n = {iso.get('minimal_pair_n', '?')})",
                        "v": iso["minimal_pair_top1"],
                    },
                    {"k": "top-1 on the other signs", "v": iso["non_pair_top1"]},
                    *({"k": f"top-1, region {r}", "v": v} for r, v in iso["per_domain_top1"].items()),
                    {"k": "chance", "v": 1 / max(C, 1), "_class": "chance"},
                ],
                note=f"n = {iso['n']} test samples; {iso['params']:,} parameters; trained in {iso['train_seconds']:.0f} s.",
            ),
        ]
    ab = s.get("ablation") or []
    if ab:
        best = max(ab, key=lambda r: r["minimal_pair_top1"] or 0)
        tabs.append(
            table(
                "Stream ablation: top-1 on held-out signers (higher is better)",
                [
                    ("streams", "streams", "str"),
                    ("top1", "all signs", "pct"),
                    ("minimal_pair_top1", "minimal pairs", "pct"),
                    ("non_pair_top1", "other signs", "pct"),
                    ("top5", "top-5", "pct"),
                ],
                [dict(r, _class="best" if r is best else "") for r in ab]
                + [
                    {
                        "streams": "chance",
                        "top1": 1 / max(C, 1),
                        "minimal_pair_top1": 1 / max(C, 1),
                        "non_pair_top1": 1 / max(C, 1),
                        "top5": min(1.0, 5 / max(C, 1)),
                        "_class": "chance",
                    }
                ],
                note=f"n = {ab[0]['n']} test samples, {ab[0].get('minimal_pair_n')} of them minimal pairs.",
            )
        )
    ad = s.get("adaptation")
    if ad:
        best = max(ad["rows"], key=lambda r: r["top1"])
        tabs.append(
            table(
                f"Adaptation: trained on region {ad['source']}, tested on {ad['target']} (higher is better)",
                [
                    ("method", "method", "str"),
                    ("top1", "target top-1", "pct"),
                    ("source_top1", "source top-1", "pct"),
                    ("notes", "notes", "str"),
                ],
                [
                    dict(r, _class="best" if r is best else ("baseline" if r["method"] == "none" else ""))
                    for r in ad["rows"]
                ]
                + [{"method": "chance", "top1": 1 / max(C, 1), "_class": "chance"}],
                note=f"{ad['train_n']} training samples, {ad['test_n']} target test samples, "
                f"{ad['k_shot']} labelled target sample(s) per sign for few-shot methods.",
            )
        )
    c = s.get("continuous")
    if c:
        tabs.append(
            table(
                "Continuous recognition (CTC; lower is better)",
                [("k", "", "str"), ("v", "", "pct")],
                [
                    {"k": "WER, greedy", "v": c["wer_greedy"]},
                    {"k": "WER, beam search", "v": c["wer_beam"]},
                    {"k": "substitutions", "v": c["sub"]},
                    {"k": "deletions", "v": c["del"]},
                    {"k": "insertions", "v": c["ins"]},
                ],
                note=f"{c['n']} sentences ({c['evaluated_on']}); {c['train_n']} training sentences; {c['init']}.",
            )
        )
        ex = [
            {"id": e["id"], "ref": " ".join(e["ref"]), "hyp": " ".join(e["hyp"]) or "(nothing)"}
            for e in c.get("examples", [])
        ]
        if ex:
            tabs.append(
                table(
                    "Example sentences",
                    [("id", "sentence", "str"), ("ref", "reference", "str"), ("hyp", "recognized (greedy)", "str")],
                    ex,
                )
            )
    e = s.get("export")
    if e:
        tabs.append(
            table(
                "ONNX export",
                [("k", "", "str"), ("v", "", "str")],
                [
                    {"k": "size", "v": f"{e['bytes'] / 1e3:.0f} kB"},
                    {"k": "max |ONNX - PyTorch|", "v": f"{e['max_abs_diff']:.1e}"},
                    {
                        "k": "latency p50 / p95 (64 frames, one thread)",
                        "v": f"{e['p50_ms']:.2f} / {e['p95_ms']:.2f} ms",
                    },
                ],
            )
        )
    return tabs
