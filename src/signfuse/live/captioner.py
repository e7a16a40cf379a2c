"""Per-connection live recognition: a sliding window over landmark frames and the captions it yields.

The windowing is the one of ``signfuse recognize --live``
(:func:`signfuse.inference.recognize.recognize_live`): every ``hop_s`` seconds of *source* time (the
frames' capture times, not the server's clock) the last ``window_s`` seconds of frames become one
:class:`~signfuse.sequence.LandmarkSequence` (``fps = (n - 1) / span``) and go through the same
sample builder and model call, so each caption equals recognizing that window's frames offline. Both
use the same :class:`~signfuse.inference.recognize.SlidingWindow` and
:func:`~signfuse.inference.recognize.recognize_window` (tests check they give the same windows and
results).

Continuous models caption a growing sentence: each window's glosses are merged into the current
sentence at their longest overlap with its end (:func:`merge_glosses`, a heuristic: windows overlap by
``window_s - hop_s``, so a sign is seen several times); a window with no glosses ends the sentence.
Isolated models give the top sign with its probability, flagged ``sure`` at or above ``threshold``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Protocol

from ..errors import ParameterError

from ..inference.recognize import SlidingWindow, recognize_window, window_sequence  # noqa: E402

__all__ = ["Captioner", "SlidingWindow", "Translator", "merge_glosses", "recognize_window", "window_sequence"]


class Translator(Protocol):
    """Anything with ``translate(glosses) -> text`` (e.g. ``signfuse.translate.load_translator(CKPT)``)."""

    def translate(self, glosses: list[str]) -> str: ...


def merge_glosses(sentence: Sequence[str], window: Sequence[str]) -> list[str]:
    """``sentence`` extended by the part of ``window`` it does not already end with.

    A window already contained in the sentence's last ``len(window) + 1`` glosses adds nothing;
    otherwise the longest suffix of ``sentence`` that is a prefix of ``window`` is not repeated.
    """
    s, w = list(sentence), list(window)
    if not w:
        return s
    tail = s[-(len(w) + 1):]
    for i in range(len(tail) - len(w) + 1):
        if tail[i:i + len(w)] == w:
            return s
    for k in range(min(len(s), len(w)), 0, -1):
        if s[-k:] == w[:k]:
            return s + w[k:]
    return s + w


class Captioner:
    """Turns one connection's landmark frames into captions.

    Parameters
    ----------
    model:
        A loaded recognizer (:func:`signfuse.inference.recognize.load_model`: checkpoint or ONNX).
    window_s, hop_s:
        The sliding window (seconds of capture time), as in ``recognize --live``.
    top_k, beam:
        As in ``recognize`` (``beam`` only for continuous models).
    threshold:
        Isolated models: a top sign below this probability is "not sure".
    translator:
        Optional object with ``translate(list[str]) -> str``; captions then carry ``text``.
    """

    def __init__(self, model, *, window_s: float = 2.0, hop_s: float = 0.5, top_k: int = 3, beam: int = 0,
                 threshold: float = 0.5, translator: Translator | None = None) -> None:
        if top_k < 1:
            raise ParameterError(f"top_k={top_k} must be >= 1")
        if not 0.0 <= threshold <= 1.0:
            raise ParameterError(f"threshold={threshold} must be between 0 and 1")
        if any(s.split("_")[0] == "audio" for s in model.streams):
            raise ParameterError(f"the model uses the audio stream ({', '.join(model.streams)}); "
                                 "live input has no audio")
        self.model = model
        self.window = SlidingWindow(window_s=window_s, hop_s=hop_s)
        self.top_k, self.beam, self.threshold = int(top_k), int(beam), float(threshold)
        self.translator = translator
        self.n_captions = 0
        self.sentence: list[str] = []
        self.sentence_id = 0
        self.sentence_start: float | None = None
        self._last_time: float | None = None
        self._cache: dict[tuple[str, ...], str] = {}
        self.last_window: list = []

    @property
    def continuous(self) -> bool:
        return self.model.task != "isolated"

    def add(self, frame) -> list | None:
        """Add one frame (a :class:`~signfuse.vision.LiveFrame`); the window's frames when one is due.

        Cheap (no model call), so a server may run it on its event loop and send only due windows to
        :meth:`caption` in a worker thread. Frame times must increase (:class:`ParameterError`).
        """
        if self._last_time is not None and not frame.time > self._last_time:
            raise ParameterError(f"frame time {frame.time} is not after the previous frame's {self._last_time}")
        self._last_time = frame.time
        frames = self.window.push(frame)
        if frames is not None:
            self.last_window = frames
        return frames

    def push(self, frame) -> dict[str, Any] | None:
        """:meth:`add` then, when a window is due, its :meth:`caption`."""
        frames = self.add(frame)
        return None if frames is None else self.caption(frames)

    def _translate(self, glosses: list[str]) -> str:
        key = tuple(glosses)
        if key not in self._cache:
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[key] = self.translator.translate(list(glosses)) if glosses else ""
        return self._cache[key]

    def caption(self, frames: Sequence) -> dict[str, Any]:
        t0 = time.perf_counter()
        res = recognize_window(self.model, frames, top_k=self.top_k, beam=self.beam)
        model_ms = 1000 * (time.perf_counter() - t0)
        last = frames[-1]
        out: dict[str, Any] = {"type": "caption", "seq": self.n_captions, "time": round(float(last.time), 4),
                               "start": round(float(frames[0].time), 4), "end": round(float(last.time), 4),
                               "frames": len(frames), "frame_id": int(last.index)}
        if self.continuous:
            glosses = list(res["glosses"])
            if not glosses:
                if self.sentence:
                    self.sentence, self.sentence_id, self.sentence_start = [], self.sentence_id + 1, None
            else:
                if self.sentence_start is None:
                    self.sentence_start = out["start"]
                self.sentence = merge_glosses(self.sentence, glosses)
            out.update(glosses=glosses, sentence=list(self.sentence), sentence_id=self.sentence_id,
                       sentence_start=self.sentence_start, sure=bool(glosses))
            words = self.sentence
        else:
            top = res["top"]
            out.update(top=top, glosses=[top[0]["gloss"]], probability=round(top[0]["probability"], 6),
                       sure=bool(top[0]["probability"] >= self.threshold))
            words = out["glosses"] if out["sure"] else []
        t1 = time.perf_counter()
        if self.translator is not None:
            out["text"] = self._translate(list(words))
        out["model_ms"] = round(model_ms, 2)
        out["translate_ms"] = round(1000 * (time.perf_counter() - t1), 2)
        self.n_captions += 1
        return out
