"""Kaggle "ASL Signs" (Isolated Sign Language Recognition) parquet files.

One file holds one sequence: columns ``frame, row_id, type, landmark_index, x, y, z``, 543 rows per
frame in the order face 0-467, left_hand 468-488, pose 489-521, right_hand 522-542, NaN for a missing
point, ``row_id = f"{frame}-{type}-{landmark_index}"``. Coordinates are normalized image units.

Reading is vectorized (pyarrow compute + numpy; no per-row Python). The rows may come in any order:
they are sorted by ``(frame, point)`` when they are not already in layout order, and every frame must
hold each of the 543 points exactly once.

The Kaggle files carry no frame rate, so ``fps`` must be given unless the file was written by signfuse,
which stores ``fps``, ``width`` and ``height`` in the parquet key-value metadata (key ``signfuse``).
The sequence is returned in MediaPipe Holistic order: POSE, FACE, LEFT_HAND, RIGHT_HAND.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError, FormatError, ParameterError, SignfuseError
from ..sequence import Component, LandmarkSequence
from ..topology import (
    FACE,
    FACE_POINTS_468,
    HAND_EDGES,
    HAND_POINTS,
    KAGGLE_LAYOUT,
    KAGGLE_POINTS_PER_FRAME,
    LEFT_HAND,
    POSE,
    POSE_EDGES,
    POSE_POINTS,
    RIGHT_HAND,
)
from ..validators import check_rate
from ._atomic import atomic_path
from ._checks import check_fps

__all__ = ["read_kaggle_parquet", "write_kaggle_parquet", "KAGGLE_COLUMNS", "kaggle_metadata"]

log = logging.getLogger(__name__)

KAGGLE_COLUMNS = ("frame", "row_id", "type", "landmark_index", "x", "y", "z")
_META_KEY = b"signfuse"
_TYPES = tuple(t for t, _, _ in KAGGLE_LAYOUT)                      # face, left_hand, pose, right_hand
_SIZES = np.array([n for _, _, n in KAGGLE_LAYOUT])
_OFFSETS = np.concatenate([[0], np.cumsum(_SIZES)[:-1]])
_CANON = {FACE: FACE_POINTS_468, LEFT_HAND: HAND_POINTS, POSE: POSE_POINTS, RIGHT_HAND: HAND_POINTS}
_EDGES = {FACE: (), LEFT_HAND: HAND_EDGES, POSE: POSE_EDGES, RIGHT_HAND: HAND_EDGES}
_OUT_ORDER = (POSE, FACE, LEFT_HAND, RIGHT_HAND)
_COMPONENTS = tuple(Component(n, _CANON[n], _EDGES[n]) for n in _OUT_ORDER)
# permutation: output point i <- Kaggle point _PERM[i]
_PERM = np.concatenate([np.arange(_SIZES[i]) + _OFFSETS[i]
                        for n in _OUT_ORDER for i, (_, c, _) in enumerate(KAGGLE_LAYOUT) if c == n])
_LAYOUT_INDEX = np.concatenate([np.arange(n) for n in _SIZES])      # landmark_index of each layout row
_LAYOUT_TYPE = np.repeat(np.arange(len(_SIZES)), _SIZES)            # type code of each layout row


def kaggle_metadata(path: str | PathLike[str]) -> dict:
    """The signfuse metadata (fps, width, height) stored in a parquet file, or ``{}``."""
    import pyarrow.parquet as pq
    try:
        meta = pq.read_schema(path).metadata or {}
    except Exception as e:
        raise FormatError(f"not a parquet file ({type(e).__name__}: {e})", path=path) from e
    raw = meta.get(_META_KEY)
    if raw is None:
        return {}
    try:
        out = json.loads(raw)
    except ValueError as e:
        raise FormatError(f"bad signfuse metadata: {e}", path=path) from e
    if not isinstance(out, dict):
        raise FormatError("bad signfuse metadata: not a JSON object", path=path)
    return out


@lru_cache(maxsize=1)
def _type_values() -> Any:
    import pyarrow as pa
    return pa.array(_TYPES, type=pa.string())


def _type_codes(col: Any) -> np.ndarray:
    """``type`` strings -> layout codes 0..3 (-1 for anything else), vectorized in pyarrow."""
    import pyarrow as pa
    import pyarrow.compute as pc
    if pa.types.is_dictionary(col.type):
        col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        dcodes = pc.index_in(col.dictionary.cast(pa.string()), value_set=_type_values())
        dcodes = dcodes.fill_null(-1).to_numpy(zero_copy_only=False)
        idx = col.indices.fill_null(len(dcodes)).to_numpy(zero_copy_only=False)
        return np.append(dcodes, -1)[idx]
    codes = pc.index_in(col.cast(pa.string()), value_set=_type_values())
    return codes.fill_null(-1).to_numpy(zero_copy_only=False)


def _num(table: Any, name: str, path: str | PathLike[str]) -> np.ndarray:
    import pyarrow as pa
    col = table.column(name)
    if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)):
        raise FormatError(f"column {name!r} has type {col.type}, expected a number", path=path)
    return col.to_numpy()


def stored_kaggle_fps(path: str | PathLike[str]) -> float | None:
    """The frame rate a signfuse-written Kaggle parquet file stores, or None (other files store none)."""
    import pyarrow.parquet as pq

    try:
        raw = (pq.read_schema(path).metadata or {}).get(_META_KEY)
        meta = json.loads(raw) if raw is not None else {}
    except Exception:  # noqa: BLE001  (unreadable: read_kaggle_parquet reports it properly)
        return None
    fps = meta.get("fps") if isinstance(meta, dict) else None
    return float(fps) if isinstance(fps, (int, float)) and fps > 0 else None


def read_kaggle_parquet(path: str | PathLike[str], *, fps: float | None = None) -> LandmarkSequence:
    """Read one Kaggle ASL Signs parquet sequence.

    Parameters
    ----------
    path:
        The parquet file.
    fps:
        Frame rate. Required unless the file holds signfuse metadata (files written by
        :func:`write_kaggle_parquet`); an explicit value overrides the metadata.

    Returns
    -------
    LandmarkSequence with components POSE (33), FACE (468), LEFT_HAND (21), RIGHT_HAND (21), one person,
    dims 3 (2 when every observed ``z`` is NaN); confidence 1 where ``x`` and ``y`` are present, else 0.
    Frame numbers that are not consecutive become ``times``.
    """
    import pyarrow.parquet as pq

    path = Path(path)
    if fps is not None:
        fps = check_rate(fps)
    try:
        pf = pq.ParquetFile(path, read_dictionary=["type"], memory_map=True)
        schema = pf.schema_arrow
    except FileNotFoundError:
        raise DataError("no such file", path=path) from None
    except Exception as e:
        raise FormatError(f"not a parquet file ({type(e).__name__}: {e})", path=path) from e
    missing = [c for c in KAGGLE_COLUMNS if c not in schema.names]
    if missing:
        raise FormatError(f"missing columns {missing}; a Kaggle ASL Signs file has {list(KAGGLE_COLUMNS)}",
                          path=path)
    meta = {}
    raw = (schema.metadata or {}).get(_META_KEY)
    if raw is not None:
        try:
            meta = json.loads(raw)
            if not isinstance(meta, dict):
                raise ValueError("not a JSON object")
        except ValueError as e:
            raise FormatError(f"bad signfuse metadata: {e}", path=path) from e
    if fps is None:
        if "fps" not in meta:
            raise ParameterError(f"{path}: Kaggle parquet files carry no frame rate; pass fps= "
                                 f"(the ASL Signs recordings are usually read at 30 fps)")
        fps = check_fps(meta["fps"], path=path)
    try:
        table = pf.read(columns=["frame", "type", "landmark_index", "x", "y", "z"], use_threads=False)
    except Exception as e:
        raise FormatError(f"cannot read the parquet data ({type(e).__name__}: {e})", path=path) from e

    n_rows = table.num_rows
    if n_rows % KAGGLE_POINTS_PER_FRAME:
        raise FormatError(f"{n_rows} rows is not a multiple of {KAGGLE_POINTS_PER_FRAME} (rows per frame)",
                          path=path)
    n = n_rows // KAGGLE_POINTS_PER_FRAME
    try:
        frame = _num(table, "frame", path)
        lmk = _num(table, "landmark_index", path)
        cols = [_num(table, c, path) for c in ("x", "y", "z")]
        codes = _type_codes(table.column("type"))
    except SignfuseError:
        raise
    except Exception as e:
        raise FormatError(f"bad column data ({type(e).__name__}: {e})", path=path) from e
    if n_rows and (not np.all(np.isfinite(frame)) or not np.all(np.isfinite(lmk))):
        raise FormatError("null or non-finite values in 'frame' or 'landmark_index'", path=path)
    frame = frame.astype(np.int64, copy=False)
    lmk = lmk.astype(np.int64, copy=False)

    exp_type, exp_index = _expected_layout(n)
    if not (np.array_equal(codes, exp_type) and np.array_equal(lmk, exp_index)):
        if np.any(codes < 0):
            bad = table.column("type").take(np.flatnonzero(codes < 0)[:3]).to_pylist()
            raise FormatError(f"unknown landmark types {bad} (expected {list(_TYPES)})", path=path)
        if np.any((lmk < 0) | (lmk >= _SIZES[codes])):
            raise FormatError("landmark_index out of range for its type", path=path)
        point = _OFFSETS[codes] + lmk
        order = np.lexsort((point, frame))
        frame, point = frame[order], point[order]
        cols = [c[order] for c in cols]
        if not np.array_equal(point, np.tile(np.arange(KAGGLE_POINTS_PER_FRAME), n)):
            raise FormatError(f"frames do not hold each of the {KAGGLE_POINTS_PER_FRAME} points exactly once",
                              path=path)
    frames2 = frame.reshape(n, KAGGLE_POINTS_PER_FRAME)
    if np.any(frames2 != frames2[:, :1]):
        raise FormatError(f"frames do not hold each of the {KAGGLE_POINTS_PER_FRAME} points exactly once",
                          path=path)
    fr = frames2[:, 0]
    steps = np.diff(fr)
    if np.any(steps <= 0):
        raise FormatError("frame numbers repeat", path=path)
    times = None if np.all(steps == 1) else (fr - fr[0]).astype(np.float64) / fps

    x, y, z = (c.reshape(n, KAGGLE_POINTS_PER_FRAME)[:, _PERM] for c in cols)
    seen = np.isfinite(x) & np.isfinite(y)
    if meta.get("dims") in (2, 3):
        dims = int(meta["dims"])
    else:
        dims = 2 if seen.any() and not np.isfinite(z[seen]).any() else 3
    data = np.empty((n, 1, KAGGLE_POINTS_PER_FRAME, dims), np.float32)
    for k, c in enumerate((x, y, z)[:dims]):
        data[:, 0, :, k] = c
    np.copyto(data, np.float32(0), where=~seen[:, None, :, None])
    conf = seen.astype(np.float32)[:, None, :]
    w, h = meta.get("width"), meta.get("height")
    try:
        return LandmarkSequence(_COMPONENTS, data, conf, fps, times=times,
                                width=int(w) if isinstance(w, (int, float)) and w else None,
                                height=int(h) if isinstance(h, (int, float)) and h else None)
    except SignfuseError as e:
        raise DataError(str(e), path=path) from e


@lru_cache(maxsize=64)
def _expected_layout(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Type codes and landmark indices of ``n`` frames in layout order (read-only, cached)."""
    t, i = np.tile(_LAYOUT_TYPE, n), np.tile(_LAYOUT_INDEX, n)
    t.flags.writeable = i.flags.writeable = False
    return t, i


@lru_cache(maxsize=1)
def _row_suffixes() -> np.ndarray:
    return np.array([f"-{t}-{i}" for t, _, n in KAGGLE_LAYOUT for i in range(n)])


def _kaggle_points(seq: LandmarkSequence) -> tuple[np.ndarray, np.ndarray]:
    """(src point indices into seq, dst indices into the 543-point Kaggle layout), matched by name."""
    src, dst = [], []
    for (_, canon, _n), off in zip(KAGGLE_LAYOUT, _OFFSETS):
        if not seq.has(canon):
            continue
        comp = seq.component(canon)
        start = seq.component_slice(canon).start
        names = {p: i for i, p in enumerate(_CANON[canon])}
        hits = [(start + j, off + names[p]) for j, p in enumerate(comp.points) if p in names]
        if len(hits) < comp.n_points:
            log.warning("Kaggle layout: %d of %s's %d points have no place in the 543-point layout and are "
                        "dropped", comp.n_points - len(hits), canon, comp.n_points)
        for s, d in hits:
            src.append(s)
            dst.append(d)
    dropped = [c.name for c in seq.components if c.name not in _CANON]
    if dropped:
        log.warning("Kaggle layout holds no %s; dropped", dropped)
    return np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64)


def write_kaggle_parquet(seq: LandmarkSequence, path: str | PathLike[str], *,
                         metadata: dict | None = None) -> Path:
    """Write person 0 of ``seq`` in the Kaggle ASL Signs layout (atomically); returns the path.

    ``metadata`` (JSON-able) is added to the signfuse metadata, e.g. ``{"model": "hands"}`` from
    ``extract``; its keys may not replace fps, width, height, dims or writer.

    Points are placed by name (FACE points by index name, so a 478-point face loses its 10 iris
    points; a reduced face or pose fills only its own rows); missing points are NaN. Dims beyond
    ``z`` are dropped; 2-D data get ``z = NaN``. fps, width and height go into the metadata.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path = Path(path)
    if seq.n_people > 1:
        log.warning("%s: the Kaggle layout holds one person; writing person 0 of %d", path, seq.n_people)
    if seq.dims > 3:
        log.warning("%s: the Kaggle layout holds x, y, z; dropping %d extra dims", path, seq.dims - 3)
    n = seq.n_frames
    P = KAGGLE_POINTS_PER_FRAME
    out = np.full((n, P, 3), np.nan, dtype=np.float32)
    src, dst = _kaggle_points(seq)
    d = min(seq.dims, 3)
    vals = seq.data[:, 0, src, :d]
    seen = seq.confidence[:, 0, src] > 0
    out[:, dst, :d] = np.where(seen[..., None], vals, np.nan)
    if seq.times is not None:
        frames = np.rint((seq.times - seq.times[0]) * seq.fps).astype(np.int64)
    else:
        frames = np.arange(n, dtype=np.int64)
    frame_col = np.repeat(frames, P)
    # row_id = "{frame}-{type}-{index}", joined in Arrow (numpy's np.char.add was 2/3 of the write time)
    row_id = pc.binary_join_element_wise(pa.array(frame_col).cast(pa.string()),
                                         pa.array(np.tile(_row_suffixes(), n), type=pa.string()), "")
    flat = out.reshape(-1, 3)
    table = pa.table({
        "frame": pa.array(frame_col.astype(np.int32)),
        "row_id": row_id,
        "type": pa.DictionaryArray.from_arrays(pa.array(np.tile(_LAYOUT_TYPE, n).astype(np.int8)),
                                               pa.array(_TYPES)).cast(pa.string()),
        "landmark_index": pa.array(np.tile(_LAYOUT_INDEX, n).astype(np.int16)),
        "x": pa.array(flat[:, 0], from_pandas=False),
        "y": pa.array(flat[:, 1]),
        "z": pa.array(flat[:, 2]),
    })
    meta = {"fps": seq.fps, "width": seq.width, "height": seq.height, "dims": d, "writer": "signfuse"}
    if metadata:
        clash = sorted(set(metadata) & set(meta))
        if clash:
            raise ParameterError(f"metadata keys {clash} are reserved for the file's own fields")
        meta.update(metadata)
    table = table.replace_schema_metadata({_META_KEY: json.dumps(meta).encode()})
    with atomic_path(path) as tmp:
        # dictionary-encode only `type`: on float and unique row_id columns it costs time and space
        # (measured: 2x faster writes, 30% smaller files than pyarrow's default of every column).
        # zstd: a third smaller than snappy (318 vs 472 KB on a 44-frame sample), validated reads ~20% slower
        # (benchmarks/bench_io.py; training reads the npz cache); every
        # current Parquet reader (pyarrow, pandas, polars, DuckDB, Spark) decodes it.
        pq.write_table(table, tmp, compression="zstd", use_dictionary=["type"])
    return path
