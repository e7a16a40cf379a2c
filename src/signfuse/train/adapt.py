"""Cross-region adaptation: train on region A, test on region B.

Methods (same seed, model and streams for all):

- ``none``: train on A, test on B as is.
- ``instance``: per-sequence instance normalization of every stream in training and test (removes each
  sequence's own offset and spread; also removes some sign information, e.g. location).
- ``adain``: train on A; re-style every B sequence to A's statistics,
  ``AdaIN(x) = sd_A (x - mean_B) / sd_B + mean_A`` with per-feature domain statistics (B's come from
  its unlabeled samples, so this is transductive but uses no B labels).
- ``adversarial``: train on labelled A plus unlabelled B with a gradient-reversal domain classifier.
- ``finetune``: start from ``none``'s weights and fine-tune (learning rate / 10) on ``k`` labelled B
  samples per class, replayed beside A's training data with equal weight (on the shots alone the model
  forgets what they do not show).

B's samples are split by signer: the fine-tune pool comes from one B signer, the test set is the others
(all B signers are test signers when B has only one signer, minus the fine-tune samples).
``cfg['test_signers']`` names the B signers to test on (the pool then comes from the other B signers);
``cfg['folds'] == "loso"`` runs the comparison once per B signer as the test signer
(``OUT_DIR/fold_<signer>``, with ``folds.json`` / ``folds.md``: each method's top-1 per fold, mean, std).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError, ParameterError
from ..models.adain import domain_stats, instance_norm

__all__ = ["METHODS", "adapt", "adaptation_table"]

log = logging.getLogger(__name__)

METHODS = ("none", "instance", "adain", "adversarial", "finetune")


def adaptation_table(
    rows: Sequence[Mapping[str, Any]], *, source: str = "A", target: str = "B", classes: int | None = None
) -> str:
    """A markdown table of top-1 on the target region and on the source's validation split (higher is
    better: ↑), under the region names; with ``classes``, a last row with the chance level."""
    lines = [f"| method | top-1 on {target} ↑ | top-1 on {source} (val) ↑ | notes |", "|---|---|---|---|"]
    for r in rows:
        a = "-" if r.get("source_top1") is None else f"{100 * r['source_top1']:.1f}%"
        lines.append(f"| {r['method']} | {100 * r['top1']:.1f}% | {a} | {r.get('notes', '')} |")
    if classes:
        lines.append(f"| chance | {100 / classes:.1f}% | {100 / classes:.1f}% | {classes} classes, uniform guess |")
    return "\n".join(lines)


def adapt(
    cfg: Mapping[str, Any],
    out_dir: str | os.PathLike[str],
    *,
    source: str | None = None,
    target: str | None = None,
    methods: Sequence[str] = METHODS,
    k_shot: int = 2,
    finetune_epochs: int | None = None,
    progress: Callable[[str], None] | None = None,
    bundle=None,
) -> dict:
    """Run the adaptation comparison; writes ``adaptation.json`` and ``adaptation.md`` into ``out_dir``."""
    from ..models.recognizer import load_checkpoint
    from .evaluate import evaluate
    from .fit import fit, prepare_data

    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ParameterError(f"unknown adaptation methods {unknown}; known: {list(METHODS)}")
    if cfg["task"] != "isolated":
        raise ParameterError("adapt compares isolated recognition; use task=isolated")
    if k_shot < 1:
        raise ParameterError(f"k_shot={k_shot} must be >= 1")
    if cfg.get("folds") == "loso":
        return _adapt_folds(
            cfg,
            out_dir,
            source=source,
            target=target,
            methods=methods,
            k_shot=k_shot,
            finetune_epochs=finetune_epochs,
            progress=progress,
        )
    test_signers = [str(x) for x in (cfg.get("test_signers") or [])]
    # the region split decides train and test here: the vocabulary comes from every labelled sample
    bundle = bundle or prepare_data(dict(cfg, test_signers=None, folds=None))
    recs = bundle.cache.records
    labelled = [
        i
        for i, r in enumerate(recs)
        if r.get("gloss") is not None
        and str(r["gloss"]) in bundle.vocab._map
        and not (r.get("meta") or {}).get("mirror_of")
    ]
    twins = {
        (r.get("meta") or {}).get("mirror_of"): i for i, r in enumerate(recs) if (r.get("meta") or {}).get("mirror_of")
    }
    domains = sorted({str(recs[i]["domain"]) for i in labelled if recs[i].get("domain")})
    if len(domains) < 2:
        raise DataError(f"adaptation needs at least two domains (regions); the dataset has {domains}")
    source = source or domains[0]
    target = target or (domains[1] if source == domains[0] else domains[0])
    if source == target:
        raise ParameterError(
            f"source={source!r} and target={target!r} are the same region: adaptation "
            "trains on one region and tests on another"
        )
    for d in (source, target):
        if d not in domains:
            raise ParameterError(f"domain {d!r} is not in the dataset; domains: {domains}")
    A = [i for i in labelled if str(recs[i]["domain"]) == source]
    B = [i for i in labelled if str(recs[i]["domain"]) == target]
    rng = np.random.default_rng(int(cfg["seed"]))
    a_signers = sorted({str(recs[i]["signer"]) for i in A})
    val_signer = a_signers[int(rng.integers(len(a_signers)))] if len(a_signers) > 1 else None
    A_val = [i for i in A if str(recs[i]["signer"]) == val_signer] if val_signer else A[::5]
    A_tr = [i for i in A if i not in set(A_val)]
    if cfg.get("mirror"):
        A_tr = A_tr + [twins[recs[i]["id"]] for i in A_tr if recs[i]["id"] in twins]
    b_signers = sorted({str(recs[i]["signer"]) for i in B})
    if test_signers:
        bad = [x for x in test_signers if x not in b_signers]
        if bad:
            raise ParameterError(
                f"test_signers {bad} are not signers of the target region {target!r}; "
                f"its signers: {', '.join(b_signers)}"
            )
        others = [x for x in b_signers if x not in test_signers]
        pool_signer = others[int(rng.integers(len(others)))] if others else test_signers[0]
    else:
        pool_signer = b_signers[int(rng.integers(len(b_signers)))]
    pool = [i for i in B if str(recs[i]["signer"]) == pool_signer]
    shots: list[int] = []
    by_class: dict[str, list[int]] = {}
    for i in pool:
        by_class.setdefault(str(recs[i]["gloss"]), []).append(i)
    for _g, idx in sorted(by_class.items()):
        if "finetune" in methods:
            shots += [idx[j] for j in rng.permutation(len(idx))[:k_shot]]
    if test_signers:
        B_test = [i for i in B if str(recs[i]["signer"]) in test_signers and i not in set(shots)]
    elif len(b_signers) > 1:
        B_test = [i for i in B if str(recs[i]["signer"]) != pool_signer]
    else:
        B_test = [i for i in B if i not in set(shots)]
    if test_signers:  # a held-out signer who also signed in the source region trains on nothing
        A_tr = [i for i in A_tr if str(recs[i]["signer"]) not in test_signers]
    shared = set(map(str, (recs[i]["signer"] for i in A_tr))) & set(map(str, (recs[i]["signer"] for i in B_test)))
    if shared:
        if test_signers:
            raise DataError(f"signers {sorted(shared)} are in both the source training data and the target test data")
        log.warning("signers %s are in both the source training data and the target test data", sorted(shared)[:5])
    if not A_tr or not B_test:
        raise DataError(
            f"empty split: {len(A_tr)} training samples in {source}, {len(B_test)} test samples in {target}"
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    streams = bundle.streams

    def stats_of(indices):
        st = {}
        for s in streams:
            arrs, masks = zip(*[(bundle.cache[i][0][s], bundle.cache[i][1][s]) for i in indices])
            st[s] = domain_stats(list(arrs), list(masks))
        return st

    rows, base_state, base_rec = [], None, None
    order = [m for m in METHODS if m in methods]  # 'none' first: 'adain' and 'finetune' reuse its model
    if ("adain" in order or "finetune" in order) and "none" not in order:
        order = ["none"] + order
    for method in order:
        if progress:
            progress(f"adaptation: {method}")
        run = dict(cfg, run_dir=str(out / method))
        tr_transform = te_transform = None
        unlabeled: list[int] = []
        sub = bundle
        init = None
        if method == "instance":

            def inorm(v, m, r):
                return {s: np.asarray(instance_norm(np.nan_to_num(v[s]), m[s]), np.float32) for s in v}, m

            tr_transform = te_transform = inorm
            xs = {s: [] for s in streams}
            for i in A_tr[:200]:
                v, m = bundle.cache[i]
                for s in streams:
                    xs[s].append(inorm({s: v[s]}, m, None)[0][s][m[s]])
            sub = replace(
                bundle,
                stats={
                    s: {
                        "mean": np.concatenate(xs[s]).mean(0).tolist(),
                        "std": (np.concatenate(xs[s]).std(0) + 1e-3).tolist(),
                    }
                    for s in streams
                },
            )
        elif method == "adain":
            sa, sb = stats_of(A_tr), stats_of(B)  # B: unlabeled use of all its samples

            def restyle(v, m, r, sa=sa, sb=sb):
                if str(r.get("domain")) != target:
                    return v, m
                return {s: ((v[s] - sb[s][0]) / sb[s][1] * sa[s][1] + sa[s][0]).astype(np.float32) for s in v}, m

            te_transform = restyle
        elif method == "adversarial":
            unlabeled = [i for i in B if i not in set(shots)]
            run["adversarial"] = float(cfg.get("adversarial") or 0.3) or 0.3
        elif method == "finetune":
            if base_state is None:
                raise ParameterError("method 'finetune' needs 'none' to run first (it starts from its weights)")
            init = base_state
            run["epochs"] = int(finetune_epochs or max(4, (cfg["epochs"] * 2) // 3))
            run["lr"] = float(cfg["lr"]) / 10
            run["augment"] = True
        # fine-tuning replays the source data beside the target shots (repeated to weigh as much as the
        # source): on k shots alone the model forgets the classes the shots do not change
        reps = max(1, round(len(A_tr) / max(1, len(shots))))
        train_idx = (A_tr + shots * reps) if method == "finetune" else A_tr
        val_idx = shots if method == "finetune" else A_val
        if method == "adain" and base_rec is not None:
            rec = base_rec  # AdaIN only re-styles the test data: the 'none' model is reused
        else:
            res = fit(
                run,
                bundle=sub,
                train_indices=train_idx,
                val_indices=val_idx,
                transform=tr_transform,
                unlabeled_indices=unlabeled,
                init_state=init,
            )
            rec = load_checkpoint(res.last if method == "finetune" else (res.best or res.last))
        if method == "none":
            base_state = {k: v.clone() for k, v in rec.model.state_dict().items()}
            base_rec = rec
        m = evaluate(rec, bundle.cache, B_test, transform=te_transform, domains=bundle.domains, figures=False)
        ma = (
            evaluate(rec, bundle.cache, A_val, transform=tr_transform, domains=bundle.domains, figures=False)
            if method != "finetune"
            else None
        )
        notes = {
            "none": "",
            "instance": "per-sequence IN, train+test",
            "adain": "B restyled to A's statistics",
            "adversarial": "GRL + domain classifier, unlabelled B",
            "finetune": f"{k_shot} B samples/class",
        }[method]
        rows.append(
            {
                "method": method,
                "top1": m["top1"],
                "top1_per_class": m["top1_per_class"],
                "source_top1": ma["top1"] if ma else None,
                "n_test": m["n"],
                "notes": notes,
            }
        )
    result = {
        "source": source,
        "target": target,
        "k_shot": k_shot,
        "train_n": len(A_tr),
        "test_n": len(B_test),
        "finetune_n": len(shots),
        "classes": len(bundle.vocab),
        "rows": rows,
        "test_signers": test_signers or None,
    }
    from ..io import atomic_path

    with atomic_path(out / "adaptation.json") as tmp:
        tmp.write_text(json.dumps(result, indent=2))
    with atomic_path(out / "adaptation.md") as tmp:
        tmp.write_text(adaptation_table(rows, source=source, target=target, classes=len(bundle.vocab)) + "\n")
    return result


def _adapt_folds(
    cfg: Mapping[str, Any], out_dir, *, source, target, methods, k_shot, finetune_epochs, progress
) -> dict:
    """``adapt --folds loso``: the comparison once per target-region signer held out as the test signer."""
    from .fit import open_cache_or_build
    from .folds import run_folds

    base = dict(cfg, folds=None, test_signers=None)
    cache = open_cache_or_build(base)
    recs = [r for r in cache.records if r.get("gloss") is not None and not (r.get("meta") or {}).get("mirror_of")]
    domains = sorted({str(r["domain"]) for r in recs if r.get("domain")})
    if len(domains) < 2:
        raise DataError(f"adaptation needs at least two domains (regions); the dataset has {domains}")
    tgt = target or domains[1]
    signers = sorted({str(r["signer"]) for r in recs if str(r.get("domain")) == tgt and r.get("signer") is not None})
    if not signers:
        raise DataError(f"the target region {tgt!r} has no signer ids; folds=loso needs them")
    box: dict = {}

    def one(fold_cfg: dict, signer: str) -> dict:
        r = adapt(
            fold_cfg,
            fold_cfg["run_dir"],
            source=source,
            target=tgt,
            methods=methods,
            k_shot=k_shot,
            finetune_epochs=finetune_epochs,
            progress=progress,
        )
        box["last"] = r
        row: dict = {f"top1[{x['method']}]": x["top1"] for x in r["rows"]}
        row["n"] = r["test_n"]
        return row

    res = run_folds(base, one, out_dir, cache=cache, progress=progress, what="adaptation fold", signers=signers)
    last = box.get("last") or {}
    return {
        **res,
        "source": last.get("source", source),
        "target": tgt,
        "rows": [
            {"method": m, "top1": res["mean"].get(f"top1[{m}]"), "notes": f"mean of {res['n_folds']} folds"}
            for m in METHODS
            if f"top1[{m}]" in res["mean"]
        ],
    }
