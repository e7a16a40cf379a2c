"""A kinematic hand: finger joint flexion angles -> the 21 MediaPipe hand points.

Handshapes are sets of joint angles (:data:`HANDSHAPES`, degrees). The joint-angle vector of one hand
has 20 entries (:data:`ANGLE_NAMES`): for each of index, middle, ring and pinky ``abd`` (spread away
from the middle finger), ``mcp``, ``pip`` and ``dip`` flexion; for the thumb ``spread`` (angle from the
index side toward the thumb side, in the palm plane), ``opp`` (opposition: rotation toward the palm),
``mcp`` and ``ip`` flexion.

The hand's local frame, for either hand: origin at the wrist, ``+y`` toward the fingers, ``+x`` toward
the thumb side, ``+z`` out of the palm (fingers flex toward ``+z``). Lengths are in units of the hand
length (wrist to the middle fingertip, straight hand = 1). :func:`place_hand` maps the local frame into
the body frame from a finger direction and a palm normal.
"""

from __future__ import annotations

import numpy as np

from ...errors import ParameterError

__all__ = ["ANGLE_NAMES", "HANDSHAPES", "handshape_angles", "hand_local_points", "place_hand", "orthonormal_frame"]

_FINGERS = ("index", "middle", "ring", "pinky")
ANGLE_NAMES: tuple[str, ...] = tuple(f"{f}_{j}" for f in _FINGERS for j in ("abd", "mcp", "pip", "dip")) + (
    "thumb_spread",
    "thumb_opp",
    "thumb_mcp",
    "thumb_ip",
)

# MCP knuckle positions (x, y) and phalanx lengths (proximal, middle, distal), hand length = 1.
_MCP = np.array([[0.15, 0.39], [0.05, 0.42], [-0.05, 0.40], [-0.14, 0.36]])
_PHAL = np.array([[0.22, 0.12, 0.09], [0.24, 0.14, 0.095], [0.22, 0.13, 0.09], [0.18, 0.10, 0.08]])
_ABD_SIGN = np.array([1.0, 0.3, -1.0, -1.0])  # positive abd spreads index toward the thumb, ring/pinky away
_THUMB_CMC = np.array([0.12, 0.08, 0.02])
_THUMB_LEN = np.array([0.17, 0.14, 0.12])


def _shape(index, middle, ring, pinky, thumb) -> tuple[float, ...]:
    """Finger tuples (abd, mcp, pip, dip) and thumb (spread, opp, mcp, ip), degrees."""
    return tuple(float(v) for v in (*index, *middle, *ring, *pinky, *thumb))


_STRAIGHT = (0, 0, 0, 0)
_FIST = (0, 88, 100, 55)
_T_ACROSS = (25, 65, 30, 25)
_T_SIDE = (12, 15, 10, 5)
_T_OUT = (75, 5, 0, 0)

HANDSHAPES: dict[str, tuple[float, ...]] = {
    "B": _shape(_STRAIGHT, _STRAIGHT, _STRAIGHT, _STRAIGHT, (18, 40, 15, 10)),
    "5": _shape((14, 0, 0, 0), (0, 0, 0, 0), (10, 0, 0, 0), (18, 0, 0, 0), _T_OUT),
    "A": _shape(_FIST, _FIST, _FIST, _FIST, _T_SIDE),
    "S": _shape(_FIST, _FIST, _FIST, _FIST, _T_ACROSS),
    "1": _shape(_STRAIGHT, _FIST, _FIST, _FIST, _T_ACROSS),
    "V": _shape((12, 0, 0, 0), (-10, 0, 0, 0), _FIST, _FIST, _T_ACROSS),
    "W": _shape((12, 0, 0, 0), (0, 0, 0, 0), (12, 0, 0, 0), _FIST, _T_ACROSS),
    "Y": _shape(_FIST, _FIST, _FIST, (20, 0, 0, 0), _T_OUT),
    "L": _shape(_STRAIGHT, _FIST, _FIST, _FIST, (85, 0, 0, 0)),
    "I": _shape(_FIST, _FIST, _FIST, (5, 0, 0, 0), _T_ACROSS),
    "C": _shape((0, 25, 40, 20), (0, 25, 40, 20), (0, 25, 40, 20), (0, 25, 40, 20), (45, 35, 15, 10)),
    "O": _shape((0, 50, 65, 40), (0, 50, 65, 40), (0, 50, 65, 40), (0, 50, 65, 40), (35, 65, 25, 25)),
    "bentB": _shape((0, 80, 0, 0), (0, 80, 0, 0), (0, 80, 0, 0), (0, 80, 0, 0), (18, 40, 15, 10)),
    "X": _shape((0, 20, 90, 60), _FIST, _FIST, _FIST, _T_ACROSS),
    "claw": _shape((14, 15, 65, 45), (0, 15, 65, 45), (10, 15, 65, 45), (18, 15, 65, 45), (70, 10, 30, 20)),
    "relaxed": _shape((3, 15, 20, 10), (0, 15, 22, 10), (-3, 18, 25, 12), (-6, 20, 25, 12), (30, 20, 10, 5)),
}


def handshape_angles(name: str) -> np.ndarray:
    """The 20 joint angles (degrees) of a named handshape."""
    try:
        return np.array(HANDSHAPES[name], dtype=np.float64)
    except KeyError:
        raise ParameterError(f"unknown handshape {name!r}; known: {sorted(HANDSHAPES)}") from None


def hand_local_points(angles_deg: np.ndarray) -> np.ndarray:
    """Forward kinematics: ``(T, 20)`` joint angles in degrees -> ``(T, 21, 3)`` local points.

    Point order is MediaPipe's (wrist, thumb CMC..tip, index MCP..tip, ..., pinky MCP..tip).
    """
    a = np.radians(np.asarray(angles_deg, dtype=np.float64))
    if a.ndim != 2 or a.shape[1] != 20:
        raise ParameterError(f"angles_deg must be (frames, 20), got shape {a.shape}")
    T = a.shape[0]
    out = np.zeros((T, 21, 3))
    z = np.array([0.0, 0.0, 1.0])
    for f in range(4):
        abd, mcp, pip, dip = (a[:, 4 * f + k] for k in range(4))
        ab = abd * _ABD_SIGN[f]
        d0 = np.stack([np.sin(ab), np.cos(ab), np.zeros(T)], axis=1)  # (T, 3) in the palm plane
        p = np.zeros((T, 3))
        p[:, :2] = _MCP[f]
        base = 5 + 4 * f
        out[:, base] = p
        theta = np.zeros(T)
        for k, flex in enumerate((mcp, pip, dip)):
            theta = theta + flex
            d = np.cos(theta)[:, None] * d0 + np.sin(theta)[:, None] * z
            p = p + _PHAL[f, k] * d
            out[:, base + 1 + k] = p
    # thumb
    spread, opp, tmcp, tip = (a[:, 16 + k] for k in range(4))
    d0 = np.stack([np.sin(spread) * np.cos(opp), np.cos(spread) * np.cos(opp), np.sin(opp)], axis=1)
    bend = np.array([-0.55, 0.0, 0.83])
    b = bend[None, :] - (d0 @ bend)[:, None] * d0
    b /= np.linalg.norm(b, axis=1, keepdims=True) + 1e-12
    p = np.broadcast_to(_THUMB_CMC, (T, 3)).copy()
    out[:, 1] = p
    theta = np.zeros(T)
    for k, flex in enumerate((np.zeros(T), tmcp, tip)):
        theta = theta + flex
        d = np.cos(theta)[:, None] * d0 + np.sin(theta)[:, None] * b
        p = p + _THUMB_LEN[k] * d
        out[:, 2 + k] = p
    return out


def orthonormal_frame(finger_dir: np.ndarray, palm_normal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit finger direction and the palm normal made orthogonal to it: ``(T, 3)`` each."""
    f = np.asarray(finger_dir, dtype=np.float64)
    n = np.asarray(palm_normal, dtype=np.float64)
    f = f / (np.linalg.norm(f, axis=-1, keepdims=True) + 1e-12)
    n = n - np.sum(n * f, axis=-1, keepdims=True) * f
    n = n / (np.linalg.norm(n, axis=-1, keepdims=True) + 1e-12)
    return f, n


def place_hand(
    local: np.ndarray,
    *,
    wrist: np.ndarray,
    finger_dir: np.ndarray,
    palm_normal: np.ndarray,
    is_left: bool,
    length: float,
) -> np.ndarray:
    """Local hand points ``(T, 21, 3)`` -> body frame ``(T, 21, 3)``.

    Body frame: x to the image right, y down, z away from the camera (MediaPipe's convention).
    ``wrist``, ``finger_dir`` and ``palm_normal`` are ``(T, 3)``; ``length`` is the hand length in body
    units. The thumb side follows from the hand: ``cross(f, n)`` for a right hand, ``cross(n, f)`` for a
    left hand, so mirrored signers get mirrored, not inside-out, hands.
    """
    f, n = orthonormal_frame(finger_dir, palm_normal)
    t = np.cross(n, f) if is_left else np.cross(f, n)
    return wrist[:, None, :] + length * (
        local[..., 0:1] * t[:, None, :] + local[..., 1:2] * f[:, None, :] + local[..., 2:3] * n[:, None, :]
    )
