"""``signfuse demo``."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import console

#: the demo's stages in order (listed here so that --help imports nothing; a test keeps it equal to
#: signfuse.demo.STAGES)
DEMO_STAGES = ("corpus", "face", "audio_motion", "recognition", "audio_to_gesture", "emotion")


@click.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("signfuse-demo"),
              show_default=True, help="Output folder.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--quick", is_flag=True, help="Smaller corpus and shorter training (for tests).")
@click.option("--stage", "stages", multiple=True, type=click.Choice(DEMO_STAGES),
              help=f"Run only this stage (repeatable): {', '.join(DEMO_STAGES)}.  [default: all]")
def demo(out_dir: Path, seed: int, quick: bool, stages: tuple[str, ...]) -> None:
    """Run the whole pipeline on the embedded synthetic corpus and write report.html."""
    from ..demo import run_demo

    with console.status("running demo") as status:
        report = run_demo(out_dir, seed=seed, quick=quick, stages=list(stages) or None,
                          progress=lambda m: status.update(m))
    failed = []
    for name, st in report["stages"].items():
        colour = {"ok": "green", "failed": "red"}.get(st["status"], "yellow")
        extra = f" ({st['seconds']} s)" if "seconds" in st else ""
        console.print(f"[{colour}]{st['status']:>11}[/] {name}{extra}" + (f": {st['error']}" if "error" in st else ""))
        if st["status"] == "failed":
            failed.append(name)
    console.print(f"report: {(out_dir / 'report.html').resolve()}")
    if failed:
        raise click.ClickException(f"demo stages failed: {', '.join(failed)}")
