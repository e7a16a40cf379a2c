"""The live page in Debian's chromium (playwright), with the camera faked from video files.

Chromium's fake camera (``--use-fake-device-for-media-stream --use-file-for-fake-video-capture=X.y4m``)
plays a YUV4MPEG2 file, converted here with PyAV from: a synthetic corpus sentence rendered to video
(``signfuse render``'s drawing), and the real videos in ``../shared/data/real/hands/`` and
``../shared/data/real/msl150/`` (skipped when absent). MediaPipe Holistic runs *in the page* (the
pinned WASM package, CPU inference; WebGL comes from SwiftShader, chromium's software GL), the page
sends landmark frames, the server captions them. The tests check that captions appear, that each one
equals recognizing its window offline, that the frames the page sent rebuild the same captions, and
that transcripts download (text, SRT, ELAN .eaf read back with pympi). The ``--server-landmarks``
fallback (JPEG frames, MediaPipe on the server) is tested the same way.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from signfuse.testing.browser import launch, serve

from .conftest import to_y4m

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


def start_server(model, **kwargs):
    """The live app under uvicorn in a daemon thread; returns (base_url, app, stop)."""
    from signfuse.live.server import create_app, ws_implementation

    app = create_app(model, **kwargs)
    url, stop = serve(app, name="live server", ws=ws_implementation())
    return url, app, stop


@pytest.fixture(scope="module")
def wasm():
    from signfuse.live.server import VENDOR_DIR, wasm_assets_present

    if not wasm_assets_present():
        pytest.skip(f"the pinned @mediapipe/holistic files are not in {VENDOR_DIR} (run `make webassets`)")


@pytest.fixture(scope="module")
def synthetic_video(live_corpus, tmp_path_factory) -> Path:
    """A synthetic corpus sentence drawn to video by signfuse's renderer, as y4m."""
    from signfuse import io
    from signfuse.datasets import load_entries
    from signfuse.io.render import render

    d = tmp_path_factory.mktemp("synvideo")
    seq = io.read(load_entries(live_corpus, task="continuous")[0].path)
    mp4 = render(seq, d / "sentence.mp4", width=320, height=320)
    return to_y4m(mp4, d / "sentence.y4m", max_frames=120)


def real_video(shared_data: Path, rel: str, tmp_path_factory) -> Path:
    src = shared_data / "real" / rel
    if not src.is_file():
        pytest.skip(f"real video {src} not found")
    return to_y4m(src, tmp_path_factory.mktemp("realvideo") / (src.stem + ".y4m"), max_frames=100)


def run_page(pw, url: str, y4m: Path, *, query: str = "", n_captions: int = 3, timeout_s: float = 90):
    """Open the page with the fake camera, press Start, wait for ``n_captions``, download the
    transcripts, press Stop. Returns (state, dom captions, downloads, console errors)."""
    browser = launch(pw, camera=y4m)
    errors: list[str] = []
    try:
        page = browser.new_page(accept_downloads=True)
        outside: list[str] = []  # the page must work offline: every asset from the signfuse server
        page.on("request", lambda r: None if r.url.startswith((url, "blob:", "data:")) else outside.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{url}/?keep=1{query}")
        page.click("#start")
        page.wait_for_function(
            f"() => window.signfuse.state.captions.length >= {n_captions} || window.signfuse.state.error",
            timeout=timeout_s * 1000,
        )
        page.click("#start")  # Stop
        page.wait_for_function("() => !window.signfuse.state.running")
        page.wait_for_timeout(300)  # a caption still on the wire
        state = page.evaluate(
            "() => { const s = window.signfuse.state; return {error: s.error, mode: s.mode, "
            "wasmError: s.wasmError, sent: s.sent, captions: s.captions, latencies: s.latencies}; }"
        )
        assert state["error"] is None, (state["error"], errors)
        dom = page.eval_on_selector_all(
            "#captions .caption",
            "els => els.map(e => ({glosses: e.dataset.glosses, "
            "text: e.dataset.text, sure: e.dataset.sure, seq: +e.dataset.seq, shown: e.textContent}))",
        )
        info = {
            "fps": page.text_content("#fps"),
            "latency": page.text_content("#latency"),
            "sentence": page.get_attribute("#sentence", "data-glosses"),
        }
        downloads = {}
        for fmt in ("txt", "srt", "eaf"):
            with page.expect_download() as d:
                page.click(f"#dl-{fmt}")
            downloads[fmt] = Path(d.value.path()).read_text(encoding="utf-8")
        assert outside == [], f"the page fetched from elsewhere than its server: {outside}"
        return state, dom, info, downloads, errors
    finally:
        browser.close()


def _check_offline(model_path, windows, captions, tmp_path):
    """Each server caption equals ``recognize`` of its window written to a landmark file."""
    from signfuse import io
    from signfuse.inference.recognize import recognize
    from signfuse.live.captioner import window_sequence

    for k, (frames, cap) in enumerate(zip(windows, captions)):
        off = recognize(
            model_path, io.write(window_sequence(frames), tmp_path / f"win{k}.npz"), top_k=3, force=True
        )  # the synthetic drawing has no detections; live captions it anyway
        if "top" in off:
            assert [t["gloss"] for t in off["top"]] == [t["gloss"] for t in cap["top"]]
            assert off["top"][0]["probability"] == pytest.approx(cap["probability"], abs=1e-5)
        else:
            assert off["glosses"] == cap["glosses"]


def _check_downloads(downloads, tmp_path):
    pympi = pytest.importorskip("pympi")
    p = tmp_path / "live.eaf"
    p.write_text(downloads["eaf"], encoding="utf-8")
    eaf = pympi.Elan.Eaf(str(p))
    assert "glosses" in eaf.get_tier_names()
    rows = eaf.get_annotation_data_for_tier("glosses")
    assert downloads["srt"].count("-->") == len(rows) == len(downloads["txt"].splitlines())
    return rows


def _replay(model, sent, **settings):
    """The captions the server must give for the frames the page sent (parse + Captioner offline)."""
    from signfuse.live.captioner import Captioner
    from signfuse.live.protocol import parse_frame

    cap = Captioner(model, **settings)
    return [c for m in sent if (c := cap.push(parse_frame(m))) is not None]


SETTINGS = {"window_s": 1.0, "hop_s": 0.5, "threshold": 0.3}


def _session(pw, model_path, y4m, tmp_path, *, query="", server_landmarks=False, translator=None, n=3):
    from signfuse.inference.recognize import load_model

    model = load_model(model_path)
    windows, caps = [], []
    url, app, stop = start_server(
        model,
        server_landmarks=server_landmarks,
        translator=translator,
        observer=lambda w, c: (windows.append(list(w)), caps.append(c)),
        **SETTINGS,
    )
    try:
        state, dom, info, downloads, errors = run_page(pw, url, y4m, query=query, n_captions=n)
    finally:
        stop()
    assert app.state.stats["closed_by_server"] == 0 and app.state.active == 0
    # the page shows every caption the server sent, in order, with the server's glosses
    page_caps = state["captions"]
    assert len(page_caps) >= n and len(dom) == len(page_caps)
    assert [d["glosses"] for d in dom] == [" ".join(c["glosses"]) for c in page_caps]
    assert [c["glosses"] for c in page_caps] == [c["glosses"] for c in caps[: len(page_caps)]]
    _check_offline(model_path, windows[: len(page_caps)], caps, tmp_path)
    assert float(info["fps"]) > 0 and info["latency"].endswith("ms)")
    assert all(x["e2e_ms"] is not None and x["e2e_ms"] >= x["model_ms"] for x in state["latencies"])
    return model, state, dom, info, downloads, errors, caps


def test_wasm_page_on_a_synthetic_sentence(pw, wasm, continuous_model, synthetic_video, tmp_path):
    model, state, dom, info, downloads, errors, caps = _session(pw, continuous_model, synthetic_video, tmp_path)
    assert state["mode"] == "wasm", state["wasmError"]
    # the frames the page sent rebuild the same captions offline
    replay = _replay(model, state["sent"], **SETTINGS)
    assert [c["glosses"] for c in replay[: len(state["captions"])]] == [c["glosses"] for c in state["captions"]]
    assert [c["sentence"] for c in replay[: len(state["captions"])]] == [c["sentence"] for c in state["captions"]]
    assert info["sentence"] == " ".join(state["captions"][-1]["sentence"])
    _check_downloads(downloads, tmp_path)


@pytest.mark.parametrize("rel", ["hands/gesture_test_video.mp4", "msl150/doctor_001.mp4"])
def test_wasm_page_on_real_video(pw, wasm, isolated_model, shared_data, tmp_path_factory, tmp_path, rel):
    class StandIn:  # stands in for signfuse.translate.load_translator(CKPT) (built in parallel)
        def translate(self, glosses):
            return "(" + " ".join(glosses).lower() + ")"

    y4m = real_video(shared_data, rel, tmp_path_factory)
    model, state, dom, info, downloads, errors, caps = _session(
        pw, isolated_model["onnx"], y4m, tmp_path, translator=StandIn()
    )
    assert state["mode"] == "wasm", state["wasmError"]
    # MediaPipe in the page found the signer: pose and at least one hand in some frames
    sent = state["sent"]
    assert sum(m["pose"] is not None for m in sent) >= len(sent) // 2
    assert any(m["left"] is not None or m["right"] is not None for m in sent)
    replay = _replay(model, sent, **SETTINGS)
    n = len(state["captions"])
    assert [c["glosses"] for c in replay[:n]] == [c["glosses"] for c in state["captions"]]
    for r, c in zip(replay, state["captions"]):
        assert r["probability"] == pytest.approx(c["probability"], abs=1e-5)
    # isolated: top sign with its probability; "not sure" below the threshold; translated when sure
    for d, c in zip(dom, state["captions"]):
        assert d["sure"] == ("true" if c["probability"] >= SETTINGS["threshold"] else "false")
        assert d["text"] == (f"({c['glosses'][0].lower()})" if c["sure"] else "")
        assert (f"{round(100 * c['probability'])}%" in d["shown"]) and (("not sure" in d["shown"]) != c["sure"])
    rows = _check_downloads(downloads, tmp_path)
    assert len(rows) >= 1 or not any(c["sure"] for c in state["captions"])
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_server_landmarks_page(pw, isolated_model, shared_data, tmp_path_factory, tmp_path):
    """The fallback: the page sends downscaled JPEG frames, MediaPipe runs on the server."""
    y4m = real_video(shared_data, "hands/gesture_test_video.mp4", tmp_path_factory)
    model, state, dom, info, downloads, errors, caps = _session(
        pw, isolated_model["onnx"], y4m, tmp_path, query="&mode=server", server_landmarks=True
    )
    assert state["mode"] == "server"
    assert state["sent"] and all(m["bytes"] < 64_000 for m in state["sent"])  # small JPEGs
    assert all(x["landmark_ms"] > 0 for x in state["latencies"])
    _check_downloads(downloads, tmp_path)


def test_fallback_when_the_wasm_graph_cannot_start(pw, isolated_model, shared_data, tmp_path_factory):
    """With the WASM files unreachable (as in a browser that cannot run them), the page falls back to
    --server-landmarks when the server offers it, and otherwise says how to start the server."""
    from signfuse.inference.recognize import load_model

    y4m = real_video(shared_data, "hands/gesture_test_video.mp4", tmp_path_factory)
    model = load_model(isolated_model["onnx"])
    for server_landmarks in (True, False):
        url, app, stop = start_server(model, server_landmarks=server_landmarks, **SETTINGS)
        browser = launch(pw, camera=y4m)
        try:
            page = browser.new_page()
            page.route("**/static/vendor/**", lambda route: route.abort())
            page.goto(f"{url}/?mode=wasm")
            page.click("#start")
            page.wait_for_function(
                "() => window.signfuse.state.captions.length >= 1 || window.signfuse.state.error", timeout=90_000
            )
            st = page.evaluate(
                "() => ({mode: window.signfuse.state.mode, error: window.signfuse.state.error, "
                "wasmError: window.signfuse.state.wasmError})"
            )
            assert "could not load" in st["wasmError"]
            if server_landmarks:
                assert st["mode"] == "server" and st["error"] is None
                assert "JPEG" in page.text_content("#privacy")
            else:
                assert "--server-landmarks" in st["error"] and "--server-landmarks" in page.text_content("#status")
        finally:
            browser.close()
            stop()
