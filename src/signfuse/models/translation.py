"""Encoder-decoder Transformer for gloss -> text translation (Yin & Read 2020 scale).

Token ids in, logits out; the vocabularies live in :mod:`signfuse.translate.vocab`. Shapes: ``B`` batch,
``S`` source tokens, ``T`` target tokens, ``C`` width, ``V`` target vocabulary. Pre-norm layers
(``norm_first``), sinusoidal positions, embeddings scaled by ``sqrt(C)``; ``tie_embeddings`` shares the
target embedding with the output projection (fewer parameters, which a 7k-sentence corpus rewards).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import ParameterError
from .common import sinusoidal_positions
from .registry import register_model

__all__ = ["TranslationTransformer", "DecodeState", "DecodeWeights"]


@dataclass
class DecodeState:
    """Caches of incremental decoding: per layer the cross-attention keys/values of the memory
    ``(N, H, S, C/H)`` and the self-attention keys/values of the tokens so far ``(N, H, t, C/H)``."""

    cross_k: list[torch.Tensor]
    cross_v: list[torch.Tensor]
    self_k: list[torch.Tensor | None]
    self_v: list[torch.Tensor | None]
    keep: torch.Tensor  # (N, 1, 1, S) True where the memory is not padding
    pos: int = 0
    weights: DecodeWeights | None = None  # the decoder's weights as (in, out) matrices (decode_step)

    def select(self, index: torch.Tensor, *, same_memory: bool = False) -> DecodeState:
        """The state of rows ``index`` (beam search reorders its hypotheses every step).

        ``same_memory=True`` says that each new row reads the same memory as the row it replaces (beam
        search moves hypotheses only within their sentence), so the cross-attention caches, identical
        across a sentence's rows, are kept as they are instead of copied.
        """

        def pick(ts: list[torch.Tensor]) -> list[torch.Tensor]:
            return [t.index_select(0, index) for t in ts]

        def pick_opt(ts: list[torch.Tensor | None]) -> list[torch.Tensor | None]:
            return [None if t is None else t.index_select(0, index) for t in ts]

        if same_memory:
            cross_k, cross_v, keep = self.cross_k, self.cross_v, self.keep
        else:
            cross_k, cross_v, keep = pick(self.cross_k), pick(self.cross_v), self.keep.index_select(0, index)
        return DecodeState(cross_k, cross_v, pick_opt(self.self_k), pick_opt(self.self_v), keep, self.pos, self.weights)


@dataclass(frozen=True)
class DecodeWeights:
    """The decoder's weights transposed into contiguous ``(in, out)`` matrices, for ``torch.addmm`` on the
    ``(N, C)`` rows of one decoding step. Per layer: fused self-attention query/key/value, self-attention
    output, cross-attention query, cross-attention output, feed-forward in and out, as (matrix, bias)."""

    key: tuple
    layers: Sequence[tuple[tuple[torch.Tensor, torch.Tensor], ...]]
    out: torch.Tensor  # (C, V)


def _proj(mha: nn.MultiheadAttention, x: torch.Tensor, which: int) -> torch.Tensor:
    d = mha.embed_dim
    return F.linear(x, mha.in_proj_weight[which * d : (which + 1) * d], mha.in_proj_bias[which * d : (which + 1) * d])


def _split(x: torch.Tensor, heads: int) -> torch.Tensor:  # (N, L, C) -> (N, H, L, C/H)
    N, L, C = x.shape
    return x.view(N, L, heads, C // heads).transpose(1, 2)


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
        Dropout on embeddings, attention and feed-forward. 0.3-0.5 suits a 7k-sentence corpus trained to
        convergence; 0.2 did better within a 30-minute CPU budget, which stops well before that.
    tie_embeddings:
        Share the target embedding matrix with the output projection.
    share_embeddings:
        One embedding table for source and target (a joint vocabulary: ``src_vocab == tgt_vocab``), so a
        gloss and the word it names (``REGEN`` lowercased, ``regen``) start from the same vector.
    pad_id:
        Padding id of both vocabularies.
    """

    kind = "translation"

    def __init__(
        self,
        *,
        src_vocab: int,
        tgt_vocab: int,
        dim: int = 256,
        heads: int = 4,
        enc_layers: int = 2,
        dec_layers: int = 2,
        ff: int = 512,
        dropout: float = 0.2,
        tie_embeddings: bool = True,
        share_embeddings: bool = False,
        pad_id: int = 0,
    ):
        super().__init__()
        for name, v in (
            ("src_vocab", src_vocab),
            ("tgt_vocab", tgt_vocab),
            ("dim", dim),
            ("heads", heads),
            ("enc_layers", enc_layers),
            ("dec_layers", dec_layers),
            ("ff", ff),
        ):
            if int(v) < 1:
                raise ParameterError(f"{name}={v} must be a positive integer")
        if dim % heads or dim % 2:
            raise ParameterError(f"dim={dim} must be even and divisible by heads={heads}")
        if not 0.0 <= dropout < 1.0:
            raise ParameterError(f"dropout={dropout} must be in [0, 1)")
        if share_embeddings and src_vocab != tgt_vocab:
            raise ParameterError(
                f"share_embeddings needs one joint vocabulary, but src_vocab={src_vocab} != tgt_vocab={tgt_vocab}"
            )
        self.dim, self.pad_id, self.heads = int(dim), int(pad_id), int(heads)
        self.src_embed = nn.Embedding(src_vocab, dim, padding_idx=pad_id)
        self.tgt_embed = nn.Embedding(tgt_vocab, dim, padding_idx=pad_id)
        self.drop = nn.Dropout(dropout)
        enc = nn.TransformerEncoderLayer(dim, heads, ff, dropout, batch_first=True, norm_first=True)
        dec = nn.TransformerDecoderLayer(dim, heads, ff, dropout, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(enc, enc_layers, norm=nn.LayerNorm(dim), enable_nested_tensor=False)
        self.decoder = nn.TransformerDecoder(dec, dec_layers, norm=nn.LayerNorm(dim))
        self.out = nn.Linear(dim, tgt_vocab, bias=False)
        nn.init.normal_(self.src_embed.weight, std=dim**-0.5)
        nn.init.normal_(self.tgt_embed.weight, std=dim**-0.5)
        with torch.no_grad():
            self.src_embed.weight[pad_id].zero_()
            self.tgt_embed.weight[pad_id].zero_()
        if share_embeddings:
            self.src_embed = self.tgt_embed
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
        h = self.decoder(
            self._embed(self.tgt_embed, tgt_in),
            memory,
            tgt_mask=causal,
            tgt_key_padding_mask=tgt_in.eq(self.pad_id),
            memory_key_padding_mask=memory_pad,
        )
        return self.out(h)

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> dict[str, torch.Tensor]:
        memory, pad = self.encode(src)
        return {"logits": self.decode(tgt_in, memory, pad)}

    # --- incremental decoding (inference only): the same computation as ``decode``, one token at a time,
    # with cached keys and values, so a step costs O(t) instead of re-running the whole prefix.

    def decode_weights(self) -> DecodeWeights:
        """The decoder's weights as contiguous ``(in, out)`` matrices, cached until a parameter changes.

        With a few rows (a beam) ``torch.addmm`` from such a matrix ran 1.6-1.8x faster than ``F.linear``
        from the ``(out, in)`` weight, for every layer shape of the default model (5 rows, one thread,
        interleaved in one process, Intel Xeon; one sentence decodes 1.3x faster in all,
        ``benchmarks/bench_translate_decode.py``). Transposing them all costs 7-11 ms, so it is done once,
        not per sentence. A parameter changed in place (optimizer step, ``load_state_dict``) or replaced shows in
        its version counter or storage and rebuilds the cache; a write through ``param.data`` does not,
        so call :meth:`clear_decode_cache` after one.
        """
        params = list(self.decoder.parameters()) + [self.out.weight]
        key = tuple((p.data_ptr(), p._version, p.dtype) for p in params)
        cached = self.__dict__.get("_decode_weights")
        if cached is not None and cached.key == key:
            return cached
        C = self.dim

        def t(w: torch.Tensor) -> torch.Tensor:
            return w.detach().t().contiguous()

        layers = []
        with torch.no_grad():
            for layer in self.decoder.layers:
                sa, ca = layer.self_attn, layer.multihead_attn
                layers.append(
                    (
                        (t(sa.in_proj_weight), sa.in_proj_bias.detach()),
                        (t(sa.out_proj.weight), sa.out_proj.bias.detach()),
                        (t(ca.in_proj_weight[:C]), ca.in_proj_bias[:C].detach()),
                        (t(ca.out_proj.weight), ca.out_proj.bias.detach()),
                        (t(layer.linear1.weight), layer.linear1.bias.detach()),
                        (t(layer.linear2.weight), layer.linear2.bias.detach()),
                    )
                )
            w = DecodeWeights(key, layers, t(self.out.weight))
        self.__dict__["_decode_weights"] = w
        return w

    def clear_decode_cache(self) -> None:
        """Forget the cached :meth:`decode_weights` (needed only after writing through ``param.data``)."""
        self.__dict__.pop("_decode_weights", None)

    def start_decoding(self, memory: torch.Tensor, memory_pad: torch.Tensor) -> DecodeState:
        """Precompute the cross-attention keys/values of ``memory (N, S, C)`` for :meth:`decode_step`."""
        ck, cv = [], []
        for layer in self.decoder.layers:
            ck.append(_split(_proj(layer.multihead_attn, memory, 1), self.heads))
            cv.append(_split(_proj(layer.multihead_attn, memory, 2), self.heads))
        n = len(self.decoder.layers)
        keep = (~memory_pad)[:, None, None, :]
        return DecodeState(ck, cv, [None] * n, [None] * n, keep, weights=self.decode_weights())

    def _positions(self, pos: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
        """Row ``pos`` of the sinusoidal table ``(1, C)``, from a table kept between steps."""
        pe = self.__dict__.get("_pe_table")
        if pe is None or pe.shape[0] <= pos or pe.device != device or pe.dtype != dtype:
            pe = sinusoidal_positions(max(256, 2 * (pos + 1)), self.dim, device, dtype)
            self.__dict__["_pe_table"] = pe
        return pe[pos : pos + 1]

    def decode_step(self, tokens: torch.Tensor, state: DecodeState) -> torch.Tensor:
        """Next-token logits ``(N, V)`` after ``tokens (N,)`` at position ``state.pos``; updates ``state``.

        The same computation as :meth:`decode` on rows ``(N, C)`` rather than ``(N, 1, C)`` (2-D matrix
        products skip a reshape in every linear layer) with one fused query/key/value projection.
        """
        N, C, H = tokens.shape[0], self.dim, self.heads
        D = C // H
        w = state.weights if state.weights is not None else self.decode_weights()
        dtype = self.tgt_embed.weight.dtype
        x = self.drop(self.tgt_embed(tokens) * math.sqrt(C) + self._positions(state.pos, tokens.device, dtype))
        for i, (layer, (qkv_w, so_w, cq_w, co_w, f1_w, f2_w)) in enumerate(zip(self.decoder.layers, w.layers)):
            qkv = torch.addmm(qkv_w[1], layer.norm1(x), qkv_w[0])  # (N, 3C)
            q, k, v = (t.reshape(N, H, 1, D) for t in qkv.split(C, dim=1))
            past_k, past_v = state.self_k[i], state.self_v[i]
            if past_k is not None and past_v is not None:  # both None before the first step, both set after it
                k = torch.cat([past_k, k], 2)
                v = torch.cat([past_v, v], 2)
            state.self_k[i], state.self_v[i] = k, v
            x = x + torch.addmm(so_w[1], F.scaled_dot_product_attention(q, k, v).reshape(N, C), so_w[0])
            q = torch.addmm(cq_w[1], layer.norm2(x), cq_w[0]).reshape(N, H, 1, D)
            a = F.scaled_dot_product_attention(q, state.cross_k[i], state.cross_v[i], attn_mask=state.keep)
            x = x + torch.addmm(co_w[1], a.reshape(N, C), co_w[0])
            x = x + torch.addmm(f2_w[1], layer.activation(torch.addmm(f1_w[1], layer.norm3(x), f1_w[0])), f2_w[0])
        state.pos += 1
        h = cast(nn.Module, self.decoder.norm)(x)  # Optional in torch's types; __init__ always gives one
        return h @ w.out
