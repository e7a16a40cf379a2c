"""``signfuse demo``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import console

# the stage names, spelled out here so that ``--help`` needs no import of the demo package
STAGE_NAMES = (
    "corpus",
    "face",
    "audio_motion",
    "recognition",
    "ablation",
    "adaptation",
    "continuous",
    "audio_to_gesture",
    "emotion",
    "translation",
)
DEMO_STAGES = STAGE_NAMES


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("signfuse-demo"),
    show_default=True,
    help="Output folder (report.html, report.json and one folder per stage).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the corpus and of every model.")
@click.option(
    "--quick",
    is_flag=True,
    help="Tiny corpus and a few epochs: checks the pipeline in about 20 s; its numbers mean nothing.",
)
@click.option(
    "--stage",
    "stages",
    multiple=True,
    type=click.Choice(STAGE_NAMES),
    help=f"Run only this stage (repeatable): {', '.join(STAGE_NAMES)}. In a folder with an earlier run, its corpus is reused and "
    "the other stages' results stay in the report.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 16),
    default=None,
    help="Processes that run the stages after the corpus side by side (each single-threaded). "
    "Default: 2 when the machine has 2 or more CPUs, else 1.",
)
def demo(out_dir: Path, seed: int, quick: bool, stages: tuple[str, ...], workers: int | None) -> None:
    """Run the whole pipeline on the embedded synthetic corpus and write report.html.

    Ten stages: corpus, face, audio_motion, recognition, then ablation, adaptation and continuous
    (after recognition), audio_to_gesture, emotion, and translation (after continuous and ablation).
    About 9 minutes of CPU; with the default 2 workers about 5 minutes on 2 idle cores. The report is
    rewritten after every stage, so a stopped run leaves the finished stages readable.
    """
    import os

    from ..demo import run_demo

    workers = workers or (2 if (os.cpu_count() or 1) >= 2 else 1)

    if console.is_terminal:
        with console.status("starting the demo") as status:
            report = run_demo(
                out_dir,
                seed=seed,
                quick=quick,
                stages=list(stages) or None,
                workers=workers,
                progress=lambda p: status.update(str(p)),
            )
    else:  # a log file or CI: one line per stage message

        def line(p) -> None:
            print(p, file=sys.stderr, flush=True)

        report = run_demo(out_dir, seed=seed, quick=quick, stages=list(stages) or None, workers=workers, progress=line)
    failed = []
    for name, st in report["stages"].items():
        colour = {"ok": "green", "failed": "red"}.get(st["status"], "yellow")
        extra = f" ({st['seconds']:.1f} s, {st['cpu_seconds']:.1f} s CPU)" if "cpu_seconds" in st else ""
        extra += " (earlier run)" if st.get("earlier_run") else ""
        console.print(f"[{colour}]{st['status']:>8}[/] {name}{extra}" + (f": {st['error']}" if "error" in st else ""))
        if st["status"] == "failed":
            failed.append(name)
    console.print(
        f"{report['seconds']:.0f} s in all ({report['cpu_seconds']:.0f} s CPU); "
        f"report: {(out_dir / 'report.html').resolve()}"
    )
    if failed:
        raise click.ClickException(f"demo stages failed: {', '.join(failed)}")
