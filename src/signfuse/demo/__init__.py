"""``signfuse demo``: the whole pipeline on the embedded synthetic corpus, stage by stage.

Each capability contributes one stage module here (:mod:`.corpus`, :mod:`.face`, :mod:`.audio_motion`,
:mod:`.recognition`, :mod:`.ablation`, :mod:`.adaptation`, :mod:`.continuous`, :mod:`.audio_to_gesture`,
:mod:`.emotion`, :mod:`.translation`) with a function
``stage(ctx: DemoContext) -> dict`` that does its work under ``ctx.out_dir``, registers figures with
:meth:`DemoContext.figure`, and returns a JSON-serializable summary, and a function
``findings(summary) -> list[dict]`` that turns the summary into the report's headline findings (with n,
chance level, meaning and whether the number can be trusted).

Stages run in this order with one worker. With more, the stages after the corpus run side by side; a
stage waits for those named in its ``AFTER`` tuple, and of the stages that may start, the one with the
longest chain of expected work still behind it starts first (critical-path list scheduling). A failing stage is recorded in the report (with its error) and the remaining stages
still run, so one broken part never hides the others. ``report.json`` and ``report.html``
(:mod:`.report`) are rewritten after every stage, so a stopped run leaves the finished stages readable.
Running only some stages (``stages=[...]``) in a folder that holds an earlier run reuses its corpus and
keeps the other stages' results in the report, marked as from the earlier run.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import resource
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from . import (
    ablation,
    adaptation,
    audio_motion,
    audio_to_gesture,
    continuous,
    corpus,
    emotion,
    face,
    recognition,
    translation,
)
from .context import DemoContext
from .report import jsonable, render_html

__all__ = [
    "DemoContext",
    "STAGES",
    "STAGE_NAMES",
    "EXPECTED_SECONDS",
    "Progress",
    "critical_path_order",
    "run_demo",
    "load_report",
]

log = logging.getLogger(__name__)

#: (stage name, stage module), in the order they run; each module has ``stage(ctx)`` and ``findings(summary)``
STAGES: list[tuple[str, Any]] = [
    ("corpus", corpus),
    ("face", face),
    ("audio_motion", audio_motion),
    ("recognition", recognition),
    ("ablation", ablation),
    ("adaptation", adaptation),
    ("continuous", continuous),
    ("audio_to_gesture", audio_to_gesture),
    ("emotion", emotion),
    ("translation", translation),
]
STAGE_NAMES: tuple[str, ...] = tuple(n for n, _ in STAGES)

#: CPU seconds of each stage, single-threaded (measured: ``benchmarks/results/demo.md``; about its wall time on
#: a core of its own), the basis of the time estimate, which scales them by how long the finished stages took
EXPECTED_SECONDS: dict[str, dict[str, float]] = {
    "full": {
        "corpus": 24.8,
        "face": 0.8,
        "audio_motion": 3.3,
        "recognition": 44.5,
        "ablation": 82.3,
        "adaptation": 43.6,
        "continuous": 86.5,
        "audio_to_gesture": 85.9,
        "emotion": 69.4,
        "translation": 86.6,
    },
    "quick": {
        "corpus": 1.7,
        "face": 0.3,
        "audio_motion": 2.3,
        "recognition": 1.5,
        "ablation": 0.8,
        "adaptation": 0.6,
        "continuous": 0.8,
        "audio_to_gesture": 3.3,
        "emotion": 2.9,
        "translation": 4.0,
    },
}


def critical_path_order(names: list[str], expected: dict[str, float]) -> list[str]:
    """``names`` by the expected seconds of the longest chain of stages that starts with each (its own
    time plus that of the longest chain of stages waiting for it, through ``AFTER``), longest first: the
    classic list-scheduling priority, so a short stage that unlocks long ones is not left for last."""
    after = {n: set(getattr(dict(STAGES)[n], "AFTER", ())) for n in names}
    memo: dict[str, float] = {}

    def chain(n: str) -> float:
        if n not in memo:
            memo[n] = expected.get(n, 0.0) + max((chain(m) for m in names if n in after[m]), default=0.0)
        return memo[n]

    return sorted(names, key=lambda n: (-chain(n), names.index(n)))


@dataclass(frozen=True)
class Progress:
    """What the runner reports while it works: which stage (``index`` of ``total``, 1-based), the stage's
    latest message, seconds since the run started and the estimated seconds left (None before any
    estimate)."""

    stage: str
    index: int
    total: int
    message: str
    elapsed_s: float
    remaining_s: float | None

    def __str__(self) -> str:
        left = f", about {_clock(self.remaining_s)} left" if self.remaining_s is not None else ""
        return f"stage {self.index}/{self.total} {self.stage}: {self.message} ({_clock(self.elapsed_s)} elapsed{left})"


def _clock(s: float) -> str:
    s = max(0, int(round(s)))
    return f"{s // 60}:{s % 60:02d}"


def _cpu() -> float:
    """CPU seconds of this process (all threads) and its finished children."""
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + ch.ru_utime + ch.ru_stime


def _write(out: Path, report: dict[str, Any]) -> None:
    from ..io import atomic_path

    report["updated"] = datetime.now(UTC).isoformat(timespec="seconds")
    with atomic_path(out / "report.json") as tmp:
        tmp.write_text(json.dumps(report, indent=2, default=jsonable))
    with atomic_path(out / "report.html") as tmp:
        tmp.write_text(
            render_html(
                report,
                findings_of={n: m.findings for n, m in STAGES if hasattr(m, "findings")},
                tables_of={n: m.tables for n, m in STAGES if hasattr(m, "tables")},
            )
        )


def load_report(out_dir: str | Path) -> dict[str, Any] | None:
    """The ``report.json`` of an earlier run in ``out_dir``, or None."""
    p = Path(out_dir) / "report.json"
    if not p.is_file():
        return None
    try:
        return json.loads(p.read_text())
    except (OSError, json.JSONDecodeError) as e:
        log.warning("ignoring the unreadable earlier report %s: %s", p, e)
        return None


@contextlib.contextmanager
def _threads(n: int | None) -> Iterator[None]:
    """Limit torch and the BLAS/OpenMP pools to ``n`` threads (None: leave them). The demo's models are
    small: a second thread gains little on an idle machine, and on a busy one spinning OpenMP threads
    multiply the CPU time (measured: a2g quick stage 6.6 s CPU on one thread, 50 s on two, at load 12)."""
    if not n:
        yield
        return
    from threadpoolctl import threadpool_limits

    try:
        import torch
    except ImportError:  # pragma: no cover
        torch = None
    old = torch.get_num_threads() if torch is not None else None
    try:
        with threadpool_limits(limits=n):
            if torch is not None:
                torch.set_num_threads(n)
            yield
    finally:
        if torch is not None and old:
            torch.set_num_threads(old)


def _run_stage(module: Any, ctx: DemoContext, threads: int | None) -> dict[str, Any]:
    """Run one stage; its result entry for the report (status, summary or error, wall and CPU seconds)."""
    t0, c0 = time.perf_counter(), _cpu()
    try:
        with _threads(threads):
            summary = module.stage(ctx)
        result: dict[str, Any] = {"status": "ok", "summary": summary}
    except Exception as e:  # a stage's failure is reported, the rest still run
        log.exception("demo stage %s failed", ctx.stage)
        result = {"status": "failed", "error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc(limit=6)}
    result.update(seconds=round(time.perf_counter() - t0, 2), cpu_seconds=round(_cpu() - c0, 2))
    return result


_QUIET = ("lightning", "lightning.pytorch", "lightning.fabric", "pytorch_lightning")


def _init_worker(root_level: int, levels: dict[str, int], filters: list, lightning: bool) -> None:
    """A spawned worker logs and warns as its parent does (the CLI's quiet defaults included). Lightning
    sets its loggers to INFO when imported, so it is imported first when the parent had it."""
    import sys
    import warnings

    logging.basicConfig(level=root_level, format="%(levelname)s %(name)s: %(message)s")
    if lightning:
        import lightning.pytorch  # noqa: F401
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    warnings.filters[:] = filters
    sys.stdout = sys.stderr  # a stage's stray prints must not mix into a command's stdout


def _worker(name: str, out: Path, seed: int, quick: bool, threads: int | None, queue: Any):
    """One stage in a worker process; progress messages go back through ``queue``."""
    ctx = DemoContext(out_dir=out, seed=seed, quick=quick, stage=name, progress=lambda m: queue.put((name, m)))
    return _run_stage(dict(STAGES)[name], ctx, threads), ctx.figures


def _run_parallel(
    names: list[str],
    *,
    out: Path,
    seed: int,
    quick: bool,
    threads: int | None,
    workers: int,
    longest_first: list[str],
    begin: Callable,
    done: Callable,
    tell: Callable,
) -> None:
    """Run ``names`` in ``workers`` processes (spawned: no forked torch/OpenMP state), the longest first;
    ``begin``/``done`` as each one starts and ends, ``tell`` for every message."""
    import multiprocessing as mp
    import queue as queue_mod
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    ctx_mp = mp.get_context("spawn")
    import sys
    import warnings

    init = (
        logging.getLogger().level,
        {n: logging.getLogger(n).level for n in _QUIET},
        list(warnings.filters),
        "lightning.pytorch" in sys.modules,
    )
    with (
        ctx_mp.Manager() as manager,
        ProcessPoolExecutor(max_workers=workers, mp_context=ctx_mp, initializer=_init_worker, initargs=init) as pool,
    ):
        q = manager.Queue()
        pending = list(longest_first)
        running: dict[Any, str] = {}
        while pending or running:
            while pending and len(running) < workers:
                waiting = set(pending) | set(running.values())
                ready = [n for n in pending if not set(getattr(dict(STAGES)[n], "AFTER", ())) & waiting]
                if not ready:
                    break  # every pending stage needs one that is still running
                name = ready[0]
                pending.remove(name)
                begin(name)
                running[pool.submit(_worker, name, out, seed, quick, threads, q)] = name
            finished, _ = wait(list(running), timeout=0.5, return_when=FIRST_COMPLETED)
            while True:
                try:
                    name, msg = q.get_nowait()
                except queue_mod.Empty:
                    break
                tell(name, msg)
            for fut in finished:
                name = running.pop(fut)
                try:
                    result, figures = fut.result()
                except Exception as e:  # the worker itself died (killed, out of memory)
                    result, figures = (
                        {
                            "status": "failed",
                            "error": f"{type(e).__name__}: {e}",
                            "traceback": traceback.format_exc(limit=6),
                            "seconds": 0.0,
                            "cpu_seconds": 0.0,
                        },
                        [],
                    )
                done(name, result, figures)


def run_demo(
    out_dir: str | Path,
    *,
    seed: int = 0,
    quick: bool = False,
    stages: list[str] | None = None,
    progress: Callable[[Progress], None] | None = None,
    threads: int | None = 1,
    workers: int = 1,
) -> dict[str, Any]:
    """Run the demo stages and write ``report.json`` and ``report.html`` into ``out_dir`` after each one.

    ``stages`` runs only those (names from :data:`STAGE_NAMES`); with an earlier run in ``out_dir`` its
    corpus is reused and its other stages stay in the report. Without a corpus there, the corpus stage
    runs first. ``progress`` receives a :class:`Progress` at each stage start and each stage message.
    ``threads`` limits torch and BLAS to that many threads while the stages run (None: no limit).
    ``workers`` > 1 runs the stages after the corpus side by side in that many processes (each stage
    itself single-threaded), the longest first: on 2 idle cores, 2 workers nearly halve the wall time.

    Returns the report as a dict: ``{"stages": {name: {"status", "seconds", "cpu_seconds",
    "summary"|"error"}}, "figures": [...], ...}``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise ParameterError(f"workers={workers!r} must be an integer >= 1")
    known = [n for n, _ in STAGES]
    if stages:
        unknown = sorted(set(stages) - set(known))
        if unknown:
            raise ParameterError(f"unknown demo stages {unknown}; known: {known}")
    selected = [n for n in known if not stages or n in stages]
    earlier = load_report(out) if stages else None
    has_corpus = (out / "corpus" / "corpus.json").is_file()
    if stages and "corpus" in known and "corpus" not in selected:
        if not has_corpus:
            log.info("no corpus in %s: running the corpus stage first", out)
            selected.insert(0, "corpus")
        elif earlier is not None and (earlier.get("quick"), earlier.get("seed")) != (quick, seed):
            raise ParameterError(
                f"{out} holds a run with quick={earlier.get('quick')}, seed={earlier.get('seed')}; rerun a stage "
                f"with the same settings, or add the corpus stage to regenerate the corpus"
            )
    report: dict[str, Any] = {
        "seed": seed,
        "quick": quick,
        "finished": False,
        "threads": threads,
        "workers": workers,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "load_1min_at_start": round(os.getloadavg()[0], 2)},
        "stages": {},
        "figures": [],
    }
    for name in known:
        old = (earlier or {}).get("stages", {}).get(name)
        if name in selected:
            report["stages"][name] = {"status": "pending"}
        elif old and old.get("status") in ("ok", "failed"):
            report["stages"][name] = dict(old, earlier_run=earlier.get("started") or True)
            report["figures"] += [f for f in earlier.get("figures", []) if f.get("stage") == name]
    expected = EXPECTED_SECONDS["quick" if quick else "full"]
    t_start = time.perf_counter()
    scale: list[float] = []  # measured / expected wall seconds of finished stages
    started: dict[str, float] = {}

    def remaining() -> float:
        f = sum(scale) / len(scale) if scale else 1.0
        now = time.perf_counter()
        left = [
            max(0.0, expected.get(n, 0.0) * f - (now - started[n] if n in started else 0.0))
            for n in selected
            if report["stages"][n]["status"] in ("pending", "running")
        ]
        return sum(left) / max(1, min(workers, len(left))) if left else 0.0

    def tell(name: str, message: str) -> None:
        if progress is not None:
            progress(
                Progress(
                    name, selected.index(name) + 1, len(selected), message, time.perf_counter() - t_start, remaining()
                )
            )

    def begin(name: str) -> None:
        started[name] = time.perf_counter()
        report["stages"][name] = {"status": "running"}
        _write(out, report)
        tell(name, "starting")

    def done(name: str, result: dict[str, Any], figures: list[dict[str, str]]) -> None:
        report["stages"][name] = result
        if expected.get(name):
            scale.append(result["seconds"] / expected[name])
        report["figures"] = [f for f in report["figures"] if f.get("stage") != name] + [
            f for f in figures if f.get("stage") == name
        ]
        report["seconds"] = round(time.perf_counter() - t_start, 2)
        report["cpu_seconds"] = round(
            sum(s.get("cpu_seconds", 0.0) for n, s in report["stages"].items() if not s.get("earlier_run")), 2
        )
        _write(out, report)

    serial = selected if workers <= 1 else [n for n in selected if n == "corpus"]
    for name in serial:  # in this process, one after the other (the corpus first, always)
        begin(name)
        ctx = DemoContext(out_dir=out, seed=seed, quick=quick, stage=name, progress=lambda m, name=name: tell(name, m))
        done(name, _run_stage(dict(STAGES)[name], ctx, threads), ctx.figures)
    rest = [n for n in selected if n not in serial]
    if rest:  # the stages after the corpus need only the corpus: run them side by side
        _run_parallel(
            rest,
            out=out,
            seed=seed,
            quick=quick,
            threads=threads,
            workers=workers,
            longest_first=critical_path_order(rest, expected),
            begin=begin,
            done=done,
            tell=tell,
        )
    report["finished"] = True
    report["machine"]["load_1min_at_end"] = round(os.getloadavg()[0], 2)
    _write(out, report)
    return report
