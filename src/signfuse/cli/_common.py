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


class EpochProgress:
    """Training progress as an ``fn(epoch, total, metrics)`` callback (see ``train.trainer.epoch_callback``).

    On a terminal: a bar with the epoch (1..N), the losses and the time left. Elsewhere (a log file,
    CI): one line per epoch, so a log shows progress instead of nothing.
    """

    def __init__(self, label: str = "training", *, share: "ProgressCallback | None" = None):
        import time
        self.label, self.t0, self.task = label, time.monotonic(), None
        self.share = share                 # draw on another progress display (rich allows one live display)
        self.bar, self.own = None, False

    def __enter__(self) -> "EpochProgress":
        if console.is_terminal:
            if self.share is not None:
                self.bar = self.share.bar
            else:
                self.bar, self.own = progress_bar(), True
                self.bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.own and self.bar is not None:
            self.bar.__exit__(*exc)

    @staticmethod
    def describe(metrics: dict) -> str:
        keys = [k for k in ("train_loss", "val_loss", "val_acc", "val_wer", "val_bleu") if k in metrics]
        return "  ".join(f"{k} {metrics[k]:.4g}" for k in keys)

    def __call__(self, epoch: int, total: int, metrics: dict) -> None:
        import time
        info = self.describe(metrics)
        if self.bar is not None:
            if self.task is None:
                self.task = self.bar.add_task(self.label, total=total, info="")
            self.bar.update(self.task, completed=epoch, total=total, info=info)
            return
        spent = time.monotonic() - self.t0
        left = spent / max(1, epoch) * max(0, total - epoch)
        console.print(f"{self.label}: epoch {epoch}/{total}  {info}  ({spent:.0f} s, ~{left:.0f} s left)",
                      highlight=False, soft_wrap=True)


def refuse_existing(*paths: str | Path | None, force: bool) -> None:
    """The one overwrite policy of every command: an existing output is refused unless ``--force``.

    Checked before any work starts; the error names the file and the flag.
    """
    if force:
        return
    for p in paths:
        if p is not None and Path(p).exists():
            raise click.ClickException(f"{p} exists (use --force to overwrite)")


FORCE_HELP = "Overwrite existing outputs."

# Upper bounds of rate and size options: far above any real recording, low enough that a typo cannot make
# a command allocate the machine away or run for hours (`correlate --fps 100000` did).
MAX_FPS = 1000.0
MAX_SIDE = 16384
MAX_WORKERS = 256
