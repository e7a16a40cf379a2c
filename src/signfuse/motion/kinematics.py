"""Kinematics of the hands and the head: body-relative position, velocity, speed, acceleration, jerk,
amplitude and movement energy.

Method
------
1. **Body frame.** Every frame's origin is the midpoint of the two shoulders (POSE ``LEFT_SHOULDER``
   and ``RIGHT_SHOULDER``) and the unit is the sequence's *median* shoulder width, so positions are in
   *shoulder widths* and every derived quantity is independent of where the signer stands and how
   large they appear (a per-frame width would turn a lean towards the camera into hand motion).
2. **Tracked points.** A hand is its palm centre, the mean of the wrist and the four finger knuckles
   (MCP joints): these move with the hand, not with the fingers, so a handshape change is not
   mistaken for hand movement (components without these point names use all their points). In
   frames where the hand component is missing but the POSE wrist is seen, the wrist plus the median
   wrist-to-palm offset stands in. The head is the POSE nose (or the face-mesh centroid
   plus its median offset when the nose is absent).
3. **Gaps.** Missing frames are filled by linear interpolation (held constant before the first and
   after the last observation) so that filters run; frames in gaps longer than ``max_gap_s`` are
   reported as absent (``*_present`` = 0) and their features are set to 0.
4. **Derivatives.** With ``smooth=True`` position, velocity, acceleration and jerk are the 0th to 3rd
   derivatives of a Savitzky-Golay local polynomial fit (``scipy.signal.savgol_filter``, ``delta =
   1/fps``): a least-squares polynomial of order ``polyorder`` over a window of ``window_s`` seconds
   (rounded to an odd number of frames, at least ``polyorder + 2``). This smooths and differentiates
   in one step, exactly for polynomials up to ``polyorder`` and with a known small bias for
   oscillations much slower than the window. With ``smooth=False`` the raw positions are
   differentiated by central differences (``numpy.gradient``).
5. **Amplitude** is the distance (shoulder widths) from a rest position; the default rest of a hand
   is the median position over its lowest frames in the image (hands rest low: frames within 0.05
   shoulder widths of the 90th percentile of image y), the head's rest is its median position.
6. **Energy** is the kinetic energy per unit mass ``speed^2 / 2`` (shoulder widths^2 / s^2).

Coordinates: ``dims=2`` (default) uses image x and y only. MediaPipe's z is a relative depth
estimate, noisier than x and y; with ``dims=3`` a hand's depth is taken from the POSE wrist (hand
landmarks' z is relative to the hand's own wrist in MediaPipe), plus the palm's offset from the
wrist.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.signal import savgol_filter

from ..errors import DataError, ParameterError
from ..sequence import LandmarkSequence

__all__ = ["Kinematics", "kinematics", "body_frame", "TARGETS", "PALM_POINTS", "savgol_window"]

log = logging.getLogger(__name__)

TARGETS: tuple[str, ...] = ("lh", "rh", "head")
_HAND_COMP = {"lh": "LEFT_HAND", "rh": "RIGHT_HAND"}
_WRIST = {"lh": "LEFT_WRIST", "rh": "RIGHT_WRIST"}
# The palm centre: the wrist and the four finger knuckles, which move with the hand, not with the fingers.
PALM_POINTS: tuple[str, ...] = ("WRIST", "INDEX_FINGER_MCP", "MIDDLE_FINGER_MCP", "RING_FINGER_MCP", "PINKY_MCP")


@dataclass(frozen=True)
class Kinematics:
    """Kinematic arrays of the tracked targets (``TARGETS`` order: left hand, right hand, head).

    Attributes
    ----------
    pos, vel, acc, jerk:
        ``(frames, targets, dims)`` in shoulder widths and seconds.
    speed, acc_norm, jerk_norm, amplitude, energy:
        ``(frames, targets)``.
    tangential_acc:
        ``(frames, targets)`` acceleration along the direction of motion (negative when slowing).
    present:
        ``(frames, targets)`` bool: observed, or inside a gap shorter than ``max_gap_s``.
    rest:
        ``(targets, dims)`` rest positions used for the amplitude.
    centre, width:
        ``(frames, dims)`` shoulder centre in image units and the median shoulder width.
    fps:
        Frame rate.
    """

    pos: np.ndarray
    vel: np.ndarray
    acc: np.ndarray
    jerk: np.ndarray
    speed: np.ndarray
    acc_norm: np.ndarray
    tangential_acc: np.ndarray
    jerk_norm: np.ndarray
    amplitude: np.ndarray
    energy: np.ndarray
    present: np.ndarray
    rest: np.ndarray
    centre: np.ndarray
    width: float
    fps: float
    times: np.ndarray | None = None

    @property
    def n_frames(self) -> int:
        return int(self.pos.shape[0])


def savgol_window(fps: float, *, window_s: float, polyorder: int) -> int:
    """Odd Savitzky-Golay window in frames for ``window_s`` seconds at ``fps`` (at least ``polyorder + 2``)."""
    n = int(round(window_s * fps))
    n = max(n, polyorder + 2)
    return n + 1 if n % 2 == 0 else n


def _fill_gaps(x: np.ndarray, seen: np.ndarray, max_gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Linear interpolation over unseen frames. ``x`` (T, D); returns (filled, present)."""
    T = x.shape[0]
    if seen.all():
        return x, seen.copy()
    if not seen.any():
        return np.zeros_like(x), np.zeros(T, bool)
    idx = np.flatnonzero(seen)
    t = np.arange(T)
    out = np.empty_like(x)
    for d in range(x.shape[1]):
        out[:, d] = np.interp(t, idx, x[idx, d])
    # length of the gap each unseen frame belongs to
    present = seen.copy()
    prev = np.maximum.accumulate(np.where(seen, t, -1))
    nxt = np.minimum.accumulate(np.where(seen, t, T)[::-1])[::-1]
    inner = ~seen & (prev >= 0) & (nxt < T)
    present[inner] = (nxt[inner] - prev[inner] - 1) <= max_gap
    return out, present


def _component_centroid(seq: LandmarkSequence, comp: str, person: int, D: int,
                        points: tuple[str, ...] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the seen, finite points (all, or the named ``points``) of a component per frame
    ``(T, D)`` float64, and their count."""
    data, conf = seq.component_data(comp)
    names = seq.component(comp).points
    if points is not None and all(p in names for p in points):
        idx = [names.index(p) for p in points]
        x = data[:, person, idx, :D]
        seen = conf[:, person, idx] > 0
    else:
        x = data[:, person, :, :D]                     # a strided view; reductions read it in place
        seen = conf[:, person] > 0
    n = x.shape[1]
    if seen.all():                                     # fast path: one pass over the points
        m = x.mean(axis=1, dtype=np.float64)
        if np.isfinite(m).all():
            return m, np.full(x.shape[0], n)
    seen = seen & np.isfinite(x).all(axis=-1)
    count = seen.sum(axis=1)
    xs = np.where(seen[..., None], x, np.float32(0))
    return xs.sum(axis=1, dtype=np.float64) / np.maximum(count, 1)[:, None], count


def _has_point(seq: LandmarkSequence, comp: str, point: str) -> bool:
    return seq.has(comp) and point in seq.component(comp).points


def body_frame(seq: LandmarkSequence, *, person: int = 0, dims: int = 2) -> tuple[np.ndarray, float]:
    """Shoulder centre ``(frames, dims)`` (image units, gaps interpolated) and median shoulder width."""
    if not (_has_point(seq, "POSE", "LEFT_SHOULDER") and _has_point(seq, "POSE", "RIGHT_SHOULDER")):
        raise DataError(f"motion features need the POSE component with LEFT_SHOULDER and RIGHT_SHOULDER; this "
                        f"sequence has {list(seq.component_names)}")
    ls = seq.point("POSE", "LEFT_SHOULDER")[:, person, :dims].astype(np.float64)
    rs = seq.point("POSE", "RIGHT_SHOULDER")[:, person, :dims].astype(np.float64)
    seen = ((seq.point_confidence("POSE", "LEFT_SHOULDER")[:, person] > 0)
            & (seq.point_confidence("POSE", "RIGHT_SHOULDER")[:, person] > 0)
            & np.all(np.isfinite(ls), axis=1) & np.all(np.isfinite(rs), axis=1))
    if not seen.any():
        raise DataError("no frame shows both shoulders, so positions cannot be made body-relative")
    w = np.linalg.norm((ls - rs)[seen, :2], axis=1)
    width = float(np.median(w))
    if not (math.isfinite(width) and width > 0):
        raise DataError(f"median shoulder width is {width}; the shoulder landmarks coincide")
    centre, _ = _fill_gaps(0.5 * (ls + rs), seen, max_gap=seq.n_frames)
    return centre, width


def _hand_track(seq: LandmarkSequence, target: str, person: int, D: int) -> tuple[np.ndarray, np.ndarray]:
    T = seq.n_frames
    pos = np.zeros((T, D))
    seen = np.zeros(T, bool)
    comp = _HAND_COMP[target]
    if seq.has(comp):
        pos, count = _component_centroid(seq, comp, person, D, PALM_POINTS)
        n_used = len(PALM_POINTS) if all(p in seq.component(comp).points for p in PALM_POINTS) \
            else seq.component(comp).n_points
        seen = count >= max(1, (n_used + 1) // 2)     # MediaPipe gives all 21 points or none
        if D == 3 and _has_point(seq, "POSE", _WRIST[target]) and "WRIST" in seq.component(comp).points:
            # MediaPipe hand z is relative to the hand's own wrist; the body's depth of the wrist comes
            # from the POSE wrist, so the palm's depth = POSE wrist z + (palm z - hand wrist z)
            wz = seq.point("POSE", _WRIST[target])[:, person, 2].astype(np.float64)
            hz = seq.point(comp, "WRIST")[:, person, 2].astype(np.float64)
            ok = (seq.point_confidence("POSE", _WRIST[target])[:, person] > 0) & seen & np.isfinite(wz + hz)
            pos[ok, 2] = wz[ok] + pos[ok, 2] - hz[ok]
    if _has_point(seq, "POSE", _WRIST[target]) and not seen.all():
        w = seq.point("POSE", _WRIST[target])[:, person, :D].astype(np.float64)
        ws = (seq.point_confidence("POSE", _WRIST[target])[:, person] > 0) & np.all(np.isfinite(w), axis=1)
        both = seen & ws
        offset = np.median(pos[both] - w[both], axis=0) if both.any() else np.zeros(D)
        use = ~seen & ws
        pos[use] = w[use] + offset
        seen = seen | use
    return pos, seen


def _head_track(seq: LandmarkSequence, person: int, D: int) -> tuple[np.ndarray, np.ndarray]:
    T = seq.n_frames
    pos = np.zeros((T, D))
    seen = np.zeros(T, bool)
    if _has_point(seq, "POSE", "NOSE"):
        pos = seq.point("POSE", "NOSE")[:, person, :D].astype(np.float64)
        seen = (seq.point_confidence("POSE", "NOSE")[:, person] > 0) & np.all(np.isfinite(pos), axis=1)
    if seq.has("FACE") and not seen.all():
        cen, count = _component_centroid(seq, "FACE", person, D)
        fs = count > 0
        both = seen & fs
        offset = np.median(pos[both] - cen[both], axis=0) if both.any() else np.zeros(D)
        use = ~seen & fs
        pos = pos.copy()
        pos[use] = cen[use] + offset
        seen = seen | use
    return pos, seen


def _rest_positions(pos: np.ndarray, present: np.ndarray, rest: str | Mapping[str, np.ndarray]) -> np.ndarray:
    n_t, D = pos.shape[1], pos.shape[2]
    out = np.zeros((n_t, D))
    for k, name in enumerate(TARGETS):
        p = pos[present[:, k], k]
        if isinstance(rest, Mapping):
            if name in rest:
                out[k] = np.asarray(rest[name], float)[:D]
                continue
            mode = "low"
        else:
            mode = rest
        if p.shape[0] == 0:
            continue
        if mode == "first":
            out[k] = p[0]
        elif name == "head":
            out[k] = np.median(p, axis=0)
        else:  # "low": median over the frames at most 0.05 sw above the 90th percentile of image y
            low = p[:, 1] >= np.percentile(p[:, 1], 90) - 0.05
            out[k] = np.median(p[low], axis=0)
    return out


def kinematics(seq: LandmarkSequence, *, smooth: bool = True, window_s: float = 0.2, polyorder: int = 3,
               dims: int = 2, person: int = 0, max_gap_s: float = 0.3,
               rest: str | Mapping[str, np.ndarray] = "low") -> Kinematics:
    """Compute the :class:`Kinematics` of the hands and head of one person (see the module doc).

    Parameters
    ----------
    seq:
        Landmarks with at least the POSE component (shoulders).
    smooth:
        Savitzky-Golay smoothing and differentiation (True) or raw central differences (False).
    window_s, polyorder:
        Savitzky-Golay window length in seconds and polynomial order (>= 3, so jerk is defined).
    dims:
        2 (image plane, default) or 3.
    max_gap_s:
        Longest gap (seconds) still treated as present after interpolation.
    rest:
        ``"low"`` (default), ``"first"`` or a mapping target -> rest position in shoulder widths.
    """
    if not isinstance(seq, LandmarkSequence):
        raise ParameterError(f"seq must be a LandmarkSequence, got {type(seq).__name__}")
    if dims not in (2, 3) or dims > seq.dims:
        raise ParameterError(f"dims={dims} must be 2 or 3 and at most the sequence's {seq.dims}")
    if not (window_s > 0 and math.isfinite(window_s)):
        raise ParameterError(f"window_s={window_s} must be a positive number of seconds")
    if not 3 <= int(polyorder) <= 7:
        raise ParameterError(f"polyorder={polyorder} must be between 3 and 7 (jerk is the 3rd derivative)")
    if isinstance(rest, str) and rest not in ("low", "first"):
        raise ParameterError(f"rest={rest!r} must be 'low', 'first' or a mapping of positions")
    if not 0 <= person < seq.n_people:
        raise ParameterError(f"person={person} out of range (sequence has {seq.n_people})")
    T, D, fps = seq.n_frames, int(dims), float(seq.fps)
    if T == 0:
        raise DataError("the sequence has no frames")
    centre, width = body_frame(seq, person=person, dims=D)
    max_gap = int(round(max_gap_s * fps))
    tracks, present = [], []
    for name in TARGETS:
        raw, seen = _head_track(seq, person, D) if name == "head" else _hand_track(seq, name, person, D)
        rel = (raw - centre) / width
        filled, pres = _fill_gaps(rel, seen, max_gap)
        tracks.append(filled)
        present.append(pres)
    X = np.stack(tracks, axis=1)                        # (T, 3, D)
    P = np.stack(present, axis=1)                       # (T, 3)
    flat = X.reshape(T, -1)
    dt = 1.0 / fps
    wl = savgol_window(fps, window_s=window_s, polyorder=int(polyorder))
    if smooth and T > polyorder + 1:
        if wl > T:
            wl = T if T % 2 else T - 1
        po = min(int(polyorder), wl - 1)
        derivs = [savgol_filter(flat, wl, po, deriv=k, delta=dt, axis=0, mode="interp") if k <= po
                  else np.zeros_like(flat) for k in range(4)]
    else:
        if smooth:
            log.warning("sequence of %d frames is too short for Savitzky-Golay smoothing; using raw differences", T)
        derivs = [flat]
        for _ in range(3):
            derivs.append(np.gradient(derivs[-1], dt, axis=0) if T > 1 else np.zeros_like(flat))
    pos, vel, acc, jerk = (d.reshape(T, len(TARGETS), D) for d in derivs)
    speed = np.linalg.norm(vel, axis=2)
    acc_norm = np.linalg.norm(acc, axis=2)
    jerk_norm = np.linalg.norm(jerk, axis=2)
    tangential = np.einsum("tkd,tkd->tk", vel, acc) / np.maximum(speed, 1e-9)
    rest_pos = _rest_positions(pos, P, rest)
    amplitude = np.linalg.norm(pos - rest_pos[None], axis=2)
    energy = 0.5 * speed ** 2
    return Kinematics(pos=pos, vel=vel, acc=acc, jerk=jerk, speed=speed, acc_norm=acc_norm,
                      tangential_acc=tangential, jerk_norm=jerk_norm, amplitude=amplitude, energy=energy,
                      present=P, rest=rest_pos, centre=centre, width=width, fps=fps, times=seq.times)
