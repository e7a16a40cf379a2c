"""Training through fit_module, self-contained checkpoints, resume, and bad checkpoints (tiny model, toy corpus)."""

from __future__ import annotations

import json

import pytest
import torch
import yaml

from signfuse.errors import DataError
from signfuse.models.checkpoint import read_checkpoint, write_checkpoint
from signfuse.translate import load_translator
from signfuse.translate.vocab import train_vocab

from .conftest import TINY

pytestmark = pytest.mark.slow


def test_run_folder_and_self_contained_checkpoint(toy_run):
    out = toy_run.run_dir
    assert toy_run.best == out / "best.ckpt" and (out / "last.ckpt").is_file() and (out / "config.yaml").is_file()
    hist = json.loads((out / "metrics.json").read_text())["epochs"]
    assert [r["epoch"] for r in hist] == [1, 2, 3, 4] and all("val_bleu" in r for r in hist)
    assert yaml.safe_load((out / "config.yaml").read_text())["dim"] == TINY["dim"]
    ck = read_checkpoint(toy_run.best, kind="translation")
    assert ck.model_name == "translation_transformer" and isinstance(ck.vocab["src"], bytes)
    assert json.loads((out / "average.json").read_text())["epochs"]  # averaging was tried and reported
    # the loss went down: the model learned something from the toy grammar
    assert hist[-1]["train_loss"] < hist[0]["train_loss"]


def test_translator_bad_input(toy_run):
    tr = load_translator(toy_run.best)
    assert tr.translate("") == "" and tr.translate([]) == ""
    res = tr.translate_batch(["MORGEN HUND BALL SEHEN", "MORGEN ZEBRA BALL SEHEN", "   "], beam=3)
    assert res[0].unknown == () and res[1].unknown == ("ZEBRA",) and res[2].text == ""
    assert (
        tr.translate("MORGEN HUND BALL SEHEN", beam=1) == tr.translate_batch(["MORGEN HUND BALL SEHEN"], beam=1)[0].text
    )


def test_checkpoint_of_another_kind(toy_run, tmp_path):
    ck = read_checkpoint(toy_run.best)
    other = tmp_path / "recognizer.ckpt"
    write_checkpoint(type(ck)("recognition", "hybrid", {}, {}, ["A"], {}), other)
    with pytest.raises(DataError, match=r"recognizer\.ckpt.*'recognition' checkpoint.*needs a 'translation'"):
        load_translator(other)


def test_vocabulary_mismatch(toy_run, tmp_path):
    raw = torch.load(toy_run.best, weights_only=True)
    raw["signfuse"]["vocab"]["tgt"] = train_vocab(["ganz andere wörter hier"], vocab_size=50).proto
    bad = tmp_path / "mismatch.ckpt"
    torch.save(raw, bad)
    with pytest.raises(DataError, match=r"mismatch\.ckpt.*vocabulary mismatch"):
        load_translator(bad)


def test_resume_continues_a_stopped_run(toy_files, tmp_path):
    from signfuse.train.translation import train_translation

    out = tmp_path / "run"
    first = train_translation(toy_files["train"], toy_files["dev"], out, epochs=2, patience=None, **TINY)
    assert len(first.history) == 2
    with pytest.raises(DataError, match="already holds checkpoints"):
        train_translation(toy_files["train"], toy_files["dev"], out, epochs=3, patience=None, **TINY)
    before = read_checkpoint(out / "last.ckpt").vocab["tgt"]
    again = train_translation(toy_files["train"], toy_files["dev"], out, epochs=3, patience=None, resume=True, **TINY)
    hist = json.loads((out / "metrics.json").read_text())["epochs"]
    assert [r["epoch"] for r in hist] == [1, 2, 3] and len(again.history) == 3
    assert read_checkpoint(out / "last.ckpt").vocab["tgt"] == before  # the resumed run keeps its vocabulary


def test_cli_train_eval_predict(toy_files, toy_run, tmp_path):
    from click.testing import CliRunner

    from signfuse.cli import cli

    runner = CliRunner()
    r = runner.invoke(
        cli,
        [
            "translate",
            "eval",
            str(toy_run.best),
            "--test",
            str(toy_files["test"]),
            "--beam",
            "2",
            "--out",
            str(tmp_path / "ev"),
        ],
    )
    assert r.exit_code == 0, r.output
    m = json.loads((tmp_path / "ev" / "metrics.json").read_text())
    assert m["n"] == 16 and {"bleu", "bleu1", "bleu4", "chrf", "rouge_l", "signature"} <= set(m)
    assert len((tmp_path / "ev" / "hypotheses.txt").read_text().splitlines()) == 16
    # a second evaluation into the same folder keeps the first unless --force
    again = ["translate", "eval", str(toy_run.best), "--test", str(toy_files["test"]), "--beam", "1"]
    (tmp_path / "ev" / "metrics.json").write_text("{}")
    r = runner.invoke(cli, [*again, "--out", str(tmp_path / "ev")])
    assert r.exit_code != 0 and "hypotheses.txt exists (use --force" in r.output.replace("\n", "")
    assert (tmp_path / "ev" / "metrics.json").read_text() == "{}"
    r = runner.invoke(cli, [*again, "--out", str(tmp_path / "ev"), "--force"])
    assert r.exit_code == 0, r.output
    m = json.loads((tmp_path / "ev" / "metrics.json").read_text())
    assert m["n"] == 16 and m["alpha"] == 1.0  # the checkpoint's length penalty
    # --alpha overrides it (the benchmark picks one on dev); the LLM back end has none
    r = runner.invoke(cli, [*again, "--beam", "3", "--alpha", "2.5", "--out", str(tmp_path / "ev3")])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "ev3" / "metrics.json").read_text())["alpha"] == 2.5
    r = runner.invoke(cli, ["translate", "predict", "--backend", "openai", "--alpha", "1", "HUND"])
    assert r.exit_code != 0 and "--alpha" in r.output and "openai" in r.output
    r = runner.invoke(cli, ["translate", "predict", str(toy_run.best)])  # CKPT without GLOSSES
    assert r.exit_code != 0 and "CKPT GLOSSES" in r.output
    r = runner.invoke(cli, ["translate", "predict", str(toy_run.best), "HUND", "BALL"])  # unquoted glosses
    assert r.exit_code != 0 and "quote the glosses" in r.output
    pred = tmp_path / "pred.csv"
    pred.write_text("name|hypothesis\ntoy-300|HEUTE HUND\n")
    r = runner.invoke(
        cli,
        [
            "translate",
            "eval",
            str(toy_run.best),
            "--test",
            str(toy_files["test"]),
            "--glosses",
            str(pred),
            "--out",
            str(tmp_path / "ev2"),
        ],
    )
    assert r.exit_code != 0 and "pred.csv" in r.output and "15 of 16" in r.output
    r = runner.invoke(
        cli, ["translate", "predict", str(toy_run.best), "-", "--beam", "1"], input="HEUTE HUND BALL SEHEN\n\n"
    )
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 2 and r.stdout.splitlines()[1] == ""
    r = runner.invoke(cli, ["translate", "predict", str(toy_files["train"]), "HUND"])
    assert r.exit_code != 0 and "toy.train.corpus.csv" in r.output
    r = runner.invoke(
        cli,
        [
            "translate",
            "train",
            "--train",
            str(toy_files["train"]),
            "--dev",
            str(toy_files["dev"]),
            "--out",
            str(tmp_path / "cli_run"),
            "--epochs",
            "1",
            "--threads",
            "1",
            "--set",
            "dim=16",
            "--set",
            "heads=2",
            "--set",
            "ff=32",
            "--set",
            "enc_layers=1",
            "--set",
            "dec_layers=1",
            "--set",
            "accelerator=cpu",
        ],
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "cli_run" / "best.ckpt").is_file()
    r = runner.invoke(
        cli,
        [
            "translate",
            "train",
            "--train",
            str(toy_files["train"]),
            "--dev",
            str(toy_files["dev"]),
            "--out",
            str(tmp_path / "cli_run2"),
            "--set",
            "dimm=16",
        ],
    )
    assert r.exit_code != 0 and "dimm" in r.output


def test_joint_vocabulary_shares_one_embedding_table(toy_files, tmp_path):
    """``joint_vocab``: lowercased glosses and text in one vocabulary, one embedding table for both; the
    checkpoint carries the lowercasing, so the translator reads uppercase glosses."""
    from signfuse.train.translation import train_translation

    run = train_translation(
        toy_files["train"], toy_files["dev"], tmp_path / "joint", epochs=2, patience=None, joint_vocab=True, **TINY
    )
    ck = read_checkpoint(run.best, kind="translation")
    assert ck.vocab["src"] == ck.vocab["tgt"] and ck.vocab["src_lowercase"] is True
    assert ck.model_kwargs["share_embeddings"] is True
    tr = load_translator(run.best)
    assert tr.model.src_embed is tr.model.tgt_embed
    assert tr.src_vocab.encode("HUND") == tr.tgt_vocab.encode("hund")
    assert tr.translate_batch(["MORGEN HUND BALL SEHEN"], beam=2)[0].unknown == ()


def test_bucketed_batches_follow_the_epoch_across_a_resume(toy_files, tmp_path, monkeypatch):
    """``bucket=True``: Lightning sets the epoch of a sampler but not of a batch sampler, so fit_module
    does; a resumed run draws the next epoch's batches, not epoch 0's (the epoch is read when the batches
    are drawn, not when set_epoch is called)."""
    from signfuse.train import data
    from signfuse.train.translation import train_translation

    drawn: list[int] = []
    real = data.LengthBucketBatchSampler.__iter__

    def record(self):
        drawn.append(self.epoch)
        yield from real(self)

    monkeypatch.setattr(data.LengthBucketBatchSampler, "__iter__", record)
    out = tmp_path / "bucket"
    train_translation(toy_files["train"], toy_files["dev"], out, epochs=2, patience=None, bucket=True, **TINY)
    train_translation(
        toy_files["train"], toy_files["dev"], out, epochs=3, patience=None, bucket=True, resume=True, **TINY
    )
    assert drawn == [0, 1, 2]


def _module(**kw):
    from signfuse.train.translation import TranslationModule

    from .conftest import toy_rows

    rows = toy_rows(40)
    src, tgt = train_vocab([g for _, g, _ in rows]), train_vocab([t for _, _, t in rows])
    model_kwargs = {"src_vocab": src.size, "tgt_vocab": tgt.size, "dim": 16, "heads": 2, "ff": 32}
    model_kwargs.update(enc_layers=1, dec_layers=1)
    return TranslationModule(model_kwargs=model_kwargs, src_vocab=src, tgt_vocab=tgt, **kw)


def test_linear_schedule_warms_up_then_reaches_zero_at_the_last_step():
    from signfuse.errors import ParameterError

    m = _module(lr=1e-3, warmup_steps=10, schedule="linear", total_steps=110)
    sched = m.configure_optimizers()["lr_scheduler"]["scheduler"]
    lrs = []
    for _ in range(110):
        lrs.append(sched.get_last_lr()[0])
        sched.optimizer.step()
        sched.step()
    assert lrs[0] == pytest.approx(1e-4) and max(lrs) == pytest.approx(1e-3) and lrs.index(max(lrs)) == 9
    assert lrs[59] == pytest.approx(1e-3 * 0.5) and lrs[-1] == pytest.approx(0.0)
    assert all(a >= b for a, b in zip(lrs[9:], lrs[10:]))  # decays monotonically after warm-up
    inv = _module(lr=1e-3, warmup_steps=10).configure_optimizers()["lr_scheduler"]["scheduler"]
    assert inv.lr_lambdas[0](39) == pytest.approx(0.5)  # inverse square root: sqrt(10 / 40)
    with pytest.raises(ParameterError, match="needs total_steps"):
        _module(schedule="linear")
    with pytest.raises(ParameterError, match="schedule='cosine'"):
        _module(schedule="cosine", total_steps=10)


def test_source_word_dropout_masks_glosses_in_training_only(monkeypatch):
    from signfuse.translate.vocab import PAD, UNK

    m = _module(src_word_dropout=0.5)
    src = torch.randint(4, 12, (64, 9))
    src[:, 7:] = PAD
    batch = {"src": src, "tgt_in": torch.full((64, 3), 5), "tgt_out": torch.full((64, 3), 6)}
    seen = {}
    monkeypatch.setattr(m, "_loss", lambda b: (seen.setdefault("src", b["src"]), torch.tensor(1.0))[1])
    monkeypatch.setattr(m, "log", lambda *a, **k: None)
    m.training_step(batch, 0)
    got = seen["src"]
    assert (got[:, 7:] == PAD).all()  # padding stays padding
    dropped = (got[:, :7] == UNK).float().mean().item()
    assert 0.4 < dropped < 0.6 and ((got == src) | (got == UNK)).all()
    assert torch.equal(batch["src"], src)  # the caller's batch is not changed
    from signfuse.errors import ParameterError

    with pytest.raises(ParameterError, match="src_word_dropout=1.0"):
        _module(src_word_dropout=1.0)


def test_kept_epochs_carry_their_own_dev_score(toy_run):
    """``top/index.json`` pairs each kept weights file with the dev BLEU of the same epoch (metrics.json),
    and the first is best.ckpt's weights: averaging is over the epochs it names."""
    from signfuse.models.checkpoint import read_torch_file

    out = toy_run.run_dir
    by_epoch = {r["epoch"]: r["val_bleu"] for r in json.loads((out / "metrics.json").read_text())["epochs"]}
    rows = json.loads((out / "top" / "index.json").read_text())["epochs"]
    assert len(rows) == TINY["average"]
    for r in rows:
        assert r["val_bleu"] == pytest.approx(by_epoch[r["epoch"]], abs=1e-4)
    assert rows[0]["val_bleu"] == pytest.approx(max(by_epoch.values()), abs=1e-4)
    top = read_torch_file(out / "top" / rows[0]["file"])
    best = read_checkpoint(toy_run.best, kind="translation").state_dict
    if list(by_epoch.values()).count(rows[0]["val_bleu"]) == 1:  # no tie: one epoch is the best
        assert all(torch.equal(top[k], best[k]) for k in top)


def test_linear_schedule_turns_early_stopping_off_unless_asked(toy_files, tmp_path):
    from signfuse.train.translation import train_translation

    run = train_translation(toy_files["train"], toy_files["dev"], tmp_path / "lin", epochs=1, schedule="linear", **TINY)
    assert yaml.safe_load((run.run_dir / "config.yaml").read_text())["patience"] is None
    kept = train_translation(
        toy_files["train"], toy_files["dev"], tmp_path / "lin3", epochs=1, schedule="linear", patience=3, **TINY
    )
    assert yaml.safe_load((kept.run_dir / "config.yaml").read_text())["patience"] == 3


def test_rdrop_adds_the_symmetric_kl_of_two_dropout_passes():
    from signfuse.errors import ParameterError

    m = _module(rdrop=2.0)
    batch = {
        "src": torch.randint(4, 12, (8, 5)),
        "tgt_in": torch.randint(4, 12, (8, 4)),
        "tgt_out": torch.randint(4, 12, (8, 4)),
    }
    batch["tgt_out"][:, 3] = 0  # padding: out of both terms
    m.model.eval()  # no dropout: both passes agree, so R-Drop's loss is the plain loss
    assert m._rdrop_loss(batch).item() == pytest.approx(m._loss(batch).item(), rel=1e-5)
    m.model.train()
    torch.manual_seed(0)
    with_kl = m._rdrop_loss(batch)
    torch.manual_seed(0)
    m.rdrop = 0.0
    without = m._rdrop_loss(batch)  # the same two dropout masks, KL weighted 0
    assert with_kl.item() > without.item() > 0
    with_kl.backward()
    assert m.model.src_embed.weight.grad is not None and torch.isfinite(m.model.src_embed.weight.grad).all()
    with pytest.raises(ParameterError, match="rdrop=-1"):
        _module(rdrop=-1.0)


def test_respelled_split_glosses_travel_with_the_checkpoint(tmp_path):
    """``src_respell`` + ``src_split_hyphens``: KUEHL-WETTER becomes ``kühl wetter`` in training and in the
    loaded translator alike, from a map learned on the training split and stored in the checkpoint."""
    from signfuse.train.translation import train_translation

    from .conftest import toy_rows, write_phoenix

    def rows(n, offset=0):
        return [(i, f"{g} KUEHL-WETTER", f"{t} kühl wetter") for i, g, t in toy_rows(n, offset=offset)]

    train = write_phoenix(tmp_path / "r.train.corpus.csv", rows(48))
    dev = write_phoenix(tmp_path / "r.dev.corpus.csv", rows(8, 200))
    run = train_translation(
        train, dev, tmp_path / "run", epochs=1, patience=None, src_respell=True, src_split_hyphens=True, **TINY
    )
    ck = read_checkpoint(run.best, kind="translation")
    assert ck.vocab["src_respell"] == [["kuehl", "kühl"]] and ck.vocab["src_split_hyphens"] is True
    tr = load_translator(run.best)
    assert tr.src_vocab.encode("KUEHL-WETTER") == tr.tgt_vocab.encode("kühl wetter")
    assert tr.translate_batch(["MORGEN HUND KUEHL-WETTER"], beam=1)[0].unknown == ()
    assert yaml.safe_load((run.run_dir / "config.yaml").read_text())["src_respell"] is True


def test_tune_decoding_selects_on_dev_and_the_checkpoint_carries_it(toy_files, toy_run, tmp_path):
    from click.testing import CliRunner

    from signfuse.cli import cli
    from signfuse.translate import evaluate_translation, tune_decoding

    cands = [toy_run.best] + ([toy_run.averaged] if toy_run.averaged else [])
    rep = tune_decoding(cands, toy_files["dev"], out=tmp_path / "t.ckpt", beams=(1, 2, 3), alphas=(0.0, 2.0))
    # greedy has no length penalty: one row per checkpoint, then 2 x 2 beam rows
    assert len(rep["rows"]) == len(cands) * 5
    best = max(r["bleu"] for r in rep["rows"])
    c = rep["choice"]
    assert c["bleu"] == best and rep["rows"][[r["bleu"] for r in rep["rows"]].index(best)] == c  # first of ties
    assert json.loads((tmp_path / "t.json").read_text())["choice"] == c
    tr = load_translator(tmp_path / "t.ckpt")
    assert (tr.beam, tr.alpha) == (c["beam"], c["alpha"])
    assert read_checkpoint(tmp_path / "t.ckpt").extra["tuned"]["dev_bleu"] == c["bleu"]
    # the tuned decoding is the default of an evaluation, and gives the dev score it was chosen by
    m = evaluate_translation(tr, toy_files["dev"], split="dev")
    assert (m["beam"], m["alpha"], m["bleu"]) == (c["beam"], c["alpha"], c["bleu"])
    assert load_translator(toy_run.best).beam == 5  # an untuned checkpoint decodes as before
    with pytest.raises(Exception, match="beams"):
        tune_decoding([toy_run.best], toy_files["dev"], out=tmp_path / "x.ckpt", beams=(0,))

    runner = CliRunner()
    args = ["translate", "tune", str(toy_run.best), "--dev", str(toy_files["dev"]), "--beam", "2", "--alpha", "1"]
    r = runner.invoke(cli, [*args, "--out", str(tmp_path / "c.ckpt")])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert (out["beam"], out["alpha"], out["tried"]) == (2, 1.0, 1)
    r = runner.invoke(cli, [*args, "--out", str(tmp_path / "c.ckpt")])
    assert r.exit_code != 0 and "exists (use --force" in r.output.replace("\n", "")
    r = runner.invoke(cli, ["translate", "tune", str(tmp_path / "nope.ckpt"), "--dev", str(toy_files["dev"])])
    assert r.exit_code != 0 and "nope.ckpt: no such file" in r.output
    r = runner.invoke(
        cli,
        ["translate", "eval", str(tmp_path / "c.ckpt"), "--test", str(toy_files["test"]), "--out", str(tmp_path / "e")],
    )
    assert r.exit_code == 0, r.output
    m = json.loads((tmp_path / "e" / "metrics.json").read_text())
    assert (m["beam"], m["alpha"]) == (2, 1.0)
