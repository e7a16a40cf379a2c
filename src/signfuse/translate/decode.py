"""Greedy decoding and beam search with a length penalty, batched, for :class:`TranslationTransformer`.

Hand-written because no installed library decodes an arbitrary PyTorch encoder-decoder (fairseq and
OpenNMT ship their own models; Hugging Face ``generate`` needs its model classes). The beam search
follows fairseq's: each step keeps the ``2k`` best extensions, an ``</s>`` among the first ``k`` ends a
hypothesis, ``k`` live ones go on; a sentence is done when it has ``k`` finished hypotheses and no live
one can still beat the best (exact for ``alpha=0``). Scores are summed log-probabilities divided by
the GNMT length penalty ``((5 + len) / 6) ** alpha``. Decoding is incremental (the model's
``start_decoding``/``decode_step`` cache keys and values), so a step costs O(t), not O(t^2).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..errors import ParameterError
from .vocab import BOS, EOS, PAD

__all__ = ["Hypothesis", "greedy_decode", "beam_search", "length_penalty", "max_target_length"]


@dataclass(frozen=True)
class Hypothesis:
    """Target ids (without ``<s>``/``</s>``), their summed log-probability and the ranking score."""

    tokens: tuple[int, ...]
    logprob: float
    score: float


def length_penalty(length: int, alpha: float) -> float:
    return ((5.0 + length) / 6.0) ** alpha


def max_target_length(src_len: int, *, ratio: float = 2.0, extra: int = 10, cap: int = 200) -> int:
    return int(min(cap, ratio * src_len + extra))


def _step_logprobs(model, tokens: torch.Tensor, state) -> torch.Tensor:
    logits = model.decode_step(tokens, state)  # (N, V), cached keys/values: O(t) per step
    lp = F.log_softmax(logits.float(), dim=-1)
    lp[:, PAD] = -float("inf")
    lp[:, BOS] = -float("inf")
    return lp


@torch.inference_mode()
def greedy_decode(model, src: torch.Tensor, *, max_len: int | None = None) -> list[Hypothesis]:
    """Most probable next token at each step, for a batch ``src (B, S)`` of source ids (``PAD`` padded)."""
    B, S = src.shape
    max_len = max_target_length(S) if max_len is None else int(max_len)
    memory, pad = model.encode(src)
    state = model.start_decoding(memory, pad)
    seqs = torch.full((B, 1), BOS, dtype=torch.long, device=src.device)
    logprob = torch.zeros(B, device=src.device)
    ended = torch.zeros(B, dtype=torch.bool, device=src.device)
    lengths = torch.zeros(B, dtype=torch.long, device=src.device)
    for t in range(max_len):
        lp = _step_logprobs(model, seqs[:, -1], state)
        if t == max_len - 1:
            lp = torch.where(torch.arange(lp.shape[1], device=lp.device) == EOS, lp, torch.full_like(lp, -float("inf")))
        best, tok = lp.max(-1)
        tok = torch.where(ended, torch.full_like(tok, PAD), tok)
        logprob = logprob + torch.where(ended, torch.zeros_like(best), best)
        lengths = lengths + (~ended).long()
        seqs = torch.cat([seqs, tok.unsqueeze(1)], 1)
        ended = ended | tok.eq(EOS)
        if bool(ended.all()):
            break
    out = []
    for b in range(B):
        toks = [int(x) for x in seqs[b, 1:].tolist() if x not in (PAD, EOS)]
        lpb = float(logprob[b])
        out.append(Hypothesis(tuple(toks), lpb, lpb))
    return out


@torch.inference_mode()
def beam_search(
    model, src: torch.Tensor, *, beam: int = 5, alpha: float = 1.0, max_len: int | None = None
) -> list[Hypothesis]:
    """Best hypothesis per sentence of ``src (B, S)`` by beam search of width ``beam``.

    ``alpha`` is the length-penalty exponent (0: raw log-probability; larger favours longer output).
    """
    if int(beam) < 1:
        raise ParameterError(f"beam={beam} must be >= 1")
    if alpha < 0:
        raise ParameterError(f"alpha={alpha} must be >= 0")
    K = int(beam)
    B, S = src.shape
    max_len = max_target_length(S) if max_len is None else int(max_len)
    memory, pad = model.encode(src)
    state = model.start_decoding(memory.repeat_interleave(K, 0), pad.repeat_interleave(K, 0))  # rows b*K + k
    dev = src.device
    seqs = torch.full((B * K, 1), BOS, dtype=torch.long, device=dev)
    scores = torch.full((B, K), -float("inf"), device=dev)
    scores[:, 0] = 0.0
    finished: list[list[Hypothesis]] = [[] for _ in range(B)]
    done = [False] * B
    for t in range(max_len):
        lp = _step_logprobs(model, seqs[:, -1], state)  # (B*K, V)
        V = lp.shape[1]
        if t == max_len - 1:
            lp = torch.where(torch.arange(V, device=dev) == EOS, lp, torch.full_like(lp, -float("inf")))
        cand = (scores.view(B * K, 1) + lp).view(B, K * V)
        top, idx = cand.topk(min(2 * K, K * V), dim=1)  # (B, 2K)
        top_l, idx_l = top.tolist(), idx.tolist()
        new_rows, new_toks, new_scores = [], [], []
        for b in range(B):
            rows, toks, scs = [], [], []
            if not done[b]:
                for rank, (s, j) in enumerate(zip(top_l[b], idx_l[b])):
                    if s == -float("inf"):
                        break
                    k, tok = divmod(j, V)
                    if tok == EOS:
                        if rank < K:
                            hyp = tuple(int(x) for x in seqs[b * K + k, 1:].tolist())
                            finished[b].append(Hypothesis(hyp, s, s / length_penalty(len(hyp) + 1, alpha)))
                        continue
                    rows.append(b * K + k)
                    toks.append(tok)
                    scs.append(s)
                    if len(rows) == K:
                        break
                if len(finished[b]) >= K or not rows:
                    best = max(h.score for h in finished[b]) if finished[b] else -float("inf")
                    bound = (max(scs) / length_penalty(t + 1, alpha)) if rows else -float("inf")
                    if not rows or best >= bound:
                        done[b] = True
            if done[b] or not rows:
                rows, toks, scs = [b * K] * K, [PAD] * K, [-float("inf")] * K
            while len(rows) < K:
                rows.append(rows[0])
                toks.append(PAD)
                scs.append(-float("inf"))
            new_rows += rows
            new_toks += toks
            new_scores += scs
        if all(done):
            break
        sel = torch.tensor(new_rows, dtype=torch.long, device=dev)
        state = state.select(sel, same_memory=True)  # rows move only within their sentence
        seqs = torch.cat([seqs[sel], torch.tensor(new_toks, dtype=torch.long, device=dev).unsqueeze(1)], 1)
        scores = torch.tensor(new_scores, device=dev).view(B, K)
    return [max(f, key=lambda h: h.score) if f else Hypothesis((), -float("inf"), -float("inf")) for f in finished]
