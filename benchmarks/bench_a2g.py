"""Audio-to-gesture and emotion: training time on 2 CPU cores, and audio-to-gesture real-time factor.

Run: .venv/bin/python benchmarks/bench_a2g.py [--signs 40 --signers 8 --sentences 60 --epochs 25]

Generates the synthetic corpus (seeded), then measures in one run:
- audio-to-gesture training (``signfuse.train.a2g.train_a2g``, default model ``a2g_gru``) on 2 threads,
  wall seconds and clips/s, and its evaluation table against the two baselines on held-out signers;
  the same for the registry's ``a2g_transformer`` (same clips, epochs and seed), for comparison;
- inference real-time factor (compute seconds per second of audio) of the model alone on ONE thread,
  over 60 s of input, and of the whole predict path (audio features + model) on one thread;
- emotion: single streams and the three fusions (``run_experiment``), wall seconds on 2 threads.
Writes benchmarks/results/a2g.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, utc_stamp, write_result  # noqa: E402

BEAT_NOTE = [
    "Reading the beat columns: `beat_align` is the AIST++/BEAT score (audio onset peaks against local",
    "minima of the summed hand speed, sigma 0.1 s); `beat_align_peaks` uses speed maxima (stroke apexes)",
    "instead. The corpus (version 2) starts its stressed syllables where the hand stops after a movement",
    "(Leonard & Cummins 2011), so the real motion scores above random real segments under the minima",
    "rule. A model can score above the real motion: its prediction is smoother (speed_ratio < 1), so it",
    "has fewer minima from landmark jitter, and the ones it keeps fall on the stops the audio marks.",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--signs", type=int, default=40)
    ap.add_argument("--signers", type=int, default=8)
    ap.add_argument("--sentences", type=int, default=60)
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "a2g.md")
    args = ap.parse_args()

    import torch

    from signfuse.audio import load
    from signfuse.datasets.synthetic import generate_corpus, load_corpus
    from signfuse.inference.a2g import load_a2g, predict_clip
    from signfuse.samples.a2g import audio_inputs
    from signfuse.train import a2g, emotion

    tmp = Path(tempfile.mkdtemp(prefix="bench_a2g_"))
    corpus = generate_corpus(tmp / "corpus", signs=args.signs, signers=args.signers, sentences=args.sentences, seed=0)
    torch.set_num_threads(2)
    t0 = time.perf_counter()
    clips = a2g.clips_from_data(corpus)
    load_s = time.perf_counter() - t0
    n_train = sum(c.split == "train" for c in clips)
    frames = sum(c.n_frames for c in clips if c.split == "train")
    train = [c for c in clips if c.split == "train"]
    test = [c for c in clips if c.split == "test"]
    t0 = time.perf_counter()
    ckpt = a2g.train_a2g(clips, tmp / "a2g", epochs=args.epochs, seed=0, overwrite=True)  # 2 threads (set above)
    a2g_train_s = time.perf_counter() - t0
    model, ae, _ = load_a2g(ckpt)
    table = a2g.evaluate_clips(model, ae, test, train, seed=0)
    rtf_model = a2g.rtf(model, seconds=60.0, threads=1)
    torch.set_num_threads(2)
    # the registry's other model, same data, epochs and seed, for comparison
    t0 = time.perf_counter()
    ckpt_tf = a2g.train_a2g(clips, tmp / "a2g_tf", model="a2g_transformer", epochs=args.epochs, seed=0,
                            overwrite=True)
    tf_train_s = time.perf_counter() - t0
    model_tf, ae_tf, _ = load_a2g(ckpt_tf)
    table_tf = a2g.evaluate_clips(model_tf, ae_tf, test, train, seed=0)
    rtf_tf = a2g.rtf(model_tf, seconds=60.0, threads=1)
    # whole predict path on one thread: audio features of 60 s of corpus audio + the model
    torch.set_num_threads(1)
    wav = np.concatenate([load(e.meta["audio"], sr=16000)[0] for e in load_corpus(corpus)[:60]])[: 60 * 16000]
    t0 = time.perf_counter()
    x, _ = audio_inputs(wav, sr=16000, fps=30.0, n_frames=int(len(wav) / 16000 * 30))
    predict_clip(model, x)
    rtf_full = (time.perf_counter() - t0) / (len(wav) / 16000)

    torch.set_num_threads(2)
    t0 = time.perf_counter()
    samples = emotion.samples_from_data(corpus, limit_per_split=200, seed=0)
    emo_load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    etable = emotion.run_experiment(samples, tmp / "emotion", epochs=args.epochs, seed=0)
    emo_s = time.perf_counter() - t0

    m, b1, b2 = table["model"], table["mean_pose"], table["random_segment"]
    cols = ["l1", "pck_0.1", "pck_0.2", "env_corr", "beat_align", "beat_align_peaks", "speed_ratio", "acceleration_ratio", "jerk_ratio",
            "speed_hellinger", "fgd"]
    lines = [
        "# Audio to gesture and emotion",
        "",
        f"Command: `.venv/bin/python benchmarks/bench_a2g.py --signs {args.signs} --signers {args.signers} "
        f"--sentences {args.sentences} --epochs {args.epochs}`  ",
        f"Machine: {machine()}  ",
        f"Date: {utc_stamp()}  ",
        f"Load average at the end: {os.getloadavg()[0]:.1f} (the machine is shared; wall times include waiting).",
        "",
        "| measurement | value |",
        "|---|---:|",
        f"| clips loaded (audio features + targets) | {len(clips)} in {load_s:.1f} s |",
        f"| a2g training, {n_train} train clips ({frames} frames), {args.epochs} epochs, 2 threads | {a2g_train_s:.1f} s "
        f"({n_train * args.epochs / a2g_train_s:.0f} clips/s) |",
        f"| a2g inference RTF, model only, 1 thread (goal < 0.01) | {rtf_model:.4f} |",
        f"| a2g_transformer training, same clips and epochs, 2 threads | {tf_train_s:.1f} s |",
        f"| a2g_transformer inference RTF, model only, 1 thread | {rtf_tf:.4f} |",
        f"| a2g inference RTF, audio features + model, 1 thread | {rtf_full:.4f} |",
        f"| emotion: {len(samples)} samples loaded | {emo_load_s:.1f} s |",
        f"| emotion: 3 single-stream + 3 fusion models, {args.epochs} epochs, 2 threads | {emo_s:.1f} s |",
        "",
        f"Audio to gesture on held-out signers ({len(test)} test clips):",
        "",
        "| method | " + " | ".join(cols) + " |",
        "|---|" + "---:|" * len(cols),
    ]
    for name, row in (("model (a2g_gru)", m), ("a2g_transformer", table_tf["model"]), ("mean pose", b1),
                      ("random real segment", b2)):
        lines.append(f"| {name} | " + " | ".join(f"{row[c]:.3f}" for c in cols) + " |")
    lines += ["| real motion | " + " | ".join(f"{table['real'][c]:.3f}" if c in table["real"] else "" for c in cols) + " |",
              "", f"Model (a2g_gru, the default) beats both baselines: {json.dumps(table['model_beats_baselines'])}",
              f"a2g_transformer beats both baselines: {json.dumps(table_tf['model_beats_baselines'])}", "",
              *BEAT_NOTE, "",
              f"Emotion ({', '.join(etable['classes'])}) on held-out signers ({etable['n_test']} samples):", "",
              "| model | accuracy | macro-F1 |", "|---|---:|---:|"]
    for name, r in etable["rows"].items():
        lines.append(f"| {name} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} |")
    lines += ["", f"Fusion beats the best single stream ({etable['best_single']}): {etable.get('fusion_beats_best_single')}",
              "", "Robustness (accuracy with one modality missing at test time):", "",
              "| fusion | " + " | ".join(etable["robustness"][next(iter(etable["robustness"]))]) + " |",
              "|---|" + "---:|" * len(etable["robustness"][next(iter(etable["robustness"]))])]
    for fu, r in etable["robustness"].items():
        lines.append(f"| {fu} | " + " | ".join(f"{v['accuracy']:.3f}" for v in r.values()) + " |")
    text = "\n".join(lines) + "\n"
    write_result(args.out, text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
