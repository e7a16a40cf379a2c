"""``signfuse render FILE --out video.mp4``: draw a landmark file as a video."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import ProgressCallback, console, existing_file

MAX_SIDE = 4096  # = signfuse.io.render.MAX_SIDE (not imported here, so --help stays light)


@click.command("render")
@click.argument("file", callback=existing_file)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output video (.mp4, .mov or .mkv).")
@click.option("--video", "video", default=None, callback=existing_file,
              help="Source video to show side by side (landmarks drawn over it); its sound is kept unless "
                   "--audio is given.")
@click.option("--audio", "audio", default=None, callback=existing_file, help="A wav file to mux in.")
@click.option("--caption", default=None, help="Text shown at the bottom beside the time (e.g. the gloss).")
@click.option("--no-legend", is_flag=True, help="Leave out the hand-colour legend and the time.")
@click.option("--fps", default=None, type=click.FloatRange(0, 1000, min_open=True),
              help="Frame rate for Kaggle parquet files without one.")
@click.option("--size", default=512, show_default=True, type=click.IntRange(16, MAX_SIDE),
              help="Panel width and height (pixels).")
def render(file: Path, out: Path, video: Path | None, audio: Path | None, caption: str | None, no_legend: bool,
           fps: float | None, size: int) -> None:
    """Draw FILE's skeleton, neck, hands and face mesh to a video, with a legend of the hand colours and
    the time (and --caption) at the bottom."""
    from .. import io as sio
    from ..io.render import check_render_size
    from ..io.render import render as render_video

    size += size % 2
    seq = sio.read(file, fps=fps)
    # bound the size before reading any sound or allocating a frame
    check_render_size(width=size, height=size, fps=seq.fps, n_frames=seq.n_frames, n_points=seq.data.shape[2],
                      side_by_side=video is not None)
    sound = None
    if audio is not None:
        from ..datasets.synthetic.corpus import read_wav
        sound = read_wav(audio)
    elif video is not None:
        from ..audio.load import load
        from ..errors import SignfuseError
        try:
            sound = load(video, sr=None)
        except SignfuseError as e:
            console.print(f"note: {video} has no readable sound; the video is silent ({e})", highlight=False)
    with ProgressCallback("rendering", transient=True) as progress:
        render_video(seq, out, width=size, height=size, video=video, audio=sound, caption=caption,
                     legend=not no_legend, progress=progress)
    console.print(f"[green]wrote[/green] {out} ({seq.n_frames} frames at {seq.fps:g} fps"
                  f"{', with sound' if sound is not None else ''})")
