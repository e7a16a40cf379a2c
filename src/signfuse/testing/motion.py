"""Known-answer landmark sequences for motion and cross-modal tests.

Every builder places a schematic holistic skeleton (POSE 33, FACE 468, LEFT_HAND 21, RIGHT_HAND 21)
in *body units*: x to the signer's left on screen is +x, y grows downwards (image convention), the
shoulder centre is the origin and the shoulder width is 1. :func:`holistic_sequence` then maps body
units to image units with ``origin`` and ``shoulder_width`` (pixels), so a test can check that the
motion features do not depend on where or how large the signer appears.

The hand position given to the builders is the palm centre (mean of the wrist and the four finger
knuckles; the hand shape is fixed and centred on it) and the head position is the nose, which is what
:mod:`signfuse.motion.kinematics` tracks, so the analytic trajectory is the true answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..errors import ParameterError
from ..sequence import Component, LandmarkSequence
from ..topology import FACE_POINTS_468, HAND_EDGES, HAND_POINTS, POSE_EDGES, POSE_POINTS

__all__ = ["holistic_sequence", "linear_motion", "sinusoid_motion", "tap_sequence", "REST_LEFT", "REST_RIGHT",
           "FACE_CENTRE"]

REST_LEFT = np.array([0.45, 1.8, 0.0])   # hands hanging by the hips
REST_RIGHT = np.array([-0.45, 1.8, 0.0])
NOSE = np.array([0.0, -0.75, 0.0])
FACE_CENTRE = np.array([0.0, -0.8, 0.0])

# Fixed layout of the non-hand pose points (body units); wrists/hand points follow the hands.
_POSE_LAYOUT = {
    "NOSE": (0.0, -0.75), "LEFT_EYE_INNER": (0.05, -0.85), "LEFT_EYE": (0.09, -0.85),
    "LEFT_EYE_OUTER": (0.13, -0.85), "RIGHT_EYE_INNER": (-0.05, -0.85), "RIGHT_EYE": (-0.09, -0.85),
    "RIGHT_EYE_OUTER": (-0.13, -0.85), "LEFT_EAR": (0.2, -0.8), "RIGHT_EAR": (-0.2, -0.8),
    "MOUTH_LEFT": (0.06, -0.62), "MOUTH_RIGHT": (-0.06, -0.62), "LEFT_SHOULDER": (0.5, 0.0),
    "RIGHT_SHOULDER": (-0.5, 0.0), "LEFT_ELBOW": (0.6, 0.9), "RIGHT_ELBOW": (-0.6, 0.9),
    "LEFT_HIP": (0.35, 2.0), "RIGHT_HIP": (-0.35, 2.0), "LEFT_KNEE": (0.35, 3.0), "RIGHT_KNEE": (-0.35, 3.0),
    "LEFT_ANKLE": (0.35, 4.0), "RIGHT_ANKLE": (-0.35, 4.0), "LEFT_HEEL": (0.35, 4.1),
    "RIGHT_HEEL": (-0.35, 4.1), "LEFT_FOOT_INDEX": (0.4, 4.2), "RIGHT_FOOT_INDEX": (-0.4, 4.2),
}
_HEAD_POINTS = ("NOSE", "LEFT_EYE_INNER", "LEFT_EYE", "LEFT_EYE_OUTER", "RIGHT_EYE_INNER", "RIGHT_EYE",
                "RIGHT_EYE_OUTER", "LEFT_EAR", "RIGHT_EAR", "MOUTH_LEFT", "MOUTH_RIGHT")


def _hand_shape() -> np.ndarray:
    """(21, 3) offsets of a flat open hand about 0.35 shoulder widths long, palm centre at 0."""
    pts = np.zeros((21, 3))
    angles = np.deg2rad([-60, -20, 0, 20, 40])
    for f, a in enumerate(angles):
        for j in range(4):
            r = 0.08 + 0.06 * (j + 1)
            pts[1 + 4 * f + j, :2] = r * np.sin(a), -r * np.cos(a)
    return pts - pts[list(_PALM)].mean(axis=0)


_PALM = (0, 5, 9, 13, 17)   # wrist and finger MCPs: the palm centre that motion tracks


def _face_shape() -> np.ndarray:
    """(468, 3) points on an ellipse-filled disc around the face centre (zero mean)."""
    k = np.arange(468)
    r = np.sqrt((k + 0.5) / 468.0)
    a = k * np.pi * (3.0 - np.sqrt(5.0))      # golden-angle spiral: evenly filled disc
    pts = np.stack([0.22 * r * np.cos(a), 0.3 * r * np.sin(a), np.zeros(468)], axis=1)
    return pts - pts.mean(axis=0)


def _track(x: np.ndarray | None, default: np.ndarray, n: int, name: str) -> np.ndarray:
    if x is None:
        return np.broadcast_to(default, (n, 3)).astype(np.float64)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] != n or x.shape[1] not in (2, 3):
        raise ParameterError(f"{name} must be ({n}, 2|3), got shape {x.shape}")
    if x.shape[1] == 2:
        x = np.concatenate([x, np.zeros((n, 1))], axis=1)
    return x


def holistic_sequence(*, fps: float, n_frames: int, left: np.ndarray | None = None,
                      right: np.ndarray | None = None, head: np.ndarray | None = None,
                      origin: Sequence[float] = (320.0, 200.0), shoulder_width: float = 100.0,
                      dims: int = 3, missing: Mapping[str, np.ndarray] | None = None,
                      noise: float = 0.0, seed: int = 0) -> LandmarkSequence:
    """A holistic skeleton whose palm centres and nose follow given trajectories.

    Parameters
    ----------
    fps, n_frames:
        Frame rate and length.
    left, right:
        ``(n_frames, 2|3)`` palm centre in body units (shoulder centre origin, shoulder width 1,
        y down); ``None`` keeps the hand at rest by the hip.
    head:
        ``(n_frames, 2|3)`` nose position in body units; ``None`` keeps it still.
    origin, shoulder_width:
        Where the shoulder centre lies in image units and how many image units one shoulder width is.
    dims:
        2 or 3 coordinates per point.
    missing:
        Component name -> ``(n_frames,)`` bool, True where the whole component is unseen.
    noise:
        Standard deviation (body units) of i.i.d. Gaussian jitter added to every point (seeded).
    """
    if n_frames < 1:
        raise ParameterError(f"n_frames={n_frames} must be at least 1")
    if dims not in (2, 3):
        raise ParameterError(f"dims={dims} must be 2 or 3")
    n = int(n_frames)
    lh = _track(left, REST_LEFT, n, "left")
    rh = _track(right, REST_RIGHT, n, "right")
    hd = _track(head, NOSE, n, "head")
    head_off = hd - NOSE                                    # the whole head follows the nose

    pose = np.zeros((n, 33, 3))
    for i, name in enumerate(POSE_POINTS):
        if name in _POSE_LAYOUT:
            pose[:, i, :2] = _POSE_LAYOUT[name]
        if name in _HEAD_POINTS:
            pose[:, i] += head_off
    hand = _hand_shape()
    lpts = lh[:, None, :] + hand[None]
    rpts = rh[:, None, :] + hand[None]
    for side, pts in (("LEFT", lpts), ("RIGHT", rpts)):
        pose[:, POSE_POINTS.index(f"{side}_WRIST")] = pts[:, 0]
        pose[:, POSE_POINTS.index(f"{side}_INDEX")] = pts[:, 8]
        pose[:, POSE_POINTS.index(f"{side}_PINKY")] = pts[:, 20]
        pose[:, POSE_POINTS.index(f"{side}_THUMB")] = pts[:, 4]
    face = (FACE_CENTRE + head_off)[:, None, :] + _face_shape()[None]

    body = np.concatenate([pose, face, lpts, rpts], axis=1)   # (n, 543, 3)
    if noise > 0:
        body = body + np.random.default_rng(seed).normal(scale=noise, size=body.shape)
    img = body * float(shoulder_width)
    img[..., 0] += origin[0]
    img[..., 1] += origin[1]
    comps = (Component("POSE", POSE_POINTS, POSE_EDGES), Component("FACE", FACE_POINTS_468),
             Component("LEFT_HAND", HAND_POINTS, HAND_EDGES), Component("RIGHT_HAND", HAND_POINTS, HAND_EDGES))
    conf = np.ones((n, 1, 543), np.float32)
    offsets = {"POSE": slice(0, 33), "FACE": slice(33, 501), "LEFT_HAND": slice(501, 522),
               "RIGHT_HAND": slice(522, 543)}
    for comp, gone in (missing or {}).items():
        gone = np.asarray(gone, bool)
        if gone.shape != (n,):
            raise ParameterError(f"missing[{comp!r}] must be ({n},) bool, got shape {gone.shape}")
        conf[gone, 0, offsets[comp]] = 0.0
    data = img[:, None, :, :dims].astype(np.float32)
    data[conf == 0] = 0.0
    return LandmarkSequence(comps, data, conf, fps=float(fps))


def linear_motion(*, fps: float, duration: float, velocity: Sequence[float] = (0.5, -0.3),
                  acceleration: Sequence[float] = (0.0, 0.0), start: Sequence[float] = (-0.5, 1.0),
                  **kw) -> tuple[LandmarkSequence, dict]:
    """The right hand moves as ``start + velocity t + acceleration t^2 / 2`` (body units, seconds).

    Returns the sequence and the truth: ``t``, ``pos``, ``vel``, ``acc`` (all ``(frames, 2)``),
    ``speed`` and ``acc_norm``.
    """
    n = int(round(duration * fps))
    t = np.arange(n) / fps
    v, a, p0 = (np.asarray(x, float) for x in (velocity, acceleration, start))
    pos = p0 + v * t[:, None] + 0.5 * a * t[:, None] ** 2
    vel = v + a * t[:, None]
    acc = np.broadcast_to(a, pos.shape).copy()
    seq = holistic_sequence(fps=fps, n_frames=n, right=pos, **kw)
    return seq, {"t": t, "pos": pos, "vel": vel, "acc": acc, "speed": np.linalg.norm(vel, axis=1),
                 "acc_norm": np.linalg.norm(acc, axis=1), "jerk_norm": np.zeros(n)}


def sinusoid_motion(*, fps: float, duration: float, amplitude: float = 0.3, freq: float = 1.0,
                    centre: Sequence[float] = (-0.3, 0.8), **kw) -> tuple[LandmarkSequence, dict]:
    """The right hand oscillates horizontally: ``x = cx + A sin(2 pi f t)``; truth as in :func:`linear_motion`."""
    n = int(round(duration * fps))
    t = np.arange(n) / fps
    w = 2 * np.pi * freq
    pos = np.zeros((n, 2))
    pos[:, 0] = centre[0] + amplitude * np.sin(w * t)
    pos[:, 1] = centre[1]
    vel = np.zeros((n, 2))
    vel[:, 0] = amplitude * w * np.cos(w * t)
    acc = np.zeros((n, 2))
    acc[:, 0] = -amplitude * w ** 2 * np.sin(w * t)
    jerk = -amplitude * w ** 3 * np.cos(w * t)
    seq = holistic_sequence(fps=fps, n_frames=n, right=pos, **kw)
    return seq, {"t": t, "pos": pos, "vel": vel, "acc": acc, "speed": np.abs(vel[:, 0]),
                 "acc_norm": np.abs(acc[:, 0]), "jerk_norm": np.abs(jerk)}


_TARGETS = {
    # target -> (contact point of the right palm centre, home position before/after the tap)
    "hand-face": (np.array([-0.05, -0.35, 0.0]), np.array([-0.8, -0.35, 0.0])),
    "hand-hand": (np.array([0.0, 0.9, 0.0]), np.array([-0.9, 0.9, 0.0])),
    "hand-body": (np.array([-0.15, 0.6, 0.0]), np.array([-1.0, 0.6, 0.0])),
}
_LEFT_FOR_HAND_TAP = np.array([0.33, 0.9, 0.0])   # the passive hand, just right of where the right one lands


def tap_sequence(*, fps: float, taps: Sequence[Mapping], duration: float | None = None,
                 **kw) -> tuple[LandmarkSequence, list[dict]]:
    """The right hand taps targets with known approach speeds and stopping times.

    Each tap is a mapping with ``time`` (contact, seconds), ``speed`` (approach speed, shoulder widths
    per second), ``stop_s`` (how long the final deceleration to rest takes; a hard tap stops within a
    frame or two, a soft one over ~0.15 s) and ``type`` (``hand-face``, ``hand-hand`` or ``hand-body``).
    The impact force of a tap is proportional to ``speed / stop_s`` (impulse over stopping time), so a
    tap that is both faster and stops quicker is heavier. Between taps the hand waits at a home
    position beside the target, approaches at constant speed after a smooth ramp, holds contact for
    0.15 s and returns home along a raised cosine over 1 s; when the next tap has another target the
    hand glides to its home along a raised cosine.

    Returns the sequence and the taps with ``force = speed / stop_s`` added.
    """
    taps = sorted((dict(t) for t in taps), key=lambda t: t["time"])
    if duration is None:
        duration = (taps[-1]["time"] + 1.5) if taps else 2.0
    n = int(round(duration * fps))
    dt = 1.0 / fps
    # fine time grid, integrated then sampled: the velocity profile is exact
    sub = 20
    tf = np.arange(n * sub) * dt / sub
    pos = np.zeros((tf.size, 3))
    first = _TARGETS[taps[0]["type"]][1] if taps else _TARGETS["hand-face"][1]
    pos[:] = first
    left = None
    prev_home, free_from = first, 0.0
    for tap in taps:
        if tap["type"] not in _TARGETS:
            raise ParameterError(f"tap type {tap['type']!r} must be one of {sorted(_TARGETS)}")
        contact, home = _TARGETS[tap["type"]]
        v, stop = float(tap["speed"]), float(tap["stop_s"])
        ramp = 0.35
        dist = float(np.linalg.norm(contact - home))
        cruise = (dist - v * (ramp / 2 + stop / 2)) / v
        if cruise < 0:
            raise ParameterError(f"tap at {tap['time']} s: speed {v} too low to cover {dist:.2f} in time")
        t_c = float(tap["time"])
        t0 = t_c - stop - cruise - ramp
        if not np.allclose(prev_home, home):
            # glide to the new home along a raised cosine, ending 0.3 s before the approach
            if t0 - 0.3 - free_from < 0.6:
                raise ParameterError(f"tap at {t_c} s: too close to the previous tap to change target")
            g = (tf >= free_from) & (tf < t0 - 0.3)
            u = (tf[g] - free_from) / (t0 - 0.3 - free_from)
            pos[g] = prev_home + (0.5 * (1 - np.cos(np.pi * u)))[:, None] * (home - prev_home)
            pos[tf >= t0 - 0.3] = home
        # speed profile s(t) on [t0, t_c]: raised-cosine ramp up, cruise, linear stop
        rel = tf - t0
        s = np.zeros_like(tf)
        up = (rel >= 0) & (rel < ramp)
        s[up] = v * 0.5 * (1 - np.cos(np.pi * rel[up] / ramp))
        cr = (rel >= ramp) & (rel < ramp + cruise)
        s[cr] = v
        st = (rel >= ramp + cruise) & (tf < t_c)
        s[st] = v * (1 - (rel[st] - ramp - cruise) / stop)
        travelled = np.cumsum(s) * dt / sub
        frac = np.clip(travelled / dist, 0, 1)
        direction = contact - home
        approach = (tf >= t0) & (tf < t_c)
        pos[approach] = home + frac[approach, None] * direction
        hold_end = t_c + 0.15
        pos[(tf >= t_c) & (tf < hold_end)] = contact
        back = 1.0                                         # slow raised-cosine return
        rb = (tf >= hold_end) & (tf < hold_end + back)
        u = (tf[rb] - hold_end) / back
        pos[rb] = contact - (0.5 * (1 - np.cos(np.pi * u)))[:, None] * direction
        pos[tf >= hold_end + back] = home
        tap["force"] = v / stop
        prev_home, free_from = home, hold_end + back
        if tap["type"] == "hand-hand":
            left = _LEFT_FOR_HAND_TAP
    right = pos[::sub]
    left_track = None if left is None else np.broadcast_to(left, (n, 3))
    seq = holistic_sequence(fps=fps, n_frames=n, right=right, left=left_track, **kw)
    return seq, taps
