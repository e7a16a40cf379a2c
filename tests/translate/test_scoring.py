from __future__ import annotations

import json

import pytest
import sacrebleu

from signfuse.errors import ParameterError
from signfuse.translate.scoring import translation_scores, wer_scores

HYPS = ["am tag regnet es im süden", "morgen wird es freundlich", "der wind weht schwach", ""]
REFS = ["am tag regnet es im süden kräftig", "morgen wird es überall freundlich", "der wind weht mäßig", "es schneit"]


def test_bleu_equals_sacrebleu_on_given_strings():
    m = translation_scores(HYPS, REFS)
    ref = sacrebleu.corpus_bleu(HYPS, [REFS])
    assert m["bleu"] == pytest.approx(ref.score, abs=1e-4)
    assert m["bleu4"] == m["bleu"]
    assert m["chrf"] == pytest.approx(sacrebleu.corpus_chrf(HYPS, [REFS]).score, abs=1e-4)
    assert m["signature"].startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:")
    assert m["bleu1"] == pytest.approx(sacrebleu.metrics.BLEU(max_ngram_order=1).corpus_score(HYPS, [REFS]).score)
    assert m["bleu1"] > m["bleu2"] > m["bleu3"] > m["bleu4"] > 0
    assert m["n"] == 4


def test_known_answers():
    same = translation_scores(REFS, REFS)
    assert same["bleu"] == pytest.approx(100.0) and same["rouge_l"] == pytest.approx(100.0)
    # ROUGE-L keeps umlauts: LCS("der wind weht schwach", "der wind weht mäßig") = 3 of 4 words each way
    r = translation_scores(["der wind weht schwach"], ["der wind weht mäßig"])
    assert r["rouge_l"] == pytest.approx(75.0)
    assert translation_scores(["über müde"], ["über müde"])["rouge_l"] == pytest.approx(100.0)


def test_wer_counts():
    # ref A B C D / hyp A X C D E: 1 substitution, 1 insertion; ref E F / hyp F: 1 deletion
    w = wer_scores(["A B C D", "E F"], ["A X C D E", "F"])
    assert (w["substitutions"], w["deletions"], w["insertions"], w["ref_words"], w["n"]) == (1, 1, 1, 6, 2)
    assert w["wer"] == pytest.approx(50.0)
    assert wer_scores(["A", ""], ["A", "B C"])["insertions"] == 2  # an empty reference: insertions only
    with pytest.raises(ParameterError, match="hypotheses"):
        wer_scores(["A"], [])


STMC = {"dev": 19.56, "test": 20.99}


@pytest.mark.parametrize("split", ["dev", "test"])
def test_stmc_wer_known_answer(shared_data, split):
    from signfuse.translate import score_glosses

    d = shared_data / "real" / "phoenix2014t"
    if not (d / f"stmc_predictions.{split}.csv").is_file():
        pytest.skip(f"{d} lacks the STMC predictions")
    w = score_glosses(d / f"PHOENIX-2014-T.{split}.corpus.csv", d / f"stmc_predictions.{split}.csv")
    assert round(w["wer"], 2) == STMC[split]
    assert w["n"] == {"dev": 519, "test": 642}[split]
    assert w["substitutions"] + w["deletions"] + w["insertions"] == round(w["wer"] * w["ref_words"] / 100)


def test_score_cli_on_stmc(shared_data):
    from click.testing import CliRunner

    from signfuse.cli import cli

    d = shared_data / "real" / "phoenix2014t"
    if not (d / "stmc_predictions.test.csv").is_file():
        pytest.skip(f"{d} lacks the STMC predictions")
    r = CliRunner().invoke(cli, ["score", "--ref", str(d / "PHOENIX-2014-T.test.corpus.csv"),
                                 "--hyp", str(d / "stmc_predictions.test.csv")])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert round(out["wer"], 2) == 20.99 and {"substitutions", "deletions", "insertions", "n"} <= set(out)
