"""The extract manifest (``manifest.jsonl``): one JSON record per extraction job, the last one per key wins.

Written by :func:`signfuse.vision.extract_batch` (resumable batches) and read by everything that
pairs landmark files with their source videos (audio-to-gesture, dataset folders). A line that is not
valid JSON (a torn write, binary junk) is skipped with a warning, never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import DataError
from ._atomic import atomic_path

__all__ = ["MANIFEST_NAME", "read_manifest", "write_manifest", "manifest_lock", "append_manifest", "merge_manifest"]

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.jsonl"


def read_manifest(out_dir: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """The manifest's records by key (the last line for a key wins; unreadable lines are ignored)."""
    p = Path(out_dir) / MANIFEST_NAME
    records: dict[str, dict[str, Any]] = {}
    if not p.exists():
        return records
    if not p.is_file():
        raise DataError(f"{MANIFEST_NAME} is not a regular file (a folder?); move it away to extract here", path=p)
    try:
        text = p.read_bytes().decode("utf-8", errors="replace")
    except OSError as e:
        raise DataError(f"cannot read the manifest: {e.strerror or e}", path=p) from None
    bad = 0
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            rec = json.loads(line)
            records[str(rec["key"])] = rec
        except (json.JSONDecodeError, KeyError, TypeError):
            bad += 1
    if bad:
        log.warning("%s: ignored %d unreadable manifest line(s)", p, bad)
    return records


def write_manifest(out_dir: str | os.PathLike[str], records: Mapping[str, Mapping[str, Any]]) -> Path:
    """Rewrite the whole manifest atomically (sorted keys per record)."""
    p = Path(out_dir) / MANIFEST_NAME
    with atomic_path(p) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            for rec in records.values():
                f.write(json.dumps(rec, sort_keys=True) + "\n")
    return p


@contextlib.contextmanager
def manifest_lock(out_dir: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive lock on the folder ``out_dir`` (``fcntl.flock``; a no-op where there is none).

    Two ``extract`` runs into one folder each append and read-merge-write the manifest under this lock,
    so neither loses the other's records. The folder is locked, not the manifest, because the manifest is
    replaced (renamed over) on every rewrite; and a folder lock leaves no lock file behind.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; concurrent runs are then the user's risk
        yield
        return
    try:
        fd = os.open(out_dir, os.O_RDONLY)
    except OSError as e:
        raise DataError(f"cannot open the output folder: {e.strerror or e}", path=out_dir) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)   # closing releases the lock


def append_manifest(out_dir: str | os.PathLike[str], record: Mapping[str, Any]) -> None:
    """Append one record as a line (under :func:`manifest_lock`), so a killed run keeps the jobs it finished."""
    p = Path(out_dir) / MANIFEST_NAME
    with manifest_lock(out_dir):
        try:
            with open(p, "a", encoding="utf-8") as f:
                f.write(json.dumps(record, sort_keys=True) + "\n")
        except OSError as e:
            raise DataError(f"cannot write: {e.strerror or e}", path=p) from None


def merge_manifest(out_dir: str | os.PathLike[str], records: Mapping[str, Mapping[str, Any]],
                   *, order: Mapping[str, int] | None = None) -> dict[str, dict[str, Any]]:
    """Rewrite the manifest as what is on disk now updated with ``records`` (they win), under the lock.

    Records another run wrote meanwhile are kept. ``order`` (key -> rank) sorts the keys it names first.
    Returns the merged records.
    """
    with manifest_lock(out_dir):
        merged: dict[str, dict[str, Any]] = read_manifest(out_dir)
        merged.update({k: dict(v) for k, v in records.items()})
        if order is not None:
            merged = dict(sorted(merged.items(), key=lambda kv: order.get(kv[0], len(order))))
        write_manifest(out_dir, merged)
    return merged
