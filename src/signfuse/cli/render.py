"""``signfuse render FILE --out video.mp4``: draw a landmark file as a video."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import FORCE_HELP, ProgressCallback, console, existing_file, refuse_existing

MAX_SIDE = 4096  # = signfuse.io.render.MAX_SIDE (not imported here, so --help stays light)


def gloss_spans(path: Path) -> list[tuple[float, float, str]]:
    """``(start_s, end_s, gloss)`` of the timed annotations on the gloss tiers of an annotation document."""
    import json

    from ..errors import DataError

    if path.suffix.lower() == ".eaf":
        from ..io.elan import read_eaf

        doc = read_eaf(path)
    else:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise DataError(f"not a readable annotation file: {e}", path=path) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("tiers"), list):
        raise DataError('not an annotation document (no "tiers" list)', path=path)
    spans = []
    for tier in doc["tiers"]:
        if not isinstance(tier, dict) or not str(tier.get("kind", "")).startswith("gloss"):
            continue
        for a in tier.get("annotations") or []:
            if isinstance(a, dict) and a.get("start_ms") is not None and a.get("end_ms") is not None and a.get("value"):
                spans.append((a["start_ms"] / 1000.0, a["end_ms"] / 1000.0, str(a["value"])))
    return sorted(spans)


@click.command("render")
@click.argument("file", callback=existing_file)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output video (.mp4, .mov or .mkv).",
)
@click.option(
    "--video",
    "video",
    default=None,
    callback=existing_file,
    help="Source video to show side by side (landmarks drawn over it); its sound is kept unless --audio is given.",
)
@click.option("--audio", "audio", default=None, callback=existing_file, help="A wav file to mux in.")
@click.option("--caption", default=None, help="Text shown at the bottom beside the time (e.g. the gloss).")
@click.option(
    "--glosses",
    "glosses",
    default=None,
    callback=existing_file,
    help="An annotation file (signfuse .annotations.json or ELAN .eaf): the glosses of its gloss tiers "
    "are shown at their times.",
)
@click.option("--no-legend", is_flag=True, help="Leave out the hand-colour legend and the time.")
@click.option(
    "--fps",
    default=None,
    type=click.FloatRange(0, 1000, min_open=True),
    help="Frame rate for Kaggle parquet files without one.",
)
@click.option(
    "--size", default=512, show_default=True, type=click.IntRange(16, MAX_SIDE), help="Panel width and height (pixels)."
)
@click.option("--force", is_flag=True, help=FORCE_HELP)
def render(
    file: Path,
    out: Path,
    video: Path | None,
    audio: Path | None,
    caption: str | None,
    glosses: Path | None,
    no_legend: bool,
    fps: float | None,
    size: int,
    force: bool,
) -> None:
    """Draw FILE's skeleton, neck, hands and face mesh to a video, with a legend of the hand colours and
    the time (and --caption) at the bottom."""
    from .. import io as sio
    from ..io.render import check_render_size
    from ..io.render import render as render_video

    refuse_existing(out, force=force)
    size += size % 2
    seq = sio.read(file, fps=fps)
    # bound the size before reading any sound or allocating a frame
    check_render_size(
        width=size,
        height=size,
        fps=seq.fps,
        n_frames=seq.n_frames,
        n_points=seq.data.shape[2],
        side_by_side=video is not None,
    )
    if glosses is not None:
        if caption is not None:
            raise click.UsageError("give --caption or --glosses, not both")
        caption = gloss_spans(glosses)
        if not caption:
            console.print(f"note: {glosses} has no timed annotation on a gloss tier", highlight=False)
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
        render_video(
            seq,
            out,
            width=size,
            height=size,
            video=video,
            audio=sound,
            caption=caption,
            legend=not no_legend,
            progress=progress,
        )
    console.print(
        f"[green]wrote[/green] {out} ({seq.n_frames} frames at {seq.fps:g} fps"
        f"{', with sound' if sound is not None else ''})"
    )
