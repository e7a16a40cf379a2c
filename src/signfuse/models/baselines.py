"""Baselines: ``lstm``, ``transformer`` and ``conv_transformer`` (the Kaggle ASL Signs winner's structure).

``conv_transformer`` follows the 1st-place solution of Google's Isolated Sign Language Recognition
competition (hoyso48): a linear stem over the landmark features and their first and second temporal
differences, then groups of three depthwise 1-D conv blocks (expand 2, kernel 17) followed by one
Transformer block, a linear top layer, global average pooling and late dropout. With width 192, two
groups and the competition's inputs (hands, lips, eyes, nose: 126 points x 3 coordinates x
{x, dx, ddx}) and 250 classes it has about 1.9M parameters.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .common import AttentionBlock, ConvBlock, StreamModel, head_outputs, masked_mean, run_lstm, sinusoidal_positions
from .fusion import EarlyFusion
from .registry import register_model

__all__ = ["LSTMBaseline", "TransformerBaseline", "ConvTransformer"]


class _Projected(StreamModel):
    """Base of the two baselines that project each stream and fuse early (subclasses build both)."""

    proj: nn.ModuleDict
    fusion: EarlyFusion

    def _project(self, x: Mapping[str, torch.Tensor], mask: Mapping[str, torch.Tensor] | None,
                 dim: int | None) -> tuple[torch.Tensor, torch.Tensor]:
        feats, masks = self.inputs(x, mask)
        proj = [self.proj[s](f) * mk.unsqueeze(-1).to(f.dtype) for s, f, mk in zip(self.streams, feats, masks)]
        return self.fusion(proj, masks), torch.stack(masks, 0).any(0)


@register_model("lstm")
class LSTMBaseline(_Projected):
    """Projections -> early fusion -> stacked BiLSTM -> mean pooling."""

    def __init__(self, *, in_dims: Mapping[str, int], num_classes: int, task: str = "isolated", dim: int = 96,
                 layers: int = 2, dropout: float = 0.1, modality_dropout: float = 0.0, n_domains: int = 0,
                 norm_stats: Mapping[str, Mapping[str, Sequence[float]]] | None = None):
        super().__init__(in_dims=in_dims, num_classes=num_classes, task=task, modality_dropout=modality_dropout,
                         norm_stats=norm_stats, n_domains=n_domains)
        self.proj = nn.ModuleDict({s: nn.Linear(f, dim) for s, f in self.in_dims.items()})
        self.fusion = EarlyFusion(len(self.streams), dim)
        self.lstm = nn.LSTM(dim, dim // 2, num_layers=layers, batch_first=True, bidirectional=True,
                            dropout=dropout if layers > 1 else 0.0)
        self.head = nn.Linear(dim, self.out_classes)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: Mapping[str, torch.Tensor], mask: Mapping[str, torch.Tensor] | None = None,
                domain: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        h, m = self._project(x, mask, None)
        h = self.drop(run_lstm(self.lstm, h, m))
        return head_outputs(self.task, h, m, None, self.head)


@register_model("transformer")
class TransformerBaseline(_Projected):
    """Projections -> early fusion -> sinusoidal positions -> Transformer encoder -> mean pooling."""

    def __init__(self, *, in_dims: Mapping[str, int], num_classes: int, task: str = "isolated", dim: int = 96,
                 layers: int = 3, heads: int = 4, dropout: float = 0.1, modality_dropout: float = 0.0,
                 n_domains: int = 0, norm_stats: Mapping[str, Mapping[str, Sequence[float]]] | None = None):
        super().__init__(in_dims=in_dims, num_classes=num_classes, task=task, modality_dropout=modality_dropout,
                         norm_stats=norm_stats, n_domains=n_domains)
        self.proj = nn.ModuleDict({s: nn.Linear(f, dim) for s, f in self.in_dims.items()})
        self.fusion = EarlyFusion(len(self.streams), dim)
        self.blocks = nn.ModuleList([AttentionBlock(dim, heads=heads, dropout=dropout) for _ in range(layers)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, self.out_classes)

    def forward(self, x: Mapping[str, torch.Tensor], mask: Mapping[str, torch.Tensor] | None = None,
                domain: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        h, m = self._project(x, mask, None)
        h = h + sinusoidal_positions(h.shape[1], h.shape[2], h.device, h.dtype)
        for blk in self.blocks:
            h = blk(h, m)
        return head_outputs(self.task, self.norm(h), m, None, self.head)


class _ECA(nn.Module):
    """Efficient channel attention over masked time-average (as in the Kaggle winner)."""

    def __init__(self, k: int = 5):
        super().__init__()
        self.conv = nn.Conv1d(1, 1, k, padding=k // 2, bias=False)

    def forward(self, x: torch.Tensor, m: torch.Tensor) -> torch.Tensor:  # (B, T, C)
        s = masked_mean(x, m).unsqueeze(1)  # (B, 1, C)
        return x * torch.sigmoid(self.conv(s))


class _KaggleConv(nn.Module):
    def __init__(self, dim: int, kernel: int, dropout: float):
        super().__init__()
        self.conv = ConvBlock(dim, kernel_size=kernel, expand=2, dropout=dropout)
        self.eca = _ECA()

    def forward(self, x: torch.Tensor, m: torch.Tensor) -> torch.Tensor:  # (B, T, C)
        y = self.conv(x, m)
        return x + self.eca(y - x, m)


@register_model("conv_transformer")
class ConvTransformer(StreamModel):
    """Kaggle ASL Signs winner structure: x, dx, ddx -> stem -> [3 conv blocks + 1 Transformer] x groups."""

    def __init__(self, *, in_dims: Mapping[str, int], num_classes: int, task: str = "isolated", dim: int = 192,
                 groups: int = 2, convs_per_group: int = 3, kernel_size: int = 17, heads: int = 4,
                 dropout: float = 0.1, late_dropout: float = 0.3, diffs: bool = True, modality_dropout: float = 0.0,
                 n_domains: int = 0, norm_stats: Mapping[str, Mapping[str, Sequence[float]]] | None = None):
        super().__init__(in_dims=in_dims, num_classes=num_classes, task=task, modality_dropout=modality_dropout,
                         norm_stats=norm_stats, n_domains=n_domains)
        self.diffs = bool(diffs)
        n_in = sum(self.in_dims.values()) * (3 if self.diffs else 1)
        self.stem = nn.Linear(n_in, dim, bias=False)
        self.stem_norm = nn.LayerNorm(dim)
        layers: list[nn.Module] = []
        for _ in range(groups):
            layers += [_KaggleConv(dim, kernel_size, dropout) for _ in range(convs_per_group)]
            layers.append(AttentionBlock(dim, heads=heads, expand=2, dropout=dropout))
        self.layers = nn.ModuleList(layers)
        self.top = nn.Linear(dim, 2 * dim)
        self.late = nn.Dropout(late_dropout)
        self.head = nn.Linear(2 * dim, self.out_classes)

    def forward(self, x: Mapping[str, torch.Tensor], mask: Mapping[str, torch.Tensor] | None = None,
                domain: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        feats, masks = self.inputs(x, mask)
        h = torch.cat(feats, dim=-1)  # (B, T, F)
        m = torch.stack(masks, 0).any(0)
        if self.diffs:
            d1 = F.pad(h[:, 1:] - h[:, :-1], (0, 0, 1, 0))
            d2 = F.pad(d1[:, 1:] - d1[:, :-1], (0, 0, 1, 0))
            h = torch.cat([h, d1, d2], dim=-1)
        h = self.stem_norm(self.stem(h))
        for layer in self.layers:
            h = layer(h, m)
        h = self.late(F.silu(self.top(h)))
        return head_outputs(self.task, h, m, None, self.head)
