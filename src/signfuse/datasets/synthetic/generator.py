"""Render signs (one, or a sentence of several with transitions) into landmarks and voice.

Pipeline for one sample: a timeline of segments (rest, preparation, stroke, hold, transition,
retraction) gives per-frame contact points, hand orientations and joint angles for both hands; the
kinematic hand (:mod:`.hands`) and a two-link arm give hands, wrists and elbows; the face controls
(non-manual markers, emotion, blinks, head sway) give the face mesh (:mod:`.face`); everything is
projected to MediaPipe-like normalized image coordinates, then jittered and given dropped detections.
The dominant wrist speed, weighted toward strokes, drives the voice's F0 and energy (:mod:`.audio`) ``lag_s`` later;
stressed syllables start where the hand stops after a movement.

Body frame: x to the image right, y down, z away from the camera; unit = the signer's shoulder width;
origin = the shoulder centre. Image: ``x = center_x + W * X``, ``y = shoulder_y + W * Y``,
``z = W * (Z - Z_ref)`` with ``W`` the shoulder width in image units and ``Z_ref`` the hip centre (body),
the wrist (hands) or the face centre (face), as MediaPipe reports them.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...errors import ParameterError
from ...sequence import Component, LandmarkSequence
from ...topology import FACE, HAND_EDGES, HAND_POINTS, LEFT_HAND, POSE, POSE_EDGES, POSE_POINTS, RIGHT_HAND
from . import face as facemod
from .audio import VOWELS, drive_from_speed, stress_times, voice_track
from .hands import hand_local_points, handshape_angles, place_hand
from .signers import Signer
from .vocab import LOCATIONS, ORIENTATIONS, SURFACE, Sign, movement_dir, movement_plane, regional_variant

__all__ = ["EMOTIONS", "EMOTION_MOTION", "EMOTION_FACE", "synthesize", "synthesize_sign", "components"]

EMOTIONS = ("neutral", "happy", "sad", "angry", "surprised")
# emotion -> movement amplitude and speed change at intensity 1, tap-force change
EMOTION_MOTION = {
    "neutral": (0.0, 0.0, 0.0),
    "happy": (0.15, 0.12, 0.1),
    "sad": (-0.3, -0.25, -0.2),
    "angry": (0.3, 0.3, 0.35),
    "surprised": (0.2, 0.05, 0.1),
}
# emotion -> body sway change at intensity 1 (restless when happy, tense when angry, still when sad)
EMOTION_SWAY = {"neutral": 0.0, "happy": 1.5, "sad": -0.5, "angry": 1.0, "surprised": 0.8}
# emotion -> face controls at intensity 1 (before expressiveness)
EMOTION_FACE = {
    "neutral": {},
    "happy": {"mouth_spread": 0.045, "mouth_open": 0.015, "blink": 0.07},
    "sad": {"mouth_spread": -0.02, "blink": 0.2, "pitch_deg": 4.0},
    "angry": {"brow_furrow": 0.035, "blink": 0.14, "mouth_spread": -0.01},
    "surprised": {"brow_raise": 0.04, "blink": -0.2, "mouth_open": 0.05},
}
# non-manual marker -> (control, amount at expressiveness 1)
NONMANUAL_FACE = {
    "brow_raise": {"brow_raise": 0.11},
    "brow_furrow": {"brow_furrow": 0.07},
    "head_shake": {"yaw_deg": 16.0},
    "head_nod": {"pitch_deg": 13.0},
    "mouth_cha": {"mouth_open": 0.14, "mouth_spread": 0.03},
    "mouth_mm": {"mouth_open": -0.06, "mouth_spread": 0.02},
    "mouth_oo": {"mouth_spread": -0.06, "mouth_open": 0.03},
}
SHAKE_HZ, NOD_HZ = 2.6, 2.0
FACE_IOD = 0.27  # outer eye-corner distance, shoulder widths
FACE_CENTER = np.array([0.0, -0.53, -0.1])
UPPER_ARM, FOREARM = 0.72, 0.62
CONTACT_LOCAL = 0.42  # contact point: middle-finger knuckle, hand lengths from the wrist
HIP_Y = 1.35
_REST = {
    "contact": np.array([0.3, 1.12, -0.22]),
    "finger": np.array([0.3, 0.6, -0.75]),
    "normal": np.array([-1.0, 0.2, 0.0]),
}
_BASE = {
    "contact": np.array([0.06, 0.5, -0.45]),
    "finger": np.array([-0.3, 0.0, -1.0]),
    "normal": np.array([0.0, -1.0, 0.0]),
}


def components() -> tuple[Component, ...]:
    """POSE, FACE (468, with the mesh contour edges), LEFT_HAND, RIGHT_HAND."""
    return (
        Component(POSE, POSE_POINTS, POSE_EDGES),
        Component(FACE, tuple(str(i) for i in range(468)), tuple(map(tuple, facemod.face_edges("contours")))),
        Component(LEFT_HAND, HAND_POINTS, HAND_EDGES),
        Component(RIGHT_HAND, HAND_POINTS, HAND_EDGES),
    )


def _minjerk(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 0.0, 1.0)
    return u**3 * (10 - 15 * u + 6 * u * u)


def _crc(*parts: Any) -> int:
    return zlib.crc32("/".join(map(str, parts)).encode())


@dataclass
class _Hand:
    contact: np.ndarray  # (T, 3)
    finger: np.ndarray  # (T, 3)
    normal: np.ndarray  # (T, 3)
    angles: np.ndarray  # (T, 20)

    @staticmethod
    def hold(state: dict, angles: np.ndarray, n: int) -> _Hand:
        return _Hand(
            np.repeat(state["contact"][None], n, 0),
            np.repeat(state["finger"][None], n, 0),
            np.repeat(state["normal"][None], n, 0),
            np.repeat(angles[None], n, 0),
        )

    def first(self) -> tuple[dict, np.ndarray]:
        return {"contact": self.contact[0], "finger": self.finger[0], "normal": self.normal[0]}, self.angles[0]

    def last(self) -> tuple[dict, np.ndarray]:
        return {"contact": self.contact[-1], "finger": self.finger[-1], "normal": self.normal[-1]}, self.angles[-1]


def _transition(a: tuple[dict, np.ndarray], b: tuple[dict, np.ndarray], n: int) -> _Hand:
    """``n`` frames strictly between states a and b (minimum-jerk timing: zero speed at both ends)."""
    w = _minjerk((np.arange(1, n + 1)) / (n + 1))[:, None]
    (sa, aa), (sb, ab) = a, b
    mix = {k: sa[k][None] * (1 - w) + sb[k][None] * w for k in sa}
    return _Hand(mix["contact"], mix["finger"], mix["normal"], aa[None] * (1 - w) + ab[None] * w)


def _cat(parts: list[_Hand]) -> _Hand:
    return _Hand(*(np.concatenate([getattr(p, k) for p in parts]) for k in ("contact", "finger", "normal", "angles")))


def _shape_angles(name: str, signer: Signer, rng: np.random.Generator) -> np.ndarray:
    personal = np.random.default_rng(_crc(signer.seed, "hs", name)).normal(0.0, 4.0, 20)
    return handshape_angles(name) + personal + rng.normal(0.0, 2.0, 20)


def _stroke(
    sign: Sign, signer: Signer, rng: np.random.Generator, *, amp: float, force_shift: float, n: int, fps: float
) -> tuple[_Hand, _Hand | None, dict]:
    """The stroke of one sign for a right-handed signer: dominant hand, non-dominant (two-handed signs)."""
    u = _minjerk(np.arange(n) / max(n - 1, 1))
    loc_shift = np.random.default_rng(_crc(signer.seed, "loc", sign.location)).normal(0.0, 0.03, 3)
    if sign.location == "base":
        base_contact = _BASE["contact"] + np.array([0.0, signer.height_shift, 0.0]) + rng.normal(0, 0.015, 3)
        loc = base_contact + np.array([0.0, -0.07, 0.0])
        tap_dir = np.array([0.0, 1.0, 0.0])
    else:
        loc = np.array(LOCATIONS[sign.location], dtype=np.float64)
        if SURFACE.get(sign.location) != "face":
            loc = loc + np.array([0.0, signer.height_shift, 0.0])
        tap_dir = np.array([0.0, 0.0, 1.0])
    loc = loc + loc_shift + rng.normal(0.0, 0.02, 3)
    size = sign.size * amp
    info: dict[str, Any] = {"amplitude": round(float(amp), 4), "size": round(float(size), 4)}
    if sign.movement == "line":
        off = size * movement_dir(sign.direction)[None] * u[:, None]
    elif sign.movement == "zigzag":
        d = movement_dir(sign.direction)
        e = np.cross(d, np.array([0.0, 0.0, 1.0]))
        e = e / np.linalg.norm(e) if np.linalg.norm(e) > 1e-6 else np.array([1.0, 0.0, 0.0])
        tri = 2 * np.abs(((3 * u) % 1.0) - 0.5) - 1.0  # -1..1, 3 zigs
        off = size * (d[None] * u[:, None] + 0.25 * (tri + 1)[:, None] * e[None])
    elif sign.movement in ("arc", "circle"):
        a, b = movement_plane(sign.plane)
        ang = (np.pi if sign.movement == "arc" else 2 * np.pi * sign.repeat) * u
        off = size * ((1 - np.cos(ang))[:, None] * a[None] + np.sin(ang)[:, None] * b[None])
    elif sign.movement == "taps":
        force = float(np.clip(sign.force + force_shift, 0.05, 1.0))
        p = 1.0 / (0.5 + force)
        h = np.abs(np.cos(np.pi * sign.repeat * u)) ** p
        off = -size * h[:, None] * tap_dir[None]
        contact_u = (np.arange(sign.repeat) + 0.5) / sign.repeat
        # frames where u(t) crosses the contact phases
        info["tap_frames"] = [int(np.argmin(np.abs(u - cu))) for cu in contact_u]
        info["tap_force"] = round(force, 4)
        info["tap_type"] = "hand-hand" if sign.location == "base" else f"hand-{SURFACE.get(sign.location, 'body')}"
    else:
        raise ParameterError(f"unknown movement {sign.movement!r}")
    f0, n0 = (np.array(v, dtype=np.float64) for v in ORIENTATIONS[sign.orientation])
    tilt = np.random.default_rng(_crc(signer.seed, "or", sign.orientation)).normal(0.0, 0.08, 3) + rng.normal(
        0, 0.04, 3
    )
    finger = np.repeat((f0 + tilt)[None], n, 0)
    normal = np.repeat(n0[None], n, 0)
    a0 = _shape_angles(sign.handshape, signer, rng)
    if sign.handshape_end:
        a1 = _shape_angles(sign.handshape_end, signer, rng)
        w = _minjerk((np.arange(n) / max(n - 1, 1) - 0.2) / 0.6)[:, None]
        angles = a0[None] * (1 - w) + a1[None] * w
    else:
        angles = np.repeat(a0[None], n, 0)
    dom = _Hand(loc[None] + off, finger, normal, angles)
    nd = None
    if sign.two_hand == "symmetric":
        m = np.array([-1.0, 1.0, 1.0])
        nd = _Hand(dom.contact * m, finger * m, normal * m, angles.copy())
    elif sign.two_hand == "base":
        b_angles = _shape_angles(sign.base_handshape or "B", signer, rng)
        nd = _Hand.hold({"contact": base_contact, "finger": _BASE["finger"], "normal": _BASE["normal"]}, b_angles, n)
    return dom, nd, info


def _arm(shoulder: np.ndarray, wrist: np.ndarray, pole: np.ndarray) -> np.ndarray:
    """Two-link IK: elbow ``(T, 3)`` for shoulder and wrist ``(T, 3)``; the elbow bends toward ``pole``."""
    v = wrist - shoulder
    d = np.linalg.norm(v, axis=1, keepdims=True)
    dc = np.clip(d, abs(UPPER_ARM - FOREARM) + 1e-3, UPPER_ARM + FOREARM - 1e-3)
    u = v / np.maximum(d, 1e-9)
    a = (UPPER_ARM**2 - FOREARM**2 + dc**2) / (2 * dc)
    h = np.sqrt(np.maximum(UPPER_ARM**2 - a**2, 0.0))
    p = pole[None] - np.sum(pole[None] * u, axis=1, keepdims=True) * u
    p = p / np.maximum(np.linalg.norm(p, axis=1, keepdims=True), 1e-9)
    return shoulder + a * u + h * p


def _smooth_noise(rng: np.random.Generator, n: int, *, per_s: float, fps: float, sd: float) -> np.ndarray:
    k = max(2, int(n / fps * per_s) + 2)
    knots = rng.normal(0.0, sd, k)
    return np.interp(np.linspace(0, k - 1, n), np.arange(k), knots)


def _envelope(n: int, start: int, end: int, *, fps: float) -> np.ndarray:
    """0..1 marker envelope: rises from 0.1 s before ``start``, full from ``start`` + 0.05 s, falls after ``end``."""
    t = np.arange(n) / fps
    t0, t1 = start / fps, end / fps
    up = _minjerk((t - (t0 - 0.1)) / 0.15)
    down = 1.0 - _minjerk((t - t1) / 0.15)
    return np.minimum(up, down)


def synthesize(
    signs: list[Sign],
    signer: Signer,
    *,
    seed: int,
    emotion: str = "neutral",
    intensity: float = 0.5,
    fps: float = 30.0,
    lag_s: float = 0.12,
    sr: int = 16000,
    channel_weights: dict[str, float] | None = None,
) -> tuple[LandmarkSequence, np.ndarray, int, dict]:
    """One sample: ``signs`` in order (one sign = an isolated clip). Returns ``(seq, audio, sr, factors)``.

    ``channel_weights`` (``motion``, ``face``, ``voice``, default 1) scale how strongly the emotion shows
    in each channel; the corpus draws them per sample so that no single channel is always decisive.
    """
    if not signs:
        raise ParameterError("signs must hold at least one Sign")
    if emotion not in EMOTIONS:
        raise ParameterError(f"unknown emotion {emotion!r}; known: {list(EMOTIONS)}")
    if not 0.0 <= float(intensity) <= 1.0:
        raise ParameterError(f"intensity={intensity} must be in [0, 1]")
    if not fps > 0 or not sr > 0:
        raise ParameterError(f"fps={fps} and sr={sr} must be positive")
    if not 0.0 <= lag_s < 1.0:
        raise ParameterError(f"lag_s={lag_s} must be in [0, 1) seconds")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, 0x5165]))
    cw = {"motion": 1.0, "face": 1.0, "voice": 1.0, **(channel_weights or {})}
    em_amp, em_speed, em_force = EMOTION_MOTION[emotion]
    km = intensity * cw["motion"]
    amp = signer.amplitude * (1 + em_amp * km) * rng.uniform(0.92, 1.08)
    speed = signer.speed * (1 + em_speed * km) * rng.uniform(0.92, 1.08)

    def frames(sec: float) -> int:
        return max(2, int(round(sec * fps)))

    rest_angles = {h: _shape_angles("relaxed", signer, rng) for h in ("dom", "nd")}
    rest_state = {
        "contact": _REST["contact"] * np.array([-1.0, 1.0, 1.0]),
        "finger": _REST["finger"] * np.array([-1.0, 1.0, 1.0]),
        "normal": _REST["normal"] * np.array([-1.0, 1.0, 1.0]),
    }  # right hand on the -x side
    nd_rest_state = {k: v * np.array([-1.0, 1.0, 1.0]) for k, v in rest_state.items()}
    dom_parts: list[_Hand] = []
    nd_parts: list[_Hand] = []
    weights: list[np.ndarray] = []
    phases: list[tuple[str, int, int]] = []
    sign_info: list[dict] = []
    t = 0

    def add(kind: str, d: _Hand, nd: _Hand, w: float) -> None:
        nonlocal t
        n = d.contact.shape[0]
        dom_parts.append(d)
        nd_parts.append(nd)
        weights.append(np.full(n, w))
        phases.append((kind, t, t + n))
        t += n

    n_lead = frames(rng.uniform(0.1, 0.25))
    add(
        "rest",
        _Hand.hold(rest_state, rest_angles["dom"], n_lead),
        _Hand.hold(nd_rest_state, rest_angles["nd"], n_lead),
        0.0,
    )
    for i, citation in enumerate(signs):
        sign = regional_variant(citation, signer.region)  # the region's own form of some signs
        n_s = max(6, int(round(sign.duration / speed * fps * rng.uniform(0.93, 1.07))))
        dom, nd, info = _stroke(sign, signer, rng, amp=amp, force_shift=em_force * km, n=n_s, fps=fps)
        prev_d, prev_nd = dom_parts[-1].last(), nd_parts[-1].last()
        dist = float(np.linalg.norm(dom.contact[0] - prev_d[0]["contact"]))
        n_tr = frames((0.12 + 0.18 * dist) / speed) if i else frames((0.15 + 0.15 * dist) / speed)
        nd_target = nd.first() if nd is not None else (nd_rest_state, rest_angles["nd"])
        add(
            "preparation" if i == 0 else "transition",
            _transition(prev_d, dom.first(), n_tr),
            _transition(prev_nd, nd_target, n_tr),
            0.3,
        )
        nd_stroke = nd if nd is not None else _Hand.hold(nd_rest_state, rest_angles["nd"], n_s)
        start = t
        add("stroke", dom, nd_stroke, 1.0)
        info.update(
            {
                "gloss": sign.gloss,
                "start_frame": start,
                "end_frame": t,
                "nonmanual": sign.nonmanual,
                "regional_handshape": sign.handshape if sign is not citation else None,
            }
        )
        if "tap_frames" in info:
            info["tap_frames"] = [start + f for f in info["tap_frames"]]
        sign_info.append(info)
        n_hold = frames(rng.uniform(0.04, 0.1))
        add("hold", _Hand.hold(*dom.last(), n_hold), _Hand.hold(*nd_stroke.last(), n_hold), 0.3)
    n_ret = frames(0.3 / speed)
    add(
        "retraction",
        _transition(dom_parts[-1].last(), (rest_state, rest_angles["dom"]), n_ret),
        _transition(nd_parts[-1].last(), (nd_rest_state, rest_angles["nd"]), n_ret),
        0.3,
    )
    n_tail = frames(rng.uniform(0.05, 0.2))
    add(
        "rest",
        _Hand.hold(rest_state, rest_angles["dom"], n_tail),
        _Hand.hold(nd_rest_state, rest_angles["nd"], n_tail),
        0.0,
    )
    T = t
    dom, nd = _cat(dom_parts), _cat(nd_parts)
    weight = np.concatenate(weights)

    # ---- body (right-handed frame), then mirror for left-handed signers
    sway_sd = 0.01 * max(0.2, 1.0 + EMOTION_SWAY[emotion] * km)
    sway = np.stack([_smooth_noise(rng, T, per_s=1.5, fps=fps, sd=sway_sd) for _ in range(3)], 1)
    breath = 0.006 * np.sin(2 * np.pi * 0.25 * np.arange(T) / fps + rng.uniform(0, 6.3))
    sh_r = np.array([-0.5, 0.0, 0.0])[None] + sway + np.array([0, 1, 0])[None] * breath[:, None]
    sh_l = np.array([0.5, 0.0, 0.0])[None] + sway + np.array([0, 1, 0])[None] * breath[:, None]
    L = signer.hand_length
    f_d = _unit(dom.finger)
    f_n = _unit(nd.finger)
    wrist_d = dom.contact - CONTACT_LOCAL * L * f_d
    wrist_n = nd.contact - CONTACT_LOCAL * L * f_n
    elbow_d = _arm(sh_r, wrist_d, np.array([-1.0, 0.5, 0.0]))
    elbow_n = _arm(sh_l, wrist_n, np.array([1.0, 0.5, 0.0]))
    hand_d = place_hand(
        hand_local_points(dom.angles),
        wrist=wrist_d,
        finger_dir=dom.finger,
        palm_normal=dom.normal,
        is_left=False,
        length=L,
    )
    hand_n = place_hand(
        hand_local_points(nd.angles), wrist=wrist_n, finger_dir=nd.finger, palm_normal=nd.normal, is_left=True, length=L
    )

    # ---- face controls
    ctrl = {k: np.zeros(T) for k in facemod.CONTROLS}
    expr = signer.expressiveness
    kf = intensity * cw["face"] * expr
    ramp = _minjerk(np.arange(T) / fps / 0.3)
    for k, v in EMOTION_FACE[emotion].items():
        ctrl[k] += v * kf * ramp
    nmm = []
    tt = np.arange(T) / fps
    for info, sign in zip(sign_info, signs):
        if sign.nonmanual == "none":
            continue
        env = _envelope(T, info["start_frame"], info["end_frame"], fps=fps)
        scale = expr * rng.uniform(0.85, 1.15)
        amounts = {}
        t0 = info["start_frame"] / fps - 0.1
        for k, v in NONMANUAL_FACE[sign.nonmanual].items():
            a = v * scale
            amounts[k] = round(float(a), 5)
            if sign.nonmanual == "head_shake":
                ctrl[k] += a * np.sin(2 * np.pi * SHAKE_HZ * (tt - t0)) * env
            elif sign.nonmanual == "head_nod":
                ctrl[k] += a * 0.5 * (1 - np.cos(2 * np.pi * NOD_HZ * (tt - t0))) * env
            else:
                ctrl[k] += a * env
        on = np.flatnonzero(env > 0)
        nmm.append(
            {
                "gloss": sign.gloss,
                "marker": sign.nonmanual,
                "amounts": amounts,
                "start_frame": int(on[0]),
                "end_frame": int(on[-1]) + 1,
                "full_start_frame": int(np.flatnonzero(env >= 0.999)[0]) if np.any(env >= 0.999) else int(on[0]),
                "full_end_frame": int(np.flatnonzero(env >= 0.999)[-1]) + 1
                if np.any(env >= 0.999)
                else int(on[-1]) + 1,
                "freq_hz": SHAKE_HZ
                if sign.nonmanual == "head_shake"
                else NOD_HZ
                if sign.nonmanual == "head_nod"
                else None,
            }
        )
    blinks = []
    tb = rng.exponential(1.0 / signer.blink_rate)
    while tb < T / fps - 0.15:
        blinks.append(round(float(tb), 4))
        ctrl["blink"] += np.clip(1 - np.abs(tt - tb - 0.075) / 0.075, 0, 1) ** 0.7 * (1 - np.clip(ctrl["blink"], 0, 1))
        tb += 0.3 + rng.exponential(1.0 / signer.blink_rate)
    for k, sd in (("yaw_deg", 1.2), ("pitch_deg", 1.0), ("roll_deg", 0.8)):
        ctrl[k] += _smooth_noise(rng, T, per_s=1.5, fps=fps, sd=sd)
    face_pts = facemod.face_points(ctrl) * FACE_IOD + FACE_CENTER[None, None] + sway[:, None, :]

    # ---- POSE: head points from the mesh
    pose = np.zeros((T, 33, 3))
    fm = face_pts
    pose[:, 0] = fm[:, 1]
    pose[:, 1], pose[:, 3] = fm[:, 362], fm[:, 263]
    pose[:, 2] = 0.5 * (fm[:, 362] + fm[:, 263])
    pose[:, 4], pose[:, 6] = fm[:, 133], fm[:, 33]
    pose[:, 5] = 0.5 * (fm[:, 133] + fm[:, 33])
    pose[:, 7] = fm[:, 454] + np.array([0.02, 0.0, 0.12])
    pose[:, 8] = fm[:, 234] + np.array([-0.02, 0.0, 0.12])
    pose[:, 9], pose[:, 10] = fm[:, 291], fm[:, 61]
    mirror = signer.handedness == "left"
    # right-handed frame: the dominant hand is the signer's right (-x side). A left-handed signer is the
    # mirror image: the mirrored dominant arm becomes the left arm, the mirrored other arm the right one.
    dom_arm = {"sh": sh_r, "el": elbow_d, "wr": wrist_d, "hand": hand_d}
    nd_arm = {"sh": sh_l, "el": elbow_n, "wr": wrist_n, "hand": hand_n}
    if mirror:
        left, right = _mirror_arm(dom_arm), _mirror_arm(nd_arm)
    else:
        left, right = nd_arm, dom_arm
    pose[:, 11], pose[:, 12] = left["sh"], right["sh"]
    pose[:, 13], pose[:, 14] = left["el"], right["el"]
    pose[:, 15], pose[:, 16] = left["wr"], right["wr"]
    for side, idx in ((left, (17, 19, 21)), (right, (18, 20, 22))):
        h = side["hand"]
        pose[:, idx[0]], pose[:, idx[1]], pose[:, idx[2]] = h[:, 17], h[:, 5], h[:, 2]
    hip = np.array([0.35, HIP_Y, 0.05])
    pose[:, 23] = hip + sway * 0.3
    pose[:, 24] = hip * np.array([-1, 1, 1]) + sway * 0.3
    for j, (x, y) in zip(
        range(25, 33),
        [(0.33, 2.1), (-0.33, 2.1), (0.32, 2.75), (-0.32, 2.75), (0.3, 2.85), (-0.3, 2.85), (0.32, 2.9), (-0.32, 2.9)],
    ):
        pose[:, j] = np.array([x, y, 0.0])
    return _finish(
        pose=pose,
        face=face_pts,
        left=left["hand"],
        right=right["hand"],
        signer=signer,
        rng=rng,
        fps=fps,
        weight=weight,
        dom_wrist=wrist_d,
        sign_info=sign_info,
        phases=phases,
        nmm=nmm,
        blinks=blinks,
        ctrl=ctrl,
        emotion=emotion,
        intensity=intensity,
        cw=cw,
        amp=amp,
        speed=speed,
        lag_s=lag_s,
        sr=sr,
        signs=signs,
        sway_sd=sway_sd,
    )


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def _mirror_pts(p: np.ndarray) -> np.ndarray:
    return p * np.array([-1.0, 1.0, 1.0])


def _mirror_arm(side: dict) -> dict:
    return {k: _mirror_pts(v) for k, v in side.items()}


def _bursts(rng: np.random.Generator, n: int, rate: float, mean_len: float = 3.0) -> np.ndarray:
    """``(n,)`` bool: dropped frames in bursts (two-state Markov chain, stationary fraction ~ ``rate``)."""
    if rate <= 0:
        return np.zeros(n, dtype=bool)
    p_stop = 1.0 / mean_len
    p_start = rate * p_stop / max(1.0 - rate, 1e-6)
    r = rng.random(n)
    out = np.zeros(n, dtype=bool)
    on = False
    for i in range(n):
        on = (r[i] >= p_stop) if on else (r[i] < p_start)
        out[i] = on
    return out


def _finish(
    *,
    pose,
    face,
    left,
    right,
    signer: Signer,
    rng,
    fps,
    weight,
    dom_wrist,
    sign_info,
    phases,
    nmm,
    blinks,
    ctrl,
    emotion,
    intensity,
    cw,
    amp,
    speed,
    lag_s,
    sr,
    signs,
    sway_sd,
) -> tuple[LandmarkSequence, np.ndarray, int, dict]:
    T = pose.shape[0]
    W = signer.shoulder_width
    origin = np.array([signer.center_x, signer.shoulder_y, 0.0])

    def img(p: np.ndarray, zref: np.ndarray) -> np.ndarray:
        out = origin + W * p
        out[..., 2] = W * (p[..., 2] - zref)
        return out

    hip_z = 0.5 * (pose[:, 23, 2] + pose[:, 24, 2])
    P = img(pose, hip_z[:, None])
    F = img(face, face.mean(axis=1)[:, 2][:, None])
    LH = img(left, left[:, 0, 2][:, None])
    RH = img(right, right[:, 0, 2][:, None])
    data = np.concatenate([P, F, LH, RH], axis=1)  # (T, 543, 3)
    sd = np.concatenate([np.full(33, signer.noise), np.full(468, 0.3 * signer.noise), np.full(42, 0.6 * signer.noise)])
    data = data + rng.standard_normal(data.shape, dtype=np.float32) * sd[None, :, None]
    conf = np.ones((T, 543), dtype=np.float32)
    conf[:, 25:33] = 0.0  # legs below the frame
    drops = {}
    for name, sl, wr in (("LEFT_HAND", slice(501, 522), LH[:, 0]), ("RIGHT_HAND", slice(522, 543), RH[:, 0])):
        xy = data[:, sl, :2]
        outside = np.any((xy < 0.0) | (xy > 1.0), axis=(1, 2))  # partly out of the frame: not detected
        d = _bursts(rng, T, signer.drop_rate) | (wr[:, 1] > 0.93) | outside
        conf[d, sl] = 0.0
        drops[name] = [int(i) for i in np.flatnonzero(d)]
    pose_out = np.any((data[:, :33, :2] < 0.0) | (data[:, :33, :2] > 1.0), axis=2)
    conf[:, :33][pose_out] = 0.0
    fd = (rng.random(T) < 0.004) | np.any((data[:, 33:501, :2] < 0.0) | (data[:, 33:501, :2] > 1.0), axis=(1, 2))
    conf[fd, 33:501] = 0.0
    drops["FACE"] = [int(i) for i in np.flatnonzero(fd)]
    data[conf == 0] = 0.0
    seq = LandmarkSequence(
        components=components(), data=data[:, None].astype(np.float32), confidence=conf[:, None], fps=fps
    )

    # ---- voice: driven by the clean dominant wrist speed (body units / s), weighted toward strokes
    vel = np.gradient(dom_wrist, axis=0) * fps
    speed_bw = np.linalg.norm(vel, axis=1)
    drive = drive_from_speed(speed_bw, weight, ref=1.5)
    vowel = sorted(VOWELS)[int(rng.integers(len(VOWELS)))]
    stress = stress_times(speed_bw, fps=fps)  # the hand's stops: stressed syllables start there
    y, voice = voice_track(
        drive,
        fps=fps,
        sr=sr,
        lag_s=lag_s,
        f0_hz=signer.f0_hz,
        emotion=emotion,
        intensity=intensity,
        vowel=vowel,
        formant_scale=signer.formant_scale,
        weight=cw["voice"],
        rng=rng,
        stress_s=stress,
    )
    peaks = [int(np.argmax(speed_bw[i["start_frame"] : i["end_frame"]])) + i["start_frame"] for i in sign_info]
    factors = {
        "frames": T,
        "fps": fps,
        "duration_s": round(T / fps, 4),
        "signer": signer.id,
        "region": signer.region,
        "handedness": signer.handedness,
        "emotion": emotion,
        "intensity": round(float(intensity), 4),
        "channel_weights": {k: round(float(v), 4) for k, v in cw.items()},
        "amplitude": round(float(amp), 4),
        "speed": round(float(speed), 4),
        "body_sway_sd": round(float(sway_sd), 5),
        "signs": sign_info,
        "phases": [{"phase": k, "start_frame": a, "end_frame": b} for k, a, b in phases],
        "nonmanual_events": nmm,
        "blinks_s": blinks,
        "emotion_face": {
            k: round(float(v * intensity * cw["face"] * signer.expressiveness), 5)
            for k, v in EMOTION_FACE[emotion].items()
        },
        "stroke_peak_frames": peaks,
        "accent_times_s": [round(p / fps + lag_s, 4) for p in peaks],
        "stress_times_s": [round(float(x), 4) for x in stress],
        "lag_s": float(lag_s),
        "sr": int(sr),
        "voice": voice,
        "noise": signer.noise,
        "dropped_frames": drops,
        "image": {
            "shoulder_width": W,
            "center_x": signer.center_x,
            "shoulder_y": signer.shoulder_y,
            "face_iod": round(FACE_IOD * W, 6),
        },
    }
    # per-frame controls are not stored in metadata (they are recoverable from the seed); peak values are
    factors["face_peaks"] = {k: round(float(np.max(np.abs(v))), 5) for k, v in ctrl.items()}
    return seq, y, sr, factors


def synthesize_sign(
    sign: Sign,
    signer: Signer,
    *,
    seed: int,
    emotion: str = "neutral",
    intensity: float = 0.5,
    fps: float = 30.0,
    lag_s: float = 0.12,
    sr: int = 16000,
    channel_weights: dict[str, float] | None = None,
) -> tuple[LandmarkSequence, np.ndarray, int, dict]:
    """One isolated sign (about 1-2 s): ``(LandmarkSequence, audio float32, sr, factors)``."""
    return synthesize(
        [sign],
        signer,
        seed=seed,
        emotion=emotion,
        intensity=intensity,
        fps=fps,
        lag_s=lag_s,
        sr=sr,
        channel_weights=channel_weights,
    )
