"""Audio frame-feature speed: signfuse's default set (Praat pitch) versus the same features with librosa pYIN.

Run: .venv/bin/python benchmarks/bench_audio.py [--minutes 10] [--pyin-seconds 30] [--repeats 3] [--cpu N]

One core: the process pins itself to one CPU (os.sched_setaffinity) and limits BLAS/OpenMP threads to 1
before numpy loads, so Praat's and NumPy's internal threading cannot use a second core. The audio is
CMU ARCTIC a0007 (real 16 kHz speech, 4 s) concatenated to --minutes. pYIN is about two orders of
magnitude slower, so it is timed on a --pyin-seconds slice and its real-time factor (RTF = compute
seconds / audio seconds, which is length-independent for these frame-wise features) is compared with
the default's RTF measured on the same slice and on the full length, all in one run.
"""

from __future__ import annotations

import argparse
import os
import sys

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_v] = "1"

import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import cpu_model, nproc, utc_stamp, write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ARCTIC = ROOT.parent / "shared" / "data" / "audio" / "arctic_a0007.wav"


def _time(fn, repeats: int) -> list[tuple[float, float]]:
    """``(cpu s, wall s)`` per repeat. CPU time of this process (all threads, pinned to one core) is the
    compute time; wall time also counts waiting for the core while other jobs run on the shared machine."""
    out = []
    for _ in range(repeats):
        c, t = time.process_time(), time.perf_counter()
        fn()
        out.append((time.process_time() - c, time.perf_counter() - t))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--pyin-seconds", type=float, default=30.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: the last one allowed)")
    ap.add_argument("--input", default=str(ARCTIC))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "audio.md"))
    args = ap.parse_args(argv)

    n_cpus = nproc(drop_env="OMP_")  # nproc honours OMP_NUM_THREADS
    allowed = sorted(os.sched_getaffinity(0))
    cpu = allowed[-1] if args.cpu is None else args.cpu
    os.sched_setaffinity(0, {cpu})

    import numpy as np

    from signfuse.audio import features, load, pitch

    if not Path(args.input).is_file():
        print(f"input {args.input} not found", file=sys.stderr)
        return 2
    y1, sr = load(args.input, sr=16000)
    n = int(args.minutes * 60 * sr)
    y = np.tile(y1, n // y1.size + 1)[:n]
    dur = y.size / sr
    ys = y[: int(args.pyin_seconds * sr)]
    dur_s = ys.size / sr

    features(y1, sr=sr)  # warm-up: imports, filterbank caches
    rows = []

    def add(name, audio_s, times):
        cpu = [c for c, _ in times]
        wall = [w for _, w in times]
        rows.append((name, audio_s, min(cpu), statistics.median(cpu), min(wall)))

    add("default features (praat pitch), full", dur, _time(lambda: features(y, sr=sr), args.repeats))
    add("  of which: praat pitch alone", dur, _time(lambda: pitch(y, sr=sr, method="praat"), args.repeats))
    add("default features (praat pitch), slice", dur_s, _time(lambda: features(ys, sr=sr), args.repeats))
    add("features with yin pitch, slice", dur_s, _time(lambda: features(ys, sr=sr, pitch="yin"), args.repeats))
    add(
        "features with adaptive windows, slice",
        dur_s,
        _time(lambda: features(ys, sr=sr, adaptive_window=True), args.repeats),
    )
    add("features with librosa pyin, slice", dur_s, _time(lambda: features(ys, sr=sr, pitch="pyin"), 1))

    rtf = {name: tmin / a for name, a, tmin, _, _ in rows}
    full = rtf["default features (praat pitch), full"]
    slice_ = rtf["default features (praat pitch), slice"]
    pyin = rtf["features with librosa pyin, slice"]
    lines = [
        "# Audio frame features: speed",
        "",
        f"Command: `.venv/bin/python benchmarks/bench_audio.py --minutes {args.minutes:g} "
        f"--pyin-seconds {args.pyin_seconds:g} --repeats {args.repeats}`",
        "",
        f"Machine: {cpu_model()}, `nproc` {n_cpus}; the benchmark pins itself to CPU {cpu} "
        f"(one core), BLAS/OpenMP threads 1. The machine is shared with other jobs, so compute time is the "
        f"process's CPU time (best of {args.repeats}, median beside it); wall time (best) is shown too and "
        f"includes waiting for the core. Load average at start: {os.getloadavg()[0]:.2f}.",
        f"Date: {utc_stamp()}",
        f"Audio: CMU ARCTIC a0007 (16 kHz) tiled to {dur:.0f} s; slice for the pYIN comparison: {dur_s:.0f} s "
        "(pYIN timed once on the slice; RTF does not depend on length for frame-wise features).",
        "",
        "| what | audio s | CPU s (best) | CPU s (median) | wall s (best) | RTF (CPU, best) | RTF (wall) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, a, tmin, tmed, wmin in rows:
        lines.append(f"| {name} | {a:.0f} | {tmin:.3f} | {tmed:.3f} | {wmin:.3f} | {tmin / a:.5f} | {wmin / a:.5f} |")
    lines += [
        "",
        f"- Default frame feature set, 10 min of speech, one core: **RTF {full:.4f}** (goal <= 0.003): "
        f"{'met' if full <= 0.003 else 'NOT met'}.",
        f"- Same features with librosa pYIN instead of Praat: RTF {pyin:.4f}, **{pyin / slice_:.0f}x slower** than "
        f"the default on the same slice ({pyin / full:.0f}x versus the full-length default) (goal >= 20x): "
        f"{'met' if pyin / max(slice_, full) >= 20 else 'NOT met'}.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    write_result(args.out, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
