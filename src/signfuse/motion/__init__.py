"""Kinematics of the hands and head: body-relative position, velocity, speed, acceleration, jerk,
amplitude and energy (:func:`features`), movement/hold phases (:func:`segments`) and taps with their
intensity (:func:`taps`)."""

from .features import feature_names, features, to_stream
from .kinematics import TARGETS, Kinematics, body_frame, kinematics
from .segments import hold_mask, segments
from .taps import TAP_TYPES, taps

__all__ = [
    "features",
    "feature_names",
    "to_stream",
    "kinematics",
    "Kinematics",
    "body_frame",
    "TARGETS",
    "segments",
    "hold_mask",
    "taps",
    "TAP_TYPES",
]
