"""Reading 1,000 Kaggle-layout parquet sequences vs the same sequences from the npz cache.

Run: .venv/bin/python benchmarks/bench_io.py [--n 1000] [--rounds 3]

Generates N seeded sequences (30-60 frames, 543 points, xyz, hands missing in some frames), writes
each as a Kaggle ASL Signs parquet file and as a signfuse .npz cache, then reads all of them back,
alternating the readers round by round so that machine noise hits both alike. Also times the
minimal pandas reader that Kaggle notebooks use (``read_parquet(columns=x,y,z)`` + reshape, no
validation) as a reference. Prints a markdown table and writes benchmarks/results/io.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, nproc, utc_stamp, write_result  # noqa: E402
from signfuse import io
from signfuse.sequence import Component, LandmarkSequence
from signfuse.topology import FACE_POINTS_468, HAND_EDGES, HAND_POINTS, POSE_EDGES, POSE_POINTS

COMPONENTS = (Component("POSE", POSE_POINTS, POSE_EDGES), Component("FACE", FACE_POINTS_468),
              Component("LEFT_HAND", HAND_POINTS, HAND_EDGES), Component("RIGHT_HAND", HAND_POINTS, HAND_EDGES))


def make_sequence(rng: np.random.Generator) -> LandmarkSequence:
    T = int(rng.integers(30, 61))
    base = rng.uniform(0.2, 0.8, size=(1, 1, 543, 3))
    walk = np.cumsum(rng.normal(0, 0.003, size=(T, 1, 543, 3)), axis=0)
    conf = np.ones((T, 1, 543), np.float32)
    for sl in (slice(501, 522), slice(522, 543)):        # hands (POSE, FACE, LEFT, RIGHT order)
        conf[rng.random(T) < 0.3, :, sl] = 0
    return LandmarkSequence(COMPONENTS, (base + walk).astype(np.float32), conf, 30.0)


def read_pandas(path: Path) -> np.ndarray:
    import pandas as pd
    return pd.read_parquet(path, columns=["x", "y", "z"]).to_numpy(np.float32).reshape(-1, 543, 3)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "io.md")
    args = ap.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="signfuse-bench-io-"))
    try:
        pq_paths, npz_paths, frames = [], [], 0
        t0 = time.perf_counter()
        for i in range(args.n):
            seq = make_sequence(rng)
            frames += seq.n_frames
            pq_paths.append(io.write_kaggle_parquet(seq, tmp / f"{i}.parquet"))
            npz_paths.append(io.write_npz(seq, tmp / f"{i}.npz"))
        t_write = time.perf_counter() - t0
        size_pq = sum(p.stat().st_size for p in pq_paths) / 2**20
        size_npz = sum(p.stat().st_size for p in npz_paths) / 2**20
        # check once that both hold the same data
        a, b = io.read(pq_paths[0]), io.read(npz_paths[0])
        assert a.equals(b.replace(confidence=(b.confidence > 0).astype(np.float32)))

        readers = {
            "signfuse Kaggle parquet (validated)": lambda: [io.read_kaggle_parquet(p) for p in pq_paths],
            "signfuse npz cache": lambda: [io.read_npz(p) for p in npz_paths],
            "pandas read_parquet x,y,z (no checks)": lambda: [read_pandas(p) for p in pq_paths],
        }
        times: dict[str, list[float]] = {k: [] for k in readers}
        cpu: dict[str, list[float]] = {k: [] for k in readers}
        for _ in range(args.rounds):
            for name, fn in readers.items():
                t, c = time.perf_counter(), time.process_time()
                fn()
                times[name].append(time.perf_counter() - t)
                cpu[name].append(time.process_time() - c)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    best = {k: min(v) for k, v in times.items()}
    ref = best["signfuse Kaggle parquet (validated)"]
    best_cpu = {k: min(v) for k, v in cpu.items()}
    ref_cpu = best_cpu["signfuse Kaggle parquet (validated)"]
    rows = [f"| reader | sequences/s (wall, best of {args.rounds}) | wall ms / seq | CPU ms / seq"
            " | speed-up vs parquet (wall / CPU) |", "|---|---:|---:|---:|---:|"]
    for name, t in best.items():
        c = best_cpu[name]
        rows.append(f"| {name} | {args.n / t:,.0f} | {1000 * t / args.n:.2f} | {1000 * c / args.n:.2f} | "
                    f"{ref / t:.2f}x / {ref_cpu / c:.2f}x |")
    table = "\n".join(rows)
    cmd = ".venv/bin/python benchmarks/bench_io.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = (f"# I/O: Kaggle parquet vs npz cache\n\n"
            f"- command: `{cmd.strip()}`\n- machine: {machine(cpus=nproc(default=str(os.cpu_count())), python=True)}\n"
            f"- date: {utc_stamp()}\n"
            f"- data: {args.n} seeded sequences (seed {args.seed}), 30-60 frames each ({frames} frames), "
            f"543 points x 3 dims; parquet {size_pq:.1f} MiB, npz {size_npz:.1f} MiB; writing both took "
            f"{t_write:.1f} s\n- readers alternate round by round ({args.rounds} rounds); the best round is shown "
            f"(shared, noisy machine); CPU time (process_time) is less sensitive to the other jobs\n\n{table}\n\n"
            f"All rounds (s): " + "; ".join(f"{k}: " + ", ".join(f"{x:.2f}" for x in v) for k, v in times.items()) + "\n")
    print(text)
    write_result(args.out, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
