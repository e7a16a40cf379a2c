"""Audio: loading (any FFmpeg-readable file or video soundtrack), spectral and prosodic frame features on
one time axis, pitch tracking, pitch-adaptive windows, utterance prosody and window comparisons.

>>> y, sr = load("speech.wav")                     # mono float32 at 16 kHz      # doctest: +SKIP
>>> feats = features(y, sr=sr)                     # Stream "audio" at 100 fps   # doctest: +SKIP

Submodules: :mod:`.load`, :mod:`.spectral`, :mod:`.pitch`, :mod:`.adaptive`, :mod:`.features`,
:mod:`.prosody` (``summary``), :mod:`.windows` (``compare_windows``). Figures: :func:`signfuse.viz.audio_features`,
:func:`signfuse.viz.window_comparison`. opensmile and librosa are imported only inside the functions that use them.
"""

from __future__ import annotations

from .adaptive import adaptive_power_spectrogram, adaptive_window_lengths
from .features import analyze_file, feature_names, features, summary
from .load import load, resample
from .pitch import PITCH_METHODS, hz_to_semitones, pitch
from .spectral import (
                       WINDOWS,
                       delta,
                       get_window,
                       log_mel,
                       log_power_stft,
                       mel_filterbank,
                       mfcc,
                       onset_strength,
                       power_spectrogram,
                       rms_db,
                       spectral_centroid,
                       spectral_flux,
                       stft,
                       stft_summary,
                       zero_crossing_rate,
)
from .windows import compare_windows

__all__ = [
    "load", "resample", "features", "analyze_file", "feature_names", "pitch", "PITCH_METHODS", "hz_to_semitones",
    "WINDOWS",
    "stft", "power_spectrogram", "log_power_stft", "stft_summary", "mel_filterbank", "log_mel", "mfcc", "delta",
    "spectral_centroid", "spectral_flux", "rms_db", "zero_crossing_rate", "onset_strength", "get_window",
    "adaptive_window_lengths", "adaptive_power_spectrogram", "summary", "compare_windows",
]

