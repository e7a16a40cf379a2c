"""The demo's "corpus" stage: generate the embedded corpus, summarize it, render one sample."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

__all__ = ["stage", "summarize", "findings", "tables", "SIZES"]

#: corpus sizes of the full and the quick demo
SIZES = {"full": {"signs": 40, "signers": 8, "sentences": 200, "samples_per_sign_per_signer": 2},
         "quick": {"signs": 8, "signers": 4, "sentences": 6, "samples_per_sign_per_signer": 1}}


def summarize(corpus_dir) -> dict[str, Any]:
    """Counts per split, class, region and emotion, the minimal pairs and the lag of a corpus."""
    from ..datasets.synthetic.corpus import read_corpus_info, read_metadata

    info = read_corpus_info(corpus_dir)
    meta = read_metadata(corpus_dir)
    iso = [m for m in meta if m["kind"] == "isolated"]
    cont = [m for m in meta if m["kind"] == "continuous"]
    per_class = Counter(m["gloss"] for m in iso)
    return {
        "corpus_dir": str(corpus_dir),
        "seed": info["seed"], "fps": info["fps"], "sr": info["sr"], "lag_s": info["lag_s"],
        "signs": info["counts"]["signs"], "signers": info["counts"]["signers"],
        "isolated": len(iso), "continuous": len(cont),
        "per_split": {k: {"isolated": sum(m["split"] == k for m in iso), "continuous": sum(m["split"] == k for m in cont),
                          "signers": sorted(s for s, sp in info["splits"].items() if sp == k)}
                      for k in ("train", "val", "test")},
        "per_region": dict(sorted(Counter(m["region"] for m in meta).items())),
        "per_emotion": dict(sorted(Counter(m["emotion"] for m in meta).items())),
        "per_nonmanual": dict(sorted(Counter(m["nonmanual"] for m in iso).items())),
        "samples_per_class": {"min": min(per_class.values()) if per_class else 0,
                              "max": max(per_class.values()) if per_class else 0},
        "minimal_pairs": [p["signs"] + [p["marker"]] for p in info["minimal_pairs"]],
        "signer_region": info["signer_region"],
        "mean_frames": {"isolated": round(float(np.mean([m["frames"] for m in iso])), 1) if iso else None,
                        "continuous": round(float(np.mean([m["frames"] for m in cont])), 1) if cont else None},
        "missing_hand_frames_fraction": round(float(np.mean(
            [len(m["dropped_frames"]["RIGHT_HAND"]) / m["frames"] for m in meta])), 4) if meta else None,
    }


def stage(ctx) -> dict[str, Any]:
    """Generate into ``ctx.corpus_dir`` (tiny when ``ctx.quick``), summarize, render one minimal-pair sample."""
    import time

    from .. import io as sio
    from ..datasets.synthetic.corpus import generate_corpus, read_metadata, read_wav
    from ..io.render import frame_to_png, render, render_frame

    size = SIZES["quick" if ctx.quick else "full"]
    ctx.progress(f"generating the synthetic corpus ({size['signs']} signs, {size['signers']} signers, "
                 f"{size['sentences']} sentences)")
    t0 = time.perf_counter()
    step = max(1, (size["signs"] * size["signers"] * size["samples_per_sign_per_signer"] + size["sentences"]) // 10)

    def tell(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            ctx.progress(f"generating the synthetic corpus: sample {done} of {total}")

    generate_corpus(ctx.corpus_dir, seed=ctx.seed, lag_s=0.12, progress=tell, **size)
    seconds = time.perf_counter() - t0
    summary = summarize(ctx.corpus_dir)
    summary["generate_seconds"] = round(seconds, 2)
    summary["samples_per_second"] = round((summary["isolated"] + summary["continuous"]) / max(seconds, 1e-9), 1)
    # render a test-split sample with a visible non-manual marker (else any sample)
    meta = read_metadata(ctx.corpus_dir)
    pick = next((m for m in meta if m["kind"] == "isolated" and m["split"] == "test"
                 and m["nonmanual"] in ("head_shake", "brow_raise")), None) or meta[0]
    seq = sio.read(ctx.corpus_dir / pick["path"])
    y, sr = read_wav(ctx.corpus_dir / pick["audio"])
    out = ctx.stage_dir("corpus_preview")
    mp4 = render(seq, out / f"{pick['id']}.mp4", width=384, height=384, audio=(y, sr))
    ev = pick["nonmanual_events"]
    k = (ev[0]["full_start_frame"] + ev[0]["full_end_frame"]) // 2 if ev else pick["signs"][0]["start_frame"]
    png = frame_to_png(render_frame(seq, min(k, seq.n_frames - 1), width=384, height=384), out / f"{pick['id']}.png")
    ctx.figure(png, f"Synthetic sample {pick['id']}: {pick['gloss']} ({pick['nonmanual']}), signer {pick['signer']} "
                    f"({pick['region']}, {pick['emotion']} {pick['intensity']:.2f}), frame {k}")
    summary["rendered"] = {"id": pick["id"], "gloss": pick["gloss"], "video": str(mp4), "frame": str(png)}
    return summary


def findings(s: dict[str, Any], *, quick: bool = False) -> list[dict]:
    """What the corpus is: the setting every other finding is measured in."""
    from .report import TRUSTED, finding

    test = s["per_split"]["test"]
    return [finding("corpus", f"{s['isolated']} isolated signs ({s['signs']} classes) and {s['continuous']} sentences "
                              f"from {s['signers']} synthetic signers; {len(test['signers'])} "
                              f"signer{'s are' if len(test['signers']) != 1 else ' is'} held out for testing",
                    n=s["isolated"] + s["continuous"], verdict=TRUSTED,
                    evidence=f"{len(s['minimal_pairs'])} minimal pairs; voice lags gesture by {s['lag_s']:.2f} s",
                    meaning="every number below is on signers no model saw in training; the generator's true "
                            "values (lag, markers, emotions) are what the stages must recover")]


def tables(s: dict[str, Any]) -> list[dict]:
    from .report import table

    splits = [{"split": k, "signers": ", ".join(v["signers"]), "isolated": v["isolated"], "continuous": v["continuous"]}
              for k, v in s["per_split"].items()]
    pairs = [{"a": p[0], "b": p[1], "marker": p[2]} for p in s["minimal_pairs"] if len(p) >= 3]
    counts = ([{"what": "region", "value": k, "n": v} for k, v in s["per_region"].items()]
              + [{"what": "emotion", "value": k, "n": v} for k, v in s["per_emotion"].items()]
              + [{"what": "non-manual marker", "value": k, "n": v} for k, v in s["per_nonmanual"].items()])
    facts = [{"k": "frame rate / audio rate", "v": f"{s['fps']:g} fps / {s['sr']:,} Hz"},
             {"k": "voice lag (true)", "v": f"{s['lag_s']:.3f} s"},
             {"k": "samples per class", "v": f"{s['samples_per_class']['min']}–{s['samples_per_class']['max']}"},
             {"k": "mean length (frames)", "v": f"isolated {s['mean_frames']['isolated']}, "
                                               f"continuous {s['mean_frames']['continuous']}"},
             {"k": "frames with a dropped right hand", "v": f"{100 * (s['missing_hand_frames_fraction'] or 0):.1f}%"},
             {"k": "generation", "v": f"{s['generate_seconds']:.1f} s ({s['samples_per_second']:.0f} samples/s)"}]
    return [table("Splits (by signer)", [("split", "split", "str"), ("signers", "signers", "str"),
                                         ("isolated", "isolated", "int"), ("continuous", "sentences", "int")], splits),
            table("Minimal pairs: signs that differ only in a non-manual marker",
                  [("a", "sign", "str"), ("b", "its pair", "str"), ("marker", "marker", "str")], pairs),
            table("Corpus facts", [("k", "", "str"), ("v", "", "str")], facts),
            table("Samples per region, emotion and marker", [("what", "", "str"), ("value", "", "str"),
                                                             ("n", "samples", "int")], counts)]
