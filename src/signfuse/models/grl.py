"""Domain-adversarial training: gradient reversal, its lambda schedule, a domain classifier, style embedding."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from ..errors import ParameterError

__all__ = ["grad_reverse", "GradientReversal", "grl_lambda", "DomainClassifier", "StyleEmbedding"]


class _Reverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, lam: float) -> torch.Tensor:  # ctx: torch's FunctionCtx, given attributes
        ctx.lam = float(lam)
        return x.view_as(x)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        return -ctx.lam * grad, None


def grad_reverse(x: torch.Tensor, lam: float = 1.0) -> torch.Tensor:
    """Identity forward; multiplies the gradient by ``-lam`` backward."""
    return _Reverse.apply(x, lam)


def grl_lambda(progress: float, *, gamma: float = 10.0) -> float:
    """Ganin & Lempitsky's schedule ``2 / (1 + exp(-gamma p)) - 1`` for training progress ``p`` in [0, 1]."""
    if not 0.0 <= progress <= 1.0 + 1e-9:
        raise ParameterError(f"progress={progress} must be in [0, 1]")
    return 2.0 / (1.0 + math.exp(-gamma * progress)) - 1.0


class GradientReversal(nn.Module):
    def __init__(self, lam: float = 1.0):
        super().__init__()
        self.lam = lam

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return grad_reverse(x, self.lam)


class DomainClassifier(nn.Module):
    """Predicts the domain (region/signer) from the pooled encoder output through gradient reversal."""

    def __init__(self, dim: int, n_domains: int, *, hidden: int = 64):
        super().__init__()
        if n_domains < 2:
            raise ParameterError(f"n_domains={n_domains} must be at least 2 for a domain classifier")
        self.net = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, n_domains))

    def forward(self, emb: torch.Tensor, lam: float = 1.0) -> torch.Tensor:  # (B, D) -> (B, n_domains)
        return self.net(grad_reverse(emb, lam))


class StyleEmbedding(nn.Module):
    """A learned vector per region/style (index 0 = unknown), added to every frame."""

    def __init__(self, n_domains: int, dim: int):
        super().__init__()
        self.embed = nn.Embedding(n_domains + 1, dim)
        nn.init.zeros_(self.embed.weight)

    def forward(self, x: torch.Tensor, domain: torch.Tensor | None) -> torch.Tensor:  # (B, T, C)
        if domain is None:
            domain = torch.zeros(x.shape[0], dtype=torch.long, device=x.device)
        return x + self.embed(domain.clamp(0, self.embed.num_embeddings - 1)).unsqueeze(1)
