"""Speed of the synthetic corpus generator: samples per second, in memory and written to disk.

Run:  .venv/bin/python benchmarks/bench_synth.py [--full]

Measures, in one run on one core (so the ratios are comparable on a shared machine):
  - synthesize_sign (isolated, landmarks + voice, in memory)
  - synthesize (a 4-sign sentence, in memory)
  - the parts of one isolated sample: landmarks+voice vs Kaggle parquet write vs wav write
  - generate_corpus end to end on a small corpus (and, with --full, the default 40/8/200 corpus)
Writes benchmarks/results/synth.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import cpu_model, nproc, utc_stamp, write_result  # noqa: E402
from signfuse import io as sio  # noqa: E402
from signfuse.datasets import synthetic  # noqa: E402


def rate(fn, n: int, *, repeat: int = 3) -> tuple[float, float]:
    """Best-of-``repeat`` calls/s for ``n`` calls of ``fn(i)``: (by CPU time of this process, by wall time).

    CPU time is the fairer number on a shared, oversubscribed machine; wall time is what a user waits.
    """
    best_cpu = best_wall = float("inf")
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        for i in range(n):
            fn(i)
        best_wall = min(best_wall, time.perf_counter() - t)
        best_cpu = min(best_cpu, time.process_time() - c)
    return n / best_cpu, n / best_wall


def timed(fn) -> tuple[float, float]:
    t, c = time.perf_counter(), time.process_time()
    fn()
    return time.process_time() - c, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true", help="also time the default corpus (40 signs, 8 signers, 200 sentences)")
    args = ap.parse_args()
    vocab = synthetic.make_vocabulary(40, seed=0)
    signers = synthetic.make_signers(8, seed=0)
    rows = []
    iso = rate(lambda i: synthetic.synthesize_sign(vocab[i % 40], signers[i % 8], seed=i, emotion="happy"), 40)
    rows.append(("synthesize_sign (isolated, landmarks + voice, in memory)", *iso, "samples/s"))
    sent = rate(lambda i: synthetic.synthesize([vocab[(i * 4 + k) % 40] for k in range(4)], signers[i % 8], seed=i), 10)
    rows.append(("synthesize (4-sign sentence, in memory)", *sent, "samples/s"))
    seq, y, sr, _ = synthetic.synthesize_sign(vocab[0], signers[0], seed=0)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        pq = rate(lambda i: sio.write_kaggle_parquet(seq, d / f"{i}.parquet"), 20)
        pose = rate(lambda i: sio.write_pose(seq, d / f"{i}.pose"), 20)
        wav = rate(lambda i: synthetic.write_wav(d / f"{i}.wav", y, sr=sr), 20)
        rows += [(f"write_kaggle_parquet (one isolated sample, {seq.n_frames} frames)", *pq, "files/s"),
                 ("write_pose (the same sample)", *pose, "files/s"),
                 ("write_wav (its audio)", *wav, "files/s")]
        small = dict(signs=20, signers=4, sentences=40, samples_per_sign_per_signer=2)
        n_small = 20 * 4 * 2 + 40
        c, w = timed(lambda: synthetic.generate_corpus(d / "small", seed=0, **small))
        rows.append((f"generate_corpus 20 signs x 4 signers x 2 + 40 sentences ({n_small} samples), written",
                     n_small / c, n_small / w, f"samples/s (CPU {c:.1f} s, wall {w:.1f} s)"))
        if args.full:
            c, w = timed(lambda: synthetic.generate_corpus(d / "full", seed=0))
            rows.append(("generate_corpus default (640 isolated + 200 sentences), written", 840 / c, 840 / w,
                         f"samples/s (CPU {c:.1f} s, wall {w:.1f} s)"))
            du = sum(p.stat().st_size for p in (d / "full").rglob("*") if p.is_file()) / 2**20
            rows.append(("default corpus size on disk", du, du, "MiB"))
    share = (1.0 / iso[0]) / (1.0 / iso[0] + 1.0 / pq[0] + 1.0 / wav[0])
    table = ["| what | rate (CPU time) | rate (wall) | unit |", "|---|---:|---:|---|"]
    table += [f"| {a} | {b:.1f} | {c:.1f} | {u} |" for a, b, c, u in rows]
    table.append(f"| share of generation in one written isolated sample: synth / (synth + parquet + wav) "
                 f"| {share:.2f} | | ratio |")
    load = os.getloadavg()[0]
    n_cpus = nproc(drop_env="OMP_NUM_THREADS")  # nproc honours OMP_NUM_THREADS
    cmd = "  .venv/bin/python benchmarks/bench_synth.py" + (" --full" if args.full else "")
    md = "\n".join([
        "# Synthetic corpus generator speed", "",
        "Command:", "", "```", cmd, "```", "",
        f"Machine: nproc={n_cpus}, {cpu_model()}; Python {platform.python_version()}, numpy {np.__version__}; "
        f"one process, OMP_NUM_THREADS=1; shared machine, 1-min load average {load:.1f} at the end; "
        "best of 3 for the per-call rates.",
        f"Date: {utc_stamp()}", "",
        *table, "",
    ])
    print(md)
    write_result(ROOT / "benchmarks" / "results" / "synth.md", md)


if __name__ == "__main__":
    main()
