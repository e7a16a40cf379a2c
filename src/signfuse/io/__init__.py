"""Every landmark file format, behind one ``read``/``write`` pair.

==========  =========  =====================================================================
extension   format     module
==========  =========  =====================================================================
``.pose``   ``pose``   :mod:`signfuse.io.pose` (pose-format, versions 0.0/0.1/0.2, dims 1-4)
``.parquet`` ``kaggle`` :mod:`signfuse.io.kaggle` (Kaggle ASL Signs, 543 rows per frame)
``.npz``    ``npz``    :mod:`signfuse.io.npz` (fast cache)
folder      ``mp_data`` :mod:`signfuse.io.mp_data` (MP_Data sequence: ``0.npy, 1.npy ...``)
==========  =========  =====================================================================

Kaggle parquet files not written by signfuse and MP_Data folders carry no frame rate: :func:`read`
needs ``fps`` for them, :func:`describe` describes them without it (``fps`` ``None``, ``rate``
``"unknown"``).

Streams are saved with :func:`write_stream` / :func:`read_stream` (parquet with a ``time`` column).
All writers are atomic (:func:`atomic_path`). Every reader raises :class:`~signfuse.errors.DataError`
(or its subclass :class:`~signfuse.errors.FormatError`) naming the file for bad input.
"""

from __future__ import annotations

import math
from os import PathLike
from pathlib import Path

from ..errors import DataError, ParameterError
from ..sequence import LandmarkSequence
from ..validators import check_rate
from ._atomic import atomic_path, save_figure
from .jsonfmt import jsonable, write_json
from .kaggle import kaggle_metadata, read_kaggle_parquet, stored_kaggle_fps, write_kaggle_parquet
from .mp_data import describe_mp_data, is_mp_data_sequence, read_mp_data
from .npz import NPZ_FORMAT_VERSION, read_npz, write_npz
from .pose import read_pose, read_pose_with_version, write_pose
from .streams import read_stream, write_stream

__all__ = [
    "jsonable", "write_json",
    "read", "write", "describe", "detect_format", "FORMATS",
    "read_pose", "write_pose", "read_kaggle_parquet", "write_kaggle_parquet", "read_npz", "write_npz",
    "read_mp_data",
    "read_stream", "write_stream", "atomic_path", "save_figure",
]

FORMATS: dict[str, str] = {".pose": "pose", ".parquet": "kaggle", ".npz": "npz"}
_ALIASES = {"pose": "pose", "kaggle": "kaggle", "parquet": "kaggle", "npz": "npz", "mp_data": "mp_data"}


def detect_format(path: str | PathLike[str], format: str | None = None) -> str:
    """The format name for ``path``: ``format`` when given, else by extension (a folder of numbered
    ``.npy`` frames is ``mp_data``)."""
    if format is not None:
        if format.lower() not in _ALIASES:
            raise ParameterError(f"format={format!r} is not one of {sorted(_ALIASES)}")
        return _ALIASES[format.lower()]
    if Path(path).is_dir():
        if is_mp_data_sequence(path):
            return "mp_data"
        raise ParameterError(f"{path}: a folder that is not an MP_Data sequence (numbered .npy frame "
                             "vectors 0.npy, 1.npy, ...); a landmark file or such a folder was expected")
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ParameterError(f"{path}: cannot tell the format from the extension {suffix!r}; "
                             f"known: {sorted(FORMATS)} (or pass format=)")
    return FORMATS[suffix]


def _check_exists(path: Path, fmt: str | None = None) -> None:
    if not path.exists():
        raise DataError("no such file", path=path)
    if path.is_dir() and fmt != "mp_data":
        raise DataError("is a folder, expected a file", path=path)


def read(path: str | PathLike[str], *, format: str | None = None, fps: float | None = None) -> LandmarkSequence:
    """Read a landmark file (format by extension unless ``format`` is given).

    ``fps`` is accepted for every format: it is used when the file stores no frame rate (Kaggle parquet
    files not written by signfuse, MP_Data sequence folders); when the file stores one, a different
    ``fps`` is a :class:`ParameterError` naming both (a silent override would shift every time stamp).
    """
    path = Path(path)
    if not path.exists():
        raise DataError("no such file", path=path)
    fmt = detect_format(path, format)
    _check_exists(path, fmt)
    if fps is not None:
        fps = check_rate(fps)
    if fmt == "mp_data":
        return read_mp_data(path, fps=fps)
    if fmt == "kaggle":
        stored = stored_kaggle_fps(path)
        seq = read_kaggle_parquet(path, fps=fps if stored is None else None)
    else:
        seq = read_pose(path) if fmt == "pose" else read_npz(path)
    if fps is not None and not math.isclose(seq.fps, fps, rel_tol=1e-6):
        raise ParameterError(f"{path.name} stores {seq.fps:g} frames/s; fps={fps:g} conflicts with it "
                             "(leave fps out for files that store their rate)")
    return seq


def write(seq: LandmarkSequence, path: str | PathLike[str], *, format: str | None = None) -> Path:
    """Write ``seq`` (atomically) in the format given by ``format`` or the extension; returns the path."""
    if not isinstance(seq, LandmarkSequence):
        raise ParameterError(f"write() needs a LandmarkSequence, got {type(seq).__name__}")
    fmt = detect_format(path, format)
    if fmt == "mp_data":
        raise ParameterError(f"{path}: writing MP_Data folders is not supported; write .pose, .parquet or .npz")
    writer = {"pose": write_pose, "kaggle": write_kaggle_parquet, "npz": write_npz}[fmt]
    return writer(seq, path)


def describe(path: str | PathLike[str], *, format: str | None = None, fps: float | None = None) -> dict:
    """A JSON-able summary of a landmark file (what ``signfuse info`` prints).

    Keys: ``path``, ``format``, ``version``, ``fps``, ``rate`` (``"stored"``, ``"given"`` or
    ``"unknown"``), ``frames``, ``duration_s``, ``people``, ``dims``, ``width``, ``height``,
    ``components`` (``[{name, points, dims}]``) and ``missing`` (fraction of missing points per
    component). For a file without a frame rate and no ``fps`` given, ``fps`` and ``duration_s`` are
    ``None`` and ``rate`` is ``"unknown"``. MP_Data folders add ``layout`` (the vector layout); files
    written by ``signfuse extract`` as parquet add ``model`` when they record it.
    """
    path = Path(path)
    if not path.exists():
        raise DataError("no such file", path=path)
    fmt = detect_format(path, format)
    _check_exists(path, fmt)
    extra: dict = {}
    version: str
    rate = "stored" if fps is None else "given"
    if fmt == "pose":
        if fps is not None:
            raise ParameterError(f"fps= is only used for Kaggle parquet and MP_Data; {path.name} stores its own "
                                 "frame rate")
        seq, pose_version = read_pose_with_version(path)
        version = f"{pose_version:.1f}"
    elif fmt == "mp_data":
        d = describe_mp_data(path, fps=fps)
        seq, version = d["seq"], "mp_data"
        extra["layout"] = d["layout"]
        if fps is None:
            rate = "unknown"
    elif fmt == "kaggle":
        meta = kaggle_metadata(path)
        if fps is None and "fps" not in meta:
            seq, rate = read_kaggle_parquet(path, fps=1.0), "unknown"
        else:
            seq = read_kaggle_parquet(path, fps=fps)
        if "model" in meta:
            extra["model"] = meta["model"]
        version = "kaggle-asl-signs"
    else:
        seq = read(path, format=fmt, fps=fps)
        version = str(NPZ_FORMAT_VERSION)
    known = rate != "unknown"
    out = {
        "path": str(path),
        "format": fmt,
        "version": version,
        "fps": seq.fps if known else None,
        "rate": rate,
        "frames": seq.n_frames,
        "duration_s": round(seq.duration, 6) if known else None,
        "people": seq.n_people,
        "dims": seq.dims,
        "width": seq.width,
        "height": seq.height,
        "components": [{"name": c.name, "points": c.n_points, "dims": seq.dims} for c in seq.components],
        "missing": {k: round(v, 6) for k, v in seq.missing_fraction().items()},
    }
    if not known:
        out["note"] = "the file stores no frame rate; pass --fps (fps=) to read it"
    out.update(extra)
    return out
