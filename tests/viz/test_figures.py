"""Every figure of :mod:`signfuse.viz` is a plain Figure (no pyplot), saves atomically, and the library
never switches matplotlib's backend."""

import re
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from signfuse import io, viz
from signfuse.streams import Stream

SRC = Path(__file__).resolve().parents[2] / "src" / "signfuse"


def _save(fig, tmp_path, name):
    assert isinstance(fig, Figure)
    p = io.save_figure(fig, tmp_path / f"{name}.png", dpi=50)
    assert p.stat().st_size > 1000
    return p


def test_recognition_figures(tmp_path):
    cm = np.array([[3, 1, 0], [0, 4, 0], [1, 0, 2]])
    _save(viz.confusion_matrix(cm, ["A", "B", "C"]), tmp_path, "cm")
    rows = [{"streams": "hands", "top1": 0.5, "minimal_pair_top1": 0.4},
            {"streams": "hands,face", "top1": 0.9, "minimal_pair_top1": None}]
    _save(viz.ablation_bars(rows), tmp_path, "ab")
    _save(viz.adaptation_bars([{"method": "none", "top1": 0.3}, {"method": "adain", "top1": 0.6}], title="t"),
          tmp_path, "ad")
    csv = tmp_path / "metrics.csv"
    csv.write_text("epoch,step,train_loss,val_loss,val_acc\n0,1,2.0,,\n0,2,1.8,,\n0,2,,1.9,0.2\n"
                   "1,3,1.2,,\n1,4,,1.1,0.6\n")
    train, val = viz.recognition.read_metrics_csv(csv)
    assert train == {0: pytest.approx(1.9), 1: pytest.approx(1.2)}
    assert val[1] == {"val_loss": 1.1, "val_acc": 0.6}
    _save(viz.training_curve(csv, title="curve"), tmp_path, "curve")


def test_face_and_audio_figures(tmp_path, rng):
    names = ("pitch", "yaw", "roll", "AU01", "AU12")
    s = Stream("au", rng.normal(size=(50, len(names))).astype(np.float32), names, 25.0)
    _save(viz.face_features(s, events=[{"type": "head_shake", "start": 0.2, "end": 0.8}], title="x"), tmp_path, "face")
    from signfuse import audio
    from signfuse.testing.audio import harmonic_glide
    y = harmonic_glide(110.0, 180.0, sr=16000, duration=0.5, noise_db=30)
    _save(viz.audio_features(audio.features(y, sr=16000), sr=16000), tmp_path, "audio")


def test_crossmodal_and_task_figures(tmp_path, rng):
    lags = np.linspace(-0.5, 0.5, 21)
    pairs = [{"audio": "f0", "motion": "hand_speed", "lags_s": lags, "curve": np.cos(lags), "lag_s": 0.1,
              "p_value": 0.01, "r": 0.5}]
    _save(viz.xcorr_lags(pairs), tmp_path, "xcorr")
    _save(viz.signal_overlay(pairs, {"f0": rng.normal(size=100)}, {"hand_speed": rng.normal(size=100)},
                             fps=25.0, n_frames=100), tmp_path, "overlay")
    t = np.arange(40) / 25.0
    _save(viz.a2g_example(t, np.abs(np.sin(t)), np.abs(np.cos(t)), np.full(40, np.nan)), tmp_path, "a2g")
    rows = {"gesture": {"accuracy": 0.5, "macro_f1": 0.4}, "late": {"accuracy": 0.7, "macro_f1": 0.6}}
    _save(viz.emotion_bars(rows, ["neutral", "happy", "angry"]), tmp_path, "emotion")


def test_no_backend_switch_and_no_pyplot_in_the_library():
    offenders = []
    for f in SRC.rglob("*.py"):
        text = f.read_text()
        if re.search(r"matplotlib\.use\(|import matplotlib\.pyplot|from matplotlib import pyplot", text):
            offenders.append(str(f.relative_to(SRC)))
    assert not offenders, offenders


def test_save_figure_does_not_import_pyplot(tmp_path):
    """In a fresh interpreter (other tests' imports may have loaded pyplot in this one)."""
    import subprocess

    code = ("import sys; from signfuse import io, viz; "
            f"io.save_figure(viz.confusion_matrix([[1, 0], [0, 1]], ['a', 'b']), {str(tmp_path / 'f.png')!r}, dpi=40); "
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'")
    env = {**__import__("os").environ, "PYTHONPATH": str(SRC.parent)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "f.png").stat().st_size > 1000


def test_layers_of_viz_and_feature_packages():
    """viz imports only layers 1-2; face/ and crossmodal/ hold no demo code (no synthetic corpus import)."""
    allowed = {"errors", "sequence", "streams", "topology", "io", "viz"}
    for f in (SRC / "viz").glob("*.py"):
        for mod in re.findall(r"from \.\.(\w+)", f.read_text()):
            assert mod in allowed, f"{f.name} imports signfuse.{mod}"
    for pkg in ("face", "crossmodal", "audio", "motion", "hands"):
        for f in (SRC / pkg).rglob("*.py"):
            text = f.read_text()
            assert "synthetic" not in re.sub(r'""".*?"""', "", text, flags=re.S), f"{pkg}/{f.name} imports the corpus"
            assert "demo_stage" not in text, f"{pkg}/{f.name} still has a demo stage"
