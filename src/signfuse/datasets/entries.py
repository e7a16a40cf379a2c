"""Entry -> LandmarkSequence: :func:`read_entry`, the one way to read a dataset sample's landmarks.

Every index kind goes through it: landmark files (``.pose``, Kaggle ``.parquet``, ``.npz``) with the
entry's frame range, MP_Data sequence folders, and rows of npz array datasets
(``entry.meta["array_row"]``, :mod:`signfuse.datasets.arrays`). The frame rate is the entry's own
(``Entry.fps``, when the index states one), else ``fps``; files that carry a rate use theirs.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import DataError, ParameterError
from ..io.media import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS
from ..sequence import LandmarkSequence
from .base import Entry

__all__ = ["read_entry"]

_MEDIA = VIDEO_EXTENSIONS | IMAGE_EXTENSIONS


def read_entry(entry: Entry, *, fps: float | None = None) -> LandmarkSequence:
    """The landmarks of one dataset entry, cut to its frame range.

    Parameters
    ----------
    entry:
        An :class:`~signfuse.datasets.Entry` from any index (:func:`signfuse.datasets.open_index`).
    fps:
        Frame rate for sources that carry none (MP_Data folders, Kaggle parquet, array datasets
        without an ``fps`` member) when the entry has none either.

    Raises
    ------
    ParameterError
        The source needs a frame rate and none is known, or the entry points at a video or image
        (run ``signfuse extract`` on the index first).
    DataError
        The file is missing or unreadable, or the frame range holds no frames.
    """
    from .. import io

    if not isinstance(entry, Entry):
        raise ParameterError(f"read_entry() needs a datasets.Entry, got {type(entry).__name__}")
    if entry.path is None:
        raise DataError(f"entry {entry.id!r} has no landmark file")
    rate = entry.fps or fps
    path = Path(entry.path)
    meta = entry.meta or {}
    if "array_row" in meta:
        from .arrays import row_sequence

        seq = row_sequence(path, int(meta["array_row"]), fps=rate)
    elif path.suffix.lower() in _MEDIA:
        raise ParameterError(
            f"entry {entry.id!r}: {path} is a video or image, not landmarks; extract them "
            f"first (signfuse extract INDEX --out DIR) and point the index at the results"
        )
    else:
        if not path.exists():
            raise DataError(f"entry {entry.id!r}: no such file", path=path)
        fmt = io.detect_format(path)
        seq = io.read(path, fps=rate if fmt in ("kaggle", "mp_data") else None)
    start, end = int(entry.start_frame or 0), entry.end_frame
    if start or end is not None:
        seq = seq[start : (seq.n_frames if end is None else int(end))]
    if seq.n_frames == 0:
        raise DataError(f"entry {entry.id!r}: no frames in [{start}, {end})", path=path)
    return seq
