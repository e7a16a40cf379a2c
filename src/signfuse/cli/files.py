"""``signfuse info`` and ``signfuse convert``: describe and convert landmark files."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ._common import console, existing_input



@click.command("info")
@click.argument("file", callback=existing_input)
@click.option("--format", "fmt", type=click.Choice(["pose", "kaggle", "parquet", "npz", "mp_data"]), default=None,
              help="File format (default: from the extension; a folder of 0.npy, 1.npy ... is mp_data).")
@click.option("--fps", type=float, default=None,
              help="Frame rate for Kaggle parquet files and MP_Data folders, which do not store one "
                   "(without it the rate is reported as unknown).")
def info(file: Path, fmt: str | None, fps: float | None) -> None:
    """Describe a landmark FILE (or MP_Data sequence folder) as one JSON object.

    Prints format, version, fps, frames, people, components (name, points, dims) and the fraction of
    missing points per component.
    """
    from .. import io
    click.echo(json.dumps(io.describe(file, format=fmt, fps=fps)))


@click.command("convert")
@click.argument("src", metavar="IN", callback=existing_input)
@click.argument("dst", metavar="OUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--fps", type=float, default=None,
              help="Frame rate of a Kaggle parquet or MP_Data folder input (they store none).")
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
def convert(src: Path, dst: Path, fps: float | None, force: bool) -> None:
    """Convert a landmark file IN to OUT; formats come from the extensions (.pose, .parquet, .npz).

    Everything both formats hold is kept exactly; what OUT cannot hold (confidence values in parquet,
    points outside the 543-point Kaggle layout) is reported as a warning.
    """
    from .. import io
    io.detect_format(dst)  # fail on an unknown extension before reading anything
    if dst.exists() and not force:
        raise click.ClickException(f"{dst} exists (use --force to overwrite)")
    seq = io.read(src, fps=fps)
    io.write(seq, dst)
    console.print(f"wrote {dst} ({seq.n_frames} frames, {len(seq.components)} components)")
