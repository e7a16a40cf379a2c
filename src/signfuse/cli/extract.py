"""``signfuse extract INPUT... --out DIR``: MediaPipe Holistic (or Hands) landmarks for videos, images, folders,
indexes."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import MAX_FPS, MAX_SIDE, MAX_WORKERS, console, progress_bar


@click.command(name="extract")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (one landmark file per input, plus manifest.jsonl).")
@click.option("--format", "fmt", type=click.Choice(["pose", "parquet"]), default="pose", show_default=True,
              help="pose-format .pose (pixels) or Kaggle ASL Signs parquet (normalized x/y).")
@click.option("--fps", type=click.FloatRange(0, MAX_FPS, min_open=True), default=None, help="Sample frames at this rate (default: every frame).")
@click.option("--max-side", type=click.IntRange(16, MAX_SIDE), default=None, help="Downscale so the longer side is at most PX before inference.")
@click.option("--workers", type=click.IntRange(1, MAX_WORKERS), default=1, show_default=True, help="Parallel processes (or Ray CPUs).")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local process pool, or Ray tasks (pip install 'signfuse[ray]').")
@click.option("--ray-address", default=None, help="Address of a Ray cluster (default: start a local instance).")
@click.option("--refine-face", is_flag=True, help="Also predict the 10 iris points (FACE 478).")
@click.option("--model-complexity", type=int, default=1, show_default=True,
              help="Holistic pose model; only 1 is bundled with mediapipe 0.10.21.")
@click.option("--model", type=click.Choice(["auto", "holistic", "hands"]), default="auto", show_default=True,
              help="holistic (body, face, hands), hands (MediaPipe Hands: 21+21 points with handedness, for "
                   "close-ups of hands), or auto: holistic, then hands when no pose is found.")
@click.option("--overwrite", is_flag=True, help="Redo inputs the manifest says are done.")
@click.option("--frame-folders", is_flag=True,
              help="Read each folder that directly holds images as one video (an image sequence), "
                   "not one job per image.")
@click.option("--frame-rate", type=click.FloatRange(0, MAX_FPS, min_open=True), default=None,
              help="Recording rate of frame folders given directly (default 25, PHOENIX's); indexes carry their own.")
def extract(inputs: tuple[Path, ...], out_dir: Path, fmt: str, fps: float | None, max_side: int | None,
            workers: int, engine: str, ray_address: str | None, refine_face: bool, model_complexity: int,
            overwrite: bool, frame_folders: bool, frame_rate: float | None, model: str) -> None:
    """Extract MediaPipe Holistic landmarks (POSE 33, FACE 468/478, hands 21+21, POSE_WORLD 33), or
    MediaPipe Hands landmarks (LEFT_HAND, RIGHT_HAND) with --model hands or as auto's fallback.

    INPUT is a video (mp4 mov avi mkv webm), an image (jpg png), a folder (searched recursively) or a
    dataset index (WLASL, PHOENIX, How2Sign: frame ranges are honoured; PHOENIX's folders of PNG frames
    are read as videos at 25 frames/s). Reruns skip inputs already
    done with the same settings (see OUT/manifest.jsonl: it records the model that produced each file and
    the share of frames with the pose, face and each hand found); failed or changed inputs are redone.
    Warns when the hands or the face are missing in most frames. Exits with status 1 when any input failed.
    """
    from ..vision.batch import collect_jobs, extract_batch

    if not collect_jobs(list(inputs), format=fmt, frame_folders=frame_folders, frame_rate=frame_rate):
        raise click.ClickException("no inputs found in " + ", ".join(map(str, inputs))
                                   + " (videos: mp4 mov avi mkv webm; images: jpg png; or a dataset index)")
    with progress_bar() as bar:
        task = bar.add_task("extract", total=None, info="")

        def on_progress(ev: dict) -> None:
            fps_now = ev["frames"] / ev["elapsed"] if ev["elapsed"] > 0 else 0.0
            bar.update(task, total=ev["total"], completed=ev["done"], info=f"{fps_now:.1f} frames/s")

        summary = extract_batch(list(inputs), out_dir, format=fmt, workers=workers, engine=engine,
                                ray_address=ray_address, refine_face=refine_face, max_side=max_side, fps=fps,
                                model_complexity=model_complexity, overwrite=overwrite, frame_folders=frame_folders,
                                frame_rate=frame_rate, progress=on_progress, model=model)
    console.print(f"{summary.total} inputs: {summary.done} extracted, {summary.skipped} already done, "
                  f"{summary.failed} failed; {summary.frames} frames in {summary.seconds:.1f} s "
                  f"({summary.frames_per_second:.1f} frames/s). Manifest: {summary.manifest}")
    for path, warning in summary.warnings:
        console.print(f"[yellow]warning[/yellow] {path}: {warning}")
    for path, reason in summary.failures:
        console.print(f"[red]failed[/red] {path}: {reason}")
    if summary.failed:
        raise SystemExit(1)

