from __future__ import annotations

import json

import pytest

from signfuse.errors import DataError, FormatError, ParameterError
from signfuse.translate.corpus import read_gloss_predictions, read_pairs

from .conftest import toy_rows, write_phoenix


def test_phoenix_csv(tmp_path):
    p = write_phoenix(tmp_path / "x.train.corpus.csv", toy_rows(5))
    pairs = read_pairs(p)
    assert len(pairs) == 5 and pairs[0].id == "toy-0" and pairs[0].glosses == tuple(toy_rows(1)[0][1].split())
    assert pairs[0].text == toy_rows(1)[0][2] and pairs[0].signer == "Signer01"


def test_parallel_files_by_prefix_and_suffix(tmp_path):
    (tmp_path / "train.gloss").write_text("A B\n\nC\n", encoding="utf-8")
    (tmp_path / "train.de").write_text("a b\nleer\nc\n", encoding="utf-8")
    for src in (tmp_path / "train", tmp_path / "train.gloss", tmp_path / "train.de"):
        pairs = read_pairs(src)
        assert [p.source for p in pairs] == ["A B", "", "C"] and [p.text for p in pairs] == ["a b", "leer", "c"]
    (tmp_path / "train.en").write_text("x\ny\nz\n", encoding="utf-8")
    assert read_pairs(tmp_path / "train", tgt_lang="en")[2].text == "z"
    assert read_pairs(tmp_path, split="train")[0].text == "a b"  # a folder of parallel files


def test_misaligned_parallel_files_name_the_file(tmp_path):
    (tmp_path / "dev.gloss").write_text("A\nB\n")
    (tmp_path / "dev.de").write_text("a\n")
    with pytest.raises(FormatError, match="dev.gloss.*line-aligned"):
        read_pairs(tmp_path / "dev")
    with pytest.raises(DataError, match="no such file"):
        (tmp_path / "test.gloss").write_text("A\n")
        read_pairs(tmp_path / "test")


def test_wrong_columns_name_the_file(tmp_path):
    bad = tmp_path / "bad.train.csv"
    bad.write_text("name|video|start|end|speaker|orth\na|b|-1|-1|S|X\n")
    with pytest.raises(FormatError, match=r"bad\.train\.csv.*(translation|translation corpus)"):
        read_pairs(bad)
    comma = tmp_path / "comma.csv"
    comma.write_text("name,video,start,end,speaker,orth,translation\na,b,-1,-1,S,X,y\n")
    with pytest.raises(FormatError, match="comma.csv"):
        read_pairs(comma)
    with pytest.raises(DataError, match="no such corpus file"):
        read_pairs(tmp_path / "missing.csv")


def test_synthetic_folder_and_missing_split(tmp_path):
    root = tmp_path / "syn"
    (root / "continuous").mkdir(parents=True)
    (root / "corpus.json").write_text(json.dumps({"version": 2}))
    write_phoenix(root / "continuous" / "corpus.train.csv", toy_rows(3))
    assert len(read_pairs(root, split="train")) == 3
    with pytest.raises(DataError, match="no dev split"):
        read_pairs(root, split="dev")
    with pytest.raises(ParameterError, match="which split"):
        read_pairs(root)
    with pytest.raises(ParameterError, match="split="):
        read_pairs(root, split="holdout")
    with pytest.raises(DataError, match="no test split"):
        read_pairs(tmp_path, split="test")  # a folder with no corpus at all


def test_real_synthetic_corpus_carries_translations(tiny_corpus):
    pairs = read_pairs(tiny_corpus, split="train")
    assert pairs and all(p.text for p in pairs)


def test_gloss_predictions(tmp_path):
    p = tmp_path / "pred.csv"
    p.write_text("name|hypothesis\na|X Y\nb|\n")
    assert read_gloss_predictions(p) == {"a": ("X", "Y"), "b": ()}
    p.write_text("name|hypothesis\na|X\na|Y\n")
    with pytest.raises(FormatError, match="twice"):
        read_gloss_predictions(p)
    p.write_text("id|glosses\na|X\n")
    with pytest.raises(FormatError, match="pred.csv.*hypothesis"):
        read_gloss_predictions(p)


def test_phoenix_real_split(shared_data):
    d = shared_data / "real" / "phoenix2014t"
    if not d.is_dir():
        pytest.skip(f"{d} absent")
    assert [len(read_pairs(d / f"PHOENIX-2014-T.{s}.corpus.csv")) for s in ("train", "dev", "test")] == [7096, 519, 642]
    assert len(read_pairs(d, split="dev")) == 519
