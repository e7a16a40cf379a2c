"""CTC decoding: greedy best path and prefix beam search (no language model), on numpy log-probabilities.

Hand-written because no installed library decodes CTC without torchaudio's flashlight extras (not in
the CPU wheel here); both are known-answer tested. Used by training (validation WER) and inference.
It imports only numpy, and sits in layer 1 rather than under :mod:`signfuse.models` (whose ``__init__``
imports every model, hence torch), so that ``recognize MODEL.onnx`` never imports torch.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from .errors import ParameterError

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["ctc_greedy_decode", "ctc_beam_decode", "MAX_BEAM"]

#: the widest beam accepted (the search is O(T * beam * classes); wider beams only cost time)
MAX_BEAM = 256


def _as_list(log_probs: npt.ArrayLike, lengths: npt.ArrayLike | None) -> tuple[np.ndarray, list[int]]:
    lp = np.asarray(log_probs, dtype=np.float64)
    if lp.ndim == 2:
        lp = lp[None]
    if lengths is None:
        lengths = [lp.shape[1]] * lp.shape[0]
    return lp, [int(n) for n in np.asarray(lengths).reshape(-1)]


def ctc_greedy_decode(log_probs: npt.ArrayLike, lengths: npt.ArrayLike | None = None, *, blank: int = 0) -> list[list[int]]:
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


def ctc_beam_decode(log_probs: npt.ArrayLike, lengths: npt.ArrayLike | None = None, *, beam: int = 8, blank: int = 0, prune: float = -12.0) -> list[list[int]]:
    """CTC prefix beam search (no language model); ``log_probs`` are log-softmax outputs."""
    if isinstance(beam, bool) or not isinstance(beam, (int, np.integer)) or not 1 <= beam <= MAX_BEAM:
        raise ParameterError(f"beam={beam!r} must be an integer from 1 to {MAX_BEAM}")
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
