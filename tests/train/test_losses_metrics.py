from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from signfuse.errors import ParameterError
from signfuse.train.losses import ctc_feasible, ctc_loss, ctc_min_length, label_smoothing_ce
from signfuse.train.metrics import (
    classification_metrics,
    confusion_matrix,
    ctc_beam_decode,
    ctc_greedy_decode,
    edit_ops,
    topk_correct,
    wer,
)


def test_label_smoothing_ce_matches_formula():
    logits = torch.tensor([[2.0, 0.0, -1.0]])
    target = torch.tensor([0])
    lp = torch.log_softmax(logits, -1)[0]
    eps = 0.3
    expected = -((1 - eps) * lp[0] + eps * lp.mean())
    assert math.isclose(label_smoothing_ce(logits, target, smoothing=eps).item(), expected.item(), rel_tol=1e-5)
    with pytest.raises(ParameterError, match="smoothing"):
        label_smoothing_ce(logits, target, smoothing=1.0)


def test_unlabelled_batch_gives_zero_loss_with_graph():
    logits = torch.randn(2, 3, requires_grad=True)
    loss = label_smoothing_ce(logits, torch.tensor([-100, -100]))
    assert loss.item() == 0.0 and loss.requires_grad


def test_ctc_min_length_counts_repeats():
    assert ctc_min_length([1, 2, 3]) == 3
    assert ctc_min_length([1, 1, 2]) == 4
    assert ctc_min_length([2, 2, 2]) == 5
    assert ctc_feasible([3, 3], [[1, 2, 3], [1, 1, 2]]) == [True, False]


def test_ctc_skips_short_sequences_and_stays_finite():
    torch.manual_seed(0)
    logits = torch.randn(3, 6, 5, requires_grad=True)
    r = ctc_loss(logits, torch.tensor([6, 2, 6]), [[1, 2], [1, 1, 2], [3, 3, 3, 3]])
    assert r.skipped == [1, 2] and r.n_used == 1
    # equals the plain CTC loss of the one feasible sample / its label length
    ref = torch.nn.functional.ctc_loss(torch.log_softmax(logits[:1], -1).transpose(0, 1), torch.tensor([1, 2]),
                                       torch.tensor([6]), torch.tensor([2]), reduction="sum") / 2
    assert math.isclose(r.loss.item(), ref.item(), rel_tol=1e-5)
    r.loss.backward()
    assert torch.isfinite(logits.grad).all()


def test_ctc_all_infeasible_is_zero_not_nan():
    logits = torch.randn(2, 2, 4, requires_grad=True)
    r = ctc_loss(logits, torch.tensor([2, 2]), [[1, 2, 3], [1, 1]])
    assert r.loss.item() == 0.0 and r.skipped == [0, 1]
    r.loss.backward()
    assert torch.isfinite(logits.grad).all()


def test_topk_and_per_class_mean():
    scores = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.3, 0.6, 0.1], [0.1, 0.5, 0.4]])
    y = np.array([0, 1, 1, 2])
    assert topk_correct(scores, y, 1).tolist() == [True, True, True, False]
    assert topk_correct(scores, y, 2).tolist() == [True, True, True, True]
    m = classification_metrics(scores, y, ks=(1, 2))
    assert m["top1"] == 0.75
    assert math.isclose(m["top1_per_class"], (1 + 1 + 0) / 3)
    assert m["top2"] == 1.0
    cm = confusion_matrix(scores.argmax(1), y, 3)
    assert cm.tolist() == [[1, 0, 0], [0, 2, 0], [0, 1, 0]]
    with pytest.raises(ParameterError, match="empty"):
        classification_metrics(np.zeros((0, 3)), np.zeros(0))


def test_wer_counts_substitutions_deletions_insertions():
    assert edit_ops("abc", "abc") == (0, 0, 0)
    assert edit_ops("abc", "ac") == (0, 1, 0)
    assert edit_ops("abc", "abxc") == (0, 0, 1)
    assert edit_ops("abc", "axc") == (1, 0, 0)
    w = wer([["A", "B", "C", "D"], ["E"]], [["A", "X", "C"], ["E", "F"]])
    assert (w["n_sub"], w["n_del"], w["n_ins"], w["n_ref"]) == (1, 1, 1, 5)
    assert math.isclose(w["wer"], 3 / 5)


def test_ctc_greedy_decode_merges_repeats_and_blanks():
    path = [0, 1, 1, 0, 1, 2, 2, 0]
    lp = np.log(np.full((len(path), 3), 0.05))
    lp[np.arange(len(path)), path] = np.log(0.9)
    assert ctc_greedy_decode(lp) == [[1, 1, 2]]
    assert ctc_beam_decode(lp, beam=4) == [[1, 1, 2]]


def test_ctc_beam_finds_what_greedy_misses():
    # each frame: blank 0.6, 'a' 0.4. Greedy: blank blank -> []. P([]) = 0.36 < P([a]) = 0.64.
    lp = np.log(np.array([[0.6, 0.4], [0.6, 0.4]]))
    assert ctc_greedy_decode(lp) == [[]]
    assert ctc_beam_decode(lp, beam=3) == [[1]]
