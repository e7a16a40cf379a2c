"""MP_Data roots as a dataset index: ``ROOT/<label>/<sequence>/<frame>.npy``.

The folder layout of hundreds of MediaPipe + LSTM sign projects (one flat MediaPipe vector per frame,
1662-, 258- or 126-d; see :mod:`signfuse.io.mp_data`). Labels are the ``<label>`` folder names; each
``<sequence>`` folder is one :class:`~signfuse.datasets.Entry` (id ``"<label>/<sequence>"``, path the
sequence folder, ``fps`` ``None``: the files carry no rate, so it comes from the reader, ``--fps``).

Signers are not part of the layout. A **signer map** gives them: a JSON list of
``{"label", "sequence", "signer"}`` objects, or an object ``{"<label>/<sequence>": signer}``; it is
found next to the root as ``<ROOT>.signers.json`` or inside it as ``signers.json`` when not given.
Sequences the map does not list have signer ``None`` (a warning says how many).
"""

from __future__ import annotations

import logging
from os import PathLike
from pathlib import Path

from ..errors import DataError, FormatError
from ..io.mp_data import frame_files, is_mp_data_sequence
from .base import Entry, read_json

__all__ = ["read_mp_data_root", "is_mp_data_root", "find_signer_map", "read_signer_map"]

log = logging.getLogger(__name__)


def _sequence_folders(root: Path) -> list[tuple[str, Path]]:
    out = []
    for label_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for seq_dir in label_dir.iterdir():
            if seq_dir.is_dir() and is_mp_data_sequence(seq_dir):
                out.append((label_dir.name, seq_dir))
    return out


def is_mp_data_root(path: str | PathLike[str]) -> bool:
    """A folder whose sub-folders hold MP_Data sequence folders (checks the first label folder only)."""
    path = Path(path)
    if not path.is_dir():
        return False
    for label_dir in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")):
        return any(d.is_dir() and is_mp_data_sequence(d) for d in label_dir.iterdir())
    return False


def find_signer_map(root: str | PathLike[str]) -> Path | None:
    """``<ROOT>.signers.json`` beside the root, or ``ROOT/signers.json``; ``None`` when neither exists."""
    root = Path(root)
    for cand in (root.with_name(root.name + ".signers.json"), root / "signers.json"):
        if cand.is_file():
            return cand
    return None


def read_signer_map(path: str | PathLike[str]) -> dict[str, str]:
    """``{"<label>/<sequence>": signer}`` from a signer map file (formats in the module doc)."""
    data = read_json(path)
    out: dict[str, str] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out[str(k)] = str(v)
        return out
    if not isinstance(data, list):
        raise FormatError(
            'a signer map is a JSON list of {label, sequence, signer} or an object {"label/sequence": signer}',
            path=path,
        )
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not {"label", "sequence", "signer"} <= set(item):
            raise FormatError(
                f"item {i}: expected an object with label, sequence and signer, got {item!r}"[:200], path=path
            )
        out[f"{item['label']}/{item['sequence']}"] = str(item["signer"])
    return out


def read_mp_data_root(root: str | PathLike[str], *, signers: str | PathLike[str] | None = None) -> list[Entry]:
    """Entries of an MP_Data root (one per sequence folder), sorted by label then sequence number.

    ``signers``: a signer map file (default: :func:`find_signer_map`).
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError("no such folder", path=root)
    found = _sequence_folders(root)
    if not found:
        raise FormatError("not an MP_Data root: expected <label>/<sequence>/0.npy, 1.npy, ...", path=root)
    smap_path = Path(signers) if signers is not None else find_signer_map(root)
    smap = read_signer_map(smap_path) if smap_path is not None else {}

    def order(item: tuple[str, Path]) -> tuple:
        label, d = item
        return (label, 0, int(d.name), "") if d.name.isdigit() else (label, 1, 0, d.name)

    entries, unmapped = [], 0
    for label, d in sorted(found, key=order):
        key = f"{label}/{d.name}"
        signer = smap.get(key)
        if smap and signer is None:
            unmapped += 1
        entries.append(
            Entry(
                id=key,
                path=d,
                signer=signer,
                split=None,
                gloss=label,
                meta={"sequence": d.name, "frames": len(frame_files(d)), "format": "mp_data"},
            )
        )
    if unmapped:
        log.warning(
            "%s: the signer map %s does not list %d of %d sequences (signer None)",
            root,
            smap_path,
            unmapped,
            len(entries),
        )
    extra = set(smap) - {e.id for e in entries}
    if extra:
        log.warning(
            "%s: the signer map lists %d sequences that are not in the folder (e.g. %s)",
            root,
            len(extra),
            sorted(extra)[0],
        )
    return entries
