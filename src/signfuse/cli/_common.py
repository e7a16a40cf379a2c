"""Helpers shared by the CLI commands: a console on stderr, path checks, progress bars."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)

console = Console(stderr=True)


def progress_bar(transient: bool = False) -> Progress:
    """A rich progress bar with count, elapsed and remaining time (on stderr)."""
    return Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(), TextColumn("{task.fields[info]}"),
                    console=console, transient=transient)


def existing_file(ctx: click.Context | None, param: click.Parameter | None, value: str | Path | None) -> Path | None:
    """click callback: the path must be an existing file; the error names it."""
    if value is None:
        return None
    p = Path(value)
    if not p.exists():
        raise click.BadParameter(f"{p}: no such file")
    if p.is_dir():
        raise click.BadParameter(f"{p}: is a folder, expected a file")
    return p
