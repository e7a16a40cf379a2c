"""Face features: head pose, geometric action units, blendshapes, non-manual events.

>>> from signfuse import face
>>> s = face.features(seq, baseline="median")     # Stream "au": pitch,yaw,roll,AU01..AU45,eye/mouth/gaze
>>> face.events(s)                                 # brow raise/furrow, head shake/nod, blinks

See :mod:`signfuse.face.headpose` (angle conventions: yaw positive when the signer turns to their
left), :mod:`signfuse.face.aus` (the mesh points behind every AU) and :mod:`signfuse.face.blendshapes`
(the blendshape-to-AU table).
"""

from __future__ import annotations

import logging

from .aus import AU_NAMES, AU_TABLE, MEASURE_POINTS, POSE_NAMES, action_units, features, raw_measures
from .events import events
from .headpose import head_pose

__all__ = [
    "features",
    "head_pose",
    "action_units",
    "events",
    "raw_measures",
    "AU_NAMES",
    "AU_TABLE",
    "POSE_NAMES",
    "MEASURE_POINTS",
    "MARKERS",
    "detect_markers",
]

log = logging.getLogger(__name__)

#: non-manual markers the demo scores, and the event type that detects each
MARKERS: dict[str, str] = {
    "brow_raise": "brow_raise",
    "brow_furrow": "brow_furrow",
    "head_shake": "head_shake",
    "head_nod": "head_nod",
}


def detect_markers(evs: list[dict]) -> set[str]:
    """The set of non-manual markers (keys of :data:`MARKERS`) found in a list of events."""
    types = {e["type"] for e in evs}
    return {m for m, t in MARKERS.items() if t in types}
