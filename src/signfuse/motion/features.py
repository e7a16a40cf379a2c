"""``features(seq) -> Stream("motion")``: the per-frame kinematic feature matrix.

Columns, for each target ``lh`` (left hand), ``rh`` (right hand) and ``head``:

==================  ===========================================================  ======================
column              meaning                                                      unit
==================  ===========================================================  ======================
``{t}_x,_y[,_z]``   position relative to the shoulder centre                     shoulder widths (sw)
``{t}_vx,_vy[,_vz]``velocity                                                     sw / s
``{t}_speed``       speed ``|v|``                                                sw / s
``{t}_acc``         acceleration magnitude ``|a|``                               sw / s^2
``{t}_tacc``        tangential acceleration (negative while slowing down)       sw / s^2
``{t}_jerk``        jerk magnitude                                               sw / s^3
``{t}_amplitude``   distance from the rest position                              sw
``{t}_energy``      kinetic energy per unit mass ``speed^2 / 2``                 sw^2 / s^2
``{t}_present``     1 where the target is observed (or in a short filled gap)    -
==================  ===========================================================  ======================

plus ``hands_speed`` (root sum of squares of both hands' speeds) and ``hands_energy`` (sum of both
hands' energies), the handiest single signals for cross-modal analysis. Features of an absent target
are 0 (not NaN, so one missing hand does not invalidate the frame for :func:`signfuse.streams.align`);
the stream's mask marks frames where at least one target is present. See
:mod:`signfuse.motion.kinematics` for the method.
"""

from __future__ import annotations

import numpy as np

from ..sequence import LandmarkSequence
from ..streams import Stream
from .kinematics import TARGETS, Kinematics, kinematics

__all__ = ["features", "feature_names", "to_stream"]

_AXES = ("x", "y", "z")


def feature_names(*, dims: int = 2) -> tuple[str, ...]:
    """Column names of :func:`features` for ``dims`` coordinates."""
    names: list[str] = []
    for t in TARGETS:
        names += [f"{t}_{a}" for a in _AXES[:dims]]
        names += [f"{t}_v{a}" for a in _AXES[:dims]]
        names += [f"{t}_{c}" for c in ("speed", "acc", "tacc", "jerk", "amplitude", "energy", "present")]
    return tuple(names) + ("hands_speed", "hands_energy")


def to_stream(k: Kinematics, *, name: str = "motion") -> Stream:
    """Pack a :class:`Kinematics` into the ``motion`` Stream (columns as in :func:`feature_names`)."""
    T, n_t, D = k.pos.shape
    names = feature_names(dims=D)
    per = 2 * D + 7
    out = np.empty((T, len(names)), dtype=np.float32)
    for j in range(n_t):
        c = j * per
        out[:, c : c + D] = k.pos[:, j]
        out[:, c + D : c + 2 * D] = k.vel[:, j]
        for i, arr in enumerate((k.speed, k.acc_norm, k.tangential_acc, k.jerk_norm, k.amplitude, k.energy)):
            out[:, c + 2 * D + i] = arr[:, j]
        absent = ~k.present[:, j]
        if absent.any():
            out[absent, c : c + per - 1] = 0.0
        out[:, c + per - 1] = k.present[:, j]
    hands = k.present[:, :2]
    hs = np.where(hands, k.speed[:, :2], 0.0)
    out[:, -2] = np.sqrt((hs**2).sum(axis=1))
    out[:, -1] = np.where(hands, k.energy[:, :2], 0.0).sum(axis=1)
    return Stream(name, out, names, k.fps, times=k.times, mask=k.present.any(axis=1))


def features(
    seq: LandmarkSequence,
    *,
    smooth: bool = True,
    window_s: float = 0.2,
    polyorder: int = 3,
    dims: int = 2,
    person: int = 0,
    max_gap_s: float = 0.3,
    rest="low",
) -> Stream:
    """Per-frame kinematics of both hands and the head as a Stream named ``"motion"``.

    Parameters are those of :func:`signfuse.motion.kinematics.kinematics`; the frame rate is the
    sequence's (``seq.fps``), so every derivative is per second.
    """
    return to_stream(
        kinematics(
            seq,
            smooth=smooth,
            window_s=window_s,
            polyorder=polyorder,
            dims=dims,
            person=person,
            max_gap_s=max_gap_s,
            rest=rest,
        )
    )
