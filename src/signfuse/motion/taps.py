"""Contact and tap detection: hand-to-hand, hand-to-face, hand-to-body, with intensity.

Method
------
A *tap* is a hand that approaches something fast and stops there abruptly. For each hand:

1. Candidate stops are local minima of the hand's speed (Savitzky-Golay, a short ``window_s`` so
   that sharp stops stay sharp).
2. The approach is the ``approach_s`` seconds before the stop; its peak speed is the **approach speed**
   ``v``. A candidate is kept when ``v >= min_speed`` and the speed at the stop is at most
   ``stop_ratio * v``, and the deceleration (step 4) is at least ``min_decel`` (a hand that drifts to
   rest is not tapping).
3. The **contact time** is when 90 % of the drop from ``v`` to the stop speed is done.
4. The **deceleration** is the largest slowing-down (negative tangential acceleration) between the
   approach peak and the contact, in shoulder widths per second squared.
5. A tap **stops harder than it started**: the deceleration is at least ``asymmetry`` times the
   largest acceleration in the ``approach_s`` before the approach peak. Smooth reversals (a sinusoid)
   and minimum-jerk movements that end at a sign's location have symmetric speed profiles (ratio
   about 1) and are rejected.
6. A tap **rebounds**: within ``rebound_s`` after the stop the hand moves back against its approach
   direction (displacement at least 0.05 sw with a cosine below -0.3 to the approach), which tells a
   tap from a movement that merely ends (a sign arriving at its location, a hand returning to rest).
   A stop at the very start of the sequence (approach peak on the first frame) is ignored.
7. The **type** is decided at the contact frame from the landmarks (in shoulder widths):
   ``hand-hand`` when some point of the hand lies within ``contact_sw`` of a point of the other hand,
   else ``hand-face`` when within ``contact_sw`` of a face point (face mesh, or the POSE face points),
   else ``hand-body`` when the palm centre lies over the torso (between the shoulders, plus 0.1 sw,
   and from the shoulder line down to the hips). Otherwise the stop is not a contact.

**Intensity** is the deceleration: by Newton's second law the contact force per unit mass of the hand
equals its deceleration, so a light tap (slow approach, gentle stop) scores low and a heavy one (fast
approach, abrupt stop) high. Both ingredients are reported too. In 2-D data, touching the body is
inferred from an abrupt stop over the torso (depth is not observed).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.signal import find_peaks

from ..errors import ParameterError
from ..sequence import LandmarkSequence
from .kinematics import TARGETS, kinematics

__all__ = ["taps", "TAP_TYPES"]

TAP_TYPES = ("hand-hand", "hand-face", "hand-body")
_HAND = {"lh": "LEFT_HAND", "rh": "RIGHT_HAND"}
_SIDE = {"lh": "left", "rh": "right"}
_POSE_FACE = ("NOSE", "LEFT_EYE_INNER", "LEFT_EYE", "LEFT_EYE_OUTER", "RIGHT_EYE_INNER", "RIGHT_EYE",
              "RIGHT_EYE_OUTER", "LEFT_EAR", "RIGHT_EAR", "MOUTH_LEFT", "MOUTH_RIGHT")


def _body_points(seq, comp: str, frame: int, centre, width, D) -> np.ndarray | None:
    if not seq.has(comp):
        return None
    data, conf = seq.component_data(comp)
    x, ok = data[frame, 0, :, :D], conf[frame, 0] > 0
    ok &= np.all(np.isfinite(x), axis=1)
    if not ok.any():
        return None
    return (x[ok].astype(np.float64) - centre[frame]) / width


def _pose_points(seq, names, frame, centre, width, D) -> np.ndarray | None:
    if not seq.has("POSE"):
        return None
    points = seq.component("POSE").points
    idx = [seq.point_index("POSE", n) for n in names if n in points]
    if not idx:
        return None
    x = seq.data[frame, 0, idx, :D].astype(np.float64)
    ok = (seq.confidence[frame, 0, idx] > 0) & np.all(np.isfinite(x), axis=1)
    return (x[ok] - centre[frame]) / width if ok.any() else None


def _min_dist(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)).min())


def taps(seq: LandmarkSequence, *, hands: Sequence[str] = ("lh", "rh"), min_speed: float = 0.5,
         stop_ratio: float = 0.3, min_decel: float = 3.0, approach_s: float = 0.4, contact_sw: float = 0.15, window_s: float = 0.1, rebound_s: float = 0.4,
         asymmetry: float = 1.2,
         dims: int = 2, types: Sequence[str] = TAP_TYPES) -> list[dict]:
    """Detect taps (see the module doc).

    Returns
    -------
    list of dicts sorted by time: ``time`` (contact, seconds), ``frame``, ``type``, ``hand``
    (``"left"``/``"right"``), ``intensity`` (= ``deceleration``, sw/s^2), ``approach_speed`` (sw/s),
    ``deceleration`` (sw/s^2), ``contact_distance`` (sw, 0 for body contact).
    """
    for h in hands:
        if h not in _HAND:
            raise ParameterError(f"hands entry {h!r} must be 'lh' or 'rh'")
    for t in types:
        if t not in TAP_TYPES:
            raise ParameterError(f"tap type {t!r} must be one of {TAP_TYPES}")
    if not (min_speed > 0 and 0 < stop_ratio < 1 and approach_s > 0 and contact_sw > 0):
        raise ParameterError(f"need min_speed > 0 (got {min_speed}), 0 < stop_ratio < 1 (got {stop_ratio}), "
                             f"approach_s > 0 (got {approach_s}) and contact_sw > 0 (got {contact_sw})")
    k = kinematics(seq, window_s=window_s, dims=dims)
    fps, D = k.fps, k.pos.shape[2]
    t_axis = seq.frame_times
    W = max(1, int(round(approach_s * fps)))
    merge = max(1, int(round(0.15 * fps)))
    R = max(1, int(round(rebound_s * fps)))
    hip_y = None
    if seq.has("POSE"):
        hips = _pose_points(seq, ("LEFT_HIP", "RIGHT_HIP"), 0, k.centre, k.width, D)
        hip_y = float(hips[:, 1].mean()) if hips is not None and hips.shape[0] else None
    hip_y = 1.6 if hip_y is None or hip_y <= 0.3 else hip_y
    events: list[dict] = []
    for h in hands:
        hi = TARGETS.index(h)
        s, pres = k.speed[:, hi], k.present[:, hi]
        minima, _ = find_peaks(-s, plateau_size=(1, None))
        minima = np.concatenate([minima, [s.size - 1]]) if s.size > 1 else minima
        seen_peaks: set[int] = set()
        hand_events: list[dict] = []
        for m in minima:
            if not pres[m]:
                continue
            lo = max(0, m - W)
            p = lo + int(np.argmax(s[lo:m + 1]))
            v = float(s[p])
            if v < min_speed or s[m] > stop_ratio * v or p in seen_peaks or p == m:
                continue
            seg = s[p:m + 1]
            c = p + int(np.argmax(seg <= s[m] + 0.1 * (v - s[m])))
            decel = float(max(0.0, -k.tangential_acc[p:c + 1, hi].min()))
            if decel < min_decel or p == 0:
                continue
            accel = float(max(0.0, k.tangential_acc[max(0, p - W):p + 1, hi].max()))
            if decel < asymmetry * accel:
                continue
            if rebound_s > 0:
                approach = k.pos[c, hi] - k.pos[p, hi]
                after = k.pos[min(s.size - 1, m + R), hi] - k.pos[m, hi]
                na, nb = float(np.linalg.norm(approach)), float(np.linalg.norm(after))
                if nb < 0.05 or na == 0 or float(approach @ after) / (na * nb) > -0.3:
                    continue
            kind, dist = _classify(seq, h, c, k, D, contact_sw, hip_y, types)
            if kind is None:
                continue
            seen_peaks.add(p)
            if hand_events and c - hand_events[-1]["frame"] <= merge:
                if v > hand_events[-1]["approach_speed"]:
                    hand_events.pop()
                else:
                    continue
            hand_events.append({"time": float(t_axis[c]), "frame": int(c), "type": kind, "hand": _SIDE[h],
                           "intensity": decel, "approach_speed": v, "deceleration": decel,
                           "contact_distance": dist})
        events += hand_events
    events.sort(key=lambda e: e["time"])
    # both hands stopping against each other is one hand-hand tap: keep the harder one
    merged: list[dict] = []
    for e in events:
        if (merged and e["type"] == "hand-hand" == merged[-1]["type"]
                and e["hand"] != merged[-1]["hand"] and e["time"] - merged[-1]["time"] <= 0.1):
            if e["intensity"] > merged[-1]["intensity"]:
                merged[-1] = e
            continue
        merged.append(e)
    return merged


def _classify(seq, h, c, k, D, contact_sw, hip_y, types) -> tuple[str | None, float]:
    pts = _body_points(seq, _HAND[h], c, k.centre, k.width, D)
    centroid = k.pos[c, TARGETS.index(h)]
    if pts is None:
        pts = centroid[None]
    if "hand-hand" in types:
        other = "rh" if h == "lh" else "lh"
        op = _body_points(seq, _HAND[other], c, k.centre, k.width, D)
        if op is not None:
            d = _min_dist(pts, op)
            if d <= contact_sw:
                return "hand-hand", d
    if "hand-face" in types:
        fp = _body_points(seq, "FACE", c, k.centre, k.width, D)
        if fp is None:
            fp = _pose_points(seq, _POSE_FACE, c, k.centre, k.width, D)
        if fp is not None:
            d = _min_dist(pts, fp)
            if d <= contact_sw:
                return "hand-face", d
    if "hand-body" in types:
        x, y = float(centroid[0]), float(centroid[1])
        if abs(x) <= 0.6 and -0.1 <= y <= hip_y:
            return "hand-body", 0.0
    return None, math.inf
