"""The demo runner with stand-in stages: a report after every stage, failures recorded, progress with
stage k/n and an estimate, ``stages=`` reusing an earlier run."""

import json
import types

import pytest

from signfuse import ParameterError, demo


def _module(fn):
    """A stage module without findings() or tables(): the report shows its summary generically."""
    return types.SimpleNamespace(stage=fn)


def _stages(tmp_path, seen):
    def corpus(ctx):
        (ctx.corpus_dir).mkdir(parents=True, exist_ok=True)
        (ctx.corpus_dir / "corpus.json").write_text("{}")
        seen.append(("corpus", json.loads((tmp_path / "report.json").read_text())))
        return {"n": 1}

    def bad(ctx):
        raise RuntimeError("boom")

    def good(ctx):
        seen.append(("good", json.loads((tmp_path / "report.json").read_text())))
        (ctx.stage_dir("good") / "fig.png").write_bytes(b"\x89PNG")
        ctx.figure(ctx.out_dir / "good" / "fig.png", "a figure")
        ctx.progress("halfway")
        return {"table": {"model": {"acc": 0.9, "f1": 0.8}, "baseline": {"acc": 0.5, "f1": 0.4}}, "n": 3,
                "pairs": [["A", "A-NEG", "head_shake"], ["B", "B-Q", "brow_raise"]]}

    return [("corpus", _module(corpus)), ("bad", _module(bad)), ("good", _module(good))]


def test_report_after_every_stage_failures_recorded_and_progress(tmp_path, monkeypatch):
    seen: list = []
    monkeypatch.setattr(demo, "STAGES", _stages(tmp_path, seen))
    progress: list[demo.Progress] = []
    report = demo.run_demo(tmp_path, seed=3, progress=progress.append)
    st = report["stages"]
    assert st["bad"]["status"] == "failed" and "boom" in st["bad"]["error"]
    assert st["good"]["status"] == "ok" and st["good"]["summary"]["n"] == 3
    assert all(st[n]["cpu_seconds"] >= 0 and st[n]["seconds"] >= 0 for n in st)
    # the report on disk while "good" ran: the failure already recorded, "good" marked running, not finished
    during = dict(seen)["good"]
    assert during["stages"]["bad"]["status"] == "failed" and during["stages"]["good"]["status"] == "running"
    assert during["finished"] is False
    assert dict(seen)["corpus"]["stages"]["good"]["status"] == "pending"
    on_disk = json.loads((tmp_path / "report.json").read_text())
    assert on_disk["finished"] is True
    assert on_disk["figures"] == [{"path": "good/fig.png", "caption": "a figure", "stage": "good"}]
    # progress: stage k of n, the stage's own message, elapsed and an estimate, as text
    msgs = [p for p in progress if p.message == "halfway"]
    assert msgs and msgs[0].index == 3 and msgs[0].total == 3 and msgs[0].remaining_s is not None
    assert str(msgs[0]).startswith("stage 3/3 good: halfway (0:0") and "elapsed" in str(msgs[0])
    assert "{" not in "".join(str(p) for p in progress)
    page = (tmp_path / "report.html").read_text()
    # the nested dict of metrics is one grid; lists of lists are one line each (no "head_shakeB")
    assert "<th scope='col'>acc</th><th scope='col'>f1</th>" in page
    assert "<th scope='row'>baseline</th><td class='num'>0.5</td><td class='num'>0.4</td>" in page
    assert "head_shakeB" not in page and "A, A-NEG, head_shake<br>B, B-Q, brow_raise" in page
    assert page.index("id='stage-good'") < page.index("good/fig.png")
    assert "stage bad failed" in page                          # a failure is a headline, not hidden
    with pytest.raises(ParameterError, match="unknown demo stages"):
        demo.run_demo(tmp_path, stages=["nope"])


def test_stage_option_reuses_the_earlier_run(tmp_path, monkeypatch):
    seen: list = []
    monkeypatch.setattr(demo, "STAGES", _stages(tmp_path, seen))
    demo.run_demo(tmp_path, seed=3)
    seen.clear()
    report = demo.run_demo(tmp_path, seed=3, stages=["good"])
    assert [n for n, _ in seen] == ["good"]                   # the corpus is reused, not regenerated
    assert report["stages"]["corpus"]["earlier_run"] and report["stages"]["bad"]["status"] == "failed"
    assert "earlier_run" not in report["stages"]["good"]
    assert [f["stage"] for f in report["figures"]] == ["good"]
    assert "from an earlier run" in (tmp_path / "report.html").read_text()
    with pytest.raises(ParameterError, match="quick=False, seed=3"):
        demo.run_demo(tmp_path, seed=4, stages=["good"])
    # no corpus there: the corpus stage runs first
    other = tmp_path / "fresh"
    monkeypatch.setattr(demo, "STAGES", _stages(other, seen))
    seen.clear()
    demo.run_demo(other, stages=["good"])
    assert [n for n, _ in seen] == ["corpus", "good"]


def test_cli_lists_the_stages_and_prints_one_line_per_step(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from signfuse.cli import cli
    from signfuse.cli.demo import STAGE_NAMES

    assert STAGE_NAMES == demo.STAGE_NAMES
    help_text = CliRunner().invoke(cli, ["demo", "--help"]).output
    assert all(n in help_text for n in STAGE_NAMES) and "--workers" in help_text
    seen: list = []
    monkeypatch.setattr(demo, "STAGES", _stages(tmp_path, seen))
    res = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path), "--workers", "1"])
    assert res.exit_code != 0 and "demo stages failed: bad" in res.output      # the failure is the exit status
    lines = [line for line in res.output.splitlines() if line.startswith("stage ")]
    assert lines[0].startswith("stage 1/3 corpus: starting") and any("stage 3/3 good: halfway" in x for x in lines)
    assert (tmp_path / "report.html").is_file()
