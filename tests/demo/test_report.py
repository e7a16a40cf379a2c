"""The report's formatting and verdicts, on hand-made numbers with known answers."""

import pytest

from signfuse.demo import recognition
from signfuse.demo.report import TRUSTED, UNTRUSTED, WEAK, fmt, proportion, render_html, verdict_for


def test_formats():
    assert fmt(0.4712, "pct") == "47.1%" and fmt(0.4712, "pct0") == "47%"
    assert fmt(0.0004, "p") == "< 0.001" and fmt(0.0348, "p") == "0.035"
    assert fmt(75.0, "s") == "75.0 s" and fmt(401.0, "s") == "6 min 41 s"
    assert fmt(0.117, "lag") == "+0.117 s" and fmt(None) == "–" and fmt(True) == "yes"
    assert fmt(135263, "bytes") == "135 kB" and fmt(16537) == "16,537"


def test_proportion_and_verdicts():
    p = proportion(91, 100, chance=0.025)
    assert p["ci"][0] == pytest.approx(0.838, abs=0.01) and p["ci"][1] == pytest.approx(0.952, abs=0.01)
    assert p["p_vs_chance"] < 1e-6
    assert verdict_for(p, quick=False) == (TRUSTED, "")
    assert verdict_for(p, quick=True)[0] == UNTRUSTED                       # quick mode is never trusted
    small = proportion(7, 8, chance=0.125)
    assert verdict_for(small, quick=False)[0] == WEAK                       # tiny test set
    chance_level = proportion(1, 8, chance=0.125)
    v, why = verdict_for(chance_level, quick=False)
    assert v == UNTRUSTED and "not better than chance" in why


def _summary(without_face, with_face, n_pairs):
    row = {"top1": 0.8, "top5": 0.95, "top1_per_class": 0.8, "non_pair_top1": 0.85, "n": 320,
           "minimal_pair_n": n_pairs}
    return {"data": {"classes": 40, "isolated_train": 640, "isolated_val": 80, "isolated_test": 320,
                     "test_signers": ["1007", "1008"]},
            "isolated": dict(row, minimal_pair_top1=with_face, per_domain_top1={"north": 0.8}, params=1000,
                             train_seconds=10.0),
            "ablation": [dict(row, streams="hands,body", minimal_pair_top1=without_face),
                         dict(row, streams="hands,body,face", minimal_pair_top1=with_face)]}


def test_face_lift_finding_names_both_numbers_and_its_evidence():
    fs = recognition.findings(_summary(0.47, 0.91, 64), quick=False)
    lift = next(f for f in fs if "face stream" in f["claim"])
    assert "from 47%" in lift["claim"] and "to 91%" in lift["claim"] and lift["n"] == 64
    assert lift["verdict"] == TRUSTED
    same = next(f for f in recognition.findings(_summary(0.50, 0.56, 16), quick=False) if "face stream" in f["claim"])
    assert same["verdict"] == WEAK and "overlap" in same["why"]
    worse = next(f for f in recognition.findings(_summary(0.6, 0.5, 64), quick=False) if "face stream" in f["claim"])
    assert worse["verdict"] == UNTRUSTED


def test_page_puts_findings_first_and_marks_untrusted_ones():
    report = {"seed": 0, "quick": True, "finished": False, "seconds": 12.0, "cpu_seconds": 10.0,
              "stages": {"recognition": {"status": "ok", "seconds": 3.0, "cpu_seconds": 2.5,
                                         "summary": _summary(0.47, 0.91, 64)},
                         "emotion": {"status": "pending"}}, "figures": []}
    page = render_html(report, findings_of={"recognition": recognition.findings},
                       tables_of={"recognition": recognition.tables})
    assert page.index("Headline findings") < page.index("id='stage-recognition'")
    assert "class='finding untrusted'" in page and "quick mode" in page
    assert "has not finished" in page and "emotion" in page
    assert "91.0%" in page and "0.91" not in page.split("Headline findings")[1].split("<details>")[0]
