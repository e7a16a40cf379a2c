"""Encoder-decoder Transformer for gloss -> text translation (Yin & Read 2020 scale).

Token ids in, logits out; the vocabularies live in :mod:`signfuse.translate.vocab`. Shapes: ``B`` batch,
``S`` source tokens, ``T`` target tokens, ``C`` width, ``V`` target vocabulary. Pre-norm layers
(``norm_first``), sinusoidal positions, embeddings scaled by ``sqrt(C)``; ``tie_embeddings`` shares the
target embedding with the output projection (fewer parameters, which a 7k-sentence corpus rewards).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..errors import ParameterError
from .common import sinusoidal_positions
from .registry import register_model

__all__ = ["TranslationTransformer"]


@register_model("translation_transformer")
class TranslationTransformer(nn.Module):
    """Token ids ``(B, S)`` -> ``(B, T, V)`` next-token logits for the shifted target ``(B, T)``.

    Parameters
    ----------
    src_vocab, tgt_vocab:
        Vocabulary sizes (ids ``pad_id`` are padding).
    dim, heads, enc_layers, dec_layers, ff:
        Width, attention heads, layer counts, feed-forward width.
    dropout:
        Dropout on embeddings, attention and feed-forward (0.3-0.5 suits a 7k-sentence corpus).
    tie_embeddings:
        Share the target embedding matrix with the output projection.
    pad_id:
        Padding id of both vocabularies.
    """

    def __init__(self, *, src_vocab: int, tgt_vocab: int, dim: int = 256, heads: int = 4, enc_layers: int = 2,
                 dec_layers: int = 2, ff: int = 1024, dropout: float = 0.3, tie_embeddings: bool = True,
                 pad_id: int = 0):
        super().__init__()
        for name, v in (("src_vocab", src_vocab), ("tgt_vocab", tgt_vocab), ("dim", dim), ("heads", heads),
                        ("enc_layers", enc_layers), ("dec_layers", dec_layers), ("ff", ff)):
            if int(v) < 1:
                raise ParameterError(f"{name}={v} must be a positive integer")
        if dim % heads or dim % 2:
            raise ParameterError(f"dim={dim} must be even and divisible by heads={heads}")
        if not 0.0 <= dropout < 1.0:
            raise ParameterError(f"dropout={dropout} must be in [0, 1)")
        self.dim, self.pad_id = int(dim), int(pad_id)
        self.src_embed = nn.Embedding(src_vocab, dim, padding_idx=pad_id)
        self.tgt_embed = nn.Embedding(tgt_vocab, dim, padding_idx=pad_id)
        self.drop = nn.Dropout(dropout)
        enc = nn.TransformerEncoderLayer(dim, heads, ff, dropout, batch_first=True, norm_first=True)
        dec = nn.TransformerDecoderLayer(dim, heads, ff, dropout, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(enc, enc_layers, norm=nn.LayerNorm(dim), enable_nested_tensor=False)
        self.decoder = nn.TransformerDecoder(dec, dec_layers, norm=nn.LayerNorm(dim))
        self.out = nn.Linear(dim, tgt_vocab, bias=False)
        nn.init.normal_(self.src_embed.weight, std=dim ** -0.5)
        nn.init.normal_(self.tgt_embed.weight, std=dim ** -0.5)
        with torch.no_grad():
            self.src_embed.weight[pad_id].zero_()
            self.tgt_embed.weight[pad_id].zero_()
        if tie_embeddings:
            self.out.weight = self.tgt_embed.weight

    def _embed(self, table: nn.Embedding, ids: torch.Tensor, offset: int = 0) -> torch.Tensor:
        x = table(ids) * math.sqrt(self.dim)  # (B, L, C)
        pe = sinusoidal_positions(offset + ids.shape[1], self.dim, ids.device, x.dtype)[offset:]
        return self.drop(x + pe)

    def encode(self, src: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``src (B, S)`` -> memory ``(B, S, C)`` and its padding mask ``(B, S)`` (True = padding)."""
        pad = src.eq(self.pad_id)
        return self.encoder(self._embed(self.src_embed, src), src_key_padding_mask=pad), pad

    def decode(self, tgt_in: torch.Tensor, memory: torch.Tensor, memory_pad: torch.Tensor) -> torch.Tensor:
        """Shifted target ``(B, T)`` with memory ``(B, S, C)`` -> logits ``(B, T, V)`` (causal)."""
        T = tgt_in.shape[1]
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool, device=tgt_in.device), diagonal=1)  # True = masked
        h = self.decoder(self._embed(self.tgt_embed, tgt_in), memory, tgt_mask=causal,
                         tgt_key_padding_mask=tgt_in.eq(self.pad_id), memory_key_padding_mask=memory_pad)
        return self.out(h)

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> dict[str, torch.Tensor]:
        memory, pad = self.encode(src)
        return {"logits": self.decode(tgt_in, memory, pad)}
