"""Faces of the embedded synthetic corpus with known non-manual markers must be detected."""

import numpy as np
import pytest

from signfuse.datasets import synthetic
from signfuse.face import detect_markers, events, features

MARKERS = ("brow_raise", "brow_furrow", "head_shake", "head_nod")


@pytest.fixture(scope="module")
def vocab_and_signers():
    return synthetic.make_vocabulary(40, seed=0), synthetic.make_signers(4, seed=0)


def _marker_span(factors: dict, marker: str) -> tuple[int, int]:
    ev = [e for e in factors["nonmanual_events"] if e["marker"] == marker]
    assert ev, f"synthetic sample has no {marker} in its factors"
    return ev[0]["start_frame"], ev[0]["end_frame"]


@pytest.mark.parametrize("marker", MARKERS)
def test_known_marker_is_detected_in_its_span(vocab_and_signers, marker):
    vocab, signers = vocab_and_signers
    signs = [s for s in vocab if s.nonmanual == marker]
    if not signs:
        pytest.skip(f"vocabulary (seed 0) has no sign with {marker}")
    hits = 0
    for k, signer in enumerate(signers):
        seq, _, _, fac = synthetic.synthesize_sign(signs[0], signer, seed=10 + k)
        evs = [e for e in events(features(seq)) if e["type"] == marker]
        s0, s1 = _marker_span(fac, marker)
        # detected, overlapping the true span, and nothing of the other markers
        if evs and any(min(e["end_frame"], s1) - max(e["start_frame"], s0) > 0.5 * (s1 - s0) for e in evs):
            hits += 1
        assert detect_markers(events(features(seq))) <= {marker}
    assert hits >= len(signers) - 1   # every signer (one miss allowed for the least expressive)


def test_signs_without_face_marker_give_no_marker(vocab_and_signers):
    vocab, signers = vocab_and_signers
    plain = [s for s in vocab if s.nonmanual == "none"][:3]
    found = []
    for k, sign in enumerate(plain):
        seq, _, _, _ = synthetic.synthesize_sign(sign, signers[k % len(signers)], seed=100 + k)
        found += sorted(detect_markers(events(features(seq))))
    assert found == []


def test_head_shake_yaw_follows_the_generator(vocab_and_signers):
    vocab, signers = vocab_and_signers
    sign = next(s for s in vocab if s.nonmanual == "head_shake")
    seq, _, _, fac = synthetic.synthesize_sign(sign, signers[0], seed=3)
    s0, s1 = _marker_span(fac, "head_shake")
    yaw = features(seq).column("yaw")
    amount = fac["nonmanual_events"][0]["amounts"]["yaw_deg"]
    # peak-to-peak of the swing inside the span: twice the amount (plus the generator's sway)
    assert np.ptp(yaw[s0:s1]) == pytest.approx(2 * amount, rel=0.3)


def test_blinks_match_the_generator(vocab_and_signers):
    vocab, signers = vocab_and_signers
    matched = total = 0
    for k in range(4):
        seq, _, _, fac = synthetic.synthesize_sign(vocab[k], signers[k], seed=200 + k)
        got = [0.5 * (e["start"] + e["end"]) for e in events(features(seq)) if e["type"] == "blink"]
        for tb in fac.get("blinks_s", []):
            total += 1
            matched += any(abs(g - (tb + 0.075)) < 0.1 for g in got)
    if total == 0:
        pytest.skip("no blinks generated for these seeds")
    assert matched / total >= 0.75
