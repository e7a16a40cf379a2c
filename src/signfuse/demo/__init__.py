"""``signfuse demo``: the whole pipeline on the embedded synthetic corpus, stage by stage.

Each capability contributes one stage module here (:mod:`.corpus`, :mod:`.face`, :mod:`.audio_motion`,
:mod:`.recognition`, :mod:`.audio_to_gesture`, :mod:`.emotion`) with a function
``stage(ctx: DemoContext) -> dict`` that does its work under ``ctx.out_dir``, registers figures with
:meth:`DemoContext.figure`, and returns a JSON-serializable summary. Stages run in order; a failing stage
is recorded in the report (with its error) and the remaining stages still run, so one broken part never
hides the others. The run ends by writing ``report.json`` and ``report.html`` (:mod:`.report`).
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from pathlib import Path
from typing import Any, Callable

from ..errors import ParameterError
from . import audio_motion, audio_to_gesture, corpus, emotion, face, recognition
from .context import DemoContext
from .report import jsonable, render_html

__all__ = ["DemoContext", "STAGES", "run_demo"]

log = logging.getLogger(__name__)

#: (stage name, stage function), in the order they run
STAGES: list[tuple[str, Callable[[DemoContext], dict]]] = [
    ("corpus", corpus.stage),
    ("face", face.stage),
    ("audio_motion", audio_motion.stage),
    ("recognition", recognition.stage),
    ("audio_to_gesture", audio_to_gesture.stage),
    ("emotion", emotion.stage),
]


def run_demo(out_dir: str | Path, *, seed: int = 0, quick: bool = False, stages: list[str] | None = None,
             progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run the demo stages and write ``report.json`` and ``report.html`` into ``out_dir``.

    Returns the report as a dict: ``{"stages": {name: {"status", "seconds", "summary"|"error"}}, ...}``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    known = [name for name, _ in STAGES]
    if stages:
        unknown = sorted(set(stages) - set(known))
        if unknown:
            raise ParameterError(f"unknown demo stages {unknown}; known: {known}")
    ctx = DemoContext(out_dir=out, seed=seed, quick=quick, progress=progress or (lambda m: None))
    report: dict[str, Any] = {"seed": seed, "quick": quick, "stages": {}}
    t_start = time.perf_counter()
    for name, fn in STAGES:
        if stages and name not in stages:
            continue
        ctx.progress(f"stage {name}")
        ctx.stage = name
        t0 = time.perf_counter()
        try:
            summary = fn(ctx)
            ctx.results[name] = summary
            report["stages"][name] = {"status": "ok", "seconds": round(time.perf_counter() - t0, 2), "summary": summary}
        except Exception as e:  # a stage's failure is reported, the rest still run
            log.exception("demo stage %s failed", name)
            report["stages"][name] = {"status": "failed", "seconds": round(time.perf_counter() - t0, 2),
                                      "error": f"{type(e).__name__}: {e}",
                                      "traceback": traceback.format_exc(limit=6)}
    report["seconds"] = round(time.perf_counter() - t_start, 2)
    report["figures"] = ctx.figures
    from ..io import atomic_path
    with atomic_path(out / "report.json") as tmp:
        tmp.write_text(json.dumps(report, indent=2, default=jsonable))
    with atomic_path(out / "report.html") as tmp:
        tmp.write_text(render_html(report))
    return report
