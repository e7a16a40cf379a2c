"""Small real-photo videos made on the fly (no downloads), for tests, benchmarks and quick checks.

The photographs ship with installed packages: scikit-image's ``astronaut()`` (Eileen Collins, NASA,
public domain) and matplotlib's ``grace_hopper.jpg``. :func:`moving_frames` slides one across a grey
canvas so that tracking has work; :func:`write_video` encodes any frames with PyAV, with the knobs the
tests need (codec options, explicit timestamps for variable frame rate, a display rotation).

>>> from signfuse.testing.media import photo, moving_frames, write_video
>>> write_video("astronaut.mp4", moving_frames(photo("astronaut"), 12), fps=25)   # doctest: +SKIP
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..errors import ParameterError
from ..io.render import add_audio_stream, encode_audio

__all__ = ["photo", "moving_frames", "write_video"]

PHOTOS = ("astronaut", "grace_hopper")


def photo(name: str = "astronaut") -> np.ndarray:
    """An RGB uint8 photograph of a real person: ``"astronaut"`` (512x512) or ``"grace_hopper"`` (600x512)."""
    if name == "astronaut":
        from skimage import data
        return data.astronaut()
    if name == "grace_hopper":
        import matplotlib.cbook as cbook
        from PIL import Image
        with Image.open(cbook.get_sample_data("grace_hopper.jpg")) as im:
            return np.asarray(im.convert("RGB"))
    raise ParameterError(f"unknown photo {name!r}; known: {list(PHOTOS)}")


def moving_frames(image: np.ndarray, n: int, *, width: int = 320, height: int = 240, step: float = 2.0,
                  background: int = 128) -> list[np.ndarray]:
    """``n`` frames ``(height, width, 3)``: ``image`` scaled to the canvas height, sliding right by
    ``step`` pixels a frame, centred at the middle frame (clipped at the canvas edges)."""
    from PIL import Image

    if n < 1 or width < 1 or height < 1:
        raise ParameterError(f"n={n}, width={width} and height={height} must be positive")
    side_w = max(1, height * image.shape[1] // image.shape[0])
    small = np.asarray(Image.fromarray(image).resize((side_w, height), Image.BILINEAR))
    frames = []
    for i in range(n):
        canvas = np.full((height, width, 3), background, np.uint8)
        x0 = (width - side_w) // 2 + int(round((i - n / 2) * step))
        x0 = max(0, min(max(0, width - side_w), x0))
        part = small[:, : width - x0]
        canvas[:, x0:x0 + part.shape[1]] = part
        frames.append(canvas)
    return frames


def write_video(path: str | os.PathLike[str], frames: Iterable[np.ndarray], *, fps: int = 25,
                codec: str = "libx264", options: dict[str, str] | None = None,
                pts: list[int] | None = None, time_base: Fraction | None = None,
                rotation: int | None = None, audio: tuple[np.ndarray, int] | None = None) -> Path:
    """Encode RGB uint8 frames (any iterable, so long videos need not sit in memory) with PyAV.

    ``options`` are the encoder's (default for libx264: ``preset=ultrafast, bf=0``, so frames come
    out in order); ``pts`` (in ``time_base`` units, default ``1/fps``) gives each frame its own
    timestamp, which makes variable-frame-rate files; ``rotation`` stores a display rotation (degrees)
    as phones do; ``audio`` ``(y, sr)`` (mono float samples) is muxed in as an AAC soundtrack.
    """
    import av

    path = Path(path)
    it = iter(frames)
    try:
        first = next(it)
    except StopIteration:
        raise ParameterError("write_video needs at least one frame") from None
    with av.open(str(path), mode="w") as out:
        st = out.add_stream(codec, rate=fps)
        st.width, st.height = first.shape[1], first.shape[0]
        st.pix_fmt = "yuv420p"
        if options is not None:
            st.options = dict(options)
        elif codec == "libx264":
            st.options = {"preset": "ultrafast", "bf": "0"}
        tb = time_base if time_base is not None else (Fraction(1, fps) if pts is not None else None)
        if tb is not None:
            st.codec_context.time_base = tb
            st.time_base = tb
        if rotation is not None:
            st.set_display_rotation(rotation)
        ast = add_audio_stream(out, audio[1]) if audio is not None else None
        for i, img in enumerate(itertools.chain([first], it)):
            fr = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
            if pts is not None:
                fr.pts = pts[i]
                fr.time_base = tb
            for pkt in st.encode(fr):
                out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)
        if ast is not None:
            encode_audio(out, ast, audio[0])
    return path
