"""The one typed container for landmarks: :class:`LandmarkSequence`.

Axes follow pose-format: ``data`` is float32 ``(frames, people, points, dims)`` and ``confidence`` is
float32 ``(frames, people, points)`` with 0 meaning *missing*. Points are grouped into named
:class:`Component` s (``POSE``, ``FACE``, ``LEFT_HAND``, ``RIGHT_HAND`` ...) whose points have names.

The object is a value: every transform returns a new sequence and the arrays are made read-only, so a
sequence handed to a function cannot be changed behind the caller's back. Reading and writing files
lives in :mod:`signfuse.io`, not here.

Coordinates are stored as the source gave them (pixels for pose-format files and ``signfuse extract``,
normalized ``[0, 1]`` image units for Kaggle parquet); ``width`` and ``height`` record the image size
when known. Nothing is rescaled silently, which is what makes format round trips exact.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import DataError, ParameterError
from .topology import canonical_component

__all__ = ["Component", "LandmarkSequence"]


@dataclass(frozen=True)
class Component:
    """A named group of points, e.g. ``Component("LEFT_HAND", HAND_POINTS, HAND_EDGES)``.

    Parameters
    ----------
    name:
        Canonical component name (see :mod:`signfuse.topology`).
    points:
        Point names, in storage order.
    edges:
        Pairs of point indices (within this component) to draw as bones.
    """

    name: str
    points: tuple[str, ...]
    edges: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", tuple(str(p) for p in self.points))
        object.__setattr__(self, "edges", tuple((int(a), int(b)) for a, b in self.edges))
        if not self.points:
            raise ParameterError(f"component {self.name!r} has no points")
        n = len(self.points)
        for a, b in self.edges:
            if not (0 <= a < n and 0 <= b < n):
                raise ParameterError(f"component {self.name!r}: edge ({a}, {b}) is outside its {n} points")

    @property
    def n_points(self) -> int:
        return len(self.points)

    def index(self, point: str | int) -> int:
        """Index of ``point`` (a name, or an integer index) within this component."""
        if isinstance(point, (int, np.integer)):
            if not 0 <= int(point) < self.n_points:
                raise ParameterError(f"point index {point} is outside component {self.name!r} ({self.n_points} points)")
            return int(point)
        try:
            return self.points.index(point)
        except ValueError:
            shown = ", ".join(self.points[:8]) + (", ..." if self.n_points > 8 else "")
            raise ParameterError(f"component {self.name!r} has no point {point!r} (points: {shown})") from None


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


@dataclass(frozen=True, eq=False)
class LandmarkSequence:
    """Landmarks over time for one or more people.

    Parameters
    ----------
    components:
        The components, in storage order; their point counts add up to ``data.shape[2]``.
    data:
        ``(frames, people, points, dims)`` coordinates, converted to float32.
    confidence:
        ``(frames, people, points)`` in ``[0, 1]``; 0 marks a missing point.
    fps:
        Frames per second (required: there is no silent default).
    times:
        Optional ``(frames,)`` timestamps in seconds, for variable-frame-rate sources. When ``None``
        the frames are evenly spaced at ``fps`` starting at 0.
    width, height:
        Image size in pixels, when known.
    """

    components: tuple[Component, ...]
    data: np.ndarray
    confidence: np.ndarray
    fps: float
    times: np.ndarray | None = None
    width: int | None = None
    height: int | None = None
    _offsets: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        comps = tuple(self.components)
        if not comps:
            raise DataError("a LandmarkSequence needs at least one component")
        names = [c.name for c in comps]
        if len(set(names)) != len(names):
            raise DataError(f"duplicate component names: {names}")
        data = np.asarray(self.data, dtype=np.float32)
        conf = np.asarray(self.confidence, dtype=np.float32)
        if data.ndim != 4:
            raise DataError(f"data must be (frames, people, points, dims), got shape {data.shape}")
        if conf.shape != data.shape[:3]:
            raise DataError(f"confidence shape {conf.shape} does not match data shape {data.shape[:3]}")
        n_points = sum(c.n_points for c in comps)
        if data.shape[2] != n_points:
            raise DataError(f"components hold {n_points} points but data has {data.shape[2]}")
        if not (1 <= data.shape[3] <= 4):
            raise DataError(f"dims must be 1..4, got {data.shape[3]}")
        fps = float(self.fps)
        if not math.isfinite(fps) or fps <= 0:
            raise DataError(f"fps must be a positive finite number, got {self.fps!r}")
        times = self.times
        if times is not None:
            times = np.asarray(times, dtype=np.float64)
            if times.shape != (data.shape[0],):
                raise DataError(f"times shape {times.shape} does not match {data.shape[0]} frames")
            if times.size and (not np.all(np.isfinite(times)) or np.any(np.diff(times) < 0)):
                raise DataError("times must be finite and non-decreasing")
            times = _readonly(times.copy())
        object.__setattr__(self, "components", comps)
        object.__setattr__(self, "data", _readonly(data if data is not self.data else data.copy()))
        object.__setattr__(self, "confidence", _readonly(conf if conf is not self.confidence else conf.copy()))
        object.__setattr__(self, "fps", fps)
        object.__setattr__(self, "times", times)
        offsets, o = {}, 0
        for c in comps:
            offsets[c.name] = o
            o += c.n_points
        object.__setattr__(self, "_offsets", offsets)

    # ------------------------------------------------------------------ shape
    @property
    def n_frames(self) -> int:
        return int(self.data.shape[0])

    @property
    def n_people(self) -> int:
        return int(self.data.shape[1])

    @property
    def n_points(self) -> int:
        return int(self.data.shape[2])

    @property
    def dims(self) -> int:
        return int(self.data.shape[3])

    @property
    def component_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.components)

    @property
    def frame_times(self) -> np.ndarray:
        """``(frames,)`` timestamps in seconds."""
        if self.times is not None:
            return self.times
        return np.arange(self.n_frames, dtype=np.float64) / self.fps

    @property
    def duration(self) -> float:
        """Length in seconds (frames / fps for evenly spaced frames)."""
        if self.times is not None and self.n_frames:
            return float(self.times[-1] - self.times[0] + 1.0 / self.fps)
        return self.n_frames / self.fps

    def __len__(self) -> int:
        return self.n_frames

    def __repr__(self) -> str:
        comps = ", ".join(f"{c.name}:{c.n_points}" for c in self.components)
        return (f"LandmarkSequence(frames={self.n_frames}, people={self.n_people}, dims={self.dims}, "
                f"fps={self.fps:g}, components=[{comps}])")

    # ------------------------------------------------------------------ access
    def _resolve(self, name: str) -> str:
        if name in self._offsets:
            return name
        canon = canonical_component(name)
        if canon in self._offsets:
            return canon
        raise ParameterError(f"no component {name!r}; this sequence has {list(self.component_names)}")

    def has(self, name: str) -> bool:
        """Whether the sequence holds a component (canonical name or alias)."""
        return name in self._offsets or canonical_component(name) in self._offsets

    def component(self, name: str) -> Component:
        return self.components[self.component_names.index(self._resolve(name))]

    def component_slice(self, name: str) -> slice:
        """The slice of the points axis that holds component ``name``."""
        name = self._resolve(name)
        start = self._offsets[name]
        return slice(start, start + self.component(name).n_points)

    def point_index(self, component: str, point: str | int) -> int:
        """Index of one point along the points axis."""
        return self.component_slice(component).start + self.component(component).index(point)

    def point(self, component: str, point: str | int) -> np.ndarray:
        """Coordinates of one point: ``(frames, people, dims)``."""
        return self.data[:, :, self.point_index(component, point), :]

    def point_confidence(self, component: str, point: str | int) -> np.ndarray:
        """Confidence of one point: ``(frames, people)``."""
        return self.confidence[:, :, self.point_index(component, point)]

    def component_data(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``(data (frames, people, n, dims), confidence (frames, people, n))`` of one component."""
        s = self.component_slice(name)
        return self.data[:, :, s, :], self.confidence[:, :, s]

    def missing_fraction(self) -> dict[str, float]:
        """Fraction of missing points (confidence 0) per component."""
        out = {}
        for c in self.components:
            conf = self.confidence[:, :, self.component_slice(c.name)]
            out[c.name] = float(np.mean(conf <= 0)) if conf.size else 1.0
        return out

    # ------------------------------------------------------------------ transforms
    def replace(self, **changes: Any) -> LandmarkSequence:
        """A copy with some fields replaced (``seq.replace(data=..., fps=...)``)."""
        kwargs: dict[str, Any] = dict(components=self.components, data=self.data, confidence=self.confidence,
                      fps=self.fps, times=self.times, width=self.width, height=self.height)
        unknown = set(changes) - set(kwargs)
        if unknown:
            raise ParameterError(f"unknown LandmarkSequence fields: {sorted(unknown)}")
        kwargs.update(changes)
        return LandmarkSequence(**kwargs)

    def select(self, names: Iterable[str]) -> LandmarkSequence:
        """Keep only the named components, in the order given."""
        names = [self._resolve(n) for n in ([names] if isinstance(names, str) else names)]
        if not names:
            raise ParameterError("select() needs at least one component name")
        idx = np.concatenate([np.arange(self.component_slice(n).start, self.component_slice(n).stop) for n in names])
        return self.replace(components=tuple(self.component(n) for n in names),
                            data=self.data[:, :, idx, :], confidence=self.confidence[:, :, idx])

    def __getitem__(self, key: slice | int | Sequence[int] | np.ndarray) -> LandmarkSequence:
        """Slice in time: ``seq[10:50]``, ``seq[::2]`` (fps is divided by the step), an index array."""
        fps = self.fps
        if isinstance(key, (int, np.integer)):
            key = slice(int(key), int(key) + 1 if int(key) != -1 else None)
        if isinstance(key, slice):
            step = 1 if key.step is None else int(key.step)
            if step <= 0:
                raise ParameterError(f"time slicing step must be positive, got {step}")
            fps = fps / step
        else:
            key = np.asarray(key)
            if key.dtype == bool:
                key = np.flatnonzero(key)
        times = None if self.times is None else self.times[key]
        return self.replace(data=self.data[key], confidence=self.confidence[key], fps=fps, times=times)

    def time_slice(self, start: float, end: float) -> LandmarkSequence:
        """Frames whose timestamp lies in ``[start, end)`` seconds."""
        t = self.frame_times
        return self[np.flatnonzero((t >= start) & (t < end))]

    def person(self, index: int = 0) -> LandmarkSequence:
        """Keep one person."""
        if not 0 <= index < self.n_people:
            raise ParameterError(f"person {index} out of range (sequence has {self.n_people})")
        return self.replace(data=self.data[:, index:index + 1], confidence=self.confidence[:, index:index + 1])

    def to_array(self, *, person: int = 0, dims: int | None = None,
                 fill: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """Flatten to ``(values (frames, points * dims) float32, mask (frames, points * dims) bool)``.

        ``mask`` is True where the point was observed; missing values are set to ``fill`` (not NaN), so
        the array can go straight into a model.
        """
        if not 0 <= person < self.n_people:
            raise ParameterError(f"person {person} out of range (sequence has {self.n_people})")
        d = self.dims if dims is None else int(dims)
        if not 1 <= d <= self.dims:
            raise ParameterError(f"dims={dims} must be between 1 and {self.dims}")
        x = self.data[:, person, :, :d]
        ok = (self.confidence[:, person, :] > 0)[:, :, None] & np.isfinite(x)
        values = np.where(ok, x, np.float32(fill)).reshape(self.n_frames, -1).astype(np.float32)
        mask = np.broadcast_to(ok, x.shape).reshape(self.n_frames, -1)
        return values, mask.copy()

    def equals(self, other: LandmarkSequence, *, atol: float = 0.0) -> bool:
        """Whether two sequences hold the same components, fps and (within ``atol``) values.

        Missing points (confidence 0) compare equal whatever their coordinates.
        """
        if self.components != other.components or self.data.shape != other.data.shape:
            return False
        if not math.isclose(self.fps, other.fps, rel_tol=1e-6):
            return False
        if not np.allclose(self.confidence, other.confidence, atol=atol, rtol=0):
            return False
        seen = self.confidence > 0
        a, b = self.data[seen], other.data[seen]
        return bool(np.allclose(a, b, atol=atol, rtol=0, equal_nan=True))
