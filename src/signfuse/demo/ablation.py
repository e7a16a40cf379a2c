"""Demo stage ``ablation``: the isolated recipe on each stream set, on held-out signers; minimal pairs
that differ only in a non-manual marker show what the face adds. Starts from the ``recognition`` stage.
"""

from __future__ import annotations

from typing import Any

from . import recognition

__all__ = ["stage", "findings", "tables", "AFTER"]

#: stages whose results this one reads (the runner starts it only after them)
AFTER = ("recognition",)


def stage(ctx) -> dict[str, Any]:
    return recognition.ablation_stage(ctx)


def findings(s: dict[str, Any], *, quick: bool = False) -> list[dict]:
    return [dict(f, stage="ablation") for f in recognition.findings(s, quick=quick)]


def tables(s: dict[str, Any]) -> list[dict]:
    return recognition.tables(s)
