"""Gloss -> text inference without Lightning: :func:`load_translator` and :class:`Translator`.

A checkpoint written by ``signfuse translate train`` is self-contained: the model name and kwargs, both
sentencepiece vocabularies (as bytes) and the resolved config travel in its ``signfuse`` header, so
``load_translator(path).translate("JETZT WETTER MORGEN")`` needs nothing else.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ..errors import DataError, ParameterError
from .decode import beam_search, greedy_decode
from .vocab import PAD, UNK, Vocab

__all__ = ["Translation", "Translator", "load_translator", "KIND", "MODEL_NAME", "read_translation_checkpoint"]

log = logging.getLogger(__name__)
KIND = "translation"
MODEL_NAME = "translation_transformer"


@dataclass(frozen=True)
class Translation:
    """A translated sentence and the source glosses that the vocabulary did not know."""

    text: str
    unknown: tuple[str, ...] = ()


def _glosses(glosses: Sequence[str] | str) -> list[str]:
    if isinstance(glosses, str):
        return glosses.split()
    if not all(isinstance(g, str) for g in glosses):
        raise ParameterError("glosses must be a string or a list of strings")
    return [t for g in glosses for t in g.split()]


class Translator:
    """A gloss -> text model with its vocabularies.

    Parameters
    ----------
    model:
        A :class:`~signfuse.models.translation.TranslationTransformer` (put in eval mode here).
    src_vocab, tgt_vocab:
        The sentencepiece vocabularies the model was trained with.
    alpha, beam:
        Default length-penalty exponent and width of beam search (a checkpoint tuned on dev by
        :func:`signfuse.translate.tune_decoding` carries its own).
    max_src_len:
        Longer gloss sequences are cut (and a warning logged).
    """

    def __init__(
        self,
        model: torch.nn.Module,
        *,
        src_vocab: Vocab,
        tgt_vocab: Vocab,
        alpha: float = 1.0,
        beam: int = 5,
        max_src_len: int = 128,
        path: str | None = None,
        config: dict | None = None,
    ):
        self.model = model.eval()
        self.src_vocab, self.tgt_vocab = src_vocab, tgt_vocab
        self.alpha = float(alpha)
        if int(beam) < 1:
            raise ParameterError(f"beam={beam} must be >= 1")
        self.beam = int(beam)
        self.max_src_len = int(max_src_len)
        self.path = path
        self.config = dict(config or {})

    def _encode(self, glosses: list[str]) -> tuple[list[int], tuple[str, ...]]:
        ids = self.src_vocab.encode(glosses)
        unknown = tuple(g for g in glosses if UNK in self.src_vocab.encode(g))
        if len(ids) > self.max_src_len:
            log.warning("gloss sequence of %d tokens cut to %d", len(ids), self.max_src_len)
            ids = ids[: self.max_src_len]
        return ids, unknown

    def translate_batch(
        self,
        sentences: Sequence[Sequence[str] | str],
        *,
        beam: int | None = None,
        alpha: float | None = None,
        batch_size: int = 64,
    ) -> list[Translation]:
        """Translate many gloss sequences (each a string or a list of glosses); empty input gives ``""``.
        ``beam`` and ``alpha`` default to the translator's (1 = greedy)."""
        beam = self.beam if beam is None else int(beam)
        if int(beam) < 1:
            raise ParameterError(f"beam={beam} must be >= 1")
        if int(batch_size) < 1:
            raise ParameterError(f"batch_size={batch_size} must be >= 1")
        alpha = self.alpha if alpha is None else float(alpha)
        encoded = [self._encode(_glosses(s)) for s in sentences]
        texts = [""] * len(encoded)
        todo = sorted((i for i, (ids, _) in enumerate(encoded) if ids), key=lambda i: len(encoded[i][0]))
        device = next(self.model.parameters()).device
        for start in range(0, len(todo), int(batch_size)):
            chunk = todo[start : start + int(batch_size)]
            S = max(len(encoded[i][0]) for i in chunk)
            src = torch.full((len(chunk), S), PAD, dtype=torch.long)
            for r, i in enumerate(chunk):
                src[r, : len(encoded[i][0])] = torch.tensor(encoded[i][0])
            src = src.to(device)
            hyps = greedy_decode(self.model, src) if beam == 1 else beam_search(self.model, src, beam=beam, alpha=alpha)
            for i, h in zip(chunk, hyps):
                texts[i] = self.tgt_vocab.decode(h.tokens)
        return [Translation(t, unk) for t, (_, unk) in zip(texts, encoded)]

    def translate(self, glosses: Sequence[str] | str, *, beam: int | None = None, alpha: float | None = None) -> str:
        """The text of one gloss sequence (``"JETZT WETTER"`` or ``["JETZT", "WETTER"]``)."""
        return self.translate_batch([glosses], beam=beam, alpha=alpha)[0].text


def read_translation_checkpoint(path: str | os.PathLike[str]):
    """The checkpoint's header and weights (via :func:`signfuse.models.checkpoint.read_checkpoint`)."""
    from ..models.checkpoint import read_checkpoint

    return read_checkpoint(path, kind=KIND)


def load_translator(path: str | os.PathLike[str], *, device: str = "cpu") -> Translator:
    """Rebuild a :class:`Translator` from a translation checkpoint; a checkpoint of another kind, missing
    vocabularies or a vocabulary that does not match the weights raise :class:`DataError` naming the file."""
    from ..models import translation as _  # noqa: F401  (registers translation_transformer)
    from ..models.checkpoint import build_model

    p = Path(path)
    ck = read_translation_checkpoint(p)
    vocab: dict[str, Any] = dict(ck.vocab or {})
    for key in ("src", "tgt"):
        if not isinstance(vocab.get(key), (bytes, bytearray)):
            raise DataError(f"translation checkpoint lacks its {key} vocabulary", path=p)
    try:
        src_vocab, tgt_vocab = Vocab.from_header(vocab, "src"), Vocab.from_header(vocab, "tgt")
    except DataError as e:
        raise DataError(f"bad vocabulary in checkpoint: {e.reason}", path=p) from None
    kw = dict(ck.model_kwargs)
    for key, v in (("src_vocab", src_vocab), ("tgt_vocab", tgt_vocab)):
        if kw.get(key) != v.size:
            raise DataError(
                f"vocabulary mismatch: the {key[:3]} vocabulary has {v.size} pieces but the model "
                f"was built for {kw.get(key)}",
                path=p,
            )
        fp = vocab.get(f"{key[:3]}_fingerprint")
        if fp is not None and fp != v.fingerprint:
            raise DataError(
                f"vocabulary mismatch: the {key[:3]} vocabulary's fingerprint {v.fingerprint} is not "
                f"the one the model was trained with ({fp})",
                path=p,
            )
    model = build_model(ck)
    config = dict(ck.config or {})
    extra = dict(ck.extra or {})
    alpha = float(extra.get("alpha", config.get("alpha", 1.0)))
    beam = int(extra.get("beam", 5))
    return Translator(
        model.to(device),
        src_vocab=src_vocab,
        tgt_vocab=tgt_vocab,
        alpha=alpha,
        beam=beam,
        path=str(p),
        config=config,
    )
