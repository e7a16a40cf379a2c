"""ONNX export with a dynamic sequence length, checked against PyTorch with onnxruntime.

The ONNX graph takes one float32 input per stream, ``(batch, frames, features)``, named by the stream
(NaN marks a missing frame or point; normalization is inside the graph) and returns ``logits``
``(batch, classes)`` or ``frame_logits`` ``(batch, frames', classes + 1)``. The file's metadata holds
the model name, task, streams, vocabulary, face regions, fps and a fingerprint of the weights, so
:func:`load_onnx` can refuse an ONNX file that belongs to another model.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..errors import DataError, DependencyError
from .onnx import onnx_session
from ..models.recognizer import Recognizer, load_checkpoint

__all__ = ["export_onnx"]

log = logging.getLogger(__name__)


class _Wrapper(nn.Module):
    def __init__(self, model: nn.Module, streams: list[str], task: str):
        super().__init__()
        self.model, self.streams, self.task = model, list(streams), task

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = self.model(dict(zip(self.streams, xs)))
        return out["logits"] if self.task == "isolated" else out["frame_logits"]


def export_onnx(source: Recognizer | str | os.PathLike[str], path: str | os.PathLike[str], *, opset: int = 17,
                frames: int = 64, check: bool = True, atol: float = 1e-4, seed: int = 0) -> dict:
    """Export a checkpoint (or loaded :class:`Recognizer`) to ONNX; returns ``path``, ``max_abs_diff``...

    With ``check`` the onnxruntime output is compared with PyTorch's on random inputs of ``frames`` and
    of a different length (proving the dynamic axis); a difference above ``atol`` raises DataError.
    """
    try:
        import onnx
    except ImportError:
        raise DependencyError("onnx", extra="export", purpose="exporting to ONNX") from None
    rec = source if isinstance(source, Recognizer) else load_checkpoint(source)
    model = rec.model.eval()
    wrapper = _Wrapper(model, rec.streams, rec.task).eval()
    g = torch.Generator().manual_seed(seed)
    dims = model.in_dims
    example = tuple(torch.randn(1, frames, dims[s], generator=g) for s in rec.streams)
    out_name = "logits" if rec.task == "isolated" else "frame_logits"
    dyn = {s: {0: "batch", 1: "frames"} for s in rec.streams}
    dyn[out_name] = {0: "batch"} if rec.task == "isolated" else {0: "batch", 1: "out_frames"}
    path = Path(path)
    from ..io import atomic_path
    with atomic_path(path) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(wrapper, example, str(tmp), input_names=list(rec.streams), output_names=[out_name],
                          dynamic_axes=dyn, opset_version=opset, dynamo=False, do_constant_folding=True)
        m = onnx.load(str(tmp))
        meta = {"signfuse_model": rec.model_name, "signfuse_task": rec.task, "signfuse_streams": json.dumps(rec.streams),
                "signfuse_vocab": json.dumps(rec.vocab), "signfuse_face_regions": json.dumps(rec.face_regions),
                "signfuse_fps": json.dumps(rec.fps), "signfuse_fingerprint": rec.fingerprint,
                "signfuse_max_frames": json.dumps(rec.config.get("max_frames")),
                "signfuse_model_kwargs": json.dumps({k: v for k, v in rec.model_kwargs.items() if k != "norm_stats"})}
        for k, v in meta.items():
            p = m.metadata_props.add()
            p.key, p.value = k, v
        onnx.save(m, str(tmp))
    info: dict[str, Any] = {"path": str(path), "bytes": path.stat().st_size, "fingerprint": rec.fingerprint}
    if check:
        sess = onnx_session(path)
        diffs = []
        for T in (frames, max(2, frames // 2 + 3)):
            xs = [torch.randn(1, T, dims[s], generator=g) for s in rec.streams]
            with torch.no_grad():
                ref = wrapper(*xs).numpy()
            got = sess.run(None, {s: x.numpy() for s, x in zip(rec.streams, xs)})[0]
            if got.shape != ref.shape:
                raise DataError(f"ONNX output shape {got.shape} != PyTorch {ref.shape} for {T} frames", path=path)
            diffs.append(float(np.abs(got - ref).max()))
        info["max_abs_diff"] = max(diffs)
        if info["max_abs_diff"] > atol:
            raise DataError(f"onnxruntime differs from PyTorch by {info['max_abs_diff']:.2e} > {atol:g}", path=path)
    return info
