"""Samples for every task: Entry -> Sample of aligned Streams (one builder registry), and the cache.

``sample_from_entry`` is the one place that reads an entry's landmarks and audio into named streams;
recognition, audio-to-gesture, emotion and live recognition all build their inputs through it.
"""

from . import a2g, emotion  # noqa: F401,E402  (register their stream builders: gesture, voice)
from .builders import (
    BASE_STREAMS,
    DEFAULT_FACE_REGIONS,
    build_samples,
    derived_stream,
    parse_streams,
    read_entry,
    register_stream,
    sample_from_entry,
    stream_builders,
)
from .cache import CACHE_VERSION, StreamCache, build_cache

__all__ = [
    "BASE_STREAMS",
    "DEFAULT_FACE_REGIONS",
    "register_stream",
    "stream_builders",
    "parse_streams",
    "sample_from_entry",
    "build_samples",
    "derived_stream",
    "read_entry",
    "StreamCache",
    "build_cache",
    "CACHE_VERSION",
]
