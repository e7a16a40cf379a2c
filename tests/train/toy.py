from __future__ import annotations

import numpy as np
import pytest

from signfuse.samples import StreamCache
from signfuse.streams import Sample, Stream


def toy_samples(*, n_classes: int = 4, signers: int = 4, per: int = 3, T: int = 20, seed: int = 0,
                continuous: bool = False) -> list[Sample]:
    """Class-dependent streams: 'hands' carries the class as a frequency, 'face' a class-dependent offset."""
    rng = np.random.default_rng(seed)
    out = []
    for s in range(signers):
        for c in range(n_classes):
            for k in range(per):
                n = T + int(rng.integers(-4, 5))
                t = np.arange(n) / 25.0
                if continuous:
                    glosses = tuple(f"G{int(g)}" for g in rng.integers(0, n_classes, size=2))
                    seg = np.repeat([int(g[1:]) for g in glosses], int(np.ceil(n / 2)))[:n]
                    hands = np.stack([np.sin(2 * np.pi * (1 + seg) * t + j) for j in range(6)], 1)
                else:
                    glosses = None
                    hands = np.stack([np.sin(2 * np.pi * (1 + c) * t + j) for j in range(6)], 1)
                hands = hands + rng.normal(0, 0.1, hands.shape)
                face = np.full((n, 3), float(c % 2)) + rng.normal(0, 0.1, (n, 3))
                mask = np.ones(n, bool)
                mask[rng.integers(0, n)] = False
                out.append(Sample(id=f"s{s}_c{c}_{k}", signer=f"P{s}", domain="A" if s % 2 else "B",
                                  gloss=None if continuous else f"G{c}", glosses=glosses,
                                  streams={"hands": Stream("hands", hands, [f"h{j}" for j in range(6)], 25.0, mask=mask),
                                           "face": Stream("face", face, ["f0", "f1", "f2"], 25.0)},
                                  meta={"minimal_pair": "x" if c < 2 else None}))
    return out


@pytest.fixture
def toy_cache(tmp_path):
    return StreamCache.write(toy_samples(), tmp_path / "cache", streams=("hands", "face"))


@pytest.fixture
def toy_ctc_cache(tmp_path):
    return StreamCache.write(toy_samples(continuous=True, T=30), tmp_path / "ctc_cache", streams=("hands", "face"))
