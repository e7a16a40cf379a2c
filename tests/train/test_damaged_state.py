"""Damaged or unwritable training state: a truncated or empty last.ckpt on resume, a read-only dataset."""

from __future__ import annotations

import logging
import os

import pytest
import yaml
from click.testing import CliRunner

from signfuse.cli import cli
from signfuse.errors import DataError


def _run_dir(tmp_path, toy_cache, ckpt: bytes):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    (run / "config.yaml").write_text(yaml.safe_dump({
        "data": str(toy_cache.path), "streams": "hands,face", "epochs": 1, "batch_size": 8, "mirror": False,
        "progress": False, "model_kwargs": {"dim": 16, "heads": 2}}))
    (run / "checkpoints" / "last.ckpt").write_bytes(ckpt)
    return run


@pytest.mark.parametrize("content, expected", [(b"", "empty"), (b"PK\x03\x04" + b"\x00" * 40, "not a readable")],
                         ids=["empty", "truncated"])
def test_resume_from_a_damaged_last_ckpt_is_one_line_naming_it(tmp_path, toy_cache, content, expected):
    run = _run_dir(tmp_path, toy_cache, content)
    r = CliRunner().invoke(cli, ["train", "--run-dir", str(run), "--resume"])
    out = r.output.strip()
    assert r.exit_code == 1, out
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in out and "Aborted" not in out
    errors = [ln for ln in out.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1 and expected in errors[0] and "last.ckpt" in errors[0], out


def test_read_only_dataset_is_cached_in_the_user_cache(tmp_path, tiny_corpus, monkeypatch, caplog):
    from signfuse.train import fit

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    real = fit.build_cache
    dataset_cache = tiny_corpus / ".signfuse_cache"

    def refuse_in_dataset(entries, root, **kw):
        if os.path.abspath(root) == os.path.abspath(dataset_cache):   # as a read-only mount would
            raise DataError("cannot write the stream cache: Read-only file system", path=root)
        return real(entries, root, **kw)

    monkeypatch.setattr(fit, "build_cache", refuse_in_dataset)
    monkeypatch.setattr(fit, "_writable", lambda folder: False)
    cfg = fit.resolve_config(None, {"data": str(tiny_corpus), "streams": "hands"})
    with caplog.at_level(logging.WARNING, logger="signfuse"):
        cache = fit.open_cache_or_build(cfg)
    assert str(cache.path).startswith(str(tmp_path / "xdg" / "signfuse" / "datasets"))
    assert any("not writable" in m and "--cache_dir" in m for m in caplog.messages), caplog.messages


def test_unwritable_cache_dir_is_a_data_error_naming_it(tiny_corpus):
    from signfuse.train import fit

    cfg = fit.resolve_config(None, {"data": str(tiny_corpus), "streams": "hands",
                                    "cache_dir": "/sys/signfuse-cannot-write"})
    with pytest.raises(DataError, match="signfuse-cannot-write"):
        fit.open_cache_or_build(cfg)


def test_training_writers_into_an_unwritable_folder_are_one_line(tmp_path, toy_cache):
    """train, eval and export into a folder nobody can create (/sys refuses even root): one line naming it."""
    if not os.path.isdir("/sys"):
        pytest.skip("needs /sys (Linux)")
    bad = "/sys/signfuse-cannot-write"
    common = ["--data", str(toy_cache.path), "--streams", "hands,face", "--epochs", "1", "--batch-size", "8",
              "--mirror", "false", "--progress", "false", "--model-kwargs.dim", "16", "--model-kwargs.heads", "2"]
    run = tmp_path / "run"
    r = CliRunner().invoke(cli, ["train", *common, "--run-dir", str(run)])
    assert r.exit_code == 0, r.output
    ck = run / "checkpoints" / "last.ckpt"
    for argv in (["train", *common, "--run-dir", bad], ["eval", str(ck), "--out", bad],
                 ["export", str(ck), "--out", f"{bad}/m.onnx"]):
        r = CliRunner().invoke(cli, argv)
        out = r.output.strip()
        assert r.exit_code == 1, (argv[0], out)
        assert r.exception is None or isinstance(r.exception, SystemExit), (argv[0], repr(r.exception))
        errors = [ln for ln in out.splitlines() if ln.startswith("Error:")]
        assert len(errors) == 1 and bad in errors[0] and "Traceback" not in out, (argv[0], out)


def test_adapt_refuses_one_region_as_source_and_target(toy_cache, tmp_path):
    from signfuse.errors import ParameterError
    from signfuse.train.adapt import adapt
    from signfuse.train.fit import resolve_config

    cfg = resolve_config({"data": str(toy_cache.path), "streams": "hands,face", "epochs": 1, "progress": False})
    with pytest.raises(ParameterError, match="same region"):
        adapt(cfg, tmp_path / "ad", source="A", target="A", methods=("none",))
    assert not (tmp_path / "ad").exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can write into a read-only folder (the monkeypatched test above covers it)")
def test_read_only_dataset_folder_for_real(tmp_path, tiny_corpus, monkeypatch):
    import shutil
    import stat

    from signfuse.train import fit

    ds = tmp_path / "ds"
    shutil.copytree(tiny_corpus, ds, ignore=shutil.ignore_patterns(".signfuse_cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    dirs = [ds, *[p for p in ds.rglob("*") if p.is_dir()]]
    for d in dirs:
        d.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        cfg = fit.resolve_config(None, {"data": str(ds), "streams": "hands"})
        cache = fit.open_cache_or_build(cfg)
        assert str(cache.path).startswith(str(tmp_path / "xdg" / "signfuse"))
    finally:
        for d in dirs:
            d.chmod(stat.S_IRWXU)
