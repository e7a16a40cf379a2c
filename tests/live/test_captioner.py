"""The per-connection window and captions: the same windows and results as ``recognize --live``, each
caption equal to recognizing its window offline, the sentence of a continuous model, the threshold."""

from __future__ import annotations

import numpy as np
import pytest

from signfuse.errors import ParameterError
from signfuse.live.captioner import (
    Captioner,
    SlidingWindow,
    merge_glosses,
    window_sequence,
)

from .conftest import sequence_frames


def _offline(model_path, frames, tmp_path, name="w", **kw):
    """``recognize`` of a window written to a landmark file: the offline answer."""
    from signfuse import io
    from signfuse.inference.recognize import recognize

    # force: a window may lack the parts the model uses (the live path captions it anyway)
    return recognize(model_path, io.write(window_sequence(frames), tmp_path / f"{name}.npz"), force=True, **kw)


def test_merge_glosses():
    assert merge_glosses([], ["A", "B"]) == ["A", "B"]
    assert merge_glosses(["A", "B"], ["B", "C"]) == ["A", "B", "C"]        # overlap not repeated
    assert merge_glosses(["A", "B", "C"], ["B", "C"]) == ["A", "B", "C"]   # already at the end
    assert merge_glosses(["A", "B", "C"], ["B"]) == ["A", "B", "C"]        # inside the tail
    assert merge_glosses(["A"], ["C", "D"]) == ["A", "C", "D"]
    assert merge_glosses(["A", "B"], []) == ["A", "B"]
    assert merge_glosses(["A", "B", "C", "D"], ["A"]) == ["A", "B", "C", "D", "A"]   # a new sign again


def test_sliding_window_rule():
    from types import SimpleNamespace
    w = SlidingWindow(window_s=0.2, hop_s=0.12)
    due = [(round(t, 2), len(win)) for t in np.arange(10) / 25
           if (win := w.push(SimpleNamespace(time=float(t)))) is not None]
    assert due == [(0.12, 4), (0.24, 6), (0.36, 6)]        # as in test_recognize_live_over_a_stream
    with pytest.raises(ParameterError, match="window_s"):
        SlidingWindow(window_s=0, hop_s=0.5)


def test_same_windows_and_results_as_recognize_live(isolated_model, tmp_path):
    """Frames from the same video through Captioner give exactly recognize_live's results; the last one
    equals recognizing its window offline."""
    pytest.importorskip("mediapipe")
    from signfuse import vision
    from signfuse.inference.recognize import load_model, recognize_live
    from signfuse.testing.media import moving_frames, photo, write_video

    onnx = isolated_model["onnx"]
    video = write_video(tmp_path / "cam.mp4", moving_frames(photo("astronaut"), 12), fps=25)
    ref = list(recognize_live(onnx, str(video), window_s=0.2, hop_s=0.12, top_k=2))
    cap = Captioner(load_model(onnx), window_s=0.2, hop_s=0.12, top_k=2)
    got, windows = [], []
    for f in vision.iter_frames(str(video)):
        c = cap.push(f)
        if c is not None:
            got.append(c)
            windows.append(cap.last_window)
    assert len(got) == len(ref) >= 3
    for g, r in zip(got, ref):
        assert (g["time"], g["frames"]) == (r["time"], r["frames"])
        assert [t["gloss"] for t in g["top"]] == [t["gloss"] for t in r["top"]]
        np.testing.assert_allclose([t["probability"] for t in g["top"]], [t["probability"] for t in r["top"]],
                                   atol=1e-6)
    off = _offline(onnx, windows[-1], tmp_path, top_k=2)
    assert [t["gloss"] for t in off["top"]] == [t["gloss"] for t in got[-1]["top"]]
    np.testing.assert_allclose(off["top"][0]["probability"], got[-1]["probability"], atol=1e-5)


def test_isolated_threshold_and_translation(isolated_model, live_corpus, tmp_path):
    from signfuse import io
    from signfuse.datasets import load_entries
    from signfuse.inference.recognize import load_model

    class StandIn:  # a stand-in for signfuse.translate (being written in parallel): records its calls
        def __init__(self):
            self.calls = []

        def translate(self, glosses):
            self.calls.append(list(glosses))
            return "text: " + " ".join(g.lower() for g in glosses)

    model = load_model(isolated_model["ckpt"])
    seq = io.read(load_entries(live_corpus, task="isolated")[0].path)
    frames = sequence_frames(seq)
    for threshold, sure in ((0.0, True), (1.0, False)):
        tr = StandIn()
        cap = Captioner(model, window_s=0.6, hop_s=0.3, threshold=threshold, translator=tr)
        caps = [c for f in frames if (c := cap.push(f)) is not None]
        assert caps and all(c["sure"] is sure for c in caps)
        assert all(c["glosses"] == [c["top"][0]["gloss"]] and 0 < c["probability"] <= 1 for c in caps)
        if sure:
            assert [c["text"] for c in caps] == ["text: " + c["glosses"][0].lower() for c in caps]
            assert tr.calls and all(len(x) == 1 for x in tr.calls)
        else:
            assert all(c["text"] == "" for c in caps) and tr.calls == []   # nothing sure, nothing translated
    # each caption is the offline answer for its window
    cap = Captioner(model, window_s=0.6, hop_s=0.3)
    for f in frames:
        c = cap.push(f)
        if c is not None:
            off = _offline(isolated_model["ckpt"], cap.last_window, tmp_path, top_k=3)
            assert [t["gloss"] for t in off["top"]] == [t["gloss"] for t in c["top"]]
    with pytest.raises(ParameterError, match="not after"):
        cap.push(frames[0])
    with pytest.raises(ParameterError, match="threshold"):
        Captioner(model, threshold=1.5)


def test_continuous_sentence_grows(continuous_model, live_corpus, tmp_path):
    from signfuse import io
    from signfuse.datasets import load_entries
    from signfuse.inference.recognize import load_model

    entry = load_entries(live_corpus, task="continuous")[0]
    frames = sequence_frames(io.read(entry.path))
    class Joiner:  # a stand-in for the gloss-to-text model
        def translate(self, glosses):
            return "-".join(glosses).lower()

    cap = Captioner(load_model(continuous_model), window_s=1.0, hop_s=0.25, translator=Joiner())
    caps, sentence = [], []
    for f in frames:
        c = cap.push(f)
        if c is None:
            continue
        off = _offline(continuous_model, cap.last_window, tmp_path)
        assert c["glosses"] == off["glosses"]                           # the window, as offline
        if c["glosses"]:
            sentence = merge_glosses(sentence, c["glosses"])
        elif sentence:
            sentence = []
        assert c["sentence"] == sentence
        assert c["text"] == "-".join(sentence).lower()                  # the sentence so far, translated
        caps.append(c)
    assert len(caps) >= 3 and "top" not in caps[0]
    assert [c["seq"] for c in caps] == list(range(len(caps)))
    assert all(c["end"] - c["start"] <= 1.0 + 1e-6 for c in caps)
