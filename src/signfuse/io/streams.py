"""Save and load any :class:`~signfuse.streams.Stream` as parquet.

Columns: ``time`` (float64 seconds, frame start), one float32 column per feature, ``valid`` (bool, the
mask). The parquet key-value metadata (key ``signfuse.stream``) holds the stream name, fps, feature
names and whether the times were explicit, so a stream reads back exactly.
"""

from __future__ import annotations

import json
import math
from os import PathLike
from pathlib import Path

import numpy as np

from ..errors import DataError, FormatError, ParameterError, SignfuseError
from ..streams import Stream
from ._atomic import atomic_path

__all__ = ["write_stream", "read_stream"]

_META_KEY = b"signfuse.stream"
_RESERVED = ("time", "valid")


def write_stream(stream: Stream, path: str | PathLike[str]) -> Path:
    """Write ``stream`` to a parquet file (atomically); returns the path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    clash = [n for n in stream.names if n in _RESERVED]
    if clash:
        raise ParameterError(
            f"stream {stream.name!r}: feature names {clash} clash with the reserved columns {list(_RESERVED)}"
        )
    if len(set(stream.names)) != len(stream.names):
        raise ParameterError(f"stream {stream.name!r} has duplicate feature names")
    cols = {"time": pa.array(np.asarray(stream.time, dtype=np.float64))}
    for i, n in enumerate(stream.names):
        cols[n] = pa.array(np.ascontiguousarray(stream.values[:, i]))
    cols["valid"] = pa.array(np.asarray(stream.mask, dtype=bool))
    meta = {
        "name": stream.name,
        "fps": stream.fps,
        "names": list(stream.names),
        "explicit_times": stream.times is not None,
    }
    table = pa.table(cols).replace_schema_metadata({_META_KEY: json.dumps(meta).encode()})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return path


def read_stream(path: str | PathLike[str]) -> Stream:
    """Read a stream written by :func:`write_stream`.

    A parquet file without signfuse metadata is accepted when it has a ``time`` column: the name is the
    file stem, the features are the other numeric columns and fps is the median frame rate of ``time``.
    """
    import pyarrow.parquet as pq

    path = Path(path)
    try:
        table = pq.read_table(path, use_threads=False)
    except FileNotFoundError:
        raise DataError("no such file", path=path) from None
    except Exception as e:
        raise FormatError(f"not a parquet file ({type(e).__name__}: {e})", path=path) from e
    if "time" not in table.column_names:
        raise FormatError(f"no 'time' column (columns: {table.column_names[:10]})", path=path)
    raw = (table.schema.metadata or {}).get(_META_KEY)
    try:
        time = table.column("time").to_numpy().astype(np.float64)
        if raw is not None:
            meta = json.loads(raw)
            name, fps, names = str(meta["name"]), float(meta["fps"]), [str(n) for n in meta["names"]]
            explicit = bool(meta.get("explicit_times", True))
        else:
            name = path.stem
            names = [c for c in table.column_names if c not in _RESERVED]
            d = np.diff(time)
            d = d[np.isfinite(d) & (d > 0)]
            if not d.size:
                raise FormatError("cannot infer fps: fewer than two distinct times and no signfuse metadata", path=path)
            fps, explicit = float(1.0 / np.median(d)), True
        if not math.isfinite(fps) or fps <= 0:
            raise FormatError(f"fps {fps!r} must be a positive number", path=path)
        missing = [n for n in names if n not in table.column_names]
        if missing:
            raise FormatError(f"missing feature columns {missing[:5]}", path=path)
        values = (
            np.stack([table.column(n).to_numpy().astype(np.float32) for n in names], axis=1)
            if names
            else np.zeros((table.num_rows, 0), np.float32)
        )
        mask = table.column("valid").to_numpy().astype(bool) if "valid" in table.column_names else None
        return Stream(name, values, tuple(names), fps, times=time if explicit else None, mask=mask)
    except SignfuseError as e:
        if isinstance(e, DataError) and e.path:
            raise
        raise FormatError(str(e), path=path) from e
    except Exception as e:
        raise FormatError(f"bad stream file ({type(e).__name__}: {e})", path=path) from e
