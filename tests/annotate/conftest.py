from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

FPS = 25
N_FRAMES = 50


def make_video(
    path: Path,
    *,
    n_frames: int = N_FRAMES,
    fps: int = FPS,
    size: tuple[int, int] = (160, 120),
    codec: str | None = None,
) -> Path:
    """A small test video whose frame ``i`` is filled with red level ``5 * i`` (frame-accuracy checks)."""
    from signfuse.testing.media import write_video

    if codec is None:
        codec = "libx264" if path.suffix == ".mp4" else "libvpx-vp9"
    w, h = size

    def frames():
        for i in range(n_frames):
            img = np.zeros((h, w, 3), np.uint8)
            img[..., 0] = min(255, 5 * i)
            img[h // 2 :, :, 1] = 200
            yield img

    options = {"preset": "ultrafast", "crf": "10", "g": "10", "bf": "0"} if codec == "libx264" else {}
    return write_video(
        path, frames(), fps=fps, codec=codec, options=options, pts=list(range(n_frames)), time_base=Fraction(1, fps)
    )


@pytest.fixture
def media_root(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    make_video(root / "clip.mp4")
    make_video(root / "sub" / "second.mp4", n_frames=25)
    (root / "notes.txt").write_text("not a video")
    return root


@pytest.fixture
def client(media_root: Path):
    from fastapi.testclient import TestClient

    from signfuse.annotate.server import create_app

    with TestClient(create_app(media_root), headers={"X-Signfuse": "1"}) as c:
        yield c
