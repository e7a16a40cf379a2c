"""Decoding speed of translation checkpoints side by side, in one process on one thread.

Run:

    .venv/bin/python benchmarks/translate_speed_pair.py runs/K/best.ckpt:1.5 runs/H4/averaged.ckpt:2.5 [--rounds 2]

Each argument is ``CHECKPOINT:ALPHA``. For each round and checkpoint it prints greedy and beam-5
sentences/s over the PHOENIX-2014T test glosses (one batch call, ``bench_translate._decode_speed``) and the
p50 / p95 latency of one sentence over the first 200 (``bench_translate._latency``). The rounds
interleave the checkpoints, so a change in the shared machine's speed shows in every row; compare the
ratios, not the absolute figures. Skips with a message when PHOENIX-2014T is absent.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_translate import DATA, _decode_speed, _latency  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoints", nargs="+", help="CHECKPOINT:ALPHA")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args()
    test_csv = args.data / "PHOENIX-2014-T.test.corpus.csv"
    if not test_csv.is_file():
        print(f"skipped: PHOENIX-2014T not found at {args.data}")
        return
    import torch

    torch.set_num_threads(1)
    from signfuse.translate import load_translator, read_pairs

    glosses = [p.glosses for p in read_pairs(test_csv)]
    cands = [(ck, float(a)) for ck, a in (c.rsplit(":", 1) for c in args.checkpoints)]
    print(
        "| round | checkpoint | alpha | greedy sentences/s | beam 5 sentences/s | greedy p50 / p95 ms | beam 5 p50 / p95 ms |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|")
    for rnd in range(1, args.rounds + 1):
        for ck, a in cands:
            tr = load_translator(ck)
            rate = {beam: len(glosses) / s["wall_s"] for beam, s in _decode_speed(tr, glosses, alpha=a).items()}
            lat = {beam: _latency(tr, glosses[:200], beam=beam, alpha=a) for beam in (1, 5)}
            print(
                f"| {rnd} | {ck} | {a} | {rate[1]:.0f} | {rate[5]:.0f} | {lat[1]['p50_ms']:.1f} / {lat[1]['p95_ms']:.1f} "
                f"| {lat[5]['p50_ms']:.1f} / {lat[5]['p95_ms']:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
