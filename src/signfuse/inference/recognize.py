"""Recognize signs in a landmark file or a video, or live from a camera or stream, with a checkpoint or ONNX model."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import numpy as np

from ..ctc import ctc_beam_decode, ctc_greedy_decode  # numpy only: the ONNX path imports no torch
from ..errors import DataError, ParameterError
from ..samples import sample_from_entry

if TYPE_CHECKING:  # type names only, not imported at run time (models.recognizer needs torch)
    from typing import TypeAlias

    from ..models.recognizer import Recognizer
    from ..sequence import LandmarkSequence
    from ..streams import Sample
    from ..vision.live import LiveFrame
    from .onnx import OnnxRecognizer

    RecognitionModel: TypeAlias = Recognizer | OnnxRecognizer

__all__ = ["recognize", "recognize_live", "load_model", "SlidingWindow", "window_sequence", "recognize_window"]

from ..io.media import VIDEO_EXTENSIONS as VIDEO


class GlossTranslator(Protocol):
    """What ``translate=`` may be besides a checkpoint path: anything that turns glosses into a sentence."""

    def translate(self, glosses: Sequence[str] | str) -> str: ...


def load_model(path: str | os.PathLike[str]) -> RecognitionModel:
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


def _sample(
    model: RecognitionModel, src: Path | None, *, fps: float | None, seq: LandmarkSequence | None = None
) -> Sample:
    from ..datasets import Entry

    entry = Entry(id=src.stem if src else "live", path=src, signer=None, split=None, fps=fps)
    return sample_from_entry(
        entry,
        streams=model.streams,
        face_regions=model.face_regions or ("lips", "eyes", "brows", "nose"),
        fps=fps,
        seq=seq,
    )


#: the detection rates every answer reports
PARTS_REPORTED = ("pose", "face", "left_hand", "right_hand", "hands")

#: the longest input recognized in one piece (20 minutes at 30 fps); longer recordings: cut them or use live
MAX_INPUT_FRAMES = 36_000


def _max_frames(model: RecognitionModel) -> int | None:
    """Isolated models see at most ``max_frames`` frames in training (uniformly subsampled, as in eval)."""
    if model.task != "isolated":
        return None
    cfg = getattr(model, "config", None) or {}
    v = cfg.get("max_frames", 96)
    return int(v) if v else None


def _predict(model: RecognitionModel, smp: Sample, *, top_k: int, beam: int) -> dict[str, Any]:
    """``{"top": [...]}`` (isolated) or ``{"glosses": [...]}`` (continuous) for one sample.

    Isolated inputs longer than the model's training ``max_frames`` are subsampled uniformly to that
    length, exactly as training and ``eval`` do, so memory stays bounded and answers match ``eval``.
    """
    n = smp.n_frames
    if n > MAX_INPUT_FRAMES:
        raise ParameterError(
            f"the input has {n} frames; at most {MAX_INPUT_FRAMES} are recognized in one piece "
            "(cut the recording, or use --live for a sliding window)"
        )
    from ..preprocess import augment_streams

    # the same frame selection as training and eval (no augmentation without a seed)
    # Stream.mask is always set after Stream.__post_init__ (None is only the constructor's default)
    values, masks = augment_streams(
        {s: smp.streams[s].values for s in model.streams},
        {s: cast(np.ndarray, smp.streams[s].mask) for s in model.streams},
        max_frames=_max_frames(model),
    )
    x = {s: np.where(masks[s][:, None], values[s], np.nan).astype(np.float32) for s in model.streams}
    if hasattr(model, "session"):  # an OnnxRecognizer, told apart without importing either class
        out = cast("OnnxRecognizer", model).run(x)[0]
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


def _translator(translate: Any) -> GlossTranslator | None:
    """A translator from a checkpoint path, or the object itself (anything with ``translate(glosses)``)."""
    if translate is None or hasattr(translate, "translate"):
        return translate
    from ..translate import load_translator

    return load_translator(translate)


def _add_text(result: dict[str, Any], translator: GlossTranslator | None) -> dict[str, Any]:
    """Sign -> gloss -> text: the sentence of a continuous result's glosses (an isolated model's top sign),
    decoded as the translator's checkpoint says (``signfuse translate tune``)."""
    if translator is None:
        return result
    glosses = result.get("glosses")
    if glosses is None:
        glosses = [result["top"][0]["gloss"]] if result.get("top") else []
    result["text"] = translator.translate(list(glosses)) if glosses else ""
    return result


def recognize(
    model_path: str | os.PathLike[str],
    input_path: str | os.PathLike[str],
    *,
    top_k: int = 5,
    beam: int = 0,
    fps: float | None = None,
    force: bool = False,
    min_detection: float | None = None,
    translate: Any = None,
) -> dict[str, Any]:
    """Top-k glosses with probabilities (isolated) or the gloss sequence (continuous) of one input.

    ``input_path``: a landmark file (.pose, .parquet, .npz), an MP_Data sequence folder or a video
    (landmarks are extracted with :func:`signfuse.vision.extract`). ``fps`` is needed only for files
    without a rate. ``translate``: a translation checkpoint (or a loaded translator); the result then
    also has ``text``, the spoken-language sentence of the recognized glosses.
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
    rates = (
        require_detected(
            seq, parts, min_rate=DEFAULT_MIN_RATE if min_detection is None else min_detection, force=force, path=src
        )
        if parts
        else detection_rates(seq)
    )
    smp = _sample(model, src, fps=fps, seq=seq)
    result: dict[str, Any] = {
        "input": str(input_path),
        "model": str(model_path),
        "task": model.task,
        "frames": int(smp.n_frames),
        "detection": {k: rates.get(k) for k in ("frames",) + PARTS_REPORTED},
    }
    result.update(_predict(model, smp, top_k=top_k, beam=beam))
    return _add_text(result, _translator(translate))


class SlidingWindow:
    """The window rule of live recognition (``recognize --live``, ``signfuse live``): every ``hop_s``
    seconds of source time, the frames of the last ``window_s`` seconds. ``push(frame)`` returns the
    window's frames when one is due, else None."""

    def __init__(self, *, window_s: float = 2.0, hop_s: float = 0.5) -> None:
        if not (window_s > 0 and hop_s > 0):
            raise ParameterError(f"window_s={window_s} and hop_s={hop_s} must be positive")
        self.window_s = float(window_s)
        self.hop_s = float(hop_s)
        self._buf: deque[LiveFrame] = deque()
        self._next_t: float | None = None

    def push(self, frame: LiveFrame) -> list[LiveFrame] | None:
        buf = self._buf
        buf.append(frame)
        while buf and frame.time - buf[0].time > self.window_s:
            buf.popleft()
        if self._next_t is None:
            self._next_t = frame.time + min(self.hop_s, self.window_s)
        if frame.time + 1e-9 < self._next_t or len(buf) < 2:
            return None
        self._next_t += self.hop_s * max(1, int((frame.time - self._next_t) // self.hop_s) + 1)
        return list(buf)


def window_sequence(frames: Sequence[LiveFrame]) -> LandmarkSequence:
    """The :class:`LandmarkSequence` of one window, exactly as ``recognize_live`` builds it."""
    from ..vision import frames_to_sequence

    span = frames[-1].time - frames[0].time
    return frames_to_sequence(frames, fps=(len(frames) - 1) / span if span > 0 else 30.0)


def recognize_window(model: RecognitionModel, frames: Sequence[LiveFrame], *, top_k: int, beam: int) -> dict[str, Any]:
    """``{"top": [...]}`` or ``{"glosses": [...]}`` for one window (the model call of ``recognize``).

    Each result equals recognizing that window's landmarks offline (:func:`recognize` on
    ``window_sequence(frames)``).
    """
    return _predict(model, _sample(model, None, fps=None, seq=window_sequence(frames)), top_k=top_k, beam=beam)


def recognize_live(
    model_path: str | os.PathLike[str],
    source: int | str | os.PathLike[str],
    *,
    window_s: float = 2.0,
    hop_s: float = 0.5,
    top_k: int = 3,
    beam: int = 0,
    max_frames: int | None = None,
    translate: Any = None,
) -> Iterator[dict[str, Any]]:
    """Recognize continuously from a camera index, a stream URL or a video file, as frames arrive.

    Landmarks come from :func:`signfuse.vision.iter_frames` (MediaPipe, tracking). Every ``hop_s``
    seconds of source time, the last ``window_s`` seconds of frames go through the model; each result is
    ``{"time", "frames", "top"}`` (or ``"glosses"`` for a continuous model) plus ``latency_ms``, the
    model's share of the wall time (streams + inference). Models that need the ``audio`` stream cannot
    run live.
    """
    import time

    from ..vision import iter_frames

    _check_options(top_k, beam)
    window = SlidingWindow(window_s=window_s, hop_s=hop_s)
    model = load_model(model_path)
    translator = _translator(translate)
    if any(s.split("_")[0] == "audio" for s in model.streams):
        raise ParameterError(f"the model uses the audio stream ({', '.join(model.streams)}); live input has no audio")
    # a PathLike other than Path becomes a Path (iter_frames takes int, str or Path; a Path is unchanged)
    for f in iter_frames(Path(source) if isinstance(source, os.PathLike) else source, max_frames=max_frames):
        frames = window.push(f)
        if frames is None:
            continue
        t0 = time.perf_counter()
        out: dict[str, Any] = {"time": round(float(f.time), 4), "frames": len(frames)}
        out.update(recognize_window(model, frames, top_k=top_k, beam=beam))
        _add_text(out, translator)
        out["latency_ms"] = round(1000 * (time.perf_counter() - t0), 2)
        yield out
