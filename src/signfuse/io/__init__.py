"""Every landmark file format, behind one ``read``/``write`` pair.

==========  =========  =====================================================================
extension   format     module
==========  =========  =====================================================================
``.pose``   ``pose``   :mod:`signfuse.io.pose` (pose-format, versions 0.0/0.1/0.2, dims 1-4)
``.parquet`` ``kaggle`` :mod:`signfuse.io.kaggle` (Kaggle ASL Signs, 543 rows per frame)
``.npz``    ``npz``    :mod:`signfuse.io.npz` (fast cache)
==========  =========  =====================================================================

Streams are saved with :func:`write_stream` / :func:`read_stream` (parquet with a ``time`` column).
All writers are atomic (:func:`atomic_path`). Every reader raises :class:`~signfuse.errors.DataError`
(or its subclass :class:`~signfuse.errors.FormatError`) naming the file for bad input.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from ..errors import DataError, ParameterError
from ..sequence import LandmarkSequence
from ._atomic import atomic_path, save_figure
from .kaggle import read_kaggle_parquet, write_kaggle_parquet
from .npz import NPZ_FORMAT_VERSION, read_npz, write_npz
from .pose import read_pose, read_pose_with_version, write_pose
from .streams import read_stream, write_stream

__all__ = [
    "read", "write", "describe", "detect_format", "FORMATS",
    "read_pose", "write_pose", "read_kaggle_parquet", "write_kaggle_parquet", "read_npz", "write_npz",
    "read_stream", "write_stream", "atomic_path", "save_figure",
]

FORMATS: dict[str, str] = {".pose": "pose", ".parquet": "kaggle", ".npz": "npz"}
_ALIASES = {"pose": "pose", "kaggle": "kaggle", "parquet": "kaggle", "npz": "npz"}


def detect_format(path: str | PathLike[str], format: str | None = None) -> str:
    """The format name for ``path``: ``format`` when given, else by extension."""
    if format is not None:
        if format.lower() not in _ALIASES:
            raise ParameterError(f"format={format!r} is not one of {sorted(_ALIASES)}")
        return _ALIASES[format.lower()]
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ParameterError(f"{path}: cannot tell the format from the extension {suffix!r}; "
                             f"known: {sorted(FORMATS)} (or pass format=)")
    return FORMATS[suffix]


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise DataError("no such file", path=path)
    if path.is_dir():
        raise DataError("is a folder, expected a file", path=path)


def read(path: str | PathLike[str], *, format: str | None = None, fps: float | None = None) -> LandmarkSequence:
    """Read a landmark file (format by extension unless ``format`` is given).

    ``fps`` is needed only for Kaggle parquet files that were not written by signfuse (they carry no
    frame rate); for the other formats it must be ``None``.
    """
    path = Path(path)
    fmt = detect_format(path, format)
    _check_exists(path)
    if fmt == "kaggle":
        return read_kaggle_parquet(path, fps=fps)
    if fps is not None:
        raise ParameterError(f"fps= is only used for Kaggle parquet; {path.name} stores its own frame rate")
    return read_pose(path) if fmt == "pose" else read_npz(path)


def write(seq: LandmarkSequence, path: str | PathLike[str], *, format: str | None = None) -> Path:
    """Write ``seq`` (atomically) in the format given by ``format`` or the extension; returns the path."""
    if not isinstance(seq, LandmarkSequence):
        raise ParameterError(f"write() needs a LandmarkSequence, got {type(seq).__name__}")
    fmt = detect_format(path, format)
    writer = {"pose": write_pose, "kaggle": write_kaggle_parquet, "npz": write_npz}[fmt]
    return writer(seq, path)


def describe(path: str | PathLike[str], *, format: str | None = None, fps: float | None = None) -> dict:
    """A JSON-able summary of a landmark file (what ``signfuse info`` prints).

    Keys: ``path``, ``format``, ``version``, ``fps``, ``frames``, ``duration_s``, ``people``, ``dims``,
    ``width``, ``height``, ``components`` (``[{name, points, dims}]``) and ``missing`` (fraction of
    missing points per component).
    """
    path = Path(path)
    fmt = detect_format(path, format)
    _check_exists(path)
    if fmt == "pose":
        seq, pose_version = read_pose_with_version(path)
        version = f"{pose_version:.1f}"
    else:
        seq = read(path, format=fmt, fps=fps)
        version = "kaggle-asl-signs" if fmt == "kaggle" else str(NPZ_FORMAT_VERSION)
    return {
        "path": str(path),
        "format": fmt,
        "version": version,
        "fps": seq.fps,
        "frames": seq.n_frames,
        "duration_s": round(seq.duration, 6),
        "people": seq.n_people,
        "dims": seq.dims,
        "width": seq.width,
        "height": seq.height,
        "components": [{"name": c.name, "points": c.n_points, "dims": seq.dims} for c in seq.components],
        "missing": {k: round(v, 6) for k, v in seq.missing_fraction().items()},
    }
