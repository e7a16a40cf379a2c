"""What every demo stage receives: :class:`DemoContext`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DemoContext"]


@dataclass
class DemoContext:
    """What every stage receives. ``results`` holds earlier stages' summaries by stage name."""

    out_dir: Path
    seed: int = 0
    quick: bool = False
    results: dict[str, Any] = field(default_factory=dict)
    figures: list[dict[str, str]] = field(default_factory=list)
    progress: Callable[[str], None] = lambda msg: None
    stage: str = ""

    @property
    def corpus_dir(self) -> Path:
        return self.out_dir / "corpus"

    def stage_dir(self, name: str) -> Path:
        d = self.out_dir / name
        d.mkdir(parents=True, exist_ok=True)
        return d

    def figure(self, path: str | Path, caption: str) -> None:
        """Register a figure (a file under ``out_dir``) for the HTML report."""
        self.figures.append(
            {
                "path": str(Path(path).resolve().relative_to(self.out_dir.resolve())),
                "caption": caption,
                "stage": self.stage,
            }
        )
