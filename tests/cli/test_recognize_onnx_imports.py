"""``signfuse recognize MODEL.onnx`` imports neither torch nor Lightning (issue 13, "The CLI").

The ONNX path needs only numpy and onnxruntime; importing torch and Lightning cost ~4.7 s per call for a
0.9 ms answer. The model is an untrained hybrid network saved as a checkpoint and exported to ONNX (its
answer does not matter here, only what the command imports); it runs in a fresh interpreter, which prints
the heavy modules it ended up with.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

_PROBE = """
import json, sys
from signfuse.cli import main
try:
    main(sys.argv[1:])
except SystemExit as e:
    code = e.code
else:
    code = 0
heavy = sorted(m for m in ("torch", "lightning", "pytorch_lightning") if m in sys.modules)
print("PROBE " + json.dumps({"code": code, "heavy": heavy}))
"""


@pytest.fixture(scope="module")
def onnx_and_input(tiny_corpus, tmp_path_factory):
    import torch

    from signfuse.datasets import load_entries
    from signfuse.inference.export import export_onnx
    from signfuse.models import create_model
    from signfuse.models.recognizer import Recognizer, save_model

    torch.manual_seed(0)
    entries = load_entries(tiny_corpus, task="isolated")
    vocab = sorted({e.gloss for e in entries})
    model = create_model("hybrid", in_dims={"hands": 126}, num_classes=len(vocab), dim=16, heads=2,
                         conv_layers=1, transformer_layers=1)
    tmp = tmp_path_factory.mktemp("onnx_cli")
    ckpt = save_model(Recognizer(model=model, model_name="hybrid", model_kwargs={"in_dims": {"hands": 126},
                                 "num_classes": len(vocab), "dim": 16, "heads": 2, "conv_layers": 1,
                                 "transformer_layers": 1}, task="isolated", vocab=vocab, streams=["hands"]),
                      tmp / "m.ckpt")
    export_onnx(ckpt, tmp / "m.onnx")
    return tmp / "m.onnx", Path(entries[0].path), vocab


def _probe(*args: str) -> tuple[dict, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[2] / "src"),
                                                        os.environ.get("PYTHONPATH", "")])}
    r = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, env=env, timeout=120)
    line = [ln for ln in r.stdout.splitlines() if ln.startswith("PROBE ")]
    assert line, r.stdout + r.stderr
    return json.loads(line[-1][6:]), r.stdout + r.stderr


def test_recognize_onnx_imports_no_torch_or_lightning(onnx_and_input):
    model, src, vocab = onnx_and_input
    res, out = _probe("recognize", str(model), str(src), "--top-k", "2")
    assert res["code"] == 0, out
    answers = [ln.split("\t")[0] for ln in out.splitlines() if "\t" in ln]
    assert len(answers) == 2 and set(answers) <= set(vocab), out      # it did answer, with glosses of the model
    assert res["heavy"] == [], f"recognize MODEL.onnx imported {res['heavy']}"


def test_the_probe_sees_torch_when_a_checkpoint_is_used(onnx_and_input):
    """The same probe on the checkpoint path reports torch, so the test above can fail."""
    model, src, _ = onnx_and_input
    res, out = _probe("recognize", str(model.with_suffix(".ckpt")), str(src), "--top-k", "2")
    assert res["code"] == 0, out
    assert "torch" in res["heavy"] and "lightning" not in res["heavy"], res
