from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator: tests never use unseeded randomness."""
    return np.random.default_rng(1234)


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


def pytest_configure(config: pytest.Config) -> None:
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
