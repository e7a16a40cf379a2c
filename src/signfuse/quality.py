"""Detection quality: in how many frames MediaPipe found each body part, and a guard on it.

A video in which no hand or no face was found must not produce a confident answer. ``extract`` records
:func:`detection_rates` in its manifest; commands that need a part call :func:`require_detected`, which
raises a :class:`~signfuse.errors.DataError` naming the file, the parts and their rates (``force=True``
logs a warning instead).

A part counts as found in a frame when any point of its component has a confidence above 0 (for any
person). Parts: ``pose``, ``face``, ``left_hand``, ``right_hand``, plus ``hands`` (either hand) and
``both_hands``. A part whose component the sequence does not have (the face of an MP_Data 258-d file,
the pose of a MediaPipe Hands file) has rate 0 in :func:`require_detected` and ``None`` in
:func:`detection_rates` (not measured, rather than "never seen").
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from os import PathLike

import numpy as np

from .errors import DataError, ParameterError
from .sequence import LandmarkSequence

__all__ = ["PARTS", "detection_rates", "require_detected", "DEFAULT_MIN_RATE", "format_rates", "parts_for_streams"]

log = logging.getLogger(__name__)

_COMPONENTS = {"pose": "POSE", "face": "FACE", "left_hand": "LEFT_HAND", "right_hand": "RIGHT_HAND"}
#: Every part name :func:`detection_rates` reports and :func:`require_detected` accepts.
PARTS: tuple[str, ...] = ("pose", "face", "left_hand", "right_hand", "hands", "both_hands")
#: A part found in fewer than this share of frames counts as mostly missing.
DEFAULT_MIN_RATE = 0.5


def _found(seq: LandmarkSequence, component: str) -> np.ndarray | None:
    """``(frames,)`` bool: the component was found in the frame; ``None`` when the sequence lacks it."""
    if not seq.has(component):
        return None
    data, conf = seq.component_data(component)  # (T, people, n, dims), (T, people, n)
    # a point with confidence but NaN coordinates was not found either (such files exist in the wild)
    return ((conf > 0) & np.isfinite(data).all(axis=-1)).any(axis=(1, 2))


def detection_rates(seq: LandmarkSequence) -> dict[str, float | None]:
    """Share of frames (0..1) in which each part was found; ``None`` for a part the sequence lacks.

    Keys: :data:`PARTS` and ``frames`` (the number of frames the rates are over).
    """
    if not isinstance(seq, LandmarkSequence):
        raise ParameterError(f"detection_rates() needs a LandmarkSequence, got {type(seq).__name__}")
    n = seq.n_frames
    found = {part: _found(seq, comp) for part, comp in _COMPONENTS.items()}

    def rate(mask: np.ndarray | None) -> float | None:
        if mask is None:
            return None
        return round(float(mask.mean()), 4) if n else 0.0

    out: dict[str, float | None] = {part: rate(m) for part, m in found.items()}
    lh, rh = found["left_hand"], found["right_hand"]
    if lh is None and rh is None:
        out["hands"] = out["both_hands"] = None
    else:
        z = np.zeros(n, bool)
        lh = z if lh is None else lh
        rh = z if rh is None else rh
        out["hands"] = rate(lh | rh)
        out["both_hands"] = rate(lh & rh)
    out["frames"] = n
    return out


def format_rates(rates: dict[str, float | None], parts: Iterable[str] | None = None) -> str:
    """``"face 12%, hands 0%"``: rates as percentages (``n/a`` for a part the landmarks lack)."""
    keys = PARTS if parts is None else tuple(parts)
    shown = []
    for k in keys:
        v = rates.get(k)
        shown.append(f"{k.replace('_', ' ')} {'n/a' if v is None else f'{100 * v:.0f}%'}")
    return ", ".join(shown)


def require_detected(
    seq: LandmarkSequence,
    parts: Iterable[str],
    *,
    min_rate: float = DEFAULT_MIN_RATE,
    force: bool = False,
    path: str | PathLike[str] | None = None,
    flag: str = "--force",
) -> dict[str, float | None]:
    """Check that every part in ``parts`` was found in at least ``min_rate`` of the frames.

    Returns :func:`detection_rates`. Raises :class:`~signfuse.errors.DataError` naming ``path``, the
    parts that fall short and their rates, unless ``force`` (then it logs a warning and returns). ``flag``
    is the command-line option the message names as the way to go on.
    """
    parts = (parts,) if isinstance(parts, str) else tuple(parts)
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        raise ParameterError(f"parts={list(parts)!r} must be one or more of {', '.join(PARTS)}")
    if not (isinstance(min_rate, (int, float)) and 0.0 <= float(min_rate) <= 1.0):
        raise ParameterError(f"min_rate={min_rate!r} must be a number between 0 and 1")
    rates = detection_rates(seq)
    short = [p for p in parts if (rates[p] or 0.0) < min_rate]
    if short:
        what = format_rates(rates, short)
        msg = (
            f"mostly missing: {what} of {rates['frames']} frames (needs at least {100 * min_rate:.0f}% "
            "each); the result would not rest on what it needs"
        )
        if not force:
            raise DataError(msg + f" (use {flag} / force=True to go on anyway)", path=path)
        log.warning("%s: %s; going on because of force", path if path is not None else "landmarks", msg)
    return rates


#: which body part each stream builder reads (streams of audio need no detection)
_STREAM_PARTS = {
    "hands": "hands",
    "hand_flexion": "hands",
    "handshape": "hands",
    "gesture": "hands",
    "motion": "hands",
    "face": "face",
    "au": "face",
    "body": "pose",
}


def parts_for_streams(streams: Iterable[str]) -> tuple[str, ...]:
    """The parts a model's streams need found (``hands_vel`` needs what ``hands`` needs)."""
    out: list[str] = []
    for s in streams:
        base = s.rsplit("_", 1)[0] if s.rsplit("_", 1)[-1] in ("vel", "acc") else s
        part = _STREAM_PARTS.get(base)
        if part and part not in out:
            out.append(part)
    return tuple(out)
