"""Subword (or word) vocabularies for translation: sentencepiece models trained on the training split.

A :class:`Vocab` wraps a serialized sentencepiece model (``bytes``), so a checkpoint carries its own
vocabularies and needs no side file. Ids ``0..3`` are ``<pad> <unk> <s> </s>`` in every vocabulary.
``model_type="word"`` keeps whole words (the best choice for PHOENIX-2014T glosses and, at 7k sentences,
for German text too); ``"bpe"``/``"unigram"`` split rare words into pieces.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..errors import DataError, ParameterError

__all__ = ["Vocab", "train_vocab", "PAD", "UNK", "BOS", "EOS", "MODEL_TYPES"]

PAD, UNK, BOS, EOS = 0, 1, 2, 3
UNK_SURFACE = "<unk>"
MODEL_TYPES = ("word", "bpe", "unigram", "char")


def _processor(proto: bytes):
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor()
    try:
        sp.load_from_serialized_proto(proto)
    except Exception as e:  # sentencepiece raises RuntimeError/OSError for a corrupt proto
        raise DataError(f"not a sentencepiece model ({e})") from e
    return sp


@dataclass(frozen=True)
class Vocab:
    """A trained sentencepiece model. ``encode`` adds no ``<s>``/``</s>``; callers do. ``lowercase``
    lowercases the input of ``encode`` (and of ``count_unknown``/``pieces``) first."""

    proto: bytes = field(repr=False)
    lowercase: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "_sp", _processor(self.proto))

    @property
    def size(self) -> int:
        return int(self._sp.get_piece_size())

    @property
    def fingerprint(self) -> str:
        """A short hash of the model (a checkpoint's vocabulary must match its embedding tables)."""
        return hashlib.sha1(self.proto).hexdigest()[:12]

    def encode(self, text: str | Sequence[str]) -> list[int]:
        """Ids of a sentence (a string, or a list of tokens joined by spaces); ``""`` gives ``[]``."""
        if not isinstance(text, str):
            text = " ".join(str(t) for t in text)
        text = " ".join(text.split())
        if self.lowercase:
            text = text.lower()
        return list(self._sp.encode(text)) if text else []

    def decode(self, ids: Iterable[int]) -> str:
        """Text of ids; ``<pad> <s> </s>`` are dropped, ``<unk>`` shows as ``<unk>``."""
        keep = [int(i) for i in ids if int(i) not in (PAD, BOS, EOS)]
        return self._sp.decode(keep) if keep else ""

    def pieces(self, text: str) -> list[str]:
        text = " ".join(text.split())
        return list(self._sp.encode(text.lower() if self.lowercase else text, out_type=str)) if text else []

    def piece(self, i: int) -> str:
        return self._sp.id_to_piece(int(i))

    def count_unknown(self, text: str | Sequence[str]) -> int:
        return sum(1 for i in self.encode(text) if i == UNK)


def train_vocab(
    sentences: Iterable[str],
    *,
    model_type: str = "word",
    vocab_size: int = 4000,
    character_coverage: float = 1.0,
    lowercase: bool = False,
) -> Vocab:
    """Train a sentencepiece model on ``sentences`` (the training split only).

    ``vocab_size`` is an upper bound for ``"word"`` (every training word fits when it is large enough)
    and a target for the subword types. ``lowercase`` lowercases the sentences and returns a vocabulary
    that lowercases what it encodes.
    """
    import sentencepiece as spm

    if model_type not in MODEL_TYPES:
        raise ParameterError(f"model_type={model_type!r} must be one of {MODEL_TYPES}")
    if int(vocab_size) < 8:
        raise ParameterError(f"vocab_size={vocab_size} must be >= 8")
    sents = [" ".join(s.split()) for s in sentences]
    if lowercase:
        sents = [s.lower() for s in sents]
    sents = [s for s in sents if s]
    if not sents:
        raise DataError("no non-empty training sentence to build a vocabulary from")
    buf = io.BytesIO()
    try:
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(sents),
            model_writer=buf,
            model_type=model_type,
            vocab_size=int(vocab_size),
            hard_vocab_limit=False,
            pad_id=PAD,
            unk_id=UNK,
            bos_id=BOS,
            eos_id=EOS,
            unk_surface=UNK_SURFACE,
            normalization_rule_name="identity",
            character_coverage=float(character_coverage),
            split_digits=False,
            byte_fallback=False,
            num_threads=1,
            minloglevel=2,
            max_sentence_length=1 << 16,
        )
    except RuntimeError as e:
        raise ParameterError(f"sentencepiece could not train a {model_type} vocabulary of {vocab_size}: {e}") from e
    return Vocab(buf.getvalue(), lowercase=bool(lowercase))
