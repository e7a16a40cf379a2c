"""Landmarks from live sources, one frame at a time: a camera index, a stream URL or a file.

:func:`iter_frames` is a generator: it opens the source with PyAV (``/dev/videoN`` through v4l2 for a
camera index on Linux, anything FFmpeg opens for a URL such as ``rtsp://`` or ``http://``), runs
MediaPipe Holistic in video mode (tracking) and yields a :class:`LiveFrame` per frame as soon as it is
processed. Stop by breaking out of the loop (or ``max_frames``); the source and the graph are closed.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError, ParameterError
from ..sequence import LandmarkSequence
from .decode import _check_common, _frame_rotation, _reason, _to_rgb
from .holistic import HolisticRunner, check_model_complexity, holistic_components

__all__ = ["LiveFrame", "iter_frames", "frames_to_sequence"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveFrame:
    """Landmarks of one live frame.

    ``data`` ``(points, 3)`` and ``confidence`` ``(points,)`` follow :mod:`signfuse.vision.holistic`
    (components from :func:`~signfuse.vision.holistic.holistic_components`); ``time`` is seconds from
    the first frame (stream timestamps when present, else the wall clock); ``latency`` is the seconds
    spent in the model.
    """

    index: int
    time: float
    data: np.ndarray
    confidence: np.ndarray
    width: int
    height: int
    latency: float
    refine_face: bool = False


def _open_source(source: int | str | Path):
    import av

    options: dict[str, str] = {}
    fmt = None
    if isinstance(source, (int, np.integer)) or (isinstance(source, str) and source.isdigit()):
        index = int(source)
        if index < 0:
            raise ParameterError(f"camera index {index} must be >= 0")
        if sys.platform.startswith("linux"):
            url, fmt = f"/dev/video{index}", "v4l2"
        elif sys.platform == "darwin":
            url, fmt = str(index), "avfoundation"
        else:
            url, fmt = f"video={index}", "dshow"
    else:
        url = str(source)
        if "://" in url:
            options = {"rtsp_transport": "tcp"} if url.startswith("rtsp") else {}
    try:
        container = av.open(url, format=fmt, options=options, timeout=10.0)
    except (av.FFmpegError, OSError) as e:
        raise DataError(f"cannot open live source ({_reason(e)})", path=url) from None
    if not container.streams.video:
        container.close()
        raise DataError("has no video stream", path=url)
    return container, container.streams.video[0], url


def iter_frames(source: int | str | Path, *, refine_face: bool = False, max_side: int | None = None,
                model_complexity: int = 1, max_frames: int | None = None) -> Iterator[LiveFrame]:
    """Yield landmarks frame by frame from a camera index, a stream URL or a video file.

    Parameters
    ----------
    source:
        Camera index (``0``), stream URL (``rtsp://...``, ``http://...``) or a file path.
    refine_face, max_side, model_complexity:
        As in :func:`signfuse.vision.extract`.
    max_frames:
        Stop after this many frames (``None``: until the source ends or the caller stops).
    """
    check_model_complexity(model_complexity)
    _check_common(max_side=max_side, fps=None)
    if max_frames is not None and max_frames < 1:
        raise ParameterError(f"max_frames={max_frames} must be >= 1")
    import av

    container, stream, url = _open_source(source)
    try:
        tb = float(stream.time_base) if stream.time_base is not None else None
        t_first = None
        wall0 = time.perf_counter()
        with HolisticRunner(static_image_mode=False, refine_face=refine_face) as runner:
            n = 0
            try:
                for frame in container.decode(stream):
                    if frame.pts is not None and tb is not None:
                        t_abs = frame.pts * tb
                    else:
                        t_abs = time.perf_counter() - wall0
                    if t_first is None:
                        t_first = t_abs
                    rot = _frame_rotation(frame)
                    w, h = (frame.height, frame.width) if rot in (90, 270) else (frame.width, frame.height)
                    img = _to_rgb(frame, max_side)
                    t0 = time.perf_counter()
                    data, conf = runner.process(img, width=w, height=h)
                    yield LiveFrame(index=n, time=float(t_abs - t_first), data=data, confidence=conf, width=w,
                                    height=h, latency=time.perf_counter() - t0, refine_face=bool(refine_face))
                    n += 1
                    if max_frames is not None and n >= max_frames:
                        break
            except av.FFmpegError as e:
                raise DataError(f"live decoding failed after {n} frames ({_reason(e)})", path=url) from None
    finally:
        container.close()


def frames_to_sequence(frames: Sequence[LiveFrame], *, fps: float) -> LandmarkSequence:
    """Stack live frames into a :class:`LandmarkSequence` (``times`` from the frames; ``fps`` nominal)."""
    if not frames:
        raise ParameterError("frames_to_sequence() needs at least one frame")
    refine = frames[0].refine_face
    t = np.array([f.time for f in frames], dtype=np.float64)
    return LandmarkSequence(components=holistic_components(refine_face=refine),
                            data=np.stack([f.data for f in frames])[:, None],
                            confidence=np.stack([f.confidence for f in frames])[:, None], fps=fps,
                            times=t - t[0], width=frames[0].width, height=frames[0].height)
