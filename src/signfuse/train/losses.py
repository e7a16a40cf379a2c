"""Losses: cross-entropy with label smoothing (isolated) and CTC that never goes silently NaN (continuous).

CTC needs at least ``len(label) + repeats`` input frames (a blank must separate repeated glosses). A
sequence whose (downsampled) length is shorter is *infeasible*: PyTorch's CTC returns ``inf`` for it
(NaN gradients once averaged), the known cause of NaN losses in other toolkits. :func:`ctc_loss`
excludes such samples from the loss, counts and logs them, and returns their indices so the caller can
report them; :func:`ctc_feasible` is the check, usable on a dataset before training.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from ..errors import ParameterError

__all__ = ["label_smoothing_ce", "ctc_min_length", "ctc_feasible", "ctc_loss", "CTCResult"]

log = logging.getLogger(__name__)


def label_smoothing_ce(logits: torch.Tensor, target: torch.Tensor, *, smoothing: float = 0.1) -> torch.Tensor:
    """Mean cross-entropy of ``logits (B, C)`` against ``target (B,)`` with label smoothing."""
    if not 0.0 <= smoothing < 1.0:
        raise ParameterError(f"label smoothing={smoothing} must be in [0, 1)")
    if not bool((target >= 0).any()):  # a batch of unlabeled (domain-adversarial) samples only
        return logits.sum() * 0.0
    return F.cross_entropy(logits.float(), target, label_smoothing=smoothing, ignore_index=-100)


def ctc_min_length(label: Sequence[int]) -> int:
    """Frames CTC needs for ``label``: its length plus one blank between each pair of equal neighbours."""
    lab = list(label)
    return len(lab) + sum(1 for a, b in zip(lab, lab[1:]) if a == b)


def ctc_feasible(input_lengths: Sequence[int], labels: Sequence[Sequence[int]]) -> list[bool]:
    return [int(n) >= ctc_min_length(lab) and len(lab) > 0 for n, lab in zip(input_lengths, labels)]


@dataclass
class CTCResult:
    loss: torch.Tensor  # scalar, finite
    skipped: list[int] = field(default_factory=list)  # batch indices of infeasible samples
    n_used: int = 0


def ctc_loss(
    frame_logits: torch.Tensor, input_lengths: torch.Tensor, labels: Sequence[Sequence[int]], *, blank: int = 0
) -> CTCResult:
    """CTC loss of ``frame_logits (B, T, C)`` (blank at ``blank``) for gloss-index ``labels``.

    Labels are indices into the logits (so with the blank at 0, gloss ``i`` of the vocabulary is ``i + 1``).
    Infeasible samples (too short, or empty label) are left out and listed in ``CTCResult.skipped``;
    the loss is the mean over the rest of the per-sample loss divided by its label length. When no
    sample is feasible the loss is a zero that still carries a graph (training continues, nothing is NaN).
    """
    B = frame_logits.shape[0]
    if len(labels) != B:
        raise ParameterError(f"{len(labels)} labels for a batch of {B}")
    lengths = [int(n) for n in input_lengths.tolist()]
    ok = ctc_feasible(lengths, labels)
    skipped = [i for i, f in enumerate(ok) if not f and len(labels[i]) > 0]  # empty = unlabeled, not an error
    if skipped:
        log.warning(
            "CTC: %d of %d samples are shorter than their label needs (input frames < label + repeats) "
            "and are left out of the loss: batch indices %s",
            len(skipped),
            B,
            skipped,
        )
    use = [i for i, f in enumerate(ok) if f]
    if not use:
        return CTCResult(frame_logits.sum() * 0.0, skipped, 0)
    idx = torch.tensor(use, device=frame_logits.device)
    lp = F.log_softmax(frame_logits.float().index_select(0, idx), dim=-1).transpose(0, 1)  # (T, B', C)
    targets = torch.tensor([t for i in use for t in labels[i]], dtype=torch.long, device=frame_logits.device)
    tl = torch.tensor([len(labels[i]) for i in use], dtype=torch.long, device=frame_logits.device)
    il = torch.tensor([lengths[i] for i in use], dtype=torch.long, device=frame_logits.device)
    per = F.ctc_loss(lp, targets, il, tl, blank=blank, reduction="none", zero_infinity=True)
    return CTCResult((per / tl.to(per.dtype)).mean(), skipped, len(use))
