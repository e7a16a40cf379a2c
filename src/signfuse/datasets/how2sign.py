"""How2Sign realigned sentence CSVs (``how2sign_realigned_{train,val,test}.csv``).

Tab-separated with the header ``VIDEO_ID VIDEO_NAME SENTENCE_ID SENTENCE_NAME START_REALIGNED
END_REALIGNED SENTENCE``; times are seconds in the raw video ``VIDEO_NAME``. Each entry points at the
sentence clip ``<root>/<SENTENCE_NAME>.mp4`` (How2Sign's released clips), with the raw video and the
times in ``meta``. The CSV names no signer, so ``signer`` is ``None``.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from ..errors import FormatError
from .base import Entry, read_delimited, resolve, split_from_name, to_float

__all__ = ["read_how2sign", "HOW2SIGN_COLUMNS"]

HOW2SIGN_COLUMNS = (
    "VIDEO_ID",
    "VIDEO_NAME",
    "SENTENCE_ID",
    "SENTENCE_NAME",
    "START_REALIGNED",
    "END_REALIGNED",
    "SENTENCE",
)


def read_how2sign(csv_path: str | PathLike[str], *, root: str | PathLike[str] | None = None) -> list[Entry]:
    """Entries of a How2Sign realigned CSV (one per sentence)."""
    csv_path = Path(csv_path)
    rows = read_delimited(csv_path, delimiter="\t", header=HOW2SIGN_COLUMNS)
    split = split_from_name(csv_path)
    out = []
    for i, r in enumerate(rows, start=2):
        start = to_float(r["START_REALIGNED"], what="START_REALIGNED", path=csv_path, line=i)
        end = to_float(r["END_REALIGNED"], what="END_REALIGNED", path=csv_path, line=i)
        if end < start:
            raise FormatError(f"line {i}: END_REALIGNED {end} is before START_REALIGNED {start}", path=csv_path)
        out.append(
            Entry(
                id=r["SENTENCE_NAME"],
                path=resolve(root, f"{r['SENTENCE_NAME']}.mp4"),
                signer=None,
                split=split,
                meta={
                    "video_id": r["VIDEO_ID"],
                    "video_name": r["VIDEO_NAME"],
                    "sentence_id": r["SENTENCE_ID"],
                    "sentence": r["SENTENCE"],
                    "start_s": start,
                    "end_s": end,
                    "duration_s": end - start,
                },
                domain="how2sign",
            )
        )
    return out
