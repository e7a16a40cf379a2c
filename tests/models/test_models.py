from __future__ import annotations

import math

import pytest
import torch

from signfuse.errors import ParameterError
from signfuse.models import create_model, list_models, model_class
from signfuse.models.a2g import A2GModel
from signfuse.models.adain import adain, domain_stats, instance_norm, instance_stats
from signfuse.models.common import StreamModel
from signfuse.models.grl import DomainClassifier, grad_reverse, grl_lambda

torch.set_num_threads(1)
DIMS = {"hands": 12, "face": 7}
# Small sizes keep the smoke tests fast; a model missing here is still tested, at its default size.
SMALL = {"hybrid": dict(dim=16, heads=2), "lstm": dict(dim=16), "transformer": dict(dim=16, heads=2, layers=1),
         "conv_transformer": dict(dim=16, heads=2, groups=1, convs_per_group=1, kernel_size=5),
         "emotion": dict(dim=16, heads=2, layers=1), "a2g_gru": dict(dim=16), "a2g_transformer": dict(dim=16, heads=2,
                                                                                                    layers=1)}
# Stream models that classify whole samples and refuse task="continuous" (checked, not skipped).
ISOLATED_ONLY = {"emotion"}


def _batch(B=3, T=11, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = {s: torch.randn(B, T, f, generator=g) for s, f in DIMS.items()}
    m = {s: torch.ones(B, T, dtype=torch.bool) for s in DIMS}
    return x, m


def _make(name, task="isolated", **kw):
    torch.manual_seed(0)
    return create_model(name, in_dims=DIMS, num_classes=5, task=task, **{**SMALL.get(name, {}), **kw})


def test_registry_lists_builtin_models():
    assert set(list_models("recognition")) == {"hybrid", "lstm", "transformer", "conv_transformer"}
    assert set(list_models("emotion")) == {"emotion"} and set(list_models("a2g")) == {"a2g_gru", "a2g_transformer"}
    assert set(list_models()) >= set(list_models("recognition")) | set(list_models("a2g")) | {"emotion"}
    assert set(SMALL) <= set(list_models()) and ISOLATED_ONLY <= set(list_models())
    with pytest.raises(ParameterError, match="kind='speech'"):
        list_models("speech")


def test_unknown_model_lists_known():
    with pytest.raises(ParameterError, match="unknown model 'nope'.*conv_transformer.*hybrid"):
        create_model("nope", in_dims=DIMS, num_classes=3)


def test_bad_kwargs_are_parameter_errors():
    with pytest.raises(ParameterError, match="num_classes"):
        create_model("hybrid", in_dims=DIMS, num_classes=1)
    with pytest.raises(ParameterError, match="task"):
        create_model("hybrid", in_dims=DIMS, num_classes=3, task="nope")
    with pytest.raises(ParameterError, match="hybrid"):
        create_model("hybrid", in_dims=DIMS, num_classes=3, not_an_argument=1)


def _family(name):
    from signfuse.models.translation import TranslationTransformer

    cls = model_class(name)
    for family, base in (("streams", StreamModel), ("a2g", A2GModel), ("seq2seq", TranslationTransformer)):
        if isinstance(cls, type) and issubclass(cls, base):
            return family
    pytest.fail(f"model {name!r} ({cls!r}) has no smoke-test family in tests/models/test_models.py: add one")


def _smoke_cases():
    # Generated from the registry (timm's test_model_forward): a registered model cannot be forgotten here.
    cases = []
    for name in list_models():
        if _family(name) == "a2g":
            cases.append((name, "frames"))
        elif _family(name) == "seq2seq":
            cases.append((name, "tokens"))
        else:
            cases += [(name, "isolated"), (name, "continuous")]
    return cases


@pytest.mark.parametrize(("name", "task"), _smoke_cases())
def test_model_forward(name, task):
    """Forward and backward of every registered model: output shapes, finite outputs and gradients."""
    if _family(name) == "a2g":
        torch.manual_seed(0)
        model = create_model(name, in_dim=10, out_dim=4, **SMALL.get(name, {})).train()
        x = torch.randn(3, 16, 10, generator=torch.Generator().manual_seed(0))
        mask = torch.ones(3, 16, dtype=torch.bool)
        mask[1, 12:] = False
        out = model(x, mask)
        assert out["y"].shape == out["y_norm"].shape == (3, 16, 4)
        y = out["y_norm"]
    elif _family(name) == "seq2seq":
        torch.manual_seed(0)
        model = create_model(name, src_vocab=11, tgt_vocab=13, dim=16, heads=2, enc_layers=1, dec_layers=1,
                             ff=32).train()
        g = torch.Generator().manual_seed(0)
        src = torch.randint(1, 11, (3, 7), generator=g)
        src[1, 5:] = 0                                   # padding
        tgt = torch.randint(1, 13, (3, 5), generator=g)
        y = model(src, tgt)["logits"]
        assert y.shape == (3, 5, 13)
    else:
        if task == "continuous" and name in ISOLATED_ONLY:
            with pytest.raises(ParameterError, match="task"):
                _make(name, task)
            return
        model = _make(name, task).train()
        x, m = _batch()
        m["hands"][1, 7:] = False
        m["face"][1, 7:] = False
        x["face"][0, 2] = float("nan")  # a missing frame in one stream
        out = model(x, m)
        if task == "isolated":
            assert out["logits"].shape == (3, 5)
            y = out["logits"]
        else:
            assert out["frame_logits"].shape[0] == 3 and out["frame_logits"].shape[2] == 6
            assert out["lengths"].tolist()[1] <= out["lengths"].tolist()[0]
            y = out["frame_logits"]
        assert out["embedding"].dim() == 2 and out["embedding"].shape[0] == 3
    assert torch.isfinite(y).all()
    y.float().pow(2).mean().backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad and p.grad is not None]
    assert grads and all(torch.isfinite(g).all() for g in grads)


@pytest.mark.parametrize("name", [n for n in list_models() if _family(n) == "streams"])
def test_padding_does_not_change_outputs(name):
    """A sequence gives the same output alone and padded in a batch (masks work end to end)."""
    model = _make(name).eval()
    x, m = _batch(B=2, T=13)
    m = {s: v.clone() for s, v in m.items()}
    for s in m:
        m[s][1, 9:] = False
        x[s][1, 9:] = 0.0
    with torch.no_grad():
        both = model(x, m)["logits"][1]
        alone = model({s: v[1:2, :9] for s, v in x.items()})["logits"][0]
    torch.testing.assert_close(both, alone, atol=2e-5, rtol=1e-4)


@pytest.mark.parametrize("fusion", ["early", "late", "cross"])
def test_hybrid_fusions_and_missing_stream(fusion):
    model = _make("hybrid", fusion=fusion).eval()
    x, m = _batch()
    with torch.no_grad():
        full = model(x, m)["logits"]
        only_hands = model({"hands": x["hands"]}, {"hands": m["hands"]})["logits"]  # face absent
    assert full.shape == only_hands.shape == (3, 5)
    assert torch.isfinite(only_hands).all()
    assert not torch.allclose(full, only_hands)


def test_modality_dropout_keeps_one_stream_and_is_off_in_eval():
    model = _make("hybrid", modality_dropout=0.9).train()
    x, m = _batch(B=64)
    _, masks = model.inputs(x, m)
    kept = torch.stack([mk.any(1) for mk in masks], 1)  # (B, S)
    assert kept.any(1).all()            # never every stream dropped
    assert (~kept).any()                # but some are
    model.eval()
    _, masks = model.inputs(x, m)
    assert all(mk.all() for mk in masks)


def test_wrong_feature_count_is_an_error():
    model = _make("hybrid")
    with pytest.raises(ParameterError, match="hands.*features"):
        model({"hands": torch.zeros(1, 4, 3)})
    with pytest.raises(ParameterError, match="no input stream"):
        model({"audio": torch.zeros(1, 4, 3)})


def test_style_embedding_changes_output_by_domain():
    model = _make("hybrid", n_domains=2).eval()
    torch.nn.init.normal_(model.style.embed.weight)
    x, m = _batch(B=1)
    with torch.no_grad():
        a = model(x, m, torch.tensor([1]))["logits"]
        b = model(x, m, torch.tensor([2]))["logits"]
    assert not torch.allclose(a, b)


def test_conv_transformer_has_kaggle_size():
    # hands (42 points), lips (40), eyes (32), nose (12), xyz, with x, dx, ddx; 250 signs
    m = create_model("conv_transformer", in_dims={"hands": 126, "face": 252}, num_classes=250)
    n = sum(p.numel() for p in m.parameters())
    assert 1.7e6 < n < 2.1e6


# ------------------------------------------------------------------ AdaIN and gradient reversal
def test_instance_norm_and_adain_known_answers(rng):
    x = rng.normal(3.0, 2.0, size=(50, 4)).astype("float32")
    y = rng.normal(-1.0, 0.5, size=(40, 4)).astype("float32")
    z = instance_norm(x)
    assert abs(z.mean(0)).max() < 1e-5 and abs(z.std(0) - 1).max() < 1e-3
    r = adain(x, y)
    my, sy = instance_stats(y)
    assert abs(r.mean(0) - my[0]).max() < 1e-4 and abs(r.std(0) - sy[0]).max() < 1e-3
    # torch gives the same as numpy, and respects masks
    xt, yt = torch.from_numpy(x)[None], torch.from_numpy(y)[None]
    torch.testing.assert_close(adain(xt, yt)[0], torch.from_numpy(r), atol=1e-4, rtol=1e-4)
    mask = torch.ones(1, 50, dtype=torch.bool)
    mask[0, 25:] = False
    xt2 = xt.clone()
    xt2[0, 25:] = 1e6  # ignored
    torch.testing.assert_close(adain(xt2, yt, mask_x=mask)[0, :25], adain(xt[:, :25], yt)[0], atol=1e-4, rtol=1e-4)
    mean, sd = domain_stats([x, y])
    assert mean.shape == (4,) and sd.shape == (4,)


def test_grl_lambda_schedule():
    assert grl_lambda(0.0) == 0.0
    assert math.isclose(grl_lambda(0.5), 2 / (1 + math.exp(-5)) - 1)
    assert 0.9999 < grl_lambda(1.0) < 1.0
    with pytest.raises(ParameterError):
        grl_lambda(1.5)


def test_gradient_reversal_negates_and_scales():
    x = torch.ones(3, requires_grad=True)
    grad_reverse(x, 0.25).sum().backward()
    assert torch.equal(x.grad, torch.full((3,), -0.25))
    clf = DomainClassifier(4, 3)
    e = torch.randn(2, 4, requires_grad=True)
    assert clf(e, 1.0).shape == (2, 3)
