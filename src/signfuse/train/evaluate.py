"""Evaluate a recognition model on a split: ``metrics.json`` and figures.

Isolated: top-1/top-5 per instance and per-class mean, confusion matrix, accuracy on minimal-pair signs
(samples whose ``meta['minimal_pair']`` is set) and per domain. Continuous: WER with S/D/I, greedy and
(when ``beam > 0``) beam-search decoding, and the number of sequences too short for their labels.

Samples whose label the model never learned (a test signer who made signs the training signers did
not) cannot be scored; :func:`evaluate_checkpoint` scores the rest and reports them apart as
``unseen_labels: {count, labels, ids}``.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError, ParameterError
from ..models.recognizer import Recognizer, load_checkpoint
from .data import StreamDataset, Vocabulary, collate
from .losses import ctc_feasible
from .metrics import classification_metrics, confusion_matrix, ctc_beam_decode, ctc_greedy_decode, wer

__all__ = ["predict", "evaluate", "evaluate_checkpoint"]

log = logging.getLogger(__name__)


def predict(
    rec: Recognizer,
    cache,
    indices: Sequence[int],
    *,
    batch_size: int = 32,
    transform: Callable | None = None,
    domains: Sequence[str] = (),
) -> dict:
    """Run ``rec.model`` over cache ``indices``: ``scores`` (isolated, softmax ``(N, C)``) or ``log_probs``
    (list of ``(T', C + 1)``) and ``lengths`` (continuous)."""
    import torch

    if not indices:
        raise DataError("empty split: nothing to evaluate")
    vocab = Vocabulary(tuple(rec.vocab))
    ds = StreamDataset(
        cache,
        indices,
        streams=rec.streams,
        vocab=vocab,
        task=rec.task,
        max_frames=(rec.config.get("max_frames") if rec.task == "isolated" else None),
        transform=transform,
        domains=domains,
    )
    n_domains = int(rec.model_kwargs.get("n_domains", 0))
    rec.model.eval()
    scores, logps, lengths, labels = [], [], [], []
    with torch.no_grad():
        for a in range(0, len(ds), batch_size):
            b = collate([ds[k] for k in range(a, min(len(ds), a + batch_size))])
            out = rec.model(b["x"], b["mask"], b["domain"] if n_domains else None)
            if rec.task == "isolated":
                scores.append(torch.softmax(out["logits"].float(), -1).numpy())
                labels.extend(b["label"].tolist())
            else:
                lp = torch.log_softmax(out["frame_logits"].float(), -1).numpy()
                for k, n in enumerate(out["lengths"].tolist()):
                    logps.append(lp[k, :n])
                    lengths.append(n)
                labels.extend(b["labels"])
    if rec.task == "isolated":
        return {"scores": np.concatenate(scores), "labels": np.asarray(labels)}
    return {"log_probs": logps, "lengths": lengths, "labels": labels}


def evaluate(
    rec: Recognizer,
    cache,
    indices: Sequence[int],
    *,
    out_dir: str | os.PathLike[str] | None = None,
    beam: int = 0,
    transform: Callable | None = None,
    batch_size: int = 32,
    domains: Sequence[str] = (),
    figures: bool = True,
    unseen: dict | None = None,
) -> dict:
    """Metrics of ``rec`` on cache ``indices``; with ``out_dir`` writes ``metrics.json`` (and figures).

    ``unseen``: the report of samples left out of ``indices`` because their labels are not in the
    model's vocabulary (:func:`signfuse.train.fit.unseen_labels`); it is written as ``unseen_labels``.
    """
    pred = predict(rec, cache, indices, batch_size=batch_size, transform=transform, domains=domains)
    recs = [cache.records[i] for i in indices]
    m: dict[str, Any] = {"task": rec.task, "model": rec.model_name, "streams": list(rec.streams)}
    m["unseen_labels"] = dict(unseen) if unseen is not None else {"count": 0, "labels": [], "ids": []}
    if rec.task == "isolated":
        scores, y = pred["scores"], pred["labels"]
        m.update(classification_metrics(scores, y, ks=(1, 5)))
        top1 = scores.argmax(1)
        correct = top1 == y
        mp = np.array([bool(r.get("meta", {}).get("minimal_pair")) for r in recs])
        m["minimal_pair_top1"] = float(correct[mp].mean()) if mp.any() else None
        m["minimal_pair_n"] = int(mp.sum())
        m["non_pair_top1"] = float(correct[~mp].mean()) if (~mp).any() else None
        doms: dict[str, list[bool]] = {}
        for r, c in zip(recs, correct):
            doms.setdefault(str(r.get("domain")), []).append(bool(c))
        m["per_domain_top1"] = {d: float(np.mean(v)) for d, v in sorted(doms.items())}
        cm = confusion_matrix(top1, y, len(rec.vocab))
        m["confusion_matrix"] = cm.tolist()
        if out_dir is not None and figures:
            from .. import viz
            from ..io import save_figure

            m["figure"] = str(save_figure(viz.confusion_matrix(cm, rec.vocab), Path(out_dir) / "confusion.png"))
    else:
        refs = [list(lab) for lab in pred["labels"]]
        hyp_g = ctc_greedy_decode_list(pred["log_probs"])
        m["greedy"] = wer(refs, hyp_g)
        if beam > 0:
            m["beam"] = wer(refs, [ctc_beam_decode(lp, beam=beam)[0] for lp in pred["log_probs"]])
            m["beam"]["width"] = beam
        m["wer"] = (m.get("beam") or m["greedy"])["wer"]
        ok = ctc_feasible(pred["lengths"], refs)
        m["too_short"] = [recs[k]["id"] for k, f in enumerate(ok) if not f]
        if m["too_short"]:
            log.warning(
                "%d sequences are shorter than their gloss labels need (CTC); they count as errors: %s",
                len(m["too_short"]),
                m["too_short"][:10],
            )
        m["n"] = len(refs)
        m["examples"] = [
            {
                "id": recs[k]["id"],
                "ref": [rec.vocab[g - 1] for g in refs[k]],
                "hyp": [rec.vocab[g - 1] for g in hyp_g[k]],
            }
            for k in range(min(5, len(refs)))
        ]
    if out_dir is not None:
        from ..io import atomic_path

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        with atomic_path(out / "metrics.json") as tmp:
            tmp.write_text(json.dumps(m, indent=2))
    return m


def ctc_greedy_decode_list(log_probs: Sequence[np.ndarray]) -> list[list[int]]:
    return [ctc_greedy_decode(lp)[0] if len(lp) else [] for lp in log_probs]


def evaluate_checkpoint(
    checkpoint: str | os.PathLike[str],
    *,
    data: str | os.PathLike[str] | None = None,
    split: str = "test",
    out_dir: str | os.PathLike[str] | None = None,
    beam: int = 0,
    test_signers: Sequence[str] | str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """``signfuse eval``: rebuild the checkpoint, rebuild its data splits on ``data`` (default: the data it
    was trained on), and evaluate ``split``. The checkpoint's own ``test_signers`` (a fold of
    ``--folds loso``, a ``--test-signers`` run) give the same split again; ``test_signers`` here names
    other held-out signers. Samples whose labels are not in the model's vocabulary are scored apart
    (``unseen_labels``); the rest are evaluated."""
    from .fit import check_signer_independent, dataset_splits, open_cache_or_build, resolve_config, unseen_labels

    rec = load_checkpoint(checkpoint)
    if split not in ("train", "val", "test"):
        raise ParameterError(f"split={split!r} must be train, val or test")
    ov: dict[str, Any] = {"data": str(data)} if data is not None else {}
    if test_signers is not None:
        ov["test_signers"] = test_signers if isinstance(test_signers, str) else ",".join(test_signers)
    cfg = resolve_config({k: v for k, v in rec.config.items() if k in _cfg_keys() and k != "folds"}, ov or None)
    cfg["streams"] = ",".join(rec.streams)
    cache = open_cache_or_build(cfg, progress=progress)
    splits = dataset_splits(cfg, cache)
    if cfg.get("test_signers"):
        check_signer_independent(cache.records, splits)
    if not splits[split]:
        raise DataError(f"the {split} split of {cfg['data']} is empty")
    vocab = Vocabulary(tuple(rec.vocab))
    ok, unseen = unseen_labels([cache.records[i] for i in splits[split]], vocab._map, task=rec.task)
    if unseen["count"]:
        log.warning(
            "%d %s samples have labels the model never learned (%s); they are scored apart",
            unseen["count"],
            split,
            ", ".join(unseen["labels"]),
        )
    if not ok:
        raise DataError(
            f"none of the {len(splits[split])} {split} samples of {cfg['data']} has a label in the "
            f"model's vocabulary (unseen labels: {', '.join(unseen['labels'][:20])})"
        )
    domains = tuple(sorted({str(r["domain"]) for r in cache.records if r.get("domain")}))
    m = evaluate(rec, cache, [splits[split][k] for k in ok], out_dir=out_dir, beam=beam, domains=domains, unseen=unseen)
    m["test_signers"] = cfg.get("test_signers")
    return m


def _cfg_keys() -> set[str]:
    from .fit import DEFAULTS

    return set(DEFAULTS)
