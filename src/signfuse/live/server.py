"""The FastAPI app of ``signfuse live``: one page, its static assets, and a WebSocket for landmarks.

==============================  ================================================================
``GET  /``                      the page (``static/index.html``)
``GET  /static/...``            the page's script and style, and ``vendor/holistic/`` (the pinned
                                ``@mediapipe/holistic`` WASM graph, fetched by ``make webassets``)
``GET  /api/config``            model task, window, threshold, translation, landmark mode, limits
``POST /api/transcript?format=``  ``{"captions": [...]}`` -> a ``txt``, ``srt`` or ``eaf`` download
``WS   /ws``                    landmark frames in, captions out (see :mod:`signfuse.live.protocol`)
==============================  ================================================================

The browser runs MediaPipe Holistic itself and sends landmarks, never pixels; with
``server_landmarks=True`` it may instead send downscaled JPEG frames, and the server runs the Python
MediaPipe Holistic graph (one per connection).

Safety (as in ``signfuse annotate``): the ``Host`` header must be an allowed name (DNS rebinding),
a WebSocket's ``Origin`` must be this server (no cross-site WebSocket hijacking), POSTs need the header
``X-Signfuse: 1`` (no CSRF), a strict Content-Security-Policy (``'wasm-unsafe-eval'`` is the one
addition: WebAssembly needs it), each WebSocket message is limited to ``max_message_bytes`` and each
connection to ``max_connection_bytes`` in total, at most ``max_connections`` WebSockets at once, and a
malformed message closes only the connection that sent it, with the reason.
"""

# no `from __future__ import annotations`: FastAPI resolves endpoint annotations at definition time.

import asyncio
import io as _io
import json
import logging
import time
from collections.abc import Callable, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

from ..errors import DependencyError, ParameterError
from ..web import DEFAULT_ALLOWED_HOSTS, allowed_hosts_for, host_allowed
from .captioner import Captioner, Translator
from .protocol import ProtocolError, parse_frame, parse_jpeg_header

__all__ = ["ws_implementation", "HOLISTIC_VERSION", "STATIC_DIR", "VENDOR_DIR", "create_app", "serve", "wasm_assets_present"]

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
VENDOR_DIR = STATIC_DIR / "vendor" / "holistic"
HOLISTIC_VERSION = "0.5.1675471629"     # pinned in scripts/fetch_web_assets.sh
MAX_MESSAGE_BYTES = 512 * 1024
MAX_CONNECTION_BYTES = 2 * 1024**3
MAX_TRANSCRIPT_BYTES = 8 * 1024 * 1024
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
       "img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; "
       "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")

# WebSocket close codes (RFC 6455)
POLICY, TOO_BIG, BAD_DATA, TRY_LATER = 1008, 1009, 1007, 1013


def wasm_assets_present() -> bool:
    """Whether ``make webassets`` has put the pinned Holistic package in the static folder."""
    v = VENDOR_DIR / ".version"
    return (VENDOR_DIR / "holistic.js").is_file() and v.is_file() and v.read_text().strip() == HOLISTIC_VERSION


def create_app(model, *, translator: Translator | None = None,
               allowed_hosts: Sequence[str] | None = DEFAULT_ALLOWED_HOSTS, server_landmarks: bool = False,
               window_s: float = 2.0, hop_s: float = 0.5, top_k: int = 3, beam: int = 0,
               threshold: float = 0.5, max_message_bytes: int = MAX_MESSAGE_BYTES,
               max_connection_bytes: int = MAX_CONNECTION_BYTES, max_connections: int = 16,
               observer: Callable[[list, dict], None] | None = None):
    """Build the live-captions app.

    Parameters
    ----------
    model:
        A model path (``.ckpt``/``.pt``/``.onnx``) or a model loaded by
        :func:`signfuse.inference.recognize.load_model`; loaded once and shared by every connection.
    translator:
        Optional object with ``translate(list[str]) -> str`` (``signfuse.translate.load_translator``).
    allowed_hosts:
        Names accepted in the ``Host`` header; ``None`` accepts any (``--host 0.0.0.0``).
    server_landmarks:
        Also accept JPEG frames and extract landmarks on the server (Python MediaPipe).
    window_s, hop_s, top_k, beam, threshold:
        See :class:`~signfuse.live.captioner.Captioner`.
    max_message_bytes, max_connection_bytes, max_connections:
        Limits per WebSocket message, per connection (bytes received in total) and on open WebSockets.
    observer:
        Called with ``(window frames, caption)`` for every caption (tests and benchmarks).
    """
    try:
        from fastapi import FastAPI, Query, Request, WebSocket
        from fastapi.responses import FileResponse, JSONResponse, Response
        from fastapi.staticfiles import StaticFiles
        from starlette.concurrency import run_in_threadpool
        from starlette.websockets import WebSocketDisconnect, WebSocketState
    except ImportError as e:  # pragma: no cover - declared dependency
        raise DependencyError("fastapi", extra="live", purpose="the live captions server") from e
    from pydantic import BaseModel, ConfigDict, Field, ValidationError

    for name, v in (("max_message_bytes", max_message_bytes), ("max_connection_bytes", max_connection_bytes),
                    ("max_connections", max_connections)):
        if not isinstance(v, int) or v <= 0:
            raise ParameterError(f"{name}={v!r} must be a positive integer")
    if isinstance(model, (str, PathLike)):
        from ..inference.recognize import load_model

        model = load_model(model)
    settings = dict(window_s=window_s, hop_s=hop_s, top_k=top_k, beam=beam, threshold=threshold)
    Captioner(model, translator=translator, **settings)          # checks the settings once, now
    hosts = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}

    class Caption(BaseModel):   # the fields of a caption message that a transcript uses
        model_config = ConfigDict(extra="ignore")
        start: float = Field(ge=0)
        end: float = Field(ge=0)
        glosses: list[str] = Field(max_length=1000)
        sure: bool = True
        text: str | None = Field(None, max_length=10_000)
        sentence: list[str] | None = Field(None, max_length=10_000)
        sentence_id: int = 0
        sentence_start: float | None = None

    class TranscriptRequest(BaseModel):
        captions: list[Caption] = Field(max_length=100_000)

    app = FastAPI(title="signfuse live", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.model = model
    app.state.active = 0
    app.state.stats = {"connections": 0, "closed_by_server": 0, "captions": 0}

    @app.middleware("http")
    async def guard(request: Request, call_next):
        host = request.headers.get("host")
        if not host_allowed(host, hosts):
            return JSONResponse({"detail": f"host {host!r} not allowed"}, status_code=400)
        if request.method not in ("GET", "HEAD", "OPTIONS") and request.headers.get("x-signfuse") != "1":
            return JSONResponse({"detail": "missing X-Signfuse header"}, status_code=403)
        length = request.headers.get("content-length")
        if request.method == "POST":
            try:
                if length is None or int(length) > MAX_TRANSCRIPT_BYTES:
                    return JSONResponse({"detail": f"a body of at most {MAX_TRANSCRIPT_BYTES} bytes with "
                                                   "Content-Length is required"}, status_code=413)
            except ValueError:
                return JSONResponse({"detail": "bad Content-Length"}, status_code=400)
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        # the camera is the point of the page; nothing else
        response.headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/api/config")
    def config() -> dict[str, Any]:
        return {"task": model.task, "streams": list(model.streams), "classes": len(model.vocab),
                "translate": translator is not None, "server_landmarks": server_landmarks,
                "wasm": wasm_assets_present(), "holistic_version": HOLISTIC_VERSION,
                "window_s": window_s, "hop_s": hop_s, "threshold": threshold,
                "max_message_bytes": max_message_bytes}

    @app.post("/api/transcript")
    async def transcript(request: Request, format: str = Query("txt", pattern="^(txt|srt|eaf)$")) -> Response:
        from . import transcript as tr

        try:
            req = TranscriptRequest.model_validate_json(await request.body())
            segs = tr.segments([c.model_dump(exclude_none=True) for c in req.captions])
        except (ValidationError, KeyError, TypeError, ValueError) as e:
            return JSONResponse({"detail": f"bad transcript request: {str(e)[:300]}"}, status_code=422)
        body = {"txt": tr.to_text, "srt": tr.to_srt, "eaf": tr.to_eaf}[format](segs)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        return Response(body.encode("utf-8"), media_type=tr.FORMATS[format],
                        headers={"Content-Disposition": f'attachment; filename="signfuse-live-{stamp}.{format}"'})

    @app.websocket("/ws")
    async def ws_endpoint(ws: WebSocket) -> None:
        host = ws.headers.get("host")
        origin = ws.headers.get("origin")
        if not host_allowed(host, hosts):
            await ws.close(code=POLICY, reason="host not allowed")
            return
        if origin is not None and origin.split("://", 1)[-1].lower() != (host or "").lower():
            await ws.close(code=POLICY, reason="cross-origin WebSocket refused")
            return
        await ws.accept()
        if app.state.active >= max_connections:
            await ws.close(code=TRY_LATER, reason=f"too many connections (at most {max_connections})")
            return
        app.state.active += 1
        app.state.stats["connections"] += 1
        session = _Session(model, translator, settings, observer, server_landmarks)
        received = 0
        try:
            while True:
                msg = await ws.receive()
                if msg["type"] == "websocket.disconnect":
                    break
                data = msg.get("text")
                raw = msg.get("bytes") if data is None else None
                size = len(raw) if raw is not None else len(data.encode("utf-8")) if data else 0
                received += size
                if size > max_message_bytes:
                    raise _Close(TOO_BIG, f"message of {size} bytes is larger than {max_message_bytes}")
                if received > max_connection_bytes:
                    raise _Close(POLICY, f"connection sent more than {max_connection_bytes} bytes in total")
                t_recv = time.perf_counter()
                replies = await session.handle(data, raw, run_in_threadpool)
                server_ms = round(1000 * (time.perf_counter() - t_recv), 2)
                for r in replies:
                    if r.get("type") in ("ack", "caption", "landmarks"):
                        r["server_ms"] = server_ms
                    if r.get("type") == "caption":
                        app.state.stats["captions"] += 1
                    await ws.send_text(json.dumps(r, separators=(",", ":")))
                if session.stopped:
                    await ws.close(code=1000, reason="stopped")
                    break
        except _Close as c:
            app.state.stats["closed_by_server"] += 1
            log.info("closing a live connection: %s", c.reason)
            if ws.client_state == WebSocketState.CONNECTED:
                await ws.close(code=c.code, reason=c.reason[:120])
        except WebSocketDisconnect:
            pass
        finally:
            app.state.active -= 1
            await asyncio.get_running_loop().run_in_executor(None, session.close)

    return app


class _Close(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


class _Session:
    """One connection: the hello, the frames, the caption state and (JPEG mode) a Holistic graph."""

    def __init__(self, model, translator, settings, observer, server_landmarks: bool) -> None:
        self.captioner = Captioner(model, translator=translator, **settings)
        self.observer = observer
        self.server_landmarks = server_landmarks
        self.mode: str | None = None
        self.stopped = False
        self._runner = None
        self._last_id = -1

    async def handle(self, text: str | None, raw: bytes | None, run) -> list[dict[str, Any]]:
        if text is not None:
            try:
                msg = json.loads(text)
            except ValueError:
                raise _Close(BAD_DATA, "message is not valid JSON") from None
            kind = msg.get("type") if isinstance(msg, dict) else None
            if kind == "hello":
                return [self._hello(msg)]
            if kind == "stop":
                self.stopped = True
                return []
            if kind != "frame":
                raise _Close(BAD_DATA, f"unknown message type {str(kind)[:40]!r}")
            if self.mode != "landmarks":
                raise _Close(POLICY, "send a hello with mode 'landmarks' before landmark frames")
            try:
                frame = parse_frame(msg)
            except ProtocolError as e:
                raise _Close(BAD_DATA, str(e)) from None
            replies: list[dict[str, Any]] = [{"type": "ack", "id": frame.index}]
        elif raw is not None:
            if self.mode != "jpeg":
                raise _Close(POLICY, "binary JPEG frames need a hello with mode 'jpeg' first")
            try:
                t, fid, w, h, jpeg = parse_jpeg_header(raw)
            except ProtocolError as e:
                raise _Close(BAD_DATA, str(e)) from None
            frame = await run(self._landmarks, t, fid, w, h, jpeg)
            replies = [_draw_message(frame)]
        else:
            raise _Close(BAD_DATA, "empty message")
        if frame.index <= self._last_id:
            raise _Close(BAD_DATA, f"frame id {frame.index} is not after the previous {self._last_id}")
        self._last_id = frame.index
        try:
            frames = self.captioner.add(frame)          # cheap: on the event loop
        except ParameterError as e:
            raise _Close(BAD_DATA, str(e)) from None
        if frames is not None:                          # the model: in a worker thread
            cap = await run(self._caption, frames)
            if raw is not None:                         # the server's landmark time of that frame
                cap["landmark_ms"] = round(1000 * frame.latency, 2)
            # the caption goes first: the page takes the next frame when the ack / landmarks arrive
            replies.insert(0, cap)
        return replies

    def _hello(self, msg: dict[str, Any]) -> dict[str, Any]:
        if self.mode is not None:
            raise _Close(POLICY, "hello sent twice")
        mode = msg.get("mode")
        if mode not in ("landmarks", "jpeg"):
            raise _Close(BAD_DATA, f"hello mode {str(mode)[:40]!r} must be 'landmarks' or 'jpeg'")
        if mode == "jpeg" and not self.server_landmarks:
            raise _Close(POLICY, "this server does not extract landmarks (start it with --server-landmarks)")
        self.mode = mode
        c = self.captioner
        return {"type": "ready", "mode": mode, "task": c.model.task, "window_s": c.window.window_s,
                "hop_s": c.window.hop_s, "threshold": c.threshold, "translate": c.translator is not None}

    def _caption(self, frames) -> dict[str, Any]:
        cap = self.captioner.caption(frames)
        if self.observer is not None:
            self.observer(frames, cap)
        return cap

    def _landmarks(self, t: float, fid: int, w: int, h: int, jpeg: bytes):
        import numpy as np
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(_io.BytesIO(jpeg)) as im:
                if im.format != "JPEG" or im.width * im.height > 4096 * 4096:
                    raise _Close(BAD_DATA, "binary frame is not a JPEG of at most 4096x4096 pixels")
                img = np.asarray(im.convert("RGB"))
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
            raise _Close(BAD_DATA, "binary frame holds an unreadable JPEG") from None
        if self._runner is None:
            from ..vision import HolisticRunner

            self._runner = HolisticRunner(static_image_mode=False)
        t0 = time.perf_counter()
        data, conf = self._runner.process(img, width=w, height=h)
        from ..vision import LiveFrame

        return LiveFrame(index=fid, time=t, data=data, confidence=conf, width=w, height=h,
                         latency=time.perf_counter() - t0, refine_face=False)

    def close(self) -> None:
        if self._runner is not None:
            try:
                self._runner.close()
            except Exception:  # pragma: no cover - closing a graph must not hide the real error
                log.debug("closing the Holistic graph failed", exc_info=True)
            self._runner = None


def _draw_message(frame) -> dict[str, Any]:
    """Normalized pose / hands / face of a server-extracted frame, for the page to draw."""
    import numpy as np

    d = frame.data[:, :2] / np.array([frame.width, frame.height], np.float32)
    c = frame.confidence
    out: dict[str, Any] = {"type": "landmarks", "id": frame.index, "t": frame.time,
                           "extract_ms": round(1000 * frame.latency, 2)}
    n_face = 478 if frame.refine_face else 468
    spans = {"pose": (0, 33), "face": (33, 33 + n_face), "left": (33 + n_face, 54 + n_face),
             "right": (54 + n_face, 75 + n_face)}
    for key, (a, b) in spans.items():
        out[key] = None if not (c[a:b] > 0).any() else np.round(d[a:b], 4).ravel().tolist()
    return out


def ws_implementation() -> str:
    """uvicorn's WebSocket implementation: ``websockets-sansio`` where this uvicorn has it (the legacy
    ``websockets`` one is deprecated), else ``auto``."""
    try:
        from uvicorn.config import WS_PROTOCOLS
    except ImportError:  # pragma: no cover
        return "auto"
    return "websockets-sansio" if "websockets-sansio" in WS_PROTOCOLS else "auto"


def serve(model: str | PathLike[str], *, host: str = "127.0.0.1", port: int = 8766, translator=None,
          server_landmarks: bool = False, log_level: str = "warning", ssl_certfile=None, ssl_keyfile=None,
          **kwargs) -> None:
    """Run the live server (blocking) with uvicorn (https when a certificate and key are given)."""
    try:
        import uvicorn
        import websockets  # noqa: F401  (uvicorn's WebSocket support)
    except ImportError as e:
        raise DependencyError(getattr(e, "name", None) or "uvicorn", extra="live",
                              purpose="the live captions server") from e

    app = create_app(model, translator=translator, allowed_hosts=allowed_hosts_for(host),
                     server_landmarks=server_landmarks, **kwargs)
    uvicorn.run(app, host=host, port=port, log_level=log_level,
                ws_max_size=kwargs.get("max_message_bytes", MAX_MESSAGE_BYTES) + 1024, ws=ws_implementation(),
                ssl_certfile=None if ssl_certfile is None else str(ssl_certfile),
                ssl_keyfile=None if ssl_keyfile is None else str(ssl_keyfile))
