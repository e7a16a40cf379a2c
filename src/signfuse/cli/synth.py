"""``signfuse synth OUT_DIR``: generate the embedded synthetic signing corpus."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ._common import ProgressCallback, console


@click.command("synth")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--signs", default=40, show_default=True, type=click.IntRange(2, 1000), help="Vocabulary size.")
@click.option("--signers", default=8, show_default=True, type=click.IntRange(1, 100), help="Number of signers.")
@click.option("--sentences", default=200, show_default=True, type=click.IntRange(0, 100_000),
              help="Continuous sentences (2-6 signs each).")
@click.option("--samples-per-sign", "samples", default=2, show_default=True, type=click.IntRange(0, 100),
              help="Isolated samples per sign and signer.")
@click.option("--lag", "lag_s", default=0.12, show_default=True, type=click.FloatRange(0.0, 1.0, max_open=True),
              help="Seconds by which the voice's F0 contour and energy follow the hand speed.")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed (same seed, same files).")
@click.option("--force", is_flag=True, help="Write into a non-empty OUT_DIR, first removing the files and folders "
              "a corpus consists of (an older corpus's samples would otherwise stay beside the new index).")
def synth(out_dir: Path, signs: int, signers: int, sentences: int, samples: int, lag_s: float, seed: int,
          force: bool) -> None:
    """Generate the synthetic corpus into OUT_DIR (Kaggle ASL Signs + PHOENIX-2014T-style files, audio,
    metadata.jsonl, corpus.json)."""
    from ..datasets.synthetic import generate_corpus, read_corpus_info

    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not force:
            raise click.ClickException(f"{out_dir} is not empty (use --force to replace the corpus in it)")
        _clear_corpus(out_dir)

    with ProgressCallback("synthesizing") as progress:
        generate_corpus(out_dir, signs=signs, signers=signers, sentences=sentences, seed=seed,
                        samples_per_sign_per_signer=samples, lag_s=lag_s, progress=progress)
    info = read_corpus_info(out_dir)
    console.print(f"[green]wrote[/green] {out_dir}: {info['counts']['isolated']} isolated, "
                  f"{info['counts']['continuous']} continuous samples, {len(info['minimal_pairs'])} minimal pairs")
    click.echo(json.dumps({"out_dir": str(out_dir), **info["counts"], "lag_s": info["lag_s"]}))


# what generate_corpus writes at the top of its folder; --force removes these and nothing else
CORPUS_PARTS = ("isolated", "continuous", "audio", "metadata.jsonl", "corpus.json")


def _clear_corpus(out_dir: Path) -> None:
    import shutil

    from ..errors import DataError

    for name in CORPUS_PARTS:
        p = out_dir / name
        try:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            elif p.exists() or p.is_symlink():
                p.unlink()
        except OSError as e:
            raise DataError(f"cannot remove the old corpus: {e.strerror or e}", path=p) from None
    console.print(f"removed the old corpus files in {out_dir}")
