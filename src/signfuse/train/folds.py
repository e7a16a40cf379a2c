"""Leave-one-signer-out experiments (``--folds loso``): one run per held-out signer, then each fold and
the mean and std (``folds.json``, ``folds.md``). :func:`fit_folds` trains and evaluates recognition per
fold; :func:`run_folds` runs any per-fold experiment (ablation, adaptation)."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ParameterError
from ..samples import StreamCache
from .fit import check_signer_independent, fit, fold_signers, open_cache_or_build, prepare_data

__all__ = ["run_folds", "fit_folds", "folds_table"]

log = logging.getLogger(__name__)


def run_folds(
    cfg: Mapping[str, Any],
    run_fold: Callable[[dict, str], Mapping[str, Any]],
    out_dir: str | os.PathLike[str],
    *,
    cache: StreamCache | None = None,
    progress: Callable[[str], None] | None = None,
    what: str = "fold",
    signers: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Leave-one-signer-out: ``run_fold(fold_cfg, signer)`` once per signer, where ``fold_cfg`` is ``cfg``
    with ``test_signers=[signer]``, ``folds=None`` and ``run_dir=OUT_DIR/fold_<signer>``; it returns a
    flat mapping of results (numbers are averaged). Writes ``folds.json`` and ``folds.md`` into
    ``out_dir``: each fold's row, the mean and the (population) standard deviation of every number.
    A fold whose ``folds.json`` row exists is not rerun (a killed run resumes with the next fold).
    ``signers``: the folds (default: every signer of the dataset, :func:`fold_signers`)."""
    if signers is None:
        cache = cache or open_cache_or_build(cfg)
        signers = fold_signers(cfg, cache)
    signers = [str(s) for s in signers]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    done: dict[str, dict] = {}
    prev = out / "folds.json"
    if prev.is_file() and not cfg.get("overwrite"):
        try:
            old = json.loads(prev.read_text())
            if old.get("signers") == signers:
                done = {str(r["test_signer"]): r for r in old.get("folds", []) if r.get("complete")}
        except (OSError, ValueError, KeyError, TypeError):
            done = {}
    rows = []
    for s in signers:
        if s in done:
            rows.append(done[s])
            continue
        if progress:
            progress(f"{what} {s}: test signer {s}, training on {', '.join(x for x in signers if x != s)}")
        fold_cfg = dict(cfg, test_signers=[s], folds=None, run_dir=str(out / f"fold_{_safe(s)}"))
        row = {"test_signer": s, **dict(run_fold(fold_cfg, s)), "complete": True}
        rows.append(row)
        _write_folds(out, signers, rows, cfg)
    return _write_folds(out, signers, rows, cfg)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "_"


def _write_folds(out: Path, signers: list[str], rows: list[dict], cfg: Mapping[str, Any]) -> dict[str, Any]:
    keys = [k for k in rows[0] if k != "complete"] if rows else []
    num = [
        k
        for k in keys
        if all(
            isinstance(r.get(k), (int, float)) and not isinstance(r.get(k), bool) and r.get(k) is not None for r in rows
        )
    ]
    mean = {k: float(np.mean([r[k] for r in rows])) for k in num}
    std = {k: float(np.std([r[k] for r in rows])) for k in num}
    result = {
        "folds": rows,
        "signers": signers,
        "mean": mean,
        "std": std,
        "n_folds": len(rows),
        "complete": len(rows) == len(signers),
        "model": cfg.get("model"),
        "streams": cfg.get("streams"),
        "seed": cfg.get("seed"),
    }
    from ..io import atomic_path, jsonable

    with atomic_path(out / "folds.json") as tmp:
        tmp.write_text(json.dumps(jsonable(result), indent=2))
    with atomic_path(out / "folds.md") as tmp:
        tmp.write_text(folds_table(result) + "\n")
    return result


def folds_table(result: Mapping[str, Any], *, keys: Sequence[str] | None = None) -> str:
    """A markdown table of :func:`run_folds`' result: one row per fold, then mean and std."""
    rows = result["folds"]
    keys = list(keys) if keys is not None else [k for k in result["mean"] if k not in ("n",)][:8]

    def pct(k):
        return k.startswith("top") or "acc" in k or k.endswith("top1")

    def f(k, v):
        return (
            "-"
            if v is None
            else (f"{100 * v:.1f}%" if pct(k) else f"{v:.4g}" if isinstance(v, (int, float)) else str(v))
        )

    lines = ["| test signer | " + " | ".join(keys) + " | unseen labels |", "|---|" + "---|" * (len(keys) + 1)]
    for r in rows:
        u = r.get("unseen_count")
        lines.append(
            f"| {r['test_signer']} | " + " | ".join(f(k, r.get(k)) for k in keys) + f" | {'-' if u is None else u} |"
        )
    for name in ("mean", "std"):
        lines.append(f"| **{name}** | " + " | ".join(f(k, result[name].get(k)) for k in keys) + " | |")
    return "\n".join(lines)


def fit_folds(
    cfg: Mapping[str, Any],
    *,
    progress: Callable[[str], None] | None = None,
    callbacks: Sequence[Any] = (),
    cache_progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """``train --folds loso``: one model per signer (run folder ``RUN_DIR/fold_<signer>``), each evaluated
    once on its held-out signer (``eval_test/metrics.json`` in the fold's folder); ``RUN_DIR/folds.json``
    and ``folds.md`` hold each fold's top-1/top-5 (per instance and per class) and their mean and std.
    Test samples with labels the fold's training signers never made are counted apart per fold."""
    from ..models.recognizer import load_checkpoint
    from .evaluate import evaluate

    if cfg["task"] != "isolated":
        raise ParameterError("folds=loso reports isolated recognition accuracy; use task=isolated")
    cache = open_cache_or_build(cfg, progress=cache_progress)

    def one(fold_cfg: dict, signer: str) -> dict:
        bundle = prepare_data(fold_cfg, cache=cache)
        check_signer_independent(cache.records, bundle.splits)
        res = fit(fold_cfg, bundle=bundle, callbacks=callbacks)
        rec = load_checkpoint(res.best or res.last)
        unseen = bundle.unseen.get("test", {"count": 0, "labels": []})
        if bundle.splits["test"]:
            m = evaluate(
                rec,
                cache,
                bundle.splits["test"],
                out_dir=Path(fold_cfg["run_dir"]) / "eval_test",
                domains=bundle.domains,
                unseen=unseen,
            )
        else:
            m = {"top1": None, "top5": None, "top1_per_class": None, "n": 0}
        return {
            "top1": m.get("top1"),
            "top5": m.get("top5"),
            "top1_per_class": m.get("top1_per_class"),
            "top5_per_class": m.get("top5_per_class"),
            "n": m.get("n", 0),
            "train": len(bundle.splits["train"]),
            "val": len(bundle.splits["val"]),
            "unseen_count": unseen["count"],
            "unseen_labels": unseen["labels"],
            "val_acc": res.metrics.get("val_acc"),
            "checkpoint": str(res.best or res.last),
        }

    return run_folds(cfg, one, cfg["run_dir"], cache=cache, progress=progress)
