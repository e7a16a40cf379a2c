"""Recognize signs in a landmark file or a video, or live from a camera or stream, with a checkpoint or ONNX model."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from ..errors import DataError, ParameterError
from ..samples import sample_from_entry
from ..ctc import ctc_beam_decode, ctc_greedy_decode  # numpy only: the ONNX path imports no torch

__all__ = ["recognize", "recognize_live", "load_model"]

from ..io.media import VIDEO_EXTENSIONS as VIDEO


def load_model(path: str | os.PathLike[str]):
    """A :class:`~.checkpoint.Recognizer` (``.ckpt``/``.pt``) or :class:`~.export.OnnxRecognizer` (``.onnx``)."""
    p = Path(path)
    if p.suffix.lower() == ".onnx":
        from .onnx import load_onnx
        return load_onnx(p)
    from ..models.recognizer import load_checkpoint
    return load_checkpoint(p)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


def _sample(model, src: Path | None, *, fps: float | None, seq=None):
    from ..datasets import Entry
    entry = Entry(id=src.stem if src else "live", path=src, signer=None, split=None, fps=fps)
    return sample_from_entry(entry, streams=model.streams,
                             face_regions=model.face_regions or ("lips", "eyes", "brows", "nose"), fps=fps, seq=seq)


#: the detection rates every answer reports
PARTS_REPORTED = ("pose", "face", "left_hand", "right_hand", "hands")

#: the longest input recognized in one piece (20 minutes at 30 fps); longer recordings: cut them or use live
MAX_INPUT_FRAMES = 36_000


def _max_frames(model) -> int | None:
    """Isolated models see at most ``max_frames`` frames in training (uniformly subsampled, as in eval)."""
    if model.task != "isolated":
        return None
    cfg = getattr(model, "config", None) or {}
    v = cfg.get("max_frames", 96)
    return int(v) if v else None


def _predict(model, smp, *, top_k: int, beam: int) -> dict[str, Any]:
    """``{"top": [...]}`` (isolated) or ``{"glosses": [...]}`` (continuous) for one sample.

    Isolated inputs longer than the model's training ``max_frames`` are subsampled uniformly to that
    length, exactly as training and ``eval`` do, so memory stays bounded and answers match ``eval``.
    """
    n = smp.n_frames
    if n > MAX_INPUT_FRAMES:
        raise ParameterError(f"the input has {n} frames; at most {MAX_INPUT_FRAMES} are recognized in one piece "
                             "(cut the recording, or use --live for a sliding window)")
    idx = slice(None)
    mf = _max_frames(model)
    if mf and n > mf:
        idx = np.round(np.linspace(0, n - 1, mf)).astype(int)
    x = {s: np.where(smp.streams[s].mask[idx, None], smp.streams[s].values[idx], np.nan).astype(np.float32)
         for s in model.streams}
    if hasattr(model, "session"):
        out = model.run(x)[0]
    else:
        import torch
        with torch.no_grad():
            o = model.model({s: torch.from_numpy(v)[None] for s, v in x.items()})
        out = (o["logits"] if model.task == "isolated" else o["frame_logits"])[0].numpy()
    if model.task == "isolated":
        p = _softmax(out.astype(np.float64))
        order = np.argsort(-p)[: min(top_k, len(p))]
        return {"top": [{"gloss": model.vocab[i], "probability": float(p[i])} for i in order]}
    lp = np.log(_softmax(out.astype(np.float64)) + 1e-12)
    seq = ctc_beam_decode(lp, beam=beam)[0] if beam > 0 else ctc_greedy_decode(lp)[0]
    return {"glosses": [model.vocab[i - 1] for i in seq]}


def _check_options(top_k: int, beam: int) -> None:
    from ..ctc import MAX_BEAM
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= 1000:
        raise ParameterError(f"top_k={top_k!r} must be an integer from 1 to 1000")
    if isinstance(beam, bool) or not isinstance(beam, int) or not 0 <= beam <= MAX_BEAM:
        raise ParameterError(f"beam={beam!r} must be an integer from 0 (greedy) to {MAX_BEAM}")


def recognize(model_path: str | os.PathLike[str], input_path: str | os.PathLike[str], *, top_k: int = 5,
              beam: int = 0, fps: float | None = None, force: bool = False,
              min_detection: float | None = None) -> dict[str, Any]:
    """Top-k glosses with probabilities (isolated) or the gloss sequence (continuous) of one input.

    ``input_path``: a landmark file (.pose, .parquet, .npz) or a video (landmarks are extracted with
    :func:`signfuse.vision.extract`). ``fps`` is needed only for Kaggle parquet files without a rate.
    """
    _check_options(top_k, beam)
    model = load_model(model_path)
    src = Path(input_path)
    if not src.exists():
        raise DataError("no such input file", path=src)
    if src.suffix.lower() in VIDEO:
        from .. import vision
        seq = vision.extract(src)
    else:
        from ..datasets import Entry, read_entry
        seq = read_entry(Entry(id=src.stem, path=src, signer=None, split=None), fps=fps)
    from ..quality import DEFAULT_MIN_RATE, detection_rates, parts_for_streams, require_detected
    parts = parts_for_streams(model.streams)
    rates = (require_detected(seq, parts, min_rate=DEFAULT_MIN_RATE if min_detection is None else min_detection,
                              force=force, path=src) if parts else detection_rates(seq))
    smp = _sample(model, src, fps=fps, seq=seq)
    result: dict[str, Any] = {"input": str(input_path), "model": str(model_path), "task": model.task,
                              "frames": int(smp.n_frames),
                              "detection": {k: rates.get(k) for k in ("frames",) + PARTS_REPORTED}}
    result.update(_predict(model, smp, top_k=top_k, beam=beam))
    return result


def recognize_live(model_path: str | os.PathLike[str], source: int | str | os.PathLike[str], *,
                   window_s: float = 2.0, hop_s: float = 0.5, top_k: int = 3, beam: int = 0,
                   max_frames: int | None = None) -> Iterator[dict[str, Any]]:
    """Recognize continuously from a camera index, a stream URL or a video file, as frames arrive.

    Landmarks come from :func:`signfuse.vision.iter_frames` (MediaPipe, tracking). Every ``hop_s``
    seconds of source time, the last ``window_s`` seconds of frames go through the model; each result is
    ``{"time", "frames", "top"}`` (or ``"glosses"`` for a continuous model) plus ``latency_ms``, the
    model's share of the wall time (streams + inference). Models that need the ``audio`` stream cannot
    run live.
    """
    import time
    from collections import deque

    from ..vision import frames_to_sequence, iter_frames

    _check_options(top_k, beam)
    if not (window_s > 0 and hop_s > 0):
        raise ParameterError(f"window_s={window_s} and hop_s={hop_s} must be positive")
    model = load_model(model_path)
    if any(s.split("_")[0] == "audio" for s in model.streams):
        raise ParameterError(f"the model uses the audio stream ({', '.join(model.streams)}); live input has no audio")
    buf: deque = deque()
    next_t = None
    for f in iter_frames(source, max_frames=max_frames):
        buf.append(f)
        while buf and f.time - buf[0].time > window_s:
            buf.popleft()
        if next_t is None:
            next_t = f.time + min(hop_s, window_s)
        if f.time + 1e-9 < next_t or len(buf) < 2:
            continue
        next_t += hop_s * max(1, int((f.time - next_t) // hop_s) + 1)
        frames = list(buf)
        t0 = time.perf_counter()
        span = frames[-1].time - frames[0].time
        seq = frames_to_sequence(frames, fps=(len(frames) - 1) / span if span > 0 else 30.0)
        out = {"time": round(float(f.time), 4), "frames": len(frames)}
        out.update(_predict(model, _sample(model, None, fps=None, seq=seq), top_k=top_k, beam=beam))
        out["latency_ms"] = round(1000 * (time.perf_counter() - t0), 2)
        yield out
