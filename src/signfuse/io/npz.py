"""``.npz`` landmark caches: the arrays as they are, plus a small JSON header.

Members: ``data`` (frames, people, points, dims) float32, ``confidence`` (frames, people, points) float32,
``times`` (frames,) float64 (only for variable-rate sequences) and ``meta``, a JSON string with
``format_version``, ``fps``, ``width``, ``height`` and ``components`` (``[{"name", "points", "edges"}]``).
Few members and a cached component table keep reading fast (this is the training cache format);
the archive is uncompressed by default and nothing is pickled.
"""

from __future__ import annotations

import json
import logging
import math
from functools import lru_cache
from os import PathLike
from pathlib import Path

import numpy as np

from ..errors import DataError, FormatError, SignfuseError
from ..sequence import Component, LandmarkSequence
from ._atomic import atomic_path
from ._checks import check_component, check_fps, make_component

__all__ = ["read_npz", "write_npz", "NPZ_FORMAT_VERSION"]

log = logging.getLogger(__name__)
NPZ_FORMAT_VERSION = 1
_KEYS = ("data", "confidence", "meta")


def write_npz(seq: LandmarkSequence, path: str | PathLike[str], *, compress: bool = False) -> Path:
    """Write ``seq`` to ``path`` (atomically); returns the path."""
    path = Path(path)
    meta = {
        "format_version": NPZ_FORMAT_VERSION,
        "fps": seq.fps,
        "width": seq.width,
        "height": seq.height,
        "components": [
            {"name": c.name, "points": list(c.points), "edges": [list(e) for e in c.edges]} for c in seq.components
        ],
    }
    arrays = dict(
        data=np.ascontiguousarray(seq.data, dtype=np.float32),
        confidence=np.ascontiguousarray(seq.confidence, dtype=np.float32),
        meta=np.array(json.dumps(meta)),
    )
    if seq.times is not None:
        arrays["times"] = np.asarray(seq.times, dtype=np.float64)
    with atomic_path(path) as tmp:
        (np.savez_compressed if compress else np.savez)(tmp, **arrays)
    return path


@lru_cache(maxsize=256)
def _components(table_json: str) -> tuple[Component, ...] | str:
    """Components from their JSON table (cached: every cached file of a dataset shares one table).

    Returns an error message instead of raising, so that the cache never holds an exception.
    """
    try:
        table = json.loads(table_json)
        if not isinstance(table, list) or not table:
            return "the component table must be a non-empty list"
        comps = []
        for c in table:
            points = tuple(str(p) for p in c["points"])
            check_component(str(c["name"]), points, path=None)
            comps.append(make_component(str(c["name"]), points, [tuple(e) for e in c.get("edges", [])], path=None))
        return tuple(comps)
    except DataError as e:
        return e.reason
    except (SignfuseError, TypeError, KeyError, ValueError, AttributeError, RecursionError) as e:
        return f"bad component table ({type(e).__name__}: {e})"


def read_npz(path: str | PathLike[str]) -> LandmarkSequence:
    """Read a landmark cache written by :func:`write_npz`."""
    path = Path(path)
    try:
        if path.stat().st_size == 0:
            raise FormatError("empty file", path=path)
        with np.load(path, allow_pickle=False) as z:
            if not hasattr(z, "files"):
                raise FormatError("a single .npy array, not an .npz archive", path=path)
            missing = [k for k in _KEYS if k not in z.files]
            if missing:
                raise FormatError(f"missing arrays {missing} (has {z.files})", path=path)
            raw_meta = z["meta"]
            if raw_meta.shape != () or raw_meta.dtype.kind != "U":
                raise FormatError("'meta' must be a JSON string", path=path)
            meta = json.loads(str(raw_meta))
            data = z["data"]
            conf = z["confidence"]
            times = z["times"] if "times" in z.files else None
    except SignfuseError:
        raise
    except FileNotFoundError:
        raise DataError("no such file", path=path) from None
    except Exception as e:  # numpy/zipfile raise many types (BadZipFile, TokenError, EOFError, ...)
        raise FormatError(f"not a signfuse .npz cache ({type(e).__name__}: {e})", path=path) from e
    if not isinstance(meta, dict):
        raise FormatError("'meta' is not a JSON object", path=path)
    version = meta.get("format_version", 1)
    if not isinstance(version, int) or version > NPZ_FORMAT_VERSION:
        raise FormatError(
            f"format_version {version!r} is not one this signfuse reads (<= {NPZ_FORMAT_VERSION})", path=path
        )
    fps = check_fps(meta.get("fps"), path=path)
    size = {}
    for key in ("width", "height"):
        v = meta.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0):
            raise FormatError(f"{key}={v!r} must be a non-negative number or null", path=path)
        size[key] = None if v is None else int(v)
    if not np.issubdtype(data.dtype, np.number) or not np.issubdtype(conf.dtype, np.number):
        raise FormatError(f"data/confidence must be numeric, got {data.dtype}/{conf.dtype}", path=path)
    comps = _components(json.dumps(meta.get("components"), sort_keys=True))
    if isinstance(comps, str):
        raise DataError(comps, path=path)
    try:
        return LandmarkSequence(comps, data, conf, fps, times=times, **size)
    except SignfuseError as e:
        raise DataError(str(e), path=path) from e
