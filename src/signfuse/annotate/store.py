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
possible) into the revisions folder, so a backup costs no extra write. Files are created with
mode ``0666`` minus the user's umask (like any other program's files), not ``mkstemp``'s ``0600``.

Limits: a saved document is at most ``max_document_bytes`` (16 MiB by default; typical annotations
take ~80 bytes, so the schema's 200,000-annotation limit binds first and the byte cap stops long
values), and the kept revisions of one video at most ``revision_budget_bytes`` (128 MiB) and
``keep_revisions`` (200 files); the oldest go first, the newest one is always kept.

Damage: when the current file does not parse (truncated by a full disk, edited by hand), :meth:`load`
offers the newest kept revision that does, and says so (:meth:`AnnotationStore.state`); the next save
keeps the damaged file as ``REVISIONS_DIR/<stem>.damaged-<time>.json`` and replaces it.

Every file opened under ROOT (videos, documents, the revisions folder, sidecar files) must really be
there: a link that leads outside ROOT is refused with :class:`UnsafePathError`, and error messages name
files relative to ROOT, never by their absolute server path.
"""

from __future__ import annotations

import errno as _errno
import json
import logging
import os
import re
import shutil
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any, Iterator

from ..errors import DataError, ParameterError, SignfuseError
from .schema import Annotation, AnnotationDocument, Tier, default_document

__all__ = [
    "VIDEO_EXTENSIONS", "ANNOTATION_SUFFIX", "REVISIONS_DIR", "UnsafePathError", "RevisionConflict",
    "resolve_under", "iter_videos", "annotation_path", "AnnotationStore", "merge_documents", "probe_video",
    "SaveError", "DocumentTooLarge", "MAX_DOCUMENT_BYTES", "REVISION_BUDGET_BYTES", "check_inside",
    "public_message", "audio_file", "sidecar_files",
]

log = logging.getLogger(__name__)

VIDEO_EXTENSIONS = frozenset({".mp4", ".m4v", ".webm", ".mov", ".mkv", ".ogv", ".ogg", ".avi"})
ANNOTATION_SUFFIX = ".annotations.json"
REVISIONS_DIR = ".signfuse-revisions"
MAX_PATH_CHARS = 4096
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
REVISION_BUDGET_BYTES = 128 * 1024 * 1024
_REV_RE = re.compile(r"\.r(\d{6,})\.json$")


class UnsafePathError(ParameterError):
    """A requested path is not a plain relative path to a file under ROOT."""


class DocumentTooLarge(ParameterError):
    """A document is larger than the store accepts (``max_document_bytes``)."""


class SaveError(DataError):
    """A document could not be written (read-only folder, full disk, ...); ``kind`` says which."""

    def __init__(self, message: str, *, path: str, kind: str) -> None:
        self.kind = kind
        super().__init__(message, path=path)


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


def check_inside(path: Path, root: str | PathLike[str]) -> Path:
    """``path`` if its real location (links followed) is inside ``root``, else :class:`UnsafePathError`
    naming it relative to ROOT."""
    root_real = Path(os.path.realpath(root))
    real = Path(os.path.realpath(path))
    if real != root_real and root_real not in real.parents:
        raise UnsafePathError(f"{_rel_name(path, root_real)} leads outside ROOT (a link to a file elsewhere); "
                              f"not opened")
    return path


def _rel_name(path: Path, root_real: Path) -> str:
    try:
        return Path(os.path.abspath(path)).relative_to(root_real).as_posix()
    except ValueError:
        return Path(path).name


def public_message(message: str, root: str | PathLike[str]) -> str:
    """``message`` with every absolute form of ``root`` removed (``/srv/data/clip.mp4`` -> ``clip.mp4``)."""
    out = str(message)
    forms = {os.path.realpath(root), os.path.abspath(root)}
    for form in sorted(forms, key=len, reverse=True):
        out = out.replace(form.rstrip("/") + "/", "").replace(form, "ROOT")
    return out


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
    max_document_bytes:
        Largest document (serialized JSON) a save accepts (:class:`DocumentTooLarge` beyond).
    revision_budget_bytes:
        Most bytes the kept revisions of one video may take; the oldest are deleted first.
    """

    def __init__(self, root: str | PathLike[str], *, keep_revisions: int = 200, durable: bool = False,
                 gloss_vocabulary: list[str] | None = None, max_document_bytes: int = MAX_DOCUMENT_BYTES,
                 revision_budget_bytes: int = REVISION_BUDGET_BYTES) -> None:
        r = Path(root)
        if not r.is_dir():
            raise ParameterError(f"ROOT {r} does not exist or is not a folder")
        if keep_revisions < 1:
            raise ParameterError(f"keep_revisions={keep_revisions} must be at least 1")
        if max_document_bytes < 1024:
            raise ParameterError(f"max_document_bytes={max_document_bytes} must be at least 1024")
        if revision_budget_bytes < 0:
            raise ParameterError(f"revision_budget_bytes={revision_budget_bytes} must not be negative")
        self.root = Path(os.path.realpath(r))
        self.keep_revisions = int(keep_revisions)
        self.durable = bool(durable)
        self.gloss_vocabulary = list(gloss_vocabulary or [])
        self.max_document_bytes = int(max_document_bytes)
        self.revision_budget_bytes = int(revision_budget_bytes)
        self._lock = threading.RLock()
        self._cache: dict[Path, _Cached] = {}
        self._recovered: dict[Path, tuple[tuple[int, int], AnnotationDocument | None, str]] = {}
        self._probe: dict[Path, tuple[tuple[int, int], dict[str, Any]]] = {}
        self._rev_sizes: dict[Path, dict[str, int]] = {}

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
        """``p`` relative to ROOT (its name alone when it is not under ROOT)."""
        return _rel_name(Path(os.path.realpath(p)) if p.is_absolute() else p, self.root)

    def doc_path(self, video: Path) -> Path:
        """The annotation file of ``video``; refused when it (or the revisions folder) links outside ROOT."""
        p = annotation_path(video)
        if p.exists() or p.is_symlink():
            check_inside(p, self.root)
        d = p.parent / REVISIONS_DIR
        if d.exists() or d.is_symlink():
            check_inside(d, self.root)
        return p

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
            raise DataError(f"not a valid signfuse annotation file: {_short(e)}", path=self.rel(doc_path)) from e
        self._cache[doc_path] = _Cached(key, doc)
        return doc

    def _current(self, doc_path: Path) -> tuple[AnnotationDocument | None, str | None]:
        """The current document and ``None``, or, when the file is damaged, the newest valid kept
        revision (``None`` if there is none) and what is wrong with the file."""
        try:
            return self._read(doc_path), None
        except DataError as e:
            damage = e.reason
        st = doc_path.stat()
        key = (st.st_mtime_ns, st.st_size)
        hit = self._recovered.get(doc_path)
        if hit and hit[0] == key:
            return hit[1], hit[2]
        found = None
        for rev in reversed(self._revision_numbers(doc_path)):
            try:
                found = AnnotationDocument.model_validate_json(_revision_path(doc_path, rev).read_bytes())
                break
            except (ValueError, OSError):
                continue
        self._recovered[doc_path] = (key, found, damage)
        log.warning("%s is damaged (%s); %s", self.rel(doc_path), damage,
                    f"offering revision {found.revision}" if found else "no valid revision is kept")
        return found, damage

    def state(self, rel: str) -> dict[str, Any]:
        """``{"damaged": reason | None, "recovered_revision": int | None}`` of video ``rel``'s file."""
        video = self.video(rel)
        with self._lock:
            doc, damage = self._current(self.doc_path(video))
        if damage is None:
            return {"damaged": None, "recovered_revision": None}
        return {"damaged": f"{self.rel(annotation_path(video))}: {damage}",
                "recovered_revision": doc.revision if doc is not None else None}

    def load(self, rel: str) -> AnnotationDocument:
        """The current document of video ``rel`` (a new default document, revision 0, when none exists;
        the newest valid kept revision when the file is damaged)."""
        video = self.video(rel)
        with self._lock:
            doc, _ = self._current(self.doc_path(video))
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
        err = None
        try:
            with self._lock:
                doc, damage = self._current(self.doc_path(video))
            if damage is not None:
                err = f"damaged annotation file ({damage}); " + (
                    f"revision {doc.revision} is offered" if doc else "no valid revision is kept")
            n, rev, status = (doc.n_annotations, doc.revision, doc.status) if doc else (0, 0, "todo")
        except (DataError, UnsafePathError) as e:
            n, rev, status, err = 0, 0, "todo", getattr(e, "reason", str(e))
        files, refused = sidecar_files(video, root=self.root)
        if refused:
            err = "; ".join(([err] if err else []) + refused)
        return {"path": rel, "name": video.name, "size": video.stat().st_size, "annotations": n,
                "revision": rev, "status": status if n or status != "todo" else "todo", "error": err,
                "landmarks": "landmarks" in files, "audio": "audio" in files,
                "suggestions": bool({"face", "motion", "events", "audio"} & files.keys()),
                "sidecars": {k: self.rel(v) for k, v in files.items()}, "sidecar_errors": refused}

    def _revision_numbers(self, doc_path: Path) -> list[int]:
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

    def revisions(self, rel: str) -> list[int]:
        return self._revision_numbers(self.doc_path(self.video(rel)))

    def load_revision(self, rel: str, revision: int) -> AnnotationDocument | None:
        """A kept earlier revision (or the current one), ``None`` when it is gone or unreadable."""
        doc_path = self.doc_path(self.video(rel))
        with self._lock:
            cur, _ = self._current(doc_path)
            if cur is not None and cur.revision == revision:
                return cur
            p = _revision_path(doc_path, revision)
            if not p.is_file():
                return None
            try:
                return AnnotationDocument.model_validate_json(p.read_bytes())
            except ValueError:
                log.warning("kept revision %s does not parse", self.rel(p))
                return None

    # ---------------------------------------------------------------- saving
    def save(self, rel: str, doc: AnnotationDocument, *, base_revision: int) -> AnnotationDocument:
        """Save ``doc`` as the next revision if ``base_revision`` is current, else raise RevisionConflict.

        Raises :class:`DocumentTooLarge` beyond ``max_document_bytes`` and :class:`SaveError` when the
        file cannot be written (nothing is left behind; the previous file stays as it was).
        """
        video = self.video(rel)
        with self._lock:
            doc_path = self.doc_path(video)
            current, damage = self._current(doc_path)
            current_rev = current.revision if current is not None else 0
            if base_revision != current_rev:
                if current is None:
                    current = self.load(rel)
                raise RevisionConflict(base_revision=base_revision, current=current)
            new = doc.model_copy(update={"revision": current_rev + 1})
            data = new.model_dump_json(by_alias=True, exclude_none=True).encode("utf-8")
            if len(data) > self.max_document_bytes:
                raise DocumentTooLarge(f"the document is {len(data):,} bytes, more than the limit of "
                                       f"{self.max_document_bytes:,} bytes; split the video or its notes")
            try:
                self._write(doc_path, data, backup_revision=current_rev if current is not None and damage is None
                            else None, damaged=damage is not None)
            except OSError as e:
                kind = {_errno.ENOSPC: "disk_full", _errno.EDQUOT: "disk_full", _errno.EROFS: "read_only",
                        _errno.EACCES: "read_only", _errno.EPERM: "read_only"}.get(e.errno or 0, "os_error")
                what = {"disk_full": "the disk is full", "read_only": "the folder is read-only"}.get(
                    kind, e.strerror or type(e).__name__)
                raise SaveError(f"not saved: {what} ({e.strerror or e})",
                                path=self.rel(doc_path), kind=kind) from None
            st = doc_path.stat()
            self._cache[doc_path] = _Cached((st.st_mtime_ns, st.st_size), new)
            self._recovered.pop(doc_path, None)
        log.info("saved %s revision %d (%d annotations)", self.rel(doc_path), new.revision, new.n_annotations)
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

    def _write(self, doc_path: Path, data: bytes, *, backup_revision: int | None, damaged: bool = False) -> None:
        doc_path.parent.mkdir(parents=True, exist_ok=True)
        rdir = doc_path.parent / REVISIONS_DIR
        if damaged and doc_path.exists():
            rdir.mkdir(exist_ok=True)
            stem = doc_path.name[: -len(ANNOTATION_SUFFIX)]
            keep = rdir / f"{stem}.damaged-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}.json"
            _link_or_copy(doc_path, keep)
            log.warning("kept the damaged %s as %s", self.rel(doc_path), self.rel(keep))
        if backup_revision is not None and doc_path.exists():
            bpath = _revision_path(doc_path, backup_revision)
            rdir.mkdir(exist_ok=True)
            if bpath.exists():
                bpath.unlink()
            self._rev_sizes.get(doc_path, {}).pop(bpath.name, None)
            _link_or_copy(doc_path, bpath)
            self._prune(doc_path)
        # O_EXCL with mode 0666: the user's umask applies (mkstemp would force 0600)
        tmp = doc_path.with_name(f".{doc_path.name}.{uuid.uuid4().hex[:12]}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                if self.durable:
                    f.flush()
                    os.fsync(f.fileno())
            os.replace(tmp, doc_path)
        except BaseException:
            try:
                tmp.unlink()
            except FileNotFoundError:
                pass
            except OSError as e:  # keep the first error, only log the second
                log.warning("could not remove the temporary file %s: %s", self.rel(tmp), e)
            raise

    def _prune(self, doc_path: Path) -> None:
        """Keep at most ``keep_revisions`` backups and ``revision_budget_bytes`` bytes (the newest stays)."""
        d = doc_path.parent / REVISIONS_DIR
        stem = doc_path.name[: -len(ANNOTATION_SUFFIX)]
        revs = []
        with os.scandir(d) as it:
            for e in it:
                if e.name.startswith(stem + ".r") and (m := _REV_RE.search(e.name)) and \
                        e.name == f"{stem}.r{m.group(1)}.json":
                    revs.append((int(m.group(1)), e))
        revs.sort(key=lambda x: x[0])
        drop = max(0, len(revs) - self.keep_revisions)
        # a kept revision never changes, so its size is read once (not 200 stats per save)
        known = self._rev_sizes.setdefault(doc_path, {})
        sizes = []
        for i, (_, e) in enumerate(revs):
            if i < drop:
                sizes.append(0)
                continue
            if e.name not in known:
                known[e.name] = e.stat(follow_symlinks=False).st_size
            sizes.append(known[e.name])
        total = sum(sizes)
        while total > self.revision_budget_bytes and drop < len(revs) - 1:
            total -= sizes[drop]
            drop += 1
        for _, e in revs[:drop]:
            Path(e.path).unlink(missing_ok=True)
            known.pop(e.name, None)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def _short(e: Exception, limit: int = 300) -> str:
    text = " ".join(str(e).split())
    return text if len(text) <= limit else text[:limit] + " ..."



def glob_escape(s: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", s)


# ------------------------------------------------------------------ sidecar files
def _first_existing(candidates: list[Path], root: str | PathLike[str] | None = None) -> Path | None:
    """The first candidate that is a file; with ``root``, one that links outside it is refused."""
    for c in candidates:
        if c.is_file():
            return c if root is None else check_inside(c, root)
    return None


def landmark_file(video: Path, *, root: str | PathLike[str] | None = None) -> Path | None:
    """``clip.pose`` or ``clip.parquet`` beside ``clip.mp4`` (written by ``signfuse extract``)."""
    return _first_existing([video.with_suffix(".pose"), video.with_suffix(".parquet")], root)


def face_file(video: Path, *, root: str | PathLike[str] | None = None) -> Path | None:
    """Face AU curves: ``clip.face.parquet|csv``, ``clip_face.*`` or ``face.parquet|csv`` beside the video."""
    s, d = video.stem, video.parent
    return _first_existing([d / f"{s}.face.parquet", d / f"{s}.face.csv", d / f"{s}_face.parquet",
                            d / f"{s}_face.csv", d / "face.parquet", d / "face.csv"], root)


def motion_file(video: Path, *, root: str | PathLike[str] | None = None) -> Path | None:
    """Motion kinematics: ``clip.motion.parquet|csv``, ``clip_motion.*`` or ``motion.parquet|csv``."""
    s, d = video.stem, video.parent
    return _first_existing([d / f"{s}.motion.parquet", d / f"{s}.motion.csv", d / f"{s}_motion.parquet",
                            d / f"{s}_motion.csv", d / "motion.parquet", d / "motion.csv"], root)


def events_file(video: Path, *, root: str | PathLike[str] | None = None) -> Path | None:
    """Non-manual events as JSON (a list of ``{start, end, type}`` in seconds): ``clip.events.json``."""
    s, d = video.stem, video.parent
    return _first_existing([d / f"{s}.events.json", d / f"{s}.face_events.json", d / "events.json"], root)


def audio_file(video: Path, *, root: str | PathLike[str] | None = None) -> Path | None:
    """Audio features (``signfuse audio`` output, a Stream parquet with ``f0_hz``, ``rms_db``, ...):
    ``clip.audio.parquet`` or ``clip_audio.parquet`` beside the video."""
    s, d = video.stem, video.parent
    return _first_existing([d / f"{s}.audio.parquet", d / f"{s}_audio.parquet"], root)


SIDECARS = {"landmarks": landmark_file, "face": face_file, "motion": motion_file, "events": events_file,
            "audio": audio_file}


def sidecar_files(video: Path, *, root: str | PathLike[str]) -> tuple[dict[str, Path], list[str]]:
    """The sidecar files of ``video`` by kind, and the refusals (links leading outside ``root``)."""
    found: dict[str, Path] = {}
    refused: list[str] = []
    for kind, fn in SIDECARS.items():
        try:
            p = fn(video, root=root)
        except UnsafePathError as e:
            refused.append(str(e))
            continue
        if p is not None:
            found[kind] = p
    return found, refused


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
