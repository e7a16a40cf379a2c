"""MP_Data folders and flat MediaPipe vectors: the layout of hundreds of MediaPipe + LSTM sign projects.

Those projects save one ``.npy`` vector per frame, ``ROOT/<label>/<sequence>/<frame>.npy``, made by
concatenating MediaPipe Holistic's parts in a fixed order, with zeros for a part that was not found:

======  ===================================================================================
length  layout (:data:`VECTOR_LAYOUTS`)
======  ===================================================================================
1662    POSE 33 x (x, y, z, visibility), FACE 468 x 3, LEFT_HAND 21 x 3, RIGHT_HAND 21 x 3
258     POSE 33 x 4, LEFT_HAND 21 x 3, RIGHT_HAND 21 x 3 (1662 without the face)
126     LEFT_HAND 21 x 3, RIGHT_HAND 21 x 3
======  ===================================================================================

:func:`vectors_to_sequence` turns ``(frames, D)`` such vectors into a
:class:`~signfuse.sequence.LandmarkSequence` (components in the order above, normalized image units,
``width``/``height`` unknown): a part whose values are all zero in a frame is missing (confidence 0);
the confidence of a found part is 1, of a pose point its visibility. :func:`points_to_sequence` does the
same for point arrays ``(frames, P, 3)`` (P = 21 one hand, 42 two hands, 75 pose + hands, 543 the Kaggle
ASL Signs order); this is what :mod:`signfuse.datasets.arrays` uses for ``.npz`` datasets.

A **sequence folder** holds the frames ``0.npy, 1.npy, ...`` (natural order; every file the same length).
The files carry no frame rate, so :func:`read_mp_data` needs ``fps``; :func:`describe_mp_data` describes
a folder without one. ``"Left"``/``"right"`` hands are kept as the file has them (MediaPipe Holistic
reports the signer's own).
"""

from __future__ import annotations

import logging
import re
from os import PathLike
from pathlib import Path

import numpy as np

from ..errors import DataError, FormatError, ParameterError
from ..sequence import Component, LandmarkSequence
from ..topology import (
    FACE,
    FACE_POINTS_468,
    HAND_EDGES,
    HAND_POINTS,
    KAGGLE_LAYOUT,
    LEFT_HAND,
    POSE,
    POSE_EDGES,
    POSE_POINTS,
    RIGHT_HAND,
)
from ._checks import check_fps

__all__ = ["VECTOR_LAYOUTS", "POINT_LAYOUTS", "is_mp_data_sequence", "frame_files", "read_mp_data",
           "describe_mp_data", "vectors_to_sequence", "points_to_sequence", "layout_name"]

log = logging.getLogger(__name__)

_POSE = Component(POSE, POSE_POINTS, POSE_EDGES)
_FACE = Component(FACE, FACE_POINTS_468, ())
_LH = Component(LEFT_HAND, HAND_POINTS, HAND_EDGES)
_RH = Component(RIGHT_HAND, HAND_POINTS, HAND_EDGES)

#: Flat vector length -> ``((component, values per point), ...)`` in storage order.
VECTOR_LAYOUTS: dict[int, tuple[tuple[Component, int], ...]] = {
    1662: ((_POSE, 4), (_FACE, 3), (_LH, 3), (_RH, 3)),
    258: ((_POSE, 4), (_LH, 3), (_RH, 3)),
    126: ((_LH, 3), (_RH, 3)),
}
#: Points per frame -> components, for ``(frames, P, 3)`` arrays. 543 is the Kaggle ASL Signs order.
POINT_LAYOUTS: dict[int, tuple[Component, ...]] = {
    21: (_RH,),
    42: (_LH, _RH),
    75: (_POSE, _LH, _RH),
    543: tuple({FACE: _FACE, LEFT_HAND: _LH, POSE: _POSE, RIGHT_HAND: _RH}[c] for _, c, _ in KAGGLE_LAYOUT),
}


def layout_name(dim: int) -> str:
    """``"258 (pose 33x4 + hands 2x21x3)"``: a short description of a flat vector layout."""
    parts = VECTOR_LAYOUTS.get(int(dim))
    if parts is None:
        return f"{dim} (unknown)"
    return f"{dim} ({' + '.join(f'{c.name.lower()} {c.n_points}x{k}' for c, k in parts)})"


def _check_dim(dim: int, path: str | PathLike[str] | None) -> tuple[tuple[Component, int], ...]:
    if dim not in VECTOR_LAYOUTS:
        raise FormatError(f"frame vectors of length {dim}; known MediaPipe layouts are "
                          f"{', '.join(layout_name(d) for d in VECTOR_LAYOUTS)}", path=path)
    return VECTOR_LAYOUTS[dim]


def vectors_to_sequence(x: np.ndarray, *, fps: float, path: str | PathLike[str] | None = None,
                        length: int | None = None) -> LandmarkSequence:
    """``(frames, D)`` flat MediaPipe vectors (D in :data:`VECTOR_LAYOUTS`) as a one-person sequence.

    ``length`` keeps only the first ``length`` frames (datasets that pad sequences store it).
    """
    x = np.asarray(x)
    if x.ndim != 2:
        raise FormatError(f"expected (frames, D) frame vectors, got shape {x.shape}", path=path)
    layout = _check_dim(int(x.shape[1]), path)
    fps = check_fps(fps, path=path)
    if length is not None:
        x = x[:max(0, int(length))]
    x = x.astype(np.float32, copy=False)
    if not np.all(np.isfinite(x)):
        raise FormatError("frame vectors hold NaN or infinite values (MP_Data marks a missing part with "
                          "zeros)", path=path)
    T = x.shape[0]
    datas, confs, off = [], [], 0
    for comp, k in layout:
        n = comp.n_points
        block = x[:, off:off + n * k].reshape(T, n, k)
        off += n * k
        found = np.any(block != 0, axis=(1, 2))                         # (T,) the part was detected
        if k == 4:
            conf = np.clip(block[..., 3], 0.0, 1.0)
        else:
            conf = np.ones((T, n), np.float32)
        conf = np.where(found[:, None], conf, 0.0).astype(np.float32)
        datas.append(block[..., :3])
        confs.append(conf)
    data = np.concatenate(datas, axis=1)[:, None]
    conf = np.concatenate(confs, axis=1)[:, None]
    data = np.where(conf[..., None] > 0, data, np.float32(0))
    return LandmarkSequence(tuple(c for c, _ in layout), data, conf, fps)


def points_to_sequence(x: np.ndarray, *, fps: float, path: str | PathLike[str] | None = None,
                       length: int | None = None) -> LandmarkSequence:
    """``(frames, P, 2 or 3)`` MediaPipe points (P in :data:`POINT_LAYOUTS`) as a one-person sequence.

    A component whose points are all zero (or NaN, as in Kaggle files) in a frame is missing there.
    A single 21-point hand is stored as ``RIGHT_HAND`` (its side is not recorded in such arrays).
    """
    x = np.asarray(x)
    if x.ndim != 3 or x.shape[2] not in (2, 3):
        raise FormatError(f"expected (frames, points, 2 or 3) landmarks, got shape {x.shape}", path=path)
    P = int(x.shape[1])
    if P not in POINT_LAYOUTS:
        raise FormatError(f"{P} points per frame; known layouts: " + ", ".join(
            f"{p} ({'+'.join(c.name.lower() for c in cs)})" for p, cs in POINT_LAYOUTS.items()), path=path)
    fps = check_fps(fps, path=path)
    if length is not None:
        x = x[:max(0, int(length))]
    x = x.astype(np.float32, copy=False)
    T = x.shape[0]
    comps = POINT_LAYOUTS[P]
    conf = np.zeros((T, P), np.float32)
    off = 0
    for comp in comps:
        block = x[:, off:off + comp.n_points]
        finite = np.all(np.isfinite(block), axis=2)
        found = np.any((block != 0) & np.isfinite(block), axis=(1, 2))
        conf[:, off:off + comp.n_points] = (finite & found[:, None]).astype(np.float32)
        off += comp.n_points
    data = np.where(conf[..., None] > 0, x, np.float32(0))[:, None]
    return LandmarkSequence(comps, data, conf[:, None], fps)


_NUMBERED = re.compile(r"^(\d+)\.npy$")


def frame_files(folder: str | PathLike[str]) -> list[Path]:
    """The ``<n>.npy`` frame files of an MP_Data sequence folder in frame order ([] when none)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), f) for f in folder.iterdir() if (m := _NUMBERED.match(f.name)) and f.is_file()]
    return [f for _, f in sorted(found)]


def is_mp_data_sequence(path: str | PathLike[str]) -> bool:
    """A folder that directly holds numbered ``.npy`` frame vectors."""
    return bool(frame_files(path))


def _load_frames(folder: Path) -> np.ndarray:
    files = frame_files(folder)
    if not folder.exists():
        raise DataError("no such folder", path=folder)
    if not files:
        raise FormatError("an MP_Data sequence folder holds numbered frame files 0.npy, 1.npy, ...; "
                          "found none", path=folder)
    numbers = [int(f.stem) for f in files]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        gaps = sorted(set(range(numbers[0], numbers[-1] + 1)) - set(numbers))[:5]
        raise FormatError(f"frames are not consecutive (missing {', '.join(f'{g}.npy' for g in gaps)})",
                          path=folder)
    rows: list[np.ndarray] = []
    for f in files:
        try:
            a = np.load(f, allow_pickle=False)
        except (ValueError, OSError, EOFError) as e:
            raise FormatError(f"frame {f.name}: not a readable .npy array ({e})", path=folder) from None
        a = np.asarray(a)
        if a.ndim == 2 and a.shape[0] == 1:        # some projects save (1, D)
            a = a[0]
        if a.ndim != 1:
            raise FormatError(f"frame {f.name}: shape {a.shape}, expected one flat vector", path=folder)
        if rows and a.shape != rows[0].shape:
            raise FormatError(f"frame {f.name}: length {a.shape[0]} differs from {files[0].name}'s "
                              f"{rows[0].shape[0]}", path=folder)
        rows.append(a)
    x = np.stack(rows)
    _check_dim(int(x.shape[1]), folder)
    return x


def read_mp_data(path: str | PathLike[str], *, fps: float | None) -> LandmarkSequence:
    """Read one MP_Data sequence folder (``<frame>.npy`` vectors) at ``fps`` frames per second."""
    path = Path(path)
    if fps is None:
        raise ParameterError(f"{path}: MP_Data frame files carry no frame rate; pass fps= (--fps), the rate "
                             "the frames were recorded at (webcam projects usually record 30)")
    if not (isinstance(fps, (int, float, np.integer, np.floating)) and np.isfinite(fps) and fps > 0):
        raise ParameterError(f"fps={fps!r} must be a positive number of frames per second")
    return vectors_to_sequence(_load_frames(path), fps=float(fps), path=path)


def describe_mp_data(path: str | PathLike[str], *, fps: float | None = None) -> dict:
    """What :func:`signfuse.io.describe` says about an MP_Data sequence folder (rate unknown without ``fps``)."""
    path = Path(path)
    x = _load_frames(path)
    seq = vectors_to_sequence(x, fps=1.0 if fps is None else fps, path=path)
    return {"layout": layout_name(int(x.shape[1])), "dtype": str(x.dtype), "seq": seq,
            "fps_known": fps is not None}
