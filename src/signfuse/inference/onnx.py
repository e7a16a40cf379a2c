"""Running exported ONNX models with onnxruntime (no torch, no Lightning: ``recognize MODEL.onnx`` stays fast).

:func:`load_onnx` reads the signfuse metadata that :func:`signfuse.inference.export.export_onnx` wrote
(model name, task, streams, vocabulary, face regions, fps, weight fingerprint) and refuses a file that
lacks it or whose inputs do not match.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError, DependencyError, ParameterError

__all__ = ["load_onnx", "OnnxRecognizer", "onnx_session"]


def onnx_session(path: str | os.PathLike[str], *, threads: int = 1) -> Any:  # onnxruntime.InferenceSession (untyped)
    try:
        import onnxruntime as ort
    except ImportError:  # pragma: no cover
        raise DependencyError("onnxruntime", extra="export", purpose="running ONNX models") from None
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    try:
        return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    except Exception as e:
        raise DataError(f"not a readable ONNX model ({type(e).__name__}: {str(e)[:200]})", path=path) from None


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
    config: dict[str, Any] = field(default_factory=dict)

    def run(self, x: dict[str, np.ndarray]) -> np.ndarray:
        feeds: dict[str, np.ndarray] = {}
        for s in self.streams:
            if s not in x:
                raise ParameterError(f"the ONNX model needs stream {s!r}; got {sorted(x)}")
            a = np.asarray(x[s], np.float32)
            feeds[s] = a[None] if a.ndim == 2 else a
        return self.session.run(None, feeds)[0]


def load_onnx(path: str | os.PathLike[str], *, checkpoint: Any = None,
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
                       fps=json.loads(meta.get("signfuse_fps", "null")), fingerprint=meta["signfuse_fingerprint"], path=str(p),
                       config={"max_frames": json.loads(meta.get("signfuse_max_frames", "96"))})
    if checkpoint is not None:
        from ..models.recognizer import Recognizer, load_checkpoint
        rec = checkpoint if isinstance(checkpoint, Recognizer) else load_checkpoint(checkpoint)
        if rec.fingerprint != r.fingerprint:
            raise DataError(f"this ONNX file was exported from another model (fingerprint {r.fingerprint} != "
                            f"checkpoint {rec.fingerprint})", path=p)
    return r
