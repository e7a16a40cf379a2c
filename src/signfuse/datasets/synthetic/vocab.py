"""The vocabulary of synthetic signs and its minimal pairs.

A :class:`Sign` is a set of phonological parameters: handshape (optionally changing during the
movement), palm orientation, location, movement (line, arc, circle, zigzag, taps with a count and a
force), one or two hands (symmetric, or the dominant hand acting on a base hand) and a non-manual
marker. Coordinates are for a right-handed signer in the body frame (x to the image right, y down,
z away from the camera, units of the shoulder width); left-handed signers mirror them.

Minimal pairs: :func:`make_vocabulary` derives some signs from others by changing only the non-manual
marker (``HOUSE`` and ``HOUSE-NEG`` with a head shake), so a model that ignores the face must confuse
them.

Regional variants: :func:`regional_variant` gives each region its own handshape for a fifth of the
vocabulary (chosen by a stable hash of the gloss and the region; both members of a minimal pair vary
together), as real sign languages have regional lexical and phonological variants. A model trained on
one region's signers meets unfamiliar forms in another's, which is the gap cross-region adaptation
(fine-tuning on a few target samples in particular) has to close.
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from ...errors import ParameterError
from .hands import HANDSHAPES

__all__ = [
    "Sign",
    "LOCATIONS",
    "ORIENTATIONS",
    "MOVEMENTS",
    "NONMANUALS",
    "PAIR_SUFFIX",
    "make_vocabulary",
    "regional_variant",
    "VARIANT_FRACTION",
]

#: Share of the vocabulary for which each region has its own handshape (see :func:`regional_variant`).
VARIANT_FRACTION = 0.2

# contact-point locations (right-handed signer, shoulder-width units, relative to the shoulder centre)
LOCATIONS: dict[str, tuple[float, float, float]] = {
    "forehead": (-0.03, -0.74, -0.22),
    "temple": (-0.17, -0.66, -0.14),
    "nose": (0.0, -0.53, -0.27),
    "cheek": (-0.15, -0.46, -0.2),
    "mouth": (0.0, -0.41, -0.26),
    "chin": (-0.02, -0.33, -0.24),
    "chest": (-0.08, 0.25, -0.22),
    "shoulder": (0.33, 0.05, -0.16),
    "stomach": (-0.05, 0.7, -0.26),
    "neutral": (-0.22, 0.45, -0.55),
    "neutral_high": (-0.25, 0.02, -0.6),
}
SURFACE = {
    "forehead": "face",
    "temple": "face",
    "nose": "face",
    "cheek": "face",
    "mouth": "face",
    "chin": "face",
    "chest": "body",
    "shoulder": "body",
    "stomach": "body",
}

# (finger direction, palm normal) for the right hand
ORIENTATIONS: dict[str, tuple[tuple[float, float, float], tuple[float, float, float]]] = {
    "out": ((0, -1, 0), (0, 0, -1)),  # palm to the viewer, fingers up
    "in": ((0, -1, 0), (0, 0, 1)),  # palm to the signer
    "down": ((0.3, 0, -1), (0, 1, 0)),  # fingers forward, palm down
    "up": ((0.3, 0, -1), (0, -1, 0)),  # fingers forward, palm up
    "side": ((0, -1, -0.3), (1, 0, 0)),  # fingers up, palm to the midline
    "across": ((1, -0.2, 0), (0, 0, 1)),  # fingers to the midline, palm to the body
    "forward": ((0.2, -0.6, -1), (1, 0, 0)),  # pointing forward and up
}

MOVEMENTS = ("line", "arc", "circle", "zigzag", "taps")
NONMANUALS = ("none", "brow_raise", "brow_furrow", "head_shake", "head_nod", "mouth_cha", "mouth_mm", "mouth_oo")
PAIR_SUFFIX = {
    "head_shake": "NEG",
    "brow_raise": "Q",
    "brow_furrow": "WH",
    "head_nod": "AFF",
    "mouth_cha": "CHA",
    "mouth_mm": "MM",
    "mouth_oo": "OO",
}
_DIRS = {
    "up": (0, -1, 0),
    "down": (0, 1, 0),
    "out": (-1, 0, 0),
    "in": (1, 0, 0),
    "forward": (0, 0, -1),
    "back": (0, 0, 1),
    "diag": (-0.7, -0.7, 0),
    "fwd_down": (0, 0.6, -0.8),
}
_PLANES = {
    "frontal": ((1, 0, 0), (0, -1, 0)),
    "horizontal": ((1, 0, 0), (0, 0, -1)),
    "sagittal": ((0, 0, -1), (0, -1, 0)),
}
_SYLL = ("ba", "ko", "ri", "ta", "mu", "se", "lo", "ni", "da", "fe", "gu", "pa", "vi", "zo", "he", "ju", "ka", "we")


@dataclass(frozen=True)
class Sign:
    """One vocabulary item. Angles and coordinates as in the module docstring."""

    gloss: str
    handshape: str
    handshape_end: str | None
    orientation: str
    location: str
    movement: str
    direction: str | None = None  # line, zigzag
    plane: str | None = None  # arc, circle
    size: float = 0.2  # line length / arc-circle radius / tap height (shoulder widths)
    repeat: int = 1  # taps count, circle revolutions
    force: float = 0.5  # taps: 0 (gentle) .. 1 (forceful)
    hands: int = 1
    two_hand: str | None = None  # "symmetric" | "base"
    base_handshape: str | None = None
    nonmanual: str = "none"
    minimal_pair: str | None = None  # gloss of the sign that differs only in the non-manual marker
    duration: float = 0.6  # nominal stroke duration (s)

    def manual(self) -> dict[str, Any]:
        """The manual parameters only (what a hands-only model can see)."""
        d = asdict(self)
        for k in ("gloss", "nonmanual", "minimal_pair"):
            d.pop(k)
        return d

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Sign:
        return cls(**d)


def _gloss(rng: np.random.Generator, used: set[str]) -> str:
    while True:
        g = "".join(rng.choice(_SYLL, size=int(rng.integers(2, 4)))).upper()
        if g not in used:
            used.add(g)
            return g


def _random_sign(rng: np.random.Generator, gloss: str) -> Sign:
    shapes = sorted(k for k in HANDSHAPES if k != "relaxed")
    movement = str(rng.choice(MOVEMENTS, p=[0.25, 0.2, 0.2, 0.15, 0.2]))
    hands = 2 if rng.random() < 0.3 else 1
    two_hand = None if hands == 1 else str(rng.choice(["symmetric", "base"]))
    if two_hand == "base":
        location = "base"
    elif two_hand == "symmetric":
        location = str(rng.choice(["chest", "neutral", "neutral_high", "stomach"]))
    else:
        location = str(rng.choice(list(LOCATIONS)))
    if movement == "taps" and location in ("neutral", "neutral_high"):
        movement = "line"
    hs = str(rng.choice(shapes))
    hs_end = str(rng.choice(shapes)) if rng.random() < 0.2 else None
    direction = str(rng.choice(list(_DIRS))) if movement in ("line", "zigzag") else None
    plane = str(rng.choice(list(_PLANES))) if movement in ("arc", "circle") else None
    size = {"line": 0.25, "arc": 0.13, "circle": 0.11, "zigzag": 0.25, "taps": 0.08}[movement] * float(
        rng.uniform(0.8, 1.25)
    )
    repeat = int(rng.integers(2, 4)) if movement == "taps" else int(rng.integers(1, 3)) if movement == "circle" else 1
    force = float(rng.uniform(0.2, 1.0)) if movement == "taps" else 0.5
    duration = {"line": 0.5, "arc": 0.6, "circle": 0.6, "zigzag": 0.7, "taps": 0.22}[movement] * (
        repeat if movement in ("taps", "circle") else 1
    )
    return Sign(
        gloss=gloss,
        handshape=hs,
        handshape_end=hs_end,
        orientation=str(rng.choice(list(ORIENTATIONS))),
        location=location,
        movement=movement,
        direction=direction,
        plane=plane,
        size=round(size, 4),
        repeat=repeat,
        force=round(force, 3),
        hands=hands,
        two_hand=two_hand,
        base_handshape=("B" if two_hand == "base" else None),
        duration=round(duration, 3),
    )


def make_vocabulary(n_signs: int, *, seed: int, pair_fraction: float = 0.4) -> list[Sign]:
    """``n_signs`` signs; ``pair_fraction`` of them belong to minimal pairs (two signs that differ only in
    the non-manual marker). The first sign of a pair carries no marker or a mouth morpheme, its partner a
    grammatical marker (head shake, brow raise ...) and the gloss ``BASE-NEG`` / ``BASE-Q`` ...
    """
    if int(n_signs) < 2:
        raise ParameterError(f"n_signs={n_signs} must be at least 2")
    if not 0 <= pair_fraction <= 1:
        raise ParameterError(f"pair_fraction={pair_fraction} must be in [0, 1]")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x70CAB]))
    n_pairs = int(round(n_signs * pair_fraction / 2))
    used: set[str] = set()
    signs: list[Sign] = []
    markers = ["head_shake", "brow_raise", "brow_furrow", "head_nod", "mouth_cha"]
    for i in range(n_pairs):
        base = _random_sign(rng, _gloss(rng, used))
        marker = markers[i % len(markers)]
        partner_gloss = f"{base.gloss}-{PAIR_SUFFIX[marker]}"
        a = replace(base, nonmanual="none", minimal_pair=partner_gloss)
        b = replace(base, gloss=partner_gloss, nonmanual=marker, minimal_pair=base.gloss)
        signs += [a, b]
    while len(signs) < n_signs:
        s = _random_sign(rng, _gloss(rng, used))
        r = rng.random()
        nm = "none" if r < 0.55 else str(rng.choice(NONMANUALS[1:]))
        signs.append(replace(s, nonmanual=nm))
    return signs


def movement_dir(name: str) -> np.ndarray:
    v = np.array(_DIRS[name], dtype=np.float64)
    return v / np.linalg.norm(v)


def movement_plane(name: str) -> tuple[np.ndarray, np.ndarray]:
    a, b = _PLANES[name]
    return np.array(a, dtype=np.float64), np.array(b, dtype=np.float64)


def regional_variant(sign: Sign, region: str) -> Sign:
    """The form of ``sign`` in ``region``: for about :data:`VARIANT_FRACTION` of the glosses (a stable hash
    of the gloss without its minimal-pair suffix, and of the region) a different handshape, the same one
    for every signer of that region; otherwise ``sign`` itself."""
    base = sign.gloss.split("-")[0]
    h = zlib.crc32(f"variant/{base}/{region}".encode())
    if (h % 1000) >= VARIANT_FRACTION * 1000:
        return sign
    shapes = sorted(k for k in HANDSHAPES if k not in ("relaxed", sign.handshape))
    return replace(sign, handshape=shapes[(h // 1000) % len(shapes)])
