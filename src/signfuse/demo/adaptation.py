"""Demo stage ``adaptation``: train on one region, test on another, without and with each adaptation
method (instance norm, AdaIN, adversarial, few-shot fine-tuning). Starts from the ``recognition`` stage's data.
"""

from __future__ import annotations

from typing import Any

from . import recognition

__all__ = ["stage", "findings", "tables", "AFTER"]

#: stages whose results this one reads (the runner starts it only after them)
AFTER = ("recognition",)


def stage(ctx) -> dict[str, Any]:
    return recognition.adaptation_stage(ctx)


def findings(s: dict[str, Any], *, quick: bool = False) -> list[dict]:
    return [dict(f, stage="adaptation") for f in recognition.findings(s, quick=quick)]


def tables(s: dict[str, Any]) -> list[dict]:
    return recognition.tables(s)
