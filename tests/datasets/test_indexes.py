from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path

import pytest

from signfuse.datasets import Entry, open_index, read_asl_signs, read_how2sign, read_phoenix, read_phoenix_t, read_wlasl
from signfuse.errors import DataError, FormatError

HOW2SIGN = (
    "VIDEO_ID\tVIDEO_NAME\tSENTENCE_ID\tSENTENCE_NAME\tSTART_REALIGNED\tEND_REALIGNED\tSENTENCE\n"
    "--7E2sU6zP4\t--7E2sU6zP4-5-rgb_front\t--7E2sU6zP4_10\t--7E2sU6zP4_10-5-rgb_front\t129.06\t142.48\t"
    "And I call them decorative elements because basically all they're meant to do is to enrich and color the page.\n"
    "--7E2sU6zP4\t--7E2sU6zP4-5-rgb_front\t--7E2sU6zP4_11\t--7E2sU6zP4_11-5-rgb_front\t142.5\t148.71\t"
    "So they don't have an important \"function\", but they make the page look nice.\n"
    "-fZc293MpJk\t-fZc293MpJk-8-rgb_front\t-fZc293MpJk_0\t-fZc293MpJk_0-8-rgb_front\t0.0\t5.25\tHi.\n"
)


def test_wlasl_real(shared_data):
    d = shared_data / "datasets"
    entries = read_wlasl(d / "asl100.json", root="/videos")
    raw = json.loads((d / "asl100.json").read_text())
    assert len(raw) == 100
    assert len(entries) == sum(len(g["instances"]) for g in raw)
    first = entries[0]
    inst = raw[0]["instances"][0]
    assert first.id == inst["video_id"] and first.gloss == raw[0]["gloss"] == "book"
    assert first.path == Path("/videos") / f"{inst['video_id']}.mp4"
    assert first.signer == str(inst["signer_id"]) and first.split == inst["split"]
    assert first.start_frame == inst["frame_start"] - 1 and first.end_frame is None  # -1 = to the end
    assert first.fps == inst["fps"] and first.meta["class_index"] == 0
    # an instance with an explicit end: 1-based inclusive -> 0-based exclusive
    bounded = [(g, i) for g in raw for i in g["instances"] if i["frame_end"] != -1]
    if bounded:
        g, i = bounded[0]
        e = next(e for e in entries if e.id == i["video_id"] and e.gloss == g["gloss"])
        assert (e.start_frame, e.end_frame) == (i["frame_start"] - 1, i["frame_end"])
    assert len({e.signer for e in entries}) > 50


def test_wlasl_split_file(shared_data):
    d = shared_data / "datasets"
    split = json.loads((d / "nslt_100.json").read_text())
    entries = read_wlasl(d / "asl100.json", split_file=d / "nslt_100.json")
    assert {e.id for e in entries} <= set(split)
    for e in entries[:200]:
        assert e.split == {"train": "train", "val": "val", "test": "test"}[split[e.id]["subset"]]
        assert e.meta["nslt_class_index"] == split[e.id]["action"][0] == e.meta["class_index"]
    counts = Counter(e.split for e in entries)
    assert set(counts) == {"train", "val", "test"} and counts["train"] > counts["val"]


def test_phoenix_xml_corpus(shared_data):
    p = shared_data / "datasets" / "RWTH-PHOENIX-Weather-Signer03-cutout.test.corpus"
    entries = read_phoenix(p, root="/frames")
    assert len(entries) == p.read_text().count("<recording ")
    e = entries[0]
    assert e.id == "01May_2010_Saturday_tagesschau_default_wort-0"
    assert e.glosses == ("TAG",) and e.signer == "Signer03" and e.split == "test" and e.fps == 25.0
    assert e.path == Path("/frames/01May_2010_Saturday_tagesschau_default_wort-0")
    assert open_index(p) == read_phoenix(p)


def test_phoenix_t_real(shared_data):
    p = shared_data / "datasets" / "PHOENIX-2014-T.dev.corpus.csv"
    (e,) = read_phoenix_t(p)
    assert e.id == "25October_2010_Monday_tagesschau-17" and e.signer == "Signer01"
    assert e.split == "val" and e.meta["split_name"] == "dev"
    assert e.glosses[:3] == ("REGEN", "SCHNEE", "REGION") and len(e.glosses) == 11
    assert e.meta["translation"].startswith("regen und schnee")
    assert (e.start_frame, e.end_frame) == (0, None)
    assert open_index(p) == [e]


def test_phoenix_2014_pipe_corpus(tmp_path):
    p = tmp_path / "train.corpus.csv"
    p.write_text("id|folder|signer|annotation\n"
                 "01April_2010_Thursday_heute_default-0|01April_2010_Thursday_heute_default-0/1/*.png|Signer04|"
                 "__ON__ LIEB ZUSCHAUER ABEND WINTER GESTERN loc-NORD SCHOTTLAND __OFF__\n")
    (e,) = open_index(p)
    assert e.signer == "Signer04" and e.split == "train" and e.glosses[0] == "__ON__" and len(e.glosses) == 9
    assert e.path == Path("01April_2010_Thursday_heute_default-0/1")


def test_how2sign(tmp_path):
    p = tmp_path / "how2sign_realigned_val.csv"
    p.write_text(HOW2SIGN)
    entries = read_how2sign(p, root="/clips")
    assert len(entries) == 3 and all(e.split == "val" for e in entries)
    e = entries[1]
    assert e.id == "--7E2sU6zP4_11-5-rgb_front" and e.path == Path("/clips/--7E2sU6zP4_11-5-rgb_front.mp4")
    assert e.meta["start_s"] == 142.5 and e.meta["end_s"] == 148.71
    assert e.meta["sentence"].startswith("So they don't have an important \"function\"")
    assert open_index(p) == read_how2sign(p)


def test_asl_signs(tmp_path):
    (tmp_path / "train.csv").write_text(
        "path,participant_id,sequence_id,sign\n"
        "train_landmark_files/26734/1000035562.parquet,26734,1000035562,blow\n"
        "train_landmark_files/28656/1000106739.parquet,28656,1000106739,wait\n")
    (tmp_path / "sign_to_prediction_index_map.json").write_text('{"blow": 5, "wait": 7}')
    entries = read_asl_signs(tmp_path / "train.csv")
    assert [e.gloss for e in entries] == ["blow", "wait"] and [e.meta["label"] for e in entries] == [5, 7]
    assert entries[0].signer == "26734" and entries[0].id == "1000035562" and entries[0].split == "train"
    assert entries[0].path == tmp_path / "train_landmark_files/26734/1000035562.parquet"
    assert open_index(tmp_path / "train.csv") == entries
    (tmp_path / "sign_to_prediction_index_map.json").write_text('{"blow": 5}')
    with pytest.raises(FormatError, match="wait"):
        read_asl_signs(tmp_path / "train.csv")


def test_entry_is_frozen():
    e = Entry("a", "x.pose", 3, "train", meta={"k": 1})
    assert e.signer == "3" and isinstance(e.path, Path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.id = "b"
    with pytest.raises(TypeError):
        e.meta["k"] = 2
    assert hash(e) == hash(Entry("a", "x.pose", 3, "train"))


def test_bad_index_files(tmp_path):
    bad = tmp_path / "a.json"
    bad.write_text("[{\"gloss\": ")
    with pytest.raises(FormatError, match="bad JSON") as e:
        read_wlasl(bad)
    assert str(bad) in str(e.value)
    bad.write_text('[{"gloss": "x", "instances": [{"video_id": "1"}]}]')
    with pytest.raises(FormatError, match="bad instance"):
        read_wlasl(bad)
    csv = tmp_path / "dev.corpus.csv"
    csv.write_text("name,video,start,end,speaker,orth,translation\na,b,-1,-1,S,X,y\n")
    with pytest.raises(FormatError, match="comma-separated"):
        read_phoenix_t(csv)
    csv.write_text("name|video|speaker|orth\na|b|S|X\n")
    with pytest.raises(FormatError, match="missing columns"):
        read_phoenix_t(csv)
    csv.write_text("name|video|start|end|speaker|orth|translation\na|b|x|-1|S|X|y\n")
    with pytest.raises(FormatError, match="start"):
        read_phoenix_t(csv)
    h = tmp_path / "h.csv"
    h.write_text(HOW2SIGN.replace("\t", ","))
    with pytest.raises(FormatError, match="wrong header"):
        read_how2sign(h)
    x = tmp_path / "c.corpus"
    x.write_text("<corpus><recording name='a'")
    with pytest.raises(FormatError, match="XML"):
        read_phoenix(x)
    empty = tmp_path / "e.csv"
    empty.write_text("")
    with pytest.raises(FormatError, match="empty"):
        open_index(empty)
    with pytest.raises(DataError, match="no such file"):
        open_index(tmp_path / "missing.csv")
    with pytest.raises(FormatError, match="split file"):
        nslt = tmp_path / "n.json"
        nslt.write_text('{"1": {"subset": "train", "action": [0, 1, 5]}}')
        open_index(nslt)
