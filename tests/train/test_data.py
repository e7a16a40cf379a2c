from __future__ import annotations

import numpy as np
import pytest

from signfuse.errors import DataError, ParameterError
from signfuse.samples import StreamCache, derived_stream, parse_streams
from signfuse.streams import Stream
from signfuse.train.data import StreamDataset, Vocabulary, collate, signer_splits, stream_stats

from .toy import toy_samples


def test_parse_streams():
    assert parse_streams("hands, body,face_vel") == ("hands", "body", "face_vel")
    with pytest.raises(ParameterError, match="unknown stream 'hand'.*hands"):
        parse_streams("hand,body")
    with pytest.raises(ParameterError, match="twice"):
        parse_streams("hands,hands")
    with pytest.raises(ParameterError, match="at least one"):
        parse_streams("")


def test_derived_velocity_and_acceleration_known_answer():
    t = np.arange(10) / 10.0
    s = Stream("hands", np.stack([3 * t, t**2], 1), ["x", "y"], 10.0)
    v = derived_stream(s, 1)
    a = derived_stream(s, 2)
    assert v.name == "hands_vel" and a.name == "hands_acc"
    np.testing.assert_allclose(v.values[1:, 0], 3.0, atol=1e-5)
    np.testing.assert_allclose(a.values[2:, 1], 2.0, atol=1e-3)
    assert not v.mask[0] and v.mask[1:].all() and not a.mask[:2].any()


def test_cache_roundtrip(tmp_path):
    smp = toy_samples(n_classes=2, signers=2, per=1)
    StreamCache.write(smp, tmp_path / "c", streams=("hands", "face"))
    c2 = StreamCache(tmp_path / "c")
    assert len(c2) == len(smp) and c2.dims() == {"hands": 6, "face": 3}
    for i in (0, len(smp) - 1):
        v, m = c2[i]
        np.testing.assert_array_equal(v["hands"], smp[i].streams["hands"].values)
        np.testing.assert_array_equal(m["hands"], smp[i].streams["hands"].mask)
        assert c2.records[i]["gloss"] == smp[i].gloss and c2.records[i]["signer"] == smp[i].signer
    assert isinstance(c2._values["hands"], np.memmap)
    assert c2.sample(0).streams["face"].n_features == 3
    with pytest.raises(DataError, match="no samples"):
        StreamCache.write([], tmp_path / "e", streams=("hands",))
    with pytest.raises(DataError, match="no stream 'body'"):
        StreamCache.write(smp, tmp_path / "x", streams=("body",))
    with pytest.raises(DataError, match="not a stream cache"):
        StreamCache(tmp_path)


def test_signer_independent_splits():
    recs = [{"signer": f"P{i % 6}", "split": None} for i in range(60)]
    sp = signer_splits(recs, seed=1)
    who = {k: {recs[i]["signer"] for i in v} for k, v in sp.items()}
    assert who["train"] and who["test"] and who["val"]
    assert not (who["train"] & who["test"]) and not (who["train"] & who["val"]) and not (who["val"] & who["test"])
    assert sorted(sum(sp.values(), [])) == list(range(60))
    # the dataset's own split wins (dev == val)
    recs2 = [{"signer": "a", "split": "train"}, {"signer": "b", "split": "dev"}, {"signer": "c", "split": "test"}]
    assert signer_splits(recs2) == {"train": [0], "val": [1], "test": [2]}


def test_vocabulary_errors():
    with pytest.raises(DataError, match="1 class"):
        Vocabulary.from_records([{"gloss": "A"}, {"gloss": "A"}], task="isolated")
    v = Vocabulary.from_records([{"glosses": ["B", "A"]}, {"glosses": ["C"]}], task="continuous")
    assert v.tokens == ("A", "B", "C") and v.index("C") == 2
    with pytest.raises(DataError, match="'Z'.*not in the model's vocabulary"):
        v.index("Z", sample="s1")


def test_dataset_and_collate(toy_cache):
    vocab = Vocabulary.from_records(toy_cache.records, task="isolated")
    ds = StreamDataset(
        toy_cache,
        range(len(toy_cache)),
        streams=("hands", "face"),
        vocab=vocab,
        task="isolated",
        max_frames=16,
        augment=True,
        seed=0,
        domains=("A", "B"),
    )
    items = [ds[i] for i in range(4)]
    assert all(len(it["x"]["hands"]) <= 16 for it in items)
    b = collate(items)
    assert b["x"]["hands"].shape[0] == 4 and b["label"].shape == (4,)
    assert b["domain"].tolist() == [2, 2, 2, 2]  # signer P0 is region B -> index 2
    assert ds[0]["x"]["hands"].tolist() == ds[0]["x"]["hands"].tolist()  # seeded augmentation
    bad = Vocabulary(("G0", "G1"))
    with pytest.raises(DataError, match="not in the model's vocabulary"):
        StreamDataset(toy_cache, range(len(toy_cache)), streams=("hands",), vocab=bad, task="isolated")
    with pytest.raises(ParameterError, match="not in the cache"):
        StreamDataset(toy_cache, [0], streams=("body",), vocab=vocab, task="isolated")


def test_stream_stats(toy_cache):
    st = stream_stats(toy_cache, range(len(toy_cache)))
    assert len(st["face"]["mean"]) == 3
    assert 0.2 < st["face"]["mean"][0] < 0.8  # class offsets 0 and 1


def test_length_bucket_batch_sampler_covers_every_index_once_with_less_padding():
    from signfuse.train.data import LengthBucketBatchSampler

    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 60, size=1003)
    s = LengthBucketBatchSampler(lengths, 16, pool=10, seed=3)
    s.set_epoch(4)
    batches = list(s)
    assert len(batches) == len(s) == 63
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(1003))

    def padded(bs):
        return sum(len(b) * max(lengths[b]) for b in bs)

    perm = rng.permutation(1003)
    shuffled = [perm[i : i + 16].tolist() for i in range(0, 1003, 16)]
    assert padded(batches) < 0.7 * padded(shuffled)
    # the draw depends on the seed and the epoch only: a resumed run gets the killed run's batches
    again = LengthBucketBatchSampler(lengths, 16, pool=10, seed=3)
    again.set_epoch(4)
    assert list(again) == batches
    again.set_epoch(5)
    assert list(again) != batches
    with pytest.raises(ParameterError, match="batch_size=0"):
        LengthBucketBatchSampler(lengths, 0)
