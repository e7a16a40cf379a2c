"""Small real-photo test material for the vision tests, made on the fly with PyAV (no downloads).

The photographs are scikit-image's ``astronaut()`` (Eileen Collins, NASA, public domain) and
matplotlib's ``grace_hopper.jpg``; videos move the photo across a grey canvas so tracking has work.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

W, H = 320, 240


def astronaut() -> np.ndarray:
    from skimage import data
    return data.astronaut()


def grace_hopper() -> np.ndarray:
    import matplotlib.cbook as cbook
    from PIL import Image
    with Image.open(cbook.get_sample_data("grace_hopper.jpg")) as im:
        return np.asarray(im.convert("RGB"))


def moving_frames(photo: np.ndarray, n: int, *, width: int = W, height: int = H) -> list[np.ndarray]:
    """``n`` frames with the photo (scaled to the canvas height) sliding right by 2 px a frame."""
    from PIL import Image
    side = height
    small = np.asarray(Image.fromarray(photo).resize((side * photo.shape[1] // photo.shape[0], side),
                                                     Image.BILINEAR))
    frames = []
    for i in range(n):
        canvas = np.full((height, width, 3), 128, np.uint8)
        x0 = (width - small.shape[1]) // 2 - n + 2 * i
        x0 = max(0, min(width - small.shape[1], x0))
        canvas[:, x0:x0 + small.shape[1]] = small[:, : width - x0]
        frames.append(canvas)
    return frames


def write_video(path: Path, frames: list[np.ndarray], *, fps: int = 25, codec: str = "libx264",
                pts: list[int] | None = None, time_base: Fraction | None = None,
                rotation: int | None = None) -> Path:
    """Encode RGB frames with PyAV. ``pts`` (in ``time_base`` units) makes variable-frame-rate files."""
    import av

    with av.open(str(path), mode="w") as out:
        st = out.add_stream(codec, rate=fps)
        st.width, st.height = frames[0].shape[1], frames[0].shape[0]
        st.pix_fmt = "yuv420p"
        if codec == "libx264":
            st.options = {"preset": "ultrafast", "bf": "0"}
        if time_base is not None:
            st.codec_context.time_base = time_base
            st.time_base = time_base
        if rotation is not None:
            st.set_display_rotation(rotation)
        for i, img in enumerate(frames):
            fr = av.VideoFrame.from_ndarray(img, format="rgb24")
            if pts is not None:
                fr.pts = pts[i]
                fr.time_base = time_base
            for pkt in st.encode(fr):
                out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)
    return path


