"""Evaluate a translator on a corpus (from reference or recognized glosses) and score gloss predictions.

:func:`evaluate_translation` writes ``OUT/hypotheses.txt`` (one line per test row, in file order) and
``OUT/metrics.json`` (sacreBLEU BLEU-4 with its signature, BLEU-1..4, chrF, ROUGE-L, ``n``, unknown
glosses, speed). With ``glosses=PRED.csv`` (``name|hypothesis``, e.g. ``stmc_predictions.test.csv``) the
input glosses come from a recognizer instead of the reference ``orth``: sign -> gloss -> text.
"""

from __future__ import annotations

import json
import logging
import time
from os import PathLike
from pathlib import Path
from typing import Any, Protocol, Sequence

from ..errors import DataError
from .corpus import Pair, read_gloss_predictions, read_pairs
from .scoring import translation_scores, wer_scores

__all__ = ["evaluate_translation", "score_glosses", "gloss_inputs"]

log = logging.getLogger(__name__)


class _Backend(Protocol):
    def translate_batch(self, sentences: Sequence[Sequence[str] | str], *, beam: int = 5,
                        alpha: float | None = None) -> list: ...


def gloss_inputs(pairs: Sequence[Pair], glosses: str | PathLike[str] | None) -> list[tuple[str, ...]]:
    """The input gloss sequence of each pair: its reference glosses, or the prediction for its ``id`` in
    ``glosses`` (``name|hypothesis``); a pair without a prediction is a DataError naming the file."""
    if glosses is None:
        return [p.glosses for p in pairs]
    pred = read_gloss_predictions(glosses)
    missing = [p.id for p in pairs if p.id not in pred]
    if missing:
        raise DataError(f"{len(missing)} of {len(pairs)} test sentences have no prediction here "
                        f"(first: {missing[0]!r})", path=glosses)
    return [pred[p.id] for p in pairs]


def evaluate_translation(translator: _Backend, test: str | PathLike[str], *, out_dir: str | PathLike[str] | None = None,
                         glosses: str | PathLike[str] | None = None, beam: int = 5, alpha: float | None = None,
                         split: str = "test",
                         src_lang: str = "gloss", tgt_lang: str = "de", extra: dict[str, Any] | None = None) -> dict:
    """Translate every row of ``test`` and score it; see the module docstring. Returns the metrics."""
    from ..io import atomic_path

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
    m.update({"beam": int(beam), "alpha": alpha if alpha is not None else getattr(translator, "alpha", None), "glosses": "reference" if glosses is None else str(glosses), "test": str(test),
              "unknown_glosses": len(unknown), "unknown_gloss_types": sorted(set(unknown))[:50],
              "empty_inputs": sum(1 for g in inputs if not g), "seconds": round(dt, 3),
              "sentences_per_s": round(len(pairs) / dt, 2) if dt > 0 else None, **dict(extra or {})})
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
