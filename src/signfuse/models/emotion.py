"""Tri-modal emotion / intensity classifier: gesture kinematics, face (AUs, head pose), voice prosody.

One model class, four ways of combining the streams it is given (``fusion``):

``single``  one stream (the model must be given exactly one)
``early``   per-frame concatenation of the stream projections, one shared temporal encoder
``late``    one encoder and classifier per stream; the class *posteriors* of the streams that are
            present are averaged (the output ``logits`` are the log of that average)
``cross``   MulT-style cross-modal attention (Tsai et al. 2019): for each target stream, queries from
            that stream attend over the keys and values of every other stream, in time; the
            cross-attended sequences are pooled and concatenated

A stream that is absent from the input dict (or fully masked) is treated as missing: ``late`` averages
over the remaining streams, ``cross`` skips attention into it, ``early`` sees zeros with a mask.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import torch
from torch import nn

from ..errors import ParameterError
from .common import AttentionPool, ConvBlock, StreamModel, masked_mean
from .registry import register_model

__all__ = ["EMOTION_FUSIONS", "EmotionFusion"]

EMOTION_FUSIONS = ("single", "early", "late", "cross")


class _Encoder(nn.Module):
    """Linear projection + depthwise temporal convolutions: ``(B, T, F) -> (B, T, C)``."""

    def __init__(self, in_dim: int, dim: int, layers: int, dropout: float):
        super().__init__()
        self.proj = nn.Sequential(nn.Linear(in_dim, dim), nn.LayerNorm(dim))
        self.blocks = nn.ModuleList(ConvBlock(dim, kernel_size=5, expand=2, dropout=dropout) for _ in range(layers))

    def forward(self, x: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
        h = self.proj(x)
        for b in self.blocks:
            h = b(h, m)
        return h


class _CrossAttention(nn.Module):
    """Queries from one stream, keys/values from another, residual + feed-forward (one MulT layer)."""

    def __init__(self, dim: int, heads: int, dropout: float):
        super().__init__()
        self.nq, self.nk = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        self.ff = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, q: torch.Tensor, kv: torch.Tensor, kv_mask: torch.Tensor) -> torch.Tensor:
        empty = ~kv_mask.any(dim=1)                                   # (B,) source stream missing
        kpm = ~kv_mask
        kpm = kpm & ~empty[:, None]                                   # never an all-masked key row
        y, _ = self.attn(self.nq(q), self.nk(kv), self.nk(kv), key_padding_mask=kpm, need_weights=False)
        y = y * (~empty)[:, None, None].to(y.dtype)                   # nothing flows from a missing stream
        h = q + y
        return h + self.ff(h)


@register_model("emotion")
class EmotionFusion(StreamModel):
    """Emotion / intensity classifier over named streams (see the module doc for ``fusion``)."""

    kind = "emotion"

    def __init__(self, *, in_dims: Mapping[str, int], num_classes: int, task: str = "isolated",
                 fusion: str = "cross", dim: int = 64, layers: int = 2, heads: int = 4, dropout: float = 0.1,
                 modality_dropout: float = 0.0, norm_stats: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
                 n_domains: int = 0):
        if task != "isolated":
            raise ParameterError("the emotion model classifies whole samples: task must be 'isolated'")
        super().__init__(in_dims=in_dims, num_classes=num_classes, task=task, modality_dropout=modality_dropout,
                         norm_stats=norm_stats, n_domains=0)
        if fusion not in EMOTION_FUSIONS:
            raise ParameterError(f"fusion={fusion!r} must be one of {EMOTION_FUSIONS}")
        if fusion == "single" and len(self.streams) != 1:
            raise ParameterError(f"fusion='single' takes exactly one stream, got {list(self.streams)}")
        if fusion != "single" and len(self.streams) < 2:
            raise ParameterError(f"fusion={fusion!r} needs at least two streams, got {list(self.streams)}")
        if dim % heads:
            raise ParameterError(f"dim={dim} must be divisible by heads={heads}")
        self.fusion = fusion
        S = len(self.streams)
        self.encoders = nn.ModuleList(_Encoder(self.in_dims[s], dim, layers, dropout) for s in self.streams)
        if fusion in ("single", "early"):
            self.mix = nn.Linear(S * dim, dim) if fusion == "early" else nn.Identity()
            self.temporal = ConvBlock(dim, kernel_size=5, expand=2, dropout=dropout)
            self.pool = AttentionPool(dim)
            self.head: nn.Module = nn.Linear(dim, self.num_classes)
        elif fusion == "late":
            self.pools = nn.ModuleList(AttentionPool(dim) for _ in range(S))
            self.heads = nn.ModuleList(nn.Linear(dim, self.num_classes) for _ in range(S))
        else:
            self.cross = nn.ModuleDict({f"{i}_{j}": _CrossAttention(dim, heads, dropout)
                                        for i in range(S) for j in range(S) if i != j})
            self.merge = nn.ModuleList(nn.Linear((S - 1) * dim, dim) for _ in range(S))
            self.pools = nn.ModuleList(AttentionPool(dim) for _ in range(S))
            self.head = nn.Sequential(nn.Linear(S * dim, dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(dim, self.num_classes))

    def forward(self, x: Mapping[str, torch.Tensor], mask: Mapping[str, torch.Tensor] | None = None) -> dict:
        feats, masks = self.inputs(x, mask)
        hs = [enc(f, m) for enc, f, m in zip(self.encoders, feats, masks)]
        any_mask = torch.stack(masks, 0).any(0)                                  # (B, T)
        if self.fusion in ("single", "early"):
            h = self.mix(torch.cat(hs, dim=-1)) if self.fusion == "early" else hs[0]
            h = self.temporal(h, any_mask)
            return {"logits": self.head(self.pool(h, any_mask)), "embedding": masked_mean(h, any_mask)}
        if self.fusion == "late":
            present = torch.stack([m.any(1) for m in masks], 0).to(hs[0].dtype)  # (S, B)
            probs = torch.stack([torch.softmax(hd(p(h, m)), -1) for h, m, p, hd in
                                 zip(hs, masks, self.pools, self.heads)], 0)     # (S, B, C)
            w = present.unsqueeze(-1)
            avg = (probs * w).sum(0) / w.sum(0).clamp_min(1.0)
            emb = torch.stack([masked_mean(h, m) for h, m in zip(hs, masks)], 0).mean(0)
            return {"logits": torch.log(avg.clamp_min(1e-8)), "embedding": emb}
        S = len(hs)
        pooled = []
        for i in range(S):
            outs = [self.cross[f"{i}_{j}"](hs[i], hs[j], masks[j]) for j in range(S) if j != i]
            z = self.merge[i](torch.cat(outs, dim=-1))
            m_i = masks[i]
            pooled.append(self.pools[i](z, m_i) * m_i.any(1, keepdim=True).to(z.dtype))
        emb = torch.cat(pooled, dim=-1)
        return {"logits": self.head(emb), "embedding": torch.stack(pooled, 0).mean(0)}
