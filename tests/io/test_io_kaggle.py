from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from signfuse import io
from signfuse.errors import DataError, FormatError, ParameterError


def _kaggle_table(rng, frames=4, start=20):
    """A table built row by row the way Kaggle's files look (independent of the writer)."""
    rows = []
    for f in range(start, start + frames):
        for typ, n in (("face", 468), ("left_hand", 21), ("pose", 33), ("right_hand", 21)):
            for i in range(n):
                missing = typ == "left_hand" and f % 2 == 0
                x, y, z = (np.nan, np.nan, np.nan) if missing else rng.random(3)
                rows.append((f, f"{f}-{typ}-{i}", typ, i, x, y, z))
    cols = list(zip(*rows))
    return pa.table({"frame": pa.array(cols[0], pa.int16()), "row_id": cols[1], "type": cols[2],
                     "landmark_index": pa.array(cols[3], pa.int16()), "x": cols[4], "y": cols[5], "z": cols[6]})


def test_read_kaggle_known_values(tmp_path, rng):
    t = _kaggle_table(rng)
    pq.write_table(t, tmp_path / "k.parquet")
    seq = io.read(tmp_path / "k.parquet", fps=30)
    assert seq.component_names == ("POSE", "FACE", "LEFT_HAND", "RIGHT_HAND")
    assert seq.n_frames == 4 and seq.dims == 3 and seq.times is None
    x = np.asarray(t.column("x").to_pylist(), dtype=np.float32).reshape(4, 543)
    # pose row 489 + 15 is LEFT_WRIST of frame 21 (index 1)
    assert seq.point("POSE", "LEFT_WRIST")[1, 0, 0] == x[1, 489 + 15]
    assert seq.point("FACE", 7)[3, 0, 0] == x[3, 7]
    assert seq.point("RIGHT_HAND", "PINKY_TIP")[0, 0, 0] == x[0, 542]
    assert seq.missing_fraction()["LEFT_HAND"] == 0.5
    assert seq.missing_fraction()["POSE"] == 0.0


def test_read_kaggle_shuffled_rows(tmp_path, rng):
    t = _kaggle_table(rng)
    pq.write_table(t, tmp_path / "a.parquet")
    pq.write_table(t.take(rng.permutation(t.num_rows)), tmp_path / "b.parquet")
    assert io.read(tmp_path / "a.parquet", fps=30).equals(io.read(tmp_path / "b.parquet", fps=30))


def test_kaggle_needs_fps_without_metadata(tmp_path, rng):
    pq.write_table(_kaggle_table(rng), tmp_path / "k.parquet")
    with pytest.raises(ParameterError, match="fps"):
        io.read(tmp_path / "k.parquet")
    with pytest.raises(ParameterError, match="fps"):
        io.read(tmp_path / "k.parquet", fps=float("nan"))


def test_kaggle_round_trip_synthetic(tmp_path, rng, make_holistic):
    seq = make_holistic(rng, frames=9, fps=24.0)
    back = io.read(io.write(seq, tmp_path / "s.parquet"))
    assert back.fps == 24.0 and (back.width, back.height) == (640, 480)
    assert back.equals(seq.replace(confidence=(seq.confidence > 0).astype(np.float32)))
    t = pq.read_table(tmp_path / "s.parquet")
    assert t.column_names == ["frame", "row_id", "type", "landmark_index", "x", "y", "z"]
    assert t.column("row_id")[0].as_py() == "0-face-0" and t.column("row_id")[543 + 468].as_py() == "1-left_hand-0"
    # missing points are NaN
    missing = ~(seq.confidence[:, 0] > 0)
    xs = np.asarray(t.column("x")).reshape(9, 543)
    from signfuse.io.kaggle import _PERM
    assert np.all(np.isnan(xs[:, _PERM][missing]))


def test_kaggle_2d_round_trip(tmp_path, rng, make_holistic):
    seq = make_holistic(rng, dims=2)
    back = io.read(io.write(seq, tmp_path / "s.parquet"))
    assert back.dims == 2 and back.equals(seq.replace(confidence=(seq.confidence > 0).astype(np.float32)))


def test_kaggle_times_for_gaps(tmp_path, rng, make_holistic):
    seq = make_holistic(rng, frames=5, fps=10.0)
    seq = seq.replace(times=np.array([0.0, 0.1, 0.3, 0.4, 0.7]))
    back = io.read(io.write(seq, tmp_path / "g.parquet"))
    np.testing.assert_allclose(back.times, seq.times)


@pytest.mark.parametrize("name", ["segmentation_example.pose", "phoenix2014t_25October_2010_Monday_tagesschau-17.pose",
                                  "mediapipe.pose"])
def test_pose_parquet_npz_pose_exact(shared_data, tmp_path, name):
    seq = io.read(shared_data / "pose" / name)
    k = io.read(io.write(seq, tmp_path / "a.parquet"))
    z = io.read(io.write(k, tmp_path / "a.npz"))
    p = io.read(io.write(z, tmp_path / "b.pose"))
    k2 = io.read(io.write(p, tmp_path / "b.parquet"))
    assert k.equals(z) and z.equals(p) and p.equals(k2)
    # and the parquet holds the original's observed values exactly
    for comp in seq.components:
        if comp.name == "POSE_WORLD":
            continue
        for pt in comp.points[:468]:
            a = seq.point(comp.name, pt)
            b = k.point(comp.name, pt)
            seen = seq.point_confidence(comp.name, pt) > 0
            np.testing.assert_array_equal(a[seen], b[seen])
            assert np.array_equal(seen, k.point_confidence(comp.name, pt) > 0)


def _write(tmp_path, table, name="bad.parquet"):
    p = tmp_path / name
    pq.write_table(table, p)
    return p


def test_bad_kaggle_files(tmp_path, rng):
    t = _kaggle_table(rng, frames=2)
    with pytest.raises(FormatError, match="missing columns") as e:
        io.read(_write(tmp_path, t.drop(["z"])), fps=30)
    assert "bad.parquet" in str(e.value)
    with pytest.raises(FormatError, match="multiple of 543"):
        io.read(_write(tmp_path, t.slice(0, 1000)), fps=30)
    bad = t.set_column(2, "type", pa.array(["hand"] * t.num_rows))
    with pytest.raises(FormatError, match="unknown landmark types"):
        io.read(_write(tmp_path, bad), fps=30)
    idx = np.asarray(t.column("landmark_index")).copy()
    idx[5] = 6  # a duplicated face point
    with pytest.raises(FormatError, match="exactly once"):
        io.read(_write(tmp_path, t.set_column(3, "landmark_index", pa.array(idx))), fps=30)
    txt = tmp_path / "x.parquet"
    txt.write_text("frame,row_id\n")
    with pytest.raises(FormatError, match="not a parquet"):
        io.read(txt, fps=30)
    with pytest.raises(DataError, match="no such file"):
        io.read(tmp_path / "nope.parquet", fps=30)


def test_bad_kaggle_metadata_fps(tmp_path, rng, make_holistic):
    p = io.write(make_holistic(rng, frames=2), tmp_path / "m.parquet")
    t = pq.read_table(p)
    t = t.replace_schema_metadata({b"signfuse": b'{"fps": NaN}'})
    pq.write_table(t, p)
    with pytest.raises(DataError, match="fps"):
        io.read(p)


def test_read_kaggle_many_row_groups(tmp_path, rng):
    t = _kaggle_table(rng, frames=3)
    pq.write_table(t, tmp_path / "a.parquet")
    pq.write_table(t, tmp_path / "b.parquet", row_group_size=500)
    pq.write_table(t.set_column(2, "type", t.column("type").dictionary_encode()), tmp_path / "c.parquet",
                   row_group_size=333)
    a = io.read(tmp_path / "a.parquet", fps=30)
    assert a.equals(io.read(tmp_path / "b.parquet", fps=30)) and a.equals(io.read(tmp_path / "c.parquet", fps=30))


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
@given(frames=st.integers(0, 6), dims=st.sampled_from([2, 3]), missing=st.sampled_from([0.0, 0.3, 1.0]),
       fps=st.sampled_from([24.0, 25.0, 29.97, 30.0, 50.0]), seed=st.integers(0, 2**16))
def test_round_trip_property(tmp_path_factory, make_holistic, frames, dims, missing, fps, seed):
    d = tmp_path_factory.mktemp("rt")
    seq = make_holistic(np.random.default_rng(seed), frames=frames, dims=dims, missing=missing, fps=fps)
    binary = seq.replace(confidence=(seq.confidence > 0).astype(np.float32))
    p = io.read(io.write(seq, d / "a.pose"))
    k = io.read(io.write(p, d / "a.parquet"))
    z = io.read(io.write(k, d / "a.npz"))
    p2 = io.read(io.write(z, d / "b.pose"))
    assert p.equals(seq) and k.equals(binary) and z.equals(binary) and p2.equals(binary)
    assert k.dims == dims and k.n_frames == frames


def test_read_takes_a_rate_for_every_format_and_refuses_a_conflict(tmp_path, rng, make_holistic):
    """``io.read(path, fps=...)``: used where the file has no rate, checked where it has one."""
    seq = make_holistic(rng, frames=6, fps=25.0)
    for name in ("a.pose", "a.npz", "a.parquet"):
        io.write(seq, tmp_path / name)
        assert io.read(tmp_path / name, fps=25.0).fps == 25.0
        with pytest.raises(ParameterError, match=r"stores 25 frames/s; fps=30 conflicts"):
            io.read(tmp_path / name, fps=30)
    with pytest.raises(ParameterError, match="fps=-1 must be a positive finite number"):
        io.read(tmp_path / "a.pose", fps=-1)


def test_describe_kaggle_without_fps_says_the_rate_is_unknown(tmp_path, rng):
    import json

    from click.testing import CliRunner

    from signfuse.cli import cli

    pq.write_table(_kaggle_table(rng, frames=6), tmp_path / "k.parquet")
    d = io.describe(tmp_path / "k.parquet")
    assert d["format"] == "kaggle" and d["frames"] == 6 and d["fps"] is None and d["rate"] == "unknown"
    assert d["duration_s"] is None and d["missing"]["LEFT_HAND"] == 0.5 and "--fps" in d["note"]
    d = io.describe(tmp_path / "k.parquet", fps=30)
    assert d["fps"] == 30.0 and d["rate"] == "given" and d["duration_s"] == pytest.approx(0.2)
    res = CliRunner().invoke(cli, ["info", str(tmp_path / "k.parquet")])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["rate"] == "unknown"


def test_write_kaggle_metadata_records_the_model(tmp_path, rng, make_holistic):
    seq = make_holistic(rng, frames=3, fps=30.0)
    io.write_kaggle_parquet(seq, tmp_path / "m.parquet", metadata={"model": "hands"})
    assert io.kaggle.kaggle_metadata(tmp_path / "m.parquet")["model"] == "hands"
    assert io.describe(tmp_path / "m.parquet")["model"] == "hands"
    with pytest.raises(ParameterError, match="reserved"):
        io.write_kaggle_parquet(seq, tmp_path / "n.parquet", metadata={"fps": 5})
