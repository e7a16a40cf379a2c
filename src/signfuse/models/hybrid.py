"""``hybrid``: per-stream projections -> fusion -> depthwise 1-D convolutions -> BiLSTM -> Transformer layers.

Isolated recognition pools frames with temporal attention; continuous recognition (CTC) uses a
per-frame head with the blank at index 0. Modality dropout drops whole streams during training so the
model degrades gracefully when a stream is missing at test time.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import torch
from torch import nn

from ..errors import ParameterError
from .common import AttentionBlock, AttentionPool, ConvBlock, StreamModel, head_outputs, run_lstm
from .fusion import FUSIONS, LateFusion, make_fusion
from .grl import StyleEmbedding
from .registry import register_model

__all__ = ["HybridLSTMTransformer"]


@register_model("hybrid")
class HybridLSTMTransformer(StreamModel):
    """The LSTM + Transformer hybrid (see the module doc). ``downsample`` strides the first conv block."""

    def __init__(self, *, in_dims: Mapping[str, int], num_classes: int, task: str = "isolated", dim: int = 96,
                 fusion: str = "early", conv_layers: int = 2, kernel_size: int = 5, lstm_layers: int = 1,
                 transformer_layers: int = 2, heads: int = 4, dropout: float = 0.1, modality_dropout: float = 0.1,
                 downsample: int = 1, n_domains: int = 0,
                 norm_stats: Mapping[str, Mapping[str, Sequence[float]]] | None = None):
        super().__init__(in_dims=in_dims, num_classes=num_classes, task=task, modality_dropout=modality_dropout,
                         norm_stats=norm_stats, n_domains=n_domains)
        if fusion not in FUSIONS:
            raise ParameterError(f"fusion={fusion!r} must be one of {FUSIONS}")
        if dim < 8 or dim % 2:
            raise ParameterError(f"dim={dim} must be an even number >= 8")
        if downsample < 1:
            raise ParameterError(f"downsample={downsample} must be >= 1")
        self.fusion_kind = fusion
        self.downsample = int(downsample)
        self.proj = nn.ModuleDict({s: nn.Sequential(nn.Linear(f, dim), nn.LayerNorm(dim), nn.SiLU())
                                   for s, f in self.in_dims.items()})
        self.fusion = make_fusion(fusion, len(self.streams), dim, heads=heads)
        self.style = StyleEmbedding(n_domains, dim) if n_domains > 0 else None
        self.convs = nn.ModuleList([ConvBlock(dim, kernel_size=kernel_size, stride=self.downsample if i == 0 else 1,
                                              dropout=dropout) for i in range(conv_layers)])
        self.lstm = nn.LSTM(dim, dim // 2, num_layers=lstm_layers, batch_first=True, bidirectional=True,
                            dropout=dropout if lstm_layers > 1 else 0.0) if lstm_layers > 0 else None
        self.blocks = nn.ModuleList([AttentionBlock(dim, heads=heads, dropout=dropout) for _ in range(transformer_layers)])
        self.norm = nn.LayerNorm(dim)
        self.drop = nn.Dropout(dropout)
        n_heads = len(self.streams) if fusion == "late" else 1
        self.pools = nn.ModuleList([AttentionPool(dim) for _ in range(n_heads)]) if task == "isolated" else None
        self.heads = nn.ModuleList([nn.Linear(dim, self.out_classes) for _ in range(n_heads)])
        self.dim = dim

    def encode(self, h: torch.Tensor, m: torch.Tensor, domain: torch.Tensor | None = None
               ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, T, C)`` fused features -> ``(B, T', C)`` encoded features and ``(B, T')`` mask."""
        if self.style is not None:
            h = self.style(h, domain)
        if len(self.convs) == 0 and self.downsample > 1:
            h, m = h[:, :: self.downsample], m[:, :: self.downsample]
        for i, conv in enumerate(self.convs):
            h = conv(h, m)
            if i == 0 and self.downsample > 1:
                m = m[:, :: self.downsample][:, : h.shape[1]]
        if self.lstm is not None:
            h = h + run_lstm(self.lstm, h * m.unsqueeze(-1).to(h.dtype), m)
        for blk in self.blocks:
            h = blk(h, m)
        return self.drop(self.norm(h)), m

    def forward(self, x: Mapping[str, torch.Tensor], mask: Mapping[str, torch.Tensor] | None = None,
                domain: torch.Tensor | None = None) -> dict:
        feats, masks = self.inputs(x, mask)
        proj = [self.proj[s](f) * mk.unsqueeze(-1).to(f.dtype) for s, f, mk in zip(self.streams, feats, masks)]
        if self.fusion_kind == "late":
            outs, present = [], []
            for i, (p, mk) in enumerate(zip(proj, masks)):
                h, m = self.encode(p, mk, domain)
                outs.append(head_outputs(self.task, h, m, self.pools[i] if self.pools else None, self.heads[i]))
                present.append(mk.any(dim=1))
            fuse = LateFusion()
            key = "logits" if self.task == "isolated" else "frame_logits"
            out = {key: fuse([o[key] for o in outs], present),
                   "embedding": fuse([o["embedding"] for o in outs], present)}
            if self.task == "continuous":
                out["lengths"] = torch.stack([o["lengths"] for o in outs]).amax(0)
            return out
        m = torch.stack(masks, dim=0).any(dim=0)
        h, m = self.encode(self.fusion(proj, masks), m, domain)
        return head_outputs(self.task, h, m, self.pools[0] if self.pools else None, self.heads[0])
