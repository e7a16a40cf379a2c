"""Building blocks shared by the recognition models: stream inputs, conv/attention blocks, pooling.

Shapes: ``B`` batch, ``T`` frames, ``F`` stream features, ``C`` model width, ``S`` streams.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import ParameterError

__all__ = ["StreamModel", "ConvBlock", "AttentionBlock", "AttentionPool", "masked_mean", "frame_lengths",
           "sinusoidal_positions"]

TASKS = ("isolated", "continuous")


def frame_lengths(mask: torch.Tensor) -> torch.Tensor:
    """``(B,)`` index of the last valid frame + 1 of a ``(B, T)`` mask (0 when none is valid)."""
    T = mask.shape[1]
    idx = torch.arange(1, T + 1, device=mask.device).unsqueeze(0)  # (1, T)
    return (idx * mask.long()).amax(dim=1)


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over time of ``(B, T, C)`` where ``mask`` ``(B, T)`` is True; zeros when nothing is valid."""
    m = mask.unsqueeze(-1).to(x.dtype)
    return (x * m).sum(1) / m.sum(1).clamp_min(1.0)


def sinusoidal_positions(T: int, C: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """``(T, C)`` sinusoidal position encodings (computed on the fly, so any length works)."""
    pos = torch.arange(T, device=device, dtype=torch.float32).unsqueeze(1)
    div = torch.exp(torch.arange(0, C, 2, device=device, dtype=torch.float32) * (-math.log(10000.0) / C))
    pe = torch.zeros(T, C, device=device)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div[: C // 2])
    return pe.to(dtype)


class ConvBlock(nn.Module):
    """Pre-norm residual depthwise 1-D convolution: LN -> Linear(expand) -> depthwise conv -> SiLU -> Linear."""

    def __init__(self, dim: int, *, kernel_size: int = 5, expand: int = 1, stride: int = 1, dropout: float = 0.0):
        super().__init__()
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ParameterError(f"kernel_size={kernel_size} must be a positive odd number")
        hidden = dim * expand
        self.stride = stride
        self.norm = nn.LayerNorm(dim)
        self.expand = nn.Linear(dim, hidden) if expand != 1 else nn.Identity()
        self.dw = nn.Conv1d(hidden, hidden, kernel_size, stride=stride, padding=kernel_size // 2, groups=hidden)
        self.proj = nn.Linear(hidden, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # (B, T, C) -> (B, T', C)
        y = self.expand(self.norm(x)) * mask.unsqueeze(-1).to(x.dtype)
        y = F.silu(self.dw(y.transpose(1, 2)).transpose(1, 2))
        y = self.drop(self.proj(y))
        skip = x[:, :: self.stride] if self.stride > 1 else x
        return skip[:, : y.shape[1]] + y


class AttentionBlock(nn.Module):
    """Pre-norm Transformer encoder layer (multi-head self-attention + feed-forward), key-padding masked."""

    def __init__(self, dim: int, *, heads: int = 4, expand: int = 2, dropout: float = 0.0):
        super().__init__()
        if dim % heads:
            raise ParameterError(f"dim={dim} must be divisible by heads={heads}")
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, dim * expand), nn.GELU(), nn.Dropout(dropout), nn.Linear(dim * expand, dim))
        self.drop = nn.Dropout(dropout)
        self.p = dropout

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # (B, T, C), mask (B, T)
        B, T, C = x.shape
        q, k, v = self.qkv(self.norm1(x)).reshape(B, T, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        # a row with no valid key would give NaN: let such rows attend to their first frame
        first = torch.zeros_like(mask)
        first[:, 0] = True
        keys = mask | (first & ~mask.any(dim=1, keepdim=True))
        attn = keys[:, None, None, :]  # (B, 1, 1, T)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=attn, dropout_p=self.p if self.training else 0.0)
        x = x + self.drop(self.out(y.transpose(1, 2).reshape(B, T, C)))
        return x + self.drop(self.ff(self.norm2(x)))


class AttentionPool(nn.Module):
    """Temporal attention pooling: softmax over valid frames of a learned score."""

    def __init__(self, dim: int):
        super().__init__()
        self.score = nn.Sequential(nn.Linear(dim, dim), nn.Tanh(), nn.Linear(dim, 1))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # (B, T, C) -> (B, C)
        s = self.score(x).squeeze(-1)
        s = s.masked_fill(~mask, -1e4)
        w = torch.softmax(s, dim=1) * mask.to(x.dtype)
        w = w / w.sum(1, keepdim=True).clamp_min(1e-6)
        return torch.einsum("bt,btc->bc", w, x)


class StreamModel(nn.Module):
    """Base of the recognition models: per-stream normalization, NaN handling, masks, modality dropout.

    Parameters
    ----------
    in_dims:
        Stream name -> number of features, in the order the model (and its ONNX export) takes them.
    num_classes:
        Glosses in the vocabulary (CTC models add a blank at index 0).
    task:
        ``"isolated"`` (``logits (B, C)``) or ``"continuous"`` (``frame_logits (B, T', C + 1)``).
    modality_dropout:
        Probability, per sample and stream, of dropping the whole stream during training (at least one
        stream is always kept).
    norm_stats:
        Stream -> ``{"mean": [...], "std": [...]}`` feature statistics of the training set; stored in
        the model as buffers so exported models normalize by themselves.
    n_domains:
        When > 0, a learned region/style embedding (index 0 = unknown) is added to the fused features.
    """

    kind = "recognition"

    def __init__(self, *, in_dims: Mapping[str, int], num_classes: int, task: str = "isolated",
                 modality_dropout: float = 0.0, norm_stats: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
                 n_domains: int = 0):
        super().__init__()
        if not in_dims:
            raise ParameterError("in_dims must name at least one stream")
        for k, v in in_dims.items():
            if int(v) < 1:
                raise ParameterError(f"in_dims[{k!r}]={v} must be a positive number of features")
        if task not in TASKS:
            raise ParameterError(f"task={task!r} must be one of {TASKS}")
        if int(num_classes) < 2:
            raise ParameterError(f"num_classes={num_classes} must be at least 2")
        if not 0.0 <= modality_dropout < 1.0:
            raise ParameterError(f"modality_dropout={modality_dropout} must be in [0, 1)")
        self.streams = tuple(in_dims)
        self.in_dims = {k: int(v) for k, v in in_dims.items()}
        self.num_classes = int(num_classes)
        self.task = task
        self.modality_dropout = float(modality_dropout)
        self.n_domains = int(n_domains)
        for name, f in self.in_dims.items():
            st = (norm_stats or {}).get(name)
            mean = torch.tensor(st["mean"], dtype=torch.float32) if st else torch.zeros(f)
            std = torch.tensor(st["std"], dtype=torch.float32) if st else torch.ones(f)
            if mean.shape != (f,) or std.shape != (f,):
                raise ParameterError(f"norm_stats[{name!r}] must hold {f} means and stds")
            self.register_buffer(f"mean_{name}", mean)
            self.register_buffer(f"std_{name}", std.clamp_min(1e-4))

    @property
    def out_classes(self) -> int:
        return self.num_classes + 1 if self.task == "continuous" else self.num_classes

    def inputs(self, x: Mapping[str, torch.Tensor], mask: Mapping[str, torch.Tensor] | None
               ) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Normalized ``(B, T, F)`` features and ``(B, T)`` masks per stream, in model order.

        A stream missing from ``x`` counts as absent (zeros, masked out): the model degrades
        gracefully instead of failing. NaN features become the training mean (0 after normalization).
        """
        present = [s for s in self.streams if s in x]
        if not present:
            raise ParameterError(f"no input stream matches the model's streams {list(self.streams)}; got {sorted(x)}")
        ref = x[present[0]]
        B, T = ref.shape[0], ref.shape[1]
        feats, masks = [], []
        for s in self.streams:
            if s in x:
                v = x[s].to(torch.float32)
                if v.shape[-1] != self.in_dims[s]:
                    raise ParameterError(f"stream {s!r} has {v.shape[-1]} features, the model expects {self.in_dims[s]}")
                m = mask[s].to(torch.bool) if mask is not None and s in mask else torch.ones(B, T, dtype=torch.bool, device=v.device)
                m = m & ~torch.isnan(v).all(dim=-1)
                v = (v - getattr(self, f"mean_{s}")) / getattr(self, f"std_{s}")
                v = torch.nan_to_num(v, nan=0.0, posinf=0.0, neginf=0.0)
                v = v * m.unsqueeze(-1).to(v.dtype)
            else:
                v = torch.zeros(B, T, self.in_dims[s], device=ref.device)
                m = torch.zeros(B, T, dtype=torch.bool, device=ref.device)
            feats.append(v)
            masks.append(m)
        if self.training and self.modality_dropout > 0 and len(self.streams) > 1:
            keep = torch.rand(B, len(self.streams), device=ref.device) >= self.modality_dropout
            none = ~keep.any(dim=1)
            if none.any():
                pick = torch.randint(len(self.streams), (B,), device=ref.device)
                keep[none, pick[none]] = True
            feats = [f * keep[:, i, None, None].to(f.dtype) for i, f in enumerate(feats)]
            masks = [m & keep[:, i, None] for i, m in enumerate(masks)]
        return feats, masks


def head_outputs(task: str, h: torch.Tensor, m: torch.Tensor, pool: nn.Module | None,
                 head: nn.Module) -> dict[str, torch.Tensor]:
    """The output dict of a recognition model from encoder features ``h (B, T, C)`` and mask ``m (B, T)``."""
    emb = masked_mean(h, m)
    if task == "isolated":
        pooled = pool(h, m) if pool is not None else emb
        return {"logits": head(pooled), "embedding": emb}
    return {"frame_logits": head(h), "lengths": frame_lengths(m), "embedding": emb}


def run_lstm(lstm: nn.LSTM, h: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    """A batch-first LSTM over ``(B, T, C)``; padded batches are packed so the backward direction starts
    at each sequence's own end (skipped during ONNX export, where a single unpadded sequence is traced)."""
    if torch.onnx.is_in_onnx_export() or torch.jit.is_tracing():
        return lstm(h)[0]
    lengths = frame_lengths(m).clamp_min(1)
    T = h.shape[1]
    if bool((lengths == T).all()):
        return lstm(h)[0]
    packed = nn.utils.rnn.pack_padded_sequence(h, lengths.cpu(), batch_first=True, enforce_sorted=False)
    out, _ = lstm(packed)
    return nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=T)[0]
