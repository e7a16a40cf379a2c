"""A live session's transcript: captions -> segments -> plain text, SRT subtitles or ELAN ``.eaf``.

Segments: for a continuous model, one per sentence (its last state, from its first window's start to
its last window's end); for an isolated model, one per run of consecutive *sure* captions of the same
sign ("not sure" captions are left out). A segment starts no earlier than the previous one ends
(windows overlap). ELAN goes through :func:`signfuse.io.elan.eaf_to_string` (pympi) with a ``glosses``
tier and, when the captions were translated, a ``sentences`` tier. SRT is written here: the format is
numbered blocks of ``HH:MM:SS,mmm --> HH:MM:SS,mmm`` and text, too small to need a library.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["FORMATS", "Segment", "segments", "to_eaf", "to_srt", "to_text"]

FORMATS = {"txt": "text/plain; charset=utf-8", "srt": "application/x-subrip; charset=utf-8",
           "eaf": "application/xml"}


@dataclass(frozen=True)
class Segment:
    start: float            # seconds
    end: float
    glosses: tuple[str, ...]
    text: str | None = None


def segments(captions: Iterable[Mapping[str, Any]]) -> list[Segment]:
    """Merge a session's captions (dicts as the server sends them) into transcript segments."""
    rows = list(captions)
    out: list[Segment] = []
    if any("sentence" in c for c in rows):
        groups: dict[int, list[Mapping[str, Any]]] = {}
        for c in rows:
            if c.get("sentence"):
                groups.setdefault(int(c.get("sentence_id", 0)), []).append(c)
        for sid in sorted(groups):
            g = groups[sid]
            start = g[0].get("sentence_start")
            out.append(Segment(float(g[0]["start"] if start is None else start), float(g[-1]["end"]),
                               tuple(g[-1]["sentence"]), g[-1].get("text")))
    else:
        run: list[Mapping[str, Any]] = []

        def close() -> None:
            if run:
                out.append(Segment(float(run[0]["start"]), float(run[-1]["end"]), tuple(run[0]["glosses"]),
                                   run[-1].get("text")))
            run.clear()

        for c in rows:
            if not c.get("sure") or not c.get("glosses"):
                close()
            elif run and tuple(run[0]["glosses"]) != tuple(c["glosses"]):
                close()
                run.append(c)
            else:
                run.append(c)
        close()
    fixed: list[Segment] = []
    for s in out:
        start = max(s.start, fixed[-1].end) if fixed else s.start
        if s.end > start:
            fixed.append(Segment(start, s.end, s.glosses, s.text))
    return fixed


def _clock(t: float, sep: str) -> str:
    ms = int(round(t * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_text(segs: Sequence[Segment]) -> str:
    lines = []
    for s in segs:
        line = f"[{_clock(s.start, '.')} - {_clock(s.end, '.')}] {' '.join(s.glosses)}"
        if s.text:
            line += f"  |  {s.text}"
        lines.append(line)
    return "\n".join(lines) + ("\n" if lines else "")


def to_srt(segs: Sequence[Segment]) -> str:
    blocks = []
    for i, s in enumerate(segs, 1):
        body = (s.text + "\n" if s.text else "") + " ".join(s.glosses)
        blocks.append(f"{i}\n{_clock(s.start, ',')} --> {_clock(s.end, ',')}\n{body}\n")
    return "\n".join(blocks)


def to_eaf(segs: Sequence[Segment], *, author: str = "signfuse live") -> str:
    from ..io.elan import eaf_to_string

    gl = [{"id": f"g{i}", "start_ms": int(round(s.start * 1000)), "end_ms": int(round(s.end * 1000)),
           "value": " ".join(s.glosses)} for i, s in enumerate(segs, 1)]
    tiers: list[dict[str, Any]] = [{"id": "glosses", "kind": "gloss-dom", "annotations": gl}]
    if any(s.text for s in segs):
        tiers.append({"id": "sentences", "kind": "translation",
                      "annotations": [{"id": f"s{i}", "start_ms": int(round(s.start * 1000)),
                                       "end_ms": int(round(s.end * 1000)), "value": s.text}
                                      for i, s in enumerate(segs, 1) if s.text]})
    return eaf_to_string({"tiers": tiers, "media": {}, "elan": {"author": author}})
