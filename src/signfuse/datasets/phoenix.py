"""RWTH-PHOENIX-Weather: the 2014 corpus (``id|folder|signer|annotation``), the older RWTH XML corpus
(``<corpus><recording name video><segment><speaker name/><orth>...``) and PHOENIX-2014T
(``name|video|start|end|speaker|orth|translation``).

Paths point at the frame folders (``<root>/<folder without /*.png>``); the glob pattern is kept in
``meta["frames"]``. PHOENIX is recorded at 25 fps. ``start``/``end`` of -1 mean the whole clip.
The split comes from the file name (``train``/``dev``/``test``; ``dev`` becomes ``"val"``).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from ..errors import FormatError
from .base import Entry, read_delimited, read_text, resolve, split_from_name, to_int

__all__ = ["read_phoenix", "read_phoenix_t", "PHOENIX_COLUMNS", "PHOENIX_T_COLUMNS", "PHOENIX_FPS"]

PHOENIX_COLUMNS = ("id", "folder", "signer", "annotation")
PHOENIX_T_COLUMNS = ("name", "video", "start", "end", "speaker", "orth", "translation")
PHOENIX_FPS = 25.0


def _folder(pattern: str) -> str:
    p = pattern.strip()
    for tail in ("/*.png", "/*.jpg", "*.png", "*.jpg"):
        if p.endswith(tail):
            return p[: -len(tail)].rstrip("/")
    return p


def _split_name(path: Path) -> dict:
    for part in path.name.lower().replace("-", ".").split("."):
        if part in ("train", "dev", "test"):
            return {"split_name": part}
    return {}


def _read_xml(path: Path, root) -> list[Entry]:
    import xml.etree.ElementTree as ET

    text = read_text(path)
    try:
        tree = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as e:
        raise FormatError(f"bad XML corpus: {e}", path=path) from e
    if tree.tag != "corpus":
        raise FormatError(f"XML root is <{tree.tag}>, expected <corpus>", path=path)
    split = split_from_name(path)
    corpus = tree.get("name")
    entries = []
    for rec in tree.iter("recording"):
        name, video = rec.get("name"), rec.get("video")
        if not name or not video:
            raise FormatError("a <recording> lacks its name or video attribute", path=path)
        segments = rec.findall("segment")
        for k, seg in enumerate(segments):
            spk = seg.find("speaker")
            orth = seg.find("orth")
            glosses = tuple((orth.text or "").split()) if orth is not None else ()
            meta = {"frames": video, "corpus": corpus, "segment": seg.get("name"), **_split_name(path)}
            for key in ("start", "end"):
                if seg.get(key) is not None:
                    meta[key] = seg.get(key)
            sid = name if len(segments) == 1 else f"{name}/{seg.get('name') or k}"
            entries.append(
                Entry(
                    id=sid,
                    path=resolve(root, _folder(video)),
                    signer=None if spk is None else spk.get("name"),
                    split=split,
                    glosses=glosses,
                    fps=PHOENIX_FPS,
                    domain="phoenix",
                    meta=meta,
                )
            )
    return entries


def read_phoenix(corpus_path: str | PathLike[str], *, root: str | PathLike[str] | None = None) -> list[Entry]:
    """Entries of RWTH-PHOENIX-2014 (``id|folder|signer|annotation``) or an RWTH XML ``.corpus`` file."""
    corpus_path = Path(corpus_path)
    head = read_text(corpus_path).lstrip()[:200]
    if head.startswith("<"):
        return _read_xml(corpus_path, root)
    rows = read_delimited(corpus_path, delimiter="|", header=PHOENIX_COLUMNS)
    split = split_from_name(corpus_path)
    return [
        Entry(
            id=r["id"],
            path=resolve(root, _folder(r["folder"])),
            signer=r["signer"],
            split=split,
            glosses=tuple(r["annotation"].split()),
            fps=PHOENIX_FPS,
            domain="phoenix",
            meta={"frames": r["folder"], **_split_name(corpus_path)},
        )
        for r in rows
    ]


def read_phoenix_t(csv_path: str | PathLike[str], *, root: str | PathLike[str] | None = None) -> list[Entry]:
    """Entries of PHOENIX-2014T (``name|video|start|end|speaker|orth|translation``).

    ``meta["translation"]`` holds the German sentence; ``start``/``end`` other than -1 become the frame
    range (``end`` inclusive in the file, exclusive in the entry).
    """
    csv_path = Path(csv_path)
    rows = read_delimited(csv_path, delimiter="|", header=PHOENIX_T_COLUMNS)
    split = split_from_name(csv_path)
    out = []
    for i, r in enumerate(rows, start=2):
        start = to_int(r["start"], what="start", path=csv_path, line=i)
        end = to_int(r["end"], what="end", path=csv_path, line=i)
        out.append(
            Entry(
                id=r["name"],
                path=resolve(root, _folder(r["video"])),
                signer=r["speaker"],
                split=split,
                glosses=tuple(r["orth"].split()),
                start_frame=max(start, 0),
                end_frame=None if end < 0 else end + 1,
                fps=PHOENIX_FPS,
                domain="phoenix",
                meta={"frames": r["video"], "translation": r["translation"], **_split_name(csv_path)},
            )
        )
    return out
