"""Face-feature throughput (10,000 frames on one core) and geometric-vs-blendshape AU agreement.

Run:  .venv/bin/python benchmarks/bench_face.py [--frames 10000] [--repeats 5]

1. ``signfuse.face.features`` (head pose by weak-perspective PnP + 16 AUs + eye/mouth/gaze) on a
   10,000-frame, 478-point face sequence (the shipped face model, posed with random head motion,
   moving brows, per-point noise), one thread; compared in the same run with the same function called
   frame by frame (the un-vectorized way) and with per-frame ``cv2.solvePnP``. Also ``events`` and
   ``hands.flexion``.
2. When ``/work/shared/models/face_landmarker.task`` (or ``--model``) exists: MediaPipe FaceLandmarker on
   real photographs (astronaut, Grace Hopper) with rotations, mirror images and small warped expression
   changes; Pearson correlation of each geometric AU with its blendshape-derived AU, pooled and within
   photo (changes from each photo's original).

Writes ``benchmarks/results/face.md``.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import cpu_model, nproc, utc_stamp, write_result  # noqa: E402
from signfuse import hands  # noqa: E402
from signfuse.face import events, features  # noqa: E402
from signfuse.face.headpose import face_model, rotation_matrices  # noqa: E402
from signfuse.sequence import Component, LandmarkSequence  # noqa: E402
from signfuse.topology import FACE_POINTS_478, HAND_POINTS  # noqa: E402


def make_sequence(T: int, seed: int = 0) -> LandmarkSequence:
    rng = np.random.default_rng(seed)
    m = face_model()
    iris = np.stack([m[[33, 133, 159, 145]].mean(0)] * 5 + [m[[263, 362, 386, 374]].mean(0)] * 5)
    base = np.concatenate([m, iris])                        # (478, 3)
    t = np.arange(T) / 30.0
    yaw = 15 * np.sin(2 * np.pi * 0.3 * t) + rng.normal(0, 1, T)
    pitch = 8 * np.sin(2 * np.pi * 0.2 * t + 1)
    roll = 5 * np.sin(2 * np.pi * 0.1 * t)
    pts = np.broadcast_to(base, (T, 478, 3)).copy()
    pts[:, [46, 53, 52, 65, 55, 70, 63, 105, 66, 107, 276, 283, 282, 295, 285, 300, 293, 334, 296, 336], 1] -= \
        (0.05 * (1 + np.sin(2 * np.pi * 0.5 * t)))[:, None]
    R = rotation_matrices(pitch, yaw, roll)
    cam = np.einsum("tij,tpj->tpi", R, pts) * 80 + np.array([320, 200, 0])
    cam += rng.normal(0, 0.3, cam.shape)
    conf = np.ones((T, 1, 478), np.float32)
    conf[rng.random(T) < 0.02] = 0                          # 2% lost frames
    return LandmarkSequence((Component("FACE", FACE_POINTS_478),), cam[:, None].astype(np.float32), conf, fps=30.0,
                            width=640, height=480)


CPU_TIMES: dict[int, float] = {}
LOAD_AT_START = "?"


def best_time(fn, repeats: int) -> float:
    """Best wall time of ``repeats`` runs; the CPU time of that run goes to ``CPU_TIMES[id(fn)]``
    (on a shared, loaded machine the CPU time is the steadier number)."""
    best, best_cpu = np.inf, np.inf
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if wall < best:
            best, best_cpu = wall, cpu
    CPU_TIMES[id(fn)] = best_cpu
    return best


def timed(fn, repeats: int, scale: float = 1.0) -> tuple[float, float]:
    wall = best_time(fn, repeats) * scale
    return wall, CPU_TIMES[id(fn)] * scale


def throughput(T: int, repeats: int) -> list[tuple[str, float, float]]:
    """``[(what, wall seconds, cpu seconds)]`` for ``T`` frames."""
    from signfuse.face import head_pose

    seq = make_sequence(T)
    rows = [("face.features, vectorized", *timed(lambda: features(seq), repeats))]
    n_loop = 300
    small = seq[:n_loop]
    rows.append((f"face.features frame by frame (extrapolated from {n_loop})",
                 *timed(lambda: [features(small[i:i + 1]) for i in range(n_loop)], 1, T / n_loop)))
    n_cv = 2000
    cv_seq = seq[:n_cv]
    rows.append((f"head_pose method=opencv (cv2.solvePnP per frame, extrapolated from {n_cv})",
                 *timed(lambda: head_pose(cv_seq, method="opencv"), 1, T / n_cv)))
    rows.append(("head_pose method=pos (vectorized PnP)", *timed(lambda: head_pose(seq), repeats)))
    s = features(seq)
    rows.append(("face.events on the features", *timed(lambda: events(s), repeats)))
    hand = np.random.default_rng(1).normal(0, 30, (T, 1, 42, 3)).astype(np.float32) + 300
    hseq = LandmarkSequence((Component("LEFT_HAND", HAND_POINTS), Component("RIGHT_HAND", HAND_POINTS)), hand,
                            np.ones((T, 1, 42), np.float32), fps=30.0)
    rows.append(("hands.flexion (30 angles)", *timed(lambda: hands.flexion(hseq), repeats)))
    return rows


def correlations(model: Path) -> tuple[dict, dict, int]:
    from tests.face.expressions import correlation_table

    t = correlation_table(model)
    geo, bs, labels = t["geo"], t["bs"], t["labels"]
    ok = geo.mask & bs.mask
    photo = np.array([lab.split("/")[0] for lab in labels])
    orig = {p: int(np.flatnonzero((photo == p) & np.array([lab.endswith("/orig") for lab in labels]))[0])
            for p in set(photo)}
    within = {}
    for au in t["per_au"]:
        g = np.array([geo.column(au)[i] - geo.column(au)[orig[photo[i]]] for i in range(len(labels))])
        b = np.array([bs.column(f"bs_{au}")[i] - bs.column(f"bs_{au}")[orig[photo[i]]] for i in range(len(labels))])
        g, b = g[ok], b[ok]
        within[au] = float(np.corrcoef(g, b)[0, 1]) if g.std() > 1e-6 and b.std() > 1e-6 else float("nan")
    return t["per_au"], within, t["n_images"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--frames", type=int, default=10000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--model", type=Path, default=ROOT.parent / "shared" / "models" / "face_landmarker.task")
    args = ap.parse_args()
    global LOAD_AT_START
    LOAD_AT_START = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    rows = throughput(args.frames, args.repeats)
    n_cpus = nproc(drop_env="OMP_")   # the machine's CPUs, not the OMP_NUM_THREADS=1 set above
    lines = ["# Face features benchmark", "",
             f"Command: `.venv/bin/python benchmarks/bench_face.py --frames {args.frames} --repeats {args.repeats}`  ",
             f"Machine: {n_cpus} CPUs (`nproc`), {cpu_model()}; one thread (OMP/OpenBLAS/MKL = 1)  ",
             f"Date: {utc_stamp()}  ",
             f"numpy {np.__version__}, Python {platform.python_version()}; load average at start "
             f"{LOAD_AT_START} (the machine is shared: wall times swing, CPU times are steadier)", "",
             f"## Throughput, {args.frames} frames of a 478-point face (best of {args.repeats})", "",
             "| what | wall s | CPU s | frames/s (wall) | wall vs vectorized |", "|---|---:|---:|---:|---:|"]
    t_vec, c_vec = rows[0][1], rows[0][2]
    for name, sec, cpu in rows:
        lines.append(f"| {name} | {sec:.3f} | {cpu:.3f} | {args.frames / sec:,.0f} | {sec / t_vec:.2f}x |")
    target = "PASS" if t_vec < 1.0 else "FAIL"
    lines += ["", f"Target: {args.frames} frames in under 1 s on one core: **{target}** "
              f"({t_vec:.3f} s wall, {c_vec:.3f} s CPU).", ""]
    if args.model.is_file():
        pooled, within, n = correlations(args.model)
        lines += [f"## Geometric AUs vs MediaPipe blendshape AUs ({n} real-face images)", "",
                  "Images: astronaut() and grace_hopper.jpg, each as is, with warped brow raises (+0.08, +0.16 eye "
                  "widths), warped jaw drops (+0.10, +0.20), rotated -20/+20 degrees, and all of these mirrored. "
                  "Both AU sets come from the same FaceLandmarker run (its 478-point mesh for the geometric AUs). "
                  "Pooled r mixes the two people (so it also scores person differences such as the astronaut's "
                  "smile); within-photo r correlates the changes from each photo's original. Blendshape s.d. "
                  "below 0.02 means FaceLandmarker hardly moved that shape on these images, so r is not "
                  "meaningful there.", "",
                  "| AU | pooled r | within-photo r | geometric s.d. | blendshape s.d. |", "|---|---:|---:|---:|---:|"]
        for au, v in pooled.items():
            lines.append(f"| {au} | {v['r']:.2f} | {within[au]:.2f} | {v['geo_sd']:.3f} | {v['bs_sd']:.3f} |")
        informative = [au for au, v in pooled.items() if v["bs_sd"] >= 0.02 and np.isfinite(v["r"])]
        med = float(np.median([pooled[a]["r"] for a in informative])) if informative else float("nan")
        lines += ["", f"Median pooled r over the {len(informative)} AUs whose blendshape varies "
                  f"(s.d. >= 0.02): {med:.2f}.", ""]
    else:
        lines += ["", f"(No FaceLandmarker model at {args.model}: correlation table skipped.)", ""]
    text = "\n".join(lines)
    print(text)
    write_result(ROOT / "benchmarks" / "results" / "face.md", text)


if __name__ == "__main__":
    main()
