"""``signfuse annotate ROOT --prepare``: compute the sidecar files the annotation page shows.

For every video under ROOT, each file that is missing is computed with the library function that
owns it, and written (atomically) under the name :mod:`signfuse.annotate.store` looks for:

==============  ========================  =============================================================
step            file                      computed by
==============  ========================  =============================================================
``landmarks``   ``clip.pose``             :func:`signfuse.vision.extract` (MediaPipe Holistic, iris)
``face``        ``clip.face.parquet``     :func:`signfuse.face.features` of the landmarks
``events``      ``clip.events.json``      :func:`signfuse.face.events` of the face Stream
``motion``      ``clip.motion.parquet``   :func:`signfuse.motion.features` of the landmarks
``audio``       ``clip.audio.parquet``    :func:`signfuse.audio.analyze_file` of the soundtrack
==============  ========================  =============================================================

It resumes: a file that exists (by any of the names the page accepts) is not computed again, so a
stopped run continues where it stopped, and a second run does nothing. A video that fails (an
unreadable file, no face, no soundtrack) is recorded in the report and the run goes on.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from ..errors import DataError, SignfuseError
from .store import SIDECARS, check_inside, iter_videos, probe_video

__all__ = ["STEPS", "PrepareReport", "missing_steps", "prepare", "prepare_video"]

log = logging.getLogger(__name__)

STEPS = ("landmarks", "face", "events", "motion", "audio")
# the relative cost of each step (for the progress bar): extraction dominates
_COST = {"landmarks": 20, "face": 1, "events": 1, "motion": 1, "audio": 2}


def _target(video: Path, step: str) -> Path:
    return {"landmarks": video.with_suffix(".pose"), "face": video.with_name(video.stem + ".face.parquet"),
            "events": video.with_name(video.stem + ".events.json"),
            "motion": video.with_name(video.stem + ".motion.parquet"),
            "audio": video.with_name(video.stem + ".audio.parquet")}[step]


def missing_steps(video: Path, *, root: str | PathLike[str] | None = None) -> list[str]:
    """The steps whose file is not beside ``video`` yet (in computing order)."""
    out = []
    for step in STEPS:
        if SIDECARS[step](video, root=root) is None:
            out.append(step)
    return out


@dataclass
class PrepareReport:
    """What :func:`prepare` did: files written, steps skipped (with why) and failures, per video."""

    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    up_to_date: int = 0
    videos: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"videos": self.videos, "up_to_date": self.up_to_date, "written": self.written,
                "skipped": self.skipped, "failed": self.failed, "seconds": round(self.seconds, 2)}


def prepare_video(video: Path, *, root: str | PathLike[str], steps: list[str] | None = None,
                  on_step: Callable[[str], None] | None = None,
                  on_frames: Callable[[int], None] | None = None) -> dict[str, str]:
    """Compute the missing sidecar files of one video; returns ``{step: "written" | reason}``.

    ``on_step(step)`` is called before each step, ``on_frames(n)`` during landmark extraction.

    A step that cannot run says why (``"no soundtrack"``, ``"no landmarks"``, a data error) instead
    of raising; only programming errors propagate.
    """
    from .. import io as sio

    root_p = Path(root)
    todo = missing_steps(video, root=root_p) if steps is None else list(steps)
    status: dict[str, str] = {}
    seq = None
    face_stream = None

    def landmarks():
        nonlocal seq
        if seq is None:
            lm = SIDECARS["landmarks"](video, root=root_p)
            if lm is not None:
                fps = probe_video(video).get("fps") if lm.suffix == ".parquet" else None
                seq = sio.read(lm, fps=fps) if fps else sio.read(lm)
        return seq

    for step in STEPS:
        if step not in todo:
            continue
        if on_step is not None:
            on_step(step)
        out = _target(video, step)
        check_inside(out.parent, root_p)
        try:
            if step == "landmarks":
                from .. import vision

                seq = vision.extract(video, refine_face=True, progress=on_frames)
                sio.write(seq, out)
            elif step == "audio":
                from ..audio.features import analyze_file

                if not _has_audio(video):
                    status[step] = "no soundtrack"
                    continue
                feats, _, _, _ = analyze_file(video)
                sio.write_stream(feats, out)
            else:
                s = landmarks()
                if s is None:
                    status[step] = "no landmarks"
                    continue
                if step in ("face", "events"):
                    if face_stream is None:
                        from .. import face

                        ff = SIDECARS["face"](video, root=root_p)
                        face_stream = (_read_face(ff) if ff is not None and step == "events"
                                       else face.features(s))
                    if step == "face":
                        sio.write_stream(face_stream, out)
                    else:
                        from .. import face

                        evs = face.events(face_stream)
                        with sio.atomic_path(out) as tmp:
                            tmp.write_text(json.dumps(evs, indent=1), encoding="utf-8")
                elif step == "motion":
                    from .. import motion

                    sio.write_stream(motion.features(s), out)
            status[step] = "written"
        except (SignfuseError, ValueError) as e:
            status[step] = f"failed: {getattr(e, 'reason', None) or e}"
            log.warning("%s: %s failed: %s", video.name, step, e)
    return status


def _read_face(path: Path):
    from .sidecar import read_stream_file

    return read_stream_file(path, name="au", fps=None)


def _has_audio(video: Path) -> bool:
    import av

    try:
        with av.open(str(video)) as c:
            return bool(c.streams.audio)
    except Exception as e:  # noqa: BLE001 - any demuxer error: the audio step reports it
        raise DataError(f"not a readable video ({e})", path=video.name) from None


def _quiet(video: Path) -> bool:
    try:
        return not _has_audio(video)
    except DataError:
        return False


def prepare(root: str | PathLike[str], *, progress: Callable[[float, float, str], None] | None = None,
            limit: int = 100_000) -> PrepareReport:
    """Compute every missing sidecar file of every video under ``root`` (see the module doc).

    ``progress(done, total, text)`` is called before each step, in cost units (extraction counts 20,
    the others 1-2), so a bar moves in proportion to the time spent.
    """
    t0 = time.perf_counter()
    root_p = Path(root)
    rep = PrepareReport()
    plan = []
    for v in iter_videos(root_p, limit=limit):
        rep.videos += 1
        try:
            todo = missing_steps(v, root=root_p)
        except SignfuseError as e:  # a sidecar that links outside ROOT: left alone, reported
            rep.failed.append(f"{v.name}: {e}")
            continue
        if todo == ["audio"] and _quiet(v):
            todo = []  # a silent video: its audio was reported as skipped when it was first prepared
        if todo:
            plan.append((v, todo))
        else:
            rep.up_to_date += 1
    total = float(sum(_COST[s] for _, todo in plan for s in todo))
    done = [0.0]
    for v, todo in plan:
        rel = v.relative_to(root_p.resolve()).as_posix() if v.is_absolute() else v.as_posix()
        started: list[str] = []

        frames = probe_video(v).get("frames") if "landmarks" in todo and progress is not None else None

        def on_step(step: str, rel=rel, started=started) -> None:
            if progress is not None:
                progress(done[0] + sum(_COST[s] for s in started), total, f"{rel}: {step}")
            started.append(step)

        def on_frames(n: int, rel=rel, frames=frames) -> None:
            if progress is not None and frames:
                progress(done[0] + _COST["landmarks"] * min(1.0, n / frames), total,
                         f"{rel}: landmarks, frame {n}/{frames}")

        try:
            status = prepare_video(v, root=root_p, steps=todo, on_step=on_step, on_frames=on_frames)
        except SignfuseError as e:
            status = {s: f"failed: {e}" for s in todo}
        for step, st in status.items():
            name = f"{rel}: {step}"
            if st == "written":
                rep.written.append(f"{rel}: {_target(v, step).name}")
            elif st.startswith("failed"):
                rep.failed.append(f"{name} {st}")
            else:
                rep.skipped.append(f"{name} ({st})")
            done[0] += _COST[step]
    if progress is not None:
        progress(total, total, "done")
    rep.seconds = time.perf_counter() - t0
    return rep
