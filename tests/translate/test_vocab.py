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


def test_respell_map_learns_the_ascii_spellings_of_target_words():
    from signfuse.translate.vocab import respell_map

    sources = ["KOENNEN SUED MAESSIG REGEN", "IM-VERLAUF FEUER SUESSE", "NEG-KOENNEN"]
    targets = ["es können im süden mäßig regen", "im verlauf feuer süße süße süsse"]
    got = respell_map(sources, targets)
    # süd is not a target word (süden is); regen and feuer are words already; süße is the more frequent
    assert got == {"koennen": "können", "maessig": "mäßig", "suesse": "süße"}
    split = respell_map(sources, targets, split_hyphens=True)
    assert split == {"koennen": "können", "maessig": "mäßig", "suesse": "süße"}  # neg, im, verlauf: no respelling
    assert respell_map(["KOENNEN"], ["können"], lowercase=False) == {}  # KOENNEN is no lowercase word's spelling
    # more than six fallback sites: left as it is rather than trying 2**7 spellings
    assert respell_map(["aeaeaeaeaeaeae"], ["ääääääää"]) == {}


def test_vocab_respells_and_splits_before_sentencepiece_and_keeps_it_in_its_header():
    from signfuse.translate.vocab import normalize_text, respell_map

    targets = ["im verlauf können regen", "mäßig wind"]
    respell = respell_map(["IM-VERLAUF KOENNEN REGEN", "MAESSIG WIND"], targets, split_hyphens=True)
    joint = train_vocab(targets, model_type="word", vocab_size=100)
    src = Vocab(joint.proto, lowercase=True, split_hyphens=True, respell=tuple(respell.items()))
    assert src.normalize("IM-VERLAUF KOENNEN MAESSIG") == "im verlauf können mäßig"
    assert src.encode("IM-VERLAUF KOENNEN  MAESSIG") == joint.encode("im verlauf können mäßig")
    assert src.count_unknown("IM-VERLAUF KOENNEN") == 0 and src.pieces("KOENNEN") == ["▁können"]
    assert normalize_text(["A-B", "-C"], split_hyphens=True) == "A B C"
    again = Vocab.from_header(src.header("src"), "src")
    assert again == src and again.encode("MAESSIG-WIND") == src.encode("MAESSIG-WIND")
    # a header written before respelling existed reads as a plain lowercasing vocabulary
    old = Vocab.from_header({"src": joint.proto, "src_lowercase": True}, "src")
    assert old.respell == () and not old.split_hyphens and old.encode("REGEN") == joint.encode("regen")
