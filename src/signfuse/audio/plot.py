"""Figures of the audio features: the mel spectrogram with the F0 contour on top, and the MFCC heat map."""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ..streams import Stream

__all__ = ["plot_features"]


def plot_features(feats: Stream, *, sr: int, title: str | None = None):
    """A matplotlib Figure: log-mel spectrogram with F0 drawn on the mel axis, and MFCCs over time.

    ``sr`` is the sample rate the features were computed at (it fixes the mel axis: 0 Hz to ``sr / 2``).
    """
    import librosa
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    mels = [n for n in feats.names if n.startswith("mel_")]
    mfccs = [n for n in feats.names if n.startswith("mfcc_")]
    if not mels or not mfccs:
        raise ParameterError(f"stream {feats.name!r} has no mel_*/mfcc_* columns; give signfuse.audio.features()")
    lm = feats.select(mels).values.T
    mf = feats.select(mfccs).values.T.astype(np.float64)
    mf = (mf - mf.mean(axis=1, keepdims=True)) / np.maximum(mf.std(axis=1, keepdims=True), 1e-9)  # per coefficient
    t = feats.time
    t_end = float(t[-1] + 1 / feats.fps) if feats.n_frames else 1.0
    fig, (a0, a1) = plt.subplots(2, 1, figsize=(12, 6), sharex=True, constrained_layout=True)
    im = a0.imshow(lm, origin="lower", aspect="auto", extent=(0, t_end, -0.5, len(mels) - 0.5), cmap="magma",
                   vmin=float(np.percentile(lm, 5)), vmax=float(lm.max()))
    fig.colorbar(im, ax=a0, label="dB")
    # mel band centre frequencies, to place F0 (Hz) on the band axis
    centres = librosa.mel_frequencies(n_mels=len(mels) + 2, fmin=0.0, fmax=sr / 2)[1:-1]
    f0 = feats.column("f0_hz").astype(float)
    f0 = np.where(feats.column("voiced") > 0.5, f0, np.nan)
    a0.plot(t, np.interp(f0, centres, np.arange(len(mels)), left=np.nan, right=np.nan), color="cyan", lw=1.5,
            label="F0")
    ticks = [100, 500, 1000, 2000, 4000, 8000]
    ticks = [f for f in ticks if f < sr / 2]
    a0.set_yticks(np.interp(ticks, centres, np.arange(len(mels))), [str(f) for f in ticks])
    a0.set(ylabel="mel band (Hz)", title=title or "log-mel spectrogram and F0")
    a0.legend(loc="upper right")
    im = a1.imshow(mf, origin="lower", aspect="auto", extent=(0, t_end, -0.5, len(mfccs) - 0.5), cmap="coolwarm",
                   vmin=-3, vmax=3)
    fig.colorbar(im, ax=a1, label="z-score")
    a1.set(xlabel="time (s)", ylabel="coefficient", title="MFCC (each coefficient z-scored over time)")
    return fig
