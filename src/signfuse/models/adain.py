"""Statistics normalization for cross-signer/region adaptation.

``instance_norm(x)`` removes a sequence's own per-feature mean and spread over time;
``adain(x, y)`` re-styles ``x`` to the statistics of ``y``:
``AdaIN(x, y) = sd(y) * (x - mean(x)) / sd(x) + mean(y)`` (statistics over valid frames, per feature).
Both work on torch tensors ``(B, T, F)`` or ``(T, F)`` and on numpy arrays ``(T, F)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence, TypeVar

import numpy as np
import torch
from torch import nn

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["instance_stats", "instance_norm", "adain", "domain_stats", "InstanceNorm"]

EPS = 1e-5

#: a numpy array or a torch tensor; the statistics come back as the same type
ArrayOrTensor = TypeVar("ArrayOrTensor", np.ndarray, torch.Tensor)


def instance_stats(x: ArrayOrTensor, mask: ArrayOrTensor | None = None) -> tuple[ArrayOrTensor, ArrayOrTensor]:
    """Per-feature mean and standard deviation over valid frames: ``(..., 1, F)`` each."""
    if isinstance(x, np.ndarray):
        m = np.ones(x.shape[:-1], bool) if mask is None else np.asarray(mask, bool)
        m = m & np.all(np.isfinite(x), axis=-1)
        w = m[..., None].astype(np.float64)
        xs = np.where(w > 0, x, 0.0)
        n = np.maximum(w.sum(axis=-2, keepdims=True), 1.0)
        mean = (xs * w).sum(axis=-2, keepdims=True) / n
        var = (((xs - mean) ** 2) * w).sum(axis=-2, keepdims=True) / n
        return mean.astype(np.float32), np.sqrt(var + EPS).astype(np.float32)
    m = torch.ones(x.shape[:-1], dtype=torch.bool, device=x.device) if mask is None else mask.to(torch.bool)
    w = m.unsqueeze(-1).to(x.dtype)
    xs = torch.nan_to_num(x) * w
    n = w.sum(dim=-2, keepdim=True).clamp_min(1.0)
    mean = xs.sum(dim=-2, keepdim=True) / n
    var = (((xs - mean) * w) ** 2).sum(dim=-2, keepdim=True) / n
    return mean, torch.sqrt(var + EPS)


def instance_norm(x: ArrayOrTensor, mask: ArrayOrTensor | None = None) -> ArrayOrTensor:
    """``(x - mean(x)) / sd(x)`` per feature over valid frames (a sequence's own statistics)."""
    mean, sd = instance_stats(x, mask)
    return (x - mean) / sd


def adain(x: ArrayOrTensor, y: ArrayOrTensor | None = None, *, mask_x: ArrayOrTensor | None = None,
          mask_y: ArrayOrTensor | None = None, target_mean: ArrayOrTensor | None = None,
          target_sd: ArrayOrTensor | None = None) -> ArrayOrTensor:
    """Re-style ``x`` to the statistics of ``y`` (or to explicit ``target_mean``/``target_sd``)."""
    if y is not None:
        target_mean, target_sd = instance_stats(y, mask_y)
    if target_mean is None or target_sd is None:
        from ..errors import ParameterError
        raise ParameterError("adain() needs a style sequence y or both target_mean and target_sd")
    return instance_norm(x, mask_x) * target_sd + target_mean


def domain_stats(arrays: Sequence[np.ndarray], masks: Sequence[npt.ArrayLike] | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd ``(F,)`` over every valid frame of many ``(T, F)`` arrays (a domain's style)."""
    xs = [a[(np.ones(len(a), bool) if masks is None else np.asarray(masks[i], bool)) & np.all(np.isfinite(a), axis=1)]
          for i, a in enumerate(arrays)]
    allx = np.concatenate(xs, axis=0).astype(np.float64)
    return allx.mean(0).astype(np.float32), np.sqrt(allx.var(0) + EPS).astype(np.float32)


class InstanceNorm(nn.Module):
    """Module form of :func:`instance_norm` for ``(B, T, F)`` with a ``(B, T)`` mask."""

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return instance_norm(x, mask)
