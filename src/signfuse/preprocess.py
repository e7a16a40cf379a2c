"""Preprocessing of :class:`~signfuse.sequence.LandmarkSequence`: normalization, model-ready streams,
gap interpolation, jitter smoothing, frame-rate resampling and seeded augmentations.

Every function is pure (returns a new sequence, never touches its input) and every random one takes
a ``seed`` (an int or a ``numpy.random.Generator``). Missing points (confidence 0) stay missing unless a
function says otherwise (:func:`interpolate_gaps` fills short gaps, :func:`resample_fps` and
:func:`time_warp` interpolate between observed neighbours only).

Geometry acts on the first two dims (x, y) for rotation, shear and mirroring; translation and scale
act on x, y and z; a fourth dim (visibility ``K`` in some pose-format files) is never changed.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from .errors import DataError, ParameterError
from .sequence import LandmarkSequence
from .streams import Stream
from .topology import (
    FACE,
    FACE_REGIONS,
    HAND_POINTS,
    LEFT_HAND,
    MIRROR_COMPONENTS,
    POSE,
    POSE_POINTS,
    RIGHT_HAND,
    mirror_point_name,
)
from .validators import check_rate

__all__ = [
    "normalize", "to_streams", "STREAM_NAMES", "interpolate_gaps", "smooth_one_euro", "smooth_savgol",
    "resample_fps", "rotate", "scale", "shear", "time_warp", "frame_dropout", "landmark_dropout", "mirror",
    "augment", "augment_streams",
]

log = logging.getLogger(__name__)

STREAM_NAMES = ("hands", "body", "face")
BODY_POINTS = POSE_POINTS[:25]  # upper body: everything above the knees


def _seen(seq: LandmarkSequence) -> np.ndarray:
    return (seq.confidence > 0) & np.all(np.isfinite(seq.data), axis=-1)


def _spatial(seq: LandmarkSequence) -> int:
    """Number of leading dims that are coordinates (x, y[, z]); a 4th dim is a score."""
    return min(seq.dims, 3)


def _with(seq: LandmarkSequence, data: np.ndarray, conf: np.ndarray | None = None) -> LandmarkSequence:
    conf = seq.confidence if conf is None else conf
    data = np.where((conf > 0)[..., None], data, np.float32(0)) if conf is not seq.confidence else data
    return seq.replace(data=data.astype(np.float32), confidence=conf.astype(np.float32))


def _rng(seed) -> np.random.Generator:
    if seed is None:
        raise ParameterError("seed is required (an int or a numpy Generator); augmentations are always seeded")
    return np.random.default_rng(seed)


def _check_prob(name: str, p: float) -> float:
    if not (isinstance(p, (int, float)) and 0.0 <= p <= 1.0):
        raise ParameterError(f"{name}={p!r} must be a probability in [0, 1]")
    return float(p)


# ---------------------------------------------------------------------------------------------- normalize
def _shoulders(seq: LandmarkSequence):
    if not seq.has(POSE):
        return None
    comp = seq.component(POSE)
    if "LEFT_SHOULDER" not in comp.points or "RIGHT_SHOULDER" not in comp.points:
        return None
    li, ri = seq.point_index(POSE, "LEFT_SHOULDER"), seq.point_index(POSE, "RIGHT_SHOULDER")
    return li, ri


def normalize(seq: LandmarkSequence) -> LandmarkSequence:
    """Shoulder-centred, shoulder-width-scaled coordinates (one centre and scale per sequence and person).

    The centre is the mean shoulder midpoint and the unit the mean shoulder width (in x, y) over the
    frames where both shoulders are seen. Without shoulders (no POSE, or never seen) the centroid of all
    seen points and their RMS distance from it are used instead, with a warning. Returns a copy with
    ``width``/``height`` cleared (the coordinates are no longer pixels).
    """
    seen = _seen(seq)
    d = _spatial(seq)
    data = seq.data.astype(np.float64).copy()
    sh = _shoulders(seq)
    for p in range(seq.n_people):
        centre = scale_ = None
        if sh is not None:
            li, ri = sh
            both = seen[:, p, li] & seen[:, p, ri]
            if both.any():
                L, R = data[both, p, li, :d], data[both, p, ri, :d]
                centre = ((L + R) / 2).mean(axis=0)
                scale_ = float(np.linalg.norm((L - R)[:, :2], axis=1).mean())
        if centre is None or not scale_ or not math.isfinite(scale_) or scale_ <= 1e-12:
            pts = data[:, p, :, :d][seen[:, p]]
            if not len(pts):
                continue
            log.warning("normalize: no usable shoulders for person %d; using the centroid of all points", p)
            centre = pts.mean(axis=0)
            scale_ = float(np.sqrt(((pts[:, :2] - centre[:2]) ** 2).sum(axis=1).mean())) or 1.0
        data[:, p, :, :d] = (data[:, p, :, :d] - centre) / scale_
    data = np.where(seen[..., None], data, 0.0)
    return seq.replace(data=data.astype(np.float32), width=None, height=None)


_normalize = normalize  # to_streams() has a parameter of the same name


# ---------------------------------------------------------------------------------------------- streams
def _gather(seq: LandmarkSequence, component: str, names: Sequence[str], person: int = 0):
    """(values (T, len(names), 3) with 0 for missing, seen (T, len(names))) for points matched by name."""
    T = seq.n_frames
    vals = np.zeros((T, len(names), 3), np.float32)
    seen = np.zeros((T, len(names)), bool)
    if not seq.has(component):
        return vals, seen
    comp = seq.component(component)
    start = seq.component_slice(component).start
    lookup = {p: i for i, p in enumerate(comp.points)}
    src = [(k, start + lookup[n]) for k, n in enumerate(names) if n in lookup]
    if not src:
        return vals, seen
    k, s = map(np.array, zip(*src))
    d = _spatial(seq)
    ok = (seq.confidence[:, person, s] > 0) & np.all(np.isfinite(seq.data[:, person, s, :d]), axis=-1)
    vals[:, k, :d] = np.where(ok[..., None], seq.data[:, person, s, :d], 0)
    seen[:, k] = ok
    return vals, seen


def to_streams(seq: LandmarkSequence, *, streams: Iterable[str] = STREAM_NAMES,
               face_regions: Iterable[str] = ("lips", "eyes", "brows", "nose"),
               normalize: bool = True, person: int = 0) -> dict[str, Stream]:
    """Model-ready landmark streams.

    - ``"hands"``: LEFT_HAND then RIGHT_HAND, 21 points each, x, y, z (126 features);
    - ``"body"``: the upper-body POSE points 0-24 (MediaPipe order), x, y, z (75 features);
    - ``"face"``: the FACE mesh points of ``face_regions`` (indices from ``topology.FACE_REGIONS``, in
      region order, duplicates removed), x, y, z.

    Points are matched by name, so reduced or OpenPose components fill what they have. Missing points
    are 0 (after normalization 0 is the shoulder centre); a frame's mask is True when any point of the
    stream was seen. 2-D data get z = 0. Feature names are ``"<COMPONENT>.<point>.<x|y|z>"``. Every
    stream is at ``seq.fps`` (with ``seq.times`` when the sequence has them).
    """
    streams = tuple(streams)
    unknown = [s for s in streams if s not in STREAM_NAMES]
    if unknown:
        raise ParameterError(f"unknown streams {unknown}; choose from {list(STREAM_NAMES)}")
    if not 0 <= person < seq.n_people:
        raise ParameterError(f"person={person} out of range (sequence has {seq.n_people})")
    src = _normalize(seq) if normalize else seq
    out: dict[str, Stream] = {}
    for name in streams:
        if name == "hands":
            parts = [(LEFT_HAND, HAND_POINTS), (RIGHT_HAND, HAND_POINTS)]
        elif name == "body":
            parts = [(POSE, BODY_POINTS)]
        else:
            regions = tuple(face_regions)
            bad = [r for r in regions if r not in FACE_REGIONS]
            if bad or not regions:
                raise ParameterError(f"unknown face regions {bad or regions}; choose from {sorted(FACE_REGIONS)}")
            idx = list(dict.fromkeys(i for r in regions for i in FACE_REGIONS[r]))
            parts = [(FACE, tuple(str(i) for i in idx))]
        vals, seen, names = [], [], []
        for comp, pts in parts:
            v, s = _gather(src, comp, pts, person)
            vals.append(v.reshape(len(v), -1))
            seen.append(s)
            names += [f"{comp}.{p}.{a}" for p in pts for a in "xyz"]
        values = np.concatenate(vals, axis=1)
        mask = np.concatenate(seen, axis=1).any(axis=1)
        out[name] = Stream(name, values, tuple(names), src.fps, times=src.times, mask=mask)
    return out


# ---------------------------------------------------------------------------------------------- gaps
def _neighbours(seen: np.ndarray):
    """For (T, N) bool: index of the previous and next seen frame (-1 / T when none)."""
    T = seen.shape[0]
    idx = np.arange(T)[:, None]
    prev = np.where(seen, idx, -1)
    prev = np.maximum.accumulate(prev, axis=0)
    nxt = np.where(seen, idx, T)
    nxt = np.minimum.accumulate(nxt[::-1], axis=0)[::-1]
    return prev, nxt


def interpolate_gaps(seq: LandmarkSequence, *, max_gap: int = 5, confidence: float | None = None) -> LandmarkSequence:
    """Fill gaps of at most ``max_gap`` missing frames by linear interpolation, per point.

    Only gaps with an observed frame on both sides are filled (no extrapolation). Filled points get
    ``confidence`` when given, else the smaller confidence of their two neighbours, so that callers can
    still tell them apart by passing e.g. ``confidence=0.01``. Longer gaps stay missing.
    """
    if isinstance(max_gap, bool) or not isinstance(max_gap, (int, np.integer)) or max_gap < 0:
        raise ParameterError(f"max_gap={max_gap!r} must be a non-negative number of frames")
    if confidence is not None and not (0 < confidence <= 1):
        raise ParameterError(f"confidence={confidence!r} must be in (0, 1]")
    T, P, N, D = seq.data.shape
    if T < 3 or max_gap == 0:
        return seq
    seen = _seen(seq).reshape(T, P * N)
    data = seq.data.reshape(T, P * N, D).astype(np.float64)
    conf = seq.confidence.reshape(T, P * N).astype(np.float64)
    prev, nxt = _neighbours(seen)
    fill = (~seen) & (prev >= 0) & (nxt < T) & ((nxt - prev - 1) <= max_gap)
    if not fill.any():
        return seq
    t, n = np.nonzero(fill)
    a, b = prev[t, n], nxt[t, n]
    w = ((t - a) / (b - a))[:, None]
    new = data.copy()
    new[t, n] = data[a, n] * (1 - w) + data[b, n] * w
    newc = conf.copy()
    newc[t, n] = confidence if confidence is not None else np.minimum(conf[a, n], conf[b, n])
    return seq.replace(data=new.reshape(T, P, N, D).astype(np.float32),
                       confidence=newc.reshape(T, P, N).astype(np.float32))


# ---------------------------------------------------------------------------------------------- smoothing
def smooth_one_euro(seq: LandmarkSequence, *, min_cutoff: float = 1.0, beta: float = 0.0,
                    d_cutoff: float = 1.0) -> LandmarkSequence:
    """One Euro filter (Casiez, Roussel & Vogel, CHI 2012) on every coordinate, at the sequence's rate.

    ``min_cutoff`` (Hz) trades jitter for lag at low speed; ``beta`` raises the cutoff with speed so fast
    movements keep little lag; ``d_cutoff`` (Hz) filters the speed estimate. The filter restarts after
    a missing point (no smoothing across gaps). Timestamps come from ``seq.frame_times``.
    """
    for name, v in (("min_cutoff", min_cutoff), ("d_cutoff", d_cutoff)):
        if not (isinstance(v, (int, float)) and v > 0 and math.isfinite(v)):
            raise ParameterError(f"{name}={v!r} must be a positive frequency in Hz")
    if not (isinstance(beta, (int, float)) and beta >= 0):
        raise ParameterError(f"beta={beta!r} must be non-negative")
    T = seq.n_frames
    if T < 2:
        return seq
    d = _spatial(seq)
    seen = _seen(seq)
    x = seq.data[..., :d].astype(np.float64)
    t = seq.frame_times

    def alpha(cutoff, dt):
        tau = 1.0 / (2 * math.pi * cutoff)
        return 1.0 / (1.0 + tau / dt)

    out = x.copy()
    x_hat = x[0].copy()
    dx_hat = np.zeros_like(x_hat)
    alive = seen[0].copy()
    for i in range(1, T):
        dt = max(float(t[i] - t[i - 1]), 1e-6)
        cur = seen[i]
        restart = cur & ~alive
        dx = (x[i] - x_hat) / dt
        a_d = alpha(d_cutoff, dt)
        dx_new = a_d * dx + (1 - a_d) * dx_hat
        cutoff = min_cutoff + beta * np.abs(dx_new)
        tau = 1.0 / (2 * math.pi * cutoff)
        a = 1.0 / (1.0 + tau / dt)
        xh_new = a * x[i] + (1 - a) * x_hat
        upd = (cur & alive)[..., None]
        x_hat = np.where(upd, xh_new, np.where(restart[..., None], x[i], x_hat))
        dx_hat = np.where(upd, dx_new, np.where(restart[..., None], 0.0, dx_hat))
        out[i] = np.where(cur[..., None], x_hat, x[i])
        alive = cur
    data = seq.data.astype(np.float64).copy()
    data[..., :d] = out
    return seq.replace(data=data.astype(np.float32))


def smooth_savgol(seq: LandmarkSequence, *, window: int = 7, polyorder: int = 2) -> LandmarkSequence:
    """Savitzky-Golay smoothing along time (``scipy.signal.savgol_filter``), ``window`` frames.

    Each run of consecutive observed frames is filtered on its own (``mode="interp"``); runs shorter
    than ``window`` are left as they are. Missing points stay missing.
    """
    from scipy.signal import savgol_filter

    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 3 or window % 2 == 0:
        raise ParameterError(f"window={window!r} must be an odd number of frames >= 3")
    if isinstance(polyorder, bool) or not isinstance(polyorder, (int, np.integer)) or not 0 <= polyorder < window:
        raise ParameterError(f"polyorder={polyorder!r} must be >= 0 and < window ({window})")
    T, P, N, _ = seq.data.shape
    if T < window:
        return seq
    d = _spatial(seq)
    seen = _seen(seq).reshape(T, P * N)
    x = seq.data[..., :d].reshape(T, P * N, d).astype(np.float64)
    out = x.copy()
    full = seen.all(axis=0)
    if full.any():
        out[:, full] = savgol_filter(x[:, full], window, polyorder, axis=0, mode="interp")
    for n in np.flatnonzero(~full & seen.any(axis=0)):
        s = np.concatenate([[False], seen[:, n], [False]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(s))
        for a, b in zip(edges[::2], edges[1::2]):
            if b - a >= window:
                out[a:b, n] = savgol_filter(x[a:b, n], window, polyorder, axis=0, mode="interp")
    data = seq.data.astype(np.float64).copy()
    data[..., :d] = out.reshape(T, P, N, d)
    return seq.replace(data=data.astype(np.float32))


# ---------------------------------------------------------------------------------------------- resampling
def _sample_at(seq: LandmarkSequence, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Linear interpolation of data/confidence at fractional frame positions ``pos``.

    A point is observed at ``pos`` when both neighbouring frames observed it (or ``pos`` falls on a frame
    that did); its confidence is the smaller of the two.
    """
    T = seq.n_frames
    pos = np.clip(pos, 0, T - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, T - 1)
    w = (pos - lo)
    seen = _seen(seq)
    exact = w < 1e-9
    w4 = w[:, None, None, None]
    data = seq.data[lo] * (1 - w4) + seq.data[hi] * w4
    ok = np.where(exact[:, None, None], seen[lo], seen[lo] & seen[hi])
    conf = np.where(exact[:, None, None], seq.confidence[lo], np.minimum(seq.confidence[lo], seq.confidence[hi]))
    conf = np.where(ok, conf, 0.0)
    data = np.where(ok[..., None], data, 0.0)
    return data.astype(np.float32), conf.astype(np.float32)


def resample_fps(seq: LandmarkSequence, *, fps: float) -> LandmarkSequence:
    """Resample to ``fps`` frames per second by linear interpolation in time.

    Output frame ``k`` is at ``t0 + k / fps`` (``t0`` the first frame's time), for every such time that
    lies within the input's frames; variable-rate inputs (``times``) are handled by their timestamps.
    The result has evenly spaced frames (``times=None``).
    """
    fps = check_rate(fps)
    T = seq.n_frames
    if T == 0:
        return seq.replace(fps=float(fps), times=None)
    t = seq.frame_times
    span = float(t[-1] - t[0])
    n = int(math.floor(span * fps + 1e-6)) + 1
    target = t[0] + np.arange(n) / fps
    pos = np.interp(target, t, np.arange(T, dtype=np.float64))
    data, conf = _sample_at(seq, pos)
    return seq.replace(data=data, confidence=conf, fps=float(fps), times=None)


# ---------------------------------------------------------------------------------------------- geometry
def _centre_xy(seq: LandmarkSequence) -> np.ndarray:
    seen = _seen(seq)
    pts = seq.data[..., :2][seen]
    return pts.mean(axis=0) if len(pts) else np.zeros(2)


def _affine_xy(seq: LandmarkSequence, M: np.ndarray, centre) -> LandmarkSequence:
    if seq.dims < 2:
        raise DataError("rotation, shear and mirroring need at least 2 dims (x, y)")
    c = _centre_xy(seq) if centre is None else np.asarray(centre, dtype=np.float64)
    data = seq.data.astype(np.float64).copy()
    xy = data[..., :2] - c
    data[..., :2] = xy @ M.T + c
    return _with(seq, data, seq.confidence)


def rotate(seq: LandmarkSequence, *, degrees: float, centre: Sequence[float] | None = None) -> LandmarkSequence:
    """Rotate x, y by ``degrees`` (counter-clockwise in a y-up frame) around ``centre`` (default: the
    centroid of all observed points)."""
    a = math.radians(float(degrees))
    M = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return _affine_xy(seq, M, centre)


def shear(seq: LandmarkSequence, *, x: float = 0.0, y: float = 0.0,
          centre: Sequence[float] | None = None) -> LandmarkSequence:
    """Shear: ``x' = x + x_shear * y``, ``y' = y + y_shear * x`` (around ``centre``)."""
    return _affine_xy(seq, np.array([[1.0, float(x)], [float(y), 1.0]]), centre)


def scale(seq: LandmarkSequence, *, factor: float | Sequence[float],
          centre: Sequence[float] | None = None) -> LandmarkSequence:
    """Scale the coordinates (x, y[, z]) by ``factor`` (a number or one per coordinate) around ``centre``
    (default: the centroid of observed points; z is scaled around 0)."""
    d = _spatial(seq)
    f = np.broadcast_to(np.asarray(factor, dtype=np.float64), (d,)) if np.ndim(factor) == 0 else np.asarray(factor, float)
    if f.shape != (d,) or not np.all(np.isfinite(f)) or np.any(f <= 0):
        raise ParameterError(f"factor={factor!r} must be a positive number or {d} positive numbers")
    c = np.zeros(d)
    c[:2] = _centre_xy(seq) if centre is None else np.asarray(centre, float)[:2]
    data = seq.data.astype(np.float64).copy()
    data[..., :d] = (data[..., :d] - c) * f + c
    return _with(seq, data, seq.confidence)


def mirror(seq: LandmarkSequence, *, centre_x: float | None = None) -> LandmarkSequence:
    """Mirror the signer: flip x about ``centre_x`` and swap left and right.

    LEFT_HAND and RIGHT_HAND exchange their data (a sequence with one hand gets the other hand's name),
    and points named ``LEFT_*``/``RIGHT_*`` (pose points) exchange theirs. ``centre_x`` defaults to the
    image centre: ``width / 2`` when the width is known, else 0.5 (normalized image units, as in Kaggle
    parquet). Face-mesh points are flipped but not re-indexed (the mesh has no named left/right points).
    """
    if seq.dims < 1:
        raise DataError("mirroring needs an x coordinate")
    cx = float(centre_x) if centre_x is not None else (seq.width / 2.0 if seq.width else 0.5)
    names = seq.component_names
    perm = np.arange(seq.n_points)
    comps = []
    for c in seq.components:
        other = MIRROR_COMPONENTS.get(c.name)
        src_name = other if other in names else c.name
        new_name = c.name if other in names or other is None else other
        src = seq.component(src_name)
        s0 = seq.component_slice(src_name).start
        d0 = seq.component_slice(c.name).start
        for j, p in enumerate(c.points):
            q = mirror_point_name(p)
            k = src.points.index(q) if q in src.points else (src.points.index(p) if p in src.points else j)
            perm[d0 + j] = s0 + k
        comps.append(c if new_name == c.name else type(c)(new_name, c.points, c.edges))
    data = seq.data[:, :, perm].astype(np.float64).copy()
    data[..., 0] = 2 * cx - data[..., 0]
    conf = seq.confidence[:, :, perm]
    return seq.replace(components=tuple(comps), data=_with(seq, data, conf).data, confidence=conf)


# ---------------------------------------------------------------------------------------------- time / dropout
def time_warp(seq: LandmarkSequence, *, strength: float, seed, knots: int = 4) -> LandmarkSequence:
    """Random smooth, monotonic re-timing with the same number of frames.

    The playback speed is piecewise constant over ``knots`` segments, each drawn from
    ``[1 - strength, 1 + strength]``; the warped clock is rescaled to cover the whole sequence, then
    the sequence is sampled at it by linear interpolation. ``strength`` 0 returns the input.
    """
    if not (isinstance(strength, (int, float)) and 0 <= strength < 1):
        raise ParameterError(f"strength={strength!r} must be in [0, 1)")
    if isinstance(knots, bool) or not isinstance(knots, (int, np.integer)) or knots < 1:
        raise ParameterError(f"knots={knots!r} must be a positive integer")
    rng = _rng(seed)
    T = seq.n_frames
    speeds = rng.uniform(1 - strength, 1 + strength, size=knots)
    if T < 3 or strength == 0:
        return seq
    u = np.linspace(0, 1, T)
    seg = np.minimum((u * knots).astype(int), knots - 1)
    rate = speeds[seg]
    pos = np.concatenate([[0.0], np.cumsum((rate[1:] + rate[:-1]) / 2)])
    pos = pos / pos[-1] * (T - 1)
    data, conf = _sample_at(seq, pos)
    return seq.replace(data=data, confidence=conf)


def frame_dropout(seq: LandmarkSequence, *, p: float, seed) -> LandmarkSequence:
    """Mark whole frames missing (confidence 0) with probability ``p`` each; the length is kept."""
    p = _check_prob("p", p)
    drop = _rng(seed).random(seq.n_frames) < p
    conf = np.where(drop[:, None, None], 0.0, seq.confidence)
    return _with(seq, seq.data, conf)


def landmark_dropout(seq: LandmarkSequence, *, p: float, seed,
                     components: Iterable[str] | None = None) -> LandmarkSequence:
    """Mark single points missing with probability ``p`` each (optionally only in ``components``)."""
    p = _check_prob("p", p)
    drop = _rng(seed).random(seq.confidence.shape) < p
    if components is not None:
        allowed = np.zeros(seq.n_points, bool)
        for c in ([components] if isinstance(components, str) else components):
            allowed[seq.component_slice(c)] = True
        drop &= allowed[None, None, :]
    conf = np.where(drop, 0.0, seq.confidence)
    return _with(seq, seq.data, conf)


def augment(seq: LandmarkSequence, *, seed, rotation_deg: float = 10.0, scale_range: tuple[float, float] = (0.9, 1.1),
            shear_max: float = 0.1, time_warp_strength: float = 0.1, frame_dropout_p: float = 0.05,
            landmark_dropout_p: float = 0.02, mirror_p: float = 0.0) -> LandmarkSequence:
    """A random combination of the augmentations above, fully determined by ``seed``.

    Order: mirror (with probability ``mirror_p``; 0 by default because it changes handedness, which
    some labels depend on), rotation in ``[-rotation_deg, rotation_deg]``, scale in ``scale_range``,
    shear in ``[-shear_max, shear_max]`` (x and y), time warp, frame dropout, landmark dropout.
    """
    rng = _rng(seed)
    _check_prob("mirror_p", mirror_p)
    lo, hi = scale_range
    if not (0 < lo <= hi):
        raise ParameterError(f"scale_range={scale_range!r} must be (low, high) with 0 < low <= high")
    out = seq
    if rng.random() < mirror_p:
        out = mirror(out)
    if out.dims >= 2:
        out = rotate(out, degrees=rng.uniform(-rotation_deg, rotation_deg))
        out = shear(out, x=rng.uniform(-shear_max, shear_max), y=rng.uniform(-shear_max, shear_max))
    out = scale(out, factor=rng.uniform(lo, hi))
    sub = rng.integers(0, 2**63 - 1, size=3)
    if time_warp_strength:
        out = time_warp(out, strength=time_warp_strength, seed=int(sub[0]))
    if frame_dropout_p:
        out = frame_dropout(out, p=frame_dropout_p, seed=int(sub[1]))
    if landmark_dropout_p:
        out = landmark_dropout(out, p=landmark_dropout_p, seed=int(sub[2]))
    return out


def augment_streams(values: Mapping[str, np.ndarray], masks: Mapping[str, np.ndarray], *, seed=None,
                    speed: tuple[float, float] = (0.8, 1.25), gain: tuple[float, float] = (0.9, 1.1),
                    noise: float = 0.01, max_frames: int | None = None) -> tuple[dict, dict]:
    """Seeded augmentation of a sample's feature streams (what recognition training uses).

    ``values``: stream -> ``(T, F)``; ``masks``: stream -> ``(T,)``. With a ``seed``: one random speed
    change (nearest-frame resampling by a factor from ``speed``, when T > 4), then per stream a random
    gain and Gaussian noise of std ``noise``. ``max_frames`` then subsamples uniformly (with or without
    a seed, as evaluation does). All streams share the time indices, so they stay aligned. ``seed=None``:
    no augmentation.
    """
    n = len(next(iter(values.values())))
    idx = np.arange(n)
    rng = _rng(seed) if seed is not None else None
    if rng is not None and n > 4:
        factor = rng.uniform(*speed)
        new_n = max(2, int(round(n / factor)))
        idx = np.clip(np.round(np.linspace(0, n - 1, new_n)).astype(int), 0, n - 1)
    if max_frames and len(idx) > max_frames:
        idx = idx[np.round(np.linspace(0, len(idx) - 1, max_frames)).astype(int)]
    x = {}
    for s, v in values.items():
        a = v[idx].astype(np.float32)
        if rng is not None:
            a = a * rng.uniform(*gain) + rng.normal(0, noise, size=a.shape).astype(np.float32)
        x[s] = a
    return x, {s: masks[s][idx] for s in values}
