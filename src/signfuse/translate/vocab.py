"""Subword (or word) vocabularies for translation: sentencepiece models trained on the training split.

A :class:`Vocab` wraps a serialized sentencepiece model (``bytes``), so a checkpoint carries its own
vocabularies and needs no side file. Ids ``0..3`` are ``<pad> <unk> <s> </s>`` in every vocabulary.
``model_type="word"`` keeps whole words; ``"bpe"``/``"unigram"`` split rare words into pieces. On
PHOENIX-2014T (7k sentences) words did best: with setting B16 and one joint vocabulary, dev BLEU-4 (beam 5)
was 24.71 with words, 24.18 with 3000 BPE pieces and 23.60 with a 2575-piece unigram model (runs P3 and U3,
benchmarks/results/translate_setting_b16_tuned.md).

Glosses are German words in a notation of their own: ASCII transliterations (``KOENNEN`` for *können*,
``MAESSIG`` for *mäßig*) and hyphenated compounds (``IM-VERLAUF``, ``NEG-HABEN``). :func:`respell_map`
learns, from the training split, which glosses are a target word respelled, so that a joint vocabulary
gives the gloss and its word one embedding; a source :class:`Vocab` applies it (and optionally splits
compounds) before sentencepiece. Hand-written because sentencepiece normalizes characters only and no
installed library knows gloss notation; the rules are the four spellings German's ASCII fallback uses.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import DataError, ParameterError

__all__ = ["Vocab", "train_vocab", "respell_map", "normalize_text", "PAD", "UNK", "BOS", "EOS", "MODEL_TYPES"]

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


# German's ASCII fallback spellings, as glosses write them; each occurrence may or may not be one
_FALLBACKS = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"), ("ss", "ß"))
_FALLBACK_RE = re.compile("|".join(a for a, _ in _FALLBACKS))
_MAX_FALLBACKS = 6  # a token with more sites is left as it is (2**6 spellings at most)


def _spellings(token: str) -> list[str]:
    """Every respelling of ``token`` with some of its ``ae oe ue ss`` as ``ä ö ü ß`` (itself excluded)."""
    sites = list(_FALLBACK_RE.finditer(token))
    if not sites or len(sites) > _MAX_FALLBACKS:
        return []
    to = dict(_FALLBACKS)
    out = []
    for choice in itertools.product((False, True), repeat=len(sites)):
        if not any(choice):
            continue
        parts, at = [], 0
        for m, on in zip(sites, choice):
            parts += [token[at : m.start()], to[m.group()] if on else m.group()]
            at = m.end()
        out.append("".join(parts) + token[at:])
    return out


def _tokens(text: str, *, lowercase: bool, split_hyphens: bool) -> list[str]:
    if lowercase:
        text = text.lower()
    toks = text.split()
    if split_hyphens:
        toks = [part for t in toks for part in t.split("-") if part]
    return toks


def normalize_text(
    text: str | Sequence[str],
    *,
    lowercase: bool = False,
    split_hyphens: bool = False,
    respell: Mapping[str, str] | None = None,
) -> str:
    """``text`` (or tokens) lowercased, compounds split and tokens respelled (see :class:`Vocab`)."""
    if not isinstance(text, str):
        text = " ".join(str(t) for t in text)
    toks = _tokens(text, lowercase=lowercase, split_hyphens=split_hyphens)
    if respell:
        toks = [respell.get(t, t) for t in toks]
    return " ".join(toks)


def respell_map(
    sources: Iterable[str], targets: Iterable[str], *, lowercase: bool = True, split_hyphens: bool = False
) -> dict[str, str]:
    """Source tokens that are a target word respelled, learned from training pairs' two sides.

    A source token (lowercased, compounds split when ``split_hyphens``) that is not itself a word of
    ``targets`` maps to the most frequent target word among its spellings with ``ä ö ü ß`` for some of
    its ``ae oe ue ss``: on PHOENIX-2014T train ``koennen -> können``, ``sued -> süd``,
    ``maessig -> mäßig``. Tokens with no such word are left out (they stay as they are).
    """
    words = Counter(w for t in targets for w in t.split())
    seen = {tok for s in sources for tok in _tokens(s, lowercase=lowercase, split_hyphens=split_hyphens)}
    out = {}
    for tok in sorted(seen):
        if tok in words:
            continue
        found = [(words[w], w) for w in _spellings(tok) if w in words]
        if found:
            out[tok] = max(found)[1]
    return out


@dataclass(frozen=True)
class Vocab:
    """A trained sentencepiece model. ``encode`` adds no ``<s>``/``</s>``; callers do.

    Before sentencepiece, ``encode`` (and ``count_unknown``/``pieces``) lowercases the input when
    ``lowercase``, splits hyphenated tokens into their parts when ``split_hyphens``, and replaces tokens
    found in ``respell`` (pairs from :func:`respell_map`) by their spelling there.
    """

    proto: bytes = field(repr=False)
    lowercase: bool = False
    split_hyphens: bool = False
    respell: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_sp", _processor(self.proto))
        object.__setattr__(self, "respell", tuple((str(a), str(b)) for a, b in dict(self.respell).items()))
        object.__setattr__(self, "_respell", dict(self.respell))

    def header(self, prefix: str) -> dict:
        """The fields that rebuild this vocabulary (:meth:`from_header`), keyed ``{prefix}...``."""
        return {
            prefix: self.proto,
            f"{prefix}_fingerprint": self.fingerprint,
            f"{prefix}_lowercase": self.lowercase,
            f"{prefix}_split_hyphens": self.split_hyphens,
            f"{prefix}_respell": [list(p) for p in self.respell],
        }

    @classmethod
    def from_header(cls, vocab: Mapping, prefix: str) -> Vocab:
        """The vocabulary a checkpoint header stores under ``prefix`` (``"src"`` or ``"tgt"``)."""
        return cls(
            bytes(vocab[prefix]),
            lowercase=bool(vocab.get(f"{prefix}_lowercase", False)),
            split_hyphens=bool(vocab.get(f"{prefix}_split_hyphens", False)),
            respell=tuple(tuple(p) for p in vocab.get(f"{prefix}_respell", ()) or ()),
        )

    def normalize(self, text: str | Sequence[str]) -> str:
        """The text sentencepiece sees: lowercased, compounds split and respelled as configured."""
        return normalize_text(text, lowercase=self.lowercase, split_hyphens=self.split_hyphens, respell=self._respell)

    @property
    def size(self) -> int:
        return int(self._sp.get_piece_size())

    @property
    def fingerprint(self) -> str:
        """A short hash of the model (a checkpoint's vocabulary must match its embedding tables)."""
        return hashlib.sha1(self.proto).hexdigest()[:12]

    def encode(self, text: str | Sequence[str]) -> list[int]:
        """Ids of a sentence (a string, or a list of tokens joined by spaces); ``""`` gives ``[]``."""
        text = self.normalize(text)
        return list(self._sp.encode(text)) if text else []

    def decode(self, ids: Iterable[int]) -> str:
        """Text of ids; ``<pad> <s> </s>`` are dropped, ``<unk>`` shows as ``<unk>``."""
        keep = [int(i) for i in ids if int(i) not in (PAD, BOS, EOS)]
        return self._sp.decode(keep) if keep else ""

    def pieces(self, text: str) -> list[str]:
        text = self.normalize(text)
        return list(self._sp.encode(text, out_type=str)) if text else []

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
