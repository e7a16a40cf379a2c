"""Shared checks for the readers: component point counts and names, edges, fps."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from os import PathLike
from typing import Any

from ..errors import DataError
from ..sequence import Component
from ..topology import FACE, HAND_POINTS, LEFT_HAND, OPENPOSE_BODY_25_POINTS, POSE, POSE_POINTS, POSE_WORLD, RIGHT_HAND

log = logging.getLogger(__name__)

# OpenPose's own point names (as pose-format writes them) -> signfuse's MediaPipe-style names.
OPENPOSE_BODY_25_NAMES: tuple[str, ...] = (
    "Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist", "MidHip", "RHip",
    "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar", "LBigToe",
    "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel",
)


def canonical_points(component: str, points: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Rename OpenPose point names to signfuse's (hands by position, BODY_25 by name)."""
    points = tuple(str(p) for p in points)
    if component in (LEFT_HAND, RIGHT_HAND) and len(points) == 21 and points != HAND_POINTS:
        return HAND_POINTS  # OpenPose and MediaPipe hands share the 21-point order
    if component == POSE and points == OPENPOSE_BODY_25_NAMES:
        return OPENPOSE_BODY_25_POINTS
    return points


def check_component(name: str, points: tuple[str, ...], *, path: str | PathLike[str] | None) -> None:
    """Raise :class:`DataError` when a known component has an impossible set of points.

    Reduced components (pose-format's ``reduce_holistic``: POSE 8, FACE 128) are accepted when their
    point names are a subset of the full topology.
    """
    n = len(points)
    if len(set(points)) != n:
        raise DataError(f"component {name!r} has duplicate point names", path=path)
    if name in (LEFT_HAND, RIGHT_HAND):
        if n != 21:
            raise DataError(f"component {name!r} has {n} points; a hand has 21", path=path)
    elif name in (POSE, POSE_WORLD):
        if points == OPENPOSE_BODY_25_POINTS:
            return
        if n > 33 or not set(points) <= set(POSE_POINTS):
            raise DataError(f"component {name!r} has {n} points that are not MediaPipe pose points "
                            f"(33 at most, or OpenPose BODY_25)", path=path)
    elif name == FACE:
        if n == 70 and not all(p.isdigit() for p in points):
            return  # OpenPose face (70 named points)
        ok = all(p.isdigit() and int(p) < 478 for p in points)
        if not ok or n > 478:
            raise DataError(f"component {name!r} has {n} points; a face mesh has 468 or 478 "
                            f"(or a subset named by index), OpenPose's face 70", path=path)


def make_component(name: str, points: tuple[str, ...], edges: Sequence[Sequence[int]], *,
                   path: str | PathLike[str] | None) -> Component:
    """Build a :class:`Component`, dropping (with a warning) edges outside its points."""
    n = len(points)
    good = [(int(a), int(b)) for a, b in edges if 0 <= int(a) < n and 0 <= int(b) < n]
    if len(good) != len(edges):
        log.warning("%s: component %s: dropped %d edges outside its %d points", path, name,
                    len(edges) - len(good), n)
    return Component(name, points, tuple(good))


def check_fps(fps: Any, *, path: str | PathLike[str] | None) -> float:
    try:
        value = float(fps)
    except (TypeError, ValueError):
        raise DataError(f"fps {fps!r} is not a number", path=path) from None
    if not math.isfinite(value) or value <= 0:
        raise DataError(f"fps must be a positive finite number, got {fps!r}", path=path)
    return value
