"""The unit every dataset index yields: :class:`Entry` (metadata only; it points at a file)."""

from __future__ import annotations

import csv
import io as _io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..errors import DataError, FormatError

__all__ = ["Entry", "normalize_split", "to_int", "to_float", "read_text", "read_json", "read_delimited", "split_from_name", "resolve"]


@dataclass(frozen=True)
class Entry:
    """One sample of a dataset index.

    Parameters
    ----------
    id:
        Unique sample id within the dataset.
    path:
        The landmark file or video (or frame folder) that holds the sample.
    signer:
        Signer id as a string (``None`` when the dataset does not say), for signer-independent splits.
    split:
        ``"train"``, ``"val"`` or ``"test"`` (PHOENIX's ``dev`` is ``"val"``; the original name is in
        ``meta["split_name"]``), or ``None``.
    gloss:
        Label of an isolated sign.
    glosses:
        Gloss sequence of continuous signing.
    start_frame, end_frame:
        0-based frame range in ``path``; ``end_frame`` is exclusive, ``None`` = to the end.
    fps:
        Frame rate when the index states it.
    domain:
        Region / style / source dataset, for domain adaptation.
    meta:
        Everything else the index holds (read-only mapping).
    """

    id: str
    path: Path | None
    signer: str | None
    split: str | None
    gloss: str | None = None
    glosses: tuple[str, ...] | None = None
    start_frame: int = 0
    end_frame: int | None = None
    fps: float | None = None
    domain: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", str(self.id))
        if self.path is not None and not isinstance(self.path, Path):
            object.__setattr__(self, "path", Path(self.path))
        if self.signer is not None:
            object.__setattr__(self, "signer", str(self.signer))
        if self.glosses is not None:
            object.__setattr__(self, "glosses", tuple(str(g) for g in self.glosses))
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))

    def __hash__(self) -> int:
        return hash((self.id, self.path, self.split, self.start_frame, self.end_frame))


_SPLITS = {"train": "train", "training": "train", "val": "val", "valid": "val", "validation": "val",
           "dev": "val", "test": "test"}


def normalize_split(name: str | None) -> str | None:
    if name is None:
        return None
    return _SPLITS.get(str(name).strip().lower(), str(name).strip().lower())


def split_from_name(path: Path) -> str | None:
    """``train``/``val``/``test`` from a file name like ``PHOENIX-2014-T.dev.corpus.csv``."""
    import re
    for part in re.split(r"[^a-z]+", path.name.lower()):
        if part in _SPLITS:
            return _SPLITS[part]
    return None


def resolve(root: str | PathLike[str] | None, rel: str) -> Path:
    return Path(rel) if root is None else Path(root) / rel


def read_text(path: str | PathLike[str]) -> str:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError("no such file", path=path) from None
    except OSError as e:
        raise DataError(f"cannot read file: {e}", path=path) from e
    if not raw.strip():
        raise FormatError("empty file", path=path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise FormatError(f"not UTF-8 text ({e})", path=path) from e


def read_json(path: str | PathLike[str]) -> Any:
    text = read_text(path)
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as e:
        raise FormatError(f"bad JSON: {e}", path=path) from e


def read_delimited(path: str | PathLike[str], *, delimiter: str, header: tuple[str, ...],
                   required: tuple[str, ...] | None = None, quoting: int = csv.QUOTE_NONE) -> list[dict[str, str]]:
    """Rows of a delimited text file as dicts; the header must hold the ``required`` columns.

    A file with the right column names but another separator fails with a message saying so.
    """
    text = read_text(path)
    required = header if required is None else required
    try:
        rows = list(csv.reader(_io.StringIO(text), delimiter=delimiter, quoting=quoting, strict=False))
    except csv.Error as e:
        raise FormatError(f"bad delimited text: {e}", path=path) from e
    rows = [r for r in rows if any(c.strip() for c in r)]
    head = [c.strip() for c in rows[0]] if rows else []
    missing = [c for c in required if c not in head]
    if missing:
        first = text.splitlines()[0][:200] if text else ""
        seps = {",": "comma", "|": "'|'", "\t": "tab", ";": "semicolon"}
        other = [name for s, name in seps.items() if s != delimiter and all(c in first for c in required[:2])
                 and first.count(s) >= len(required) - 1]
        hint = f"; the header looks {other[0]}-separated, expected {seps.get(delimiter, repr(delimiter))}" if other else ""
        raise FormatError(f"wrong header: missing columns {missing} (expected {list(header)}){hint}", path=path)
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != len(head):
            raise FormatError(f"line {i}: {len(r)} fields, the header has {len(head)}", path=path)
        out.append({k: v.strip() for k, v in zip(head, r)})
    return out


def to_int(value: str, *, what: str, path, line: int | None = None) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        where = f"line {line}: " if line else ""
        raise FormatError(f"{where}{what} {value!r} is not an integer", path=path) from None


def to_float(value, *, what: str, path, line: int | None = None) -> float:
    import math
    try:
        v = float(str(value).strip())
    except (TypeError, ValueError):
        v = math.nan
    if not math.isfinite(v):
        where = f"line {line}: " if line else ""
        raise FormatError(f"{where}{what} {value!r} is not a finite number", path=path)
    return v
