"""What the commands print, and where (issue 13, "The CLI"): results on stdout, progress and notes on stderr,
one-line summaries, the names the user gave, tables that say which direction is better."""

from __future__ import annotations

import numpy as np
import soundfile as sf

from signfuse.cli import cli


def test_audio_windows_table_goes_to_stdout(tmp_path, runner):
    from signfuse.testing.audio import harmonic_glide
    p = tmp_path / "voice.wav"
    sf.write(p, np.concatenate([np.zeros(1600, np.float32), harmonic_glide(120.0, 200.0, sr=16000, duration=0.5,
                                                                          noise_db=30)]), 16000, subtype="PCM_16")
    res = runner.invoke(cli, ["audio-windows", str(p), "--plot", str(tmp_path / "w.png")])
    assert res.exit_code == 0, res.output
    assert "sidelobe_db" in res.stdout and "blackman" in res.stdout     # the table: the command's result
    assert "sidelobe_db" not in res.stderr and "w.png" in res.stderr    # notes about files stay on stderr


def test_eval_summary_lines():
    from signfuse.cli.train import eval_summary
    iso = {"task": "isolated", "n": 160, "top1": 151 / 160, "top5": 159 / 160}
    assert eval_summary(iso) == "test: top-1 94.4% (151/160), top-5 99.4%"
    cont = {"task": "continuous", "greedy": {"wer": 0.25, "n_sub": 3, "n_del": 1, "n_ins": 1, "n_ref": 20, "n_seq": 5},
            "beam": {"wer": 0.2, "n_sub": 2, "n_del": 1, "n_ins": 1, "n_ref": 20, "n_seq": 5, "width": 4}}
    assert eval_summary(cont, split="val") == ("val: WER 20.0% (2 sub, 1 del, 1 ins of 20 glosses in 5 sentences; "
                                               "beam 4)")
    del cont["beam"]
    assert eval_summary(cont).endswith("; greedy)") and "WER 25.0%" in eval_summary(cont)


def test_train_eval_print_counts_and_summary(tiny_corpus, tmp_path, runner):
    """train says how many samples are mirrored twins; eval prints its one-line summary on stderr and keeps
    stdout parseable JSON."""
    import json
    run = tmp_path / "run"
    res = runner.invoke(cli, ["train", "--data", str(tiny_corpus), "--streams", "hands", "--epochs", "1",
                              "--run-dir", str(run), "--cache_dir", str(tmp_path / "cache"), "--batch_size", "8",
                              "--model_kwargs.dim", "16", "--model_kwargs.heads", "2",
                              "--model_kwargs.transformer_layers", "1"])
    assert res.exit_code == 0, res.output
    summ = json.loads((run / "summary.json").read_text())
    n = summ["train"] - summ["train_mirrored"]
    assert summ["train_mirrored"] == n > 0                          # mirror=True: one twin per sample
    assert f"samples: train {n} (+{n} mirrored), val {summ['val']}" in res.stderr
    res = runner.invoke(cli, ["eval", str(run / "checkpoints" / "last.ckpt"), "--split", "val",
                              "--out", str(tmp_path / "ev")])
    assert res.exit_code == 0, res.output
    m = json.loads(res.stdout)
    line = f"val: top-1 {100 * m['top1']:.1f}% ({round(m['top1'] * m['n'])}/{m['n']})"
    assert line in res.stderr and "top-1" not in res.stdout


def test_result_tables_name_regions_mark_direction_and_show_chance():
    from signfuse.train.ablate import ablation_table
    from signfuse.train.adapt import adaptation_table
    rows = [{"method": "none", "top1": 0.5, "source_top1": 0.9, "notes": ""},
            {"method": "finetune", "top1": 0.75, "source_top1": None, "notes": "2 shots"}]
    t = adaptation_table(rows, source="coast", target="north", classes=8)
    head, _, none, finetune, chance = t.splitlines()
    assert head == "| method | top-1 on north ↑ | top-1 on coast (val) ↑ | notes |"
    assert none.startswith("| none | 50.0% | 90.0% |") and finetune.startswith("| finetune | 75.0% | - |")
    assert chance.startswith("| chance | 12.5% | 12.5% |")
    assert " A " not in t and " B " not in t and "on B" not in t
    assert len(adaptation_table(rows).splitlines()) == 4              # no class count: no chance row
    a = ablation_table([{"streams": "hands", "top1": 0.6, "top5": 0.9}], classes=40).splitlines()
    assert a[0].count("↑") == 5 and a[-1] == "| chance (40 classes) | 2.5% | 12.5% | 2.5% | 2.5% | 2.5% |"
    assert ablation_table([{"streams": "hands", "top1": 0.6}], classes=3).splitlines()[-1].split(" | ")[2] == "100.0%"


def test_correlate_explains_the_p_value_floor():
    from signfuse.cli.correlate import p_floor_note
    at_floor = {"n_frames": 60, "pairs": [{"p_value": 1 / 60, "n_shifts": 59}, {"p_value": 1 / 60, "n_shifts": 59}]}
    note = p_floor_note(at_floor)
    assert "0.0167" in note and "59 circular shifts" in note and "60 frames" in note and "longer clip" in note
    sampled = {"n_frames": 600, "pairs": [{"p_value": 1 / 101, "n_shifts": 100}]}
    assert "--n-perm" in p_floor_note(sampled)
    one_above = {"n_frames": 60, "pairs": [{"p_value": 1 / 60, "n_shifts": 59}, {"p_value": 2 / 60, "n_shifts": 59}]}
    assert p_floor_note(one_above) is None and p_floor_note({"pairs": []}) is None


def test_correlate_a_landmark_file_without_audio_says_so(tmp_path, runner, rng):
    from signfuse import io
    from signfuse.sequence import Component, LandmarkSequence
    from signfuse.topology import HAND_POINTS
    p = io.write(LandmarkSequence((Component("RIGHT_HAND", HAND_POINTS),), rng.random((5, 1, 21, 3)),
                                  np.ones((5, 1, 21)), 25.0), tmp_path / "x.pose")
    res = runner.invoke(cli, ["correlate", str(p), "--out", str(tmp_path / "c")])
    assert res.exit_code == 2 and "x.pose is not a video" in res.output and "AUDIO" in res.output, res.output
    assert "not a readable video" not in res.output and not (tmp_path / "c").exists()


def test_ablate_adapt_train_help_show_epochs_and_every_default(runner):
    import re

    import click

    from signfuse.cli import train as train_cli
    from signfuse.train.fit import DEFAULTS
    for cmd in (train_cli.train, train_cli.ablate, train_cli.adapt):
        names = [p.name for p in cmd.params if isinstance(p, click.Option)]
        assert "epochs" in names, cmd.name
        out = runner.invoke(cmd, ["--help"], prog_name=cmd.name).output
        assert f"[default: {DEFAULTS['epochs']}]" in out
        out = out[out.index("Options:"):]
        for p in cmd.params:
            if not isinstance(p, click.Option) or p.is_flag or p.name == "help":
                continue
            flag = max(p.opts, key=len)
            text = out[out.index(f"  {flag} "):]
            text = text[:min([m.start() for m in re.finditer(r"\n  --", text)] + [len(text)])]
            assert "[default:" in text or "[required]" in text, f"{cmd.name} {flag} shows no default:\n{text}"
    out = runner.invoke(train_cli.train, ["--help"]).output
    for key in ("task", "model", "streams"):
        assert f"[default: {DEFAULTS[key]}]" in " ".join(out.split()), key


def test_demo_help_lists_its_stages(runner):
    from signfuse.cli.demo import DEMO_STAGES
    from signfuse.demo import STAGES
    assert DEMO_STAGES == tuple(name for name, _ in STAGES)
    out = " ".join(runner.invoke(cli, ["demo", "--help"]).output.split())
    assert ", ".join(DEMO_STAGES) in out
    res = runner.invoke(cli, ["demo", "--stage", "nope", "--out", "x"])
    assert res.exit_code == 2 and "audio_to_gesture" in res.output


def test_a2g_and_emotion_tables_mark_direction_and_chance(runner, monkeypatch):
    import io as _io

    from rich.console import Console

    from signfuse.cli import a2g, emotion
    buf = _io.StringIO()
    monkeypatch.setattr(a2g, "console", Console(file=buf, width=300))
    monkeypatch.setattr(emotion, "console", Console(file=buf, width=300))
    row = {"l1": 0.1, "pck_0.1": 0.5, "pck_0.2": 0.7, "env_corr": 0.3, "beat_align": 0.6, "speed_ratio": 0.9,
           "speed_hellinger": 0.2, "fgd": 1.0}
    a2g._print_table({"model": row, "mean_pose": row, "random_segment": row})
    emotion._print({"target": "emotion", "n_test": 10, "classes": ["a", "b", "c", "d"],
                    "rows": {"early": {"accuracy": 0.5, "macro_f1": 0.4}}})
    out = buf.getvalue()
    assert "l1 ↓" in out and "pck_0.1 ↑" in out and "speed_ratio →1" in out and "fgd ↓" in out
    assert "accuracy ↑" in out and "chance (uniform guess)" in out and "0.250" in out
    assert set(a2g.A2G_BETTER) == {"l1", "pck_0.1", "pck_0.2", "env_corr", "beat_align", "speed_ratio",
                                   "speed_hellinger", "fgd"}
