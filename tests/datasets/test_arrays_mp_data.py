"""Array datasets (.npz with X / label), MP_Data roots, and read_entry for every Entry kind."""

from __future__ import annotations

import json

import numpy as np
import pytest

from signfuse import datasets
from signfuse import io as sio
from signfuse.datasets import arrays as A
from signfuse.errors import DataError, FormatError, ParameterError


def _arrays(rng, n=6, T=8, D=258):
    X = np.zeros((n, T, D), np.float32)
    X[:, :, :132] = rng.uniform(0.1, 0.9, (n, T, 132))        # pose (x, y, z, visibility)
    X[:, :, 132 + 63:] = rng.uniform(0.1, 0.9, (n, T, 63))     # right hand; left hand missing
    return dict(X=X, label=np.array(["hello", "tea"] * (n // 2)), signer=np.array(["s1", "s2", "s3"] * (n // 3)),
                split=np.array(["train", "dev", "test"] * (n // 3)), length=np.array([8, 5, 8, 3, 8, 8], np.int16),
                seq=np.arange(n) * 10)


@pytest.mark.parametrize("compressed", [False, True])
def test_npz_rows_are_entries(tmp_path, rng, compressed):
    a = _arrays(rng)
    path = tmp_path / "words.npz"
    (np.savez_compressed if compressed else np.savez)(path, **a)
    entries = datasets.open_index(path)
    assert len(entries) == 6
    e = entries[1]
    assert (e.id, e.gloss, e.signer, e.split, e.end_frame) == ("1", "tea", "s2", "val", 5)
    assert e.meta["array_row"] == 1 and e.meta["seq"] == 10 and e.path == path
    with pytest.raises(ParameterError, match="no frame rate"):
        datasets.read_entry(e)
    seq = datasets.read_entry(e, fps=30)
    assert seq.n_frames == 5 and seq.fps == 30 and seq.component_names == ("POSE", "LEFT_HAND", "RIGHT_HAND")
    np.testing.assert_allclose(seq.component_data("RIGHT_HAND")[0][:, 0].reshape(5, -1), a["X"][1, :5, 195:])
    assert np.all(seq.component_data("LEFT_HAND")[1] == 0)
    np.testing.assert_allclose(seq.component_data("POSE")[1][:, 0], a["X"][1, :5, :132].reshape(5, 33, 4)[..., 3])
    ds = A.load_arrays(path)
    assert isinstance(ds.X, np.memmap) != compressed        # stored members are mapped, not read
    assert A.load_arrays(path) is ds                        # opened once, shared by every row


def test_npz_fps_member_points_and_single_frames(tmp_path, rng):
    X = rng.uniform(0, 1, (4, 6, 42, 3)).astype(np.float32)
    np.savez(tmp_path / "p.npz", X=X, y=np.array([0, 1, 0, 1]), fps=np.array(25.0))
    e = datasets.open_index(tmp_path / "p.npz")
    assert e[3].gloss == "1" and e[3].fps == 25.0 and e[3].signer is None
    seq = datasets.read_entry(e[3])
    assert seq.fps == 25 and seq.component_names == ("LEFT_HAND", "RIGHT_HAND") and seq.n_frames == 6
    np.testing.assert_allclose(seq.data[:, 0], X[3], rtol=1e-6)
    single = rng.uniform(0, 1, (3, 21, 3))
    np.savez(tmp_path / "s.npz", X=single, y=np.array(["A", "B", "C"]), fname=np.array(["f0", "f1", "f2"]))
    e = datasets.open_index(tmp_path / "s.npz")
    seq = datasets.read_entry(e[2])
    assert seq.n_frames == 1 and seq.fps == 1.0 and seq.component_names == ("RIGHT_HAND",)
    assert e[2].meta["fname"] == "f2"


def test_bad_array_datasets(tmp_path, rng):
    np.savez(tmp_path / "a.npz", X=np.zeros((3, 5, 100)), label=np.array(["a", "b", "c"]))
    with pytest.raises(FormatError, match=r"X has shape \(3, 5, 100\)"):
        datasets.open_index(tmp_path / "a.npz")
    np.savez(tmp_path / "b.npz", X=np.zeros((3, 5, 126)), label=np.array(["a", "b"]))
    with pytest.raises(FormatError, match=r"label has shape \(2,\); X has 3 rows"):
        datasets.open_index(tmp_path / "b.npz")
    np.savez(tmp_path / "c.npz", X=np.zeros((3, 5, 126)), label=np.array(["a", "b", "c"]), length=np.array([5, 9, 1]))
    with pytest.raises(FormatError, match=r"length\[1\] = 9 is outside 1..5"):
        datasets.open_index(tmp_path / "c.npz")
    sio.write_npz(_a_sequence(), tmp_path / "cache.npz")     # a signfuse landmark cache is not a dataset
    with pytest.raises(FormatError, match="not an array dataset"):
        datasets.open_index(tmp_path / "cache.npz")
    np.savez(tmp_path / "o.npz", X=np.array([None, 1], dtype=object), label=np.array(["a", "b"]))
    with pytest.raises(FormatError):
        datasets.open_index(tmp_path / "o.npz")


def _a_sequence():
    from signfuse.io.mp_data import vectors_to_sequence
    return vectors_to_sequence(np.zeros((2, 126)), fps=30)


def _mp_root(tmp_path, rng):
    root = tmp_path / "MP_Data"
    for label in ("hello", "thanks"):
        for s in (0, 1, 10):
            d = root / label / str(s)
            d.mkdir(parents=True)
            for f in range(4):
                np.save(d / f"{f}.npy", rng.uniform(0.1, 0.9, 126))
    return root


def test_mp_data_root_index_and_signer_map(tmp_path, rng, caplog):
    root = _mp_root(tmp_path, rng)
    entries = datasets.open_index(root)
    assert [e.id for e in entries] == ["hello/0", "hello/1", "hello/10", "thanks/0", "thanks/1", "thanks/10"]
    assert {e.gloss for e in entries} == {"hello", "thanks"} and all(e.signer is None for e in entries)
    assert all(e.fps is None for e in entries)
    with pytest.raises(ParameterError, match="carry no frame rate"):
        datasets.read_entry(entries[0])
    seq = datasets.read_entry(entries[2], fps=30)
    assert seq.n_frames == 4 and seq.component_names == ("LEFT_HAND", "RIGHT_HAND")
    (tmp_path / "MP_Data.signers.json").write_text(json.dumps(
        [{"label": "hello", "sequence": s, "signer": f"p{s % 2}"} for s in (0, 1, 10)] +
        [{"label": "nope", "sequence": 0, "signer": "p9"}]))
    with caplog.at_level("WARNING"):
        entries = datasets.open_index(root)
    assert [e.signer for e in entries] == ["p0", "p1", "p0", None, None, None]
    assert "does not list 3 of 6" in caplog.text and "not in the folder" in caplog.text
    (root / "signers.json").write_text(json.dumps({"thanks/0": "q"}))
    other = datasets.read_mp_data_root(root, signers=root / "signers.json")
    assert other[3].signer == "q"
    (tmp_path / "bad.json").write_text(json.dumps([{"label": "hello"}]))
    with pytest.raises(FormatError, match="item 0"):
        datasets.read_mp_data_root(root, signers=tmp_path / "bad.json")
    with pytest.raises(DataError, match="neither a synthetic corpus"):
        datasets.open_index(tmp_path / "MP_Data" / "hello" / "0")


def test_read_entry_for_files_and_media(tmp_path, rng):
    seq = _a_sequence()
    sio.write(seq, tmp_path / "x.pose")
    e = datasets.Entry(id="a", path=tmp_path / "x.pose", signer=None, split=None, gloss="g", start_frame=1)
    assert datasets.read_entry(e).n_frames == 1
    with pytest.raises(DataError, match="no frames"):
        datasets.read_entry(datasets.Entry(id="b", path=tmp_path / "x.pose", signer=None, split=None,
                                           start_frame=5))
    with pytest.raises(ParameterError, match="video or image, not landmarks; extract them first"):
        datasets.read_entry(datasets.Entry(id="v", path=tmp_path / "v.mp4", signer=None, split=None))
    with pytest.raises(DataError, match="no such file"):
        datasets.read_entry(datasets.Entry(id="m", path=tmp_path / "m.pose", signer=None, split=None))


def test_shared_array_datasets(shared_data):
    real = shared_data / "real"
    words = real / "traduttore" / "words_258.npz"
    if not words.is_file():
        pytest.skip(f"{words} not found")
    entries = datasets.open_index(words)
    assert len(entries) == 4693 and len({e.gloss for e in entries}) == 33
    assert {e.signer for e in entries} == {"s1", "s2", "s3"}
    seq = datasets.read_entry(entries[100], fps=30)
    assert seq.n_frames == 20 and seq.component_names == ("POSE", "LEFT_HAND", "RIGHT_HAND")
    letters = datasets.open_index(real / "traduttore" / "letters_126.npz")
    assert len(letters) == 3150 and len({e.gloss for e in letters}) == 28
    alpha = datasets.open_index(real / "asl_alphabet" / "asl_alphabet_landmarks_21x3.npz")
    assert len(alpha) == 10508 and len({e.gloss for e in alpha}) == 26
    one = datasets.read_entry(alpha[0])
    assert one.n_frames == 1 and one.component_names == ("RIGHT_HAND",) and np.all(one.confidence == 1)
