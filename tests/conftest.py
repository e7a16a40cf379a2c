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
    os.environ.setdefault("OMP_NUM_THREADS", "2")
