"""``signfuse annotate ROOT`` (the web tool) and ``signfuse annotations export|import`` (JSON <-> ELAN)."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import console, existing_file


@click.command("annotate")
@click.argument("root", type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (keep 127.0.0.1 unless needed).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
@click.option("--glosses", type=click.Path(path_type=Path), default=None, callback=existing_file,
              help="Gloss list (one per line, or a JSON list): the gloss tiers' controlled vocabulary "
                   "[default: ROOT/glosses.txt or ROOT/glosses.json when present].")
@click.option("--prepare", is_flag=True,
              help="First compute the missing landmark, face, events, motion and audio files of every video "
                   "(resumable: files that exist are kept).")
@click.option("--no-serve", is_flag=True, help="Do not start the server (with --prepare: prepare and exit).")
def annotate(root: Path, host: str, port: int, glosses: Path | None, prepare: bool, no_serve: bool) -> None:
    """Annotate the videos under ROOT in the browser (glosses, non-manuals, action units, sound).

    With --prepare, the files the page shows beside each video (clip.pose, clip.face.parquet,
    clip.events.json, clip.motion.parquet, clip.audio.parquet) are computed first where missing.
    """
    from ..annotate.store import iter_videos, read_gloss_list

    if not root.exists():
        raise click.BadParameter(f"{root}: no such folder", param_hint="ROOT")
    if not root.is_dir():
        raise click.BadParameter(f"{root}: is a file, expected a folder of videos", param_hint="ROOT")
    n = sum(1 for _ in iter_videos(root, limit=100_000))
    if n == 0:
        raise click.ClickException(f"{root} holds no videos (looked for .mp4, .webm, .mov, .mkv, .m4v, .ogv, .avi "
                                   f"in it and its sub-folders)")
    if prepare:
        _prepare(root)
    if no_serve:
        return
    if glosses is None:  # a gloss list kept in ROOT is picked up by name
        glosses = next((root / n for n in ("glosses.txt", "glosses.json") if (root / n).is_file()), None)
    vocab = read_gloss_list(glosses) if glosses else None
    if vocab is not None:
        console.print(f"gloss vocabulary: {len(vocab)} entries from {glosses}")
    from ..annotate.server import serve

    console.print(f"signfuse annotate: {n} video(s) under {root}")
    console.print(f"open [bold]http://{'[' + host + ']' if ':' in host else host}:{port}/[/bold]  (Ctrl+C to stop)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print("[yellow]warning: the server is reachable from other machines; it has no login[/yellow]")
    serve(root, host=host, port=port, gloss_vocabulary=vocab)


def _prepare(root: Path) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from ..annotate.prepare import prepare

    # the bar moves in units of work (extraction weighs most), so it shows no count, only times
    bar = Progress(TextColumn("preparing"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                   TimeRemainingColumn(), TextColumn("{task.fields[info]}"), console=console)
    with bar:
        task = bar.add_task("preparing", total=None, info="")

        def progress(done: float, total: float, text: str) -> None:
            bar.update(task, completed=done if total else 1, total=total or 1, info=text)

        rep = prepare(root, progress=progress)
    console.print(f"prepared {rep.videos} video(s) in {rep.seconds:.1f} s: {len(rep.written)} file(s) written, "
                  f"{rep.up_to_date} already complete")
    for line in rep.skipped:
        console.print(f"  skipped {line}")
    for line in rep.failed:
        console.print(f"  [red]failed[/red] {line}")


@click.group("annotations")
def annotations() -> None:
    """Convert annotation files between signfuse JSON and ELAN .eaf 3.0."""


def _check_dst(dst: Path, force: bool) -> None:
    """The overwrite policy of every signfuse writer (as ``convert``): refuse an existing DST without --force."""
    if dst.is_dir():
        raise click.BadParameter(f"{dst}: is a folder; give a file name", param_hint="DST")
    if dst.exists() and not force:
        raise click.ClickException(f"{dst} exists (use --force to overwrite)")
    if not dst.parent.exists():
        raise click.BadParameter(f"{dst.parent}: no such folder", param_hint="DST")


@annotations.command("export")
@click.argument("src", type=click.Path(path_type=Path), callback=existing_file)
@click.argument("dst", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite DST if it exists.")
def export_cmd(src: Path, dst: Path, force: bool) -> None:
    """Export SRC (signfuse .annotations.json) to DST (.eaf or .json)."""
    from ..annotate import export_eaf, load_document, save_document

    if dst.suffix.lower() not in (".eaf", ".json"):
        raise click.BadParameter(f"{dst}: give a .eaf or .json file name", param_hint="DST")
    _check_dst(dst, force)
    doc = load_document(src)
    try:
        if dst.suffix.lower() == ".eaf":
            export_eaf(doc, dst, media_base=src.parent)
        else:
            save_document(doc, dst)
    except OSError as e:
        raise click.ClickException(f"{dst}: could not write ({e.strerror or e})") from None
    console.print(f"wrote {dst} ({len(doc.tiers)} tiers, {doc.n_annotations} annotations)")


@annotations.command("import")
@click.argument("src", type=click.Path(path_type=Path), callback=existing_file)
@click.argument("dst", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite DST if it exists.")
def import_cmd(src: Path, dst: Path, force: bool) -> None:
    """Import SRC (ELAN .eaf) as DST (signfuse .annotations.json)."""
    from ..annotate import import_eaf, save_document

    if src.suffix.lower() != ".eaf":
        raise click.BadParameter(f"{src}: expected an ELAN .eaf file", param_hint="SRC")
    if dst.suffix.lower() != ".json":
        raise click.BadParameter(f"{dst}: give a .json file name", param_hint="DST")
    _check_dst(dst, force)
    doc = import_eaf(src)
    try:
        save_document(doc, dst)
    except OSError as e:
        raise click.ClickException(f"{dst}: could not write ({e.strerror or e})") from None
    console.print(f"wrote {dst} ({len(doc.tiers)} tiers, {doc.n_annotations} annotations)")
