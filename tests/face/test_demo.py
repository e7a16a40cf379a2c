import json

import pytest

from signfuse.datasets import synthetic
from signfuse.demo import DemoContext
from signfuse.face import demo_stage


@pytest.mark.slow
def test_demo_stage_quick(tmp_path):
    ctx = DemoContext(out_dir=tmp_path, seed=0, quick=True)
    synthetic.generate_corpus(ctx.corpus_dir, signs=12, signers=3, sentences=0, samples_per_sign_per_signer=1, seed=0)
    summary = demo_stage(ctx)
    json.dumps(summary)                                   # JSON-able
    assert summary["samples"] >= 4
    assert summary["per_class"], "no marker classes scored"
    assert summary["mean_accuracy"] >= 0.75
    assert ctx.figures and (tmp_path / ctx.figures[0]["path"]).stat().st_size > 1000
