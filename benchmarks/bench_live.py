"""Benchmark of live captions (``signfuse live``): latency in a real browser, landmark speed, and load.

* **In the browser** (Debian chromium, headless, through playwright; the camera faked from a real
  video, ``../shared/data/real/hands/gesture_test_video.mp4``): MediaPipe Holistic in the page (the
  pinned WASM package, CPU inference, SwiftShader for WebGL), landmark frames over the WebSocket, the
  captions back. End-to-end latency = ``performance.now()`` when the page took the video frame, to the
  caption update for the window that frame closed (in-page landmarks + WebSocket + window + model +
  back); the model's own share (``model_ms``) and the server's (``server_ms``) come with each caption.
  The same with ``--server-landmarks`` (JPEG frames, MediaPipe on the server).
* **The model's share offline**, side by side in one run: the same recorded windows through the ONNX
  file and through the checkpoint.
* **Load**: 8 concurrent WebSocket connections to a ``signfuse live`` server in its own process on
  127.0.0.1, each replaying a recorded landmark stream (Python MediaPipe on the same video, 25 fps) in
  real time for a bounded time; per-message round trip (frame -> ack), caption round trip, how far each
  client fell behind its schedule, dropped connections.

The model is the default ``hybrid`` recognizer (streams hands, body, face) trained for one epoch on a
small synthetic corpus: its speed is that of the real architecture; its captions mean nothing.

Run: .venv/bin/python benchmarks/bench_live.py [--seconds S] [--connections N]
(writes benchmarks/results/live.md and benchmarks/results/live_screenshot.png)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, utc_stamp, write_result  # noqa: E402
from signfuse.testing.browser import CHROMIUM, free_port, launch, serve  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
SHARED = ROOT.parent / "shared" / "data" / "real"
VIDEO = SHARED / "hands" / "gesture_test_video.mp4"
WINDOW_S, HOP_S = 2.0, 0.5


def pct(xs, q):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def load() -> str:
    la = os.getloadavg()
    return f"load average {la[0]:.2f} / {la[1]:.2f} / {la[2]:.2f} (1 / 5 / 15 min)"


def build_model(tmp: Path) -> tuple[Path, Path]:
    from signfuse.datasets.synthetic import generate_corpus
    from signfuse.inference.export import export_onnx
    from signfuse.train.fit import fit, resolve_config

    corpus = generate_corpus(tmp / "corpus", signs=8, signers=3, sentences=0, samples_per_sign_per_signer=2, seed=0)
    cfg = resolve_config(
        {
            "data": str(corpus),
            "epochs": 1,
            "batch_size": 16,
            "progress": False,
            "run_dir": str(tmp / "run"),
            "cache_dir": str(tmp / "cache"),
        }
    )
    ckpt = fit(cfg).last
    export_onnx(ckpt, tmp / "model.onnx")
    return ckpt, tmp / "model.onnx"


def to_y4m(src: Path, dst: Path, *, max_frames: int, max_side: int = 480, fps: int = 25) -> Path:
    from fractions import Fraction

    import av

    with av.open(str(src)) as inp:
        out = av.open(str(dst), "w", format="yuv4mpegpipe")
        st = None
        for n, frame in enumerate(inp.decode(inp.streams.video[0])):
            if st is None:
                s = min(1.0, max_side / max(frame.width, frame.height))
                st = out.add_stream("rawvideo", rate=Fraction(fps, 1))
                st.width, st.height = int(frame.width * s) // 2 * 2, int(frame.height * s) // 2 * 2
                st.pix_fmt = "yuv420p"
            img = frame.reformat(width=st.width, height=st.height, format="yuv420p")
            img.pts, img.time_base = n, Fraction(1, fps)
            for p in st.encode(img):
                out.mux(p)
            if n + 1 >= max_frames:
                break
        for p in st.encode(None):
            out.mux(p)
        out.close()
    return dst


def start_server(model, **kwargs):
    from signfuse.live.server import create_app, ws_implementation

    app = create_app(model, **kwargs)
    url, stop = serve(app, name="live server", ws=ws_implementation())
    return url, app, stop


class StandIn:
    """Shown in the screenshot only: a stand-in for the gloss-to-text model (no translation here)."""

    def translate(self, glosses):
        return ""


def browser_session(
    pw,
    model,
    y4m: Path,
    *,
    seconds: float,
    query: str = "",
    server_landmarks: bool = False,
    screenshot: Path | None = None,
) -> dict:
    url, app, stop = start_server(
        model, server_landmarks=server_landmarks, window_s=WINDOW_S, hop_s=HOP_S, threshold=0.3
    )
    browser = launch(pw, camera=y4m)
    try:
        page = browser.new_page(viewport={"width": 1200, "height": 640})
        page.goto(f"{url}/?keep=1{query}")
        t0 = time.perf_counter()
        page.click("#start")
        page.wait_for_function("() => window.signfuse.state.running || window.signfuse.state.error", timeout=120_000)
        t_start = time.perf_counter() - t0
        page.wait_for_timeout(int(seconds * 1000))
        if screenshot is not None:
            page.screenshot(path=str(screenshot))
        page.click("#start")
        page.wait_for_timeout(300)
        st = page.evaluate(
            "() => { const s = window.signfuse.state; return {error: s.error, mode: s.mode, "
            "latencies: s.latencies, landmarkMs: s.landmarkMs, sent: s.sent, n: s.captions.length,"
            " t0: s.t0, lastT: s.lastT}; }"
        )
    finally:
        browser.close()
        stop()
    if st["error"]:
        raise RuntimeError(f"the page failed: {st['error']}")
    st["start_s"] = t_start
    st["fps"] = (len(st["sent"]) - 1) / (st["sent"][-1]["t"] - st["sent"][0]["t"]) if len(st["sent"]) > 1 else 0.0
    st["closed_by_server"] = app.state.stats["closed_by_server"]
    return st


def model_share(ckpt: Path, onnx: Path, sent: list[dict], *, repeats: int = 3) -> dict:
    """The same recorded windows through ONNX and through the checkpoint (ms per window)."""
    from signfuse.inference.recognize import load_model
    from signfuse.live.captioner import SlidingWindow, recognize_window
    from signfuse.live.protocol import parse_frame

    win = SlidingWindow(window_s=WINDOW_S, hop_s=HOP_S)
    windows = [w for m in sent if (w := win.push(parse_frame(m))) is not None]
    out = {"windows": len(windows), "frames": statistics.mean(len(w) for w in windows) if windows else 0}
    for name, path in (("onnx", onnx), ("ckpt", ckpt)):
        model = load_model(path)
        recognize_window(model, windows[0], top_k=3, beam=0)  # warm up
        ts = []
        for _ in range(repeats):
            for w in windows:
                t = time.perf_counter()
                recognize_window(model, w, top_k=3, beam=0)
                ts.append(1000 * (time.perf_counter() - t))
        out[name] = ts
    return out


def record_stream(video: Path) -> list[dict]:
    """Landmark frame messages from the Python MediaPipe on a real video (as a 25 fps client sends them)."""
    import numpy as np

    from signfuse import vision

    msgs = []
    for f in vision.iter_frames(str(video)):
        n_face = f.data.shape[0] - 108
        cuts = {
            "pose": (0, 33, 4),
            "face": (33, 33 + n_face, 3),
            "left": (33 + n_face, 54 + n_face, 3),
            "right": (54 + n_face, 75 + n_face, 3),
            "world": (75 + n_face, f.data.shape[0], 4),
        }
        m = {"type": "frame", "id": f.index, "t": round(float(f.time), 4), "w": f.width, "h": f.height}
        for k, (a, b, dims) in cuts.items():
            c = f.confidence[a:b]
            if not (c > 0).any():
                m[k] = None
                continue
            d = f.data[a:b].astype(np.float64) / np.array([f.width, f.height, 1.0])
            if dims == 4:
                d = np.concatenate([d, c[:, None]], 1)
            m[k] = np.round(d, 6).ravel().tolist()
        msgs.append(m)
    return msgs


async def one_client(url: str, stream: list[dict], seconds: float, results: dict, k: int) -> None:
    import websockets

    period = stream[-1]["t"] + (stream[1]["t"] - stream[0]["t"])
    # serialized once (the client's JSON encoding is not what is measured): all but id and t
    bodies = [
        json.dumps({k: v for k, v in m.items() if k not in ("type", "id", "t")}, separators=(",", ":"))[1:]
        for m in stream
    ]
    sent_at: dict[int, float] = {}
    rtt, cap_rtt, behind = [], [], []
    n_caps = 0
    closed = None
    async with websockets.connect(url, max_size=2**22, origin=url.replace("ws://", "http://").rsplit("/", 1)[0]) as ws:
        await ws.send(json.dumps({"type": "hello", "mode": "landmarks"}))
        assert json.loads(await ws.recv())["type"] == "ready"
        done = asyncio.Event()

        async def reader():
            nonlocal n_caps, closed
            try:
                async for raw in ws:
                    m = json.loads(raw)
                    now = time.perf_counter()
                    if m["type"] == "ack":
                        rtt.append(1000 * (now - sent_at[m["id"]]))
                    elif m["type"] == "caption":
                        n_caps += 1
                        cap_rtt.append(1000 * (now - sent_at[m["frame_id"]]))
            except websockets.ConnectionClosed as e:
                closed = e
            done.set()

        rd = asyncio.create_task(reader())
        t0 = time.perf_counter() + 0.01 * k  # stagger the clients a little
        i = 0
        while True:
            loop_n, j = divmod(i, len(stream))
            t_rel = loop_n * period + stream[j]["t"]
            if t_rel > seconds:
                break
            wait = t0 + t_rel - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            behind.append(max(0.0, -wait) * 1000)
            msg = f'{{"type":"frame","id":{i},"t":{t_rel:.4f},' + bodies[j]
            sent_at[i] = time.perf_counter()
            await ws.send(msg)
            i += 1
        await asyncio.sleep(1.0)  # the last answers
        end_lag = 1000 * (time.perf_counter() - t0 - seconds) - 1000
        await ws.send(json.dumps({"type": "stop"}))
        await asyncio.wait_for(done.wait(), 10)
        await rd
    results[k] = {
        "sent": i,
        "acks": len(rtt),
        "rtt": rtt,
        "cap_rtt": cap_rtt,
        "captions": n_caps,
        "behind_ms": behind,
        "end_lag_ms": end_lag,
        "closed": None if closed is None or getattr(closed.rcvd, "code", 1000) == 1000 else str(closed),
    }


def server_work(onnx: Path, stream: list[dict], *, connections: int, seconds: float) -> dict:
    """The server's own work for the load test's frames, without sockets: JSON parsing, frame checks,
    the window and the model, for ``connections`` streams of ``seconds`` each, in one thread."""
    from signfuse.inference.recognize import load_model
    from signfuse.live.captioner import Captioner
    from signfuse.live.protocol import parse_frame

    model = load_model(onnx)
    period = stream[-1]["t"] + (stream[1]["t"] - stream[0]["t"])
    texts = []
    for i in range(10**9):
        loop_n, j = divmod(i, len(stream))
        t_rel = loop_n * period + stream[j]["t"]
        if t_rel > seconds:
            break
        texts.append(json.dumps(dict(stream[j], id=i, t=round(t_rel, 4)), separators=(",", ":")))
    cpu0, n_caps = time.process_time(), 0
    for _ in range(connections):
        cap = Captioner(model, window_s=WINDOW_S, hop_s=HOP_S)
        for text in texts:
            w = cap.add(parse_frame(json.loads(text)))
            if w is not None:
                cap.caption(w)
                n_caps += 1
    cpu = time.process_time() - cpu0
    return {"cpu_s": cpu, "frames": connections * len(texts), "captions": n_caps, "stream_s": seconds}


def load_test(onnx: Path, stream: list[dict], *, connections: int, seconds: float) -> dict:
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "signfuse.cli",
            "live",
            str(onnx),
            "--port",
            str(port),
            "--max-connections",
            str(max(16, connections)),
            "--window",
            str(WINDOW_S),
            "--hop",
            str(HOP_S),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        import httpx

        for _ in range(600):
            try:
                if httpx.get(url + "/api/config", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the live server did not start: " + proc.stderr.read().decode()[-2000:])
        results: dict = {}

        async def main():
            await asyncio.gather(
                *(one_client(f"ws://127.0.0.1:{port}/ws", stream, seconds, results, k) for k in range(connections))
            )

        cpu0, own0, t = proc_cpu_s(proc.pid), time.process_time(), time.perf_counter()
        asyncio.run(main())
        wall = time.perf_counter() - t
        server_cpu, client_cpu = proc_cpu_s(proc.pid) - cpu0, time.process_time() - own0
    finally:
        proc.terminate()
        proc.wait(10)
    return {"results": results, "wall_s": wall, "server_cpu_s": server_cpu, "client_cpu_s": client_cpu}


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc), all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20.0, help="capture seconds per browser session")
    ap.add_argument("--load-seconds", type=float, default=20.0, help="seconds each load-test client streams")
    ap.add_argument("--connections", type=int, default=8)
    args = ap.parse_args()
    if not VIDEO.is_file():
        sys.exit(f"{VIDEO} not found: this benchmark needs the shared real video")
    if not CHROMIUM.exists():
        sys.exit("/usr/bin/chromium is missing (bash scripts/sysdeps.sh)")
    from playwright.sync_api import sync_playwright

    from signfuse.inference.recognize import load_model
    from signfuse.live.server import HOLISTIC_VERSION, wasm_assets_present

    if not wasm_assets_present():
        sys.exit("the pinned @mediapipe/holistic files are missing (make webassets)")
    load_before = load()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        ckpt, onnx = build_model(tmp)
        y4m = to_y4m(VIDEO, tmp / "cam.y4m", max_frames=195)
        model = load_model(onnx)
        with sync_playwright() as pw:
            wasm = browser_session(pw, model, y4m, seconds=args.seconds, screenshot=RESULTS / "live_screenshot.png")
            server = browser_session(pw, model, y4m, seconds=args.seconds, query="&mode=server", server_landmarks=True)
        share = model_share(ckpt, onnx, wasm["sent"])
        stream = record_stream(VIDEO)
        page_stream = [dict(m, t=round(m["t"] - wasm["sent"][0]["t"], 4)) for m in wasm["sent"]]
        work = server_work(onnx, stream, connections=args.connections, seconds=args.load_seconds)
        lt = [
            (
                "Python MediaPipe, 25 fps",
                stream,
                load_test(onnx, stream, connections=args.connections, seconds=args.load_seconds),
            ),
            (
                "recorded from the page above",
                page_stream,
                load_test(onnx, page_stream, connections=args.connections, seconds=args.load_seconds),
            ),
        ]
        n_params = sum(p.numel() for p in load_model(ckpt).model.parameters())
    load_after = load()
    write(args, wasm, server, share, lt, work, n_params, load_before, load_after, HOLISTIC_VERSION)


def load_row(args, label, stream, lt) -> str:
    res = lt["results"]
    rtt = [x for r in res.values() for x in r["rtt"]]
    cap = [x for r in res.values() for x in r["cap_rtt"]]
    behind = [x for r in res.values() for x in r["behind_ms"]]
    dropped = sum(r["closed"] is not None or r["acks"] != r["sent"] for r in res.values())
    sent = sum(r["sent"] for r in res.values())
    fps = (len(stream) - 1) / (stream[-1]["t"] - stream[0]["t"])
    held = dropped == 0 and pct(rtt, 95) < min(4000 / fps, 500) and max(behind) < 500
    return (
        f"| {label} | {fps:.1f} | {args.connections} | {sent} | {dropped} | "
        f"{pct(rtt, 50):.1f} / {pct(rtt, 95):.1f} | {pct(cap, 50):.1f} / {pct(cap, 95):.1f} | "
        f"{sum(r['captions'] for r in res.values())} | {pct(behind, 95):.1f} / {max(behind):.1f} | "
        f"{lt['server_cpu_s'] / lt['wall_s']:.2f} / {lt['client_cpu_s'] / lt['wall_s']:.2f} | "
        f"{'**yes**' if held else '**no**'} |"
    )


def row(name, st) -> str:
    e2e = [x["e2e_ms"] for x in st["latencies"]]
    mod = [x["model_ms"] for x in st["latencies"]]
    srv = [x["server_ms"] for x in st["latencies"]]
    lm = st["landmarkMs"]
    rest = [x["e2e_ms"] - x["landmark_ms"] for x in st["latencies"] if x.get("landmark_ms") is not None]
    return (
        f"| {name} | {st['fps']:.1f} | {pct(lm, 50):.0f} / {pct(lm, 95):.0f} | {len(e2e)} | "
        f"**{pct(e2e, 50):.0f} / {pct(e2e, 95):.0f}** | {pct(rest, 50):.0f} / {pct(rest, 95):.0f} | "
        f"{pct(srv, 50):.1f} / {pct(srv, 95):.1f} | "
        f"{pct(mod, 50):.1f} / {pct(mod, 95):.1f} | {100 * statistics.mean(mod) / statistics.mean(e2e):.0f}% |"
    )


def _idle(load_text: str) -> bool:
    """Whether a load line ("load average 0.70 / ...") starts below 1.0 on this machine."""
    import re

    m = re.search(r"([\d.]+)", str(load_text))
    return bool(m) and float(m.group(1)) < 1.0


def write(args, wasm, server, share, lt, work, n_params, load_before, load_after, holistic_version) -> None:
    e2e95 = pct([x["e2e_ms"] for x in wasm["latencies"]], 95)
    on, ck = share["onnx"], share["ckpt"]
    lines = [
        "# Live captions (`signfuse live`)",
        "",
        f"{utc_stamp()}; {machine(python=True)}. Load before: {load_before}; after: {load_after}"
        + (
            " (the cores were about idle: the benchmark's own browser and server make the load). "
            if _idle(load_before)
            else ". **The machine was shared** with other jobs, so every time below is an upper bound of what "
            "the code needs. "
        )
        + "Run: `.venv/bin/python benchmarks/bench_live.py` "
        f"(`--seconds {args.seconds:g} --load-seconds {args.load_seconds:g} --connections {args.connections}`).",
        "",
        f"Model: the default `hybrid` recognizer (streams hands, body, face; {n_params:,} parameters) as ONNX "
        f"(onnxruntime), window {WINDOW_S:g} s, hop {HOP_S:g} s; trained one epoch on a small synthetic corpus "
        "(speed only; its captions mean nothing). Browser: Debian chromium, headless, fake camera playing "
        f"`hands/gesture_test_video.mp4` (real, 480x270 at 25 fps, looping); `@mediapipe/holistic@{holistic_version}` "
        "in the page with CPU inference (`useCpuInference`; WebGL from SwiftShader, there is no GPU).",
        "",
        "## End to end in the browser",
        "",
        "End-to-end latency: from the moment the page takes a camera frame to the caption update for the window "
        "that frame closes (landmarks + WebSocket + window + model + back). Without landmarks = the same minus "
        "that frame's landmark time (in-page Holistic; with `--server-landmarks`, the server's Holistic). Server = from the frame's arrival to the caption's departure; model = "
        "`_predict` on the window (streams + inference).",
        "",
        "| landmarks | landmark frames/s | landmarks per frame, ms p50 / p95 | captions | **end to end, ms p50 / p95** "
        "| end to end without that frame's landmarks, ms p50 / p95 | server, ms p50 / p95 | model, ms p50 / p95 "
        "| model's share of end to end |",
        "|---|---|---|---|---|---|---|---|---|",
        row("in the page (WASM Holistic)", wasm),
        row("`--server-landmarks` (JPEG, Python Holistic)", server),
        "",
        f"Goal p95 <= 250 ms (in-page landmarks): **{'met' if e2e95 <= 250 else 'not met'}** ({e2e95:.0f} ms; "
        f"with `--server-landmarks` {pct([x['e2e_ms'] for x in server['latencies']], 95):.0f} ms) at this load. "
        "Most of the end-to-end time is MediaPipe Holistic itself (the per-frame landmark column), not the "
        "server: the model and window are a few milliseconds. Landmark frames/s is what the page's Holistic "
        "graph sustains on this CPU (it is the page's frame rate: a frame is taken when the previous one is done).",
        "",
        "## The model's share, side by side (same windows, same run)",
        "",
        f"{share['windows']} windows of {share['frames']:.0f} frames on average (recorded from the in-page run), "
        "3 passes each:",
        "",
        "| model file | ms per window p50 | p95 | ratio (p50) |",
        "|---|---|---|---|",
        f"| ONNX (onnxruntime) | {pct(on, 50):.2f} | {pct(on, 95):.2f} | 1.00 |",
        f"| checkpoint (PyTorch) | {pct(ck, 50):.2f} | {pct(ck, 95):.2f} | {pct(ck, 50) / pct(on, 50):.2f} |",
        "",
        f"## {args.connections} concurrent connections (load test on 127.0.0.1)",
        "",
        f"A `signfuse live` server in its own process; {args.connections} asyncio clients (`websockets`) in "
        "another, each replaying a recorded landmark stream in real time (looped) for "
        f"{args.load_seconds:g} s: the Python MediaPipe's landmarks of the same video at the camera's 25 fps "
        "(harder than the page here, whose Holistic sustains fewer frames/s), and the frames the page sent in "
        "the run above. Per message = a frame sent to its ack (parse + window, and the model when a caption is "
        "due); caption round trip = the frame that closes a window to its caption.",
        "",
        "| stream | frames/s | clients | frames sent | dropped connections | per message, ms p50 / p95 "
        "| caption round trip, ms p50 / p95 | captions | client behind schedule, ms p95 / max "
        "| CPU cores used, server / clients | held real time |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *[load_row(args, label, st, res) for label, st, res in lt],
        "",
        "Held real time: no dropped connection, every frame acknowledged, p95 per message below four frame "
        "periods and below 500 ms, and no client more than 500 ms behind its schedule. CPU cores used = the process's CPU "
        "seconds (user + system) over the wall time: what the work costs, whatever the machine's load; on a "
        "machine this busy a process gets well under one core, so a stream that needs more falls behind.",
        "",
        f"The server's own work for the 25 fps load, measured without sockets in one thread (JSON parsing, "
        f"frame checks, window, model): {work['frames']} frames and {work['captions']} captions took "
        f"{work['cpu_s']:.1f} CPU s, {1000 * work['cpu_s'] / work['frames']:.2f} ms per frame including the "
        f"captions, i.e. **{work['cpu_s'] / work['stream_s']:.2f} of one core** for {args.connections} "
        f"connections at 25 fps in real time (the WebSocket framing and the event loop come on top).",
        "",
        "Screenshot of the page during the in-page run: [live_screenshot.png](live_screenshot.png)",
        "",
    ]
    out = write_result(RESULTS / "live.md", "\n".join(lines))
    print(out.read_text())


if __name__ == "__main__":
    main()
