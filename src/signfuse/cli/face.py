"""``signfuse face INPUT --out face.csv``: head pose, action units and non-manual events per frame."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ._common import FORCE_HELP, MAX_FPS, console, existing_file, existing_input, refuse_existing

LANDMARK_SUFFIXES = (".pose", ".parquet", ".npz")


def _load(path: Path, *, what: str, fps: float | None = None):
    """A landmark file through :mod:`signfuse.io`, or a video/image through :func:`signfuse.vision.extract`."""
    if path.suffix.lower() in LANDMARK_SUFFIXES or path.is_dir():
        from .. import io

        return io.read(path, fps=fps)
    from .. import vision

    with console.status(f"extracting landmarks from {what} {path.name} ..."):
        return vision.extract(path, refine_face=True)


def _write_csv(stream, path: Path) -> None:
    import numpy as np

    header = ["frame", "time", "face_present", *stream.names]
    from ..io import atomic_path

    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(header) + "\n")
        t = stream.time
        for i in range(stream.n_frames):
            vals = ",".join("NaN" if not np.isfinite(v) else f"{v:.6g}" for v in stream.values[i])
            fh.write(f"{i},{t[i]:.6f},{int(stream.mask[i])},{vals}\n")


def _check_face(seq, *, allow_missing: bool, path: Path) -> dict:
    """Detection rates; refuse (DataError) when the face is mostly missing, unless ``allow_missing``.

    Landmarks without a FACE component are left to :func:`signfuse.face.features`, whose error says so."""
    from ..quality import DEFAULT_MIN_RATE, detection_rates, require_detected

    if not seq.has("FACE"):
        return detection_rates(seq)
    return require_detected(
        seq, ["face"], min_rate=DEFAULT_MIN_RATE, force=allow_missing, path=path, flag="--allow-missing"
    )


@click.command("face")
@click.argument("input_path", metavar="INPUT", callback=existing_input)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV to write: one row per frame.",
)
@click.option(
    "--baseline",
    default=None,
    metavar="first|median|FILE",
    help="Per-signer neutral: the first frame, the median frame, or a landmark/video file of a neutral face.",
)
@click.option(
    "--blendshapes",
    "blend_model",
    default=None,
    callback=existing_file,
    metavar="MODEL.task",
    help="Also run MediaPipe FaceLandmarker (a face_landmarker.task file) and add its blendshape AUs "
    "(bs_AU01 ...). INPUT must then be a video or image; its mesh is used for the geometric AUs too.",
)
@click.option(
    "--plot",
    "plot_path",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save AU and head-pose curves as a PNG.",
)
@click.option(
    "--fps",
    type=click.FloatRange(0, MAX_FPS, min_open=True),
    default=None,
    help="Frame rate of a Kaggle parquet or MP_Data folder INPUT (they store none).",
)
@click.option(
    "--allow-missing",
    is_flag=True,
    help="Go on when the face was found in fewer than half of the frames (the features of the "
    "frames without a face are NaN).",
)
@click.option("--force", is_flag=True, help=FORCE_HELP)
@click.option(
    "--events",
    "events_path",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save non-manual events (brow raise/furrow, head shake/nod, blinks) as JSON.",
)
def face(
    input_path: Path,
    out: Path,
    baseline: str | None,
    blend_model: Path | None,
    plot_path: Path | None,
    fps: float | None,
    events_path: Path | None,
    allow_missing: bool,
    force: bool,
) -> None:
    """Face action units, head pose and non-manual events of INPUT (a landmark file, a video or an image).

    Columns: frame, time, face_present, pitch, yaw, roll (degrees; yaw positive when the signer turns to
    their left), AU01 ... AU45, eye_open_r/l, mouth_open, gaze_x/y (478-point meshes). Frames without a
    face have face_present 0 and NaN features. Refuses (exit status 1) when the face was found in fewer
    than half of the frames, unless --allow-missing.
    """
    from .. import face as facelib
    from ..errors import ParameterError
    from ..quality import format_rates
    from ..streams import concat_streams

    for p in (out, plot_path, events_path):
        if p is not None and not p.parent.exists():
            raise click.BadParameter(f"{p.parent}: no such folder", param_hint="output path")
    base = baseline
    bpath = None
    if baseline is not None and baseline not in ("first", "median"):
        bpath = Path(baseline)
        if not bpath.is_file():
            raise click.BadParameter(
                f"{baseline!r} is neither 'first', 'median' nor an existing file", param_hint="--baseline"
            )
    refuse_existing(out, plot_path, events_path, force=force)
    if bpath is not None:
        base = _load(bpath, what="baseline", fps=fps)
    if blend_model is not None:
        from ..face.blendshapes import blendshape_aus, read_frames, run_face_landmarker

        if input_path.suffix.lower() in LANDMARK_SUFFIXES:
            raise ParameterError(
                "--blendshapes needs a video or image INPUT (FaceLandmarker runs on pixels), "
                f"not a landmark file ({input_path.name})"
            )
        frames, fps, is_video = read_frames(input_path)
        with console.status(f"FaceLandmarker on {len(frames)} frame(s) ..."):
            seq, blend = run_face_landmarker(frames, model=blend_model, fps=fps, video=is_video)
        rates = _check_face(seq, allow_missing=allow_missing, path=input_path)
        geo = facelib.features(seq, baseline=base)
        stream = concat_streams([geo, blendshape_aus(blend)], "au")
        stream = stream.replace(names=tuple(n.split(".", 1)[1] for n in stream.names), mask=geo.mask)
    else:
        seq = _load(input_path, what="video", fps=fps)
        rates = _check_face(seq, allow_missing=allow_missing, path=input_path)
        stream = facelib.features(seq, baseline=base)
    evs = facelib.events(stream)
    _write_csv(stream, out)
    if events_path is not None:
        from ..io import atomic_path

        with atomic_path(events_path) as tmp:
            tmp.write_text(json.dumps(evs, indent=1))
    if plot_path is not None:
        from .. import viz

        fig = viz.face_features(stream, events=evs, title=input_path.name)
        from ..io import save_figure

        save_figure(fig, plot_path, dpi=100)
    n_face = int(stream.mask.sum())
    kinds = {}
    for e in evs:
        kinds[e["type"]] = kinds.get(e["type"], 0) + 1
    console.print(f"detection: {format_rates(rates, ['face', 'pose', 'hands'])} of {rates['frames']} frames")
    console.print(
        f"{out}: {stream.n_frames} frames, face in {n_face}; events: "
        + (", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) or "none")
    )
