"""Decoding videos and images into RGB frames with their timestamps (PyAV / FFmpeg).

Everything that touches a media file's bytes lives here, so the rest of :mod:`signfuse.vision` works
on plain ``(H, W, 3)`` uint8 RGB arrays.

Timestamps come from each frame's presentation time (``pts * time_base``) relative to the stream's
start, so variable-frame-rate files (phones, screen recordings) keep their real timing. A display
rotation stored in the file (the display matrix phones write for portrait video) is applied, so
frames come out upright, as a player would show them.

A **frame folder** (an image sequence: one image file per frame, as RWTH-PHOENIX-Weather ships its
videos) is read like a video: files in natural order (``images2.png`` before ``images10.png``), frame
``i`` at ``i / rate`` seconds, where ``rate`` is the recording's frame rate (PHOENIX: 25), which an
image sequence does not store.

Errors a user can cause (an empty file, a truncated or non-media file, a stream with no decoder) are
raised as :class:`~signfuse.errors.DataError` with a one-line reason naming the file.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError, ParameterError

__all__ = [
    "VIDEO_EXTENSIONS", "IMAGE_EXTENSIONS", "VideoInfo", "Frame", "is_video", "is_image",
    "probe_video", "iter_video_frames", "read_image", "scaled_size", "is_frame_folder", "frame_files",
    "probe_frame_folder", "iter_frame_folder", "DEFAULT_FRAME_FOLDER_FPS",
]

from ..io.media import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS  # noqa: E402  (the one table)

log = logging.getLogger(__name__)

#: Frame rate assumed for a frame folder when none is given: RWTH-PHOENIX-Weather's 25 frames/s.
DEFAULT_FRAME_FOLDER_FPS = 25.0


def is_video(path: str | Path) -> bool:
    return Path(path).suffix.lower() in VIDEO_EXTENSIONS


def is_image(path: str | Path) -> bool:
    return Path(path).suffix.lower() in IMAGE_EXTENSIONS


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a video's first video stream (after display rotation)."""

    width: int
    height: int
    fps: float               # average frame rate (frames / duration) or the nominal rate
    n_frames: int | None     # from the header when present (may be absent or approximate)
    duration: float | None   # seconds
    rotation: int            # degrees counter-clockwise applied to decoded frames (0, 90, 180, 270)
    codec: str


@dataclass(frozen=True)
class Frame:
    """One decoded frame: its 0-based index among all decoded frames, time in seconds, RGB pixels."""

    index: int
    time: float
    image: np.ndarray        # (H, W, 3) uint8 RGB, upright, possibly downscaled


def scaled_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """``(width, height)`` scaled so the longer side is at most ``max_side`` (even sizes, never up)."""
    if max_side is None or max(width, height) <= max_side:
        return width, height
    s = max_side / max(width, height)
    return max(2, int(round(width * s / 2)) * 2), max(2, int(round(height * s / 2)) * 2)


def _check_common(*, max_side: int | None, fps: float | None) -> None:
    if max_side is not None and (not isinstance(max_side, (int, np.integer)) or max_side < 16):
        raise ParameterError(f"max_side={max_side!r} must be an integer of at least 16 pixels")
    if fps is not None and (not math.isfinite(float(fps)) or float(fps) <= 0):
        raise ParameterError(f"fps={fps!r} must be a positive number of frames per second")


def _check_range(start_frame: int, end_frame: int | None) -> None:
    if start_frame < 0:
        raise ParameterError(f"start_frame={start_frame} must be >= 0")
    if end_frame is not None and end_frame <= start_frame:
        raise ParameterError(f"end_frame={end_frame} must be greater than start_frame={start_frame}")


class _Sampler:
    """Sampling at ``fps`` by timestamp: a frame is kept when its time reaches the next sampling instant
    (the first frame always); ``fps=None`` keeps every frame."""

    def __init__(self, fps: float | None) -> None:
        self.step = None if fps is None else 1.0 / float(fps)
        self.next_t: float | None = None

    def keep(self, t: float) -> bool:
        if self.step is None:
            return True
        if self.next_t is None:
            self.next_t = t
        if t + 1e-6 < self.next_t:
            return False
        while self.next_t <= t + 1e-6:
            self.next_t += self.step
        return True


def _open(path: Path):
    import av

    if not path.exists():
        raise DataError("no such file", path=path)
    if path.is_dir():
        raise DataError("is a folder, expected a video file", path=path)
    if path.stat().st_size == 0:
        raise DataError("empty file (0 bytes)", path=path)
    try:
        container = av.open(str(path), mode="r")
    except av.FFmpegError as e:
        raise DataError(f"not a readable video ({_reason(e)})", path=path) from None
    streams = container.streams.video
    if not streams:
        container.close()
        raise DataError("has no video stream", path=path)
    stream = streams[0]
    if stream.codec_context is None:
        container.close()
        raise DataError("the video codec is unknown or cannot be decoded by this FFmpeg build", path=path)
    return container, stream


def _reason(e: Exception) -> str:
    msg = getattr(e, "strerror", None) or str(e)
    return " ".join(str(msg).split())[:200]


def _rate(stream) -> float | None:
    for r in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if r is not None and float(r) > 0 and math.isfinite(float(r)):
            return float(r)
    return None


def probe_video(path: str | Path) -> VideoInfo:
    """Read a video's header: size, frame rate, frame count, duration, rotation and codec."""
    path = Path(path)
    container, stream = _open(path)
    try:
        rate = _rate(stream)
        if rate is None:
            raise DataError("video stream has no frame rate", path=path)
        duration = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        w, h = stream.codec_context.width, stream.codec_context.height
        if not w or not h:
            raise DataError("video stream has no frame size", path=path)
        # The display rotation is reported on decoded frames (PyAV >= 14): peek at the first one.
        rotation = 0
        try:
            for frame in container.decode(stream):
                rotation = _frame_rotation(frame)
                break
        except Exception:  # the full decode reports the real error
            pass
        if rotation in (90, 270):
            w, h = h, w
        return VideoInfo(width=int(w), height=int(h), fps=rate, n_frames=int(stream.frames) or None,
                         duration=duration, rotation=rotation, codec=stream.codec_context.name)
    finally:
        container.close()


def _frame_rotation(frame) -> int:
    r = getattr(frame, "rotation", 0) or 0
    return int(round(float(r) / 90.0)) % 4 * 90


def iter_video_frames(path: str | Path, *, fps: float | None = None, max_side: int | None = None,
                      start_frame: int = 0, end_frame: int | None = None,
                      threads: bool = True) -> Iterator[Frame]:
    """Decode a video into upright RGB frames.

    Parameters
    ----------
    path:
        A video file (any container and codec this FFmpeg build decodes).
    fps:
        Sample frames at this rate (by timestamp: a frame is kept when its time reaches the next
        sampling instant). ``None`` keeps every frame.
    max_side:
        Downscale (never upscale) so the longer side is at most this many pixels; done by FFmpeg's
        scaler while converting to RGB.
    start_frame, end_frame:
        0-based range of decoded frames to keep (``end_frame`` exclusive; ``None`` to the end).
    threads:
        Let FFmpeg decode with its own threads (frame/slice threading).

    Yields
    ------
    Frame
        ``index`` counts decoded frames from 0 (before sampling), ``time`` is seconds from the start
        of the stream.
    """
    _check_common(max_side=max_side, fps=fps)
    _check_range(start_frame, end_frame)
    import av

    path = Path(path)
    container, stream = _open(path)
    try:
        if threads:
            stream.thread_type = "AUTO"
        tb = float(stream.time_base) if stream.time_base is not None else None
        t0 = None
        sampler = _Sampler(fps)
        rate = _rate(stream) or 30.0
        index = -1
        last_time = -math.inf
        try:
            for frame in container.decode(stream):
                index += 1
                if index < start_frame:
                    continue
                if end_frame is not None and index >= end_frame:
                    break
                if frame.pts is not None and tb is not None:
                    t_abs = frame.pts * tb
                else:  # no timestamps: assume the nominal rate
                    t_abs = index / rate
                if t0 is None:
                    start = stream.start_time
                    t0 = float(start * tb) if (start is not None and tb is not None) else t_abs
                    t0 = min(t0, t_abs)
                t = t_abs - t0
                if t <= last_time:  # B-frame reordering glitches: keep times strictly increasing
                    t = last_time + 1e-6
                last_time = t
                if not sampler.keep(t):
                    continue
                yield Frame(index=index, time=t, image=_to_rgb(frame, max_side))
        except av.FFmpegError as e:
            raise DataError(f"decoding failed at frame {index} ({_reason(e)})", path=path) from None
    finally:
        container.close()


def _to_rgb(frame, max_side: int | None) -> np.ndarray:
    rot = _frame_rotation(frame)
    w, h = frame.width, frame.height
    sw, sh = scaled_size(w, h, max_side)
    if (sw, sh) != (w, h):
        img = frame.to_ndarray(format="rgb24", width=sw, height=sh)
    else:
        img = frame.to_ndarray(format="rgb24")
    if rot:
        img = np.ascontiguousarray(np.rot90(img, k=rot // 90))
    return img


def read_image(path: str | Path, *, max_side: int | None = None) -> tuple[np.ndarray, int, int]:
    """Read an image (JPEG, PNG, ...) as upright RGB (EXIF orientation applied).

    Returns ``(image (H', W', 3) uint8, width, height)`` where ``width``/``height`` are the size before
    any ``max_side`` downscaling.
    """
    _check_common(max_side=max_side, fps=None)
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    if not path.exists():
        raise DataError("no such file", path=path)
    if path.stat().st_size == 0:
        raise DataError("empty file (0 bytes)", path=path)
    try:
        with Image.open(path) as im:
            im = ImageOps.exif_transpose(im)
            im = im.convert("RGB")
            w, h = im.size
            sw, sh = scaled_size(w, h, max_side)
            if (sw, sh) != (w, h):
                im = im.resize((sw, sh), Image.BILINEAR)
            return np.asarray(im, dtype=np.uint8).copy(), w, h
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise DataError(f"not a readable image ({_reason(e)})", path=path) from None


# --------------------------------------------------------------------------- frame folders
def _natural_key(name: str) -> list:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", name)]


def frame_files(folder: str | Path) -> list[Path]:
    """Image files directly inside ``folder`` (not in sub-folders), in natural order; [] when none."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    files = [f for f in folder.iterdir() if f.is_file() and is_image(f) and not f.name.startswith(".")]
    return sorted(files, key=lambda f: _natural_key(f.name))


def is_frame_folder(path: str | Path) -> bool:
    """A folder that directly holds image files: an image sequence."""
    return bool(frame_files(path))


def _check_rate(rate: float, folder: Path) -> float:
    if not (isinstance(rate, (int, float)) and math.isfinite(rate) and rate > 0):
        raise ParameterError(f"frame rate {rate!r} of the frame folder {folder} must be a positive number")
    return float(rate)


def probe_frame_folder(folder: str | Path, *, rate: float = DEFAULT_FRAME_FOLDER_FPS) -> VideoInfo:
    """What a frame folder holds: size of its first image, frame count, ``rate``."""
    folder = Path(folder)
    rate = _check_rate(rate, folder)
    files = frame_files(folder)
    if not files:
        raise DataError("no image files (jpg, png) in this folder", path=folder)
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(files[0]) as im:
            w, h = ImageOps.exif_transpose(im).size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise DataError(f"not a readable image ({_reason(e)})", path=files[0]) from None
    return VideoInfo(width=w, height=h, fps=rate, n_frames=len(files), duration=len(files) / rate, rotation=0,
                     codec=f"image sequence ({files[0].suffix.lower().lstrip('.')})")


def iter_frame_folder(folder: str | Path, *, rate: float = DEFAULT_FRAME_FOLDER_FPS, fps: float | None = None,
                      max_side: int | None = None, start_frame: int = 0,
                      end_frame: int | None = None) -> Iterator[Frame]:
    """Read a frame folder as upright RGB frames; the same contract as :func:`iter_video_frames`.

    ``rate`` is the recording's frame rate (frame ``i`` is at ``i / rate`` s); ``fps`` samples it. Every
    frame must have the first frame's size; a frame that is not a readable image raises a
    :class:`~signfuse.errors.DataError` for the folder whose reason names that frame's file.
    """
    _check_common(max_side=max_side, fps=fps)
    folder = Path(folder)
    rate = _check_rate(rate, folder)
    _check_range(start_frame, end_frame)
    files = frame_files(folder)
    if not files:
        raise DataError("no image files (jpg, png) in this folder", path=folder)
    sampler = _Sampler(fps)
    size = None
    for index, f in enumerate(files[start_frame:end_frame], start=start_frame):
        t = index / rate
        if not sampler.keep(t):
            continue
        try:
            img, w, h = read_image(f, max_side=max_side)
        except DataError as e:
            raise DataError(f"frame {f.name}: {e.reason}", path=folder) from None
        if size is None:
            size = (w, h)
        elif (w, h) != size:
            raise DataError(f"frame {f.name}: size {w}x{h} differs from the first frame's {size[0]}x{size[1]}",
                            path=folder)
        yield Frame(index=index, time=t, image=img)
