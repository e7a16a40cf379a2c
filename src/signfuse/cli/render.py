"""``signfuse render FILE --out video.mp4``: draw a landmark file as a video."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import ProgressCallback, console, existing_file


@click.command("render")
@click.argument("file", callback=existing_file)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output video (.mp4, .mov or .mkv).")
@click.option("--video", "video", default=None, callback=existing_file,
              help="Source video to show side by side (landmarks drawn over it).")
@click.option("--audio", "audio", default=None, callback=existing_file, help="A wav file to mux in.")
@click.option("--fps", default=None, type=float, help="Frame rate for Kaggle parquet files without one.")
@click.option("--size", default=512, show_default=True, type=click.IntRange(min=16), help="Panel width and height (pixels).")
def render(file: Path, out: Path, video: Path | None, audio: Path | None, fps: float | None, size: int) -> None:
    """Draw FILE's skeleton, hands and face mesh to a video."""
    from .. import io as sio
    from ..io.render import render as render_video

    seq = sio.read(file, fps=fps)
    sound = None
    if audio is not None:
        from ..datasets.synthetic.corpus import read_wav
        sound = read_wav(audio)
    size += size % 2
    with ProgressCallback("rendering", transient=True) as progress:
        render_video(seq, out, width=size, height=size, video=video, audio=sound, progress=progress)
    console.print(f"[green]wrote[/green] {out} ({seq.n_frames} frames at {seq.fps:g} fps)")
