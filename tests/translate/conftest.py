from __future__ import annotations

from pathlib import Path

import pytest

HEADER = "name|video|start|end|speaker|orth|translation\n"
# a toy gloss language: time first, verb last in signs; subject-verb-object-time in text
_WORDS = {"HUND": "hund", "KATZE": "katze", "BALL": "ball", "HAUS": "haus"}
_VERBS = {"SEHEN": "sieht", "HOLEN": "holt", "MOEGEN": "mag"}
_TIMES = {"MORGEN": "morgen", "HEUTE": "heute"}


def toy_rows(n: int, *, offset: int = 0) -> list[tuple[str, str, str]]:
    """``(name, glosses, text)``: a deterministic toy corpus (no randomness)."""
    nouns, verbs, times = list(_WORDS), list(_VERBS), list(_TIMES)
    rows = []
    for i in range(offset, offset + n):
        s, o = nouns[i % 4], nouns[(i // 4 + 1 + i) % 4]
        v, t = verbs[(i // 3) % 3], times[(i // 7) % 2]
        glosses = f"{t} {s} {o} {v}"
        text = f"der {_WORDS[s]} {_VERBS[v]} den {_WORDS[o]} {_TIMES[t]}"
        rows.append((f"toy-{i}", glosses, text))
    return rows


def write_phoenix(path: Path, rows) -> Path:
    path.write_text(HEADER + "".join(f"{n}|{n}/1/*.png|-1|-1|Signer01|{g}|{t}\n" for n, g, t in rows),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def toy_files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("toy")
    return {"train": write_phoenix(d / "toy.train.corpus.csv", toy_rows(96)),
            "dev": write_phoenix(d / "toy.dev.corpus.csv", toy_rows(16, offset=200)),
            "test": write_phoenix(d / "toy.test.corpus.csv", toy_rows(16, offset=300))}


TINY = {"dim": 32, "heads": 2, "enc_layers": 1, "dec_layers": 1, "ff": 64, "dropout": 0.1, "batch_size": 16,
        "lr": 3e-3, "warmup_steps": 10, "threads": 1, "accelerator": "cpu", "average": 2}


@pytest.fixture(scope="session")
def toy_run(toy_files, tmp_path_factory):
    """A tiny model trained for 4 epochs on the toy corpus (a few seconds)."""
    from signfuse.train.translation import train_translation

    out = tmp_path_factory.mktemp("run") / "toy"
    return train_translation(toy_files["train"], toy_files["dev"], out, epochs=4, patience=None, **TINY)
