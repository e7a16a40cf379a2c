import json

import pytest

from signfuse import ParameterError, demo


def test_run_demo_reports_every_stage_and_keeps_going(tmp_path, monkeypatch):
    def good(ctx):
        (ctx.stage_dir("good") / "fig.png").write_bytes(b"\x89PNG")
        ctx.figure(ctx.out_dir / "good" / "fig.png", "a figure")
        return {"table": {"model": {"acc": 0.9, "f1": 0.8}, "baseline": {"acc": 0.5, "f1": 0.4}}, "n": 3}

    def bad(ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(demo, "STAGES", [("bad", bad), ("good", good)])
    report = demo.run_demo(tmp_path, seed=3)
    st = report["stages"]
    assert st["bad"]["status"] == "failed" and "boom" in st["bad"]["error"]
    assert st["good"]["status"] == "ok" and st["good"]["summary"]["n"] == 3
    on_disk = json.loads((tmp_path / "report.json").read_text())
    assert on_disk["figures"] == [{"path": "good/fig.png", "caption": "a figure", "stage": "good"}]
    page = (tmp_path / "report.html").read_text()
    # the nested dict of metrics is one grid: a header row with both metrics, a row per method
    assert "<th>acc</th><th>f1</th>" in page and "<th>baseline</th><td>0.5</td><td>0.4</td>" in page
    assert page.index("<h2>good") < page.index("good/fig.png")
    with pytest.raises(ParameterError, match="unknown demo stages"):
        demo.run_demo(tmp_path, stages=["nope"])
