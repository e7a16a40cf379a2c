"""A recognition checkpoint ready to use: :class:`Recognizer` (model + vocabulary, streams, task, config).

Checkpoints follow the one schema of :mod:`signfuse.models.checkpoint`; this module only adds what
recognition needs (streams, face regions, task) on top. Importing it needs torch, never Lightning.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .checkpoint import Checkpoint, build_model, fingerprint, read_checkpoint, write_checkpoint

__all__ = ["Recognizer", "load_checkpoint", "save_model"]


@dataclass
class Recognizer:
    """A ready model plus what it needs to be used: vocabulary, streams, task, config."""

    model: Any  # the nn.Module build_model gave; Any: callers read model-specific attributes (in_dims)
    model_name: str
    model_kwargs: dict[str, Any]
    task: str
    vocab: list[str]
    streams: list[str]
    face_regions: list[str] = field(default_factory=list)
    fps: float | None = None
    config: dict[str, Any] = field(default_factory=dict)
    path: str | None = None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.model)


def load_checkpoint(path: str | os.PathLike[str], *, map_location: str = "cpu") -> Recognizer:
    """Rebuild the recognition model of a checkpoint (any version); errors name the file and the kind."""
    ck = read_checkpoint(path, kind="recognition", map_location=map_location)
    model = build_model(ck)
    ex = ck.extra
    return Recognizer(model=model, model_name=ck.model_name, model_kwargs=dict(ck.model_kwargs), task=ex["task"],
                      vocab=list(ck.vocab), streams=list(ex["streams"]), face_regions=list(ex.get("face_regions") or []),
                      fps=ex.get("fps"), config=dict(ck.config), path=str(Path(path)))


def save_model(rec: Recognizer, path: str | os.PathLike[str]) -> Path:
    """A slim checkpoint (weights + everything to rebuild), written atomically."""
    return write_checkpoint(Checkpoint("recognition", rec.model_name, rec.model_kwargs, rec.model.state_dict(),
                                       list(rec.vocab), rec.config, None,
                                       {"task": rec.task, "streams": list(rec.streams),
                                        "face_regions": list(rec.face_regions), "fps": rec.fps}), path)
