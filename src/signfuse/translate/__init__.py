"""From glosses to text: corpora, vocabularies, decoding, scores, the Transformer predictor, LLM back ends.

>>> from signfuse.translate import load_translator                       # doctest: +SKIP
>>> text = load_translator("runs/phoenix/best.ckpt").translate("MORGEN REGEN")  # doctest: +SKIP

Modules: :mod:`.corpus` (PHOENIX-2014T csv, parallel files, synthetic folders, recognizer output),
:mod:`.vocab` (sentencepiece, trained on the training split), :mod:`.decode` (greedy, beam search with
a length penalty), :mod:`.scoring` (sacreBLEU, chrF, ROUGE-L, jiwer WER), :mod:`.translator`
(:func:`load_translator`, no Lightning), :mod:`.evaluate` (test-set metrics files), :mod:`.llm`
(OpenAI-compatible chat back end with BM25 few-shot retrieval). Training lives in
:mod:`signfuse.train.translation`; the model in :mod:`signfuse.models.translation`.
"""

from .corpus import Pair, read_gloss_predictions, read_pairs
from .decode import Hypothesis, beam_search, greedy_decode
from .evaluate import evaluate_translation, gloss_inputs, score_glosses, tune_decoding
from .llm import LLMError, LLMTranslator
from .scoring import translation_scores, wer_scores
from .translator import Translation, Translator, load_translator
from .vocab import Vocab, train_vocab

__all__ = [
    "Pair",
    "read_pairs",
    "read_gloss_predictions",
    "Vocab",
    "train_vocab",
    "Hypothesis",
    "greedy_decode",
    "beam_search",
    "translation_scores",
    "wer_scores",
    "Translation",
    "Translator",
    "load_translator",
    "evaluate_translation",
    "score_glosses",
    "gloss_inputs",
    "tune_decoding",
    "LLMTranslator",
    "LLMError",
]
