"""``signfuse demo``: the whole pipeline on the embedded synthetic corpus, stage by stage.

Each capability contributes one stage module here (:mod:`.corpus`, :mod:`.face`, :mod:`.audio_motion`,
:mod:`.recognition`, :mod:`.audio_to_gesture`, :mod:`.emotion`) with a function
``stage(ctx: DemoContext) -> dict`` that does its work under ``ctx.out_dir``, registers figures with
:meth:`DemoContext.figure`, and returns a JSON-serializable summary, and a function
``findings(summary) -> list[dict]`` that turns the summary into the report's headline findings (with n,
chance level, meaning and whether the number can be trusted).

Stages run in order; a failing stage is recorded in the report (with its error) and the remaining stages
still run, so one broken part never hides the others. ``report.json`` and ``report.html``
(:mod:`.report`) are rewritten after every stage, so a stopped run leaves the finished stages readable.
Running only some stages (``stages=[...]``) in a folder that holds an earlier run reuses its corpus and
keeps the other stages' results in the report, marked as from the earlier run.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from ..errors import ParameterError
from . import audio_motion, audio_to_gesture, corpus, emotion, face, recognition
from .context import DemoContext
from .report import jsonable, render_html

__all__ = ["DemoContext", "STAGES", "STAGE_NAMES", "EXPECTED_SECONDS", "Progress", "run_demo",
           "load_report"]

log = logging.getLogger(__name__)

#: (stage name, stage module), in the order they run; each module has ``stage(ctx)`` and ``findings(summary)``
STAGES: list[tuple[str, Any]] = [
    ("corpus", corpus),
    ("face", face),
    ("audio_motion", audio_motion),
    ("recognition", recognition),
    ("audio_to_gesture", audio_to_gesture),
    ("emotion", emotion),
]
STAGE_NAMES: tuple[str, ...] = tuple(n for n, _ in STAGES)

#: seconds each stage takes on an idle 2-core machine (measured: ``benchmarks/results/demo.md``), the basis of
#: the time estimate; the estimate scales them by how long the finished stages took compared with these
EXPECTED_SECONDS: dict[str, dict[str, float]] = {
    "full": {"corpus": 25.0, "face": 8.0, "audio_motion": 20.0, "recognition": 200.0, "audio_to_gesture": 70.0,
             "emotion": 60.0},
    "quick": {"corpus": 2.0, "face": 0.5, "audio_motion": 2.5, "recognition": 4.0, "audio_to_gesture": 3.0,
              "emotion": 2.5},
}


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

    report["updated"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with atomic_path(out / "report.json") as tmp:
        tmp.write_text(json.dumps(report, indent=2, default=jsonable))
    with atomic_path(out / "report.html") as tmp:
        tmp.write_text(render_html(report, findings_of={n: m.findings for n, m in STAGES if hasattr(m, "findings")},
                                   tables_of={n: m.tables for n, m in STAGES if hasattr(m, "tables")}))


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


def run_demo(out_dir: str | Path, *, seed: int = 0, quick: bool = False, stages: list[str] | None = None,
             progress: Callable[[Progress], None] | None = None) -> dict[str, Any]:
    """Run the demo stages and write ``report.json`` and ``report.html`` into ``out_dir`` after each one.

    ``stages`` runs only those (names from :data:`STAGE_NAMES`); with an earlier run in ``out_dir`` its
    corpus is reused and its other stages stay in the report. Without a corpus there, the corpus stage
    runs first. ``progress`` receives a :class:`Progress` at each stage start and each stage message.

    Returns the report as a dict: ``{"stages": {name: {"status", "seconds", "cpu_seconds",
    "summary"|"error"}}, "figures": [...], ...}``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    known = [n for n, _ in STAGES]
    if stages:
        unknown = sorted(set(stages) - set(known))
        if unknown:
            raise ParameterError(f"unknown demo stages {unknown}; known: {known}")
    selected = [n for n in known if not stages or n in stages]
    earlier = load_report(out) if stages else None
    has_corpus = (out / "corpus" / "corpus.json").is_file()
    if stages and "corpus" not in selected:
        if not has_corpus:
            log.info("no corpus in %s: running the corpus stage first", out)
            selected.insert(0, "corpus")
        elif earlier is not None and (earlier.get("quick"), earlier.get("seed")) != (quick, seed):
            raise ParameterError(
                f"{out} holds a run with quick={earlier.get('quick')}, seed={earlier.get('seed')}; rerun a stage "
                f"with the same settings, or add the corpus stage to regenerate the corpus")
    report: dict[str, Any] = {"seed": seed, "quick": quick, "finished": False,
                              "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                              "machine": {"cpus": os.cpu_count(), "load_1min_at_start": round(os.getloadavg()[0], 2)},
                              "stages": {}, "figures": []}
    for name in known:
        old = (earlier or {}).get("stages", {}).get(name)
        if name in selected:
            report["stages"][name] = {"status": "pending"}
        elif old and old.get("status") in ("ok", "failed"):
            report["stages"][name] = dict(old, earlier_run=earlier.get("started") or True)
            report["figures"] += [f for f in earlier.get("figures", []) if f.get("stage") == name]
    expected = EXPECTED_SECONDS["quick" if quick else "full"]
    t_start, cpu_start = time.perf_counter(), _cpu()
    scale: list[float] = []       # measured / expected wall seconds of finished stages

    def remaining(k: int, in_stage_s: float) -> float:
        f = sum(scale) / len(scale) if scale else 1.0
        cur = max(0.0, expected.get(selected[k], 0.0) * f - in_stage_s)
        return cur + sum(expected.get(n, 0.0) * f for n in selected[k + 1:])

    ctx = DemoContext(out_dir=out, seed=seed, quick=quick)
    for k, name in enumerate(selected):
        t0, c0 = time.perf_counter(), _cpu()

        def tell(message: str, k: int = k, name: str = name, t0: float = t0) -> None:
            if progress is not None:
                now = time.perf_counter()
                progress(Progress(name, k + 1, len(selected), message, now - t_start, remaining(k, now - t0)))

        ctx.progress = tell
        ctx.stage = name
        report["stages"][name] = {"status": "running"}
        _write(out, report)
        tell("starting")
        module = dict(STAGES)[name]
        try:
            summary = module.stage(ctx)
            ctx.results[name] = summary
            report["stages"][name] = {"status": "ok", "summary": summary}
        except Exception as e:  # a stage's failure is reported, the rest still run
            log.exception("demo stage %s failed", name)
            report["stages"][name] = {"status": "failed", "error": f"{type(e).__name__}: {e}",
                                      "traceback": traceback.format_exc(limit=6)}
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        report["stages"][name].update(seconds=round(wall, 2), cpu_seconds=round(cpu, 2))
        if expected.get(name):
            scale.append(wall / expected[name])
        report["figures"] = [f for f in report["figures"] if f.get("stage") != name] + \
            [f for f in ctx.figures if f.get("stage") == name]
        report["seconds"] = round(time.perf_counter() - t_start, 2)
        report["cpu_seconds"] = round(_cpu() - cpu_start, 2)
        _write(out, report)
    report["finished"] = True
    report["machine"]["load_1min_at_end"] = round(os.getloadavg()[0], 2)
    _write(out, report)
    return report
