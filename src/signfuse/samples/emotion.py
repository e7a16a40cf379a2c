"""Emotion / intensity samples: three streams of one clip on the landmark clock, and the labels.

``gesture``  from :func:`signfuse.motion.features`: speed, acceleration, jerk, amplitude, energy and
             presence of each hand and the head, plus both hands' summed speed and energy
``face``     :func:`signfuse.face.features`: head pose and action-unit intensities (the ``au`` builder)
``voice``    :func:`signfuse.audio.features` pooled onto the landmark clock: F0 (semitones), voicing,
             RMS energy, spectral centroid, flux, zero-crossing rate, onset strength, 13 MFCCs

Any other stream of the builder registry (:mod:`signfuse.samples.builders`, e.g. ``hand_flexion``) can
be named too. Labels: ``emotion`` (the sample's emotion class) or ``intensity`` (movement intensity in
three bins: low < 1/3 <= mid < 2/3 <= high).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..datasets import read_entry
from ..errors import DataError, ParameterError
from .builders import _mask, register_stream, stream_builders

if TYPE_CHECKING:
    from ..sequence import LandmarkSequence
    from ..streams import Stream

__all__ = [
    "builder_of",
    "STREAMS",
    "LABELS",
    "INTENSITY_BINS",
    "EmotionSample",
    "sample_streams",
    "load_samples",
    "samples_from_data",
    "known_streams",
]

log = logging.getLogger(__name__)

STREAMS = ("gesture", "face", "voice")
LABELS = ("emotion", "intensity")
INTENSITY_BINS = ("low", "mid", "high")
_GESTURE_COLS = tuple(
    f"{t}_{c}" for t in ("lh", "rh", "head") for c in ("speed", "acc", "jerk", "amplitude", "energy", "present")
) + ("hands_speed", "hands_energy")
_VOICE_COLS = ("f0_semitones", "voicing", "rms_db", "centroid", "flux", "zcr", "onset") + tuple(
    f"mfcc_{i:02d}" for i in range(13)
)


@dataclass
class EmotionSample:
    id: str
    split: str
    signer: str | None
    label: str
    x: dict[str, np.ndarray]  # stream -> (T, F) float32, NaN where unknown
    mask: dict[str, np.ndarray]  # stream -> (T,) bool


def _label(entry: Any, target: str) -> str:
    meta = entry.meta or {}
    if target == "emotion":
        if not meta.get("emotion"):
            raise DataError(f"sample {entry.id} has no emotion label", path=entry.path)
        return str(meta["emotion"])
    v = meta.get("intensity")
    if v is None or not math.isfinite(float(v)):
        raise DataError(f"sample {entry.id} has no intensity value", path=entry.path)
    return INTENSITY_BINS[min(2, int(float(v) * 3))]


@register_stream("gesture")
def _gesture(seq: LandmarkSequence, entry: Any, *, face_regions: Sequence[str], normalize: bool) -> Stream:
    from .. import motion

    return motion.features(seq).select(_GESTURE_COLS).replace(name="gesture")


@register_stream("voice")
def _voice(seq: LandmarkSequence, entry: Any, *, face_regions: Sequence[str], normalize: bool) -> Stream:
    from ..audio import features as audio_features
    from ..audio import load
    from ..streams import Stream, align

    meta = getattr(entry, "meta", None) or {}
    if meta.get("waveform") is not None:
        wav, sr = meta["waveform"]
    elif meta.get("audio"):
        wav, sr = load(meta["audio"], sr=16000)
    else:
        raise DataError(f"entry {getattr(entry, 'id', '?')!r} has no audio for the 'voice' stream")
    a = audio_features(wav, sr=sr, hop_ms=10.0).select(_VOICE_COLS)
    T = seq.n_frames
    a = align([a], fps=seq.fps, duration=T / seq.fps)[a.name]
    v = np.full((T, a.n_features), np.nan, np.float32)
    m = np.zeros(T, bool)
    v[: a.n_frames], m[: a.n_frames] = a.values[:T], _mask(a)[:T]
    return Stream("voice", v, a.names, seq.fps, mask=m)


#: emotion's stream names -> builder names (``face`` here means face features, the ``au`` builder)
_BUILDER_OF = {"gesture": "gesture", "face": "au", "voice": "voice"}


def builder_of(stream: str) -> str:
    """The stream builder an emotion stream name stands for (``face`` is the ``au`` builder)."""
    return _BUILDER_OF.get(stream, stream)


def known_streams() -> tuple[str, ...]:
    """Streams an emotion model can use: the three above and every other registered builder."""
    return STREAMS + tuple(b for b in stream_builders() if b not in ("gesture", "au", "voice"))


def sample_streams(
    seq: LandmarkSequence, wav: np.ndarray | None, sr: int | None, *, streams: Sequence[str] = STREAMS
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The streams of one clip on the landmark clock, through the builder registry. ``face`` is skipped
    when the landmarks have no face, ``voice`` when there is no audio."""
    from .builders import _BUILDERS, DEFAULT_FACE_REGIONS

    entry = SimpleNamespace(id="clip", meta={"waveform": (wav, sr)} if wav is not None else {})
    xs: dict[str, np.ndarray] = {}
    ms: dict[str, np.ndarray] = {}
    for st in streams:
        if st == "face" and not seq.has("FACE"):
            continue
        if st == "voice" and wav is None:
            continue
        b = builder_of(st)
        if b not in _BUILDERS:
            raise ParameterError(f"unknown stream {st!r}; known: {', '.join(known_streams())}")
        s = _BUILDERS[b](seq, entry, face_regions=DEFAULT_FACE_REGIONS, normalize=True)
        xs[st], ms[st] = s.values.astype(np.float32), _mask(s)
    return xs, ms


def load_samples(
    entries: Sequence[Any],
    *,
    target: str = "emotion",
    streams: Sequence[str] = STREAMS,
    progress: Callable[[int, int], None] | None = None,
) -> list[EmotionSample]:
    """Read entries into samples; broken files are logged and skipped."""
    from ..audio import load

    if target not in LABELS:
        raise ParameterError(f"target={target!r} must be one of {LABELS}")
    out = []
    for i, e in enumerate(entries):
        try:
            seq = read_entry(e)
            apath = (e.meta or {}).get("audio")
            wav, sr = load(apath, sr=16000) if apath and "voice" in streams else (None, None)
            xs, ms = sample_streams(seq, wav, sr, streams=streams)
            out.append(EmotionSample(e.id, e.split or "train", e.signer, _label(e, target), xs, ms))
        except DataError as err:
            log.warning("skipping %s: %s", e.id, err)
        if progress:
            progress(i + 1, len(entries))
    return out


def samples_from_data(
    data: str | os.PathLike[str],
    *,
    target: str = "emotion",
    kinds: Sequence[str] = ("isolated",),
    limit_per_split: int | None = None,
    seed: int = 0,
    streams: Sequence[str] = STREAMS,
    progress: Callable[[int, int], None] | None = None,
) -> list[EmotionSample]:
    """Samples from a synthetic corpus folder (entries with emotion/intensity labels)."""
    root = Path(data)
    if not (root / "corpus.json").exists():
        raise DataError("emotion training needs a corpus with emotion labels (corpus.json not found)", path=root)
    from ..datasets.synthetic import load_corpus

    entries = [e for e in load_corpus(root) if (e.meta or {}).get("kind") in kinds]
    if limit_per_split:
        rng = np.random.default_rng(seed)
        picked = []
        for split in ("train", "val", "test"):
            es = [e for e in entries if e.split == split]
            idx = rng.permutation(len(es))[:limit_per_split]
            picked += [es[i] for i in sorted(idx)]
        entries = picked
    return load_samples(entries, target=target, streams=streams, progress=progress)
