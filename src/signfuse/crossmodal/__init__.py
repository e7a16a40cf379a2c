"""Prosody and gesture on one time axis: lagged cross-correlation with permutation tests
(:mod:`.xcorr`), dynamic time warping (:mod:`.dtw`), beat alignment (:mod:`.beats`) and the
:func:`correlate` report (:mod:`.report`). Audio-to-gesture metrics live in :mod:`.gesture_metrics`.
"""

from .beats import audio_beats, beat_alignment, beat_alignment_null, envelope_peaks, motion_beats
from .dtw import align_envelopes, dtw
from .report import (
                     LAG_CONVENTION,
                     PAIRS,
                     correlate,
                     correlate_signals,
                     correlate_streams,
                     kinematic_signals,
                     prosodic_signals,
                     signals,
                     write_report,
)
from .xcorr import lagged_xcorr, peak_lag, permutation_pvalue, xcorr_test

__all__ = [
    "lagged_xcorr", "peak_lag", "permutation_pvalue", "xcorr_test", "dtw", "align_envelopes",
    "beat_alignment", "beat_alignment_null", "motion_beats", "audio_beats", "envelope_peaks",
    "correlate", "correlate_streams", "correlate_signals", "signals", "prosodic_signals", "kinematic_signals",
    "write_report", "PAIRS", "LAG_CONVENTION",
]
