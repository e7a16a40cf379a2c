"""Demo stage ``continuous``: continuous (CTC) recognition of sentences by held-out signers, the encoder
started from the ``recognition`` stage's isolated model.
"""

from __future__ import annotations

from typing import Any

from . import recognition

__all__ = ["stage", "findings", "tables", "AFTER"]

#: stages whose results this one reads (the runner starts it only after them)
AFTER = ("recognition",)


def stage(ctx) -> dict[str, Any]:
    return recognition.continuous_stage(ctx)


def findings(s: dict[str, Any], *, quick: bool = False) -> list[dict]:
    return [dict(f, stage="continuous") for f in recognition.findings(s, quick=quick)]


def tables(s: dict[str, Any]) -> list[dict]:
    return recognition.tables(s)
