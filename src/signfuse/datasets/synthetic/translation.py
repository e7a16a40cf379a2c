"""Spoken-language translations of synthetic sentences: a small generated grammar.

The sign order of a synthetic sentence is what the generator drew; this grammar reads it the way a sign
language sentence is read and says it the way a spoken (English-like) language would, so translation is
more than gloss-by-gloss substitution:

- every base gloss has a stable word class (a CRC32 hash of the gloss, so it needs no random numbers and
  is the same in every corpus): about 1/6 **time** signs, 1/3 **verbs**, the rest **nouns**; its spoken
  word is the gloss in lower case (``BAKORI`` -> ``bakori``);
- signs: time signs first, topic (the first noun) next, verb last; speech: subject, verb, objects, time
  phrase at the end (``BAKO MUSE TAFE`` with BAKO time, MUSE noun, TAFE verb -> ``the muse tafes bako``);
- a sign repeated at once (``MUSE MUSE``) is a **plural** (``the muses``);
- the **non-manual markers decide the sentence type**: a head shake (``-NEG`` or any sign signed with
  a head shake) makes it negative (``the muse does not tafe``); raised brows make a yes/no question
  (``does the muse tafe ?``); furrowed brows a wh-question (``what does the muse tafe ?``); a head nod
  an emphatic one (``the muse really tafes``); mouth morphemes become modifiers (cha ``big``, mm
  ``easy``, oo ``small``) of their sign's word. So a system that ignores the face cannot translate these
  sentences right.

Everything is a pure function of the signs' glosses and markers (:func:`spoken_sentence`); the corpus
writer calls it without touching its random generator, so landmark and audio files do not change.
"""

from __future__ import annotations

import zlib
from typing import Sequence

from .vocab import PAIR_SUFFIX

__all__ = ["spoken_sentence", "word_class", "sentence_type", "MODIFIERS"]

_SUFFIXES = set(PAIR_SUFFIX.values())
#: mouth morphemes -> the modifier they add to their sign's word
MODIFIERS = {"mouth_cha": "big", "mouth_mm": "easy", "mouth_oo": "small"}


def _base(gloss: str) -> str:
    base, _, suffix = gloss.partition("-")
    return base if suffix in _SUFFIXES else gloss


def word_class(gloss: str) -> str:
    """``"time"``, ``"verb"`` or ``"noun"`` for a gloss (its base without a marker suffix), by a stable hash."""
    h = zlib.crc32(f"wordclass/{_base(gloss)}".encode()) % 6
    return "time" if h == 0 else "verb" if h in (1, 2) else "noun"


def sentence_type(nonmanuals: Sequence[str]) -> dict[str, bool]:
    """What the markers of a sentence's signs make of it: ``negative``, ``question`` (yes/no), ``wh``, ``emphatic``."""
    nm = set(nonmanuals)
    return {"negative": "head_shake" in nm, "wh": "brow_furrow" in nm,
            "question": "brow_raise" in nm and "brow_furrow" not in nm, "emphatic": "head_nod" in nm}


def spoken_sentence(glosses: Sequence[str], nonmanuals: Sequence[str]) -> str:
    """The spoken-language sentence for signs ``glosses`` carrying markers ``nonmanuals`` (one each,
    ``"none"`` for no marker). See the module docstring for the grammar."""
    if len(glosses) != len(nonmanuals):
        from ...errors import ParameterError
        raise ParameterError(f"{len(glosses)} glosses but {len(nonmanuals)} non-manual markers")
    # group immediate repetitions (plural) and attach modifiers
    units: list[dict] = []
    for g, nm in zip(glosses, nonmanuals):
        word = _base(g).lower()
        if units and units[-1]["word"] == word and units[-1]["cls"] != "time":
            units[-1]["plural"] = True
            continue
        units.append({"word": word, "cls": word_class(g), "plural": False, "mod": MODIFIERS.get(nm)})
    if not units:
        return ""
    kind = sentence_type(nonmanuals)
    times = [u["word"] for u in units if u["cls"] == "time"]
    nouns = [u for u in units if u["cls"] == "noun"]
    verbs = [u for u in units if u["cls"] == "verb"]

    def np_(u: dict) -> str:
        return " ".join(["the"] + ([u["mod"]] if u["mod"] else []) + [u["word"] + ("s" if u["plural"] else "")])

    subject = np_(nouns[0]) if nouns else "it"
    plural = bool(nouns and nouns[0]["plural"])
    objects = " and ".join(np_(u) for u in nouns[1:]).split()
    if verbs:
        v = verbs[-1]
        verb = v["word"] + (f" {v['mod']}" if v["mod"] else "")
        # earlier verbs are a serial-verb chain: "and <verb>"
        extra = [f"and {u['word']}" for u in verbs[:-1]]
        aux = "do" if plural else "does"
        if kind["wh"]:
            core = ["what", aux, subject] + (["not"] if kind["negative"] else []) + [verb] + objects + extra
        elif kind["question"]:
            core = [aux, subject] + (["not"] if kind["negative"] else []) + [verb] + objects + extra
        elif kind["negative"]:
            core = [subject, aux, "not", verb] + objects + extra
        else:
            inflected = v["word"] + ("" if plural else "s") + (f" {v['mod']}" if v["mod"] else "")
            core = [subject] + (["really"] if kind["emphatic"] else []) + [inflected] + objects + extra
    else:
        be = "are" if plural else "is"
        rest = objects or ["here"]
        if kind["wh"]:
            core = ["what", be, subject] + (["not"] if kind["negative"] else []) + rest
        elif kind["question"]:
            core = [be, subject] + (["not"] if kind["negative"] else []) + rest
        else:
            core = [subject, be] + (["not"] if kind["negative"] else ["really"] if kind["emphatic"] else []) + rest
    words = core + times + (["?"] if kind["wh"] or kind["question"] else [])
    return " ".join(words)
