"""Dataset indexes: metadata that points at landmark files or videos.

Every reader returns a list of :class:`Entry` (id, path, signer, split, gloss or gloss sequence,
frame range). :func:`open_index` detects the format of a file or folder; :func:`read_entry` reads any
entry's landmarks. The embedded synthetic corpus lives in :mod:`signfuse.datasets.synthetic` (imported
only when used).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from ..errors import DataError, FormatError, ParameterError
from .arrays import is_array_dataset, read_arrays
from .asl_signs import read_asl_signs
from .base import Entry
from .entries import read_entry
from .folders import entries_from_folder, hash_split
from .how2sign import read_how2sign
from .mp_data import is_mp_data_root, read_mp_data_root
from .phoenix import read_phoenix, read_phoenix_t
from .wlasl import read_nslt_split, read_wlasl

__all__ = [
    "Entry",
    "open_index",
    "read_entry",
    "read_mp_data_root",
    "read_arrays",
    "read_wlasl",
    "read_nslt_split",
    "read_asl_signs",
    "read_phoenix",
    "read_phoenix_t",
    "read_how2sign",
    "load_entries",
    "entries_from_folder",
    "hash_split",
]


def open_index(path: str | PathLike[str]) -> list[Entry]:
    """Read a dataset index, detecting its format from its content.

    Recognized: a WLASL v0.3 JSON list; a Kaggle ASL Signs ``train.csv``; a PHOENIX-2014 ``|`` corpus or
    RWTH XML ``.corpus``; a PHOENIX-2014T ``|`` corpus; a How2Sign tab-separated CSV; an ``.npz`` array
    dataset (``X`` and ``label``/``y``, :mod:`signfuse.datasets.arrays`); an MP_Data root folder
    (``<label>/<sequence>/<frame>.npy``, :mod:`signfuse.datasets.mp_data`, with its signer map when one
    is beside it); and a folder holding the embedded synthetic corpus (``corpus.json``).
    """
    path = Path(path)
    if path.is_dir():
        if (path / "corpus.json").exists():
            from . import synthetic  # lazy: the generator pulls in more than an index needs

            return synthetic.load_corpus(path)
        if is_mp_data_root(path):
            return read_mp_data_root(path)
        raise DataError(
            "a folder that is neither a synthetic corpus (corpus.json) nor an MP_Data root "
            "(<label>/<sequence>/0.npy ...)",
            path=path,
        )
    if not path.exists():
        raise DataError("no such file", path=path)
    if path.suffix.lower() == ".npz":
        if is_array_dataset(path):
            return read_arrays(path)
        raise FormatError("an .npz that is not an array dataset (members X and label or y)", path=path)
    from .base import read_text

    text = read_text(path)
    head = text.lstrip()[:4096]
    first = head.splitlines()[0] if head else ""
    if head.startswith("["):
        return read_wlasl(path)
    if head.startswith("{"):
        raise FormatError(
            "a JSON object: an nslt_*.json split file is not an index by itself; use read_wlasl(json, split_file=...)",
            path=path,
        )
    if head.startswith("<"):
        return read_phoenix(path)
    cols = {c.strip() for c in first.replace("\t", "|").replace(",", "|").split("|")}
    if {"VIDEO_ID", "SENTENCE_NAME"} <= cols:
        return read_how2sign(path)
    if {"name", "video", "orth"} <= cols:
        return read_phoenix_t(path)
    if {"id", "folder", "annotation"} <= cols:
        return read_phoenix(path)
    if {"path", "participant_id", "sign"} <= cols:
        return read_asl_signs(path)
    raise FormatError(f"cannot tell the dataset format from the first line {first[:120]!r}", path=path)


def load_entries(data: str | PathLike[str], *, task: str | None = None) -> list[Entry]:
    """Entries of a dataset: a folder (:func:`entries_from_folder`) or any index file ``open_index`` reads.

    With ``task`` ("isolated"/"continuous") keep only entries with a ``gloss`` / ``glosses``.
    """
    p = Path(data)
    if not p.exists():
        raise DataError("no such dataset file or folder", path=p)
    if p.is_dir():
        entries = entries_from_folder(p)
    else:
        entries = open_index(p)
    if task == "isolated":
        entries = [e for e in entries if e.gloss and not e.glosses]
    elif task == "continuous":
        entries = [e for e in entries if e.glosses]
    elif task is not None:
        raise ParameterError(f"task={task!r} must be 'isolated' or 'continuous'")
    if not entries:
        raise DataError(f"dataset has no {task or ''} entries".replace("  ", " "), path=p)
    return entries
