"""Translation and recognition scores from the field's libraries.

- :func:`translation_scores`: corpus BLEU-4 with its signature, cumulative BLEU-1..4 (the columns of
  the sign-translation literature, Camgoz et al. 2018) and chrF from sacreBLEU; ROUGE-L (sentence-level
  LCS F1 averaged over sentences) from torchmetrics, on whitespace tokens without its default
  ASCII-only normalizer (which would strip German umlauts).
- :func:`wer_scores`: corpus WER with substitutions, deletions, insertions from jiwer.
"""

from __future__ import annotations

from typing import Sequence

from ..errors import ParameterError

__all__ = ["translation_scores", "wer_scores"]


def _check(hyps: Sequence[str], refs: Sequence[str]) -> None:
    if len(hyps) != len(refs):
        raise ParameterError(f"{len(hyps)} hypotheses but {len(refs)} references")
    if not refs:
        raise ParameterError("no sentences to score")


def rouge_l(hyps: Sequence[str], refs: Sequence[str]) -> float:
    """Mean sentence ROUGE-L F1 x 100 (torchmetrics), whitespace tokens, text as given."""
    from torchmetrics.functional.text.rouge import rouge_score

    pairs = [(h, r) for h, r in zip(hyps, refs)]
    total = 0.0
    for h, r in pairs:
        if not h.split() or not r.split():
            continue  # F1 of an empty side is 0
        s = rouge_score(h, r, rouge_keys="rougeL", normalizer=lambda t: t, tokenizer=str.split)
        total += float(s["rougeL_fmeasure"])
    return 100.0 * total / len(pairs)


def translation_scores(hyps: Sequence[str], refs: Sequence[str]) -> dict:
    """Corpus scores of ``hyps`` against one reference each: ``bleu`` (BLEU-4), ``signature``,
    ``bleu1``..``bleu4``, ``chrf``, ``rouge_l``, ``n``. Text is scored as given (PHOENIX is lowercased and
    tokenized already); sacreBLEU's default ``13a`` tokenizer is used."""
    from sacrebleu.metrics import BLEU, CHRF

    hyps, refs = [str(h) for h in hyps], [str(r) for r in refs]
    _check(hyps, refs)
    bleu = BLEU()
    b4 = bleu.corpus_score(hyps, [refs])
    out: dict = {"bleu": round(b4.score, 4), "signature": str(bleu.get_signature())}
    for n in (1, 2, 3, 4):
        out[f"bleu{n}"] = round(BLEU(max_ngram_order=n).corpus_score(hyps, [refs]).score, 4)
    out["chrf"] = round(CHRF().corpus_score(hyps, [refs]).score, 4)
    out["rouge_l"] = round(rouge_l(hyps, refs), 4)
    out["n"] = len(refs)
    return out


def wer_scores(refs: Sequence[str], hyps: Sequence[str]) -> dict:
    """Corpus word error rate (percent) of ``hyps`` against ``refs`` (whitespace tokens) with
    ``substitutions``, ``deletions``, ``insertions``, ``hits``, reference words ``ref_words`` and ``n``."""
    import jiwer

    refs, hyps = [" ".join(str(r).split()) for r in refs], [" ".join(str(h).split()) for h in hyps]
    _check(hyps, refs)
    if not any(refs):
        raise ParameterError("every reference is empty; WER is undefined")
    # jiwer refuses empty references; an empty reference line contributes its hypothesis as insertions
    keep = [(r, h) for r, h in zip(refs, hyps) if r]
    extra_ins = sum(len(h.split()) for r, h in zip(refs, hyps) if not r)
    o = jiwer.process_words([r for r, _ in keep], [h for _, h in keep])
    S, D, I, H = o.substitutions, o.deletions, o.insertions + extra_ins, o.hits
    N = S + D + H
    return {"wer": round(100.0 * (S + D + I) / N, 4), "substitutions": S, "deletions": D, "insertions": I,
            "hits": H, "ref_words": N, "n": len(refs)}
