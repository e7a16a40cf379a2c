"""Video and image to landmarks: decoding (PyAV), MediaPipe Holistic and Hands, batch runners (local, Ray), live.

>>> from signfuse import vision
>>> seq = vision.extract("clip.mp4")                       # doctest: +SKIP
>>> hand = vision.extract("handshape.jpg", model="hands")  # MediaPipe Hands   # doctest: +SKIP
>>> summary = vision.extract_batch(["videos/"], "out/", workers=2)   # doctest: +SKIP
>>> for frame in vision.iter_frames(0):                    # camera 0   # doctest: +SKIP
...     ...

MediaPipe is imported only when a model runs, so ``import signfuse.vision`` is cheap. Coordinates follow
pose-format's MediaPipe convention (see :mod:`signfuse.vision.holistic`).
"""

from __future__ import annotations

from .batch import BatchSummary, collect_jobs, extract_batch, read_manifest
from .decode import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS, iter_video_frames, probe_video, read_image
from .extract import extract, extract_image, extract_video
from .hands import HandsRunner, hands_components, model_of
from .holistic import HolisticRunner, check_model_complexity, holistic_components
from .live import LiveFrame, frames_to_sequence, iter_frames

__all__ = [
    "extract", "extract_image", "extract_video", "extract_batch", "collect_jobs", "read_manifest",
    "BatchSummary", "iter_frames", "LiveFrame", "frames_to_sequence", "HolisticRunner", "HandsRunner",
    "hands_components", "model_of",
    "check_model_complexity", "holistic_components", "probe_video", "iter_video_frames", "read_image",
    "VIDEO_EXTENSIONS", "IMAGE_EXTENSIONS",
]
