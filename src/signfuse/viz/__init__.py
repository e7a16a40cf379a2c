"""Figures of every task, built on :class:`matplotlib.figure.Figure` (no pyplot state, no backend switch).

Each function takes plain values (arrays, Streams, metric dicts) and returns a Figure; the caller saves it
with :func:`signfuse.io.save_figure`. This layer sits beside ``datasets`` (it imports only ``errors``,
``sequence``, ``streams`` and ``io``), so features, training and the demo can all draw with it.

>>> from signfuse import io, viz
>>> io.save_figure(viz.confusion_matrix(cm, vocab), "confusion.png")
"""

from ._fig import figure as new_figure
from .audio import audio_features, window_comparison
from .crossmodal import signal_overlay, xcorr_lags
from .face import face_features
from .recognition import (
           ablation_bars,
           adaptation_bars,
           confusion_matrix,
           training_curve,
)
from .tasks import a2g_example, emotion_bars, translation_bars

__all__ = ["audio_features", "window_comparison", "face_features", "xcorr_lags", "signal_overlay",
           "confusion_matrix", "ablation_bars", "adaptation_bars", "training_curve", "a2g_example",
           "emotion_bars", "translation_bars", "new_figure"]
