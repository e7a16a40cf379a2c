"""One checkpoint schema for every kind of model (recognition, a2g, emotion, translation).

A signfuse checkpoint is a ``torch.save`` dict with a ``"signfuse"`` header and a ``"state_dict"``::

    {"signfuse": {"schema": 2, "kind": "recognition", "model_name": "hybrid", "model_kwargs": {...},
                  "vocab": [...], "config": {...}, "version": "0.2.0", "extra": {...}},
     "state_dict": {...}}

Lightning checkpoints written by :func:`signfuse.train.trainer.fit_module` carry the same header
beside Lightning's own keys (their weights are prefixed ``model.``; the reader strips the prefix). So
one reader (:func:`read_checkpoint`) serves every file, rebuilds the model with no training script
(nanoGPT's ``model_args`` pattern) and names the kind it found when it is not the kind a command needs.

Files written by signfuse 0.1 (Lightning ``hyper_parameters`` for recognition, ``{"kind": "a2g"...}``
and ``{"kind": "emotion"...}`` dicts) are converted on reading.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from ..errors import DataError

if TYPE_CHECKING:  # torch is imported where it is used, so reading a header needs no torch import here
    from torch import nn

__all__ = ["SCHEMA", "KINDS", "Checkpoint", "read_checkpoint", "write_checkpoint", "build_model", "fingerprint",
           "read_torch_file", "write_torch_file", "make_header"]

SCHEMA = 2
KINDS = ("recognition", "a2g", "emotion", "translation")
#: what each kind is used with (for error messages)
_USE = {"recognition": "signfuse train / eval / recognize / export", "a2g": "signfuse a2g",
        "emotion": "signfuse emotion", "translation": "signfuse translate"}


@dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint holds: enough to rebuild its model and use it."""

    kind: str
    model_name: str
    model_kwargs: dict[str, Any]
    state_dict: dict[str, Any]
    vocab: Any = None
    config: dict[str, Any] = field(default_factory=dict)
    version: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    path: str | None = None

    def header(self) -> dict[str, Any]:
        return make_header(kind=self.kind, model_name=self.model_name, model_kwargs=self.model_kwargs,
                           vocab=self.vocab, config=self.config, extra=self.extra)


def _version() -> str:
    from .. import __version__
    return __version__


def make_header(*, kind: str, model_name: str, model_kwargs: Mapping[str, Any], vocab: Any = None,
                config: Mapping[str, Any] | None = None, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``"signfuse"`` header of a checkpoint (plain types only, so ``weights_only`` loading works)."""
    if kind not in KINDS:
        raise DataError(f"unknown checkpoint kind {kind!r}; known: {', '.join(KINDS)}")
    return {"schema": SCHEMA, "kind": kind, "model_name": str(model_name), "model_kwargs": dict(model_kwargs),
            "vocab": vocab, "config": dict(config or {}), "version": _version(), "extra": dict(extra or {})}


def read_torch_file(path: str | os.PathLike[str], *, map_location: str = "cpu") -> dict[str, Any]:
    """Load a ``torch.save`` dict safely (``weights_only=True``, whatever ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD``
    says); a missing, empty, truncated or foreign file is a :class:`DataError` naming it."""
    import torch

    p = Path(path)
    if not p.is_file():
        raise DataError("no such checkpoint file", path=p)
    if p.stat().st_size == 0:
        raise DataError("the checkpoint file is empty", path=p)
    try:
        ck = torch.load(p, map_location=map_location, weights_only=True)
    except Exception as e:  # torch raises many types for a truncated or foreign file
        raise DataError(f"not a readable signfuse checkpoint ({type(e).__name__}: {str(e)[:200]})", path=p) from None
    if not isinstance(ck, dict):
        raise DataError("not a signfuse checkpoint (not a dict)", path=p)
    return ck


def write_torch_file(obj: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """``torch.save`` atomically (temporary name in the same folder, then rename)."""
    import torch

    from ..io import atomic_path
    with atomic_path(path) as tmp:
        torch.save(dict(obj), tmp)
    return Path(path)


def _strip(sd: Mapping[str, Any], prefix: str = "model.") -> dict[str, Any]:
    own = {k[len(prefix):]: v for k, v in sd.items() if k.startswith(prefix)}
    return own or dict(sd)


def _legacy(ck: dict, p: Path) -> Checkpoint:
    """A signfuse 0.1 file as a :class:`Checkpoint` (or a clear error)."""
    kind = ck.get("kind")
    if kind == "a2g" and {"model", "kwargs", "state_dict"} <= set(ck):
        kw = dict(ck["kwargs"])
        if "norm_stats" in ck:
            kw["norm_stats"] = ck["norm_stats"]
        return Checkpoint("a2g", ck["model"], kw, dict(ck["state_dict"]), None, dict(ck.get("config") or {}), "0.1",
                          {"fgd_autoencoder": ck.get("fgd_autoencoder")}, str(p))
    if kind == "emotion" and {"kwargs", "state_dict", "classes"} <= set(ck):
        return Checkpoint("emotion", ck.get("model", "emotion"), dict(ck["kwargs"]), dict(ck["state_dict"]),
                          list(ck["classes"]), {}, "0.1", {"fusion": ck.get("fusion"), "target": ck.get("target")}, str(p))
    hp = ck.get("hyper_parameters")
    if isinstance(hp, Mapping) and "state_dict" in ck:
        need = ("model_name", "model_kwargs", "task", "vocab", "streams")
        missing = [k for k in need if k not in hp]
        if missing:
            raise DataError(f"a Lightning checkpoint without signfuse's model description (lacks {missing})", path=p)
        return Checkpoint("recognition", hp["model_name"], dict(hp["model_kwargs"]), _strip(ck["state_dict"]),
                          list(hp["vocab"]), dict(hp.get("config") or {}), "0.1",
                          {"task": hp["task"], "streams": list(hp["streams"]),
                           "face_regions": list(hp.get("face_regions") or []), "fps": hp.get("fps")}, str(p))
    raise DataError("not a signfuse checkpoint (no 'signfuse' header, and not a signfuse 0.1 file)", path=p)


def read_checkpoint(path: str | os.PathLike[str], *, kind: str | None = None, map_location: str = "cpu") -> Checkpoint:
    """Read any signfuse checkpoint. ``kind``: the kind the caller needs; another kind is a
    :class:`DataError` that names the kind found and the command that uses it."""
    p = Path(path)
    if p.suffix.lower() == ".onnx":
        raise DataError("this is an ONNX model, not a checkpoint: commands that train or export need the .ckpt "
                        "it was exported from", path=p)
    ck = read_torch_file(p, map_location=map_location)
    head = ck.get("signfuse")
    if isinstance(head, Mapping) and "kind" in head:
        if "state_dict" not in ck:
            raise DataError("checkpoint has a signfuse header but no state_dict", path=p)
        if int(head.get("schema", 0)) > SCHEMA:
            raise DataError(f"checkpoint schema {head.get('schema')} is newer than this signfuse reads ({SCHEMA}); "
                            "upgrade signfuse", path=p)
        out = Checkpoint(str(head["kind"]), str(head["model_name"]), dict(head.get("model_kwargs") or {}),
                         _strip(ck["state_dict"]), head.get("vocab"), dict(head.get("config") or {}),
                         head.get("version"), dict(head.get("extra") or {}), str(p))
    else:
        out = _legacy(ck, p)
    if kind is not None and out.kind != kind:
        raise DataError(f"this is a {out.kind!r} checkpoint (used with {_USE.get(out.kind, '?')}); "
                        f"this command needs a {kind!r} checkpoint", path=p)
    return out


def write_checkpoint(ckpt: Checkpoint, path: str | os.PathLike[str]) -> Path:
    """Write a slim checkpoint (header + weights) atomically."""
    return write_torch_file({"signfuse": ckpt.header(), "state_dict": dict(ckpt.state_dict)}, path)


def build_model(ckpt: Checkpoint) -> nn.Module:
    """The checkpoint's model, weights loaded, in eval mode; a mismatch is a DataError naming the file."""
    import torch

    from .registry import create_model

    # Build it on the meta device first: a crafted header (num_classes=10**9) must fail on the shape
    # check, not after allocating gigabytes.
    try:
        with torch.device("meta"):
            shell = create_model(ckpt.model_name, **dict(ckpt.model_kwargs))
    except (TypeError, ValueError, RuntimeError, NotImplementedError):
        shell = None
    if shell is not None:
        for k, v in shell.state_dict().items():
            got = ckpt.state_dict.get(k)
            if got is None or tuple(got.shape) != tuple(v.shape):
                found = "missing" if got is None else f"shape {tuple(got.shape)}"
                raise DataError(f"checkpoint weights do not match its model: {k} expected shape {tuple(v.shape)}, "
                                f"{found}", path=ckpt.path)
        del shell
    model = create_model(ckpt.model_name, **dict(ckpt.model_kwargs))
    try:
        model.load_state_dict(ckpt.state_dict)
    except RuntimeError as e:
        raise DataError(f"checkpoint weights do not match its model: {str(e)[:300]}", path=ckpt.path) from None
    return model.eval()


def fingerprint(model: nn.Module) -> str:
    """A short hash of a model's parameter names, shapes and values (ties an ONNX file to its checkpoint)."""
    h = hashlib.sha1()
    for k, v in sorted(model.state_dict().items()):
        h.update(k.encode())
        h.update(str(tuple(v.shape)).encode())
        h.update(v.detach().cpu().contiguous().float().numpy().tobytes()[:4096])
    return h.hexdigest()[:16]
