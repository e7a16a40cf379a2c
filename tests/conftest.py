from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator: tests never use unseeded randomness."""
    return np.random.default_rng(1234)


@pytest.fixture
def runner() -> CliRunner:
    """click's test runner (as in click's own tests/conftest.py): ``runner.invoke(cli, [...])``, then check
    ``exit_code`` and ``output`` (stdout and stderr together)."""
    return CliRunner()


@pytest.fixture(scope="module")
def pw():
    """A playwright instance for the browser tests (one per module); skips with the reason when Debian's
    chromium or the playwright package is missing. Launch pages with :func:`signfuse.testing.browser.launch`."""
    from signfuse.testing.browser import CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (run `bash scripts/sysdeps.sh` to install Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data (real files from other projects); skips when absent (e.g. a user's clone)."""
    d = SHARED / "data"
    if not d.is_dir():
        pytest.skip(f"real sample data not found at {d} (only present in the signfuse workplace)")
    return d


@pytest.fixture(scope="session")
def shared_models() -> Path:
    d = SHARED / "models"
    if not d.is_dir():
        pytest.skip(f"shared models not found at {d}")
    return d


# Optional dependencies (extras) that some tests skip without. `make test` installs `.[all,test]` and sets
# SIGNFUSE_REQUIRE_EXTRAS=1, so there a missing or broken extra stops the run instead of skipping quietly.
EXTRAS = {
    "mediapipe": "vision",
    "fastapi": "annotate",
    "uvicorn": "annotate",
    "onnx": "export",
    "onnxruntime": "export",
    "ray": "ray",
    "playwright": "test",
}


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("SIGNFUSE_REQUIRE_EXTRAS") == "1":
        import importlib

        broken = []
        for module, extra in EXTRAS.items():
            try:
                importlib.import_module(module)
            except ImportError as e:
                broken.append(f"{module} (extra [{extra}]): {e}")
        if broken:
            raise pytest.UsageError("SIGNFUSE_REQUIRE_EXTRAS=1 but these cannot be imported:\n  " + "\n  ".join(broken))
    # Tests use small tensors: one intra-op thread is faster than two fighting over a shared CPU.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        import torch
    except ImportError:  # pragma: no cover
        return
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory) -> Path:
    """A small embedded synthetic corpus (6 signs, 4 signers, 4 sentences), generated once per session."""
    from signfuse.datasets.synthetic import generate_corpus

    return generate_corpus(tmp_path_factory.mktemp("corpus") / "tiny", signs=6, signers=4, sentences=4, seed=0)
