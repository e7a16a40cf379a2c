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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..errors import DataError, DependencyError, ParameterError
from .checkpoint import Recognizer, load_checkpoint

__all__ = ["export_onnx", "load_onnx", "OnnxRecognizer", "onnx_session"]

log = logging.getLogger(__name__)


class _Wrapper(nn.Module):
    def __init__(self, model: nn.Module, streams: list[str], task: str):
        super().__init__()
        self.model, self.streams, self.task = model, list(streams), task

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = self.model(dict(zip(self.streams, xs)))
        return out["logits"] if self.task == "isolated" else out["frame_logits"]


def onnx_session(path: str | os.PathLike[str], *, threads: int = 1):
    try:
        import onnxruntime as ort
    except ImportError:  # pragma: no cover
        raise DependencyError("onnxruntime", purpose="running ONNX models") from None
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    try:
        return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    except Exception as e:
        raise DataError(f"not a readable ONNX model ({type(e).__name__}: {str(e)[:200]})", path=path) from None


def export_onnx(source: Recognizer | str | os.PathLike[str], path: str | os.PathLike[str], *, opset: int = 17,
                frames: int = 64, check: bool = True, atol: float = 1e-4, seed: int = 0) -> dict:
    """Export a checkpoint (or loaded :class:`Recognizer`) to ONNX; returns ``path``, ``max_abs_diff``...

    With ``check`` the onnxruntime output is compared with PyTorch's on random inputs of ``frames`` and
    of a different length (proving the dynamic axis); a difference above ``atol`` raises DataError.
    """
    import onnx
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


@dataclass
class OnnxRecognizer:
    """An exported model: its onnxruntime session and the metadata needed to feed and read it."""

    session: Any
    model_name: str
    task: str
    streams: list[str]
    vocab: list[str]
    face_regions: list[str]
    fps: float | None
    fingerprint: str
    path: str

    def run(self, x: dict[str, np.ndarray]) -> np.ndarray:
        feeds = {}
        for s in self.streams:
            if s not in x:
                raise ParameterError(f"the ONNX model needs stream {s!r}; got {sorted(x)}")
            a = np.asarray(x[s], np.float32)
            feeds[s] = a[None] if a.ndim == 2 else a
        return self.session.run(None, feeds)[0]


def load_onnx(path: str | os.PathLike[str], *, checkpoint: str | os.PathLike[str] | Recognizer | None = None,
              threads: int = 1) -> OnnxRecognizer:
    """Open an exported model. Without signfuse metadata, or (given ``checkpoint``) with another model's
    fingerprint, or with inputs that do not match its declared streams, raises DataError."""
    p = Path(path)
    if not p.is_file():
        raise DataError("no such ONNX file", path=p)
    sess = onnx_session(p, threads=threads)
    meta = sess.get_modelmeta().custom_metadata_map
    need = ["signfuse_model", "signfuse_task", "signfuse_streams", "signfuse_vocab", "signfuse_fingerprint"]
    if any(k not in meta for k in need):
        raise DataError("this ONNX file was not exported by signfuse (no signfuse metadata)", path=p)
    streams = json.loads(meta["signfuse_streams"])
    inputs = [i.name for i in sess.get_inputs()]
    if inputs != streams:
        raise DataError(f"ONNX inputs {inputs} do not match its declared streams {streams}", path=p)
    r = OnnxRecognizer(session=sess, model_name=meta["signfuse_model"], task=meta["signfuse_task"], streams=streams,
                       vocab=json.loads(meta["signfuse_vocab"]), face_regions=json.loads(meta.get("signfuse_face_regions", "[]")),
                       fps=json.loads(meta.get("signfuse_fps", "null")), fingerprint=meta["signfuse_fingerprint"], path=str(p))
    if checkpoint is not None:
        rec = checkpoint if isinstance(checkpoint, Recognizer) else load_checkpoint(checkpoint)
        if rec.fingerprint != r.fingerprint:
            raise DataError(f"this ONNX file was exported from another model (fingerprint {r.fingerprint} != "
                            f"checkpoint {rec.fingerprint})", path=p)
    return r
