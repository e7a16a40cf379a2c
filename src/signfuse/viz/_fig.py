"""One place that creates figures: :class:`matplotlib.figure.Figure`, never pyplot."""

from __future__ import annotations


def figure(**kwargs):
    from matplotlib.figure import Figure

    kwargs.setdefault("layout", "constrained")
    return Figure(**kwargs)
