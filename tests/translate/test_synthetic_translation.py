from __future__ import annotations

import pytest

from signfuse.datasets.synthetic.translation import sentence_type, spoken_sentence, word_class

# glosses chosen by their (stable, hash-given) word class so the tests read like the grammar
NOUNS = [g for g in ("BAKO", "MUSE", "RITA", "LONI", "DAFE", "GUPA", "VIZO", "HEJU") if word_class(g) == "noun"][:2]
VERBS = [g for g in ("KAWE", "TAMU", "SELO", "NIDA", "FEGU", "PAVI", "ZOHE", "JUKA", "WEBA") if word_class(g) == "verb"][:1]
TIMES = [g for g in ("BAKORI", "MUSETA", "RITALO", "LONIDA", "DAFEGU", "GUPAVI", "VIZOHE", "HEJUKA", "KAWEBA",
                     "TAMUSE", "SELORI", "NIDAFE") if word_class(g) == "time"][:1]


def test_word_classes_are_stable_and_cover_the_grammar():
    assert len(NOUNS) == 2 and len(VERBS) == 1 and len(TIMES) == 1
    assert word_class("BAKO-NEG") == word_class("BAKO")  # a marker suffix does not change the class


def test_reordering_and_plural():
    (n1, n2), (v,), (t,) = NOUNS, VERBS, TIMES
    s = spoken_sentence([t, n1, n2, v], ["none"] * 4)  # signs: time, topic, object, verb last
    assert s == f"the {n1.lower()} {v.lower()}s the {n2.lower()} {t.lower()}"  # speech: S V O, time at the end
    p = spoken_sentence([n1, n1, v], ["none"] * 3)  # a repeated sign is a plural
    assert p == f"the {n1.lower()}s {v.lower()}"


def test_markers_decide_the_meaning():
    (n1, n2), (v,), _ = NOUNS, VERBS, TIMES
    manual = [n1, n2, v]
    plain = spoken_sentence(manual, ["none"] * 3)
    neg = spoken_sentence([n1, n2, f"{v}-NEG"], ["none", "none", "head_shake"])
    yn = spoken_sentence([n1, f"{n2}-Q", v], ["none", "brow_raise", "none"])
    wh = spoken_sentence([n1, f"{n2}-WH", v], ["none", "brow_furrow", "none"])
    assert neg == f"the {n1.lower()} does not {v.lower()} the {n2.lower()}"
    assert yn == f"does the {n1.lower()} {v.lower()} the {n2.lower()} ?"
    assert wh == f"what does the {n1.lower()} {v.lower()} the {n2.lower()} ?"
    assert len({plain, neg, yn, wh}) == 4
    # a marker on a sign without a suffix gloss counts too: the face carries the meaning
    assert spoken_sentence(manual, ["none", "none", "head_shake"]) == neg
    assert spoken_sentence(manual, ["mouth_cha", "none", "none"]) == plain.replace(f"the {n1.lower()}",
                                                                                 f"the big {n1.lower()}")
    assert sentence_type(["head_shake", "brow_raise"]) == {"negative": True, "question": True, "wh": False,
                                                           "emphatic": False}
    assert spoken_sentence([], []) == ""
    with pytest.raises(ValueError, match="markers"):
        spoken_sentence(["A"], [])


def test_corpus_writes_the_grammar_translation(tiny_corpus):
    import csv
    import json

    from signfuse.datasets.synthetic import read_metadata

    rows = list(csv.DictReader((tiny_corpus / "continuous" / "corpus.csv").open(), delimiter="|"))
    meta = {m["id"]: m for m in read_metadata(tiny_corpus) if m["kind"] == "continuous"}
    assert rows
    for r in rows:
        m = meta[r["name"]]
        markers = [s["nonmanual"] for s in m["sign"]]
        assert r["translation"] == m["translation"] == spoken_sentence(r["orth"].split(), markers)
        assert m["sentence_type"] == sentence_type(markers)
    assert json.loads((tiny_corpus / "corpus.json").read_text())["counts"]["continuous"] == len(rows)
