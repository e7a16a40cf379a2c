"""``signfuse a2g train|eval|predict``: audio-to-gesture models."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ._common import FORCE_HELP, EpochProgress, ProgressCallback, console, existing_file, refuse_existing


@click.group("a2g")
def a2g() -> None:
    """Predict gesture (hand envelopes and upper-body/hand landmarks) from speech prosody."""


def _load(data: Path, limit: int | None):
    from ..train.a2g import clips_from_data

    with ProgressCallback("reading clips") as progress:
        clips = clips_from_data(data, limit=limit, progress=progress)
    if not clips:
        raise click.ClickException(f"{data}: no usable clips")
    return clips


@a2g.command("train")
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A synthetic corpus folder, a 'signfuse extract' output folder (audio from the source videos), "
    "or landmark files beside their videos.",
)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Run folder.")
@click.option("--model", default="a2g_gru", show_default=True, type=click.Choice(["a2g_gru", "a2g_transformer"]))
@click.option("--epochs", default=25, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--limit", default=None, type=click.IntRange(min=1), help="Use at most this many clips.")
@click.option(
    "--accelerator",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", "cpu", "gpu", "cuda", "mps"]),
    help="Where to train (auto: a GPU if any).",
)
@click.option("--resume", is_flag=True, help="Continue the run in --out from its checkpoints/last.ckpt.")
@click.option("--force", is_flag=True, help="Overwrite a run folder that already holds checkpoints.")
def train(
    data: Path,
    out_dir: Path,
    model: str,
    epochs: int,
    seed: int,
    limit: int | None,
    accelerator: str,
    resume: bool,
    force: bool,
) -> None:
    """Train on paired audio + landmarks; evaluate on the test split against the baselines."""
    from ..inference.a2g import load_a2g
    from ..train.a2g import evaluate_clips, train_a2g
    from ..train.trainer import epoch_callback

    clips = _load(data, limit)
    with EpochProgress(f"training {model}") as progress:
        ckpt = train_a2g(
            clips,
            out_dir,
            model=model,
            epochs=epochs,
            seed=seed,
            accelerator=accelerator,
            resume=resume,
            overwrite=force,
            callbacks=[epoch_callback(progress)],
        )
    net, ae, _ = load_a2g(ckpt)
    train_clips = [c for c in clips if c.split == "train"]
    test = [c for c in clips if c.split == "test"] or [c for c in clips if c.split == "val"]
    if test:
        table = evaluate_clips(net, ae, test, train_clips, seed=seed)
        from ..io import atomic_path

        with atomic_path(out_dir / "metrics.json") as tmp:
            tmp.write_text(json.dumps(table, indent=2))
        _print_table(table)
    console.print(f"checkpoint: {ckpt}")


@a2g.command("eval")
@click.argument("ckpt", callback=existing_file)
@click.option("--data", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--split", default="test", show_default=True, type=click.Choice(["train", "val", "test"]))
@click.option("--out", "out", default=None, type=click.Path(dir_okay=False, path_type=Path), help="metrics.json path.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--force", is_flag=True, help=FORCE_HELP)
def eval_cmd(ckpt: Path, data: Path, split: str, out: Path | None, seed: int, force: bool) -> None:
    """Metrics of a checkpoint and of the mean-pose and random-segment baselines."""
    refuse_existing(out, force=force)
    from ..inference.a2g import load_a2g
    from ..train.a2g import evaluate_clips

    net, ae, _ = load_a2g(ckpt)
    clips = _load(data, None)
    chosen = [c for c in clips if c.split == split]
    if not chosen:
        raise click.ClickException(f"{data}: the {split!r} split is empty")
    table = evaluate_clips(net, ae, chosen, [c for c in clips if c.split == "train"] or chosen, seed=seed)
    _print_table(table)
    if out:
        from ..io import atomic_path

        with atomic_path(out) as tmp:
            tmp.write_text(json.dumps(table, indent=2))
    click.echo(json.dumps(table))


@a2g.command("predict")
@click.argument("ckpt", callback=existing_file)
@click.argument("audio", callback=existing_file)
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="pred.pose (or .npz/.parquet)"
)
@click.option(
    "--render",
    "render",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the predicted skeleton to this mp4, with the input audio muxed in.",
)
@click.option(
    "--envelope",
    "envelope",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the predicted hand envelopes (parquet).",
)
@click.option("--force", is_flag=True, help=FORCE_HELP)
def predict(ckpt: Path, audio: Path, out: Path, render: Path | None, envelope: Path | None, force: bool) -> None:
    """Predict gesture for AUDIO (an audio file or a video's soundtrack)."""
    refuse_existing(out, render, envelope, force=force)
    from ..inference.a2g import predict_audio

    with console.status("predicting"):
        written = predict_audio(ckpt, audio, out=out, render=render, envelope_out=envelope)
    click.echo(json.dumps(written))


#: which direction is better for each audio-to-gesture metric
A2G_BETTER = {
    "l1": "↓",
    "pck_0.1": "↑",
    "pck_0.2": "↑",
    "env_corr": "↑",
    "beat_align": "↑",
    "speed_ratio": "→1",
    "speed_hellinger": "↓",
    "fgd": "↓",
}


def _print_table(table: dict) -> None:
    from rich.table import Table

    cols = ["l1", "pck_0.1", "pck_0.2", "env_corr", "beat_align", "speed_ratio", "speed_hellinger", "fgd"]
    t = Table(
        title="audio to gesture (test split)",
        caption="↑ higher is better, ↓ lower is better, →1 closest to 1; mean_pose and random_segment "
        "are the chance baselines",
    )
    t.add_column("method")
    for c in cols:
        t.add_column(f"{c} {A2G_BETTER[c]}", justify="right")
    for name in ("model", "mean_pose", "random_segment"):
        t.add_row(name, *[f"{table[name].get(c, float('nan')):.3f}" for c in cols])
    console.print(t)
