from __future__ import annotations

import pytest

from signfuse.errors import DataError, ParameterError
from signfuse.translate.vocab import BOS, EOS, PAD, UNK, Vocab, train_vocab

GERMAN = [
    "und nun die wettervorhersage für morgen donnerstag den zwölften august",
    "im süden regnet es länger und ergiebig",
    "an der see weht ein frischer wind aus nordwest",
    "morgen wird es überall freundlich und trocken",
]


@pytest.mark.parametrize("model_type,size", [("word", 1000), ("bpe", 60), ("unigram", 60), ("char", 60)])
def test_round_trip_of_training_sentences(model_type, size):
    v = train_vocab(GERMAN, model_type=model_type, vocab_size=size)
    for s in GERMAN:
        ids = v.encode(s)
        assert ids and all(i >= 4 for i in ids)  # no specials, no unknowns
        assert v.decode(ids) == s
        assert v.decode([BOS] + ids + [EOS, PAD, PAD]) == s


def test_glosses_round_trip_and_unknown_counted():
    v = train_vocab(["JETZT WETTER MORGEN", "REGEN SCHNEE", "MORGEN REGEN"], model_type="word", vocab_size=100)
    assert v.decode(v.encode(["JETZT", "WETTER"])) == "JETZT WETTER"
    ids = v.encode("JETZT FOOBAR REGEN")
    assert ids.count(UNK) == 1 and v.count_unknown("JETZT FOOBAR REGEN") == 1
    assert "<unk>" in v.decode(ids)
    assert v.encode("") == [] and v.encode("   ") == [] and v.decode([]) == ""


def test_serialized_vocab_is_the_same_vocab():
    v = train_vocab(GERMAN, model_type="bpe", vocab_size=60)
    w = Vocab(v.proto)
    assert w.fingerprint == v.fingerprint and w.size == v.size
    assert all(w.encode(s) == v.encode(s) for s in GERMAN)
    assert train_vocab(GERMAN, model_type="bpe", vocab_size=60).fingerprint == v.fingerprint  # deterministic


def test_vocab_errors():
    with pytest.raises(ParameterError, match="model_type"):
        train_vocab(GERMAN, model_type="wordpiece")
    with pytest.raises(DataError, match="no non-empty"):
        train_vocab(["", "  "])
    with pytest.raises(DataError, match="sentencepiece"):
        Vocab(b"not a model")


def test_lowercase_vocab_shares_pieces_between_glosses_and_words():
    joint = train_vocab(["regen morgen", "morgen regnet es"], model_type="word", vocab_size=100, lowercase=True)
    assert joint.lowercase and joint.encode("MORGEN REGEN") == joint.encode("morgen regen")
    assert UNK not in joint.encode("MORGEN REGEN") and joint.count_unknown("MORGEN SCHNEE") == 1
    assert joint.pieces("MORGEN") == joint.pieces("morgen")
    # the same proto without the flag is case-sensitive again
    assert UNK in Vocab(joint.proto).encode("MORGEN")
