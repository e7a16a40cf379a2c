import numpy as np
import pytest
import torch

from signfuse import DataError, ParameterError
from signfuse.inference import emotion as emo_inference
from signfuse.models import create_model
from signfuse.train import emotion as emo


@pytest.mark.parametrize("fusion", ["early", "late", "cross"])
def test_fusions_forward_backward_and_missing_stream(fusion):
    torch.manual_seed(0)
    m = create_model("emotion", in_dims={"gesture": 5, "face": 4, "voice": 3}, num_classes=3, fusion=fusion, dim=16)
    x = {"gesture": torch.randn(2, 12, 5), "face": torch.randn(2, 12, 4), "voice": torch.randn(2, 12, 3)}
    mask = {k: torch.ones(2, 12, dtype=torch.bool) for k in x}
    out = m(x, mask)
    assert out["logits"].shape == (2, 3) and torch.isfinite(out["logits"]).all()
    out["logits"].sum().backward()
    m.eval()
    with torch.no_grad():
        dropped = m({k: v for k, v in x.items() if k != "voice"}, {k: v for k, v in mask.items() if k != "voice"})
        masked = m(x, {**mask, "face": torch.zeros(2, 12, dtype=torch.bool)})
    assert torch.isfinite(dropped["logits"]).all() and torch.isfinite(masked["logits"]).all()


def test_late_fusion_averages_posteriors():
    torch.manual_seed(0)
    m = create_model("emotion", in_dims={"a": 3, "b": 3}, num_classes=4, fusion="late", dim=16).eval()
    x = {"a": torch.randn(1, 10, 3), "b": torch.randn(1, 10, 3)}
    with torch.no_grad():
        both = torch.exp(m(x)["logits"])
        pa = torch.exp(m({"a": x["a"]})["logits"])
        pb = torch.exp(m({"b": x["b"]})["logits"])
    torch.testing.assert_close(both, (pa + pb) / 2, rtol=1e-4, atol=1e-5)


def test_model_argument_errors():
    with pytest.raises(ParameterError, match="exactly one stream"):
        create_model("emotion", in_dims={"a": 3, "b": 3}, num_classes=2, fusion="single")
    with pytest.raises(ParameterError, match="at least two streams"):
        create_model("emotion", in_dims={"a": 3}, num_classes=2, fusion="cross")
    with pytest.raises(ParameterError, match="fusion="):
        create_model("emotion", in_dims={"a": 3, "b": 2}, num_classes=2, fusion="sum")


def test_macro_f1_known():
    y = np.array([0, 0, 1, 1, 2, 2])
    assert emo.macro_f1(y, y) == 1.0
    p = np.array([0, 0, 1, 1, 1, 1])  # class 2 never predicted: F1 1, 2/3, 0
    assert emo.macro_f1(y, p) == pytest.approx((1 + 2 / 3 + 0) / 3)


def _toy(rng, n_per, split, informative="face"):
    """Three classes encoded only in one stream; the others are noise."""
    out = []
    for c, label in enumerate(["angry", "happy", "sad"]):
        for k in range(n_per):
            T = int(rng.integers(20, 30))
            xs = {s: rng.normal(size=(T, d)).astype(np.float32) for s, d in (("gesture", 4), ("face", 3), ("voice", 2))}
            xs[informative][:, 0] += 2.0 * (c - 1)
            out.append(emo.EmotionSample(f"{split}{c}{k}", split, "s", label, xs, {s: np.ones(T, bool) for s in xs}))
    return out


@pytest.mark.slow
def test_experiment_finds_the_informative_stream(rng, tmp_path):
    samples = _toy(rng, 20, "train") + _toy(rng, 8, "test")
    table = emo.run_experiment(samples, tmp_path, epochs=12, seed=0, fusions=("early", "late"))
    rows = table["rows"]
    assert rows["face"]["accuracy"] > 0.9
    assert rows["gesture"]["accuracy"] < 0.6 and rows["voice"]["accuracy"] < 0.6
    assert rows["fusion_early"]["accuracy"] > 0.85
    # the informative modality missing at test time must hurt; an uninformative one must not
    rob = table["robustness"]["fusion_early"]
    assert rob["face_dropped"]["accuracy"] < rows["fusion_early"]["accuracy"] - 0.3
    assert rob["voice_dropped"]["accuracy"] > rows["fusion_early"]["accuracy"] - 0.15
    assert (tmp_path / "emotion_early.ckpt").exists() and (tmp_path / "emotion_table.json").exists()
    model, ck = emo_inference.load_emotion(tmp_path / "emotion_early.ckpt")
    assert ck["classes"] == ["angry", "happy", "sad"]


def test_data_errors(rng, tmp_path):
    one = [s for s in _toy(rng, 3, "train") if s.label == "sad"]
    with pytest.raises(DataError, match="single class"):
        emo.train_classifier(one, streams=["face"], fusion="single", classes=["sad"], epochs=1)
    with pytest.raises(ParameterError, match="unknown stream 'lips'"):
        emo.train_classifier(_toy(rng, 3, "train"), streams=["lips"], fusion="single", classes=["angry", "happy", "sad"])
    # a registered stream builder is a valid name; a sample set without it is a data error
    with pytest.raises(DataError, match="no training sample has the 'hand_flexion' stream"):
        emo.train_classifier(_toy(rng, 3, "train"), streams=["hand_flexion"], fusion="single",
                             classes=["angry", "happy", "sad"])
    with pytest.raises(DataError, match="corpus.json"):
        emo.samples_from_data(tmp_path)
    bad = tmp_path / "x.ckpt"
    bad.write_text("garbage")
    with pytest.raises(DataError, match="x.ckpt"):
        emo_inference.load_emotion(bad)


def test_corpus_samples_have_three_aligned_streams(tiny_corpus):
    samples = emo.samples_from_data(tiny_corpus, limit_per_split=3)
    assert samples
    for s in samples:
        assert set(s.x) == {"gesture", "face", "voice"}
        lengths = {v.shape[0] for v in s.x.values()}
        assert len(lengths) == 1
        assert s.label in {"neutral", "happy", "sad", "angry", "surprised"}
        assert s.mask["voice"].mean() > 0.9
