"""Named, time-stamped feature matrices (:class:`Stream`), putting them on one clock (:func:`align`),
and the unit that datasets yield and models consume (:class:`Sample`).

Every feature in signfuse is a Stream: face action units, head pose, motion kinematics, landmark
subsets and frame audio features. That is what lets one ``align(streams, fps=25)`` combine audio at
100 Hz with video at 30 fps, lets ``ablate`` drop a modality by name, and lets one writer save any of
them (:func:`signfuse.io.write_stream`).

Alignment rule (documented because results depend on it): a target frame ``k`` covers the interval
``[k/fps, (k+1)/fps)``. When the source is *denser* than the target (audio at 100 Hz into 25 fps) the
source frames inside that interval are averaged (window pooling: no aliasing, no dropped onsets); when
it is *sparser* or equal, values are linearly interpolated at the interval's centre. In both cases only
valid (masked-in) source frames contribute, and a target frame is valid when at least one valid
source frame contributes (pooling) or both interpolation neighbours are valid and within
``max_gap`` seconds of each other (interpolation).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, cast

import numpy as np

from .errors import DataError, ParameterError
from .validators import check_rate

__all__ = ["Stream", "Sample", "align", "concat_streams"]


@dataclass(frozen=True, eq=False)
class Stream:
    """One named feature matrix over time.

    Parameters
    ----------
    name:
        Stream name (``"hands"``, ``"au"``, ``"audio"``, ``"motion"`` ...).
    values:
        ``(frames, features)`` float32.
    names:
        ``features`` column names.
    fps:
        Frame rate. Frame ``i`` starts at ``i / fps`` unless ``times`` is given.
    times:
        Optional ``(frames,)`` start times in seconds (variable rate). ``fps`` is still required: it
        is the nominal rate that says how long one frame lasts.
    mask:
        ``(frames,)`` bool, True where the frame is valid. Defaults to frames with no NaN.
    """

    name: str
    values: np.ndarray
    names: tuple[str, ...]
    fps: float
    times: np.ndarray | None = None
    mask: np.ndarray | None = None

    def __post_init__(self) -> None:
        v = np.asarray(self.values, dtype=np.float32)
        if v.ndim == 1:
            v = v[:, None]
        if v.ndim != 2:
            raise DataError(f"stream {self.name!r}: values must be (frames, features), got shape {v.shape}")
        names = tuple(str(n) for n in self.names)
        if len(names) != v.shape[1]:
            raise DataError(f"stream {self.name!r}: {len(names)} names for {v.shape[1]} features")
        fps = float(self.fps)
        if not math.isfinite(fps) or fps <= 0:
            raise ParameterError(f"stream {self.name!r}: fps must be a positive number, got {self.fps!r}")
        times = self.times
        if times is not None:
            times = np.asarray(times, dtype=np.float64).copy()
            if times.shape != (v.shape[0],):
                raise DataError(f"stream {self.name!r}: times shape {times.shape} != ({v.shape[0]},)")
            times.flags.writeable = False
        if self.mask is None:
            mask = np.all(np.isfinite(v), axis=1) if v.shape[1] else np.ones(v.shape[0], bool)
        else:
            mask = np.asarray(self.mask, dtype=bool).copy()
            if mask.shape != (v.shape[0],):
                raise DataError(f"stream {self.name!r}: mask shape {mask.shape} != ({v.shape[0]},)")
        v = v.copy() if v is self.values else v
        v.flags.writeable = False
        mask.flags.writeable = False
        object.__setattr__(self, "values", v)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "fps", fps)
        object.__setattr__(self, "times", times)
        object.__setattr__(self, "mask", mask)

    @property
    def n_frames(self) -> int:
        return int(self.values.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.values.shape[1])

    @property
    def time(self) -> np.ndarray:
        """``(frames,)`` start time of every frame in seconds."""
        if self.times is not None:
            return self.times
        return np.arange(self.n_frames, dtype=np.float64) / self.fps

    @property
    def duration(self) -> float:
        if self.n_frames == 0:
            return 0.0
        return float(self.time[-1] + 1.0 / self.fps - self.time[0]) if self.times is not None else self.n_frames / self.fps

    def __len__(self) -> int:
        return self.n_frames

    def __repr__(self) -> str:
        return f"Stream({self.name!r}, frames={self.n_frames}, features={self.n_features}, fps={self.fps:g})"

    def replace(self, **changes: Any) -> Stream:
        kw: dict[str, Any] = dict(name=self.name, values=self.values, names=self.names, fps=self.fps, times=self.times,
                                  mask=self.mask)
        unknown = set(changes) - set(kw)
        if unknown:
            raise ParameterError(f"unknown Stream fields: {sorted(unknown)}")
        kw.update(changes)
        return Stream(**kw)

    def column(self, name: str) -> np.ndarray:
        """One feature column, ``(frames,)``."""
        try:
            return self.values[:, self.names.index(name)]
        except ValueError:
            raise ParameterError(f"stream {self.name!r} has no feature {name!r}; it has {list(self.names)[:12]}") from None

    def select(self, names: Iterable[str]) -> Stream:
        """Keep only some feature columns (by name), in the order given."""
        names = list(names)
        idx = []
        for n in names:
            if n not in self.names:
                raise ParameterError(f"stream {self.name!r} has no feature {n!r}")
            idx.append(self.names.index(n))
        return self.replace(values=self.values[:, idx], names=tuple(names))

    def __getitem__(self, key: slice) -> Stream:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise ParameterError("Stream supports contiguous time slices only (stream[a:b])")
        times = self.time[key] if self.times is not None else None
        start = key.indices(self.n_frames)[0]
        if times is None and start:
            times = self.time[key]
        return self.replace(values=self.values[key], times=times, mask=_mask(self)[key])


def _mask(s: Stream) -> np.ndarray:
    # The field is optional at construction; __post_init__ always fills it.
    return cast(np.ndarray, s.mask)


def concat_streams(streams: Sequence[Stream], name: str) -> Stream:
    """Concatenate streams that share a clock along the feature axis; names get ``stream.`` prefixes."""
    if not streams:
        raise ParameterError("concat_streams() needs at least one stream")
    n = streams[0].n_frames
    for s in streams:
        if s.n_frames != n or not math.isclose(s.fps, streams[0].fps):
            raise ParameterError(
                f"cannot concatenate stream {s.name!r} ({s.n_frames} frames at {s.fps:g} fps) with "
                f"{streams[0].name!r} ({n} frames at {streams[0].fps:g} fps); align() them first")
    values = np.concatenate([s.values for s in streams], axis=1)
    names = tuple(f"{s.name}.{c}" for s in streams for c in s.names)
    mask = np.logical_and.reduce([_mask(s) for s in streams])
    return Stream(name, values, names, streams[0].fps, times=streams[0].times, mask=mask)


def _align_one(s: Stream, fps: float, n_out: int, t0: float, max_gap: float) -> Stream:
    start = t0 + np.arange(n_out) / fps               # target interval starts
    src_t = s.time
    valid = s.mask & np.all(np.isfinite(s.values), axis=1)
    F = s.n_features
    out = np.full((n_out, F), np.nan, dtype=np.float32)
    ok = np.zeros(n_out, dtype=bool)
    if s.n_frames == 0 or not valid.any():
        return Stream(s.name, out, s.names, fps, mask=ok)
    vt, vv = src_t[valid], s.values[valid].astype(np.float64)
    if s.fps > fps * (1 + 1e-9):
        # pooling: average every valid source frame whose start falls in [start_k, start_k + 1/fps)
        k = np.floor((vt - t0) * fps + 1e-9).astype(np.int64)
        inside = (k >= 0) & (k < n_out)
        k, vv = k[inside], vv[inside]
        sums = np.zeros((n_out, F))
        np.add.at(sums, k, vv)
        counts = np.bincount(k, minlength=n_out)
        ok = counts > 0
        out[ok] = (sums[ok] / counts[ok, None]).astype(np.float32)
    else:
        centre = start + 0.5 / fps
        src_centre = vt + 0.5 / s.fps
        j = np.searchsorted(src_centre, centre)          # right neighbour
        lo = np.clip(j - 1, 0, len(vt) - 1)
        hi = np.clip(j, 0, len(vt) - 1)
        tl, th = src_centre[lo], src_centre[hi]
        span = th - tl
        w = np.where(span > 0, (centre - tl) / np.where(span > 0, span, 1), 0.0)
        w = np.clip(w, 0.0, 1.0)[:, None]
        vals = vv[lo] * (1 - w) + vv[hi] * w
        half = 0.5 / s.fps + 1e-9
        within = (centre >= src_centre[0] - half) & (centre <= src_centre[-1] + half)
        ok = within & (span <= max(max_gap, 1.0 / s.fps) + 1e-9)
        out[ok] = vals[ok].astype(np.float32)
    return Stream(s.name, out, s.names, fps, mask=ok)


def align(streams: Mapping[str, Stream] | Sequence[Stream], *, fps: float, duration: float | None = None,
          start: float = 0.0, max_gap: float = 0.25) -> dict[str, Stream]:
    """Put streams on one clock of ``fps`` frames per second (see the module doc for the rule).

    Parameters
    ----------
    streams:
        A mapping or sequence of streams (names must be unique).
    fps:
        Target rate.
    duration:
        Length in seconds of the common clock. Default: the shortest stream's end, so every output
        frame is covered by every stream.
    start:
        Time in seconds of the first output frame.
    max_gap:
        Interpolation never bridges valid source frames further apart than this (seconds).

    Returns
    -------
    dict of name -> Stream, all with the same number of frames at ``fps``, NaN where invalid.
    """
    items = list(streams.values()) if isinstance(streams, Mapping) else list(streams)
    if not items:
        raise ParameterError("align() needs at least one stream")
    names = [s.name for s in items]
    if len(set(names)) != len(names):
        raise ParameterError(f"align(): duplicate stream names {names}")
    fps = check_rate(fps)
    if duration is None:
        duration = min(s.time[0] + s.duration if s.n_frames else 0.0 for s in items) - start
    if duration < 0 or not math.isfinite(duration):
        raise ParameterError(f"align(): duration must be non-negative, got {duration!r}")
    n_out = int(math.floor(duration * fps + 1e-6))
    return {s.name: _align_one(s, float(fps), n_out, float(start), float(max_gap)) for s in items}


@dataclass(frozen=True, eq=False)
class Sample:
    """One example: who, where, what it means, and its aligned streams.

    ``gloss`` is the label of an isolated sign; ``glosses`` the gloss sequence of continuous signing.
    ``domain`` is the signer's region or style. ``meta`` holds anything else (generative factors of
    synthetic samples, source file, frame range).
    """

    id: str
    streams: Mapping[str, Stream] = field(default_factory=dict)
    signer: str | None = None
    domain: str | None = None
    split: str | None = None
    gloss: str | None = None
    glosses: tuple[str, ...] | None = None
    emotion: str | None = None
    intensity: float | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "streams", MappingProxyType(dict(self.streams)))
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))
        if self.glosses is not None:
            object.__setattr__(self, "glosses", tuple(self.glosses))

    @property
    def n_frames(self) -> int:
        """Frames of the (aligned) streams; 0 when there are none."""
        return max((s.n_frames for s in self.streams.values()), default=0)

    def with_streams(self, streams: Mapping[str, Stream]) -> Sample:
        from dataclasses import replace
        return replace(self, streams=dict(streams))

    def drop(self, names: Iterable[str]) -> Sample:
        """The same sample without some streams (modality ablation)."""
        names = set(names)
        return self.with_streams({k: v for k, v in self.streams.items() if k not in names})
