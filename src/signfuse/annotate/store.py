"""Files of the annotation tool: safe paths under ROOT, versioned atomic saves, three-way merge.

Layout (beside each video)::

    ROOT/some/clip.mp4
    ROOT/some/clip.annotations.json                       # the current document (schema v1)
    ROOT/some/.signfuse-revisions/clip.r000006.json       # earlier revisions, kept as backups

A save names the revision it was based on. When that is not the current revision (another tab or
another person saved in between), :meth:`AnnotationStore.save` raises :class:`RevisionConflict`
carrying the current document; :meth:`AnnotationStore.merge_and_save` then merges the edits three-way
(base = the backup of the revision the client started from) so that no edit is lost.

Saving is atomic: the new text goes to a temporary file in the same folder and replaces the current
file with :func:`os.replace`; the previous file is first hard-linked (copied where links are not
possible) into the revisions folder, so a backup costs no extra write.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any, Iterator

from ..errors import DataError, ParameterError, SignfuseError
from .schema import Annotation, AnnotationDocument, Tier, default_document

__all__ = [
    "VIDEO_EXTENSIONS", "ANNOTATION_SUFFIX", "REVISIONS_DIR", "UnsafePathError", "RevisionConflict",
    "resolve_under", "iter_videos", "annotation_path", "AnnotationStore", "merge_documents", "probe_video",
]

log = logging.getLogger(__name__)

VIDEO_EXTENSIONS = frozenset({".mp4", ".m4v", ".webm", ".mov", ".mkv", ".ogv", ".ogg", ".avi"})
ANNOTATION_SUFFIX = ".annotations.json"
REVISIONS_DIR = ".signfuse-revisions"
MAX_PATH_CHARS = 4096
_REV_RE = re.compile(r"\.r(\d{6,})\.json$")


class UnsafePathError(ParameterError):
    """A requested path is not a plain relative path to a file under ROOT."""


class RevisionConflict(SignfuseError):
    """A save was based on ``base_revision`` but the file is at ``current.revision``."""

    def __init__(self, *, base_revision: int, current: AnnotationDocument) -> None:
        self.base_revision = base_revision
        self.current = current
        super().__init__(f"save based on revision {base_revision}, but the file is at revision {current.revision}")


def resolve_under(root: str | PathLike[str], rel: str) -> Path:
    """Resolve ``rel`` (a ``/``-separated relative path) to a path inside ``root``, or raise.

    Rejected: empty paths, absolute paths (``/x``, ``C:\\x``, ``\\\\server``), any ``..`` or empty
    component, backslashes, NUL and control characters, ``%`` (so percent-encoded traversal that a
    proxy decodes twice cannot slip through), hidden components (``.git``, the revisions folder) and
    any path whose real location (after following symlinks) is outside the real ``root``.
    """
    if not isinstance(rel, str) or not rel or len(rel) > MAX_PATH_CHARS:
        raise UnsafePathError("path must be a non-empty relative path")
    if any(unicodedata.category(c) == "Cc" for c in rel) or "\\" in rel or "%" in rel:
        raise UnsafePathError(f"path {rel!r} holds a forbidden character")
    if rel.startswith("/") or re.match(r"^[A-Za-z]:", rel):
        raise UnsafePathError(f"path {rel!r} is absolute; give a path relative to ROOT")
    parts = rel.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise UnsafePathError(f"path {rel!r} has an empty, '.' or '..' component")
        if part.startswith("."):
            raise UnsafePathError(f"path {rel!r} names a hidden file or folder")
    root_real = Path(os.path.realpath(root))
    target = Path(os.path.realpath(root_real.joinpath(*parts)))
    if target != root_real and root_real not in target.parents:
        raise UnsafePathError(f"path {rel!r} leads outside ROOT")
    return target


def iter_videos(root: str | PathLike[str], *, limit: int = 20_000) -> Iterator[Path]:
    """Video files under ``root`` (sorted, hidden folders skipped, symlinks leaving ROOT skipped)."""
    root_real = Path(os.path.realpath(root))
    n = 0
    for dirpath, dirnames, filenames in os.walk(root_real, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or Path(name).suffix.lower() not in VIDEO_EXTENSIONS:
                continue
            p = Path(dirpath) / name
            real = Path(os.path.realpath(p))
            if root_real not in real.parents or not real.is_file():
                continue
            yield p
            n += 1
            if n >= limit:
                log.warning("more than %d videos under %s; listing the first %d", limit, root, limit)
                return


def annotation_path(video: Path) -> Path:
    """``clip.mp4`` -> ``clip.annotations.json`` beside it."""
    return video.with_name(video.stem + ANNOTATION_SUFFIX)


def _revision_path(doc_path: Path, revision: int) -> Path:
    stem = doc_path.name[: -len(ANNOTATION_SUFFIX)]
    return doc_path.parent / REVISIONS_DIR / f"{stem}.r{revision:06d}.json"


def probe_video(path: Path) -> dict[str, Any]:
    """Frame rate, duration (ms), frame count and size of a video, read with PyAV (``{}`` on failure)."""
    try:
        import av
    except ImportError:  # pragma: no cover - a declared dependency
        return {}
    try:
        with av.open(str(path)) as c:
            if not c.streams.video:
                return {}
            s = c.streams.video[0]
            fps = float(s.average_rate) if s.average_rate else (float(s.guessed_rate) if s.guessed_rate else None)
            if s.duration is not None and s.time_base is not None:
                dur = float(s.duration * s.time_base)
            elif c.duration is not None:
                dur = c.duration / 1_000_000
            else:
                dur = None
            frames = s.frames or (round(dur * fps) if dur and fps else None)
            return {"fps": fps, "duration_ms": None if dur is None else int(round(dur * 1000)),
                    "frames": frames, "width": s.codec_context.width, "height": s.codec_context.height,
                    "codec": s.codec_context.name}
    except Exception as e:  # noqa: BLE001 - any decoder error means "unknown"
        log.info("could not probe %s: %s", path, e)
        return {}


@dataclass
class _Cached:
    key: tuple[int, int]
    doc: AnnotationDocument


class AnnotationStore:
    """Load and save annotation documents of the videos under ``root``.

    Parameters
    ----------
    root:
        The folder being annotated.
    keep_revisions:
        How many earlier revisions to keep per video (older backups are deleted).
    durable:
        ``fsync`` each save before the rename (slower; protects against power loss, not only crashes).
    gloss_vocabulary:
        Gloss list used for new documents (the ``gloss`` controlled vocabulary).
    """

    def __init__(self, root: str | PathLike[str], *, keep_revisions: int = 200, durable: bool = False,
                 gloss_vocabulary: list[str] | None = None) -> None:
        r = Path(root)
        if not r.is_dir():
            raise ParameterError(f"ROOT {r} does not exist or is not a folder")
        if keep_revisions < 1:
            raise ParameterError(f"keep_revisions={keep_revisions} must be at least 1")
        self.root = Path(os.path.realpath(r))
        self.keep_revisions = int(keep_revisions)
        self.durable = bool(durable)
        self.gloss_vocabulary = list(gloss_vocabulary or [])
        self._lock = threading.RLock()
        self._cache: dict[Path, _Cached] = {}
        self._probe: dict[Path, tuple[tuple[int, int], dict[str, Any]]] = {}

    # ---------------------------------------------------------------- paths
    def video(self, rel: str) -> Path:
        """The video file for the relative path ``rel`` (validated)."""
        p = resolve_under(self.root, rel)
        if p.suffix.lower() not in VIDEO_EXTENSIONS:
            raise UnsafePathError(f"{rel!r} is not a video file ({', '.join(sorted(VIDEO_EXTENSIONS))})")
        if not p.is_file():
            raise DataError("no such video", path=rel)
        return p

    def rel(self, p: Path) -> str:
        return Path(os.path.realpath(p)).relative_to(self.root).as_posix() if p.is_absolute() else p.as_posix()

    def video_info(self, video: Path) -> dict[str, Any]:
        st = video.stat()
        key = (st.st_mtime_ns, st.st_size)
        hit = self._probe.get(video)
        if hit and hit[0] == key:
            return hit[1]
        info = probe_video(video)
        self._probe[video] = (key, info)
        return info

    # ---------------------------------------------------------------- reading
    def _read(self, doc_path: Path) -> AnnotationDocument | None:
        try:
            st = doc_path.stat()
        except FileNotFoundError:
            return None
        key = (st.st_mtime_ns, st.st_size)
        hit = self._cache.get(doc_path)
        if hit and hit.key == key:
            return hit.doc
        try:
            doc = AnnotationDocument.model_validate_json(doc_path.read_bytes())
        except ValueError as e:
            raise DataError(f"not a valid signfuse annotation file: {e}", path=doc_path) from e
        self._cache[doc_path] = _Cached(key, doc)
        return doc

    def load(self, rel: str) -> AnnotationDocument:
        """The current document of video ``rel`` (a new default document, revision 0, when none exists)."""
        video = self.video(rel)
        with self._lock:
            doc = self._read(annotation_path(video))
        if doc is not None:
            if self.gloss_vocabulary and not doc.vocabularies.get("gloss"):
                vocab = {**doc.vocabularies, "gloss": list(self.gloss_vocabulary)}
                doc = doc.model_copy(update={"vocabularies": vocab})
            return doc
        info = self.video_info(video)
        d = default_document(media_path=video.name, duration_ms=info.get("duration_ms"), fps=info.get("fps"),
                             gloss_vocabulary=self.gloss_vocabulary)
        return d

    def summary(self, video: Path) -> dict[str, Any]:
        """One row of the video list: path, annotation count, revision, status, sidecar files."""
        rel = self.rel(video)
        try:
            with self._lock:
                doc = self._read(annotation_path(video))
            n, rev, status, err = (doc.n_annotations, doc.revision, doc.status, None) if doc else (0, 0, "todo", None)
        except DataError as e:
            n, rev, status, err = 0, 0, "todo", e.reason
        return {"path": rel, "name": video.name, "size": video.stat().st_size, "annotations": n,
                "revision": rev, "status": status if n or status != "todo" else "todo", "error": err,
                "landmarks": landmark_file(video) is not None,
                "suggestions": bool(face_file(video) or motion_file(video) or events_file(video))}

    def revisions(self, rel: str) -> list[int]:
        doc_path = annotation_path(self.video(rel))
        d = doc_path.parent / REVISIONS_DIR
        stem = doc_path.name[: -len(ANNOTATION_SUFFIX)]
        if not d.is_dir():
            return []
        out = []
        for p in d.iterdir():
            if p.name.startswith(stem + ".r"):
                m = _REV_RE.search(p.name)
                if m and p.name == f"{stem}.r{m.group(1)}.json":
                    out.append(int(m.group(1)))
        return sorted(out)

    def load_revision(self, rel: str, revision: int) -> AnnotationDocument | None:
        """A kept earlier revision (or the current one), ``None`` when it is gone."""
        doc_path = annotation_path(self.video(rel))
        with self._lock:
            cur = self._read(doc_path)
            if cur is not None and cur.revision == revision:
                return cur
            p = _revision_path(doc_path, revision)
            if not p.is_file():
                return None
            return AnnotationDocument.model_validate_json(p.read_bytes())

    # ---------------------------------------------------------------- saving
    def save(self, rel: str, doc: AnnotationDocument, *, base_revision: int) -> AnnotationDocument:
        """Save ``doc`` as the next revision if ``base_revision`` is current, else raise RevisionConflict."""
        video = self.video(rel)
        doc_path = annotation_path(video)
        with self._lock:
            current = self._read(doc_path)
            current_rev = current.revision if current is not None else 0
            if base_revision != current_rev:
                if current is None:
                    current = self.load(rel)
                raise RevisionConflict(base_revision=base_revision, current=current)
            new = doc.model_copy(update={"revision": current_rev + 1})
            data = new.model_dump_json(by_alias=True, exclude_none=True).encode("utf-8")
            self._write(doc_path, data, backup_revision=current_rev if current is not None else None)
            st = doc_path.stat()
            self._cache[doc_path] = _Cached((st.st_mtime_ns, st.st_size), new)
        log.info("saved %s revision %d (%d annotations)", doc_path, new.revision, new.n_annotations)
        return new

    def merge_and_save(self, rel: str, mine: AnnotationDocument, *, base_revision: int
                       ) -> tuple[AnnotationDocument, list[dict[str, Any]]]:
        """Three-way merge ``mine`` (edited from ``base_revision``) into the current document and save.

        Returns the saved document and the list of conflicts (both sides changed the same annotation;
        the other side's version is kept as a copy with a ``-theirs`` id, so nothing is lost).
        """
        with self._lock:
            theirs = self.load(rel)
            base = self.load_revision(rel, base_revision) if base_revision > 0 else None
            merged, conflicts = merge_documents(base, mine, theirs)
            saved = self.save(rel, merged, base_revision=theirs.revision)
        return saved, conflicts

    def _write(self, doc_path: Path, data: bytes, *, backup_revision: int | None) -> None:
        doc_path.parent.mkdir(parents=True, exist_ok=True)
        if backup_revision is not None and doc_path.exists():
            bpath = _revision_path(doc_path, backup_revision)
            bpath.parent.mkdir(exist_ok=True)
            try:
                if bpath.exists():
                    bpath.unlink()
                os.link(doc_path, bpath)
            except OSError:
                shutil.copy2(doc_path, bpath)
            self._prune(doc_path)
        fd, tmp = tempfile.mkstemp(prefix=f".{doc_path.name}.", suffix=".tmp", dir=doc_path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                if self.durable:
                    f.flush()
                    os.fsync(f.fileno())
            os.replace(tmp, doc_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _prune(self, doc_path: Path) -> None:
        d = doc_path.parent / REVISIONS_DIR
        stem = doc_path.name[: -len(ANNOTATION_SUFFIX)]
        revs = sorted((int(m.group(1)), p) for p in d.glob(f"{glob_escape(stem)}.r*.json")
                      if (m := _REV_RE.search(p.name)))
        for _, p in revs[: max(0, len(revs) - self.keep_revisions)]:
            p.unlink(missing_ok=True)


def glob_escape(s: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", s)


# ------------------------------------------------------------------ sidecar files
def _first_existing(candidates: list[Path]) -> Path | None:
    for c in candidates:
        if c.is_file():
            return c
    return None


def landmark_file(video: Path) -> Path | None:
    """``clip.pose`` or ``clip.parquet`` beside ``clip.mp4`` (written by ``signfuse extract``)."""
    return _first_existing([video.with_suffix(".pose"), video.with_suffix(".parquet")])


def face_file(video: Path) -> Path | None:
    """Face AU curves: ``clip.face.parquet|csv``, ``clip_face.*`` or ``face.parquet|csv`` beside the video."""
    s, d = video.stem, video.parent
    return _first_existing([d / f"{s}.face.parquet", d / f"{s}.face.csv", d / f"{s}_face.parquet",
                            d / f"{s}_face.csv", d / "face.parquet", d / "face.csv"])


def motion_file(video: Path) -> Path | None:
    """Motion kinematics: ``clip.motion.parquet|csv``, ``clip_motion.*`` or ``motion.parquet|csv``."""
    s, d = video.stem, video.parent
    return _first_existing([d / f"{s}.motion.parquet", d / f"{s}.motion.csv", d / f"{s}_motion.parquet",
                            d / f"{s}_motion.csv", d / "motion.parquet", d / "motion.csv"])


def events_file(video: Path) -> Path | None:
    """Non-manual events as JSON (a list of ``{start, end, type}`` in seconds): ``clip.events.json``."""
    s, d = video.stem, video.parent
    return _first_existing([d / f"{s}.events.json", d / f"{s}.face_events.json", d / "events.json"])


# ------------------------------------------------------------------ merging
def _ann_key(a: Annotation) -> tuple:
    return (a.start_ms, a.end_ms, a.value, a.ref, a.previous)


def merge_documents(base: AnnotationDocument | None, mine: AnnotationDocument, theirs: AnnotationDocument
                    ) -> tuple[AnnotationDocument, list[dict[str, Any]]]:
    """Three-way merge by annotation id, tier by tier; ``base=None`` merges as a union.

    Rules: a change made on one side only is taken; an annotation deleted on one side and unchanged on
    the other is deleted; deleted on one side but edited on the other is kept (edited); edited on both
    sides differently keeps ``mine`` and adds ``theirs`` as a copy whose id ends in ``-theirs``
    (reported as a conflict). Tiers added on either side are kept.
    """
    conflicts: list[dict[str, Any]] = []
    base_t = {t.id: {a.id: a for a in t.annotations} for t in base.tiers} if base else {}
    mine_t = {t.id: t for t in mine.tiers}
    theirs_t = {t.id: t for t in theirs.tiers}
    order = [t.id for t in theirs.tiers] + [t.id for t in mine.tiers if t.id not in theirs_t]
    tiers: list[Tier] = []
    used: set[str] = set()
    for tid in order:
        B = base_t.get(tid, {})
        M = {a.id: a for a in mine_t[tid].annotations} if tid in mine_t else {}
        T = {a.id: a for a in theirs_t[tid].annotations} if tid in theirs_t else {}
        out: dict[str, Annotation] = dict(T)
        extra: list[Annotation] = []
        for aid, m in M.items():
            b, t = B.get(aid), T.get(aid)
            if b is not None and _ann_key(m) == _ann_key(b):
                continue  # unchanged by me: theirs (edited, deleted or same) wins
            if t is None or _ann_key(t) == _ann_key(m) or (b is not None and _ann_key(t) == _ann_key(b)):
                out[aid] = m
            else:
                out[aid] = m
                copy = t.model_copy(update={"id": f"{aid}-theirs"})
                extra.append(copy)
                conflicts.append({"tier": tid, "id": aid, "mine": m.value, "theirs": t.value})
        for aid, b in B.items():
            if aid not in M and aid in T and _ann_key(T[aid]) == _ann_key(b):
                del out[aid]  # deleted by me, untouched by them
        anns = list(out.values()) + extra
        fixed = []
        for a in anns:
            aid, n = a.id, 1
            while aid in used:
                aid, n = f"{a.id}-{n}", n + 1
            used.add(aid)
            fixed.append(a if aid == a.id else a.model_copy(update={"id": aid}))
        fixed.sort(key=lambda a: (a.ref is not None, a.start_ms if a.start_ms is not None else -1))
        src = mine_t.get(tid) or theirs_t[tid]
        if tid in theirs_t and tid in mine_t:
            src = mine_t[tid] if mine_t[tid].model_dump(exclude={"annotations"}) != \
                theirs_t[tid].model_dump(exclude={"annotations"}) else theirs_t[tid]
        tiers.append(src.model_copy(update={"annotations": fixed}))
    vocab = {k: list(v) for k, v in theirs.vocabularies.items()}
    for k, v in mine.vocabularies.items():
        have = vocab.setdefault(k, [])
        seen = set(have)
        have.extend(x for x in v if x not in seen)
    status = mine.status if base is None or mine.status != base.status else theirs.status
    merged = theirs.model_copy(update={"tiers": tiers, "vocabularies": vocab, "status": status})
    # re-validate (ids unique, parents exist)
    return AnnotationDocument.model_validate(merged.model_dump(by_alias=True)), conflicts


def read_gloss_list(path: str | PathLike[str]) -> list[str]:
    """A gloss list file: one gloss per line (``#`` comments), or a JSON list of strings."""
    p = Path(path)
    if not p.is_file():
        raise DataError("no such gloss list file", path=p)
    text = p.read_text(encoding="utf-8")
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise DataError(f"not JSON: {e}", path=p) from e
        if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
            raise DataError("a JSON gloss list must be a list of strings", path=p)
        return data
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
