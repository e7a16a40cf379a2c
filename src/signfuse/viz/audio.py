"""Audio figures: the mel spectrogram with the F0 contour, MFCCs; the window comparison."""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ..streams import Stream
from ._fig import figure

__all__ = ["audio_features", "window_comparison"]


def audio_features(feats: Stream, *, sr: int, title: str | None = None):
    """Three panels on one time axis: the log-mel spectrogram, F0 in Hz (voiced frames) in its own panel,
    and the MFCCs (a Figure).

    ``feats`` is a Stream from :func:`signfuse.audio.features`; ``sr`` the sample rate the features were
    computed at (it fixes the mel axis: 0 Hz to ``sr / 2``).
    """
    import librosa

    mels = [n for n in feats.names if n.startswith("mel_")]
    mfccs = [n for n in feats.names if n.startswith("mfcc_")]
    if not mels or not mfccs:
        raise ParameterError(f"stream {feats.name!r} has no mel_*/mfcc_* columns; give signfuse.audio.features()")
    lm = feats.select(mels).values.T
    mf = feats.select(mfccs).values.T.astype(np.float64)
    mf = (mf - mf.mean(axis=1, keepdims=True)) / np.maximum(mf.std(axis=1, keepdims=True), 1e-9)  # per coefficient
    t = feats.time
    t_end = float(t[-1] + 1 / feats.fps) if feats.n_frames else 1.0
    fig = figure(figsize=(12, 7.5))
    a0, af, a1 = fig.subplots(3, 1, sharex=True, height_ratios=(3, 1.6, 2.4))
    im = a0.imshow(lm, origin="lower", aspect="auto", extent=(0, t_end, -0.5, len(mels) - 0.5), cmap="magma",
                   vmin=float(np.percentile(lm, 5)), vmax=float(lm.max()))
    fig.colorbar(im, ax=a0, label="dB")
    centres = librosa.mel_frequencies(n_mels=len(mels) + 2, fmin=0.0, fmax=sr / 2)[1:-1]   # band centres (Hz)
    ticks = [f for f in (100, 500, 1000, 2000, 4000, 8000) if f < sr / 2]
    a0.set_yticks(np.interp(ticks, centres, np.arange(len(mels))), [str(f) for f in ticks])
    a0.set(ylabel="mel band (Hz)", title=title or "log-mel spectrogram")
    voiced = feats.column("voiced") > 0.5 if "voiced" in feats.names else np.ones(feats.n_frames, bool)
    f0 = np.where(voiced, feats.column("f0_hz").astype(float), np.nan)
    af.plot(t, f0, color="tab:blue", lw=1.4)
    af.set(ylabel="F0 (Hz)", title="fundamental frequency (voiced frames only)")
    if np.isfinite(f0).any():
        lo, hi = np.nanpercentile(f0, [1, 99])
        pad = max(5.0, 0.1 * (hi - lo))
        af.set_ylim(max(0.0, lo - pad), hi + pad)
    af.grid(alpha=0.3)
    fig.colorbar(im, ax=af).ax.set_visible(False)   # an empty colour-bar slot keeps the three time axes aligned
    im = a1.imshow(mf, origin="lower", aspect="auto", extent=(0, t_end, -0.5, len(mfccs) - 0.5), cmap="coolwarm",
                   vmin=-3, vmax=3)
    fig.colorbar(im, ax=a1, label="z-score")
    a1.set(xlabel="time (s)", ylabel="coefficient", title="MFCC (each coefficient z-scored over time)")
    return fig


def window_comparison(table, *, sr: int = 16000, win_length: int = 400):
    """The windows' spectra (leakage) and the measures of :func:`signfuse.audio.compare_windows` as bars.

    ``table`` is the DataFrame that function returns (one row per window name).
    """
    from scipy.signal import get_window

    fig = figure(figsize=(14, 4))
    axes = fig.subplots(1, 3)
    n = win_length * 16
    for w in table.index:
        W = np.abs(np.fft.rfft(get_window(w, win_length, fftbins=True).astype(np.float64), n=n))
        bins = np.arange(W.size) * win_length / n
        axes[0].plot(bins, 20 * np.log10(np.maximum(W / W[0], 1e-12)),
                     label=f"{w} ({table.loc[w, 'sidelobe_db']:.1f} dB)")
    axes[0].set(xlim=(0, 12), ylim=(-120, 5), xlabel="frequency (bins of the window length)", ylabel="dB",
                title="window spectra: side-lobe leakage")
    axes[0].legend()
    x = np.arange(len(table.index))
    axes[1].bar(x - 0.2, table["mfcc_jitter_voiced"], 0.4, label="fixed")
    axes[1].bar(x + 0.2, table["adaptive_mfcc_jitter_voiced"], 0.4, label="pitch-adaptive")
    axes[1].set(xticks=x, xticklabels=list(table.index), ylabel="mean |dMFCC| per frame",
                title="MFCC frame-to-frame jitter (voiced)")
    axes[1].legend()
    axes[2].bar(x, table["harmonic_contrast_db"], 0.5)
    axes[2].set(xticks=x, xticklabels=list(table.index), ylabel="dB", title="harmonic-to-valley contrast")
    return fig
