"""Entry -> :class:`~signfuse.streams.Sample`: the one producer of Samples for every task.

A registry of **stream builders** (:func:`register_stream`) turns an entry's landmarks (and its audio)
into named :class:`~signfuse.streams.Stream` objects on the landmark clock. Built in:

``hands``, ``body``, ``face``  landmarks, shoulder-normalized (:func:`signfuse.preprocess.to_streams`)
``au``                         face action units and head pose (:func:`signfuse.face.features`)
``audio``                      :func:`signfuse.audio.features` aligned to the landmark clock
``motion``                     hand and head kinematics (:func:`signfuse.motion.features`)
``hand_flexion``               finger flexion angles and handshape of both hands (:mod:`signfuse.hands`)

and derived ``<stream>_vel`` / ``<stream>_acc`` of any of them (first / second temporal difference
times fps; valid where every frame involved is valid). Any registered name can be given to
``--streams``, ``ablate`` and ``emotion``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence, cast

import numpy as np

from ..errors import DataError, ParameterError
from ..datasets import read_entry
from ..streams import Sample, Stream, align

if TYPE_CHECKING:
    from ..sequence import LandmarkSequence

__all__ = ["BASE_STREAMS", "DEFAULT_FACE_REGIONS", "register_stream", "stream_builders", "parse_streams",
           "sample_from_entry", "build_samples", "derived_stream", "read_entry"]

log = logging.getLogger(__name__)

DERIVED = {"vel": 1, "acc": 2}
DEFAULT_FACE_REGIONS = ("lips", "eyes", "brows", "nose")
LANDMARK_STREAMS = ("hands", "body", "face")

#: name -> builder(seq, entry, face_regions=..., normalize=...) -> Stream on the landmark clock
_BUILDERS: dict[str, Callable[..., Stream]] = {}


def register_stream(name: str) -> Callable[[Callable[..., Stream]], Callable[..., Stream]]:
    """Decorator: ``builder(seq, entry, *, face_regions, normalize) -> Stream`` under ``name``."""
    if "_" in name and name.rsplit("_", 1)[1] in DERIVED:
        raise ParameterError(f"stream name {name!r} ends in a derived suffix ({', '.join(DERIVED)})")

    def deco(fn: Callable[..., Stream]) -> Callable[..., Stream]:
        _BUILDERS[name] = fn
        return fn
    return deco


def stream_builders() -> tuple[str, ...]:
    """The registered base stream names, in registration order."""
    return tuple(_BUILDERS)


def _landmarks(part: str) -> Callable[..., Stream]:
    def build(seq: LandmarkSequence, entry: Any, *, face_regions: Sequence[str], normalize: bool) -> Stream:
        from .. import preprocess
        return preprocess.to_streams(seq, streams=(part,), face_regions=tuple(face_regions), normalize=normalize)[part]
    return build


for _p in LANDMARK_STREAMS:
    register_stream(_p)(_landmarks(_p))


@register_stream("au")
def _au(seq: LandmarkSequence, entry: Any, *, face_regions: Sequence[str], normalize: bool) -> Stream:
    from .. import face
    return face.features(seq).replace(name="au")


@register_stream("audio")
def _audio(seq: LandmarkSequence, entry: Any, *, face_regions: Sequence[str], normalize: bool) -> Stream:
    from .. import audio
    meta = dict(getattr(entry, "meta", {}) or {})
    wav = meta.get("audio")
    if not wav:
        raise DataError(f"entry {entry.id!r} has no audio (meta['audio']) but the 'audio' stream was asked for")
    y, sr = audio.load(wav, sr=16000)
    a = audio.features(y, sr=sr).replace(name="audio")
    t0 = int(getattr(entry, "start_frame", 0) or 0) / seq.fps
    return align([a], fps=seq.fps, start=t0, duration=seq.n_frames / seq.fps)["audio"]


@register_stream("motion")
def _motion(seq: LandmarkSequence, entry: Any, *, face_regions: Sequence[str], normalize: bool) -> Stream:
    from .. import motion
    return motion.features(seq).replace(name="motion")


@register_stream("hand_flexion")
def _hand_flexion(seq: LandmarkSequence, entry: Any, *, face_regions: Sequence[str], normalize: bool) -> Stream:
    from .. import hands
    return hands.flexion(seq)


@register_stream("handshape")
def _handshape(seq: LandmarkSequence, entry: Any, *, face_regions: Sequence[str], normalize: bool) -> Stream:
    from .. import hands
    return hands.handshape(seq)


BASE_STREAMS = stream_builders()


def parse_streams(spec: str | Sequence[str]) -> tuple[str, ...]:
    """``"hands,body,face_vel"`` -> ``("hands", "body", "face_vel")``; unknown names raise ParameterError."""
    names = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec) if s and s.strip()]
    if not names:
        raise ParameterError("streams must name at least one stream, e.g. 'hands,body,face'")
    base = stream_builders()
    known = list(base) + [f"{b}_{d}" for b in base for d in DERIVED]
    for n in names:
        if n not in known:
            raise ParameterError(f"unknown stream {n!r}; known streams: {', '.join(base)} "
                                 f"and derived <stream>_vel, <stream>_acc (e.g. hands_vel)")
    if len(set(names)) != len(names):
        raise ParameterError(f"streams {names} name a stream twice")
    return tuple(names)


def _mask(s: Stream) -> np.ndarray:
    """``s.mask``: ``Stream.__post_init__`` always sets it (``None`` is only the constructor's default)."""
    return cast(np.ndarray, s.mask)


def _base(name: str) -> str:
    return name.rsplit("_", 1)[0] if name.rsplit("_", 1)[-1] in DERIVED else name


def derived_stream(s: Stream, order: int) -> Stream:
    """``order``-th temporal difference of ``s`` times ``fps ** order``; ``<name>_vel`` / ``<name>_acc``."""
    v = s.values.astype(np.float32)
    m = _mask(s).copy()
    for _ in range(order):
        d = np.zeros_like(v)
        d[1:] = (v[1:] - v[:-1]) * s.fps
        mm = np.zeros_like(m)
        mm[1:] = m[1:] & m[:-1]
        v, m = d, mm
    suffix = {1: "vel", 2: "acc"}[order]
    return Stream(f"{s.name}_{suffix}", v, tuple(f"d{order}_{n}" for n in s.names), s.fps, times=s.times, mask=m)


def sample_from_entry(entry: Any, *, streams: Sequence[str], face_regions: Sequence[str] = DEFAULT_FACE_REGIONS,
                      fps: float | None = None, normalize: bool = True, mirror: bool = False,
                      seq: LandmarkSequence | None = None) -> Sample:
    """Read one dataset :class:`~signfuse.datasets.Entry` into a :class:`Sample` with the named streams.

    ``fps`` is used only for landmark files that carry no frame rate (Kaggle parquet) when the entry
    has none either. ``mirror`` flips the signer left/right first (:func:`signfuse.preprocess.mirror`):
    the sample's id gets a ``~mirror`` suffix and ``meta['mirror_of']`` names the original. ``seq``: the
    entry's landmarks already in memory (a :class:`~signfuse.sequence.LandmarkSequence`, e.g. from a live
    source); its path is then not read.
    """
    from .. import preprocess
    streams = parse_streams(streams)
    seq = read_entry(entry, fps=fps) if seq is None else seq
    if mirror:
        seq = preprocess.mirror(seq)
    bases = {_base(s) for s in streams}
    out: dict[str, Stream] = {}
    for b in bases:
        st = _BUILDERS[b](seq, entry, face_regions=face_regions, normalize=normalize)
        out[b] = st if st.name == b else st.replace(name=b)
    n = seq.n_frames
    final: dict[str, Stream] = {}
    for s in streams:
        b = _base(s)
        base = out[b]
        if base.n_frames != n:  # pad/crop to the landmark clock
            vals = np.full((n, base.n_features), np.nan, np.float32)
            mask = np.zeros(n, bool)
            k = min(n, base.n_frames)
            vals[:k], mask[:k] = base.values[:k], _mask(base)[:k]
            base = Stream(b, vals, base.names, seq.fps, mask=mask)
        final[s] = base if s == b else derived_stream(base, DERIVED[s.rsplit("_", 1)[1]]).replace(name=s)
    meta = dict(getattr(entry, "meta", {}) or {})
    if mirror:
        meta["mirror_of"] = str(entry.id)
    return Sample(id=str(entry.id) + ("~mirror" if mirror else ""), streams=final, signer=entry.signer, domain=entry.domain, split=entry.split,
                  gloss=entry.gloss, glosses=tuple(entry.glosses) if entry.glosses else None,
                  emotion=meta.get("emotion"), intensity=meta.get("intensity"), meta=meta)


def build_samples(entries: Iterable[Any], *, streams: Sequence[str], fps: float | None = None,
                  face_regions: Sequence[str] = DEFAULT_FACE_REGIONS, normalize: bool = True, mirror: bool = False,
                  progress: Callable[[int, int], None] | None = None) -> list[Sample]:
    """:func:`sample_from_entry` over many entries (errors name the entry); with ``mirror`` every entry
    also yields its left/right mirrored twin (for flip augmentation; not part of any split)."""
    entries = list(entries)
    out = []
    for i, e in enumerate(entries):
        out.append(sample_from_entry(e, streams=streams, face_regions=face_regions, fps=fps, normalize=normalize))
        if mirror:
            out.append(sample_from_entry(e, streams=streams, face_regions=face_regions, fps=fps, normalize=normalize,
                                         mirror=True))
        if progress:
            progress(i + 1, len(entries))
    return out


