"""Every demo stage in quick mode on the quick corpus (8 signs, 4 signers, 6 sentences), each on its own.

The corpus stage runs once per module; the other stages read its corpus, as in ``signfuse demo``.
"""

import json

import pytest

from signfuse.demo import STAGES, DemoContext, audio_motion, audio_to_gesture, corpus, emotion, face, recognition


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    ctx = DemoContext(out_dir=out, seed=0, quick=True, stage="corpus")
    return out, corpus.stage(ctx), ctx


def _ctx(out, name):
    return DemoContext(out_dir=out, seed=0, quick=True, stage=name)


def _figures_exist(out, ctx):
    assert ctx.figures, "the stage registered no figure"
    for f in ctx.figures:
        assert (out / f["path"]).stat().st_size > 1000, f


def test_stage_table_is_the_six_modules_in_order():
    assert [n for n, _ in STAGES] == ["corpus", "face", "audio_motion", "recognition", "audio_to_gesture", "emotion"]
    assert [fn.__module__ for _, fn in STAGES] == [f"signfuse.demo.{n}" for n, _ in STAGES]


def test_corpus_stage(quick_run):
    out, summary, ctx = quick_run
    assert summary["isolated"] == 8 * 4 and summary["continuous"] == 6
    assert summary["lag_s"] == 0.12 and summary["minimal_pairs"]
    assert sum(v["isolated"] for v in summary["per_split"].values()) == summary["isolated"]
    assert (out / summary["rendered"]["video"]).stat().st_size > 1000
    _figures_exist(out, ctx)
    json.dumps(summary)


def test_face_stage(quick_run):
    out = quick_run[0]
    ctx = _ctx(out, "face")
    s = face.stage(ctx)
    json.dumps(s)
    assert s["samples"] >= 4 and s["per_class"], s
    assert set(s["per_class"]) <= {"brow_raise", "brow_furrow", "head_shake", "head_nod"}
    assert s["mean_accuracy"] >= 0.75, s["per_class"]      # the generator draws the markers clearly
    _figures_exist(out, ctx)


def test_audio_motion_stage(quick_run):
    out = quick_run[0]
    ctx = _ctx(out, "audio_motion")
    s = audio_motion.stage(ctx)
    json.dumps(s)
    assert s["true_lag_s"] == 0.12
    assert s["lag_within_one_frame"], (s["recovered_lag_s"], s["true_lag_s"])
    assert s["related"] and s["unrelated_control"]
    _figures_exist(out, ctx)


@pytest.mark.slow
def test_recognition_stage(quick_run):
    out = quick_run[0]
    ctx = _ctx(out, "recognition")
    s = recognition.stage(ctx)
    json.dumps(s)
    assert 0.0 <= s["isolated"]["top1"] <= 1.0 and s["export"]["max_abs_diff"] <= 1e-4
    assert [r["streams"] for r in s["ablation"]] == ["hands", "hands,body,face"]
    assert {r["method"] for r in s["adaptation"]["rows"]} == {"none", "adain"}
    _figures_exist(out, ctx)


@pytest.mark.slow
def test_audio_to_gesture_stage(quick_run):
    out = quick_run[0]
    ctx = _ctx(out, "audio_to_gesture")
    s = audio_to_gesture.stage(ctx)
    json.dumps(s)
    assert s["n_train"] > 0 and s["n_test"] > 0
    assert {"model", "mean_pose", "random_segment", "real"} <= set(s["metrics"]), s["metrics"]
    assert (out / "audio_to_gesture" / "example_pred.pose").is_file()
    assert json.loads((out / "audio_to_gesture" / "metrics.json").read_text())
    _figures_exist(out, ctx)


@pytest.mark.slow
def test_emotion_stage(quick_run):
    out = quick_run[0]
    ctx = _ctx(out, "emotion")
    s = emotion.stage(ctx)
    json.dumps(s)
    assert s["n_train"] > 0 and s["n_test"] > 0 and s["classes"]
    assert all(0.0 <= r["accuracy"] <= 1.0 for r in s["rows"].values())
    assert s["robustness_accuracy"]
    _figures_exist(out, ctx)
