"""``signfuse info`` and ``signfuse convert``: describe and convert landmark files."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import click

from ._common import console, existing_input


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def regular_input(ctx: click.Context | None, param: click.Parameter | None, value: str | Path | None) -> Path | None:
    """click callback: an existing regular file or a folder; a FIFO, socket or device is refused (reading
    one blocks or never ends) with a message that names it and says what it is."""
    p = existing_input(ctx, param, value)
    if p is None or p.is_dir():
        return p
    mode = p.stat().st_mode
    if not stat.S_ISREG(mode):
        kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
        raise click.BadParameter(f"{p}: is {kind}, expected a landmark file or an MP_Data folder")
    return p



@click.command("info")
@click.argument("file", callback=regular_input)
@click.option("--format", "fmt", type=click.Choice(["pose", "kaggle", "parquet", "npz", "mp_data"]), default=None,
              help="File format (default: from the extension; a folder of 0.npy, 1.npy ... is mp_data).")
@click.option("--fps", type=float, default=None,
              help="Frame rate for Kaggle parquet files and MP_Data folders, which do not store one "
                   "(without it the rate is reported as unknown).")
@click.option("--pretty/--one-line", default=None,
              help="Indented JSON, or one line (default: indented on a terminal, one line when piped).")
def info(file: Path, fmt: str | None, fps: float | None, pretty: bool | None) -> None:
    """Describe a landmark FILE (or MP_Data sequence folder) as one JSON object.

    Prints format, version, fps, frames, people, components (name, points, dims) and the fraction of
    missing points per component; indented on a terminal, one line when piped (for jq or a script).
    """
    from .. import io
    d = io.describe(file, format=fmt, fps=fps)
    if pretty is None:
        pretty = _stdout_is_terminal()
    click.echo(json.dumps(d, indent=2) if pretty else json.dumps(d))


@click.command("convert")
@click.argument("src", metavar="IN", callback=regular_input)
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
