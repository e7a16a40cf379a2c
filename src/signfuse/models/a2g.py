"""Audio-to-gesture models and the small motion autoencoder behind the Frechet Gesture Distance.

An audio-to-gesture model maps frame audio features ``(B, T, F)`` (already on the video clock) to
gesture targets ``(B, T, O)`` on the same clock. Voice follows the gesture stroke by a lag of the order
of 100 ms, so the models are non-causal: a symmetric temporal convolution + bidirectional GRU
(``a2g_gru``) or a Transformer encoder (``a2g_transformer``). Input and target statistics are buffers,
so a checkpoint or an ONNX export normalizes and de-normalizes by itself.

Output dict: ``{"y": (B, T, O)}`` in target units, ``"y_norm"`` in normalized units (what the loss uses).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import torch
from torch import nn

from ..errors import ParameterError
from .common import AttentionBlock, ConvBlock, sinusoidal_positions
from .registry import register_model

__all__ = ["A2GModel", "A2GConvGRU", "A2GTransformer", "MotionAutoencoder"]


class A2GModel(nn.Module):
    """Base: validation, normalization buffers, and the input/output projections."""

    kind = "a2g"
    # buffers registered in __init__ (declared here for the type checker)
    x_mean: torch.Tensor
    x_std: torch.Tensor
    y_mean: torch.Tensor
    y_std: torch.Tensor

    def __init__(self, *, in_dim: int, out_dim: int, dim: int = 96, dropout: float = 0.1,
                 norm_stats: Mapping[str, Sequence[float]] | None = None):
        super().__init__()
        for name, v in (("in_dim", in_dim), ("out_dim", out_dim), ("dim", dim)):
            if int(v) < 1:
                raise ParameterError(f"{name}={v} must be a positive integer")
        if not 0 <= dropout < 1:
            raise ParameterError(f"dropout={dropout} must be in [0, 1)")
        self.in_dim, self.out_dim, self.dim = int(in_dim), int(out_dim), int(dim)
        st = dict(norm_stats or {})
        for key, n in (("x", self.in_dim), ("y", self.out_dim)):
            mean = torch.tensor(st[f"{key}_mean"], dtype=torch.float32) if f"{key}_mean" in st else torch.zeros(n)
            std = torch.tensor(st[f"{key}_std"], dtype=torch.float32) if f"{key}_std" in st else torch.ones(n)
            if mean.shape != (n,) or std.shape != (n,):
                raise ParameterError(f"norm_stats {key}_mean/{key}_std must hold {n} values")
            self.register_buffer(f"{key}_mean", mean)
            self.register_buffer(f"{key}_std", std.clamp_min(1e-4))
        self.inp = nn.Sequential(nn.Linear(self.in_dim, self.dim), nn.LayerNorm(self.dim), nn.Dropout(dropout))
        self.out = nn.Linear(self.dim, self.out_dim)

    def encode(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # (B, T, C) -> (B, T, C)
        raise NotImplementedError

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        if x.dim() != 3 or x.shape[-1] != self.in_dim:
            raise ParameterError(f"audio features must be (B, T, {self.in_dim}), got {tuple(x.shape)}")
        B, T, _ = x.shape
        m = torch.ones(B, T, dtype=torch.bool, device=x.device) if mask is None else mask.to(torch.bool)
        z = torch.nan_to_num((x - self.x_mean) / self.x_std, nan=0.0, posinf=0.0, neginf=0.0)
        z = z * m.unsqueeze(-1).to(z.dtype)
        h = self.encode(self.inp(z), m)                       # (B, T, C)
        y_norm = self.out(h)                                  # (B, T, O)
        return {"y_norm": y_norm, "y": y_norm * self.y_std + self.y_mean}

    def normalize_target(self, y: torch.Tensor) -> torch.Tensor:
        return (y - self.y_mean) / self.y_std


@register_model("a2g_gru")
class A2GConvGRU(A2GModel):
    """Symmetric depthwise temporal convolutions, then a bidirectional GRU."""

    def __init__(self, *, in_dim: int, out_dim: int, dim: int = 96, conv_layers: int = 2, kernel_size: int = 7,
                 gru_layers: int = 1, dropout: float = 0.1, norm_stats: Mapping[str, Sequence[float]] | None = None):
        super().__init__(in_dim=in_dim, out_dim=out_dim, dim=dim, dropout=dropout, norm_stats=norm_stats)
        self.convs = nn.ModuleList(ConvBlock(self.dim, kernel_size=kernel_size, expand=2, dropout=dropout)
                                   for _ in range(int(conv_layers)))
        self.gru = nn.GRU(self.dim, self.dim // 2, num_layers=int(gru_layers), batch_first=True, bidirectional=True)
        self.norm = nn.LayerNorm(self.dim)

    def encode(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        for c in self.convs:
            h = c(h, mask)
        return self.norm(h + self.gru(h)[0])


@register_model("a2g_transformer")
class A2GTransformer(A2GModel):
    """A Transformer encoder over audio frames (sinusoidal positions, key-padding mask)."""

    def __init__(self, *, in_dim: int, out_dim: int, dim: int = 96, layers: int = 3, heads: int = 4,
                 kernel_size: int = 5, dropout: float = 0.1, norm_stats: Mapping[str, Sequence[float]] | None = None):
        super().__init__(in_dim=in_dim, out_dim=out_dim, dim=dim, dropout=dropout, norm_stats=norm_stats)
        self.local = ConvBlock(self.dim, kernel_size=kernel_size, dropout=dropout)
        self.blocks = nn.ModuleList(AttentionBlock(self.dim, heads=heads, dropout=dropout) for _ in range(int(layers)))
        self.norm = nn.LayerNorm(self.dim)

    def encode(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        h = self.local(h, mask)
        h = h + sinusoidal_positions(h.shape[1], h.shape[2], h.device, h.dtype)
        for b in self.blocks:
            h = b(h, mask)
        return self.norm(h)


class MotionAutoencoder(nn.Module):
    """A small 1-D convolutional autoencoder over ``(B, T, F)`` motion windows.

    Its pooled latent is the feature space of the Frechet Gesture Distance (Yoon et al. 2020 train a
    comparable autoencoder on real motion). signfuse trains it on the training split's real motion and
    saves it with the run, so the distance is reproducible.
    """

    def __init__(self, *, in_dim: int, latent: int = 32, hidden: int = 64):
        super().__init__()
        self.in_dim, self.latent, self.hidden = int(in_dim), int(latent), int(hidden)
        self.enc = nn.Sequential(
            nn.Conv1d(self.in_dim, hidden, 5, padding=2), nn.LeakyReLU(0.2),
            nn.Conv1d(hidden, hidden, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv1d(hidden, latent, 4, stride=2, padding=1))
        self.dec = nn.Sequential(
            nn.ConvTranspose1d(latent, hidden, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.ConvTranspose1d(hidden, hidden, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv1d(hidden, self.in_dim, 5, padding=2))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:  # x (B, T, F), T % 4 == 0
        z = self.enc(x.transpose(1, 2))                        # (B, latent, T/4)
        return self.dec(z).transpose(1, 2), z

    @torch.no_grad()
    def embed(self, x: torch.Tensor) -> torch.Tensor:          # (B, T, F) -> (B, latent)
        return self.enc(x.transpose(1, 2)).mean(dim=2)


def predict_clip(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """``(T, out_dim)`` prediction (denormalized) for one clip's inputs ``x (T, in_dim)`` (numpy)."""
    with torch.no_grad():
        return model(torch.from_numpy(np.asarray(x, np.float32)[None]))["y"][0].numpy()
