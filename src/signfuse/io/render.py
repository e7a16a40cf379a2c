"""Draw a :class:`~signfuse.sequence.LandmarkSequence` as a video (PyAV) or as still frames.

Skeleton (body edges), both hands and the face mesh contours are drawn with Pillow on a dark
background, or over the frames of a source video placed side by side with the drawing. An audio track
``(y, sr)`` can be muxed in (AAC), which is how audio-to-gesture predictions are shown with their input.

Coordinates: values within about ``[-0.5, 1.5]`` are taken as normalized image units (MediaPipe,
Kaggle); larger ones as pixels of a ``seq.width x seq.height`` image (pose-format files).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import DataError, ParameterError
from ..sequence import Component, LandmarkSequence
from ._atomic import atomic_path

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["render", "render_frame", "frame_to_png", "add_audio_stream", "encode_audio"]

log = logging.getLogger(__name__)

_COLORS = {"POSE": (220, 220, 220), "FACE": (120, 200, 140), "LEFT_HAND": (255, 150, 60),
           "RIGHT_HAND": (80, 160, 255), "POSE_WORLD": (150, 150, 150)}
_BG = (24, 26, 32)


def _to_unit(seq: LandmarkSequence) -> tuple[np.ndarray, np.ndarray]:
    """``(frames, points, 2)`` coordinates in [0, 1] image units and ``(frames, points)`` visibility."""
    xy = np.asarray(seq.data[:, 0, :, :2], dtype=np.float64)
    seen = (seq.confidence[:, 0] > 0) & np.all(np.isfinite(xy), axis=-1)
    vals = xy[seen]
    if vals.size and (np.nanmax(np.abs(vals)) > 2.0):
        w = seq.width or float(np.nanmax(vals[:, 0])) * 1.05 or 1.0
        h = seq.height or float(np.nanmax(vals[:, 1])) * 1.05 or 1.0
        xy = xy / np.array([w, h])
    return xy, seen


@lru_cache(maxsize=1)
def _face_contours() -> tuple[tuple[int, int], ...]:
    """MediaPipe face-mesh contour edges from the package asset (for files whose FACE has no edges)."""
    asset = Path(__file__).resolve().parents[1] / "assets" / "face_mesh.npz"
    try:
        with np.load(asset) as z:
            return tuple((int(a), int(b)) for a, b in z["contours"])
    except (OSError, KeyError, ValueError):
        log.warning("face mesh asset %s unreadable; drawing face points only", asset)
        return ()


def _edges(comp: Component) -> tuple[tuple[int, int], ...]:
    if comp.edges or comp.name != "FACE" or comp.n_points < 468:
        return comp.edges
    return _face_contours()


def _draw(img: Image.Image, xy: np.ndarray, seen: np.ndarray, seq: LandmarkSequence, *, width: int, height: int,
          ox: int = 0) -> None:
    from PIL import ImageDraw

    d = ImageDraw.Draw(img)
    px = np.stack([ox + xy[:, 0] * width, xy[:, 1] * height], axis=1)
    for comp in seq.components:
        if comp.name == "POSE_WORLD":
            continue
        s = seq.component_slice(comp.name)
        color = _COLORS.get(comp.name, (200, 200, 200))
        p, v = px[s], seen[s]
        lw = 1 if comp.name == "FACE" else 2
        edges = _edges(comp)
        for a, b in edges:
            if v[a] and v[b]:
                d.line([tuple(p[a]), tuple(p[b])], fill=color, width=lw)
        if comp.name != "FACE":
            r = 2.5 if comp.name.endswith("HAND") else 3
            for (x, y), ok in zip(p, v):
                if ok:
                    d.ellipse([x - r, y - r, x + r, y + r], fill=color)
        elif not edges:
            for (x, y), ok in zip(p, v):
                if ok:
                    d.point((x, y), fill=color)


def render_frame(seq: LandmarkSequence, index: int, *, width: int, height: int,
                 background: np.ndarray | None = None) -> np.ndarray:
    """One frame of the drawing as an RGB ``(height, width, 3)`` uint8 array."""
    from PIL import Image

    if not 0 <= index < seq.n_frames:
        raise ParameterError(f"index={index} is outside the sequence's {seq.n_frames} frames")
    xy, seen = _to_unit(seq[index:index + 1])
    if background is not None:
        img = Image.fromarray(np.ascontiguousarray(background)).resize((width, height))
    else:
        img = Image.new("RGB", (width, height), _BG)
    _draw(img, xy[0], seen[0], seq, width=width, height=height)
    return np.asarray(img)


def frame_to_png(frame: np.ndarray, path: str | Path) -> Path:
    """Write an RGB frame as a PNG (atomically)."""
    from PIL import Image

    with atomic_path(path) as tmp:
        Image.fromarray(frame).save(tmp, format="PNG")
    return Path(path)


def _video_frames(path: Path, n: int, *, fps: float) -> Iterator[np.ndarray | None]:
    """Source-video frames resampled to ``fps`` by nearest timestamp (None once the video ends)."""
    import av

    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as e:
        raise DataError(f"cannot open video: {e}", path=path) from e
    with container:
        stream = container.streams.video[0]
        frames = container.decode(stream)
        cur, cur_t, nxt = None, -1.0, None
        for k in range(n):
            t = k / fps
            while True:
                if nxt is None:
                    try:
                        f = next(frames)
                    except StopIteration:
                        break
                    except av.error.FFmpegError as e:
                        raise DataError(f"cannot decode video: {e}", path=path) from e
                    nxt = (float(f.time) if f.time is not None else cur_t + 1.0 / fps, f.to_ndarray(format="rgb24"))
                if nxt[0] <= t + 0.5 / fps:
                    cur_t, cur = nxt
                    nxt = None
                    continue
                break
            yield cur


def add_audio_stream(container: Any, sr: int) -> Any:
    """A mono AAC stream at ``sr`` Hz in an output PyAV ``container`` (add it before writing packets)."""
    if int(sr) <= 0:
        raise ParameterError(f"audio sr={sr} must be positive")
    stream = container.add_stream("aac", rate=int(sr))
    stream.layout = "mono"
    return stream


def encode_audio(container: Any, stream: Any, y: np.ndarray) -> None:
    """Encode mono float samples ``y`` into ``stream`` (from :func:`add_audio_stream`) and mux them,
    zero-padded to whole codec frames, then flush the encoder."""
    import av

    y = np.asarray(y, dtype=np.float32).reshape(-1)
    fs = stream.codec_context.frame_size or 1024
    y = np.concatenate([y, np.zeros((-len(y)) % fs, np.float32)])
    for i in range(0, len(y), fs):
        af = av.AudioFrame.from_ndarray(y[None, i:i + fs], format="fltp", layout="mono")
        af.sample_rate = stream.rate
        af.pts = i
        for pkt in stream.encode(af):
            container.mux(pkt)
    for pkt in stream.encode():
        container.mux(pkt)


def render(seq: LandmarkSequence, out: str | Path, *, width: int = 512, height: int = 512,
           video: str | Path | None = None, audio: tuple[np.ndarray, int] | None = None,
           progress: Callable[[int, int], None] | None = None) -> Path:
    """Draw ``seq`` to an H.264 mp4 at ``seq.fps``. Returns the path written (atomically).

    Parameters
    ----------
    video:
        A source video shown on the left with the landmarks drawn over it, the drawing alone on the
        right (side by side; the output is then ``2 * width`` wide).
    audio:
        ``(y, sr)``: mono float samples in [-1, 1] muxed as AAC.
    progress:
        Called with ``(frames_done, frames_total)``.
    """
    import av
    from PIL import Image

    if width < 16 or height < 16 or width % 2 or height % 2:
        raise ParameterError(f"width={width} and height={height} must be even and at least 16")
    if seq.n_frames == 0:
        raise DataError("the sequence has no frames to render")
    out = Path(out)
    if out.suffix.lower() not in (".mp4", ".mov", ".mkv"):
        raise ParameterError(f"out={out} must end in .mp4, .mov or .mkv")
    xy, seen = _to_unit(seq)
    n = seq.n_frames
    rate = Fraction(seq.fps).limit_denominator(1001)
    total_w = 2 * width if video is not None else width
    src = _video_frames(Path(video), n, fps=seq.fps) if video is not None else None
    if video is not None and not Path(video).exists():
        raise DataError("no such video", path=video)
    with atomic_path(out) as tmp:
        with av.open(str(tmp), mode="w", format="mp4" if out.suffix.lower() != ".mkv" else "matroska") as c:
            vs = c.add_stream("libx264" if "libx264" in av.codecs_available else "mpeg4", rate=rate)
            vs.width, vs.height, vs.pix_fmt = total_w, height, "yuv420p"
            vs.options = {"crf": "23", "preset": "veryfast"} if vs.codec_context.name == "libx264" else {}
            ast = add_audio_stream(c, audio[1]) if audio is not None else None
            for k in range(n):
                img = Image.new("RGB", (total_w, height), _BG)
                if src is not None:
                    f = next(src)
                    if f is not None:
                        bg = Image.fromarray(f).resize((width, height))
                        img.paste(bg, (0, 0))
                    _draw(img, xy[k], seen[k], seq, width=width, height=height, ox=0)
                    _draw(img, xy[k], seen[k], seq, width=width, height=height, ox=width)
                else:
                    _draw(img, xy[k], seen[k], seq, width=width, height=height)
                frame = av.VideoFrame.from_ndarray(np.asarray(img), format="rgb24")
                for pkt in vs.encode(frame):
                    c.mux(pkt)
                if progress is not None:
                    progress(k + 1, n)
            for pkt in vs.encode():
                c.mux(pkt)
            if ast is not None and audio is not None:
                encode_audio(c, ast, audio[0])
    log.info("rendered %d frames to %s", n, out)
    return out
