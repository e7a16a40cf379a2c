"""Fusing per-stream features: early (concatenate), late (average per-stream heads), cross-modal attention.

Early and cross-modal fusion turn a list of per-stream ``(B, T, C)`` projections into one ``(B, T, C)``
sequence; late fusion is done by the model (one backbone pass and head per stream, logits averaged),
and :class:`LateFusion` only averages the per-stream outputs of streams that are present.
"""

from __future__ import annotations

import torch
from torch import nn

from ..errors import ParameterError

__all__ = ["FUSIONS", "EarlyFusion", "CrossModalFusion", "LateFusion", "make_fusion"]

FUSIONS = ("early", "late", "cross")


class EarlyFusion(nn.Module):
    """Concatenate the stream projections and mix them with a linear layer."""

    def __init__(self, n_streams: int, dim: int):
        super().__init__()
        self.mix = nn.Linear(n_streams * dim, dim)
        self.norm = nn.LayerNorm(dim)

    def forward(self, feats: list[torch.Tensor], masks: list[torch.Tensor]) -> torch.Tensor:  # -> (B, T, C)
        return self.norm(self.mix(torch.cat(feats, dim=-1)))


class CrossModalFusion(nn.Module):
    """Per frame, every stream attends to every (present) stream; the outputs are averaged over streams."""

    def __init__(self, n_streams: int, dim: int, *, heads: int = 4):
        super().__init__()
        self.stream_embed = nn.Parameter(torch.zeros(n_streams, dim))
        nn.init.normal_(self.stream_embed, std=0.02)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm = nn.LayerNorm(dim)

    def forward(self, feats: list[torch.Tensor], masks: list[torch.Tensor]) -> torch.Tensor:
        B, T, C = feats[0].shape
        S = len(feats)
        tok = torch.stack(feats, dim=2) + self.stream_embed  # (B, T, S, C)
        tok = tok.reshape(B * T, S, C)
        valid = torch.stack(masks, dim=2).reshape(B * T, S)  # (B*T, S)
        first = torch.zeros_like(valid)
        first[:, 0] = True
        valid = valid | (first & ~valid.any(dim=1, keepdim=True))  # never an all-masked row
        y, _ = self.attn(tok, tok, tok, key_padding_mask=~valid, need_weights=False)
        y = tok + y
        w = valid.unsqueeze(-1).to(y.dtype)
        out = (y * w).sum(1) / w.sum(1).clamp_min(1.0)
        return self.norm(out.reshape(B, T, C))


class LateFusion(nn.Module):
    """Average per-stream logits over the streams that have at least one valid frame."""

    def forward(self, logits: list[torch.Tensor], present: list[torch.Tensor]) -> torch.Tensor:
        L = torch.stack(logits, dim=0)  # (S, B, ...)
        p = torch.stack(present, dim=0).to(L.dtype)  # (S, B)
        while p.dim() < L.dim():
            p = p.unsqueeze(-1)
        return (L * p).sum(0) / p.sum(0).clamp_min(1.0)


def make_fusion(kind: str, n_streams: int, dim: int, *, heads: int = 4) -> nn.Module:
    if kind == "early":
        return EarlyFusion(n_streams, dim)
    if kind == "cross":
        return CrossModalFusion(n_streams, dim, heads=heads)
    if kind == "late":
        return LateFusion()
    raise ParameterError(f"fusion={kind!r} must be one of {FUSIONS}")
