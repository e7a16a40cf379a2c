"""Self-rebuilding checkpoints: model name, kwargs (incl. normalization statistics), vocabulary, stream
spec, task and the resolved config travel with the weights, so a checkpoint needs no training script."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path


import torch

from ..errors import DataError
from ..models import create_model

__all__ = ["Recognizer", "load_checkpoint", "save_model", "fingerprint", "read_torch_file", "write_torch_file"]

REQUIRED = ("model_name", "model_kwargs", "task", "vocab", "streams")


@dataclass
class Recognizer:
    """A ready model plus what it needs to be used: vocabulary, streams, task, config."""

    model: torch.nn.Module
    model_name: str
    model_kwargs: dict
    task: str
    vocab: list[str]
    streams: list[str]
    face_regions: list[str] = field(default_factory=list)
    fps: float | None = None
    config: dict = field(default_factory=dict)
    path: str | None = None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.model)


def fingerprint(model: torch.nn.Module) -> str:
    """A short hash of a model's parameter names, shapes and values (ties an ONNX file to its checkpoint)."""
    h = hashlib.sha1()
    for k, v in sorted(model.state_dict().items()):
        h.update(k.encode())
        h.update(str(tuple(v.shape)).encode())
        h.update(v.detach().cpu().contiguous().float().numpy().tobytes()[:4096])
    return h.hexdigest()[:16]


def read_torch_file(path: str | os.PathLike[str], *, kind: str | None = None, map_location: str = "cpu") -> dict:
    """Load a checkpoint dict safely (``weights_only``); a missing, corrupt or foreign file is a
    :class:`DataError` naming it. ``kind``: the value its ``"kind"`` key must have (a2g, emotion ...)."""
    p = Path(path)
    if not p.is_file():
        raise DataError("no such checkpoint file", path=p)
    try:
        ck = torch.load(p, map_location=map_location, weights_only=True)
    except Exception as e:  # torch raises many types for a truncated or foreign file
        raise DataError(f"not a readable signfuse checkpoint ({type(e).__name__}: {str(e)[:200]})", path=p) from None
    if not isinstance(ck, dict):
        raise DataError("not a signfuse checkpoint (not a dict)", path=p)
    if kind is not None and ck.get("kind") != kind:
        raise DataError(f"not an {kind!r} checkpoint (its kind is {ck.get('kind')!r})", path=p)
    return ck


def write_torch_file(obj: dict, path: str | os.PathLike[str]) -> Path:
    """``torch.save`` atomically (temporary name in the same folder, then rename)."""
    from ..io import atomic_path
    with atomic_path(path) as tmp:
        torch.save(obj, tmp)
    return Path(path)


def load_checkpoint(path: str | os.PathLike[str], *, map_location: str = "cpu") -> Recognizer:
    """Rebuild the model of a Lightning checkpoint (or a :func:`save_model` file); errors name the file."""
    p = Path(path)
    ck = read_torch_file(p, map_location=map_location)
    if "state_dict" not in ck:
        raise DataError("not a signfuse checkpoint (no state_dict)", path=p)
    hp = ck.get("hyper_parameters", ck.get("signfuse", {}))
    missing = [k for k in REQUIRED if k not in hp]
    if missing:
        raise DataError(f"checkpoint lacks {missing}; it was not written by signfuse", path=p)
    model = create_model(hp["model_name"], **dict(hp["model_kwargs"]))
    sd = {k[len("model."):]: v for k, v in ck["state_dict"].items() if k.startswith("model.")} or ck["state_dict"]
    try:
        model.load_state_dict(sd)
    except RuntimeError as e:
        raise DataError(f"checkpoint weights do not match its model: {str(e)[:300]}", path=p) from None
    model.eval()
    return Recognizer(model=model, model_name=hp["model_name"], model_kwargs=dict(hp["model_kwargs"]), task=hp["task"],
                      vocab=list(hp["vocab"]), streams=list(hp["streams"]), face_regions=list(hp.get("face_regions") or []),
                      fps=hp.get("fps"), config=dict(hp.get("config") or {}), path=str(p))


def save_model(rec: Recognizer, path: str | os.PathLike[str]) -> Path:
    """A slim checkpoint (weights + everything to rebuild), written atomically."""
    hp = {"model_name": rec.model_name, "model_kwargs": rec.model_kwargs, "task": rec.task, "vocab": rec.vocab,
          "streams": rec.streams, "face_regions": rec.face_regions, "fps": rec.fps, "config": rec.config}
    return write_torch_file({"hyper_parameters": hp,
                             "state_dict": {f"model.{k}": v for k, v in rec.model.state_dict().items()}}, path)
