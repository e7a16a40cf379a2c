"""Decoding speed of this source tree against a baseline tree, on one checkpoint, paired in one process.

Run (the baseline is any other signfuse source tree, e.g. a git worktree of an earlier commit):

    git worktree add /tmp/base HEAD~1
    .venv/bin/python benchmarks/bench_translate_decode.py runs/F/best.ckpt --alpha 1.5 --baseline /tmp/base/src \
        [--note "what changed"] [--out benchmarks/results/translate_decode.md]

The baseline's ``signfuse`` package is copied to a temporary folder as ``signfuse_base`` (its imports are
relative, so both load side by side) and both translators decode on one thread, paired: each test
sentence is translated by both, one after the other, the order alternating, so a change in the shared
machine's speed lands on both halves of a pair. Measured, as in ``bench_translate.py``: the latency of
one sentence (greedy and beam 5, wall and CPU time) over the first ``--sentences`` PHOENIX-2014T test
sentences, and sentences/s of batch decoding over the whole test set (``--rounds`` alternating rounds).
Both trees' beam-5 outputs are compared, so a speed-up that changes translations shows. Prints markdown
tables and the ratios; writes them to ``--out``. Skips with a message when PHOENIX-2014T is absent.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import machine, utc_stamp, write_result  # noqa: E402
from bench_translate import DATA, _quantile  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("--alpha", type=float, default=1.5)
    ap.add_argument("--baseline", type=Path, required=True, help="the baseline tree's src folder")
    ap.add_argument("--sentences", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--note", default="", help="what the trees differ in, for the record")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "translate_decode.md")
    args = ap.parse_args()
    test_csv = args.data / "PHOENIX-2014-T.test.corpus.csv"
    if not test_csv.is_file():
        print(f"skipped: PHOENIX-2014T not found at {args.data}")
        return
    if not (args.baseline / "signfuse" / "__init__.py").is_file():
        raise SystemExit(f"{args.baseline} holds no signfuse package")
    import torch

    torch.set_num_threads(1)
    tmp = Path(tempfile.mkdtemp(prefix="signfuse_base_"))
    shutil.copytree(args.baseline / "signfuse", tmp / "signfuse_base")
    sys.path.insert(0, str(tmp))
    try:
        base_mod = importlib.import_module("signfuse_base.translate")
        from signfuse.translate import load_translator, read_pairs

        trs = {"baseline": base_mod.load_translator(args.checkpoint), "this tree": load_translator(args.checkpoint)}
        glosses = [p.glosses for p in read_pairs(test_csv)]
        names = list(trs)
        lat: dict[tuple[str, int], dict[str, list[float]]] = {
            (n, b): {"wall": [], "cpu": []} for n in names for b in (1, 5)
        }
        differ = 0
        for beam in (1, 5):
            for i, g in enumerate(glosses[: args.sentences]):
                out = {}
                for n in names if i % 2 == 0 else names[::-1]:
                    t0, c0 = time.perf_counter(), time.thread_time()
                    out[n] = trs[n].translate(g, beam=beam, alpha=args.alpha)
                    lat[(n, beam)]["wall"].append(time.perf_counter() - t0)
                    lat[(n, beam)]["cpu"].append(time.thread_time() - c0)
                differ += out["baseline"] != out["this tree"]
        rate: dict[tuple[str, int], list[float]] = {(n, b): [] for n in names for b in (1, 5)}
        texts: dict[str, list[str]] = {}
        for rnd in range(args.rounds):
            for n in names if rnd % 2 == 0 else names[::-1]:
                for beam in (1, 5):
                    t0 = time.perf_counter()
                    res = trs[n].translate_batch(glosses, beam=beam, alpha=args.alpha)
                    rate[(n, beam)].append(len(glosses) / (time.perf_counter() - t0))
                    if beam == 5:
                        texts[n] = [r.text for r in res]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    batch_differ = sum(a != b for a, b in zip(texts["baseline"], texts["this tree"]))
    L = ["# Translation decoding speed: this tree against a baseline tree", ""]
    argv = ['"(the note below)"' if sys.argv[i - 1] == "--note" else a for i, a in enumerate(sys.argv[1:], 1)]
    L.append(f"Command: `.venv/bin/python benchmarks/bench_translate_decode.py {' '.join(argv)}`  ")
    L.append(f"Machine: {machine()}; one thread. Date: {utc_stamp()}  ")
    L.append("")
    L.append(f"One sentence at a time, first {args.sentences} test sentences, paired (ms):")
    L.append("")
    L.append("| tree | greedy p50 / p95 | greedy p50 / p95, CPU | beam 5 p50 / p95 | beam 5 p50 / p95, CPU |")
    L.append("|---|---:|---:|---:|---:|")
    for n in names:
        cells = [
            f"{1000 * _quantile(lat[(n, b)][k], 0.5):.1f} / {1000 * _quantile(lat[(n, b)][k], 0.95):.1f}"
            for b in (1, 5)
            for k in ("wall", "cpu")
        ]
        L.append(f"| {n} | " + " | ".join(cells) + " |")
    ratios = []
    for b in (1, 5):
        pr = [x / y for x, y in zip(lat[("this tree", b)]["wall"], lat[("baseline", b)]["wall"])]
        ratios.append(f"{'greedy' if b == 1 else 'beam 5'} median {statistics.median(pr):.2f}")
    L.append("")
    L.append("Per-sentence time ratio, this tree / baseline (median over pairs): " + ", ".join(ratios))
    L.append("")
    L.append(f"Batch decoding of the {len(glosses)} test sentences, sentences/s over {args.rounds} rounds:")
    L.append("")
    L.append("| tree | greedy | beam 5 |")
    L.append("|---|---:|---:|")
    for n in names:
        L.append(f"| {n} | " + " | ".join(" / ".join(f"{r:.0f}" for r in rate[(n, b)]) for b in (1, 5)) + " |")
    L.append("")
    L.append(
        f"Outputs: one sentence at a time {differ} of {2 * min(args.sentences, len(glosses))} differ; "
        f"beam-5 batch {batch_differ} of {len(glosses)} differ."
    )
    if args.note:
        L += ["", args.note]
    text = "\n".join(L) + "\n"
    print(text, end="")
    write_result(args.out, text)


if __name__ == "__main__":
    main()
