"""Emotion / intensity prediction from a checkpoint (no Lightning): :func:`load_emotion`, :func:`predict_file`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..samples.emotion import builder_of, sample_streams

__all__ = ["load_emotion", "predict_file"]


def load_emotion(path: str | os.PathLike[str]) -> tuple[Any, dict[str, Any]]:
    """``(model, info)`` from an emotion checkpoint (any signfuse version); ``info`` has ``classes``,
    ``target`` and ``fusion``."""
    from ..models.checkpoint import build_model, read_checkpoint

    ck = read_checkpoint(path, kind="emotion")
    return build_model(ck), {
        "classes": list(ck.vocab),
        "target": ck.extra.get("target") or "emotion",
        "fusion": ck.extra.get("fusion"),
        "path": str(path),
    }


def predict_file(
    ckpt: str | os.PathLike[str],
    landmarks: str | os.PathLike[str],
    *,
    audio: str | os.PathLike[str] | None = None,
    fps: float | None = None,
    force: bool = False,
) -> dict[str, float]:
    """Class probabilities for one landmark file (plus its audio, when the model uses voice).

    The body parts the model's streams need (hands for ``gesture``, the face for ``face``) must have
    been detected in most frames, else a DataError names the file and the rates (``force`` overrides).
    """
    import torch

    from .. import io
    from ..audio import load

    model, info = load_emotion(ckpt)
    p = Path(landmarks)
    seq = io.read(p, fps=fps)
    from ..quality import parts_for_streams, require_detected

    parts = parts_for_streams(builder_of(s) for s in model.streams)
    if parts:
        require_detected(seq, parts, force=force, path=p)
    wav, sr = load(audio, sr=16000) if audio else (None, None)
    xs, ms = sample_streams(seq, wav, sr, streams=list(model.streams))
    x = {k: torch.from_numpy(np.array(v[None], dtype=np.float32)) for k, v in xs.items() if k in model.streams}
    m = {k: torch.from_numpy(np.array(ms[k][None])) for k in x}
    with torch.no_grad():
        prob = torch.softmax(model(x, m)["logits"][0], -1).numpy()
    return {c: float(v) for c, v in sorted(zip(info["classes"], prob), key=lambda t: -t[1])}
