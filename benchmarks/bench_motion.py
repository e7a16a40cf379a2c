"""Motion features on 100,000 frames of holistic landmarks (goal: under 1 s).

Run: .venv/bin/python benchmarks/bench_motion.py
Writes benchmarks/results/motion.md. One process, one core for BLAS; every variant measured in the same
run (best of 5), so the ratios hold on a shared, noisy machine.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import cpu_model, utc_stamp, write_result  # noqa: E402
from signfuse import motion  # noqa: E402
from signfuse.testing.motion import holistic_sequence  # noqa: E402

N = 100_000


def build(n: int):
    """A 2,000-frame holistic sequence (both hands and the head moving, landmark jitter), tiled to n frames."""
    fps, m = 30.0, 2000
    t = np.arange(m) / fps
    right = np.stack([-0.3 + 0.3 * np.sin(2 * np.pi * 0.7 * t), 0.8 + 0.2 * np.cos(2 * np.pi * 1.1 * t)], 1)
    left = np.stack([0.3 + 0.2 * np.sin(2 * np.pi * 0.5 * t), 1.0 + 0.1 * np.sin(2 * np.pi * 0.9 * t)], 1)
    head = np.stack([0.03 * np.sin(2 * np.pi * 0.3 * t), -0.75 + 0.01 * t * 0], 1)
    base = holistic_sequence(fps=fps, n_frames=m, left=left, right=right, head=head, noise=0.003, seed=0)
    reps = -(-n // m)
    data = np.tile(base.data, (reps, 1, 1, 1))[:n]
    conf = np.tile(base.confidence, (reps, 1, 1))[:n]
    conf[::50, 0, 501:522] = 0          # the left hand drops out now and then
    return base.replace(data=data, confidence=conf)


def best(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    seq = build(N)
    rows = [
        ("motion.features (Savitzky-Golay, default)", lambda: motion.features(seq)),
        ("motion.features (smooth=False, np.gradient)", lambda: motion.features(seq, smooth=False)),
        ("motion.features (dims=3)", lambda: motion.features(seq, dims=3)),
        ("motion.segments (from the features)", None),
        ("motion.taps", lambda: motion.taps(seq)),
    ]
    feats = motion.features(seq)
    rows[3] = (rows[3][0], lambda: motion.segments(feats))
    motion.features(seq)                                   # warm-up (imports, first-touch allocations)
    # round-robin repeats, best of 5: every variant sees the same background load
    times = {name: [] for name, _ in rows}
    for _ in range(5):
        for name, fn in rows:
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    results = [(name, min(times[name])) for name, _ in rows]
    ref = results[0][1]
    lines = [
        "# Motion benchmark",
        "",
        "Command: `.venv/bin/python benchmarks/bench_motion.py`  ",
        f"Machine: {os.cpu_count()} CPUs (`nproc`), {cpu_model()}, OMP/OpenBLAS threads 1  ",
        f"Date: {utc_stamp()}  ",
        f"Load average during the run: {os.getloadavg()[0]:.1f} (other engineers' jobs share the 2 cores)  ",
        f"Input: {N:,} frames x {seq.n_points} holistic points x {seq.dims} dims (float32), 30 fps; best of 5 round-robin repeats after a warm-up.",
        "",
        "| step | seconds | frames / s | ratio to default features | goal < 1 s |",
        "|---|---:|---:|---:|---|",
    ]
    for name, sec in results:
        goal = ("yes" if sec < 1.0 else "NO") if name.startswith("motion.features (Savitzky") else ""
        lines.append(f"| {name} | {sec:.3f} | {N / sec:,.0f} | {sec / ref:.2f} | {goal} |")
    # cross-modal analysis of 10 minutes of aligned signals at 30 fps (5 pairs, every circular shift, DTW on 60 s)
    from signfuse.crossmodal import correlate_signals
    rng = np.random.default_rng(0)
    n = 10 * 60 * 30
    sig = lambda: np.convolve(rng.normal(size=n), np.ones(9) / 9, mode="same")  # noqa: E731
    pro = {k: sig() for k in ("f0", "energy", "mel_delta", "centroid", "onset")}
    kin = {k: sig() for k in ("hand_speed", "amplitude", "acceleration", "energy")}
    cs = []
    for _ in range(3):
        t0 = time.perf_counter()
        correlate_signals(pro, kin, fps=30.0)
        cs.append(time.perf_counter() - t0)
    lines += ["", "| cross-modal step | seconds |", "|---|---:|",
              f"| crossmodal.correlate_signals, 10 min at 30 fps (5 pairs, {n} circular shifts each, DTW on 60 s, "
              f"beats) | {min(cs):.3f} |"]
    text = "\n".join(lines) + "\n"
    print(text)
    write_result(ROOT / "benchmarks" / "results" / "motion.md", text)


if __name__ == "__main__":
    main()
