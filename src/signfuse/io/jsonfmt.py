"""One JSON conversion for everything signfuse writes (metrics, manifests, caches, reports).

:func:`jsonable` turns numpy scalars and arrays, paths, tuples and nested mappings into plain JSON
values; non-finite floats become ``null`` (strict JSON has no NaN), unless ``finite_only=False`` (for
YAML, which has ``.nan``). :func:`write_json` writes atomically.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._atomic import atomic_path

__all__ = ["jsonable", "write_json"]


def jsonable(v: Any, *, finite_only: bool = True) -> Any:
    """``v`` as plain JSON values (see the module doc); unknown objects become their ``str``."""
    import numpy as np

    if isinstance(v, (str, bool)) or v is None:
        return v
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return None if finite_only and not math.isfinite(f) else f
    if isinstance(v, np.ndarray):
        return jsonable(v.tolist(), finite_only=finite_only)
    if isinstance(v, Mapping):
        return {str(k): jsonable(x, finite_only=finite_only) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [jsonable(x, finite_only=finite_only) for x in v]
    if isinstance(v, os.PathLike):
        return os.fspath(v)
    return str(v)


def write_json(obj: Any, path: str | os.PathLike[str], *, indent: int | None = 2) -> Path:
    """``jsonable(obj)`` written atomically as UTF-8 JSON; returns the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(jsonable(obj), indent=indent, ensure_ascii=False), encoding="utf-8")
    return Path(path)
