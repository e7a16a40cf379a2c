"""Synthetic signers and the regions (signing styles) they belong to.

A region shifts every member's amplitude, speed, facial expressiveness and sign locations (a
dialect-like style), which is what cross-region adaptation experiments need. A signer adds body size,
framing, handedness, personal amplitude/speed, landmark noise, dropped detections, a voice (F0, vocal
tract length) and small personal variants of each handshape and location.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ...errors import ParameterError

__all__ = ["Region", "Signer", "REGIONS", "make_signers", "assign_splits"]


@dataclass(frozen=True)
class Region:
    name: str
    amplitude: float  # movement size factor
    speed: float  # movement speed factor (durations are divided by it)
    expressiveness: float  # factor on non-manual and emotional face amounts
    height_shift: float  # signs placed lower (+) or higher (-), shoulder widths


REGIONS: tuple[Region, ...] = (
    Region("north", amplitude=0.85, speed=0.85, expressiveness=0.65, height_shift=-0.04),
    Region("south", amplitude=1.2, speed=1.15, expressiveness=1.35, height_shift=0.05),
    Region("coast", amplitude=1.0, speed=1.0, expressiveness=1.0, height_shift=0.0),
)


@dataclass(frozen=True)
class Signer:
    id: str  # participant id (an integer as text, as Kaggle's participant_id)
    region: str
    handedness: str  # "right" | "left"
    shoulder_width: float  # in normalized image units
    center_x: float
    shoulder_y: float
    hand_length: float  # shoulder widths
    amplitude: float
    speed: float
    expressiveness: float
    height_shift: float
    noise: float  # landmark jitter, normalized image units (hands get 1.5x)
    drop_rate: float  # fraction of frames with a hand detection dropped
    f0_hz: float  # voice
    formant_scale: float
    blink_rate: float  # blinks per second
    seed: int  # personal variants of handshapes and locations

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Signer:
        return cls(**d)


def make_signers(n: int, *, seed: int) -> list[Signer]:
    """``n`` signers spread over :data:`REGIONS` (round robin, so every region has signers when n >= 3)."""
    if int(n) < 1:
        raise ParameterError(f"n={n} signers must be at least 1")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x519E5]))
    out = []
    for i in range(int(n)):
        reg = REGIONS[i % len(REGIONS)]
        female = rng.random() < 0.5
        out.append(
            Signer(
                id=str(1001 + i),
                region=reg.name,
                handedness="left" if (i % 6 == 4) else "right",
                shoulder_width=round(float(rng.uniform(0.26, 0.34)), 4),
                center_x=round(float(rng.uniform(0.46, 0.54)), 4),
                shoulder_y=round(float(rng.uniform(0.53, 0.58)), 4),
                hand_length=round(float(rng.uniform(0.46, 0.54)), 4),
                amplitude=round(reg.amplitude * float(rng.uniform(0.88, 1.12)), 4),
                speed=round(reg.speed * float(rng.uniform(0.88, 1.12)), 4),
                expressiveness=round(reg.expressiveness * float(rng.uniform(0.85, 1.15)), 4),
                height_shift=round(reg.height_shift + float(rng.normal(0, 0.015)), 4),
                noise=round(float(rng.uniform(0.0015, 0.004)), 5),
                drop_rate=round(float(rng.uniform(0.0, 0.08)), 4),
                f0_hz=round(float(rng.uniform(180, 230) if female else rng.uniform(95, 130)), 2),
                formant_scale=round(float(rng.uniform(1.05, 1.15) if female else rng.uniform(0.9, 1.0)), 4),
                blink_rate=round(float(rng.uniform(0.2, 0.5)), 3),
                seed=int(rng.integers(0, 2**31 - 1)),
            )
        )
    return out


def assign_splits(signers: list[Signer]) -> dict[str, str]:
    """Signer id -> ``train``/``val``/``test``: the last ~25% of signers are held out for test and the next
    ~12% for validation, so no signer is in two splits."""
    n = len(signers)
    n_test = 0 if n < 2 else max(1, round(0.25 * n))
    n_val = 0 if n < 3 else max(1, round(0.125 * n))
    out = {}
    for i, s in enumerate(signers):
        out[s.id] = "test" if i >= n - n_test else "val" if i >= n - n_test - n_val else "train"
    return out
