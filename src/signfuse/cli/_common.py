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


def existing_input(ctx: click.Context | None, param: click.Parameter | None, value: str | Path | None) -> Path | None:
    """click callback: an existing file, or a folder (an MP_Data sequence folder is a landmark input)."""
    if value is None:
        return None
    p = Path(value)
    if not p.exists():
        raise click.BadParameter(f"{p}: no such file or folder")
    return p


class ProgressCallback:
    """A progress bar used as a ``progress(done, total)`` callback, the form library functions take.

    >>> with ProgressCallback("reading clips") as progress:   # doctest: +SKIP
    ...     clips = clips_from_data(folder, progress=progress)
    """

    def __init__(self, label: str, *, transient: bool = False):
        self.bar = progress_bar(transient=transient)
        self.label = label
        self.task = None

    def __enter__(self) -> "ProgressCallback":
        self.bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.bar.__exit__(*exc)

    def __call__(self, done: int, total: int | None) -> None:
        if self.task is None:
            self.task = self.bar.add_task(self.label, total=total, info="")
        self.bar.update(self.task, completed=done, total=total)
