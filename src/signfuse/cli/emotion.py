"""``signfuse emotion train|eval|predict``: tri-modal emotion / intensity recognition."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ._common import FORCE_HELP, ProgressCallback, console, existing_file, refuse_existing


@click.group("emotion")
def emotion() -> None:
    """Emotion or movement intensity from gesture kinematics, face and voice prosody."""


def _samples(data: Path, target: str, limit: int | None, seed: int, streams=("gesture", "face", "voice")):
    from ..samples.emotion import samples_from_data

    with ProgressCallback("reading samples") as progress:
        return samples_from_data(
            data, target=target, limit_per_split=limit, seed=seed, streams=streams, progress=progress
        )


@emotion.command("train")
@click.option(
    "--data",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A corpus folder with emotion/intensity labels (e.g. from `signfuse synth`).",
)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--target", default="emotion", show_default=True, type=click.Choice(["emotion", "intensity"]))
@click.option(
    "--streams",
    default="gesture,face,voice",
    show_default=True,
    help="Comma-separated streams: gesture, face, voice or any stream builder (e.g. hand_flexion).",
)
@click.option("--fusions", default="early,late,cross", show_default=True, help="Comma-separated fusions.")
@click.option("--epochs", default=25, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--limit", default=None, type=click.IntRange(min=1), help="At most this many samples per split.")
@click.option(
    "--accelerator",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", "cpu", "gpu", "cuda", "mps"]),
    help="Where to train (auto: a GPU if any).",
)
@click.option("--force", is_flag=True, help=FORCE_HELP)
def train(
    data: Path,
    out_dir: Path,
    target: str,
    streams: str,
    fusions: str,
    epochs: int,
    seed: int,
    limit: int | None,
    accelerator: str,
    force: bool,
) -> None:
    """Train every single stream and every fusion with one seed; print the table."""
    refuse_existing(out_dir / "emotion_table.json", force=force)
    from ..train.emotion import run_experiment

    names = [s.strip() for s in streams.split(",") if s.strip()]
    from ..samples.emotion import known_streams

    bad = [s for s in names if s not in known_streams()]
    if bad:
        raise click.BadParameter(
            f"unknown stream(s) {bad}; known: {', '.join(known_streams())}", param_hint="--streams"
        )
    samples = _samples(data, target, limit, seed, names)
    fus = [f.strip() for f in fusions.split(",") if f.strip()]
    with ProgressCallback("training single-stream and fusion models") as progress:
        table = run_experiment(
            samples,
            out_dir,
            epochs=epochs,
            seed=seed,
            target=target,
            streams=names,
            fusions=fus,
            accelerator=accelerator,
            progress=progress,
        )
    _print(table)
    console.print(f"table: {out_dir / 'emotion_table.json'}")


@emotion.command("eval")
@click.argument("ckpt", callback=existing_file)
@click.option("--data", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--split", default="test", show_default=True, type=click.Choice(["train", "val", "test"]))
def eval_cmd(ckpt: Path, data: Path, split: str) -> None:
    """Accuracy and macro-F1 of a checkpoint, and with each modality zeroed or dropped."""
    from ..inference.emotion import load_emotion
    from ..train.emotion import evaluate

    model, ck = load_emotion(ckpt)
    samples = [s for s in _samples(data, ck["target"], None, 0, list(model.streams)) if s.split == split]
    if not samples:
        raise click.ClickException(f"{data}: the {split!r} split is empty")
    res = {"all": evaluate(model, samples, ck["classes"])}
    for st in model.streams:
        for how in ("zeroed", "dropped"):
            res[f"{st}_{how}"] = evaluate(model, samples, ck["classes"], missing={st: how})
    click.echo(json.dumps(res, indent=2))


@emotion.command("predict")
@click.argument("ckpt", callback=existing_file)
@click.argument("landmarks", callback=existing_file)
@click.option("--audio", default=None, callback=existing_file, help="The clip's audio (for models that use voice).")
@click.option("--fps", default=None, type=float, help="Frame rate, for Kaggle parquet files only.")
@click.option(
    "--force", is_flag=True, help="Answer even when the hands or face the model needs were mostly not detected."
)
def predict(ckpt: Path, landmarks: Path, audio: Path | None, fps: float | None, force: bool) -> None:
    """Class probabilities for one clip."""
    from ..inference.emotion import predict_file

    click.echo(json.dumps(predict_file(ckpt, landmarks, audio=audio, fps=fps, force=force), indent=2))


def _print(table: dict) -> None:
    from rich.table import Table

    t = Table(
        title=f"{table['target']} on held-out signers ({table['n_test']} samples, {len(table['classes'])} classes)"
    )
    for c in ("model", "accuracy ↑", "macro-F1 ↑"):
        t.add_column(c)
    for name, r in table["rows"].items():
        t.add_row(name, f"{r['accuracy']:.3f}", f"{r['macro_f1']:.3f}")
    if table.get("classes"):
        # a uniform guess is right 1/K of the time whatever the class balance
        t.add_row("chance (uniform guess)", f"{1 / len(table['classes']):.3f}", "-")
    console.print(t)
