"""Draw a :class:`~signfuse.sequence.LandmarkSequence` as a video (PyAV) or as still frames.

Skeleton (body edges), both hands and the face mesh contours are drawn with Pillow on a dark
background, or over the frames of a source video placed side by side with the drawing. An audio track
``(y, sr)`` can be muxed in (AAC), which is how audio-to-gesture predictions are shown with their input.

Coordinates: values within about ``[-0.5, 1.5]`` are taken as normalized image units (MediaPipe,
Kaggle); larger ones as pixels of a ``seq.width x seq.height`` image (pose-format files).

The neck (shoulder midpoint to the mouth, or the nose) is drawn although no landmark layout has it as an
edge. Videos carry a legend of the hand colours and a caption with the time (and a text such as the
gloss). Sizes are bounded before anything is allocated: a side at most :data:`MAX_SIDE` pixels, a frame
rate at most :data:`MAX_FPS`, and an estimate of the memory a render needs (:func:`render_memory`) must
fit in half of the memory available, so a mistyped ``--size`` fails at once instead of growing to
gigabytes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
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

__all__ = [
    "render",
    "render_frame",
    "frame_to_png",
    "add_audio_stream",
    "encode_audio",
    "render_memory",
    "MAX_SIDE",
    "MAX_FPS",
]

log = logging.getLogger(__name__)

_COLORS = {
    "POSE": (220, 220, 220),
    "FACE": (120, 200, 140),
    "LEFT_HAND": (255, 150, 60),
    "RIGHT_HAND": (80, 160, 255),
    "POSE_WORLD": (150, 150, 150),
}
_BG = (24, 26, 32)
_LEGEND = (("left hand", "LEFT_HAND"), ("right hand", "RIGHT_HAND"))

#: the largest panel side (pixels) a render accepts (4K; larger panels are never useful for landmarks)
MAX_SIDE = 4096
#: the highest frame rate a render accepts
MAX_FPS = 1000.0
# bytes per output pixel held at once: the Pillow image, its numpy copy, a resized source frame, and the
# encoder's YUV 4:2:0 frames (x264 "veryfast" keeps ~10 lookahead plus reference frames; 24 is generous)
_BYTES_PER_PIXEL = 3 + 3 + 3 + 1.5 * 24


def render_memory(*, width: int, height: int, n_frames: int, n_points: int, side_by_side: bool = False) -> int:
    """An estimate, in bytes, of the memory :func:`render` needs beyond the sequence itself: the frame
    buffers of the drawing and the encoder, plus the per-frame coordinates it precomputes."""
    total_w = 2 * width if side_by_side else width
    return int(total_w * height * _BYTES_PER_PIXEL + n_frames * n_points * (2 * 8 + 1))


def _available_memory() -> int | None:
    """Bytes of memory available now (Linux ``MemAvailable``, else free pages), or None when unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_render_size(
    *, width: int, height: int, fps: float, n_frames: int, n_points: int, side_by_side: bool = False
) -> int:
    """Raise ParameterError unless a render of this size can run; returns the memory estimate (bytes)."""
    for name, v in (("width", width), ("height", height)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 16 <= v <= MAX_SIDE or v % 2:
            raise ParameterError(f"{name}={v!r} must be an even number of pixels from 16 to {MAX_SIDE}")
    if not np.isfinite(fps) or not 0 < fps <= MAX_FPS:
        raise ParameterError(f"fps={fps!r} must be above 0 and at most {MAX_FPS:g} to render a video")
    need = render_memory(width=width, height=height, n_frames=n_frames, n_points=n_points, side_by_side=side_by_side)
    avail = _available_memory()
    if avail is not None and need > avail / 2:
        raise ParameterError(
            f"rendering {n_frames} frames at {width}x{height} needs about {need / 2**30:.1f} GiB; "
            f"only {avail / 2**30:.1f} GiB of memory is available (use a smaller size)"
        )
    return need


def _to_unit(seq: LandmarkSequence) -> tuple[np.ndarray, np.ndarray]:
    """``(frames, points, 2)`` coordinates in [0, 1] image units and ``(frames, points)`` visibility."""
    if seq.data.ndim != 4 or seq.data.shape[1] < 1 or seq.data.shape[3] < 2:
        raise DataError(
            f"cannot draw points of {seq.data.shape[3] if seq.data.ndim == 4 else '?'} dimension(s) "
            f"and {seq.data.shape[1] if seq.data.ndim == 4 else '?'} people: rendering needs x and y "
            "of at least one person"
        )
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


def _neck(comp: Component, p: np.ndarray, v: np.ndarray) -> list[tuple[float, float]] | None:
    """The neck as a line from the shoulder midpoint to the mouth midpoint (or the nose), in pixels."""
    idx = {name: i for i, name in enumerate(comp.points)}

    def found(*names: str) -> list[int] | None:
        ids = [idx.get(n) for n in names]
        return [i for i in ids if i is not None] if all(i is not None and v[i] for i in ids) else None

    sh = found("LEFT_SHOULDER", "RIGHT_SHOULDER")
    head = found("MOUTH_LEFT", "MOUTH_RIGHT") or found("NOSE")
    if sh is None or head is None:
        return None
    a, b = p[sh].mean(axis=0), p[head].mean(axis=0)
    return [(float(a[0]), float(a[1])), (float(b[0]), float(b[1]))]


def _caption_at(caption: str | Sequence[tuple[float, float, str]] | None, t: float) -> str | None:
    """The caption text at time ``t`` (s): a fixed text, or the values of the spans that cover ``t``."""
    if caption is None or isinstance(caption, str):
        return caption
    return " ".join(str(v) for a, b, v in caption if a <= t < b) or None


def _font(px: int) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=px)
    except (TypeError, OSError):  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def _annotate(
    img: Image.Image, seq: LandmarkSequence, k: int, *, ox: int, width: int, height: int, caption: str | None
) -> None:
    """The hand-colour legend (top right of the drawing panel) and the caption with the time (bottom)."""
    from PIL import ImageDraw

    if width < 160:  # too small for text to be readable; keep the drawing clean
        return
    d = ImageDraw.Draw(img)
    fs = max(10, width // 36)
    font = _font(fs)
    names = set(seq.component_names)
    y = fs // 2
    for label, comp in _LEGEND:
        if comp not in names:
            continue
        tw = d.textlength(label, font=font)
        x = ox + width - fs // 2 - tw
        d.rectangle([x - fs - 4, y + fs * 0.2, x - 4, y + fs * 1.0], fill=_COLORS[comp])
        d.text((x, y), label, fill=(230, 230, 230), font=font)
        y += int(fs * 1.4)
    t = f"{k / seq.fps:6.2f} s  (frame {k + 1}/{seq.n_frames})"
    text = f"{caption}   {t}" if caption else t
    d.text((ox + fs // 2, height - int(fs * 1.6)), text, fill=(230, 230, 230), font=font)


def _draw(
    img: Image.Image, xy: np.ndarray, seen: np.ndarray, seq: LandmarkSequence, *, width: int, height: int, ox: int = 0
) -> None:
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
        if comp.name == "POSE":
            neck = _neck(comp, p, v)
            if neck is not None:
                d.line(neck, fill=color, width=lw)
        if comp.name != "FACE":
            r = 2.5 if comp.name.endswith("HAND") else 3
            for (x, y), ok in zip(p, v):
                if ok:
                    d.ellipse([x - r, y - r, x + r, y + r], fill=color)
        elif not edges:
            for (x, y), ok in zip(p, v):
                if ok:
                    d.point((x, y), fill=color)


def render_frame(
    seq: LandmarkSequence, index: int, *, width: int, height: int, background: np.ndarray | None = None
) -> np.ndarray:
    """One frame of the drawing as an RGB ``(height, width, 3)`` uint8 array."""
    from PIL import Image

    if not 0 <= index < seq.n_frames:
        raise ParameterError(f"index={index} is outside the sequence's {seq.n_frames} frames")
    xy, seen = _to_unit(seq[index : index + 1])
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
        af = av.AudioFrame.from_ndarray(y[None, i : i + fs], format="fltp", layout="mono")
        af.sample_rate = stream.rate
        af.pts = i
        for pkt in stream.encode(af):
            container.mux(pkt)
    for pkt in stream.encode():
        container.mux(pkt)


def render(
    seq: LandmarkSequence,
    out: str | Path,
    *,
    width: int = 512,
    height: int = 512,
    video: str | Path | None = None,
    audio: tuple[np.ndarray, int] | None = None,
    caption: str | Sequence[tuple[float, float, str]] | None = None,
    legend: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Draw ``seq`` to an H.264 mp4 at ``seq.fps``. Returns the path written (atomically).

    Parameters
    ----------
    video:
        A source video shown on the left with the landmarks drawn over it, the drawing alone on the
        right (side by side; the output is then ``2 * width`` wide).
    audio:
        ``(y, sr)``: mono float samples in [-1, 1] muxed as AAC.
    caption:
        A text (such as the gloss) shown at the bottom beside the time, or ``(start_s, end_s, text)`` spans
        (glosses in time) of which those covering a frame's time are shown; the time is shown with ``legend``.
    legend:
        Draw the hand-colour legend and the time (on panels at least 160 pixels wide).
    progress:
        Called with ``(frames_done, frames_total)``.
    """
    import av
    from PIL import Image

    if seq.n_frames == 0:
        raise DataError("the sequence has no frames to render")
    check_render_size(
        width=width,
        height=height,
        fps=seq.fps,
        n_frames=seq.n_frames,
        n_points=seq.data.shape[2],
        side_by_side=video is not None,
    )
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
                if legend or caption:
                    _annotate(
                        img,
                        seq,
                        k,
                        ox=width if src is not None else 0,
                        width=width,
                        height=height,
                        caption=_caption_at(caption, k / seq.fps),
                    )
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
