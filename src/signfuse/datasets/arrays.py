"""Array datasets: one ``.npz`` holding every sample, as many public notebooks save ``X``/``y``.

Members:

``X``
    ``(N, T, D)`` flat MediaPipe vectors per frame (D = 1662, 258 or 126, see
    :mod:`signfuse.io.mp_data`), ``(N, T, P, 2|3)`` points (P = 21, 42, 75 or 543), or ``(N, P, 2|3)``
    single frames (one hand pose per sample, like a photo).
``label`` or ``y``
    ``(N,)`` labels (strings or integers).
optional
    ``signer`` ``(N,)``, ``split`` ``(N,)`` (train/val/dev/test), ``length`` ``(N,)`` (valid frames of
    a padded sequence), ``fps`` (a scalar: the recording rate). Every other ``(N,)`` member (``seq``,
    ``fname`` ...) goes into ``Entry.meta``.

:func:`read_arrays` gives one :class:`~signfuse.datasets.Entry` per row (id ``"<row>"``, path the npz,
``meta["array_row"]`` the row); :func:`row_sequence` turns a row into a
:class:`~signfuse.sequence.LandmarkSequence` (:func:`signfuse.datasets.read_entry` does it for any
entry). The file is opened once (per path, size and mtime) and shared by all rows: ``X`` is
memory-mapped when the archive stores it uncompressed (numpy's ``np.load`` cannot map an npz member, so
the member's offset in the zip is computed here), else decompressed once.

Sequence rows need a frame rate (the ``fps`` member, the entry's, or the caller's); single-frame rows
are read at 1 frame/s, like a photo in :func:`signfuse.vision.extract`.
"""

from __future__ import annotations

import logging
import threading
import zipfile
from collections import OrderedDict
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError, FormatError, ParameterError
from ..io.mp_data import POINT_LAYOUTS, VECTOR_LAYOUTS, layout_name, points_to_sequence, vectors_to_sequence
from ..sequence import LandmarkSequence
from .base import Entry, normalize_split

__all__ = ["read_arrays", "is_array_dataset", "row_sequence", "load_arrays", "ArrayDataset"]

log = logging.getLogger(__name__)

_LABEL_KEYS = ("label", "y")


class ArrayDataset:
    """The arrays of one npz dataset file (``X`` possibly memory-mapped), opened once."""

    def __init__(self, path: Path, arrays: dict[str, np.ndarray]) -> None:
        self.path = path
        self.arrays = arrays
        self.X = arrays["X"]
        self.kind = _kind(self.X, path)
        fps = arrays.get("fps")
        self.fps = float(np.asarray(fps).reshape(-1)[0]) if fps is not None and np.asarray(fps).size else None

    def __len__(self) -> int:
        return int(self.X.shape[0])


def _kind(X: np.ndarray, path) -> str:
    """``"vectors"`` (N, T, D), ``"points"`` (N, T, P, c) or ``"frames"`` (N, P, c)."""
    if X.ndim == 3 and X.shape[2] in VECTOR_LAYOUTS:
        return "vectors"
    if X.ndim == 4 and X.shape[3] in (2, 3) and X.shape[2] in POINT_LAYOUTS:
        return "points"
    if X.ndim == 3 and X.shape[2] in (2, 3) and X.shape[1] in POINT_LAYOUTS:
        return "frames"
    raise FormatError(
        f"X has shape {X.shape}; expected (N, T, D) with D one of "
        f"{', '.join(layout_name(d) for d in VECTOR_LAYOUTS)}, (N, T, P, 3) or (N, P, 3) with P one of "
        f"{sorted(POINT_LAYOUTS)}", path=path)


def _member_memmap(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> np.ndarray | None:
    """A read-only memmap of an uncompressed ``.npy`` member, or ``None`` when it cannot be mapped."""
    if info.compress_type != zipfile.ZIP_STORED:
        return None
    from numpy.lib import format as npf

    with open(path, "rb") as f:
        f.seek(info.header_offset)
        local = f.read(30)
        if local[:4] != b"PK\x03\x04":
            return None
        name_len = int.from_bytes(local[26:28], "little")
        extra_len = int.from_bytes(local[28:30], "little")
        start = info.header_offset + 30 + name_len + extra_len
        f.seek(start)
        try:
            version = npf.read_magic(f)
            shape, fortran, dtype = (npf.read_array_header_1_0(f) if version == (1, 0)
                                     else npf.read_array_header_2_0(f))
        except ValueError:
            return None
        if dtype.hasobject:
            return None
        offset = f.tell()
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape, order="F" if fortran else "C")


_CACHE: OrderedDict[tuple, ArrayDataset] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 4


def load_arrays(path: str | PathLike[str]) -> ArrayDataset:
    """Open an npz dataset (cached by path, size and mtime; ``X`` memory-mapped when stored)."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DataError("no such file", path=path) from None
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise FormatError(f"not an npz archive ({e})", path=path) from None
    arrays: dict[str, np.ndarray] = {}
    with zf:
        members = {i.filename[:-4] if i.filename.endswith(".npy") else i.filename: i for i in zf.infolist()}
        if "X" not in members or not any(k in members for k in _LABEL_KEYS):
            raise FormatError(f"an array dataset holds X and label (or y); this npz has {sorted(members)}",
                              path=path)
        mm = _member_memmap(zf, members["X"], path)
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {k: (mm if (k == "X" and mm is not None) else z[k]) for k in z.files}
        except ValueError as e:
            raise FormatError(f"cannot read the arrays without pickle ({e})", path=path) from None
    ds = ArrayDataset(path, arrays)
    with _CACHE_LOCK:
        _CACHE[key] = ds
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return ds


def is_array_dataset(path: str | PathLike[str]) -> bool:
    """An ``.npz`` with an ``X`` member and a ``label`` or ``y`` member (reads only the zip directory)."""
    path = Path(path)
    if path.suffix.lower() != ".npz" or not path.is_file():
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            names = {n[:-4] for n in zf.namelist() if n.endswith(".npy")}
    except (zipfile.BadZipFile, OSError):
        return False
    return "X" in names and any(k in names for k in _LABEL_KEYS)


def _as_str(a: np.ndarray) -> list[str]:
    return [x.decode() if isinstance(x, bytes) else str(x) for x in a.tolist()]


def read_arrays(path: str | PathLike[str]) -> list[Entry]:
    """One :class:`~signfuse.datasets.Entry` per row of an npz array dataset (members in the module doc)."""
    path = Path(path)
    ds = load_arrays(path)
    n = len(ds)
    a = ds.arrays
    label_key = next(k for k in _LABEL_KEYS if k in a)
    per_row = {}
    for k, v in a.items():
        if k == "X":
            continue
        v = np.asarray(v)
        if k in (label_key, "signer", "split", "length") and (v.ndim != 1 or len(v) != n):
            raise FormatError(f"{k} has shape {v.shape}; X has {n} rows, so {k} must be ({n},)", path=path)
        if v.ndim == 1 and len(v) == n:
            per_row[k] = v
    labels = _as_str(per_row[label_key])
    signers = _as_str(per_row["signer"]) if "signer" in per_row else [None] * n
    splits = [normalize_split(s) for s in _as_str(per_row["split"])] if "split" in per_row else [None] * n
    lengths = per_row.get("length")
    T = ds.X.shape[1] if ds.kind != "frames" else 1
    if lengths is not None:
        bad = np.flatnonzero((lengths < 1) | (lengths > T))
        if bad.size:
            raise FormatError(f"length[{bad[0]}] = {lengths[bad[0]]} is outside 1..{T} (the frames in X)", path=path)
    extra = {k: v for k, v in per_row.items() if k not in (label_key, "signer", "split", "length")}
    extra_lists = {k: v.tolist() for k, v in extra.items()}
    entries = []
    for i in range(n):
        meta: dict[str, Any] = {"array_row": i, "format": "arrays", "layout": ds.kind}
        for k, vals in extra_lists.items():
            x = vals[i]
            meta[k] = x.decode() if isinstance(x, bytes) else x
        end = None if lengths is None else int(lengths[i])
        entries.append(Entry(id=str(i), path=path, signer=signers[i], split=splits[i], gloss=labels[i],
                             end_frame=end, fps=ds.fps, meta=meta))
    return entries


def row_sequence(path: str | PathLike[str], row: int, *, fps: float | None = None,
                 length: int | None = None) -> LandmarkSequence:
    """Row ``row`` of an npz array dataset as a one-person sequence.

    ``fps``: the frame rate for sequence rows (default: the file's ``fps`` member); single-frame rows
    are read at 1 frame/s. ``length``: keep the first ``length`` frames.
    """
    ds = load_arrays(path)
    if not (isinstance(row, (int, np.integer)) and 0 <= int(row) < len(ds)):
        raise ParameterError(f"row={row!r} is outside the {len(ds)} rows of {path}")
    x = np.asarray(ds.X[int(row)])
    if ds.kind == "frames":
        return points_to_sequence(x[None], fps=1.0 if fps is None else fps, path=path)
    rate = fps if fps is not None else ds.fps
    if rate is None:
        raise ParameterError(f"{path}: the arrays carry no frame rate (no fps member); pass fps= (--fps), the "
                             "rate the sequences were recorded at")
    conv = vectors_to_sequence if ds.kind == "vectors" else points_to_sequence
    return conv(x, fps=rate, path=path, length=length)
