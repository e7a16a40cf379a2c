"""The OpenAI-compatible back end against a stand-in server.

The HTTP server below is a STAND-IN for an LLM server (llama.cpp, vLLM, Ollama, a hosted API): it runs
no model; it records each request and returns canned chat completions, so the test checks the request
format, few-shot retrieval, retries and errors. No real LLM runs here.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from signfuse.translate import LLMError, LLMTranslator
from signfuse.translate.corpus import Pair

TRAIN = [
    Pair("a", ("MORGEN", "REGEN"), "morgen regnet es"),
    Pair("b", ("HEUTE", "SONNE"), "heute scheint die sonne"),
    Pair("c", ("NORD", "WIND", "STARK"), "im norden weht ein starker wind"),
    Pair("d", ("SUED", "SCHNEE"), "im süden schneit es"),
]


class _StandIn(BaseHTTPRequestHandler):
    requests: list = []
    fail_first = 0
    answer = "morgen weht im norden ein starker wind"

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        if type(self).fail_first > 0:
            type(self).fail_first -= 1
            self.send_response(503)
            self.end_headers()
            return
        out = json.dumps(
            {
                "id": "x",
                "object": "chat.completion",
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": f" {type(self).answer}\n(notes)"},
                    }
                ],
            }
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out.encode())))
        self.end_headers()
        self.wfile.write(out.encode())


@pytest.fixture
def server():
    _StandIn.requests, _StandIn.fail_first = [], 0
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/v1"
    srv.shutdown()
    srv.server_close()


def test_request_format_and_few_shot_retrieval(server):
    tr = LLMTranslator(server, "stand-in-model", examples=TRAIN, k=2, api_key="sk-test", timeout=5)
    out = tr.translate_batch(["MORGEN NORD WIND STARK", ""])
    assert [o.text for o in out] == [_StandIn.answer, ""]  # first line only; no request for empty input
    assert len(_StandIn.requests) == 1
    req = _StandIn.requests[0]
    assert req["path"] == "/v1/chat/completions" and req["auth"] == "Bearer sk-test"
    body = req["body"]
    assert body["model"] == "stand-in-model" and body["temperature"] == 0.0
    msgs = body["messages"]
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert "German Sign Language" in msgs[0]["content"] and "German" in msgs[0]["content"]
    # the two most similar pairs by BM25: the wind sentence (3 shared glosses) nearest the query, then MORGEN REGEN
    assert msgs[3]["content"] == "Glosses: NORD WIND STARK" and msgs[4]["content"] == "im norden weht ein starker wind"
    assert msgs[1]["content"] == "Glosses: MORGEN REGEN"
    assert msgs[-1]["content"] == "Glosses: MORGEN NORD WIND STARK"


def test_retries_with_backoff_then_succeeds(server):
    _StandIn.fail_first = 2
    tr = LLMTranslator(server, "m", retries=2, backoff=0.01, timeout=5)
    assert tr.translate("HEUTE SONNE") == _StandIn.answer
    assert len(_StandIn.requests) == 3
    assert [m["role"] for m in _StandIn.requests[0]["body"]["messages"]] == ["system", "user"]  # zero-shot


def test_failing_server_error_names_url(server):
    _StandIn.fail_first = 5
    tr = LLMTranslator(server, "m", retries=1, backoff=0.0, timeout=5)
    with pytest.raises(LLMError, match=r"127\.0\.0\.1.*/chat/completions.*HTTP 503"):
        tr.translate("HEUTE")


def test_unreachable_server_is_a_clear_error():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens on this port now
    url = f"http://127.0.0.1:{port}/v1"
    tr = LLMTranslator(url, "m", retries=1, backoff=0.0, timeout=2)
    with pytest.raises(LLMError, match=rf"127\.0\.0\.1:{port}/v1/chat/completions.*unreachable.*cannot connect"):
        tr.translate("MORGEN REGEN")


def test_bad_parameters():
    from signfuse.errors import ParameterError

    with pytest.raises(ParameterError, match="base_url"):
        LLMTranslator("127.0.0.1:8080", "m")
    with pytest.raises(ParameterError, match="model"):
        LLMTranslator("http://127.0.0.1:8080/v1", "")


def test_eval_cli_with_the_openai_backend(server, tmp_path):
    from click.testing import CliRunner

    from signfuse.cli import cli

    from .conftest import toy_rows, write_phoenix

    test = write_phoenix(tmp_path / "t.test.corpus.csv", toy_rows(3))
    train = write_phoenix(tmp_path / "t.train.corpus.csv", toy_rows(8, offset=50))
    r = CliRunner().invoke(
        cli,
        [
            "translate",
            "eval",
            "--backend",
            "openai",
            "--base-url",
            server,
            "--model",
            "m",
            "--examples",
            str(train),
            "--shots",
            "3",
            "--test",
            str(test),
            "--out",
            str(tmp_path / "ev"),
        ],
    )
    assert r.exit_code == 0, r.output
    m = json.loads((tmp_path / "ev" / "metrics.json").read_text())
    assert m["n"] == 3 and m["backend"] == "openai" and "bleu" in m
    assert (tmp_path / "ev" / "hypotheses.txt").read_text().splitlines() == [_StandIn.answer] * 3
    assert len(_StandIn.requests) == 3 and len(_StandIn.requests[0]["body"]["messages"]) == 1 + 2 * 3 + 1


def test_predict_cli_with_the_openai_backend_takes_glosses_alone(server):
    """`translate predict --backend openai GLOSSES`: no checkpoint argument (the stand-in server answers)."""
    from click.testing import CliRunner

    from signfuse.cli import cli

    r = CliRunner().invoke(
        cli,
        ["translate", "predict", "--backend", "openai", "--base-url", server, "--model", "m", "--shots", "0", "HUND"],
    )
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == _StandIn.answer
    assert "HUND" in _StandIn.requests[-1]["body"]["messages"][-1]["content"]
