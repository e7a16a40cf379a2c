"""``signfuse demo``: the whole pipeline on the embedded synthetic corpus, stage by stage.

Each capability contributes one stage: a function ``stage(ctx: DemoContext) -> dict`` that does its
work under ``ctx.out_dir``, registers figures with :meth:`DemoContext.figure`, and returns a
JSON-serializable summary. Stages run in order; a failing stage is recorded in the report (with its
error) and the remaining stages still run, so one broken part never hides the others. The run ends by
writing ``report.json`` and ``report.html``.
"""

from __future__ import annotations

import html
import importlib
import json
import logging
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .errors import ParameterError

__all__ = ["DemoContext", "STAGES", "run_demo"]

log = logging.getLogger(__name__)

# (stage name, "module:function"); stages whose module is absent are skipped with a note.
STAGES: list[tuple[str, str]] = [
    ("corpus", "signfuse.datasets.synthetic:demo_stage"),
    ("face", "signfuse.face:demo_stage"),
    ("audio_motion", "signfuse.crossmodal:demo_stage"),
    ("recognition", "signfuse.train.demo:demo_stage"),
    ("audio_to_gesture", "signfuse.train.a2g:demo_stage"),
    ("emotion", "signfuse.train.emotion:demo_stage"),
]


@dataclass
class DemoContext:
    """What every stage receives. ``results`` holds earlier stages' summaries by stage name."""

    out_dir: Path
    seed: int = 0
    quick: bool = False
    results: dict[str, Any] = field(default_factory=dict)
    figures: list[dict[str, str]] = field(default_factory=list)
    progress: Callable[[str], None] = lambda msg: None
    stage: str = ""

    @property
    def corpus_dir(self) -> Path:
        return self.out_dir / "corpus"

    def stage_dir(self, name: str) -> Path:
        d = self.out_dir / name
        d.mkdir(parents=True, exist_ok=True)
        return d

    def figure(self, path: str | Path, caption: str) -> None:
        """Register a figure (a file under ``out_dir``) for the HTML report."""
        self.figures.append({"path": str(Path(path).resolve().relative_to(self.out_dir.resolve())),
                             "caption": caption, "stage": self.stage})


def _load(target: str) -> Callable[[DemoContext], dict] | None:
    module, func = target.split(":")
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name and module.startswith(e.name):
            return None
        raise
    return getattr(mod, func, None)


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
    for name, target in STAGES:
        if stages and name not in stages:
            continue
        fn = _load(target)
        if fn is None:
            report["stages"][name] = {"status": "unavailable"}
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
    (out / "report.json").write_text(json.dumps(report, indent=2, default=_jsonable))
    (out / "report.html").write_text(_html(report))
    return report


def _jsonable(o: Any) -> Any:
    try:
        import numpy as np
        if isinstance(o, np.generic):
            return o.item()
        if isinstance(o, np.ndarray):
            return o.tolist()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(o, Path):
        return str(o)
    return str(o)


def _fmt(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return html.escape(str(v))
    if isinstance(v, float):
        return f"{v:.4g}"
    return html.escape(str(v))


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def _render(obj: Any) -> str:
    """Summaries as tables: a dict of same-shaped dicts of scalars becomes one grid (rows x metrics),
    a list of such dicts too; other dicts become key/value tables, recursively."""
    if _scalar(obj):
        return _fmt(obj)
    if isinstance(obj, list):
        if obj and all(isinstance(r, dict) and all(_scalar(v) for v in r.values()) for r in obj):
            cols = list(dict.fromkeys(k for r in obj for k in r))
            head = "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
            rows = "".join("<tr>" + "".join(f"<td>{_fmt(r.get(c, ''))}</td>" for c in cols) + "</tr>" for r in obj)
            return f"<div class='wide'><table><tr>{head}</tr>{rows}</table></div>"
        if all(_scalar(v) for v in obj):
            return ", ".join(_fmt(v) for v in obj[:40]) + (" ..." if len(obj) > 40 else "")
        return "".join(_render(v) for v in obj)
    if isinstance(obj, dict):
        grid = [v for v in obj.values()]
        if len(grid) > 1 and all(isinstance(v, dict) and v and all(_scalar(x) for x in v.values()) for v in grid):
            cols = list(dict.fromkeys(k for v in grid for k in v))
            head = "<th></th>" + "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
            rows = "".join(f"<tr><th>{html.escape(str(k))}</th>" + "".join(f"<td>{_fmt(v.get(c, ''))}</td>" for c in cols)
                           + "</tr>" for k, v in obj.items())
            return f"<div class='wide'><table><tr>{head}</tr>{rows}</table></div>"
        rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{_render(v)}</td></tr>" for k, v in obj.items())
        return f"<table>{rows}</table>"
    return _fmt(obj)


def _html(report: dict[str, Any]) -> str:
    parts = ["<!doctype html><meta charset='utf-8'><title>signfuse demo report</title>",
             "<style>body{font:14px system-ui,sans-serif;max-width:1150px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;margin:.3em 0}th,td{border:1px solid #ddd;padding:2px 6px;"
             "text-align:left;vertical-align:top}th{background:#f6f6f6;font-weight:600}td{font-variant-numeric:tabular-nums}"
             ".wide{overflow-x:auto}pre{background:#f5f5f5;padding:1em;overflow:auto}figure{margin:1em 0}img{max-width:100%}"
             ".ok{color:#080}.failed{color:#b00}.unavailable{color:#888}</style>",
             f"<h1>signfuse demo</h1><p>seed {report['seed']}{' (quick)' if report.get('quick') else ''}, "
             f"{report['seconds']} s in all. Machine-readable: <a href='report.json'>report.json</a>.</p>"]
    figures = report.get("figures", [])
    for name, st in report["stages"].items():
        parts.append(f"<h2>{html.escape(name)} <span class='{st['status']}'>{st['status']}</span></h2>")
        if "seconds" in st:
            parts.append(f"<p>{st['seconds']} s</p>")
        if "summary" in st:
            parts.append(_render(st["summary"]))
        elif "error" in st:
            parts.append(f"<pre>{html.escape(st['error'])}\n\n{html.escape(st.get('traceback', ''))}</pre>")
        for f in figures:
            if f.get("stage") == name:
                parts.append(f"<figure><img src='{html.escape(f['path'])}'><figcaption>{html.escape(f['caption'])}"
                             "</figcaption></figure>")
    return "\n".join(parts)
