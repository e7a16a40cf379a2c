"""Signer-independent recognition on real webcam recordings: leave-one-signer-out on traduttore.

Run:  nice .venv/bin/python benchmarks/bench_real_signers.py [--cache /tmp/signfuse-real-signers]
      [--datasets words_258,letters_126] [--models all] [--settings "epochs=12,lr=2e-3"]

Reads ``../shared/data/real/traduttore/{words_258,letters_126}.npz`` (3 signers; see its README; nothing
is copied here) and skips a file that is absent. Each array dataset is cached once with the library's
stream cache (``--cache``, outside the repository; 30 frames/s, since the arrays carry no rate;
hands + body for the 258-d words, hands for the 126-d letters; no mirrored twins).

Protocol, the same for every model: fold = one test signer (``test_signers=[s]``, the split
``train --folds loso`` uses), training on the other two, validation = a seeded 15% of the training
signers' samples (:func:`signfuse.train.fit.held_out_splits`; a whole-signer validation split would
leave one signer to train on). Each setting is trained per fold, selected by validation accuracy only,
and the test signer is evaluated once per setting; the table shows the selected setting's test scores,
and the number of settings tried is printed. Test samples whose label the training signers never made
cannot be scored and are counted apart.

Models: every recognition model in :func:`signfuse.models.list_models` with its registry default size,
and a linear baseline: scikit-learn logistic regression on the mean and standard deviation over time
of the same normalized per-frame streams (standardized; C chosen on validation from 0.1, 1, 10).

Writes ``benchmarks/results/real_signers.md`` (and ``real_signers.json`` beside it).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import collections  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, nproc, utc_stamp, write_result  # noqa: E402

REAL = ROOT.parent / "shared" / "data" / "real" / "traduttore"
RESULTS = ROOT / "benchmarks" / "results"
DATASETS = {"words_258": "hands,body", "letters_126": "hands"}
LINEAR_C = (0.1, 1.0, 10.0)


def load_avg() -> str:
    try:
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime


def parse_settings(spec: str) -> list[dict]:
    """``"epochs=12,lr=2e-3;epochs=20,lr=1e-3"`` -> list of override dicts."""
    from signfuse.train.fit import _parse_value

    out = []
    for part in spec.split(";"):
        if part.strip():
            out.append({k.strip(): _parse_value(v.strip()) for k, v in (kv.split("=", 1) for kv in part.split(","))})
    return out


def pooled(cache, indices, streams) -> np.ndarray:
    """Mean and std over valid frames of each normalized stream (missing values as 0), concatenated."""
    rows = []
    for i in indices:
        v, m = cache[i]
        feats = []
        for s in streams:
            x = np.nan_to_num(np.asarray(v[s], np.float64))
            mk = np.asarray(m[s], bool)
            x = x[mk] if mk.any() else np.zeros((1, x.shape[1]))
            feats += [x.mean(0), x.std(0)]
        rows.append(np.concatenate(feats))
    return np.asarray(rows)


def scores_of(y, proba_cols, proba, ks=(1, 5)):
    """top-k (per instance and per class) from class probabilities whose columns are ``proba_cols``."""
    from signfuse.train.metrics import classification_metrics

    return classification_metrics(proba, np.array([proba_cols.index(t) for t in y]), ks=ks)


def linear_fold(bundle, streams) -> dict:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    c = bundle.cache

    def lab(idx):
        return [str(c.records[i]["gloss"]) for i in idx]

    Xtr, ytr = pooled(c, bundle.splits["train"], streams), lab(bundle.splits["train"])
    Xva, yva = pooled(c, bundle.splits["val"], streams), lab(bundle.splits["val"])
    Xte, yte = pooled(c, bundle.splits["test"], streams), lab(bundle.splits["test"])
    tried = []
    for C in LINEAR_C:
        clf = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000))
        clf.fit(Xtr, ytr)
        cols = list(clf.classes_)
        va = scores_of(yva, cols, clf.predict_proba(Xva))["top1"]
        te = scores_of(yte, cols, clf.predict_proba(Xte))
        te["pred"] = [cols[k] for k in clf.predict_proba(Xte).argmax(1)]
        tried.append({"setting": f"C={C:g}", "val_acc": va, **te})
    best = max(tried, key=lambda r: r["val_acc"])
    return {**best, "truth": yte, "settings_tried": len(tried)}


def model_fold(name, fold_cfg, bundle, settings) -> dict:
    from signfuse.models.recognizer import load_checkpoint
    from signfuse.train.evaluate import predict
    from signfuse.train.fit import fit
    from signfuse.train.metrics import classification_metrics

    tried = []
    for k, st in enumerate(settings):
        cfg = dict(fold_cfg, model=name, run_dir=str(Path(fold_cfg["run_dir"]) / f"{name}_s{k}"), **st)
        t0 = time.perf_counter()
        res = fit(cfg, bundle=bundle)
        rec = load_checkpoint(res.best or res.last)
        p = predict(rec, bundle.cache, bundle.splits["test"])
        te = classification_metrics(p["scores"], p["labels"], ks=(1, 5))
        te["pred"] = [rec.vocab[j] for j in p["scores"].argmax(1)]
        te["truth"] = [rec.vocab[j] for j in p["labels"]]
        tried.append(
            {
                "setting": ",".join(f"{a}={b}" for a, b in st.items()) or "defaults",
                "val_acc": float(res.metrics.get("val_acc", float("nan"))),
                "train_s": time.perf_counter() - t0,
                "epochs_run": res.metrics.get("epochs_run"),
                **te,
            }
        )
        print(
            f"    {name} {tried[-1]['setting']}: val {tried[-1]['val_acc']:.3f} test {te['top1']:.3f} "
            f"({tried[-1]['train_s']:.0f} s, load {load_avg()})",
            flush=True,
        )
    best = max(tried, key=lambda r: r["val_acc"])
    return {
        **best,
        "settings_tried": len(tried),
        "all": [{k: v for k, v in r.items() if k not in ("pred", "truth")} for r in tried],
    }


def coverage(cache, bundle) -> dict[str, int]:
    """For each label of the fold's scored test samples: how many training signers made it."""
    recs = cache.records
    by: dict[str, set] = collections.defaultdict(set)
    for i in bundle.splits["train"]:
        by[str(recs[i]["gloss"])].add(str(recs[i]["signer"]))
    return {str(recs[i]["gloss"]): len(by[str(recs[i]["gloss"])]) for i in bundle.splits["test"]}


def by_coverage(r: dict, cov: dict[str, int]) -> str:
    """Test top-1 on labels made by 1 and by 2+ training signers."""
    out = []
    for name, keep in (("1 training signer", lambda c: c == 1), ("2+", lambda c: c >= 2)):
        hits = [t == p for t, p in zip(r["truth"], r["pred"]) if keep(cov.get(t, 0))]
        out.append(f"{name}: {100 * np.mean(hits):.1f}% of {len(hits)}" if hits else f"{name}: -")
    return ", ".join(out)


def confusions(truth, pred, top=4) -> str:
    c = collections.Counter((t, p) for t, p in zip(truth, pred) if t != p)
    return ", ".join(f"`{t}`->`{p}` x{n}" for (t, p), n in c.most_common(top)) or "none"


def render(ds, cache, streams, signers, per, models, md_ds) -> None:
    """The markdown section of one dataset from the folds done so far (``md_ds`` is replaced)."""
    md_ds.clear()
    per = {m: rows for m, rows in per.items() if rows}
    models = [m for m in models if m in per]
    n_lin = len(per["linear"])
    per = {m: rows[:n_lin] if m == "linear" else rows for m, rows in per.items()}
    folds0 = per["linear"]
    md_ds += [
        f"## {ds} ({len(cache.records)} sequences, {len(cache.names[streams.split(',')[0]])}-d hands"
        + (", body" if "body" in streams else "")
        + f", signers {', '.join(signers)})",
        "",
        "| fold (test signer) | train | val | test scored | unseen (labels) | scored labels only one training signer made |",
        "|---|---:|---:|---:|---|---|",
    ]
    md_ds += [
        f"| {f['test_signer']} | {f['train']} | {f['val']} | {f['test']} | {f['unseen']}"
        f" ({', '.join(f'`{x}`' for x in f['unseen_labels']) or 'none'}) | "
        f"{', '.join(f'`{x}`' for x in f['one_signer_labels']) or 'none'} |"
        for f in folds0
    ]
    md_ds += [
        "",
        "| model | "
        + " | ".join(f"top-1 {f['test_signer']}" for f in folds0)
        + " | mean top-1 (std) | mean top-5 | mean per-class top-1 | mean per-class top-5 | >= linear on every fold |",
        "|---|" + "---:|" * len(folds0) + "---:|---:|---:|---:|---|",
    ]
    lin = [r["top1"] for r in per["linear"]]
    for m, rows in per.items():
        t1 = [r["top1"] for r in rows]
        ge = "-" if m == "linear" else ("yes" if all(a >= b for a, b in zip(t1, lin)) else "no")
        md_ds.append(
            f"| {m} | "
            + " | ".join(f"{100 * v:.1f}%" for v in t1)
            + f" | {100 * np.mean(t1):.1f}% ({100 * np.std(t1):.1f}) | {100 * np.mean([r['top5'] for r in rows]):.1f}%"
            f" | {100 * np.mean([r['top1_per_class'] for r in rows]):.1f}%"
            f" | {100 * np.mean([r['top5_per_class'] for r in rows]):.1f}% | {ge} |"
        )
    md_ds += [
        "",
        "Selected setting per fold (validation accuracy), and the most frequent test confusions (truth->predicted):",
        "",
    ]
    for m, rows in per.items():
        md_ds.append(
            f"- **{m}**: "
            + "; ".join(
                f"{r['test_signer']}: {r['setting']} (val {100 * r['val_acc']:.1f}%), {confusions(r['truth'], r['pred'])}"
                f"; top-1 by label coverage: {by_coverage(r, r['coverage'])}"
                for r in rows
            )
        )
    goal = [
        m
        for m in models
        if all(a >= b for a, b in zip([r["top1"] for r in per[m]], lin))
        and np.mean([r["top1"] for r in per[m]]) >= 0.97
    ]
    md_ds += [
        "",
        f"Goal (every registry model >= linear on every fold and >= 97% mean top-1): "
        f"{'met' if len(goal) == len(models) else 'not met'}; met by {', '.join(goal) or 'none'}.",
        "",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=Path("/tmp/signfuse-real-signers"))
    ap.add_argument("--datasets", default="words_258,letters_126")
    ap.add_argument("--models", default="all", help="comma-separated recognition models, or all")
    ap.add_argument(
        "--settings",
        default="epochs=12,lr=2e-3",
        help='training settings tried per model and fold, ";"-separated, e.g. "epochs=12;epochs=20,lr=1e-3"',
    )
    ap.add_argument("--folds", default=None, help="only these test signers (comma-separated; default: all)")
    ap.add_argument("--out", type=Path, default=RESULTS / "real_signers.md")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("signfuse.preprocess").setLevel(logging.ERROR)
    for noisy in ("lightning", "lightning.pytorch", "lightning.fabric"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    if not REAL.is_dir():
        sys.exit(f"skipped: {REAL} not found (the real data lives only in the signfuse workplace)")
    import torch

    torch.set_num_threads(1)
    from signfuse.models import list_models
    from signfuse.train.fit import (
        check_signer_independent,
        fold_signers,
        open_cache_or_build,
        prepare_data,
        resolve_config,
    )

    models = list_models("recognition") if args.models == "all" else [m for m in args.models.split(",") if m]
    settings = parse_settings(args.settings)
    t_start, c_start, load_start = time.perf_counter(), cpu_s(), load_avg()
    cmd = "benchmarks/bench_real_signers.py " + " ".join(sys.argv[1:])
    md = [
        "# Leave-one-signer-out recognition on real webcam data (traduttore)",
        "",
        f"`nice python {cmd}` on {machine(cpus=nproc(drop_env='OMP_'))} ({utc_stamp()}), one torch thread. "
        f"The machine was shared with other engineers' jobs (load average at the start {load_start} on 2 "
        "cores), so timings are slow and noisy; accuracies do not depend on the load.",
        "",
        "Protocol: each fold holds one signer out as the test split (`train --folds loso` / "
        "`--test-signers`), trains on the other two, and validates on a seeded 15% of their samples. "
        f"Settings tried per model and fold: {len(settings)} (`{args.settings}`) for the neural models, "
        f"{len(LINEAR_C)} (C = {', '.join(f'{c:g}' for c in LINEAR_C)}) for the linear baseline; each chosen "
        "on validation accuracy only, each fold's test signer evaluated once per setting. Neural models use "
        "their registry default sizes (`model_kwargs` empty), AdamW, label smoothing 0.1, augmentation on, "
        "no mirrored twins. Linear baseline: logistic regression on the mean and std over time of the same "
        "normalized streams. Test samples whose label the training signers never made are not scored "
        "(listed as unseen).",
        "",
    ]
    report: dict = {"command": cmd, "settings": settings, "datasets": {}}
    for ds in [d for d in args.datasets.split(",") if d]:
        path = REAL / f"{ds}.npz"
        if not path.is_file():
            md += [f"## {ds}", "", f"skipped: {path} not found", ""]
            continue
        streams = DATASETS[ds]
        base = resolve_config(
            None,
            {
                "data": str(path),
                "streams": streams,
                "fps": 30,
                "mirror": False,
                "cache_dir": str(args.cache),
                "progress": False,
                "seed": 0,
                "accelerator": "cpu",
                "threads": 1,
                "patience": 6,
                "run_dir": str(args.cache / "runs" / ds),
                "overwrite": True,
            },
        )
        cache = open_cache_or_build(base)
        signers = fold_signers(base, cache)
        if args.folds:
            signers = [s for s in signers if s in args.folds.split(",")]
        print(f"{ds}: {len(cache.records)} samples, signers {signers}", flush=True)
        per: dict[str, list[dict]] = {m: [] for m in ["linear"] + models}
        md_ds: list[str] = []
        for s in signers:
            fold_cfg = dict(base, test_signers=[s], run_dir=str(args.cache / "runs" / ds / f"fold_{s}"))
            bundle = prepare_data(fold_cfg, cache=cache)
            check_signer_independent(cache.records, bundle.splits)
            un = bundle.unseen.get("test", {"count": 0, "labels": []})
            cov = coverage(cache, bundle)
            fold_info = {
                "test_signer": s,
                "train": len(bundle.splits["train"]),
                "val": len(bundle.splits["val"]),
                "test": len(bundle.splits["test"]),
                "unseen": un["count"],
                "unseen_labels": un["labels"],
                "one_signer_labels": sorted(k for k, v in cov.items() if v == 1),
                "coverage": cov,
            }
            print(f"  fold {s}: {fold_info}", flush=True)
            r = linear_fold(bundle, bundle.streams)
            per["linear"].append({**fold_info, **r})
            print(f"    linear {r['setting']}: val {r['val_acc']:.3f} test {r['top1']:.3f}", flush=True)
            for m in models:
                per[m].append({**fold_info, **model_fold(m, fold_cfg, bundle, settings)})
            render(ds, cache, streams, signers, per, models, md_ds)
            write_result(args.out, "\n".join(md + md_ds + ["(run in progress: folds still to come)", ""]))
        report["datasets"][ds] = {
            m: [{k: v for k, v in r.items() if k not in ("pred", "truth", "coverage")} for r in rows]
            for m, rows in per.items()
        }
        md += md_ds
        write_result(args.out, "\n".join(md + ["(run in progress)", ""]))
        write_result(args.out.with_suffix(".json"), json.dumps(report, indent=1, default=float))
    wall, cpu = time.perf_counter() - t_start, cpu_s() - c_start
    md += [
        f"Wall time {wall / 60:.1f} min, CPU time {cpu / 60:.1f} min (this process and its children); load "
        f"average at the start {load_start}, at the end {load_avg()} (2 cores shared).",
        "",
    ]
    write_result(args.out, "\n".join(md))
    report.update(wall_s=wall, cpu_s=cpu, load_start=load_start, load_end=load_avg())
    write_result(args.out.with_suffix(".json"), json.dumps(report, indent=1, default=float))
    print(f"wrote {args.out} in {wall:.0f} s wall, {cpu:.0f} s CPU", flush=True)


if __name__ == "__main__":
    main()
