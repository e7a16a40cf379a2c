from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ._media import H, W, astronaut, grace_hopper, moving_frames, write_video


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> dict[str, Path]:
    """A folder of small test media shared by the vision tests (made once per session)."""
    d = tmp_path_factory.mktemp("media")
    from PIL import Image

    out: dict[str, Path] = {}
    out["astronaut_mp4"] = write_video(d / "astronaut.mp4", moving_frames(astronaut(), 12), fps=25)
    out["hopper_mkv"] = write_video(d / "hopper.mkv", moving_frames(grace_hopper(), 10), fps=30, codec="mpeg4")
    out["empty_scene_mp4"] = write_video(d / "empty.mp4", [np.full((H, W, 3), 90, np.uint8)] * 8, fps=25)
    Image.fromarray(astronaut()).save(d / "astronaut.png")
    out["astronaut_png"] = d / "astronaut.png"
    Image.fromarray(grace_hopper()).save(d / "hopper.jpg", quality=90)
    out["hopper_jpg"] = d / "hopper.jpg"
    return out
