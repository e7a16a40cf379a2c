"""Evaluate a translator on a corpus (from reference or recognized glosses) and score gloss predictions.

:func:`evaluate_translation` writes ``OUT/hypotheses.txt`` (one line per test row, in file order) and
``OUT/metrics.json`` (sacreBLEU BLEU-4 with its signature, BLEU-1..4, chrF, ROUGE-L, ``n``, unknown
glosses, speed). With ``glosses=PRED.csv`` (``name|hypothesis``, e.g. ``stmc_predictions.test.csv``) the
input glosses come from a recognizer instead of the reference ``orth``: sign -> gloss -> text.

:func:`tune_decoding` selects, on a dev corpus only, the checkpoint (say the best epoch or the checkpoint
average), beam width and length penalty with the best corpus BLEU, and writes a checkpoint that carries
that decoding, so ``translate eval``/``predict`` and :func:`~signfuse.translate.load_translator` use it by
default (as fairseq users tune ``--lenpen`` on valid, but kept with the model instead of in a shell line).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Any, Protocol

from ..errors import DataError, ParameterError
from .corpus import Pair, read_gloss_predictions, read_pairs
from .scoring import translation_scores, wer_scores

__all__ = [
    "evaluate_translation",
    "score_glosses",
    "gloss_inputs",
    "tune_decoding",
    "tuned_path",
    "TUNE_BEAMS",
    "TUNE_ALPHAS",
]

TUNE_BEAMS = (5, 10)
# GNMT length-penalty exponents; on PHOENIX-2014T dev the best lay at 2.0-3.5 (beam 5 output is 7% shorter
# than the references at 2.0: sacreBLEU's brevity penalty 0.93), so the grid reaches past 2.5
TUNE_ALPHAS = (0.0, 0.6, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0)

log = logging.getLogger(__name__)


class _Backend(Protocol):
    def translate_batch(
        self, sentences: Sequence[Sequence[str] | str], *, beam: int | None = None, alpha: float | None = None
    ) -> list: ...


def gloss_inputs(pairs: Sequence[Pair], glosses: str | PathLike[str] | None) -> list[tuple[str, ...]]:
    """The input gloss sequence of each pair: its reference glosses, or the prediction for its ``id`` in
    ``glosses`` (``name|hypothesis``); a pair without a prediction is a DataError naming the file."""
    if glosses is None:
        return [p.glosses for p in pairs]
    pred = read_gloss_predictions(glosses)
    missing = [p.id for p in pairs if p.id not in pred]
    if missing:
        raise DataError(
            f"{len(missing)} of {len(pairs)} test sentences have no prediction here (first: {missing[0]!r})",
            path=glosses,
        )
    return [pred[p.id] for p in pairs]


def evaluate_translation(
    translator: _Backend,
    test: str | PathLike[str],
    *,
    out_dir: str | PathLike[str] | None = None,
    glosses: str | PathLike[str] | None = None,
    beam: int | None = None,
    alpha: float | None = None,
    split: str = "test",
    src_lang: str = "gloss",
    tgt_lang: str = "de",
    extra: dict[str, Any] | None = None,
) -> dict:
    """Translate every row of ``test`` and score it; see the module docstring. Returns the metrics.
    ``beam``/``alpha`` default to the translator's (a tuned checkpoint's, :func:`tune_decoding`)."""
    from ..io import atomic_path

    if beam is None:
        beam = int(getattr(translator, "beam", 5))

    pairs = read_pairs(test, split=split, src_lang=src_lang, tgt_lang=tgt_lang)
    if not pairs:
        raise DataError("no sentences to evaluate", path=test)
    inputs = gloss_inputs(pairs, glosses)
    t0 = time.perf_counter()
    results = translator.translate_batch(list(inputs), beam=beam, alpha=alpha)
    dt = time.perf_counter() - t0
    hyps = [r.text if hasattr(r, "text") else str(r) for r in results]
    unknown = [g for r in results for g in getattr(r, "unknown", ())]
    m = translation_scores(hyps, [p.text for p in pairs])
    m.update(
        {
            "beam": int(beam),
            "alpha": alpha if alpha is not None else getattr(translator, "alpha", None),
            "glosses": "reference" if glosses is None else str(glosses),
            "test": str(test),
            "unknown_glosses": len(unknown),
            "unknown_gloss_types": sorted(set(unknown))[:50],
            "empty_inputs": sum(1 for g in inputs if not g),
            "seconds": round(dt, 3),
            "sentences_per_s": round(len(pairs) / dt, 2) if dt > 0 else None,
            **dict(extra or {}),
        }
    )
    if glosses is not None:
        m["gloss_wer"] = wer_scores([p.source for p in pairs], [" ".join(g) for g in inputs])["wer"]
    if out_dir is not None:
        out = Path(out_dir)
        with atomic_path(out / "hypotheses.txt") as tmp:
            tmp.write_text("".join(h.replace("\n", " ") + "\n" for h in hyps), encoding="utf-8")
        with atomic_path(out / "metrics.json") as tmp:
            tmp.write_text(json.dumps(m, indent=2, ensure_ascii=False), encoding="utf-8")
    return m


def score_glosses(ref: str | PathLike[str], hyp: str | PathLike[str], *, split: str | None = None) -> dict:
    """WER (with S/D/I) of gloss predictions ``hyp`` (``name|hypothesis``) against corpus ``ref``."""
    pairs = read_pairs(ref, split=split)
    inputs = gloss_inputs(pairs, hyp)
    out = wer_scores([p.source for p in pairs], [" ".join(g) for g in inputs])
    extra = set(read_gloss_predictions(hyp)) - {p.id for p in pairs}
    if extra:
        log.warning("%s: %d predictions name sentences that are not in %s (ignored)", hyp, len(extra), ref)
    out["ignored_predictions"] = len(extra)
    return out


def tuned_path(checkpoint: str | PathLike[str]) -> Path:
    """Where :func:`tune_decoding` writes by default: ``tuned.ckpt`` beside ``checkpoint``."""
    return Path(checkpoint).parent / "tuned.ckpt"


def tune_decoding(
    checkpoints: Sequence[str | PathLike[str]],
    dev: str | PathLike[str],
    *,
    out: str | PathLike[str] | None = None,
    beams: Sequence[int] = TUNE_BEAMS,
    alphas: Sequence[float] = TUNE_ALPHAS,
    split: str = "dev",
    src_lang: str = "gloss",
    tgt_lang: str = "de",
) -> dict:
    """Dev BLEU of every checkpoint x beam x alpha; the best (the first on a tie) is written to ``out``.

    ``out`` (default ``tuned.ckpt`` beside the first checkpoint) gets the chosen checkpoint's weights with
    ``beam``, ``alpha`` and the selection's record in its header, and ``OUT.json`` (``tuned.json``) every
    row. Returns ``{"rows": [...], "choice": {...}, "out": path}``. Never give it a test split: it selects.
    """
    from ..io import atomic_path
    from ..models.checkpoint import write_checkpoint
    from .translator import load_translator, read_translation_checkpoint

    paths = [Path(c) for c in checkpoints]
    if not paths:
        raise ParameterError("no checkpoints to tune")
    beams, alphas = [int(b) for b in beams], [float(a) for a in alphas]
    if not beams or min(beams) < 1:
        raise ParameterError(f"beams={beams} must be widths >= 1")
    if not alphas or min(alphas) < 0:
        raise ParameterError(f"alphas={alphas} must be >= 0")
    rows = []
    for path in paths:
        tr = load_translator(path)
        for b in beams:
            for a in alphas if b > 1 else alphas[:1]:  # greedy has no length penalty
                m = evaluate_translation(tr, dev, beam=b, alpha=a, split=split, src_lang=src_lang, tgt_lang=tgt_lang)
                rows.append({"checkpoint": str(path), "beam": b, "alpha": a, "bleu": m["bleu"]})
                log.info("%s beam %d alpha %.2f: dev BLEU %.2f", path.name, b, a, m["bleu"])
    choice = max(rows, key=lambda r: r["bleu"])  # max keeps the first of equal scores
    out = Path(out) if out is not None else tuned_path(paths[0])
    ck = read_translation_checkpoint(choice["checkpoint"])
    record = {"dev": str(dev), "dev_bleu": choice["bleu"], "from": choice["checkpoint"], "tried": len(rows)}
    extra = {**dict(ck.extra or {}), "alpha": choice["alpha"], "beam": choice["beam"], "tuned": record}
    write_checkpoint(dataclasses.replace(ck, extra=extra), out)
    report = {"rows": rows, "choice": choice, "out": str(out)}
    with atomic_path(out.with_suffix(".json")) as tmp:
        tmp.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return report
