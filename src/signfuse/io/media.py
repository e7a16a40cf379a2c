"""The one table of file extensions: videos, images, audio and landmark files.

Every module that asks "is this a video?" reads these sets (extraction, recognition, annotation,
dataset folders), so they cannot disagree. Browsers play only some video containers: the annotation
tool serves what :data:`BROWSER_VIDEO_TYPES` maps.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "VIDEO_EXTENSIONS",
    "IMAGE_EXTENSIONS",
    "AUDIO_EXTENSIONS",
    "LANDMARK_EXTENSIONS",
    "BROWSER_VIDEO_TYPES",
    "media_kind",
]

VIDEO_EXTENSIONS: frozenset[str] = frozenset({".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".ogv"})
IMAGE_EXTENSIONS: frozenset[str] = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"})
AUDIO_EXTENSIONS: frozenset[str] = frozenset({".wav", ".flac", ".ogg", ".mp3", ".m4a", ".aac", ".opus"})
LANDMARK_EXTENSIONS: frozenset[str] = frozenset({".pose", ".parquet", ".npz"})
BROWSER_VIDEO_TYPES: dict[str, str] = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
    ".mkv": "video/x-matroska",
    ".ogv": "video/ogg",
    ".ogg": "video/ogg",
    ".avi": "video/x-msvideo",
}


def media_kind(path: str | os.PathLike[str]) -> str | None:
    """``"video"``, ``"image"``, ``"audio"``, ``"landmarks"`` or None, by extension (case-insensitive)."""
    suf = Path(path).suffix.lower()
    for kind, table in (
        ("video", VIDEO_EXTENSIONS),
        ("image", IMAGE_EXTENSIONS),
        ("audio", AUDIO_EXTENSIONS),
        ("landmarks", LANDMARK_EXTENSIONS),
    ):
        if suf in table:
            return kind
    return None
