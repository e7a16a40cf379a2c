"""Live captions in the browser: webcam -> landmarks in the page -> WebSocket -> signs and sentences.

``signfuse live MODEL`` serves one page (:mod:`signfuse.live.server`); each connection keeps a sliding
window of landmark frames (:mod:`signfuse.live.captioner`, the windowing of ``recognize --live``) and
gets captions back (``create_app``/``serve`` are in the server module, which imports FastAPI); :mod:`signfuse.live.transcript` writes a session as text, SRT or ELAN.
"""

from .captioner import (
           Captioner,
           SlidingWindow,
           merge_glosses,
           recognize_window,
           window_sequence,
)
from .protocol import ProtocolError, parse_frame
from .transcript import segments, to_eaf, to_srt, to_text

__all__ = [
           "Captioner",
           "ProtocolError",
           "SlidingWindow",
           "merge_glosses",
           "parse_frame",
           "recognize_window",
           "segments",
           "to_eaf",
           "to_srt",
           "to_text",
           "window_sequence",
]

