"""``signfuse motion``: hand and head kinematics of a landmark file."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ._common import FORCE_HELP, MAX_FPS, console, existing_input, refuse_existing


@click.command()
@click.argument("input_path", metavar="INPUT", callback=existing_input)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Output parquet (time column + motion features + valid).")
@click.option("--fps", type=click.FloatRange(0, MAX_FPS, min_open=True), default=None, help="Frame rate (only for Kaggle parquet and MP_Data folders, which store none).")
@click.option("--no-smooth", is_flag=True, help="Raw central differences instead of Savitzky-Golay derivatives.")
@click.option("--window-s", type=click.FloatRange(0, 10, min_open=True), default=0.2, show_default=True, help="Savitzky-Golay window (seconds).")
@click.option("--dims", type=click.Choice(["2", "3"]), default="2", show_default=True,
              help="Coordinates used (MediaPipe z is a relative depth; 2 is safer).")
@click.option("--events", "events_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write taps and movement/hold phases as JSON.")
@click.option("--force", is_flag=True, help=FORCE_HELP)
def motion(input_path: Path, out_path: Path, fps: float | None, no_smooth: bool, window_s: float, dims: str,
           events_path: Path | None, force: bool) -> None:
    """Per-frame kinematics (position, velocity, speed, acceleration, jerk, amplitude, energy) of both
    hands and the head, relative to the shoulders, in shoulder widths and seconds."""
    from .. import io
    from .. import motion as m

    refuse_existing(out_path, events_path, force=force)

    seq = io.read(input_path, fps=fps) if fps is not None else io.read(input_path)
    kin = m.kinematics(seq, smooth=not no_smooth, window_s=window_s, dims=int(dims))
    stream = m.to_stream(kin)
    io.write_stream(stream, out_path)
    msg = f"{stream.n_frames} frames x {stream.n_features} features at {stream.fps:g} fps -> {out_path}"
    if events_path is not None:
        taps = m.taps(seq, dims=int(dims))
        segs = m.segments(kin)
        with io.atomic_path(events_path) as tmp:
            Path(tmp).write_text(json.dumps({"taps": taps, "segments": segs}, indent=2))
        msg += f"; {len(taps)} taps, {sum(s['kind'] == 'hold' for s in segs)} holds -> {events_path}"
    console.print(msg)
