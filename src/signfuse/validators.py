"""One validator per rule (librosa's ``valid_audio`` / ``valid_int`` pattern).

A rate, a count or a probability given as an *argument* is checked here, so every function says the
same thing in the same words and raises the same type (:class:`~signfuse.errors.ParameterError`,
a ``ValueError``). Values read *from files* are checked by the readers and raise ``DataError`` naming
the file instead.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from .errors import ParameterError

__all__ = ["check_rate", "check_int", "check_fraction"]


def check_rate(value: Any, *, name: str = "fps", maximum: float | None = None) -> float:
    """``value`` as a float, or ``ParameterError("fps=-1 must be a positive finite number")``."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value) and float(value) > 0
    if not ok:
        raise ParameterError(f"{name}={value!r} must be a positive finite number")
    if maximum is not None and float(value) > maximum:
        raise ParameterError(f"{name}={value!r} must be at most {maximum:g}")
    return float(value)


def check_int(value: Any, *, name: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int within ``[minimum, maximum]``, or a ParameterError naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(f"{name}={value!r} must be an integer")
    v = int(value)
    if (minimum is not None and v < minimum) or (maximum is not None and v > maximum):
        lo = "-inf" if minimum is None else str(minimum)
        hi = "inf" if maximum is None else str(maximum)
        raise ParameterError(f"{name}={value!r} must be an integer in [{lo}, {hi}]")
    return v


def check_fraction(value: Any, *, name: str, closed: bool = False) -> float:
    """A number in ``[0, 1)`` (``[0, 1]`` with ``closed``), or a ParameterError naming it."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or float(value) < 0 or (float(value) > 1 if closed else float(value) >= 1):
        raise ParameterError(f"{name}={value!r} must be a number in [0, 1{']' if closed else ')'}")
    return float(value)
