"""Benchmark of the annotation tool: 5,000 annotations on a one-hour video.

* saving (server side): AnnotationStore.save (serialize + backup link + atomic replace), the same with
  fsync, and the whole HTTP PUT (JSON parsing + pydantic validation + save) through FastAPI;
* timeline rendering in the browser (Debian chromium through playwright): performance.now() around the
  page's render function, with a forced rasterization (getImageData) so deferred canvas work counts;
* the page's autosave round trip (JSON.stringify in the page + HTTP + server save);
* with an hour of F0 / energy curves beside the video (``hour.audio.parquet``, 100 frames/s): the
  page then draws two curve lanes with their scales as well;
* side by side in one run: a save with 30 kept revisions and with 200 (the byte budget reads the size
  of every kept revision on each save).

Run: .venv/bin/python benchmarks/bench_annotate.py   (writes benchmarks/results/annotate.md and a screenshot)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, utc_stamp, write_result  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
N_ANN = 5000
HOUR_MS = 3_600_000
VIDEO_FPS = 5


def make_hour_video(path: Path) -> None:
    """A 64x48 one-hour H.264 video at 5 fps (small enough to encode in seconds)."""
    from signfuse.testing.media import write_video

    n = HOUR_MS // 1000 * VIDEO_FPS

    def frames():
        img = np.zeros((48, 64, 3), np.uint8)
        for i in range(n):
            img[..., 0] = (i * 3) % 256
            yield img

    write_video(
        path,
        frames(),
        fps=VIDEO_FPS,
        options={"preset": "ultrafast", "g": "250"},
        pts=list(range(n)),
        time_base=Fraction(1, VIDEO_FPS),
    )


def make_document(*, seed: int = 0):
    from signfuse.annotate.schema import AU_CODES, NONMANUAL_VALUES, Annotation, default_document

    rng = np.random.default_rng(seed)
    glosses = [f"GLOSS{i:03d}" for i in range(400)]
    doc = default_document(media_path="hour.mp4", duration_ms=HOUR_MS, fps=25.0, gloss_vocabulary=glosses)
    share = {"gloss-dom": 2000, "gloss-nondom": 1000, "nonmanual": 800, "au": 800, "translation": 300, "notes": 100}
    k = 0
    for tier_id, n in share.items():
        tier = doc.tier(tier_id)
        starts = np.sort(rng.uniform(0, HOUR_MS - 5000, n))
        for s in starts:
            dur = float(rng.uniform(200, 3000))
            if tier.kind == "au":
                value = f"{rng.choice(AU_CODES)}{'ABCDE'[int(rng.integers(5))]}"
            elif tier.kind == "nonmanual":
                value = str(rng.choice(NONMANUAL_VALUES))
            elif tier.kind.startswith("gloss"):
                value = str(rng.choice(glosses))
            else:
                value = "free text " + str(k)
            s_ms = int(round(s / 40) * 40)
            tier.annotations.append(
                Annotation(id=f"b{k}", start_ms=s_ms, end_ms=s_ms + int(round(dur / 40) * 40), value=value)
            )
            k += 1
    assert doc.n_annotations == N_ANN
    return doc


def make_hour_audio(path: Path) -> None:
    """An hour of F0 (voiced half the time) and energy at 100 frames/s, as ``signfuse audio`` writes."""
    from signfuse import io
    from signfuse.streams import Stream

    n = HOUR_MS // 10
    t = np.arange(n) / 100.0
    voiced = (np.sin(2 * np.pi * t / 3.0) > 0).astype(np.float32)
    f0 = voiced * (180 + 40 * np.sin(2 * np.pi * t / 0.7))
    rms = -30 + 20 * voiced + np.sin(t)
    io.write_stream(
        Stream("audio", np.stack([f0, voiced, rms], 1).astype(np.float32), ("f0_hz", "voiced", "rms_db"), 100.0), path
    )


def bench_save(root: Path, doc) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from signfuse.annotate.server import create_app
    from signfuse.annotate.store import AnnotationStore

    out: dict[str, float] = {}
    for durable in (False, True):
        store = AnnotationStore(root, durable=durable)
        rev = store.load("hour.mp4").revision
        times = []
        for _ in range(30):
            t0 = time.perf_counter()
            saved = store.save("hour.mp4", doc, base_revision=rev)
            times.append((time.perf_counter() - t0) * 1000)
            rev = saved.revision
        out["store.save, fsync" if durable else "store.save"] = statistics.median(times)
        out[("store.save, fsync" if durable else "store.save") + " p95"] = float(np.percentile(times, 95))
    # the same save with 200 kept revisions (fill up first), measured right after
    store = AnnotationStore(root)
    rev = store.load("hour.mp4").revision
    while len(store.revisions("hour.mp4")) < 200:
        rev = store.save("hour.mp4", doc, base_revision=rev).revision
    times = []
    for _ in range(30):
        t0 = time.perf_counter()
        rev = store.save("hour.mp4", doc, base_revision=rev).revision
        times.append((time.perf_counter() - t0) * 1000)
    out["store.save, 200 revisions kept"] = statistics.median(times)
    body = json.dumps({"base_revision": 0, "document": doc.to_json_dict()}).encode()
    out["request body (KiB)"] = len(body) / 1024
    with TestClient(create_app(root), headers={"X-Signfuse": "1", "Content-Type": "application/json"}) as c:
        rev = c.get("/api/annotations", params={"path": "hour.mp4"}).json()["revision"]
        times, server = [], []
        for _ in range(20):
            payload = body.replace(b'"base_revision": 0', f'"base_revision": {rev}'.encode(), 1)
            t0 = time.perf_counter()
            r = c.put("/api/annotations", params={"path": "hour.mp4"}, content=payload)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.text[:300]
            rev = r.json()["revision"]
            # Server-Timing: validate;dur=..., save;dur=...
            server.append(sum(float(part.split("dur=")[1]) for part in r.headers["server-timing"].split(",")))
        out["HTTP PUT (parse + validate + save)"] = statistics.median(times)
        out["HTTP PUT p95"] = float(np.percentile(times, 95))
        out["server: parse + validate + save"] = statistics.median(server)
        out["server p95"] = float(np.percentile(server, 95))
    return out


def bench_browser(root: Path) -> dict[str, float]:
    from signfuse.testing.browser import CHROMIUM, launch, serve

    if not CHROMIUM.exists():
        return {}
    from playwright.sync_api import sync_playwright

    from signfuse.annotate.server import create_app

    url, stop = serve(create_app(root), name="annotation server")
    out: dict[str, float] = {}
    try:
        with sync_playwright() as p:
            b = launch(p)
            page = b.new_page(viewport={"width": 1400, "height": 950})
            page.goto(url + "/#/video/hour.mp4")
            page.wait_for_function(
                "() => window.signfuse && signfuse.state.doc && document.getElementById('video').readyState >= 1",
                timeout=60000,
            )
            page.wait_for_function("() => signfuse.state.lanes.some(l => l.id === 'audio-f0')", timeout=60000)
            n = page.evaluate("() => signfuse.state.doc.tiers.reduce((n, t) => n + t.annotations.length, 0)")
            assert n == N_ANN, n
            out["page: duration (s)"] = page.evaluate("() => signfuse.state.durationMs / 1000")
            for label, ms_per_px in (("whole hour", None), ("10 min", 600_000), ("1 min", 60_000)):
                if ms_per_px is None:
                    page.evaluate("() => document.getElementById('zoom-fit').click()")
                else:
                    page.evaluate(
                        f"() => {{ const S = signfuse.state; S.viewStart = 1_800_000; "
                        f"S.msPerPx = {ms_per_px} / (document.getElementById('timeline').clientWidth - "
                        f"signfuse.LABEL_W); signfuse.render(); }}"
                    )
                page.evaluate("() => signfuse.benchRender(5)")  # warm-up (JIT)
                times = page.evaluate("() => signfuse.benchRender(40)")
                out[f"render, {label} in view"] = statistics.median(times)
                out[f"render, {label} in view, max"] = max(times)
            # side by side: the whole hour with and without drawing the two curves, alternating
            page.evaluate("() => document.getElementById('zoom-fit').click()")
            with_l, without = [], []
            for _ in range(8):
                with_l += page.evaluate("() => signfuse.benchRender(5)")
                without += page.evaluate(
                    "() => { const S = signfuse.state, keep = S.curveFor; S.curveFor = {}; "
                    "const t = signfuse.benchRender(5); S.curveFor = keep; return t; }"
                )
            out["render, whole hour, curves drawn (alternating)"] = statistics.median(with_l)
            out["render, whole hour, curves not drawn (alternating)"] = statistics.median(without)
            rebuild = page.evaluate(
                "() => { const t = []; for (let i = 0; i < 20; i++) { const t0 = performance.now(); "
                "signfuse.rebuild(); t.push(performance.now() - t0); } return t; }"
            )
            out["derive + sort (rebuild), median"] = statistics.median(rebuild)
            # autosave round trip from the page
            rt = []
            for i in range(10):
                rt.append(
                    page.evaluate(f"""async () => {{ const S = signfuse.state;
                    S.doc.tiers[0].annotations[0].value = 'EDIT{i}';
                    const t0 = performance.now(); await signfuse.save(); return performance.now() - t0; }}""")
                )
            out["page autosave round trip (stringify + PUT + save)"] = statistics.median(rt)
            page.evaluate(
                "() => { const S = signfuse.state; S.viewStart = 1_800_000; S.msPerPx = 60000 / "
                "(document.getElementById('timeline').clientWidth - signfuse.LABEL_W); signfuse.render(); }"
            )
            page.screenshot(path=str(RESULTS / "annotate_screenshot.png"), full_page=True)
            b.close()
    finally:
        stop()
    return out


def load_note() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return (
        f"load average {one:.2f} (1 min) / {five:.2f} (5 min) on {os.cpu_count()} CPUs when the run started; "
        "the machine was shared with other jobs, so absolute times are noisy (ratios from one run are not)"
    )


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        t0 = time.perf_counter()
        make_hour_video(root / "hour.mp4")
        t_video = time.perf_counter() - t0
        doc = make_document()
        make_hour_audio(root / "hour.audio.parquet")
        save = bench_save(root, doc)
        browser = bench_browser(root)
    rows = [
        ("save: AnnotationStore.save (median)", save["store.save"], "ms", "< 50"),
        ("save: AnnotationStore.save (p95)", save["store.save p95"], "ms", "< 50"),
        ("save: with fsync (median)", save["store.save, fsync"], "ms", ""),
        ("save: with 200 revisions kept (median; same run)", save["store.save, 200 revisions kept"], "ms", ""),
        ("save: 200 / 30 revisions kept (ratio)", save["store.save, 200 revisions kept"] / save["store.save"], "x", ""),
        (
            "save: server-side JSON parse + pydantic validation + save (median, Server-Timing)",
            save["server: parse + validate + save"],
            "ms",
            "< 50",
        ),
        ("save: server-side (p95)", save["server p95"], "ms", ""),
        ("save: whole HTTP PUT through TestClient (median)", save["HTTP PUT (parse + validate + save)"], "ms", ""),
        ("save: whole HTTP PUT (p95)", save["HTTP PUT p95"], "ms", ""),
        ("request body", save["request body (KiB)"], "KiB", ""),
    ]
    for k, v in browser.items():
        if k.startswith("page: duration"):
            continue
        unit_target = "< 100" if k.startswith("render") else ""
        rows.append((f"browser: {k}", v, "ms", unit_target))
    lines = [
        "# Annotation tool benchmark",
        "",
        "Command: `.venv/bin/python benchmarks/bench_annotate.py`  ",
        f"Machine: {machine(cpus=os.cpu_count(), system=True, fallback='unknown CPU')}  ",
        f"Date: {utc_stamp()}  ",
        (
            f"Workload: {N_ANN} annotations over 6 tiers on a one-hour video (64x48 H.264, {VIDEO_FPS} fps, "
            f"encoded in {t_video:.1f} s) with an hour of F0 and energy curves beside it (two curve lanes); browser: "
            "Debian chromium headless, --disable-gpu (software canvas).  "
        ),
        f"Load: {load_note()}",
        "",
        "| measure | value | unit | target |",
        "|---|---:|---|---|",
    ]
    lines += [f"| {a} | {b:.2f} | {c} | {d} |" for a, b, c, d in rows]
    if not browser:
        lines += ["", "Browser rows missing: /usr/bin/chromium not found."]
    lines += [
        "",
        "Render times wrap the page's own `renderTimeline()` with `performance.now()` and end with "
        "`getImageData` so that deferred canvas rasterization is included. Saving hard-links the previous "
        "revision into `.signfuse-revisions/` (a backup costs no copy) and replaces the file atomically.",
        "",
        "![screenshot](annotate_screenshot.png)",
    ]
    text = "\n".join(lines) + "\n"
    write_result(RESULTS / "annotate.md", text)
    print(text)


if __name__ == "__main__":
    main()
