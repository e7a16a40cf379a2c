"""``report.html`` of ``signfuse demo``: headline findings first, then one section per stage.

Every stage module gives ``findings(summary)`` (the headline claims) and ``tables(summary)`` (what the
claims rest on); this module turns them into a self-contained page (no scripts, no external assets):

* a finding is a :func:`finding` dict: the claim, the evidence (n, chance level, confidence interval),
  what it means, and a verdict: ``trusted``, ``weak`` (true but on little data) or ``untrusted``
  (quick mode, at chance level, a control that fails, a test on training data) with the reason;
* a table is a :func:`table` dict whose columns carry a format (percent, seconds, p-value, ...), so
  every number is printed the same way everywhere;
* figures sit beside the tables of their stage (a two-column grid that folds to one on narrow screens).

The statistics are the standard ones: Wilson intervals for proportions and an exact one-sided binomial
test against chance (``scipy.stats.binomtest``).
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any, Callable, Sequence

__all__ = ["render_html", "jsonable", "finding", "table", "fmt", "proportion", "TRUSTED", "WEAK", "UNTRUSTED"]

TRUSTED, WEAK, UNTRUSTED = "trusted", "weak", "untrusted"
_VERDICT_TEXT = {TRUSTED: "trusted", WEAK: "weak evidence", UNTRUSTED: "not trustworthy"}


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


# ------------------------------------------------------------------------------------------ statistics
def proportion(k: int, n: int, *, chance: float | None = None) -> dict[str, Any]:
    """``k`` of ``n`` with its 95% Wilson interval and, given ``chance``, the one-sided exact binomial
    p-value of doing better than chance."""
    out: dict[str, Any] = {"k": int(k), "n": int(n), "value": k / n if n else None, "ci": None, "p_vs_chance": None}
    if n <= 0:
        return out
    from scipy.stats import binomtest

    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=0.95, method="wilson")
    out["ci"] = (float(ci.low), float(ci.high))
    if chance is not None and 0 < chance < 1:
        out["p_vs_chance"] = float(binomtest(int(k), int(n), chance, alternative="greater").pvalue)
    return out


def finding(stage: str, claim: str, *, meaning: str, n: int | str | None = None, chance: str | None = None,
            evidence: str = "", verdict: str = TRUSTED, why: str = "") -> dict[str, Any]:
    """One headline finding. ``claim`` is the sentence a researcher would say; ``evidence`` the numbers
    behind it; ``verdict`` one of :data:`TRUSTED`, :data:`WEAK`, :data:`UNTRUSTED` with ``why``."""
    if verdict not in _VERDICT_TEXT:
        raise ValueError(f"verdict={verdict!r} must be one of {list(_VERDICT_TEXT)}")
    return {"stage": stage, "claim": claim, "meaning": meaning, "n": n, "chance": chance, "evidence": evidence,
            "verdict": verdict, "why": why}


def verdict_for(p: dict[str, Any], *, quick: bool, min_n: int = 30, what: str = "test set") -> tuple[str, str]:
    """The usual verdict of an accuracy measured as a :func:`proportion`: untrusted in quick mode or when
    not better than chance (p >= 0.05), weak on fewer than ``min_n`` items."""
    reasons_bad, reasons_weak = [], []
    if quick:
        reasons_bad.append("quick mode: tiny corpus and a few epochs, for testing the pipeline only")
    if p.get("p_vs_chance") is not None and p["p_vs_chance"] >= 0.05:
        reasons_bad.append(f"not better than chance (one-sided binomial p = {fmt(p['p_vs_chance'], 'p')})")
    if p["n"] < min_n:
        reasons_weak.append(f"tiny {what} (n = {p['n']}; 95% interval {ci_text(p)})")
    if reasons_bad:
        return UNTRUSTED, "; ".join(reasons_bad + reasons_weak)
    if reasons_weak:
        return WEAK, "; ".join(reasons_weak)
    return TRUSTED, ""


def ci_text(p: dict[str, Any]) -> str:
    if not p.get("ci"):
        return "n/a"
    return f"{fmt(p['ci'][0], 'pct0')}–{fmt(p['ci'][1], 'pct0')}"


# ------------------------------------------------------------------------------------------ formatting
def fmt(v: Any, kind: str = "auto") -> str:
    """One value as text. ``kind``: ``pct`` (0.4712 -> 47.1%), ``pct0`` (47%), ``s`` (seconds),
    ``p`` (p-value), ``int``, ``f2``/``f3`` (fixed decimals), ``lag`` (signed seconds), ``ms``, ``bytes``,
    ``str``, ``auto`` (4 significant digits for floats)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if kind == "pct" and isinstance(v, (int, float)):
        return f"{100 * v:.1f}%"
    if kind == "pct0" and isinstance(v, (int, float)):
        return f"{100 * v:.0f}%"
    if kind == "s" and isinstance(v, (int, float)):
        return f"{v:.1f} s" if v < 120 else f"{int(v // 60)} min {v % 60:02.0f} s"
    if kind == "p" and isinstance(v, (int, float)):
        return "< 0.001" if v < 0.001 else f"{v:.3f}"
    if kind == "ms" and isinstance(v, (int, float)):
        return f"{v:.2f} ms"
    if kind == "bytes" and isinstance(v, (int, float)):
        return f"{v / 1e6:.2f} MB" if v >= 1e6 else f"{v / 1e3:.0f} kB"
    if kind == "int" and isinstance(v, (int, float)):
        return f"{int(v):,}"
    if kind in ("f2", "f3") and isinstance(v, (int, float)):
        return f"{v:.{kind[1]}f}"
    if kind == "lag" and isinstance(v, (int, float)):
        return f"{v:+.3f} s"
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.2e}"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, (list, tuple)):
        return ", ".join(fmt(x) for x in v)
    return str(v)


def table(title: str, columns: Sequence[tuple[str, str, str]], rows: Sequence[dict[str, Any]], *,
          note: str = "", key_column: bool = True) -> dict[str, Any]:
    """A table: ``columns`` are ``(key, header, format kind)``; ``rows`` dicts by key; a row's ``_class``
    (``best``, ``baseline``, ``chance``) styles it. The first column is a header column when
    ``key_column``."""
    return {"title": title, "columns": [list(c) for c in columns], "rows": list(rows), "note": note,
            "key_column": key_column}


def _table_html(t: dict[str, Any]) -> str:
    cols = t["columns"]
    head = "".join(f"<th scope='col'>{html.escape(h)}</th>" for _, h, _ in cols)
    body = []
    for r in t["rows"]:
        cells = []
        for j, (key, _, kind) in enumerate(cols):
            v = r.get(key)
            text = html.escape(fmt(v, kind))
            num = " class='num'" if isinstance(v, (int, float)) and not isinstance(v, bool) else ""
            cells.append(f"<th scope='row'>{text}</th>" if j == 0 and t.get("key_column", True) else f"<td{num}>{text}</td>")
        cls = f" class='{html.escape(r['_class'])}'" if r.get("_class") else ""
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    note = f"<p class='note'>{html.escape(t['note'])}</p>" if t.get("note") else ""
    return (f"<div class='table'><h3>{html.escape(t['title'])}</h3><div class='scroll'><table><thead><tr>{head}</tr>"
            f"</thead><tbody>{''.join(body)}</tbody></table></div>{note}</div>")


def _finding_html(f: dict[str, Any], *, with_stage: bool = True) -> str:
    facts = []
    if f.get("n") is not None:
        facts.append(f"n = {html.escape(fmt(f['n']))}")
    if f.get("chance"):
        facts.append(f"chance: {html.escape(f['chance'])}")
    if f.get("evidence"):
        facts.append(html.escape(f["evidence"]))
    v = f["verdict"]
    badge = f"<span class='badge {v}'>{_VERDICT_TEXT[v]}</span>"
    why = f"<p class='why'>{html.escape(f['why'])}</p>" if f.get("why") else ""
    stage = f"<a class='stage' href='#stage-{html.escape(f['stage'])}'>{html.escape(f['stage'])}</a> " if with_stage else ""
    return (f"<li class='finding {v}'>{badge}<p class='claim'>{stage}{html.escape(f['claim'])}</p>"
            f"<p class='facts'>{' · '.join(facts)}</p><p class='meaning'>{html.escape(f['meaning'])}</p>{why}</li>")


_CSS = """
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:1.2em 2em 3em;color:#1d1d1f;
 background:#fff}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.3em;margin:1.6em 0 .4em;border-bottom:2px solid #e5e5e5;padding-bottom:.2em}
h3{font-size:1em;margin:.8em 0 .3em}
.meta{color:#555;margin:.2em 0 1em}.meta a{color:inherit}
.banner{background:#fff4d6;border:1px solid #e8c65a;padding:.6em 1em;border-radius:6px;margin:1em 0}
ul.findings{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,30em),1fr));
 gap:.8em}
li.finding{border:1px solid #ddd;border-left:6px solid #2e7d32;border-radius:6px;padding:.6em .9em;margin:0}
li.finding.weak{border-left-color:#e0a100}li.finding.untrusted{border-left-color:#c62828;background:#fff7f7}
.finding p{margin:.2em 0}.claim{font-weight:600}.facts{font-variant-numeric:tabular-nums;color:#333}
.meaning{color:#444}.why{color:#8a1c1c;font-size:.92em}
.badge{float:right;font-size:.78em;padding:.05em .5em;border-radius:1em;margin-left:.6em;white-space:nowrap}
.badge.trusted{background:#e6f4ea;color:#1e5e23}.badge.weak{background:#fff1cc;color:#6b4f00}
.badge.untrusted{background:#fde2e2;color:#8a1c1c}.badge.failed{background:#c62828;color:#fff}
.badge.pending,.badge.running{background:#eee;color:#555}
a.stage{color:#555;font-weight:400;text-decoration:none;font-size:.85em;margin-right:.3em}
.stage-body{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1.2em 2em;align-items:start}
@media (max-width:1000px){.stage-body{grid-template-columns:minmax(0,1fr)}}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.2em 0;font-size:.93em}
th,td{border-bottom:1px solid #e3e3e3;padding:3px 10px 3px 4px;text-align:left;vertical-align:top}
thead th{border-bottom:2px solid #bbb;font-weight:600;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tbody th{font-weight:500}
tr.best td,tr.best th{background:#eef7ee;font-weight:600}tr.baseline td,tr.baseline th{color:#555}
tr.chance td,tr.chance th{color:#777;font-style:italic}
.note{color:#555;font-size:.9em;margin:.2em 0 .8em}
figure{margin:0 0 1em}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#444;font-size:.9em}
pre{background:#f5f5f5;padding:1em;overflow:auto;max-width:100%}
details{margin:.6em 0}summary{cursor:pointer;color:#555}
"""


def render_html(report: dict[str, Any], *, findings_of: dict[str, Callable] | None = None,
                tables_of: dict[str, Callable] | None = None) -> str:
    """The page for ``report`` (as :func:`signfuse.demo.run_demo` builds it). ``findings_of`` and
    ``tables_of`` map a stage name to its ``findings(summary)`` and ``tables(summary)``; a stage without
    them shows its summary as a generic table."""
    findings_of, tables_of = findings_of or {}, tables_of or {}
    stages = report.get("stages", {})
    done = [n for n, s in stages.items() if s.get("status") in ("ok", "failed")]
    mode = "quick mode (tiny corpus, a few epochs: checks the pipeline, not the methods)" if report.get("quick") \
        else "full run"
    cpu = report.get("cpu_seconds")
    times = f"{fmt(report.get('seconds'), 's')} wall" + (f", {fmt(cpu, 's')} CPU" if cpu is not None else "")
    machine = report.get("machine", {})
    load = machine.get("load_1min_at_start")
    parts = ["<!doctype html><html lang='en'><meta charset='utf-8'>"
             "<meta name='viewport' content='width=device-width,initial-scale=1'><title>signfuse demo report</title>",
             f"<style>{_CSS}</style><body>",
             "<h1>signfuse demo: the pipeline on the embedded synthetic corpus</h1>",
             f"<p class='meta'>seed {html.escape(str(report.get('seed')))} · {html.escape(mode)} · "
             f"{len(done)} of {len(stages)} stages · {html.escape(times)}"
             + (f" · {machine.get('cpus')} CPUs, load {load} at start" if load is not None else "")
             + f" · updated {html.escape(str(report.get('updated', '')).replace('T', ' ').replace('+00:00', ' UTC'))}"
               " · machine-readable: "
               "<a href='report.json'>report.json</a></p>"]
    if not report.get("finished", True):
        left = [n for n, s in stages.items() if s.get("status") in ("pending", "running")]
        parts.append(f"<p class='banner'>This run has not finished (still to do: {html.escape(', '.join(left))}). "
                     "The page is rewritten after every stage; the stages below are complete.</p>")
    all_findings: list[dict] = []
    per_stage: dict[str, list[dict]] = {}
    for name, st in stages.items():
        if st.get("status") == "ok" and name in findings_of:
            try:
                fs = findings_of[name](st["summary"], quick=bool(report.get("quick")))
            except Exception as e:  # a summary from an older version: show the stage without findings
                fs = [finding(name, f"findings unavailable ({type(e).__name__}: {e})", meaning="", verdict=UNTRUSTED)]
            per_stage[name] = fs
            all_findings += fs
        elif st.get("status") == "failed":
            all_findings.append(finding(name, f"stage {name} failed: {st.get('error', '')}",
                                        meaning="its results are missing; see the stage section",
                                        verdict=UNTRUSTED, why="the stage raised an error"))
    if all_findings:
        order = {TRUSTED: 0, WEAK: 1, UNTRUSTED: 2}
        ranked = sorted(all_findings, key=lambda f: order[f["verdict"]])
        parts.append("<h2 id='findings'>Headline findings</h2><ul class='findings'>"
                     + "".join(_finding_html(f) for f in ranked) + "</ul>")
    figures = report.get("figures", [])
    for name, st in stages.items():
        status = st.get("status", "?")
        cls = {"ok": "trusted", "failed": "failed"}.get(status, status)
        label = {"ok": "done"}.get(status, status)
        when = ""
        if "seconds" in st:
            when = f" <span class='meta'>{fmt(st['seconds'], 's')} wall"
            when += f", {fmt(st['cpu_seconds'], 's')} CPU" if st.get("cpu_seconds") is not None else ""
            when += ", from an earlier run" if st.get("earlier_run") else ""
            when += "</span>"
        parts.append(f"<h2 id='stage-{html.escape(name)}'>{html.escape(name)} "
                     f"<span class='badge {cls}'>{html.escape(label)}</span>{when}</h2>")
        left: list[str] = []
        if "summary" in st:
            tabs = None
            if name in tables_of:
                try:
                    tabs = tables_of[name](st["summary"])
                except Exception:  # an older summary: fall back to the generic view
                    tabs = None
            if tabs is not None:
                left += [_table_html(t) for t in tabs]
            else:
                left.append(_render(st["summary"]))
            left.append("<details><summary>the stage's full summary (JSON)</summary><pre>"
                        + html.escape(json.dumps(st["summary"], indent=1, default=jsonable)) + "</pre></details>")
        elif "error" in st:
            left.append(f"<pre>{html.escape(st['error'])}\n\n{html.escape(st.get('traceback', ''))}</pre>")
        right = [f"<figure><img src='{html.escape(f['path'])}' alt='{html.escape(f['caption'])}'>"
                 f"<figcaption>{html.escape(f['caption'])}</figcaption></figure>"
                 for f in figures if f.get("stage") == name]
        if left or right:
            parts.append(f"<div class='stage-body'><div>{''.join(left)}</div><div>{''.join(right)}</div></div>")
    parts.append("</body></html>")
    return "\n".join(parts)


# ------------------------------------------------------------------- generic view of other summaries
def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def _render(obj: Any) -> str:
    """A summary without its own tables: a dict of same-shaped dicts of scalars becomes one grid, lists of
    scalars are joined with commas, lists of lists become one line each; other dicts key/value tables."""
    if _scalar(obj):
        return html.escape(fmt(obj))
    if isinstance(obj, list):
        if obj and all(isinstance(r, dict) and all(_scalar(v) for v in r.values()) for r in obj):
            cols = list(dict.fromkeys(k for r in obj for k in r))
            return _table_html(table("", [(c, c, "auto") for c in cols], obj, key_column=False))
        if all(_scalar(v) for v in obj):
            return html.escape(", ".join(fmt(v) for v in obj[:40]) + (" ..." if len(obj) > 40 else ""))
        return "<br>".join(_render(v) for v in obj)
    if isinstance(obj, dict):
        grid = list(obj.values())
        if len(grid) > 1 and all(isinstance(v, dict) and v and all(_scalar(x) for x in v.values()) for v in grid):
            cols = list(dict.fromkeys(k for v in grid for k in v))
            rows = [{"": k, **v} for k, v in obj.items()]
            return _table_html(table("", [("", "", "str")] + [(c, c, "auto") for c in cols], rows))
        rows = "".join(f"<tr><th scope='row'>{html.escape(str(k))}</th><td>{_render(v)}</td></tr>" for k, v in obj.items())
        return f"<div class='scroll'><table>{rows}</table></div>"
    return html.escape(fmt(obj))
