"""``signfuse audio`` (frame features, prosody summary, plot) and ``signfuse audio-windows``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ._common import FORCE_HELP, console, existing_file, refuse_existing


def _json_safe(d):
    from ..io import jsonable
    return jsonable(d)


@click.command(name="audio")
@click.argument("input", callback=existing_file, type=click.Path(dir_okay=False))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Output parquet file.")
@click.option("--sr", default=16000, show_default=True, type=click.IntRange(1000, 384000),
              help="Resample to this rate (Hz) before analysis.")
@click.option("--hop-ms", default=10.0, show_default=True, type=click.FloatRange(0.5, 1000.0), help="Frame hop (ms).")
@click.option("--window", default="hann", show_default=True, type=click.Choice(["hann", "hamming", "blackman"]),
              help="Analysis window of every STFT-based feature.")
@click.option("--pitch", default="praat", show_default=True, type=click.Choice(["praat", "yin", "pyin"]),
              help="F0 tracker (pyin is ~50x slower; for comparison).")
@click.option("--adaptive-window", is_flag=True, help="Pitch-adaptive windows (3 F0 periods in voiced frames).")
@click.option("--summary", is_flag=True,
              help="Also write utterance prosody (88 eGeMAPS functionals + own summary) to OUT's .summary.json.")
@click.option("--plot", "plot", type=click.Path(dir_okay=False), default=None,
              help="Save a PNG: mel spectrogram with F0, and MFCC heat map.")
@click.option("--force", is_flag=True, help=FORCE_HELP)
def audio(input: Path, out: str, sr: int, hop_ms: float, window: str, pitch: str, adaptive_window: bool,
          summary: bool, plot: str | None, force: bool) -> None:
    """Frame-level audio features of INPUT (wav, flac, ogg, mp3 or a video's soundtrack)."""
    from .. import io
    from ..audio.features import analyze_file

    refuse_existing(out, Path(out).with_suffix(".summary.json") if summary else None, plot, force=force)

    with console.status(f"analysing {input}"):
        feats, summ, _, rate = analyze_file(input, sr=sr, hop_ms=hop_ms, window=window, pitch=pitch,
                                            adaptive_window=adaptive_window, summary=summary)
    out_path = io.write_stream(feats, out)
    console.print(f"{out_path}: {feats.n_frames} frames x {feats.n_features} features at {feats.fps:g} fps")
    if summ is not None:
        spath = Path(out).with_suffix(".summary.json")
        with io.atomic_path(spath) as tmp:
            tmp.write_text(json.dumps(_json_safe(summ), indent=2))
        p = summ["prosody"]
        console.print(f"{spath}: F0 median {p['f0_median_hz']:.1f} Hz, range {p['f0_range_st']:.1f} st, "
                      f"{p['rises']} rises / {p['falls']} falls, {p['nuclei_per_s']:.2f} nuclei/s, "
                      f"pause ratio {p['pause_ratio']:.2f}, {len(summ['egemaps'])} eGeMAPS functionals")
    if plot:
        from .. import viz

        fig = viz.audio_features(feats, sr=rate, title=str(input))
        io.save_figure(fig, plot)
        console.print(f"{plot}: figure")


@click.command(name="audio-windows")
@click.argument("input", callback=existing_file, type=click.Path(dir_okay=False))
@click.option("--sr", default=16000, show_default=True, type=click.IntRange(1000, 384000))
@click.option("--hop-ms", default=10.0, show_default=True, type=click.FloatRange(0.5, 1000.0))
@click.option("--segment-s", default=0.25, show_default=True, type=click.FloatRange(0.03, 60.0),
              help="Segment length for the MFCC stability measure.")
@click.option("--plot", "plot", default="audio_windows.png", show_default=True, type=click.Path(dir_okay=False),
              help="Where to save the figure.")
@click.option("--csv", "csv", default=None, type=click.Path(dir_okay=False), help="Also save the table as CSV.")
@click.option("--force", is_flag=True, help=FORCE_HELP)
def audio_windows(input: Path, sr: int, hop_ms: float, segment_s: float, plot: str, csv: str | None,
                  force: bool) -> None:
    """Compare Hamming, Hann and Blackman windows on INPUT: leakage, MFCC stability, pitch-adaptive frames."""
    from rich.console import Console
    from rich.table import Table

    from .. import io, viz
    from ..audio.load import load
    from ..audio.windows import compare_windows
    from ..errors import DataError

    refuse_existing(plot, csv, force=force)
    y, rate = load(input, sr=sr)
    with console.status(f"comparing windows on {input}"):
        try:
            table = compare_windows(y, sr=rate, hop_ms=hop_ms, segment_s=segment_s)
        except DataError as e:
            raise DataError(e.reason, path=input) from None
    fig = viz.window_comparison(table, sr=rate, win_length=int(round(0.025 * rate)))
    io.save_figure(fig, plot)       # written before the table is shown, so a failed write is the only output
    if csv:
        with io.atomic_path(csv) as tmp:
            table.to_csv(tmp, index_label="window")
    t = Table(title=f"windows on {input}")
    t.add_column("measure")
    for w in table.index:
        t.add_column(str(w), justify="right")
    for c in table.columns:
        t.add_row(c, *[f"{v:.2f}" for v in table[c].values])
    Console().print(t)  # the result goes to stdout (progress and file notes stay on stderr)
    fig = viz.window_comparison(table, sr=rate, win_length=int(round(0.025 * rate)))
    io.save_figure(fig, plot)
    console.print(f"{plot}: figure")
    if csv:
        with io.atomic_path(csv) as tmp:
            table.to_csv(tmp, index_label="window")
