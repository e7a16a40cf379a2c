"""The FastAPI app of ``signfuse annotate``: a JSON API over :class:`AnnotationStore` and the static page.

Endpoints (all paths of videos are ``path=`` query parameters relative to ROOT, checked by
:func:`signfuse.annotate.store.resolve_under`):

=====================================  ==========================================================
``GET  /``                             the single page (``static/index.html``)
``GET  /api/videos``                   videos under ROOT with annotation status
``GET  /api/schema.json``              JSON Schema of the annotation document
``GET  /api/video?path=``              the video file (HTTP range requests, for seeking)
``GET  /api/info?path=``               fps, duration, size, sidecar files, ``damaged`` (a reason when the
                                       annotation file does not parse; ``recovered_revision`` is offered)
``GET  /api/annotations?path=``        the current document (a default one at revision 0)
``PUT  /api/annotations?path=``        ``{"base_revision", "document"}`` -> saved document, or
                                       409 ``{"detail", "current_revision", "current"}``
``POST /api/annotations/merge?path=``  ``{"base_revision", "document"}`` -> three-way merge, saved
``GET  /api/revisions?path=``          kept revisions
``GET  /api/landmarks?path=&start=&count=``  landmark frames for the overlay
``GET  /api/suggestions?path=``        suggestion and curve lanes from face / motion / events / audio files
``GET  /api/waveform?path=``           min/max peaks of the soundtrack (404 when the video has none)
``GET  /api/export.eaf?path=``         ELAN 3.0 download; ``/api/export.json`` the JSON document
``POST /api/import.eaf?path=&base_revision=``  body: an .eaf file; saved as the next revision
=====================================  ==========================================================

Safety: requests whose ``Host`` is not an allowed name are refused (DNS rebinding); state-changing
requests must carry the header ``X-Signfuse: 1`` (a cross-site form cannot set it, so no CSRF);
request bodies are limited to ``max_body_bytes``; responses carry a strict Content-Security-Policy;
nothing from a request reaches a shell or ``eval``. Every file opened is checked to lie inside ROOT
after links are followed (videos, documents, sidecars), and every error is a JSON ``{"detail"}`` whose
file names are relative to ROOT: a read-only folder or a full disk answers a save with 507
``{"detail", "kind": "read_only" | "disk_full" | "os_error"}`` (the page shows it and keeps the edits),
a document over ``max_document_bytes`` with 413.
"""

# no `from __future__ import annotations`: FastAPI resolves the endpoint annotations (Request, ...),
# which are imported inside create_app, at definition time.

import contextlib
import gc
import logging
import os
import threading
import tempfile
import time
from os import PathLike
from pathlib import Path
from typing import Any, Sequence

from ..errors import DataError, ParameterError, SignfuseError
from .schema import AnnotationDocument, SaveRequest
from .store import (MAX_DOCUMENT_BYTES, REVISION_BUDGET_BYTES, AnnotationStore, DocumentTooLarge, RevisionConflict,
                    SaveError, UnsafePathError, iter_videos, landmark_file, public_message)

__all__ = ["create_app", "STATIC_DIR", "DEFAULT_ALLOWED_HOSTS", "MAX_BODY_BYTES"]

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
DEFAULT_ALLOWED_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]", "testserver")
MAX_BODY_BYTES = 2 * MAX_DOCUMENT_BYTES
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


def create_app(root: str | PathLike[str], *, allowed_hosts: Sequence[str] | None = DEFAULT_ALLOWED_HOSTS,
               max_body_bytes: int = MAX_BODY_BYTES, keep_revisions: int = 200, durable: bool = False,
               gloss_vocabulary: list[str] | None = None, max_document_bytes: int = MAX_DOCUMENT_BYTES,
               revision_budget_bytes: int = REVISION_BUDGET_BYTES):
    """Build the FastAPI application serving the videos under ``root``.

    Parameters
    ----------
    root:
        The folder to annotate (must exist).
    allowed_hosts:
        Host names accepted in the ``Host`` header; ``None`` accepts any (only sensible behind a proxy).
    max_body_bytes:
        Largest request body accepted (413 beyond).
    keep_revisions, durable, gloss_vocabulary, max_document_bytes, revision_budget_bytes:
        Passed to :class:`AnnotationStore`.
    """
    try:
        from fastapi import Body, FastAPI, HTTPException, Query, Request
        from fastapi.responses import FileResponse, JSONResponse, Response
        from fastapi.exceptions import RequestValidationError
        from fastapi.staticfiles import StaticFiles
        from pydantic import ValidationError
        from starlette.concurrency import run_in_threadpool
    except ImportError as e:  # pragma: no cover - declared dependency
        from ..errors import DependencyError

        raise DependencyError("fastapi", extra="annotate", purpose="the annotation server") from e

    store = AnnotationStore(root, keep_revisions=keep_revisions, durable=durable, gloss_vocabulary=gloss_vocabulary,
                            max_document_bytes=max_document_bytes, revision_budget_bytes=revision_budget_bytes)
    if max_body_bytes <= 0:
        raise ParameterError(f"max_body_bytes={max_body_bytes} must be positive")
    hosts = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}

    app = FastAPI(title="signfuse annotate", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store

    @app.middleware("http")
    async def guard(request: Request, call_next):
        host = (request.headers.get("host") or "").lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if hosts is not None and name not in hosts:
            return JSONResponse({"detail": f"host {host!r} not allowed"}, status_code=400)
        if request.method not in ("GET", "HEAD", "OPTIONS") and request.headers.get("x-signfuse") != "1":
            return JSONResponse({"detail": "missing X-Signfuse header"}, status_code=403)
        length = request.headers.get("content-length")
        if length is not None:
            try:
                too_big = int(length) > max_body_bytes
            except ValueError:
                return JSONResponse({"detail": "bad Content-Length"}, status_code=400)
            if too_big:
                return JSONResponse({"detail": f"request body larger than {max_body_bytes} bytes"}, status_code=413)
        elif request.method in ("POST", "PUT", "PATCH"):
            if request.headers.get("transfer-encoding", "").lower() == "chunked":
                return JSONResponse({"detail": "Content-Length required"}, status_code=411)
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    def public(msg: object) -> str:  # no absolute server path in any answer
        return public_message(public_message(str(msg), store.root), root)

    @app.exception_handler(SignfuseError)
    async def signfuse_error(request: Request, exc: SignfuseError):
        if isinstance(exc, SaveError):
            return JSONResponse({"detail": public(exc), "kind": exc.kind}, status_code=507)
        if isinstance(exc, DocumentTooLarge):
            return JSONResponse({"detail": public(exc)}, status_code=413)
        if isinstance(exc, UnsafePathError):
            return JSONResponse({"detail": public(exc)}, status_code=400)
        if isinstance(exc, DataError) and exc.reason in ("no such video",):
            return JSONResponse({"detail": public(exc)}, status_code=404)
        if isinstance(exc, ParameterError):
            return JSONResponse({"detail": public(exc)}, status_code=400)
        return JSONResponse({"detail": public(exc)}, status_code=422)

    @app.exception_handler(OSError)
    async def os_error(request: Request, exc: OSError):
        log.error("%s %s: %s", request.method, request.url.path, exc)
        return JSONResponse({"detail": public(f"server file error: {exc.strerror or exc}"), "kind": "os_error"},
                            status_code=503)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception):  # pragma: no cover - a bug
        log.exception("%s %s failed", request.method, request.url.path)
        return JSONResponse({"detail": f"internal error ({type(exc).__name__}); see the server log"},
                            status_code=500)

    @app.exception_handler(RevisionConflict)
    async def conflict(request: Request, exc: RevisionConflict):
        return JSONResponse({"detail": str(exc), "base_revision": exc.base_revision,
                             "current_revision": exc.current.revision,
                             "current": exc.current.to_json_dict()}, status_code=409)

    PathQ = Query(..., min_length=1, max_length=4096, description="video path relative to ROOT")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/api/schema.json")
    def schema() -> dict[str, Any]:
        """JSON Schema of the annotation document (generated from the pydantic models)."""
        return AnnotationDocument.model_json_schema(by_alias=True)

    @app.get("/api/videos")
    def videos() -> dict[str, Any]:
        rows = [store.summary(v) for v in iter_videos(store.root)]
        return {"root": store.root.name, "videos": rows}

    @app.get("/api/video")
    def video(path: str = PathQ) -> FileResponse:
        v = store.video(path)
        return FileResponse(v, media_type=_mime(v))

    @app.get("/api/info")
    def info(path: str = PathQ) -> dict[str, Any]:
        v = store.video(path)
        row = store.summary(v)
        row.update(store.state(path))
        row.update(store.video_info(v))
        row["mime"] = _mime(v)
        return row

    @app.get("/api/annotations")
    def get_annotations(path: str = PathQ) -> dict[str, Any]:
        return store.load(path).to_json_dict()

    async def save_request(request: Request) -> SaveRequest:
        # pydantic-core parses and validates the raw JSON in one pass (faster than FastAPI's
        # json.loads + python-mode validation; it matters for 5,000-annotation documents)
        body = await request.body()
        try:
            with _gc_paused():
                return SaveRequest.model_validate_json(body)
        except ValidationError as e:
            raise RequestValidationError(e.errors(include_url=False, include_input=False)) from None

    def save_paused(path: str, req: SaveRequest):
        with _gc_paused():
            return store.save(path, req.document, base_revision=req.base_revision)

    @app.put("/api/annotations")
    async def put_annotations(request: Request, path: str = PathQ) -> JSONResponse:
        t0 = time.perf_counter()
        req = await save_request(request)
        t1 = time.perf_counter()
        saved = await run_in_threadpool(save_paused, path, req)
        t2 = time.perf_counter()
        return JSONResponse({"revision": saved.revision, "n_annotations": saved.n_annotations},
                            headers={"Server-Timing": f"validate;dur={(t1 - t0) * 1000:.2f}, "
                                                      f"save;dur={(t2 - t1) * 1000:.2f}"})

    @app.post("/api/annotations/merge")
    async def merge(request: Request, path: str = PathQ) -> dict[str, Any]:
        req = await save_request(request)
        saved, conflicts = await run_in_threadpool(store.merge_and_save, path, req.document,
                                                   base_revision=req.base_revision)
        return {"revision": saved.revision, "document": saved.to_json_dict(), "conflicts": conflicts}

    @app.get("/api/revisions")
    def revisions(path: str = PathQ) -> dict[str, Any]:
        return {"revisions": store.revisions(path), "current": store.load(path).revision}

    @app.get("/api/landmarks")
    def landmarks(path: str = PathQ, start: int = Query(0, ge=0, le=10**8),
                  count: int = Query(150, ge=1, le=600)) -> dict[str, Any]:
        from .sidecar import landmark_chunk

        v = store.video(path)
        if landmark_file(v, root=store.root) is None:
            raise HTTPException(404, "no landmark file (.pose or .parquet) beside this video")
        out = landmark_chunk(v, start=start, count=count, fps=store.video_info(v).get("fps"), root=store.root)
        return out or {}

    @app.get("/api/suggestions")
    def suggestions(path: str = PathQ) -> dict[str, Any]:
        from .sidecar import suggestions as _suggestions

        v = store.video(path)
        out = _suggestions(v, fps=store.video_info(v).get("fps"), root=store.root)
        out["errors"] = [public(e) for e in out["errors"]]
        return out

    @app.get("/api/waveform")
    def waveform(path: str = PathQ) -> dict[str, Any]:
        from .sidecar import waveform as _waveform

        out = _waveform(store.video(path))
        if out is None:
            raise HTTPException(404, "this video has no soundtrack")
        return out

    @app.get("/api/export.eaf")
    def export_eaf(path: str = PathQ) -> Response:
        from ..io.elan import eaf_to_string

        v = store.video(path)
        text = eaf_to_string(store.load(path).to_json_dict(), media_base=v.parent)
        return Response(text.encode("utf-8"), media_type="application/xml",
                        headers={"Content-Disposition": f'attachment; filename="{_safe_name(v.stem)}.eaf"'})

    @app.get("/api/export.json")
    def export_json(path: str = PathQ) -> Response:
        v = store.video(path)
        body = store.load(path).model_dump_json(by_alias=True, exclude_none=True, indent=1)
        return Response(body.encode("utf-8"), media_type="application/json",
                        headers={"Content-Disposition":
                                 f'attachment; filename="{_safe_name(v.stem)}.annotations.json"'})

    @app.post("/api/import.eaf")
    def import_eaf(path: str = PathQ, base_revision: int = Query(..., ge=0),
                   body: bytes = Body(..., media_type="application/xml")) -> dict[str, Any]:
        from ..io.elan import read_eaf

        v = store.video(path)
        if b"<!DOCTYPE" in body[:4096] or b"<!ENTITY" in body:
            raise HTTPException(400, "DTDs and entities are not accepted in .eaf files")
        fd, tmp = tempfile.mkstemp(suffix=".eaf")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(body)
            try:
                data = read_eaf(tmp)
            except DataError as e:
                raise DataError(e.reason, path="the uploaded .eaf") from None
        finally:
            Path(tmp).unlink(missing_ok=True)
        data["media"] = {**data.get("media", {}), "path": v.name}
        doc = AnnotationDocument.model_validate(data)
        saved = store.save(path, doc, base_revision=base_revision)
        return {"revision": saved.revision, "n_annotations": saved.n_annotations}

    return app


_gc_lock = threading.Lock()
_gc_depth = 0
_gc_was_enabled = True


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while a large document is validated and saved.

    Building 5,000 annotation models allocates enough objects to trigger full (generation 2)
    collections, which add 50-100 ms spikes; the models hold no reference cycles, so reference
    counting frees them anyway. Re-entrant across threads; the previous state is restored.
    """
    global _gc_depth, _gc_was_enabled
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
        _gc_depth += 1
        gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                gc.enable()


def _mime(p: Path) -> str:
    return {".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".mov": "video/quicktime",
            ".mkv": "video/x-matroska", ".ogv": "video/ogg", ".ogg": "video/ogg",
            ".avi": "video/x-msvideo"}.get(p.suffix.lower(), "application/octet-stream")


def _safe_name(stem: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)[:100] or "annotations"


def serve(root: str | PathLike[str], *, host: str = "127.0.0.1", port: int = 8765,
          gloss_vocabulary: list[str] | None = None, log_level: str = "warning") -> None:
    """Run the annotation server (blocking) with uvicorn."""
    from ..errors import DependencyError
    try:
        import uvicorn
    except ImportError:
        raise DependencyError("uvicorn", extra="annotate", purpose="serving the annotation tool") from None

    local = host in ("127.0.0.1", "localhost", "::1")
    allowed = DEFAULT_ALLOWED_HOSTS if local else (None if host in ("0.0.0.0", "::") else (*DEFAULT_ALLOWED_HOSTS, host))
    app = create_app(root, allowed_hosts=allowed, gloss_vocabulary=gloss_vocabulary)
    uvicorn.run(app, host=host, port=port, log_level=log_level)
