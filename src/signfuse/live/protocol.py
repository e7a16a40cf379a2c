"""The live page's WebSocket messages, checked at the boundary.

Client -> server
----------------
``{"type": "hello", "mode": "landmarks" | "jpeg"}`` first (text); then one message per frame:

* landmark frames (text, JSON)::

    {"type": "frame", "id": 17, "t": 0.683, "w": 640, "h": 480,
     "pose": [x, y, z, visibility] * 33 | null, "face": [x, y, z] * 468 (478) | null,
     "left": [x, y, z] * 21 | null, "right": [x, y, z] * 21 | null,
     "world": [x, y, z, visibility] * 33 | null}

  ``x``/``y`` normalized to the image as MediaPipe gives them, ``t`` the capture time in seconds from
  the first frame, ``id`` an increasing integer. "left"/"right" are the signer's hands as MediaPipe
  Holistic reports them. The server turns them into the layout of :mod:`signfuse.vision.holistic`
  (pixels = normalized * size, missing parts zero with confidence 0).
* JPEG frames (binary, ``--server-landmarks``): a 16-byte header ``<d I H H`` (``t``, ``id``, ``w``,
  ``h`` of the camera image the landmarks are scaled to) then the JPEG bytes of a downscaled frame.

``{"type": "stop"}`` ends the session cleanly.

Server -> client
----------------
``{"type": "ready", ...}`` (model task, window, limits), ``{"type": "caption", ...}`` (see
:class:`~signfuse.live.captioner.Captioner`), ``{"type": "landmarks", "id", "pose", "left", "right",
"face"}`` (``--server-landmarks``: what to draw), ``{"type": "ack", "id"}`` (a landmark frame was
taken). A frame's caption, when one is due, is sent *before* its ack / landmarks message: the page waits
for that message before it runs Holistic on the next frame (Holistic's WASM holds the page's only
thread, so a caption arriving meanwhile would wait for it).
"""

from __future__ import annotations

import math
import struct
from typing import Any

import numpy as np

from ..errors import ParameterError

__all__ = ["JPEG_HEADER", "ProtocolError", "arrays_to_frame", "parse_frame", "parse_jpeg_header"]

JPEG_HEADER = struct.Struct("<dIHH")
_PARTS = (("pose", 33, 4), ("face", None, 3), ("left", 21, 3), ("right", 21, 3), ("world", 33, 4))
MAX_SIDE = 8192


class ProtocolError(ParameterError):
    """A malformed message: the connection that sent it is closed with this reason."""


def _size(msg: dict[str, Any], key: str) -> int:
    v = msg.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= MAX_SIDE:
        raise ProtocolError(f"frame field {key!r}={v!r} must be an integer from 1 to {MAX_SIDE}")
    return v


def _time_and_id(t: Any, fid: Any) -> tuple[float, int]:
    if not isinstance(t, (int, float)) or isinstance(t, bool) or not math.isfinite(t) or t < 0:
        raise ProtocolError(f"frame field 't'={t!r} must be a finite time in seconds >= 0")
    if not isinstance(fid, int) or isinstance(fid, bool) or not 0 <= fid < 2**32:
        raise ProtocolError(f"frame field 'id'={fid!r} must be a non-negative integer")
    return float(t), fid


def parse_frame(msg: Any, *, refine_face: bool = False):
    """A :class:`~signfuse.vision.LiveFrame` from one landmark-frame message (``ProtocolError`` if malformed)."""
    if not isinstance(msg, dict) or msg.get("type") != "frame":
        raise ProtocolError("expected a message {\"type\": \"frame\", ...}")
    t, fid = _time_and_id(msg.get("t"), msg.get("id"))
    w, h = _size(msg, "w"), _size(msg, "h")
    n_face = 478 if refine_face else 468
    parts = []
    for key, n, dims in _PARTS:
        n = n_face if n is None else n
        v = msg.get(key)
        if v is None:
            parts.append((np.zeros((n, 3), np.float32), np.zeros(n, np.float32)))
            continue
        if not isinstance(v, list) or len(v) != n * dims:
            got = len(v) if isinstance(v, list) else type(v).__name__
            raise ProtocolError(f"frame field {key!r} must be null or a list of {n * dims} numbers "
                                f"({n} points x {dims}), got {got}")
        try:
            a = np.asarray(v, dtype=np.float32).reshape(n, dims)
        except (TypeError, ValueError):
            raise ProtocolError(f"frame field {key!r} must hold numbers only") from None
        if not np.isfinite(a).all():
            raise ProtocolError(f"frame field {key!r} holds a NaN or infinite value")
        conf = np.clip(a[:, 3], 0.0, 1.0) if dims == 4 else np.ones(n, np.float32)
        parts.append((a[:, :3].copy(), conf.astype(np.float32)))
    return arrays_to_frame(parts, index=fid, time=t, width=w, height=h, refine_face=refine_face)


def arrays_to_frame(parts, *, index: int, time: float, width: int, height: int, refine_face: bool,
                    latency: float = 0.0):
    """Normalized ``[(coords (n, 3), confidence (n,))]`` per part (pose, face, left, right, world) ->
    a LiveFrame in the layout of :func:`signfuse.vision.holistic.results_to_arrays`."""
    from ..vision import LiveFrame

    data = np.concatenate([p[0] for p in parts]).astype(np.float32)
    conf = np.concatenate([p[1] for p in parts]).astype(np.float32)
    data[:, 0] *= width
    data[:, 1] *= height
    data[conf <= 0] = 0.0
    return LiveFrame(index=index, time=time, data=data, confidence=np.clip(conf, 0.0, 1.0), width=width,
                     height=height, latency=latency, refine_face=refine_face)


def parse_jpeg_header(payload: bytes) -> tuple[float, int, int, int, bytes]:
    """``(t, id, w, h, jpeg)`` of one binary frame message (``ProtocolError`` if malformed)."""
    if len(payload) <= JPEG_HEADER.size + 4:
        raise ProtocolError(f"binary frame of {len(payload)} bytes is too short (16-byte header + JPEG)")
    t, fid, w, h = JPEG_HEADER.unpack_from(payload)
    t, fid = _time_and_id(t, fid)
    if not (1 <= w <= MAX_SIDE and 1 <= h <= MAX_SIDE):
        raise ProtocolError(f"binary frame size {w}x{h} must be 1..{MAX_SIDE} pixels")
    jpeg = payload[JPEG_HEADER.size:]
    if jpeg[:3] != b"\xff\xd8\xff":
        raise ProtocolError("binary frame payload is not a JPEG image")
    return t, fid, w, h, jpeg
