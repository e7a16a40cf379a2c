"""The web annotation tool: gloss, non-manual and action-unit annotation of videos, JSON and ELAN.

* :mod:`.schema` the versioned signfuse annotation JSON (pydantic models, documented there),
* :mod:`.store` safe paths under ROOT, atomic versioned saves with backups, three-way merge,
* :mod:`.sidecar` landmark overlay and suggestion lanes from face / motion files,
* :mod:`.server` the FastAPI app (:func:`create_app`) serving the static page in ``static/``.

FastAPI is imported only by :func:`create_app`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .schema import AnnotationDocument, default_document
from .store import AnnotationStore, RevisionConflict, merge_documents

__all__ = ["AnnotationDocument", "AnnotationStore", "RevisionConflict", "default_document", "merge_documents",
           "create_app", "load_document", "save_document", "import_eaf", "export_eaf"]


def create_app(root, **kwargs: Any):
    """See :func:`signfuse.annotate.server.create_app`."""
    from .server import create_app as _create_app

    return _create_app(root, **kwargs)


def load_document(path: str | Path) -> AnnotationDocument:
    """Read and validate a signfuse annotation JSON file."""
    from ..errors import DataError

    p = Path(path)
    if not p.is_file():
        raise DataError("no such annotation file", path=p)
    try:
        return AnnotationDocument.model_validate_json(p.read_bytes())
    except ValueError as e:
        raise DataError(f"not a valid signfuse annotation file: {e}", path=p) from e


def save_document(doc: AnnotationDocument, path: str | Path, *, overwrite: bool = True) -> Path:
    """Write a document as JSON (atomically; mode 0666 minus the umask).

    With ``overwrite=False`` an existing ``path`` is an error (:class:`~signfuse.errors.ParameterError`).
    """
    from ..errors import ParameterError
    from ..io import atomic_path

    p = Path(path)
    if not overwrite and p.exists():
        raise ParameterError(f"{p} exists (use --force to overwrite)")
    with atomic_path(p) as tmp:
        tmp.write_bytes(doc.model_dump_json(by_alias=True, exclude_none=True, indent=1).encode("utf-8"))
    return p


def import_eaf(path: str | Path) -> AnnotationDocument:
    """Read an ELAN .eaf file as a validated signfuse document."""
    from ..io.elan import read_eaf

    return AnnotationDocument.model_validate(read_eaf(path))


def export_eaf(doc: AnnotationDocument, path: str | Path, *, media_base: str | Path | None = None) -> Path:
    """Write a document as ELAN .eaf 3.0."""
    from ..io.elan import write_eaf

    return write_eaf(doc.to_json_dict(), path, media_base=media_base)
