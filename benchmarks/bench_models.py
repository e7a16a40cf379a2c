"""Benchmark the recognition models: single-sequence latency (PyTorch vs onnxruntime, one CPU thread),
model size and training throughput.

    .venv/bin/python benchmarks/bench_models.py [--frames 64] [--runs 100] [--classes 250]

Inputs are the default streams ``hands,body,face`` (126 + 75 + 312 features: both hands, upper body,
lips/eyes/brows/nose, xyz). Goal for the default isolated model (``hybrid`` with default arguments):
<= 5 ms p50 in onnxruntime and <= 10 MB.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import cpu_model, nproc, utc_stamp, write_result  # noqa: E402
from signfuse.inference.export import export_onnx  # noqa: E402
from signfuse.inference.onnx import onnx_session  # noqa: E402
from signfuse.models import create_model, list_models  # noqa: E402
from signfuse.models.recognizer import Recognizer  # noqa: E402

DIMS = {"hands": 126, "body": 75, "face": 312}


def _pct(ts: list[float]) -> tuple[float, float]:
    return float(np.percentile(ts, 50)), float(np.percentile(ts, 95))


def bench(name: str, *, frames: int, runs: int, classes: int, train_steps: int, batch: int) -> dict:
    torch.manual_seed(0)
    model = create_model(name, in_dims=DIMS, num_classes=classes).eval()
    params = sum(p.numel() for p in model.parameters())
    rng = np.random.default_rng(0)
    x_np = {s: rng.normal(size=(1, frames, f)).astype(np.float32) for s, f in DIMS.items()}
    x = {s: torch.from_numpy(v) for s, v in x_np.items()}
    with torch.inference_mode():
        for _ in range(5):
            model(x)
        ts = []
        for _ in range(runs):
            t = time.perf_counter()
            model(x)
            ts.append((time.perf_counter() - t) * 1e3)
    pt50, pt95 = _pct(ts)
    rec = Recognizer(model=model, model_name=name, model_kwargs={"in_dims": DIMS, "num_classes": classes}, task="isolated",
                     vocab=[str(i) for i in range(classes)], streams=list(DIMS))
    with tempfile.TemporaryDirectory() as d:
        info = export_onnx(rec, Path(d) / "m.onnx", frames=frames)
        sess = onnx_session(Path(d) / "m.onnx", threads=1)
        for _ in range(5):
            sess.run(None, x_np)
        ts = []
        for _ in range(runs):
            t = time.perf_counter()
            sess.run(None, x_np)
            ts.append((time.perf_counter() - t) * 1e3)
    ox50, ox95 = _pct(ts)
    # training throughput: batch of `batch` sequences of `frames` frames, AdamW step
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    xb = {s: torch.randn(batch, frames, f) for s, f in DIMS.items()}
    yb = torch.randint(0, classes, (batch,))
    for _ in range(2):
        torch.nn.functional.cross_entropy(model(xb)["logits"], yb).backward()
        opt.step()
        opt.zero_grad()
    t = time.perf_counter()
    for _ in range(train_steps):
        torch.nn.functional.cross_entropy(model(xb)["logits"], yb).backward()
        opt.step()
        opt.zero_grad()
    seq_s = batch * train_steps / (time.perf_counter() - t)
    return {"model": name, "params": params, "mb_fp32": params * 4 / 1e6, "onnx_mb": info["bytes"] / 1e6,
            "pt_p50": pt50, "pt_p95": pt95, "ort_p50": ox50, "ort_p95": ox95, "max_abs_diff": info["max_abs_diff"],
            "train_seq_s": seq_s}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=64)
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--classes", type=int, default=250)
    ap.add_argument("--train-steps", type=int, default=5)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--models", default=",".join(list_models("recognition")))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "models.md"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    rows = [bench(m, frames=a.frames, runs=a.runs, classes=a.classes, train_steps=a.train_steps, batch=a.batch)
            for m in a.models.split(",")]
    head = ("| model | params | fp32 MB | ONNX MB | PyTorch p50 / p95 ms | onnxruntime p50 / p95 ms | ORT speed-up | "
            f"ORT vs PT max abs diff | train seq/s (batch {a.batch}) |")
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['params'] / 1e6:.2f}M | {r['mb_fp32']:.2f} | {r['onnx_mb']:.2f} | "
                     f"{r['pt_p50']:.2f} / {r['pt_p95']:.2f} | {r['ort_p50']:.2f} / {r['ort_p95']:.2f} | "
                     f"{r['pt_p50'] / r['ort_p50']:.1f}x | {r['max_abs_diff']:.1e} | {r['train_seq_s']:.0f} |")
    table = "\n".join(lines)
    hybrid = next((r for r in rows if r["model"] == "hybrid"), None)
    goal = ""
    if hybrid:
        ok = hybrid["ort_p50"] <= 5.0 and hybrid["onnx_mb"] <= 10.0
        goal = (f"\nDefault isolated model (hybrid, default arguments): onnxruntime p50 {hybrid['ort_p50']:.2f} ms "
                f"(goal <= 5 ms), ONNX {hybrid['onnx_mb']:.2f} MB (goal <= 10 MB): {'met' if ok else 'NOT met'}.\n")
    try:
        load = os.getloadavg()
    except OSError:
        load = (float("nan"),) * 3
    doc = (f"# Recognition models\n\nCommand: `.venv/bin/python benchmarks/bench_models.py "
           f"{' '.join(sys.argv[1:])}`\n\nMachine: {os.cpu_count()} CPUs (`nproc` {nproc()}), {cpu_model()}; "
           f"load average {load[0]:.1f} at start (the machine is shared; compare ratios within this run).\n"
           f"Date: {utc_stamp()}; torch "
           f"{torch.__version__}, one thread (`torch.set_num_threads(1)`, onnxruntime intra_op_num_threads=1).\n\n"
           f"One sequence of {a.frames} frames, streams hands+body+face ({sum(DIMS.values())} features), "
           f"{a.classes} classes, {a.runs} timed runs after 5 warm-up runs. Training: forward + backward + AdamW "
           f"on batches of {a.batch} x {a.frames} frames. Models: every registry model that takes named streams "
           f"(`list_models('recognition')`; `emotion` is issue 6's model on the same base class).\n\n{table}\n{goal}")
    write_result(a.out, doc)
    print(table + goal)


if __name__ == "__main__":
    main()
