from __future__ import annotations

import json

import numpy as np
import pytest

from signfuse import io
from signfuse.errors import DataError, FormatError, ParameterError
from signfuse.streams import Stream


def test_npz_round_trip_exact(tmp_path, rng, make_holistic):
    seq = make_holistic(rng, dims=4, fps=12.5).replace(times=np.linspace(0, 1, 12) ** 2)
    back = io.read(io.write(seq, tmp_path / "a.npz"))
    np.testing.assert_array_equal(back.data, seq.data)
    np.testing.assert_array_equal(back.confidence, seq.confidence)
    np.testing.assert_array_equal(back.times, seq.times)
    assert back.components == seq.components and back.fps == 12.5 and (back.width, back.height) == (640, 480)


def test_npz_real_file_exact(shared_data, tmp_path):
    seq = io.read(shared_data / "pose" / "openpose.pose")
    back = io.read(io.write(seq, tmp_path / "o.npz"))
    np.testing.assert_array_equal(back.data, seq.data)
    assert back.components == seq.components


def test_bad_npz(tmp_path, rng, make_holistic):
    p = tmp_path / "e.npz"
    p.write_bytes(b"")
    with pytest.raises(FormatError, match="empty"):
        io.read(p)
    p.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(FormatError):
        io.read(p)
    np.savez(tmp_path / "m.npz", data=np.zeros((1, 1, 21, 2)))
    with pytest.raises(FormatError, match="missing arrays"):
        io.read(tmp_path / "m.npz")
    seq = make_holistic(rng, frames=2)
    good = io.write(seq, tmp_path / "g.npz")
    with np.load(good) as z:
        arrays = dict(z)
    meta = json.loads(str(arrays["meta"]))
    meta["fps"] = float("nan")
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(tmp_path / "nan.npz", **arrays)
    with pytest.raises(DataError, match="fps"):
        io.read(tmp_path / "nan.npz")
    meta["fps"] = 30.0
    meta["components"] = [{"name": "LEFT_HAND", "points": ["a", "b"], "edges": []}]
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(tmp_path / "c.npz", **arrays)
    with pytest.raises(DataError, match="21") as e:
        io.read(tmp_path / "c.npz")
    assert "c.npz" in str(e.value)
    arrays["meta"] = np.array("{not json")
    np.savez(tmp_path / "j.npz", **arrays)
    with pytest.raises(FormatError):
        io.read(tmp_path / "j.npz")


def test_stream_round_trip(tmp_path, rng):
    s = Stream("audio", rng.normal(size=(50, 3)), ("f0_hz", "rms_db", "mel_00"), 100.0, mask=rng.random(50) > 0.2)
    back = io.read_stream(io.write_stream(s, tmp_path / "s.parquet"))
    assert back.name == "audio" and back.names == s.names and back.fps == 100.0 and back.times is None
    np.testing.assert_array_equal(back.values, s.values)
    np.testing.assert_array_equal(back.mask, s.mask)
    import pyarrow.parquet as pq

    t = pq.read_table(tmp_path / "s.parquet")
    assert t.column_names == ["time", "f0_hz", "rms_db", "mel_00", "valid"]
    np.testing.assert_allclose(t.column("time").to_numpy(), np.arange(50) / 100.0)


def test_stream_explicit_times(tmp_path, rng):
    s = Stream("x", rng.normal(size=(4, 1)), ("a",), 10.0, times=np.array([0.0, 0.1, 0.25, 0.3]))
    back = io.read_stream(io.write_stream(s, tmp_path / "s.parquet"))
    np.testing.assert_array_equal(back.times, s.times)


def test_stream_errors(tmp_path, rng):
    with pytest.raises(ParameterError, match="reserved"):
        io.write_stream(Stream("x", np.zeros((2, 1)), ("time",), 10.0), tmp_path / "a.parquet")
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"a": [1.0]}), tmp_path / "b.parquet")
    with pytest.raises(FormatError, match="time"):
        io.read_stream(tmp_path / "b.parquet")
    pq.write_table(pa.table({"time": [0.0, 0.5, 1.0], "a": [1.0, 2.0, 3.0]}), tmp_path / "c.parquet")
    s = io.read_stream(tmp_path / "c.parquet")
    assert s.fps == 2.0 and s.names == ("a",)


def test_atomic_path_keeps_suffix_and_cleans_up(tmp_path):
    with io.atomic_path(tmp_path / "sub" / "x.npz") as tmp:
        assert tmp.suffix == ".npz" and tmp.parent == tmp_path / "sub"
        tmp.write_bytes(b"1")
    assert (tmp_path / "sub" / "x.npz").read_bytes() == b"1"
    with pytest.raises(KeyError):
        with io.atomic_path(tmp_path / "y.npz") as tmp:
            tmp.write_bytes(b"2")
            raise KeyError
    assert not (tmp_path / "y.npz").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["sub"]


def test_atomic_writes_to_a_read_only_folder_are_one_clear_error(tmp_path, rng, make_holistic):
    """Read-only folder: one DataError naming the target, nothing chained, no temporary file left."""
    import os

    from signfuse.errors import DataError

    if os.geteuid() == 0:
        # root ignores folder permissions; a path under a regular file fails the same way for everyone
        blocker = tmp_path / "file"
        blocker.write_text("x")
        target = blocker / "out.npz"
    else:  # pragma: no cover - CI runs as root
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        target = ro / "out.npz"
    seq = make_holistic(rng, frames=3, fps=25.0)
    with pytest.raises(DataError, match="out.npz: cannot write") as info:
        io.write(seq, target)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert not [p for p in tmp_path.rglob("*") if ".tmp-" in p.name]


def test_atomic_writes_keep_the_users_umask(tmp_path, rng, make_holistic):
    import os

    old = os.umask(0o022)
    try:
        p = io.write(make_holistic(rng, frames=3, fps=25.0), tmp_path / "a.pose")
    finally:
        os.umask(old)
    assert p.stat().st_mode & 0o777 == 0o644
