"""The live server without a browser (Starlette's TestClient): the WebSocket protocol, captions equal to
the Captioner offline, the safety limits, the transcript endpoint and the CLI."""

from __future__ import annotations

import json

import pytest

from .conftest import frame_message, sequence_frames

pytest.importorskip("fastapi")


@pytest.fixture(scope="module")
def frames(live_corpus):
    from signfuse import io
    from signfuse.datasets import load_entries

    return sequence_frames(io.read(load_entries(live_corpus, task="isolated")[0].path))


@pytest.fixture(scope="module")
def model(isolated_model):
    from signfuse.inference.recognize import load_model

    return load_model(isolated_model["onnx"])


def _client(model, **kw):
    from fastapi.testclient import TestClient

    from signfuse.live.server import create_app

    return TestClient(create_app(model, **kw))


def _close_reason(ws):
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as e:
        for _ in range(100):
            ws.receive_text()
    return e.value.code, e.value.reason


def test_captions_over_the_websocket_equal_the_captioner(model, frames):
    from signfuse.live.captioner import Captioner

    class Upper:
        def translate(self, glosses):
            return " ".join(glosses).lower().capitalize() + "."

    seen = []
    c = _client(model, window_s=0.6, hop_s=0.3, threshold=0.0, translator=Upper(),
                observer=lambda win, cap: seen.append((len(win), cap["seq"])))
    got = []
    with c.websocket_connect("/ws") as ws:
        ws.send_text(json.dumps({"type": "hello", "mode": "landmarks"}))
        ready = ws.receive_json()
        assert ready["type"] == "ready" and ready["task"] == "isolated" and ready["translate"] is True
        for f in frames:
            ws.send_text(json.dumps(frame_message(f)))
            m = ws.receive_json()
            if m["type"] == "caption":                              # a due caption comes before the ack
                got.append(m)
                m = ws.receive_json()
            assert m == {"type": "ack", "id": f.index, "server_ms": m["server_ms"]}
            assert len(seen) == len(got)
        ws.send_text(json.dumps({"type": "stop"}))
        assert _close_reason(ws) == (1000, "stopped")
    ref = Captioner(model, window_s=0.6, hop_s=0.3, threshold=0.0, translator=Upper())
    want = [r for f in frames if (r := ref.push(f)) is not None]
    assert len(got) == len(want) >= 3
    for g, w in zip(got, want):
        assert g["type"] == "caption" and g["glosses"] == w["glosses"] and g["frames"] == w["frames"]
        assert g["probability"] == pytest.approx(w["probability"], abs=1e-5)
        assert g["text"] == w["text"] == w["glosses"][0].lower().capitalize() + "."
        assert g["model_ms"] > 0 and g["server_ms"] >= g["model_ms"]
    assert [s for _, s in seen] == list(range(len(got)))


@pytest.mark.parametrize("first, then, code, reason", [
    ("not json", None, 1007, "not valid JSON"),
    ({"type": "frame", "id": 0, "t": 0, "w": 1, "h": 1}, None, 1008, "hello"),
    ({"type": "hello", "mode": "video"}, None, 1007, "must be 'landmarks' or 'jpeg'"),
    ({"type": "hello", "mode": "jpeg"}, None, 1008, "--server-landmarks"),
    ({"type": "hello", "mode": "landmarks"}, {"type": "frame", "id": 0, "t": 0, "w": 64, "h": 48, "pose": [1]},
     1007, "'pose'"),
    ({"type": "hello", "mode": "landmarks"}, {"type": "shout"}, 1007, "unknown message type"),
    ({"type": "hello", "mode": "landmarks"}, b"\xff\xd8\xff", 1008, "binary JPEG frames need"),
])
def test_malformed_messages_close_only_that_connection(model, frames, first, then, code, reason):
    c = _client(model)
    with c.websocket_connect("/ws") as good:
        good.send_text(json.dumps({"type": "hello", "mode": "landmarks"}))
        assert good.receive_json()["type"] == "ready"
        with c.websocket_connect("/ws") as bad:
            bad.send_text(first if isinstance(first, str) else json.dumps(first))
            if then is not None:
                bad.receive_json()   # ready
                bad.send_bytes(then) if isinstance(then, bytes) else bad.send_text(json.dumps(then))
            got_code, got_reason = _close_reason(bad)
            assert got_code == code and reason in got_reason
        good.send_text(json.dumps(frame_message(frames[0])))                # the other one goes on
        assert good.receive_json()["type"] == "ack"
    assert c.app.state.active == 0 and c.app.state.stats["closed_by_server"] == 1


def test_limits_and_order(model, frames):
    size = len(json.dumps(frame_message(frames[0])))
    c = _client(model, max_message_bytes=size + 100, max_connection_bytes=5 * size, max_connections=2)
    hello = json.dumps({"type": "hello", "mode": "landmarks"})
    with c.websocket_connect("/ws") as ws:                      # one message too large
        ws.send_text(hello)
        ws.receive_json()
        ws.send_text(json.dumps(frame_message(frames[0])) + " " * 200)
        code, reason = _close_reason(ws)
        assert code == 1009 and f"larger than {size + 100}" in reason
    with c.websocket_connect("/ws") as ws:                      # too much in total
        ws.send_text(hello)
        ws.receive_json()
        for f in frames[:10]:
            ws.send_text(json.dumps(frame_message(f)))
        code, reason = _close_reason(ws)
        assert code == 1008 and f"more than {5 * size} bytes" in reason
    with c.websocket_connect("/ws") as ws:                      # time going backwards
        ws.send_text(hello)
        ws.receive_json()
        ws.send_text(json.dumps(frame_message(frames[1])))
        ws.receive_json()
        ws.send_text(json.dumps(frame_message(frames[0])))
        code, reason = _close_reason(ws)
        assert code == 1007 and "not after" in reason
    with c.websocket_connect("/ws") as a, c.websocket_connect("/ws") as b:   # a bounded number
        with c.websocket_connect("/ws") as third:
            code, reason = _close_reason(third)
            assert code == 1013 and "too many connections (at most 2)" in reason
        a.send_text(hello)
        b.send_text(hello)
        assert a.receive_json()["type"] == b.receive_json()["type"] == "ready"


def test_host_and_origin_checks(model):
    from starlette.websockets import WebSocketDisconnect

    c = _client(model)
    assert c.get("/", headers={"host": "evil.example"}).status_code == 400
    r = c.get("/")
    assert r.status_code == 200 and 'id="captions"' in r.text
    assert "'wasm-unsafe-eval'" in r.headers["content-security-policy"]
    assert "unsafe-inline" not in r.headers["content-security-policy"]
    with pytest.raises(WebSocketDisconnect) as e:
        with c.websocket_connect("/ws", headers={"host": "evil.example"}):
            pass
    assert e.value.code == 1008
    with pytest.raises(WebSocketDisconnect) as e:
        with c.websocket_connect("/ws", headers={"origin": "http://evil.example"}):
            pass
    assert e.value.code == 1008
    with c.websocket_connect("/ws", headers={"origin": "http://testserver"}) as ws:
        ws.send_text(json.dumps({"type": "hello", "mode": "landmarks"}))
        assert ws.receive_json()["type"] == "ready"
    cfg = c.get("/api/config").json()
    assert cfg["task"] == "isolated" and cfg["translate"] is False and cfg["server_landmarks"] is False
    open_ = _client(model, allowed_hosts=None)
    assert open_.get("/", headers={"host": "192.168.1.20:8766"}).status_code == 200


def test_transcript_endpoint(model):
    pytest.importorskip("pympi")
    c = _client(model)
    caps = [{"start": 0.0, "end": 2.0, "glosses": ["HELLO"], "sure": True},
            {"start": 0.5, "end": 2.5, "glosses": ["HELLO"], "sure": True}]
    body = json.dumps({"captions": caps})
    assert c.post("/api/transcript?format=srt", content=body).status_code == 403     # no X-Signfuse header
    h = {"X-Signfuse": "1", "content-type": "application/json"}
    r = c.post("/api/transcript?format=srt", content=body, headers=h)
    assert r.status_code == 200 and r.text.startswith("1\n00:00:00,000 --> 00:00:02,500\nHELLO")
    assert r.headers["content-disposition"].endswith('.srt"')
    r = c.post("/api/transcript?format=eaf", content=body, headers=h)
    assert r.status_code == 200 and "<ANNOTATION_DOCUMENT" in r.text
    assert c.post("/api/transcript?format=doc", content=body, headers=h).status_code == 422
    assert c.post("/api/transcript?format=txt", content='{"captions": [{"start": "x"}]}', headers=h).status_code == 422


def test_server_landmarks_jpeg_frames(model, tmp_path):
    """--server-landmarks: JPEG frames in, MediaPipe landmarks out (drawn by the page), captions equal to
    the Captioner over the same server-extracted frames."""
    pytest.importorskip("mediapipe")
    import io as _io

    from PIL import Image

    from signfuse.live.captioner import Captioner
    from signfuse.live.protocol import JPEG_HEADER
    from signfuse.testing.media import moving_frames, photo

    windows = []
    c = _client(model, server_landmarks=True, window_s=0.2, hop_s=0.12,
                observer=lambda win, cap: windows.append(list(win)))
    sent = []
    with c.websocket_connect("/ws") as ws:
        ws.send_text(json.dumps({"type": "hello", "mode": "jpeg"}))
        assert ws.receive_json()["mode"] == "jpeg"
        caps = []
        for i, img in enumerate(moving_frames(photo("astronaut"), 8)):
            buf = _io.BytesIO()
            Image.fromarray(img).save(buf, format="JPEG", quality=90)
            sent.append(buf.getvalue())
            ws.send_bytes(JPEG_HEADER.pack(i / 25, i, img.shape[1], img.shape[0]) + buf.getvalue())
            lm = ws.receive_json()
            if lm["type"] == "caption":
                caps.append(lm)
                lm = ws.receive_json()
            assert lm["type"] == "landmarks" and lm["id"] == i and lm["pose"] is not None
            assert len(windows) == len(caps)
        ws.send_bytes(JPEG_HEADER.pack(1.0, 99, 64, 48) + b"\xff\xd8\xff" + b"junk" * 10)
        code, reason = _close_reason(ws)
        assert code == 1007 and "unreadable JPEG" in reason
    assert len(caps) >= 2 and all(c["landmark_ms"] > 0 for c in caps)   # the server's Holistic time
    ref = Captioner(model, window_s=0.2, hop_s=0.12)
    frames = {f.index: f for win in windows for f in win}
    want = [r for i in sorted(frames) if (r := ref.push(frames[i])) is not None]
    assert [w["glosses"] for w in want] == [c_["glosses"] for c_ in caps]


def test_cli_live(isolated_model, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from signfuse.cli import cli
    from signfuse.live import server

    calls = {}
    monkeypatch.setattr(server, "serve", lambda model, **kw: calls.update(model=model, **kw))
    out = CliRunner().invoke(cli, ["live", str(isolated_model["onnx"]), "--host", "0.0.0.0", "--port", "9001",
                                   "--threshold", "0.7"])
    assert out.exit_code == 0, out.output
    assert calls["host"] == "0.0.0.0" and calls["port"] == 9001 and calls["threshold"] == 0.7
    assert calls["translator"] is None and "reachable from other machines" in out.output
    out = CliRunner().invoke(cli, ["live", str(tmp_path / "missing.onnx")])
    assert out.exit_code != 0 and "no such file" in out.output
    out = CliRunner().invoke(cli, ["live", str(isolated_model["onnx"]), "--translate", str(isolated_model["onnx"])])
    assert out.exit_code != 0     # not a translation checkpoint (or no translation module in this build)
    from signfuse.cli import live as live_cli

    class StandIn:
        def translate(self, glosses):
            return " ".join(glosses)

    loaded = []
    monkeypatch.setattr(live_cli, "load_translator", lambda p: loaded.append(p) or StandIn())
    ckpt = tmp_path / "tr.ckpt"
    ckpt.write_bytes(b"stand-in")
    out = CliRunner().invoke(cli, ["live", str(isolated_model["onnx"]), "--translate", str(ckpt),
                                   "--server-landmarks"])
    assert out.exit_code == 0, out.output
    assert loaded == [ckpt] and isinstance(calls["translator"], StandIn) and calls["server_landmarks"] is True
    assert calls["host"] == "127.0.0.1" and "reachable" not in out.output
