"""Recognition metrics: top-k accuracy (per instance and per-class mean), confusion matrix, WER with
substitutions/deletions/insertions, and greedy and prefix-beam-search CTC decoding.

WLASL reports both per-instance accuracy (the fraction of test samples) and per-class mean accuracy
(the mean over classes present in the test set of each class's accuracy); both are computed here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import ParameterError
from ..models.decoding import ctc_beam_decode, ctc_greedy_decode

__all__ = [
    "topk_correct",
    "classification_metrics",
    "confusion_matrix",
    "edit_ops",
    "wer",
    "ctc_greedy_decode",
    "ctc_beam_decode",
]


def topk_correct(scores: np.ndarray, targets: np.ndarray, k: int) -> np.ndarray:
    """``(N,)`` bool: is the target among the ``k`` highest scores of each row of ``scores (N, C)``."""
    import torch

    scores = np.asarray(scores)
    targets = np.asarray(targets, dtype=np.int64)
    if scores.ndim != 2 or len(scores) != len(targets):
        raise ParameterError(f"scores must be (N, C) with N={len(targets)}, got {scores.shape}")
    k = min(int(k), scores.shape[1])
    top = torch.topk(torch.from_numpy(scores.astype(np.float64)), k, dim=1).indices.numpy()
    return (top == targets[:, None]).any(axis=1)


def confusion_matrix(pred: np.ndarray, target: np.ndarray, num_classes: int) -> np.ndarray:
    """``(C, C)`` counts: row = true class, column = predicted class (torchmetrics)."""
    import torch
    from torchmetrics.functional.classification import multiclass_confusion_matrix

    if num_classes < 2:
        cm = np.zeros((num_classes, num_classes), dtype=np.int64)
        np.add.at(cm, (np.asarray(target, np.int64), np.asarray(pred, np.int64)), 1)
        return cm
    return multiclass_confusion_matrix(
        torch.as_tensor(np.asarray(pred, np.int64)), torch.as_tensor(np.asarray(target, np.int64)), num_classes
    ).numpy()


def classification_metrics(scores: np.ndarray, targets: np.ndarray, *, ks: Sequence[int] = (1, 5)) -> dict:
    """Top-k accuracies per instance (``top{k}``) and per-class mean (``top{k}_per_class``), and ``n``."""
    targets = np.asarray(targets, dtype=np.int64)
    if len(targets) == 0:
        raise ParameterError("no samples to evaluate (empty split?)")
    out: dict = {"n": int(len(targets))}
    classes = np.unique(targets)
    for k in ks:
        c = topk_correct(scores, targets, k)
        out[f"top{k}"] = float(c.mean())
        out[f"top{k}_per_class"] = float(np.mean([c[targets == t].mean() for t in classes]))
    return out


def edit_ops(ref: Sequence, hyp: Sequence) -> tuple[int, int, int]:
    """Minimum (substitutions, deletions, insertions) turning ``ref`` into ``hyp`` (rapidfuzz's Levenshtein
    edit operations; tokens may be any hashable values)."""
    from rapidfuzz.distance import Levenshtein

    ops = Levenshtein.editops(list(ref), list(hyp))
    s = sum(op.tag == "replace" for op in ops)
    d = sum(op.tag == "delete" for op in ops)
    return s, d, len(ops) - s - d


def wer(refs: Sequence[Sequence], hyps: Sequence[Sequence]) -> dict:
    """Corpus word error rate ``(S + D + I) / N`` with its parts (as rates of N and as counts)."""
    if len(refs) != len(hyps):
        raise ParameterError(f"{len(refs)} references but {len(hyps)} hypotheses")
    S = D = I = N = 0  # noqa: E741  (S, D, I: the WER notation)
    for r, h in zip(refs, hyps):
        s, d, i = edit_ops(list(r), list(h))
        S, D, I, N = S + s, D + d, I + i, N + len(r)  # noqa: E741
    if N == 0:
        raise ParameterError("references hold no words")
    return {
        "wer": (S + D + I) / N,
        "sub": S / N,
        "del": D / N,
        "ins": I / N,
        "n_sub": S,
        "n_del": D,
        "n_ins": I,
        "n_ref": N,
        "n_seq": len(refs),
    }
