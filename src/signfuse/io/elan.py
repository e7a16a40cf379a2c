"""ELAN ``.eaf`` (EAF 3.0) reading and writing, to and from signfuse annotation documents.

Parsing and serialization go through pympi-ling (:mod:`pympi.Elan`); this module maps its structures
onto the signfuse annotation JSON (schema version 1, documented in :mod:`signfuse.annotate.schema`)
as a plain ``dict``, so :mod:`signfuse.io` does not depend on the web tool. Everything ELAN-specific
that the signfuse tiers do not model (linguistic types, controlled vocabularies, languages, locales,
constraints, external references, licences, header properties, media descriptors, unaligned time
slots, reference annotations and their order) is kept under the document's ``"elan"`` key or on the
annotations (``ref``, ``previous``, ``start_slot``/``end_slot``), so that import followed by export
keeps every tier, annotation value and time value. Signfuse's own tier kinds, tier vocabularies and
document status travel inside the ``.eaf`` as ``PROPERTY`` elements named ``signfuse:*``.

Known limits (pympi's): per-annotation ``EXT_REF``/``CVE_REF`` attributes are not kept.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any

from ..errors import DataError, DependencyError, FormatError
from ._atomic import atomic_path

__all__ = ["read_eaf", "write_eaf", "eaf_to_string"]

log = logging.getLogger(__name__)

_DEFAULT_KINDS = {"gloss-dom": "gloss_dominant", "gloss-nondom": "gloss_nondominant", "nonmanual": "nonmanual",
                  "au": "au", "translation": "translation", "notes": "notes"}
_PROP_TIERS = "signfuse:tiers"
_PROP_STATUS = "signfuse:status"
_PROP_MEDIA = "signfuse:media"
_TS_RE = re.compile(r"^ts(\d+)$")
_CONSTRAINTS = {
    "Time_Subdivision": "Time subdivision of parent annotation's time interval, no time gaps allowed within "
                        "this interval",
    "Symbolic_Subdivision": "Symbolic subdivision of a parent annotation. Annotations refering to the same "
                            "parent are ordered",
    "Symbolic_Association": "1-1 association with a parent annotation",
    "Included_In": "Time alignable annotations within the parent annotation's time interval, gaps are allowed",
}


def _mime_for(url: str) -> str:
    import mimetypes

    ext = url.rsplit(".", 1)[-1].lower() if "." in url else ""
    known = {"mp4": "video/mp4", "m4v": "video/mp4", "webm": "video/webm", "mov": "video/quicktime",
             "mkv": "video/x-matroska", "avi": "video/x-msvideo", "wav": "audio/x-wav", "mpg": "video/mpeg",
             "mpeg": "video/mpeg", "ogv": "video/ogg"}
    return known.get(ext) or mimetypes.guess_type(url)[0] or "unknown"


def _pympi() -> Any:
    try:
        import pympi.Elan as Elan
    except ImportError as e:  # pragma: no cover - a declared dependency
        raise DependencyError("pympi-ling", purpose="ELAN .eaf files") from e
    return Elan


def read_eaf(path: str | PathLike[str]) -> dict[str, Any]:
    """Read an ELAN ``.eaf`` file into a signfuse annotation document (a JSON-able ``dict``).

    Tiers keep their ELAN order, ids, parents and attributes; aligned annotations get ``start_ms`` /
    ``end_ms`` (``None`` for unaligned time slots) and their slot ids; reference annotations get
    ``ref`` and ``previous``. Controlled vocabularies become ``vocabularies`` (first value of each entry)
    and are also kept whole under ``elan``.
    """
    import warnings
    import xml.etree.ElementTree as ET

    Elan = _pympi()
    p = Path(path)
    if not p.is_file():
        raise DataError("no such ELAN file", path=p)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            eaf = Elan.Eaf(str(p))
    except (ET.ParseError, KeyError, ValueError) as e:
        raise FormatError(f"not a readable ELAN file ({e})", path=p) from e
    except Exception as e:  # pympi raises a bare Exception on XML errors
        if "parse eaf" in str(e):
            raise FormatError("not a readable ELAN file (XML parse error)", path=p) from e
        raise
    if eaf.header.get("TIME_UNITS", "milliseconds") != "milliseconds":
        raise FormatError(f"TIME_UNITS={eaf.header.get('TIME_UNITS')!r} is not supported (only milliseconds)",
                          path=p)

    props = [(k, v) for k, v in eaf.properties]
    sf_props = {k: v for k, v in props if k.startswith("signfuse:")}
    tier_meta: dict[str, dict[str, Any]] = {}
    if _PROP_TIERS in sf_props:
        try:
            tier_meta = json.loads(sf_props[_PROP_TIERS] or "{}")
        except json.JSONDecodeError:
            log.warning("%s: ignoring malformed %s property", p, _PROP_TIERS)

    ts = eaf.timeslots
    tiers: list[dict[str, Any]] = []
    for tier_id, (aligned, refs, attrib, _ordinal) in sorted(eaf.tiers.items(), key=lambda kv: kv[1][3]):
        attrib = dict(attrib)
        lt = attrib.pop("LINGUISTIC_TYPE_REF", "default-lt")
        parent = attrib.pop("PARENT_REF", None)
        attrib.pop("TIER_ID", None)
        anns: list[dict[str, Any]] = []
        for aid, (s, end, value, svg) in aligned.items():
            a = {"id": aid, "start_ms": ts.get(s), "end_ms": ts.get(end), "value": value or "",
                 "start_slot": s, "end_slot": end}
            if svg:
                a["svg_ref"] = svg
            anns.append(a)
        for aid, (ref, value, prev, svg) in refs.items():
            a = {"id": aid, "ref": ref, "value": value or ""}
            if prev:
                a["previous"] = prev
            if svg:
                a["svg_ref"] = svg
            anns.append(a)
        meta = tier_meta.get(tier_id, {})
        cv = eaf.linguistic_types.get(lt, {}).get("CONTROLLED_VOCABULARY_REF")
        tiers.append({"id": tier_id, "kind": meta.get("kind", _DEFAULT_KINDS.get(tier_id, "other")),
                      "parent": parent, "linguistic_type": lt,
                      "vocabulary": meta.get("vocabulary", cv), "attributes": attrib, "annotations": anns})

    vocabularies: dict[str, list[str]] = {}
    cvs_json: dict[str, Any] = {}
    for cv_id, (descriptions, entries, ext_ref) in eaf.controlled_vocabularies.items():
        values = []
        for _cve_id, (vals, _ext) in entries.items():
            if vals and vals[0][0] is not None:
                values.append(vals[0][0])
        vocabularies[cv_id] = values
        cvs_json[cv_id] = {
            "descriptions": [[lang, d] for lang, d in descriptions],
            "entries": [{"id": cve_id, "ext_ref": ext, "values": [[v, lang, d] for v, lang, d in vals]}
                        for cve_id, (vals, ext) in entries.items()],
            "ext_ref": ext_ref,
        }

    media: dict[str, Any] = {}
    if eaf.media_descriptors:
        md = eaf.media_descriptors[0]
        media = {"path": md.get("RELATIVE_MEDIA_URL") or md.get("MEDIA_URL"), "mime": md.get("MIME_TYPE")}
    if _PROP_MEDIA in sf_props:
        try:
            media.update(json.loads(sf_props[_PROP_MEDIA] or "{}"))
        except json.JSONDecodeError:
            pass
    adoc = dict(eaf.adocument)
    elan = {
        "author": adoc.get("AUTHOR", ""),
        "date": adoc.get("DATE"),
        "header": dict(eaf.header),
        "licenses": [[text, url] for text, url in eaf.licenses],
        "media_descriptors": [dict(m) for m in eaf.media_descriptors],
        "linked_file_descriptors": [dict(m) for m in eaf.linked_file_descriptors],
        "properties": [[k, v] for k, v in props if not k.startswith("signfuse:")],
        "linguistic_types": {k: dict(v) for k, v in eaf.linguistic_types.items()},
        "controlled_vocabularies": cvs_json,
        "languages": {k: [d, lab] for k, (d, lab) in eaf.languages.items()},
        "locales": {k: [c, v] for k, (c, v) in eaf.locales.items()},
        "constraints": dict(eaf.constraints),
        "external_refs": {k: [t, v] for k, (t, v) in eaf.external_refs.items()},
        "lexicon_refs": {k: dict(v) for k, v in eaf.lexicon_refs.items()},
    }
    status = sf_props.get(_PROP_STATUS) or "todo"
    return {"schema": "signfuse.annotations", "version": 1, "revision": 0,
            "status": status if status in ("todo", "in_progress", "done") else "todo",
            "media": {k: media.get(k) for k in ("path", "duration_ms", "fps", "mime") if media.get(k) is not None},
            "tiers": tiers, "vocabularies": vocabularies, "elan": elan}


def _build_eaf(doc: Mapping[str, Any], *, media_base: Path | None) -> Any:
    Elan = _pympi()
    eaf = Elan.Eaf()
    elan: Mapping[str, Any] = doc.get("elan") or {}
    ctz = time.strftime("%z")
    eaf.adocument = {
        "AUTHOR": elan.get("author", "signfuse") or "",
        "DATE": elan.get("date") or time.strftime("%Y-%m-%dT%H:%M:%S") + f"{ctz[:3]}:{ctz[3:]}",
        "FORMAT": "3.0", "VERSION": "3.0",
        "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
        "xsi:noNamespaceSchemaLocation": "http://www.mpi.nl/tools/elan/EAFv3.0.xsd",
    }
    eaf.licenses = [(t, u) for t, u in elan.get("licenses", [])]
    eaf.header = dict(elan.get("header") or {"MEDIA_FILE": "", "TIME_UNITS": "milliseconds"})
    eaf.header["TIME_UNITS"] = "milliseconds"
    eaf.header.setdefault("MEDIA_FILE", "")
    media = doc.get("media") or {}
    if elan.get("media_descriptors") is not None:
        eaf.media_descriptors = [dict(m) for m in elan["media_descriptors"]]
    elif media.get("path"):
        mpath = str(media["path"])
        if "://" in mpath:
            eaf.media_descriptors = [{"MEDIA_URL": mpath, "MIME_TYPE": media.get("mime")}]
        else:
            absolute = ((media_base or Path.cwd()) / mpath).resolve()
            eaf.media_descriptors = [{"MEDIA_URL": absolute.as_uri(), "MIME_TYPE": media.get("mime"),
                                      "RELATIVE_MEDIA_URL": "./" + Path(mpath).as_posix()}]
    eaf.media_descriptors = [{k: v for k, v in m.items() if v is not None} for m in eaf.media_descriptors]
    for m in eaf.media_descriptors:  # MIME_TYPE is required by the schema
        if not m.get("MIME_TYPE"):
            m["MIME_TYPE"] = _mime_for(m.get("MEDIA_URL", ""))
    eaf.linked_file_descriptors = [dict(m) for m in elan.get("linked_file_descriptors", [])]
    props = [(k, v) for k, v in elan.get("properties", []) if not str(k).startswith("signfuse:")]
    tiers = list(doc.get("tiers") or [])
    props.append((_PROP_TIERS, json.dumps({t["id"]: {"kind": t.get("kind", "other"), "vocabulary": t.get("vocabulary")}
                                           for t in tiers}, separators=(",", ":"))))
    props.append((_PROP_STATUS, doc.get("status", "todo")))
    m_extra = {k: media[k] for k in ("duration_ms", "fps") if media.get(k) is not None}
    if m_extra:
        props.append((_PROP_MEDIA, json.dumps(m_extra)))
    eaf.properties = props

    # Time slots: keep the document's slot ids where they are consistent (unedited ELAN imports keep
    # their shared and unaligned slots); otherwise allocate new ``ts<N>`` ids.
    slots: dict[str, int | None] = {}
    used_numbers = [int(m.group(1)) for t in tiers for a in t.get("annotations", [])
                    for s in (a.get("start_slot"), a.get("end_slot")) if s and (m := _TS_RE.match(s))]
    next_ts = max(used_numbers, default=0) + 1

    def slot_for(wanted: str | None, value: int | None) -> str:
        nonlocal next_ts
        if wanted and _TS_RE.match(wanted):
            if wanted not in slots:
                slots[wanted] = value
                return wanted
            if slots[wanted] == value and value is not None:
                return wanted
            if slots[wanted] is None and value is None:
                return wanted
        sid = f"ts{next_ts}"
        next_ts += 1
        slots[sid] = value
        return sid

    eaf.tiers = {}
    eaf.annotations = {}
    lts: dict[str, dict[str, str]] = {k: dict(v) for k, v in (elan.get("linguistic_types") or {}).items()}
    cvs: dict[str, Any] = {}
    for cv_id, cv in (elan.get("controlled_vocabularies") or {}).items():
        entries = {e["id"]: ([tuple(v) for v in e["values"]], e.get("ext_ref")) for e in cv.get("entries", [])}
        cvs[cv_id] = ([tuple(d) for d in cv.get("descriptions", [])], entries, cv.get("ext_ref"))
    languages = {k: tuple(v) for k, v in (elan.get("languages") or {}).items()}
    vocabularies: Mapping[str, list[str]] = doc.get("vocabularies") or {}

    for ordinal, t in enumerate(tiers):
        aligned: dict[str, tuple] = {}
        refs: dict[str, tuple] = {}
        for a in t.get("annotations", []):
            if a.get("ref"):
                refs[a["id"]] = (a["ref"], a.get("value", ""), a.get("previous"), a.get("svg_ref"))
            else:
                s = slot_for(a.get("start_slot"), a.get("start_ms"))
                e = slot_for(a.get("end_slot"), a.get("end_ms"))
                aligned[a["id"]] = (s, e, a.get("value", ""), a.get("svg_ref"))
            eaf.annotations[a["id"]] = t["id"]
        attrib = {k: str(v) for k, v in (t.get("attributes") or {}).items()}
        lt = t.get("linguistic_type") or "default-lt"
        attrib.update({"TIER_ID": t["id"], "LINGUISTIC_TYPE_REF": lt})
        if t.get("parent"):
            attrib["PARENT_REF"] = t["parent"]
        eaf.tiers[t["id"]] = (aligned, refs, attrib, ordinal)
        if lt not in lts:
            lts[lt] = {"LINGUISTIC_TYPE_ID": lt, "TIME_ALIGNABLE": "false" if refs else "true",
                       "GRAPHIC_REFERENCES": "false"}
        vocab = t.get("vocabulary")
        if vocab and vocab not in cvs and vocabularies.get(vocab):
            languages.setdefault("und", ("http://cdb.iso.org/lg/CDB-00130975-001", "undetermined (und)"))
            cvs[vocab] = ([("und", f"signfuse vocabulary {vocab}")],
                          {f"cveid{i}": ([(v, "und", None)], None) for i, v in enumerate(vocabularies[vocab])},
                          None)
        if vocab and vocab in cvs and "CONTROLLED_VOCABULARY_REF" not in lts[lt]:
            lts[lt]["CONTROLLED_VOCABULARY_REF"] = vocab
    eaf.timeslots = slots
    eaf.linguistic_types = lts
    eaf.controlled_vocabularies = cvs
    eaf.languages = languages
    eaf.locales = {k: tuple(v) for k, v in (elan.get("locales") or {}).items()}
    constraints = dict(elan.get("constraints") or _CONSTRAINTS)
    eaf.constraints = constraints
    eaf.external_refs = {k: tuple(v) for k, v in (elan.get("external_refs") or {}).items()}
    eaf.lexicon_refs = {k: dict(v) for k, v in (elan.get("lexicon_refs") or {}).items()}
    return eaf


def eaf_to_string(doc: Mapping[str, Any], *, media_base: str | PathLike[str] | None = None) -> str:
    """Serialize a signfuse annotation document (a ``dict`` in the JSON form) as EAF 3.0 XML text."""
    Elan = _pympi()
    eaf = _build_eaf(doc, media_base=None if media_base is None else Path(media_base))
    body = Elan.to_string(eaf, pretty=True, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def write_eaf(doc: Mapping[str, Any], path: str | PathLike[str], *,
              media_base: str | PathLike[str] | None = None) -> Path:
    """Write a signfuse annotation document as an ELAN ``.eaf`` 3.0 file (atomically).

    ``media_base`` is the folder that a relative ``media.path`` is relative to (default: the folder of
    ``path``); it is used to write ELAN's absolute ``MEDIA_URL`` next to the relative one.
    """
    p = Path(path)
    text = eaf_to_string(doc, media_base=media_base if media_base is not None else p.parent)
    with atomic_path(p) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return p
