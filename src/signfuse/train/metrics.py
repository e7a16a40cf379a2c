"""Recognition metrics: top-k accuracy (per instance and per-class mean), confusion matrix, WER with
substitutions/deletions/insertions, and greedy and prefix-beam-search CTC decoding.

WLASL reports both per-instance accuracy (the fraction of test samples) and per-class mean accuracy
(the mean over classes present in the test set of each class's accuracy); both are computed here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Sequence

import numpy as np

from ..errors import ParameterError

__all__ = ["topk_correct", "classification_metrics", "confusion_matrix", "edit_ops", "wer",
           "ctc_greedy_decode", "ctc_beam_decode"]


def topk_correct(scores: np.ndarray, targets: np.ndarray, k: int) -> np.ndarray:
    """``(N,)`` bool: is the target among the ``k`` highest scores of each row of ``scores (N, C)``."""
    scores = np.asarray(scores)
    targets = np.asarray(targets, dtype=np.int64)
    if scores.ndim != 2 or len(scores) != len(targets):
        raise ParameterError(f"scores must be (N, C) with N={len(targets)}, got {scores.shape}")
    k = min(int(k), scores.shape[1])
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    return (top == targets[:, None]).any(axis=1)


def confusion_matrix(pred: np.ndarray, target: np.ndarray, num_classes: int) -> np.ndarray:
    """``(C, C)`` counts: row = true class, column = predicted class."""
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (np.asarray(target, np.int64), np.asarray(pred, np.int64)), 1)
    return cm


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
    """Minimum (substitutions, deletions, insertions) turning ``ref`` into ``hyp`` (Levenshtein backtrace)."""
    n, m = len(ref), len(hyp)
    d = np.zeros((n + 1, m + 1), dtype=np.int64)
    d[:, 0] = np.arange(n + 1)
    d[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i, j] = min(d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]), d[i - 1, j] + 1, d[i, j - 1] + 1)
    s = de = ins = 0
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and d[i, j] == d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]):
            s += int(ref[i - 1] != hyp[j - 1])
            i, j = i - 1, j - 1
        elif i > 0 and d[i, j] == d[i - 1, j] + 1:
            de += 1
            i -= 1
        else:
            ins += 1
            j -= 1
    return s, de, ins


def wer(refs: Sequence[Sequence], hyps: Sequence[Sequence]) -> dict:
    """Corpus word error rate ``(S + D + I) / N`` with its parts (as rates of N and as counts)."""
    if len(refs) != len(hyps):
        raise ParameterError(f"{len(refs)} references but {len(hyps)} hypotheses")
    S = D = I = N = 0
    for r, h in zip(refs, hyps):
        s, d, i = edit_ops(list(r), list(h))
        S, D, I, N = S + s, D + d, I + i, N + len(r)
    if N == 0:
        raise ParameterError("references hold no words")
    return {"wer": (S + D + I) / N, "sub": S / N, "del": D / N, "ins": I / N,
            "n_sub": S, "n_del": D, "n_ins": I, "n_ref": N, "n_seq": len(refs)}


def _as_list(log_probs, lengths):
    lp = np.asarray(log_probs, dtype=np.float64)
    if lp.ndim == 2:
        lp = lp[None]
    if lengths is None:
        lengths = [lp.shape[1]] * lp.shape[0]
    return lp, [int(n) for n in np.asarray(lengths).reshape(-1)]


def ctc_greedy_decode(log_probs, lengths=None, *, blank: int = 0) -> list[list[int]]:
    """Best path: argmax per frame, merge repeats, drop blanks. ``log_probs (B, T, C)`` or ``(T, C)``."""
    lp, lengths = _as_list(log_probs, lengths)
    out = []
    for b in range(lp.shape[0]):
        best = lp[b, : lengths[b]].argmax(axis=1)
        seq, prev = [], None
        for t in best:
            if t != prev and t != blank:
                seq.append(int(t))
            prev = t
        out.append(seq)
    return out


def _lse(*xs: float) -> float:
    m = max(xs)
    if m == -math.inf:
        return -math.inf
    return m + math.log(sum(math.exp(x - m) for x in xs))


def ctc_beam_decode(log_probs, lengths=None, *, beam: int = 8, blank: int = 0, prune: float = -12.0) -> list[list[int]]:
    """CTC prefix beam search (no language model); ``log_probs`` are log-softmax outputs."""
    if beam < 1:
        raise ParameterError(f"beam={beam} must be >= 1")
    lp, lengths = _as_list(log_probs, lengths)
    results = []
    for b in range(lp.shape[0]):
        beams: dict[tuple, tuple[float, float]] = {(): (0.0, -math.inf)}  # prefix -> (p_blank, p_nonblank)
        for t in range(lengths[b]):
            row = lp[b, t]
            cand = [c for c in range(len(row)) if row[c] >= prune] or [int(row.argmax())]
            nxt: dict[tuple, list[float]] = defaultdict(lambda: [-math.inf, -math.inf])
            for prefix, (pb, pnb) in beams.items():
                for c in cand:
                    p = row[c]
                    if c == blank:
                        e = nxt[prefix]
                        e[0] = _lse(e[0], pb + p, pnb + p)
                        continue
                    last = prefix[-1] if prefix else None
                    ext = prefix + (c,)
                    e = nxt[ext]
                    if c == last:
                        e[1] = _lse(e[1], pb + p)          # repeat needs a blank in between
                        s = nxt[prefix]
                        s[1] = _lse(s[1], pnb + p)         # collapse the repeat
                    else:
                        e[1] = _lse(e[1], pb + p, pnb + p)
            beams = dict(sorted(((k, (v[0], v[1])) for k, v in nxt.items()),
                                key=lambda kv: -_lse(*kv[1]))[:beam])
        best = max(beams.items(), key=lambda kv: _lse(*kv[1]))[0]
        results.append([int(c) for c in best])
    return results
