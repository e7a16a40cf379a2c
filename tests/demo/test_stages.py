"""Every demo stage in quick mode (8 signs, 4 signers, 6 sentences), from one ``run_demo(quick=True)``;
each stage's summary, figures, findings and tables are checked on their own.

Quick mode checks the pipeline, not the methods: its accuracy findings must be marked untrusted.
"""

import json

import pytest

from signfuse.demo import (
    STAGES,
    ablation,
    adaptation,
    audio_motion,
    audio_to_gesture,
    continuous,
    corpus,
    critical_path_order,
    emotion,
    face,
    recognition,
    translation,
)
from signfuse.demo.report import TRUSTED, UNTRUSTED

pytestmark = pytest.mark.slow


def _stage(quick_demo, name):
    out, report = quick_demo
    st = report["stages"][name]
    assert st["status"] == "ok", st.get("traceback", st)
    json.dumps(st["summary"])
    figs = [f for f in report["figures"] if f["stage"] == name]
    assert figs, f"{name} registered no figure"
    for f in figs:
        assert (out / f["path"]).stat().st_size > 1000, f
    module = dict(STAGES)[name]
    fs = module.findings(st["summary"], quick=True)
    assert fs and all(f["claim"] and f["verdict"] in ("trusted", "weak", "untrusted") for f in fs)
    tabs = module.tables(st["summary"])
    assert tabs and all(t["rows"] for t in tabs)
    return out, st["summary"], fs


def test_stage_table_is_the_modules_in_order():
    mods = [corpus, face, audio_motion, recognition, ablation, adaptation, continuous, audio_to_gesture, emotion]
    assert [m for _, m in STAGES] == [*mods, translation]
    assert [n for n, _ in STAGES] == [m.__name__.rsplit(".", 1)[1] for m in [*mods, translation]]
    # one worker runs them in this order: every stage comes after the stages it waits for
    names = [n for n, _ in STAGES]
    for i, (_, m) in enumerate(STAGES):
        assert set(getattr(m, "AFTER", ())) <= set(names[:i]), m


def test_critical_path_first():
    """A short stage that unlocks long ones starts before a long stage that unlocks nothing."""
    expected = {"recognition": 10, "ablation": 50, "continuous": 60, "translation": 40, "emotion": 90, "face": 1}
    order = critical_path_order(["face", "emotion", "recognition", "ablation", "continuous", "translation"], expected)
    assert order[0] == "recognition" and order.index("continuous") < order.index("emotion")
    assert order[-1] == "face"


def test_corpus_stage(quick_demo):
    out, s, _ = _stage(quick_demo, "corpus")
    assert s["isolated"] == 8 * 4 and s["continuous"] == 6
    assert s["lag_s"] == 0.12 and s["minimal_pairs"]
    assert sum(v["isolated"] for v in s["per_split"].values()) == s["isolated"]
    assert (out / s["rendered"]["video"]).stat().st_size > 1000


def test_face_stage(quick_demo):
    _, s, fs = _stage(quick_demo, "face")
    assert s["samples"] >= 4 and s["per_class"], s
    assert s["mean_accuracy"] >= 0.75, s["per_class"]  # the generator draws the markers clearly
    assert fs[0]["verdict"] == UNTRUSTED  # a handful of samples per marker


def test_audio_motion_stage(quick_demo):
    _, s, fs = _stage(quick_demo, "audio_motion")
    assert s["true_lag_s"] == 0.12
    assert s["lag_within_one_frame"], (s["recovered_lag_s"], s["true_lag_s"])
    assert "recovered as" in fs[0]["claim"] and fs[0]["verdict"] != UNTRUSTED
    control = fs[1]
    if s["unrelated_any_significant"]:  # a "significant" unrelated control is never trusted
        assert control["verdict"] == UNTRUSTED and "unrelated control" in control["why"]


def test_recognition_stages(quick_demo):
    _, s, fs = _stage(quick_demo, "recognition")
    assert 0.0 <= s["isolated"]["top1"] <= 1.0 and s["export"]["max_abs_diff"] <= 1e-4
    accuracy = [f for f in fs if "ONNX" not in f["claim"]]
    assert accuracy and all(f["verdict"] == UNTRUSTED and "quick mode" in f["why"] for f in accuracy)
    assert any(f["verdict"] == TRUSTED for f in fs if "ONNX" in f["claim"])
    _, s, fs = _stage(quick_demo, "ablation")
    assert [r["streams"] for r in s["ablation"]] == ["hands", "hands,body,face"]
    assert all(f["stage"] == "ablation" and f["verdict"] == UNTRUSTED for f in fs)
    _, s, fs = _stage(quick_demo, "adaptation")
    assert {r["method"] for r in s["adaptation"]["rows"]} == {"none", "adain"}
    assert all(f["stage"] == "adaptation" and f["verdict"] == UNTRUSTED for f in fs)
    _, s, fs = _stage(quick_demo, "continuous")
    assert s["continuous"]["n"] > 0 and s["continuous"]["downsample"] == 4
    assert [f["verdict"] for f in fs] == [UNTRUSTED]


def test_audio_to_gesture_stage(quick_demo):
    out, s, fs = _stage(quick_demo, "audio_to_gesture")
    assert s["n_train"] > 0 and s["n_test"] > 0
    assert {"model", "mean_pose", "random_segment", "real"} <= set(s["metrics"]), s["metrics"]
    assert (out / "audio_to_gesture" / "example_pred.pose").is_file()
    assert json.loads((out / "audio_to_gesture" / "metrics.json").read_text())
    assert all(f["verdict"] == UNTRUSTED for f in fs)


def test_emotion_stage(quick_demo):
    _, s, fs = _stage(quick_demo, "emotion")
    assert s["n_train"] > 0 and s["n_test"] > 0 and s["classes"]
    assert all(0.0 <= r["accuracy"] <= 1.0 for r in s["rows"].values())
    assert s["robustness_accuracy"]
    assert fs[0]["verdict"] == UNTRUSTED and "emotions" in fs[0]["chance"]


def test_translation_stage(quick_demo):
    _, s, fs = _stage(quick_demo, "translation")
    assert set(s["rows"]) == {"reference glosses", "recognized with face", "recognized without face"}
    assert s["n_test"] > 0 and all(0.0 <= r["bleu"] <= 100.0 for r in s["rows"].values())
    assert fs[0]["verdict"] == UNTRUSTED and "quick mode" in fs[0]["why"]
    assert translation.sentence_kind("does the muse tafe ?") == "question"
    assert translation.sentence_kind("what does the muse tafe ?") == "wh"
    assert translation.sentence_kind("the muse does not tafe") == "negative"
    assert translation.sentence_kind("the muse tafes") == "statement"
