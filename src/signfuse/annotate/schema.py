"""The signfuse annotation JSON schema (version 1), validated with pydantic.

A document is one JSON object per video, stored beside it as ``<video stem>.annotations.json``::

    {
      "schema": "signfuse.annotations",      # constant: identifies the file
      "version": 1,                           # schema version; readers reject versions they do not know
      "revision": 7,                          # save counter kept by the server (0 = never saved)
      "status": "in_progress",                # "todo" | "in_progress" | "done"
      "media": {"path": "clip.mp4",           # relative to the document's folder (or a URL from ELAN)
                "duration_ms": 61234, "fps": 25.0, "mime": "video/mp4"},
      "tiers": [
        {"id": "gloss-dom",                   # unique tier id (ELAN TIER_ID)
         "kind": "gloss_dominant",            # see TIER_KINDS
         "parent": null,                      # parent tier id (ELAN PARENT_REF)
         "linguistic_type": "gloss",          # ELAN LINGUISTIC_TYPE_REF
         "vocabulary": "gloss",               # key into "vocabularies" (a controlled vocabulary) or null
         "attributes": {},                    # other ELAN tier attributes (LANG_REF, PARTICIPANT, ...)
         "annotations": [
            {"id": "a12", "start_ms": 1200, "end_ms": 1640, "value": "HOUSE"},
            # a reference annotation (ELAN REF_ANNOTATION) has "ref" (the annotated parent annotation
            # id) and optionally "previous" (symbolic subdivision order) instead of times
            {"id": "a13", "ref": "a12", "value": "n"}
         ]}
      ],
      "vocabularies": {"gloss": ["HOUSE", ...], "au": ["AU01", ...], "nonmanual": ["brow raise", ...]},
      "elan": {...}                           # ELAN header data kept for loss-free round trips, or null
    }

Times are integer milliseconds (ELAN's unit). An aligned annotation has ``start_ms <= end_ms``; either
may be ``null`` for ELAN's unaligned time slots, whose ids are kept in ``start_slot``/``end_slot`` so
that chains of time-subdivision annotations keep sharing slots. Values of ``kind == "au"`` tiers are
action units written ``AU<number>[<intensity A-E>]`` (``AU12C``), optionally prefixed ``L``/``R`` for
a side (``RAU12B``). The default tier set (:func:`default_document`) is: gloss of the dominant hand,
gloss of the non-dominant hand, non-manual (brow raise, furrow, head shake, nod, mouth), action units,
translation and free notes.

Bounds (what the server accepts): at most 64 tiers, 200,000 annotations in all, 10,000 characters per
value, ids of at most 128 characters.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "SCHEMA_NAME", "SCHEMA_VERSION", "TIER_KINDS", "AU_CODES", "AU_NAMES", "INTENSITIES", "NONMANUAL_VALUES",
    "Annotation", "Tier", "Media", "AnnotationDocument", "default_document", "default_tiers", "AU_VALUE_RE",
    "MAX_ANNOTATIONS", "MAX_TIERS", "MAX_VALUE_CHARS", "SaveRequest",
]

SCHEMA_NAME = "signfuse.annotations"
SCHEMA_VERSION = 1
MAX_TIERS = 64
MAX_ANNOTATIONS = 200_000
MAX_VALUE_CHARS = 10_000

TIER_KINDS = ("gloss_dominant", "gloss_nondominant", "nonmanual", "au", "translation", "notes", "other")

# FACS action units (number -> name), the controlled vocabulary of the action-unit tier.
AU_NAMES: dict[int, str] = {
    1: "inner brow raiser", 2: "outer brow raiser", 4: "brow lowerer", 5: "upper lid raiser",
    6: "cheek raiser", 7: "lid tightener", 9: "nose wrinkler", 10: "upper lip raiser",
    12: "lip corner puller", 14: "dimpler", 15: "lip corner depressor", 17: "chin raiser",
    18: "lip pucker", 20: "lip stretcher", 23: "lip tightener", 24: "lip pressor", 25: "lips part",
    26: "jaw drop", 27: "mouth stretch", 28: "lip suck", 33: "cheek blow", 34: "cheek puff",
    43: "eyes closed", 45: "blink", 51: "head turn left", 52: "head turn right", 53: "head up",
    54: "head down", 55: "head tilt left", 56: "head tilt right",
}
AU_CODES: tuple[str, ...] = tuple(f"AU{n:02d}" for n in AU_NAMES)
INTENSITIES = ("A", "B", "C", "D", "E")
NONMANUAL_VALUES = ("brow raise", "brow furrow", "head shake", "head nod", "mouth", "blink", "eye gaze")
AU_VALUE_RE = re.compile(r"^[LR]?AU(\d{1,2})([A-E])?$")

_ID_RE = r"^[A-Za-z_][A-Za-z0-9_.\-]{0,127}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Annotation(_Model):
    """One annotation: aligned (times) or a reference to a parent annotation (``ref``)."""

    id: str = Field(pattern=_ID_RE)
    start_ms: int | None = Field(default=None, ge=0, le=10**10)
    end_ms: int | None = Field(default=None, ge=0, le=10**10)
    value: str = Field(default="", max_length=MAX_VALUE_CHARS)
    ref: str | None = Field(default=None, pattern=_ID_RE)
    previous: str | None = Field(default=None, pattern=_ID_RE)
    start_slot: str | None = Field(default=None, max_length=128)
    end_slot: str | None = Field(default=None, max_length=128)
    ext_ref: str | None = Field(default=None, max_length=1000)
    svg_ref: str | None = Field(default=None, max_length=1000)
    source: str | None = Field(default=None, max_length=200, description="e.g. 'suggestion:face' when accepted")

    def check(self) -> None:
        """Times are ordered; a reference annotation has no times. (Called by the document validator:
        one Python loop over all annotations is much faster than a validator per annotation.)"""
        if self.ref is None:
            if self.start_ms is not None and self.end_ms is not None and self.end_ms < self.start_ms:
                raise ValueError(f"annotation {self.id}: end_ms={self.end_ms} is before start_ms={self.start_ms}")
        elif self.start_ms is not None or self.end_ms is not None:
            raise ValueError(f"annotation {self.id}: a reference annotation (ref={self.ref}) has no times")


class Tier(_Model):
    id: str = Field(min_length=1, max_length=200)
    kind: Literal[TIER_KINDS] = "other"  # type: ignore[valid-type]
    parent: str | None = Field(default=None, max_length=200)
    linguistic_type: str = Field(default="default-lt", min_length=1, max_length=200)
    vocabulary: str | None = Field(default=None, max_length=200)
    attributes: dict[str, str] = Field(default_factory=dict)
    annotations: list[Annotation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_annotations(self) -> "Tier":
        au = self.kind == "au"
        for a in self.annotations:
            s, e = a.start_ms, a.end_ms
            if a.ref is None:
                if s is not None and e is not None and e < s:
                    a.check()  # raises with the message
            elif s is not None or e is not None:
                a.check()
            if au and a.value and not AU_VALUE_RE.match(a.value):
                raise ValueError(f"tier {self.id}: action-unit value {a.value!r} is not like 'AU12' or "
                                 f"'AU12C' (number and intensity A-E)")
        return self


class Media(_Model):
    path: str | None = Field(default=None, max_length=4096)
    duration_ms: int | None = Field(default=None, ge=0)
    fps: float | None = Field(default=None, gt=0, le=1000)
    mime: str | None = Field(default=None, max_length=200)


class AnnotationDocument(_Model):
    """A whole annotation document (see the module docstring for the format)."""

    schema_: Literal["signfuse.annotations"] = Field(default=SCHEMA_NAME, alias="schema")
    version: Literal[1] = SCHEMA_VERSION
    revision: int = Field(default=0, ge=0)
    status: Literal["todo", "in_progress", "done"] = "todo"
    media: Media = Field(default_factory=Media)
    tiers: list[Tier] = Field(default_factory=list, max_length=MAX_TIERS)
    vocabularies: dict[str, list[str]] = Field(default_factory=dict)
    elan: dict[str, Any] | None = None

    @field_validator("vocabularies")
    @classmethod
    def _vocab_bounds(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        if len(v) > 256 or any(len(x) > 100_000 for x in v.values()):
            raise ValueError("too many vocabularies or vocabulary entries")
        return v

    @model_validator(mode="after")
    def _consistency(self) -> "AnnotationDocument":
        ids = [t.id for t in self.tiers]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate tier ids: {sorted({i for i in ids if ids.count(i) > 1})}")
        tier_ids = set(ids)
        n = 0
        seen: set[str] = set()
        parents = {t.id: t.parent for t in self.tiers}
        for t in self.tiers:
            if t.parent is not None and t.parent not in tier_ids:
                raise ValueError(f"tier {t.id}: parent tier {t.parent!r} does not exist")
            p, hops = t.parent, 0
            while p is not None:
                if p == t.id or hops > len(parents):
                    raise ValueError(f"tier {t.id}: its parent chain is a cycle")
                p, hops = parents.get(p), hops + 1
            n += len(t.annotations)
            for a in t.annotations:
                if a.id in seen:
                    raise ValueError(f"duplicate annotation id {a.id!r}")
                seen.add(a.id)
        if n > MAX_ANNOTATIONS:
            raise ValueError(f"{n} annotations is more than the limit of {MAX_ANNOTATIONS}")
        return self

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON form (``schema`` key, unset optional annotation fields dropped)."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")

    def tier(self, tier_id: str) -> Tier:
        for t in self.tiers:
            if t.id == tier_id:
                return t
        raise KeyError(tier_id)

    @property
    def n_annotations(self) -> int:
        return sum(len(t.annotations) for t in self.tiers)


class SaveRequest(_Model):
    """Body of a save: the document and the revision it was edited from."""

    base_revision: int = Field(ge=0)
    document: AnnotationDocument


def default_tiers() -> list[Tier]:
    """The signfuse tier set: two gloss tiers, non-manual, action units, translation, notes."""
    return [
        Tier(id="gloss-dom", kind="gloss_dominant", linguistic_type="gloss", vocabulary="gloss"),
        Tier(id="gloss-nondom", kind="gloss_nondominant", linguistic_type="gloss", vocabulary="gloss"),
        Tier(id="nonmanual", kind="nonmanual", linguistic_type="nonmanual", vocabulary="nonmanual"),
        Tier(id="au", kind="au", linguistic_type="action-unit", vocabulary="au"),
        Tier(id="translation", kind="translation", linguistic_type="translation"),
        Tier(id="notes", kind="notes", linguistic_type="notes"),
    ]


def default_document(*, media_path: str | None = None, duration_ms: int | None = None, fps: float | None = None,
                     gloss_vocabulary: list[str] | None = None) -> AnnotationDocument:
    """An empty document with the default tiers and vocabularies (gloss list, AU list, non-manuals)."""
    return AnnotationDocument(
        media=Media(path=media_path, duration_ms=duration_ms, fps=fps),
        tiers=default_tiers(),
        vocabularies={
            "gloss": list(gloss_vocabulary or []),
            "au": [f"{c}{i}" for c in AU_CODES for i in ("",) + INTENSITIES],
            "nonmanual": list(NONMANUAL_VALUES),
        },
    )
