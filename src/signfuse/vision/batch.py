"""Batch extraction: many videos and images to landmark files, resumable, local processes or Ray.

``extract_batch(inputs, out_dir, ...)`` expands the inputs (files, folders searched recursively, dataset
indexes read with :func:`signfuse.datasets.open_index` with their frame ranges and rates; relative
paths are taken relative to the index file; an entry whose path is a folder of frames, as in PHOENIX, is
read as an image sequence; with ``frame_folders=True`` so is every folder of images given directly)
into jobs, runs
:func:`signfuse.vision.extract` on each, writes one landmark file per input with
:func:`signfuse.io.write` and keeps a manifest.

The manifest
------------
``OUT/manifest.jsonl`` holds one JSON line per input: ``key`` (path plus frame range), ``path``,
``size`` and ``mtime_ns`` of the input (of a frame folder: its frames' total size and newest mtime),
``frame_rate`` (frame folders), ``settings`` (everything that changes the output), ``status``
(``ok`` or ``failed``), ``frames``, ``seconds``, ``error`` (a one-line reason), ``warning`` and
``output`` (relative to OUT), ``model`` (the landmark model that produced the output: ``holistic`` or
``hands``; with ``--model auto`` the settings say ``auto`` and this says which one ran) and
``detection`` (:func:`signfuse.quality.detection_rates`: the share of frames with the pose, the face,
each hand, either and both hands found; ``null`` for a part the model does not produce). ``warning``
says when nobody was found, or when hands or the face were missing in most frames. Lines are appended as jobs finish (so a killed run loses at most the jobs
in flight) and the file is rewritten with one line per input at the end. A rerun skips an input whose
line says ``ok`` with the same size, mtime and settings and whose output exists; it redoes failed and
changed inputs (``overwrite=True`` redoes everything).

When the frame times are not evenly spaced (variable-frame-rate video, sampling with ``fps``), the real
timestamps are written beside the output as ``NAME.times.csv`` (``frame,time`` in seconds), since
``.pose`` stores only a frame rate.

Each output is written under a temporary name in OUT and renamed when complete, so a killed run never
leaves a half file that looks complete.

Engines
-------
``engine="local"`` runs ``workers`` processes (``spawn`` start method: MediaPipe graphs are not
fork-safe) or, for ``workers=1``, runs in the calling process. ``engine="ray"`` submits the same job
function as Ray tasks (``num_cpus=1`` each) to a local ``ray.init(num_cpus=workers)`` or to the cluster
at ``ray_address``; workers write straight into OUT, so on a cluster OUT must be on a shared
filesystem. The driver alone writes the manifest.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataError, DependencyError, ParameterError, SignfuseError
from ..io.manifest import MANIFEST_NAME, append_manifest, merge_manifest, read_manifest
from ..quality import detection_rates
from . import decode

__all__ = ["Job", "BatchSummary", "collect_jobs", "extract_batch", "MANIFEST_NAME", "FORMATS", "read_manifest"]

log = logging.getLogger(__name__)

FORMATS: dict[str, str] = {"pose": ".pose", "parquet": ".parquet"}
INDEX_EXTENSIONS = frozenset({".json", ".csv", ".corpus", ".txt", ".tsv", ".jsonl"})
_SETTINGS_VERSION = 2  # 2: the landmark model is a setting
TIMES_SUFFIX = ".times.csv"


@dataclass(frozen=True)
class Job:
    """One unit of work: an input file (with an optional frame range) and its output name."""

    key: str
    path: str
    output: str  # relative to the output folder
    start_frame: int = 0
    end_frame: int | None = None
    frame_rate: float | None = None  # a frame folder's recording rate (None for files)


@dataclass
class BatchSummary:
    """What a batch did. ``failures`` lists ``(path, reason)``; ``warnings`` lists ``(path, warning)``."""

    total: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    frames: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    manifest: str = ""

    @property
    def ok(self) -> bool:
        return self.failed == 0

    @property
    def frames_per_second(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["frames_per_second"] = round(self.frames_per_second, 2)
        return d


# --------------------------------------------------------------------------- inputs
def _safe_stem(text: str) -> str:
    keep = "".join(ch if (ch.isalnum() or ch in "-_.") else "_" for ch in text)
    return keep.strip("._") or "item"


def collect_jobs(
    inputs: Iterable[str | Path], *, format: str = "pose", frame_folders: bool = False, frame_rate: float | None = None
) -> list[Job]:
    """Expand files, folders (recursively) and dataset indexes into jobs with unique output names.

    Files in a folder keep their relative sub-folder in the output (``IN/a/x.mp4`` -> ``a/x.pose``);
    index entries are named by their id. An index entry whose path is a frame folder (PHOENIX) is one
    job at the entry's frame rate. With ``frame_folders``, every folder that directly holds images is
    one image-sequence job at ``frame_rate`` (default 25) instead of one job per image. When two inputs
    would get the same output name, both keep their extension (``x.mp4.pose``, ``x.jpg.pose``) and
    remaining clashes get ``-2``, ``-3`` ...
    """
    if format not in FORMATS:
        raise ParameterError(f"format={format!r} must be one of {sorted(FORMATS)}")
    ext = FORMATS[format]
    rate = decode.DEFAULT_FRAME_FOLDER_FPS if frame_rate is None else float(frame_rate)
    # (file, name without extension, start, end, named after the file, frame rate of a frame folder)
    items: list[tuple[Path, str, int, int | None, bool, float | None]] = []
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            seqs = (
                {d for d in [p, *(q for q in p.rglob("*") if q.is_dir())] if decode.is_frame_folder(d)}
                if frame_folders
                else set()
            )
            for d in sorted(seqs):
                name = p.name if d == p else str(d.relative_to(p))
                items.append((d, name, 0, None, False, rate))
            for f in sorted(q for q in p.rglob("*") if q.is_file()):
                if f.parent in seqs:
                    continue
                if decode.is_video(f) or decode.is_image(f):
                    items.append((f, str(f.relative_to(p).with_suffix("")), 0, None, True, None))
        elif decode.is_video(p) or decode.is_image(p):
            items.append((p, p.stem, 0, None, True, None))  # a missing or broken file fails as a job, not here
        elif not p.exists():
            raise ParameterError(f"input {p}: no such file or folder")
        elif p.suffix.lower() in INDEX_EXTENSIONS:
            items.extend((f, name, start, end, False, r) for f, name, start, end, r in _index_items(p))
        else:
            raise ParameterError(
                f"input {p}: not a video ({', '.join(sorted(decode.VIDEO_EXTENSIONS))}), "
                f"an image ({', '.join(sorted(decode.IMAGE_EXTENSIONS))}), a folder or a "
                "dataset index"
            )
    unique: dict[str, tuple[Path, str, int, int | None, bool, float | None]] = {}
    for it in items:  # the same file (and range) given twice is one job
        f, _, start, end, _, _ = it
        key = str(f.resolve()) + (f"#{start}:{'' if end is None else end}" if (start or end is not None) else "")
        unique.setdefault(key, it)
    names = [it[1] for it in unique.values()]
    clash = {n for n in names if names.count(n) > 1}
    jobs, used = [], set()
    for key, (f, name, start, end, from_file, r) in unique.items():
        if name in clash and from_file and f.suffix:
            name = f"{name}{f.suffix.lower()}"
        base, k = name, 2
        while name in used:
            name, k = f"{base}-{k}", k + 1
        used.add(name)
        jobs.append(Job(key=key, path=str(f), output=name + ext, start_frame=start, end_frame=end, frame_rate=r))
    return jobs


def _index_items(path: Path) -> list[tuple[Path, str, int, int | None, float | None]]:
    from ..datasets import open_index

    entries = open_index(path)
    out = []
    for e in entries:
        p = Path(e.path)
        if not p.is_absolute() and not p.exists():
            p = path.parent / p  # index paths without a root are relative to the index
        rate = None
        if decode.is_frame_folder(p):  # PHOENIX: a folder of PNG frames per video
            rate = float(e.fps) if e.fps else decode.DEFAULT_FRAME_FOLDER_FPS
        elif not (decode.is_video(p) or decode.is_image(p)):
            log.warning("%s: skipping entry %s (%s is not a video, an image or a folder of frames)", path, e.id, p)
            continue
        end = None if e.end_frame is None else int(e.end_frame)
        out.append((p, _safe_stem(str(e.id)), int(e.start_frame or 0), end, rate))
    if not out:
        raise ParameterError(f"input {path}: the dataset index lists no video files or frame folders")
    return out


# --------------------------------------------------------------------------- manifest
def _crashed(job: Job, settings: dict[str, Any], e: BaseException) -> dict[str, Any]:
    """The manifest record of a job whose worker process or Ray task died (the batch goes on)."""
    size, mtime = _fingerprint(job.path)
    return {
        "key": job.key,
        "path": job.path,
        "size": size,
        "mtime_ns": mtime,
        "settings": settings,
        "output": job.output,
        "status": "failed",
        "frames": 0,
        "seconds": 0.0,
        "error": _one_line(e),
        "warning": None,
        "model": None,
        "detection": None,
    }


def _fingerprint(path: str) -> tuple[int | None, int | None]:
    """``(size, mtime_ns)`` of a file; of a frame folder, the sum of its frames' sizes and the newest
    mtime among them and the folder (so adding, removing or replacing a frame changes it)."""
    try:
        if os.path.isdir(path):
            files = decode.frame_files(path)
            sts = [f.stat() for f in files]
            return sum(st.st_size for st in sts), max([os.stat(path).st_mtime_ns] + [st.st_mtime_ns for st in sts])
        st = os.stat(path)
        return st.st_size, st.st_mtime_ns
    except OSError:
        return None, None


# --------------------------------------------------------------------------- one job
def _one_line(e: BaseException) -> str:
    if isinstance(e, DataError) and e.reason:
        msg = e.reason
    else:
        msg = str(e) or type(e).__name__
        if not isinstance(e, SignfuseError):
            msg = f"{type(e).__name__}: {msg}"
    return " ".join(msg.split())[:300]


def run_job(
    job: Job, out_dir: str, settings: dict[str, Any], on_frames: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Extract one job and write its output atomically; never raises for a bad input.

    Returns the manifest record. Runs in worker processes and Ray tasks as well as in-process
    (``on_frames`` gets the frames done so far, for progress within a long video).
    """
    from .extract import NOBODY_WARNING, extract
    from .hands import model_of

    size, mtime = _fingerprint(job.path)
    rec: dict[str, Any] = {
        "key": job.key,
        "path": job.path,
        "size": size,
        "mtime_ns": mtime,
        "frame_rate": job.frame_rate,
        "settings": settings,
        "output": job.output,
        "status": "failed",
        "frames": 0,
        "seconds": 0.0,
        "error": None,
        "warning": None,
        "model": None,
        "detection": None,
    }
    t0 = time.perf_counter()
    try:
        seq = extract(
            job.path,
            refine_face=settings["refine_face"],
            max_side=settings["max_side"],
            fps=settings["fps"],
            model_complexity=settings["model_complexity"],
            start_frame=job.start_frame,
            end_frame=job.end_frame,
            progress=on_frames,
            frame_rate=job.frame_rate,
            model=settings["model"],
        )
        target = Path(out_dir) / job.output
        target.parent.mkdir(parents=True, exist_ok=True)
        model = model_of(seq)
        _write(seq, target, settings["format"], model=model)
        rates = detection_rates(seq)
        rec.update(status="ok", frames=seq.n_frames, model=model, detection=rates)
        if not (seq.confidence > 0).any():
            rec["warning"] = NOBODY_WARNING
        else:
            rec["warning"] = _detection_warning(rates)
    except Exception as e:  # one bad input never stops the batch
        rec["error"] = _one_line(e)
        log.debug("job %s failed", job.key, exc_info=True)
    rec["seconds"] = round(time.perf_counter() - t0, 4)
    return rec


def _detection_warning(rates: dict[str, Any]) -> str | None:
    """A one-line warning when the hands or the face were missing in most frames, else ``None``."""
    from ..quality import DEFAULT_MIN_RATE, format_rates

    short = [p for p in ("face", "hands") if rates.get(p) is not None and rates[p] < DEFAULT_MIN_RATE]
    if not short:
        return None
    hint = ""
    if "hands" in short and rates.get("pose"):
        hint = "; for close-ups of hands try --model hands"
    return (
        f"mostly missing: {format_rates(rates, short)} of {rates['frames']} frames "
        f"(both hands {100 * (rates.get('both_hands') or 0):.0f}%){hint}"
    )


def _write(seq, target: Path, fmt: str, *, model: str | None = None) -> None:
    """Write through the foundation's :func:`signfuse.io.write` (itself atomic: temp name + rename).

    Parquet files record the landmark ``model`` in their signfuse metadata; ``.pose`` headers have no
    free field, and their component list tells the model (:func:`signfuse.vision.hands.model_of`).
    """
    from .. import io as sio

    if fmt == "parquet":
        seq = _to_kaggle_units(seq)
        sio.write_kaggle_parquet(seq, target, metadata=None if model is None else {"model": model})
    else:
        sio.write(seq, target, format=fmt)
    times_path = target.with_name(target.stem + TIMES_SUFFIX)
    if seq.times is not None:
        # .pose has no timestamps (and Kaggle parquet only frame numbers): keep the real ones beside it
        with sio.atomic_path(times_path) as tmp:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write("frame,time\n")
                f.writelines(f"{i},{t:.6f}\n" for i, t in enumerate(seq.times))
    elif times_path.exists():
        times_path.unlink()


def _to_kaggle_units(seq):
    """Kaggle ASL Signs parquet holds normalized image coordinates (x / width, y / height, z as is)."""
    import numpy as np

    if not seq.width or not seq.height:
        return seq
    scale = np.array([seq.width, seq.height, 1.0], dtype=np.float32)
    keep = [c.name for c in seq.components if c.name != "POSE_WORLD"]
    sub = seq.select(keep)
    return sub.replace(data=sub.data / scale)


# --------------------------------------------------------------------------- the batch
def _settings(
    *,
    format: str,
    refine_face: bool,
    max_side: int | None,
    fps: float | None,
    model_complexity: int,
    model: str = "auto",
) -> dict[str, Any]:
    return {
        "format": format,
        "refine_face": bool(refine_face),
        "max_side": max_side,
        "fps": None if fps is None else float(fps),
        "model_complexity": int(model_complexity),
        "model": model,
        "version": _SETTINGS_VERSION,
    }


def _is_done(job: Job, rec: dict[str, Any] | None, settings: dict[str, Any], out_dir: Path) -> bool:
    if not rec or rec.get("status") != "ok" or rec.get("settings") != settings:
        return False
    if rec.get("frame_rate") != job.frame_rate:
        return False
    size, mtime = _fingerprint(job.path)
    if (rec.get("size"), rec.get("mtime_ns")) != (size, mtime):
        return False
    return (out_dir / rec.get("output", job.output)).exists()


def extract_batch(
    inputs: Sequence[str | Path] | Iterable[str | Path],
    out_dir: str | Path,
    *,
    format: str = "pose",
    workers: int = 1,
    engine: str = "local",
    ray_address: str | None = None,
    refine_face: bool = False,
    max_side: int | None = None,
    fps: float | None = None,
    model_complexity: int = 1,
    overwrite: bool = False,
    frame_folders: bool = False,
    frame_rate: float | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    model: str = "auto",
) -> BatchSummary:
    """Extract landmarks from many inputs into ``out_dir`` (one file each), resumably.

    Parameters
    ----------
    inputs:
        Video or image files, folders (searched recursively), frame folders and dataset index files.
    out_dir:
        Output folder (created); holds the outputs and ``manifest.jsonl``.
    format:
        ``"pose"`` (pose-format ``.pose``, pixel coordinates) or ``"parquet"`` (Kaggle ASL Signs layout,
        543 rows per frame, normalized x/y; POSE_WORLD is not part of that layout).
    workers:
        Processes (``engine="local"``) or concurrent Ray tasks / local Ray CPUs (``engine="ray"``).
    engine:
        ``"local"`` or ``"ray"`` (needs ``pip install 'signfuse[ray]'``).
    ray_address:
        Address of a running Ray cluster; ``None`` starts a local instance with ``workers`` CPUs.
    refine_face, max_side, fps, model_complexity:
        As in :func:`signfuse.vision.extract`; recorded in the manifest as the job settings.
    overwrite:
        Redo inputs the manifest says are done.
    frame_folders, frame_rate:
        Treat each given folder (or sub-folder) that directly holds images as one video, an image
        sequence recorded at ``frame_rate`` frames/s (default 25), instead of one job per image. Frame
        folders listed by a dataset index are always sequences, at the index's rate.
    model:
        ``"auto"`` (Holistic, MediaPipe Hands when no pose is found), ``"holistic"`` or ``"hands"``; see
        :func:`signfuse.vision.extract`.
    progress:
        Called with ``{"done", "total", "frames", "elapsed", "path", "status"}`` at the start, after
        each input (``done`` counts skipped inputs too) and, with one in-process worker, every few
        frames within an input (``path`` and ``status`` ``None``).

    Returns
    -------
    BatchSummary
        Counts, frames, seconds and the failures with their reasons. Failures are not raised.
    """
    from .extract import check_model
    from .holistic import check_model_complexity

    check_model_complexity(model_complexity)
    check_model(model)
    decode._check_common(max_side=max_side, fps=fps)
    if engine not in ("local", "ray"):
        raise ParameterError(f"engine={engine!r} must be 'local' or 'ray'")
    if not isinstance(workers, int) or workers < 1:
        raise ParameterError(f"workers={workers!r} must be a positive integer")
    if ray_address is not None and engine != "ray":
        raise ParameterError("ray_address is only used with engine='ray'")
    settings = _settings(
        format=format,
        refine_face=refine_face,
        max_side=max_side,
        fps=fps,
        model_complexity=model_complexity,
        model=model,
    )
    if frame_rate is not None and not (
        isinstance(frame_rate, (int, float)) and math.isfinite(frame_rate) and frame_rate > 0
    ):
        raise ParameterError(f"frame_rate={frame_rate!r} must be a positive number of frames per second")
    jobs = collect_jobs(list(inputs), format=format, frame_folders=frame_folders, frame_rate=frame_rate)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    records = read_manifest(out)
    summary = BatchSummary(total=len(jobs), manifest=str(out / MANIFEST_NAME))
    todo = []
    for job in jobs:
        if not overwrite and _is_done(job, records.get(job.key), settings, out):
            summary.skipped += 1
        else:
            todo.append(job)
    t0 = time.perf_counter()
    state = {"done": summary.skipped, "partial": 0}

    def report(rec: dict[str, Any] | None) -> None:
        if progress is not None:
            progress(
                {
                    "done": state["done"],
                    "total": summary.total,
                    "frames": summary.frames + state["partial"],
                    "elapsed": time.perf_counter() - t0,
                    "path": None if rec is None else rec["path"],
                    "status": None if rec is None else rec["status"],
                }
            )

    report(None)
    finished: dict[str, dict[str, Any]] = {}  # this run's records: merged into the manifest on disk at the end

    def finish(rec: dict[str, Any]) -> None:
        records[rec["key"]] = rec
        finished[rec["key"]] = rec
        # reopened per record under the lock: another run may have replaced the file meanwhile
        append_manifest(out, rec)
        state["done"] += 1
        state["partial"] = 0
        if rec["status"] == "ok":
            summary.done += 1
            summary.frames += int(rec["frames"])
            if rec.get("warning"):
                summary.warnings.append((rec["path"], rec["warning"]))
        else:
            summary.failed += 1
            summary.failures.append((rec["path"], rec["error"]))
            log.warning("%s: failed: %s", rec["path"], rec["error"])
        report(rec)

    try:
        if todo:
            if engine == "ray":
                _run_ray(todo, str(out), settings, workers=workers, address=ray_address, finish=finish)
            elif workers == 1 or len(todo) == 1:

                def frames_so_far(n: int) -> None:
                    state["partial"] = n
                    report(None)

                for job in todo:
                    finish(run_job(job, str(out), settings, on_frames=frames_so_far))
            else:
                _run_pool(todo, str(out), settings, workers=workers, finish=finish)
    finally:
        summary.seconds = round(time.perf_counter() - t0, 3)
        # compact: one line per input, in input order first; records other runs wrote meanwhile are kept
        order = {j.key: i for i, j in enumerate(jobs)}
        merge_manifest(out, finished, order=order)
    return summary


def _run_pool(
    todo: list[Job], out_dir: str, settings: dict[str, Any], *, workers: int, finish: Callable[[dict[str, Any]], None]
) -> None:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(workers, len(todo)), mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
    ) as pool:
        futures = {pool.submit(run_job, job, out_dir, settings): job for job in todo}
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                rec = fut.result()
            except Exception as e:  # a crashed worker process (e.g. killed): record, go on
                rec = _crashed(job, settings, e)
            finish(rec)


def _worker_init(parent_pid: int | None = None) -> None:
    # One inference thread pool per process is enough when several processes share the cores.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    logging.getLogger("signfuse").setLevel(logging.WARNING)
    if parent_pid is not None:
        exit_with_parent(parent_pid)


# Linux's prctl(PR_SET_PDEATHSIG): the kernel signals this process when the thread that forked it exits.
_PR_SET_PDEATHSIG = 1


def exit_with_parent(parent_pid: int, *, interval_s: float = 0.5) -> None:
    """Make this (worker) process exit when ``parent_pid`` dies, even by ``kill -9``.

    A pool worker whose driver was killed would otherwise go on running queued jobs, write outputs no
    manifest records, and then sit idle holding its MediaPipe graphs. On Linux the kernel is asked
    (``prctl(PR_SET_PDEATHSIG, SIGKILL)``, through ctypes) to kill the worker with its parent; everywhere a
    daemon thread also polls every ``interval_s`` seconds whether the parent is still this process's
    parent (``os.getppid()`` changes to a reaper when it dies) and ends the process with ``os._exit``.
    """
    import sys
    import threading

    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watchdog below still works
            pass
    if os.getppid() != parent_pid:  # the parent died before we got here
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(interval_s)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="signfuse-parent-watchdog", daemon=True).start()


def _run_ray(
    todo: list[Job],
    out_dir: str,
    settings: dict[str, Any],
    *,
    workers: int,
    address: str | None,
    finish: Callable[[dict[str, Any]], None],
) -> None:
    try:
        import ray
    except ImportError as e:
        raise DependencyError("ray", extra="ray", purpose="engine='ray'") from e
    started = False
    if not ray.is_initialized():
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False)
        started = True
    try:
        remote = ray.remote(num_cpus=1, max_retries=1)(run_job)
        pending = [remote.remote(job, out_dir, settings) for job in todo]
        by_ref = dict(zip(pending, todo))
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            for ref in ready:
                job = by_ref[ref]
                try:
                    rec = ray.get(ref)
                except Exception as e:  # task or worker died
                    rec = _crashed(job, settings, e)
                finish(rec)
    finally:
        if started:
            ray.shutdown()
