"""Kaggle "ASL Signs" (Isolated Sign Language Recognition): ``train.csv`` + parquet landmark files.

``train.csv`` has ``path,participant_id,sequence_id,sign``; ``sign_to_prediction_index_map.json`` maps
each sign to its class index. The competition only labels ``train``: every entry's split is ``"train"``
unless the CSV has a ``split`` column (the embedded synthetic corpus writes one), so make
signer-independent splits from ``Entry.signer``. The landmark files carry no frame rate (``fps=None``).
"""

from __future__ import annotations

import csv
from os import PathLike
from pathlib import Path

from ..errors import FormatError
from .base import Entry, normalize_split, read_delimited, read_json, resolve, to_int

__all__ = ["read_asl_signs", "ASL_SIGNS_COLUMNS"]

ASL_SIGNS_COLUMNS = ("path", "participant_id", "sequence_id", "sign")


def read_asl_signs(
    train_csv: str | PathLike[str],
    *,
    root: str | PathLike[str] | None = None,
    map_json: str | PathLike[str] | None = None,
) -> list[Entry]:
    """Entries of a Kaggle ASL Signs ``train.csv``.

    Parameters
    ----------
    train_csv:
        The CSV.
    root:
        Folder the ``path`` column is relative to (default: the CSV's folder).
    map_json:
        ``sign_to_prediction_index_map.json`` (default: next to the CSV, when present). When given,
        every sign must be in it; ``meta["label"]`` is its index.
    """
    train_csv = Path(train_csv)
    rows = read_delimited(train_csv, delimiter=",", header=ASL_SIGNS_COLUMNS, quoting=csv.QUOTE_MINIMAL)
    root = train_csv.parent if root is None else Path(root)
    if map_json is None and (train_csv.parent / "sign_to_prediction_index_map.json").exists():
        map_json = train_csv.parent / "sign_to_prediction_index_map.json"
    labels = None
    if map_json is not None:
        labels = read_json(map_json)
        if not isinstance(labels, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in labels.values()
        ):
            raise FormatError("expected a JSON object {sign: class index}", path=map_json)
    entries = []
    for i, r in enumerate(rows, start=2):
        sign = r["sign"]
        meta = {"sequence_id": to_int(r["sequence_id"], what="sequence_id", path=train_csv, line=i)}
        if labels is not None:
            if sign not in labels:
                raise FormatError(f"line {i}: sign {sign!r} is not in {Path(map_json).name}", path=train_csv)
            meta["label"] = labels[sign]
        extra = {k: v for k, v in r.items() if k not in ASL_SIGNS_COLUMNS and k != "split"}
        meta.update(extra)
        entries.append(
            Entry(
                id=str(meta["sequence_id"]),
                path=resolve(root, r["path"]),
                signer=r["participant_id"],
                split=normalize_split(r.get("split") or "train"),
                gloss=sign,
                domain=r.get("domain") or r.get("region") or None,
                meta=meta,
            )
        )
    return entries
