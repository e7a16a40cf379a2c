"""MP_Data sequence folders and flat MediaPipe vectors (1662 / 258 / 126)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from signfuse import io as sio
from signfuse.errors import FormatError, ParameterError
from signfuse.io.mp_data import points_to_sequence, vectors_to_sequence


def _frame_vector(rng, dim: int, *, left: bool = True, right: bool = True, face: bool = True) -> np.ndarray:
    pose = np.concatenate([rng.uniform(0.2, 0.8, (33, 3)), rng.uniform(0.1, 1.0, (33, 1))], axis=1).ravel()
    fc = rng.uniform(0.3, 0.6, 468 * 3) if face else np.zeros(468 * 3)
    lh = rng.uniform(0.5, 0.9, 63) if left else np.zeros(63)
    rh = rng.uniform(0.1, 0.5, 63) if right else np.zeros(63)
    parts = {1662: [pose, fc, lh, rh], 258: [pose, lh, rh], 126: [lh, rh]}[dim]
    return np.concatenate(parts)


def write_sequence(folder, vectors) -> None:
    folder.mkdir(parents=True)
    for i, v in enumerate(vectors):
        np.save(folder / f"{i}.npy", v)


@pytest.mark.parametrize("dim,names", [(1662, ("POSE", "FACE", "LEFT_HAND", "RIGHT_HAND")),
                                       (258, ("POSE", "LEFT_HAND", "RIGHT_HAND")),
                                       (126, ("LEFT_HAND", "RIGHT_HAND"))])
def test_layouts_values_zeros_and_visibility(tmp_path, rng, dim, names):
    vecs = [_frame_vector(rng, dim, left=(i % 3 != 0)) for i in range(12)]   # frames 0, 3, 6, 9: no left hand
    folder = tmp_path / "hello" / "0"
    write_sequence(folder, vecs)
    seq = sio.read(folder, fps=30)
    assert seq.component_names == names and seq.n_frames == 12 and seq.fps == 30.0 and seq.dims == 3
    lh_d, lh_c = seq.component_data("LEFT_HAND")
    assert np.all(lh_c[::3] == 0) and np.all(lh_c[1::3] == 1) and np.all(lh_d[::3] == 0)
    off = {1662: 132 + 1404, 258: 132, 126: 0}[dim]
    np.testing.assert_allclose(lh_d[1, 0], vecs[1][off:off + 63].reshape(21, 3), rtol=1e-6)
    if "POSE" in names:
        p_d, p_c = seq.component_data("POSE")
        np.testing.assert_allclose(p_c[5, 0], vecs[5][:132].reshape(33, 4)[:, 3], rtol=1e-6)  # visibility
        np.testing.assert_allclose(p_d[5, 0], vecs[5][:132].reshape(33, 4)[:, :3], rtol=1e-6)


def test_frames_in_numeric_order_and_1xD_files(tmp_path, rng):
    folder = tmp_path / "s"
    folder.mkdir()
    vecs = [_frame_vector(rng, 126) for _ in range(11)]
    for i, v in enumerate(vecs):
        np.save(folder / f"{i}.npy", v[None] if i % 2 else v)                 # some saved as (1, 126)
    seq = sio.read(folder, fps=25)
    np.testing.assert_allclose(seq.data[10, 0, :21], vecs[10][:63].reshape(21, 3), rtol=1e-6)  # 10 after 9, not 1


def test_fps_is_required_and_info_says_unknown(tmp_path, rng):
    folder = tmp_path / "x" / "3"
    write_sequence(folder, [_frame_vector(rng, 258) for _ in range(5)])
    with pytest.raises(ParameterError, match="carry no frame rate; pass fps="):
        sio.read(folder)
    d = sio.describe(folder)
    assert d["format"] == "mp_data" and d["frames"] == 5 and d["fps"] is None and d["rate"] == "unknown"
    assert d["duration_s"] is None and d["layout"].startswith("258") and "--fps" in d["note"]
    json.dumps(d)
    d30 = sio.describe(folder, fps=30)
    assert d30["fps"] == 30.0 and d30["rate"] == "given" and d30["duration_s"] == pytest.approx(5 / 30, abs=1e-6)


def test_bad_folders(tmp_path, rng):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ParameterError, match="not an MP_Data sequence"):
        sio.read(empty, fps=30)
    gap = tmp_path / "gap"
    gap.mkdir()
    for i in (0, 1, 3):
        np.save(gap / f"{i}.npy", _frame_vector(rng, 126))
    with pytest.raises(FormatError, match="not consecutive .*2.npy"):
        sio.read(gap, fps=30)
    odd = tmp_path / "odd"
    odd.mkdir()
    for i in range(2):
        np.save(odd / f"{i}.npy", np.zeros(100))
    with pytest.raises(FormatError, match="length 100; known MediaPipe layouts"):
        sio.read(odd, fps=30)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    np.save(mixed / "0.npy", _frame_vector(rng, 126))
    np.save(mixed / "1.npy", _frame_vector(rng, 258))
    with pytest.raises(FormatError, match="1.npy: length 258 differs"):
        sio.read(mixed, fps=30)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "0.npy").write_bytes(b"not numpy")
    with pytest.raises(FormatError, match="0.npy: not a readable .npy"):
        sio.read(broken, fps=30)
    with pytest.raises(ParameterError, match="writing MP_Data"):
        sio.write(vectors_to_sequence(np.zeros((2, 126)), fps=30), empty, format="mp_data")


def test_nan_vectors_are_refused_and_points_layouts():
    with pytest.raises(FormatError, match="NaN"):
        vectors_to_sequence(np.full((2, 126), np.nan), fps=30)
    pts = np.zeros((3, 543, 3))
    pts[:, 468:489] = 0.5                                   # Kaggle order: face, left hand, pose, right hand
    pts[1, 522:543] = np.nan
    seq = points_to_sequence(pts, fps=30)
    assert seq.component_names == ("FACE", "LEFT_HAND", "POSE", "RIGHT_HAND")
    assert np.all(seq.component_data("LEFT_HAND")[1] == 1) and np.all(seq.component_data("FACE")[1] == 0)
    assert np.all(seq.component_data("RIGHT_HAND")[1] == 0)
    with pytest.raises(FormatError, match="50 points per frame"):
        points_to_sequence(np.zeros((1, 50, 3)), fps=30)


def test_shared_mp_data_sample_matches_the_packed_npz(shared_data):
    from signfuse import datasets

    root = shared_data / "real" / "traduttore" / "MP_Data_sample"
    if not root.is_dir():
        pytest.skip(f"{root} not found")
    seq = sio.read(root / "a" / "0", fps=30)
    assert seq.component_names == ("POSE", "LEFT_HAND", "RIGHT_HAND") and seq.n_frames == 20
    d = sio.describe(root / "a" / "0")
    assert d["rate"] == "unknown" and d["frames"] == 20
    entries = datasets.open_index(root)
    assert len(entries) == 55 and {e.signer for e in entries} == {"s1", "s2", "s3"}
    rows = datasets.open_index(shared_data / "real" / "traduttore" / "words_258.npz")
    by_key = {(r.gloss, r.meta["seq"], r.signer): r for r in rows}
    checked = 0
    for e in entries[::9]:
        label, s = e.id.split("/")
        row = by_key.get((label, int(s), e.signer))
        if row is None:
            continue
        a, b = datasets.read_entry(e, fps=30), datasets.read_entry(row, fps=30)
        np.testing.assert_allclose(a.data, b.data, atol=1e-6)
        np.testing.assert_array_equal(a.confidence, b.confidence)
        checked += 1
    assert checked >= 3
