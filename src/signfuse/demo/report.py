"""``report.html`` of ``signfuse demo``: stage summaries as tables, figures under their stage."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

__all__ = ["render_html", "jsonable"]


def jsonable(o: Any) -> Any:
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


def render_html(report: dict[str, Any]) -> str:
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
