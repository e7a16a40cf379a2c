"""``signfuse correlate``: prosody versus gesture (lagged correlation, DTW, beat alignment)."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import FORCE_HELP, MAX_FPS, console, existing_file, refuse_existing


def p_floor_note(report: dict) -> str | None:
    """When every pair's p-value sits at the smallest value its circular shifts allow, say why.

    With N shifts the p-value is at least 1/(N+1): a clip of n frames allows at most n-1 shifts, so a
    short clip cannot show a smaller p however strong the coupling.
    """
    pairs = [p for p in report.get("pairs", []) if p.get("n_shifts")]
    if not pairs:
        return None
    floors = [1.0 / (1 + int(p["n_shifts"])) for p in pairs]
    if not all(abs(p["p_value"] - f) <= 1e-12 * max(1.0, f) for p, f in zip(pairs, floors)):
        return None
    n = max(int(p["n_shifts"]) for p in pairs)
    frames = report.get("n_frames")
    clip = f"a clip of {frames} frames" if frames else "this clip"
    more = (" (more --n-perm shifts, up to the number of frames, lower it)" if frames and n < int(frames) - 1
            else "; only a longer clip lowers it")
    return (f"note: every p-value is {min(floors):.3g}, the smallest that {n} circular shifts of {clip} "
            f"allow (p >= 1/(shifts+1)){more}")


@click.command()
@click.argument("landmarks", callback=existing_file)
@click.argument("audio_path", metavar="[AUDIO]", required=False, callback=existing_file)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Report folder (report.json, xcorr.png, overlay.png).")
@click.option("--fps", type=click.FloatRange(0, MAX_FPS, min_open=True), default=None,
              help="Frame rate of a Kaggle parquet landmark file; also the common analysis rate.")
@click.option("--max-lag", "max_lag_s", type=click.FloatRange(0, 60, min_open=True), default=1.0, show_default=True, help="Largest lag (s).")
@click.option("--n-perm", type=click.IntRange(1, 100_000), default=None, help="Circular shifts for the p-value (default: all).")
@click.option("--sigma", type=click.FloatRange(0, 10, min_open=True), default=0.1, show_default=True, help="Beat alignment tolerance (s).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--force", is_flag=True, help=FORCE_HELP)
def correlate(landmarks: Path, audio_path: Path | None, out_dir: Path, fps: float | None, max_lag_s: float,
              n_perm: int | None, sigma: float, seed: int, force: bool) -> None:
    """Correlate the voice in AUDIO with the movement in LANDMARKS.

    LANDMARKS is a landmark file (.pose, .parquet, .npz) and AUDIO any audio file; or give only a video
    with a soundtrack: landmarks are extracted with MediaPipe and the audio is read from the video.
    Positive lags mean the voice follows the gesture.
    """
    from .. import audio, crossmodal, io

    refuse_existing(out_dir / "report.json", force=force)

    if audio_path is None:
        from ..io.media import VIDEO_EXTENSIONS
        if landmarks.suffix.lower() not in VIDEO_EXTENSIONS:
            raise click.UsageError(f"{landmarks} is not a video, so it has no sound: give an AUDIO file too "
                                   f"(signfuse correlate {landmarks.name} VOICE.wav --out ...)")
        from .. import vision
        with console.status(f"extracting landmarks from {landmarks.name}"):
            seq = vision.extract(landmarks)
        y, sr = audio.load(landmarks)
    else:
        seq = io.read(landmarks, fps=fps)
        y, sr = audio.load(audio_path)
    with console.status("correlating"):
        report = crossmodal.correlate(seq, y, sr=sr, fps=fps, max_lag_s=max_lag_s, n_perm=n_perm, sigma=sigma,
                                      seed=seed, out_dir=out_dir)
    from rich.table import Table
    table = Table(title=f"prosody vs gesture ({report['duration_s']:.1f} s at {report['fps']:g} fps)")
    for col in ("audio", "motion", "r", "lag (s)", "p"):
        table.add_column(col)
    for p in report["pairs"]:
        table.add_row(p["audio"], p["motion"], f"{p['r']:+.3f}", f"{p['lag_s']:+.3f}",
                      f"{p['p_value']:.3g}" + (" *" if p["significant"] else ""))
    from rich.console import Console
    Console().print(table)  # the result goes to stdout; notes and file names stay on stderr
    note = p_floor_note(report)
    if note:
        console.print(note, highlight=False)
    if "beats" in report and report["beats"]["score"] is not None:
        b = report["beats"]
        console.print(f"beat alignment {b['score']:.3f} (chance {b['chance']}), sigma {b['sigma_s']} s")
    console.print(f"report: {out_dir / 'report.json'}")
