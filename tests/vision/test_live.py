from __future__ import annotations

import numpy as np
import pytest

from signfuse.errors import DataError, ParameterError
from signfuse.vision import extract, frames_to_sequence, iter_frames


def test_live_generator_over_a_file_matches_extract(media):
    frames = list(iter_frames(str(media["astronaut_mp4"])))
    assert [f.index for f in frames] == list(range(12))
    np.testing.assert_allclose([f.time for f in frames], np.arange(12) / 25, atol=1e-9)
    assert all(f.latency > 0 for f in frames) and (frames[0].width, frames[0].height) == (320, 240)
    seq = frames_to_sequence(frames, fps=25.0)
    ref = extract(media["astronaut_mp4"])
    np.testing.assert_array_equal(seq.data, ref.data)  # same graph settings, same numbers


def test_live_stops_early_and_validates(media, tmp_path):
    frames = list(iter_frames(str(media["astronaut_mp4"]), max_frames=3))
    assert len(frames) == 3
    with pytest.raises(ParameterError, match="max_frames"):
        next(iter_frames(str(media["astronaut_mp4"]), max_frames=0))
    with pytest.raises(DataError, match="cannot open live source"):
        next(iter_frames(str(tmp_path / "nope.mp4")))
    with pytest.raises(DataError, match="cannot open live source"):
        next(iter_frames(99))  # no such camera
    with pytest.raises(ParameterError, match="at least one frame"):
        frames_to_sequence([], fps=25.0)


@pytest.fixture
def http_server(media):
    """A local HTTP server over the test media folder (the live path for stream URLs)."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(media["astronaut_mp4"].parent))
    handler.log_message = lambda *a, **k: None
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()


def test_live_generator_over_an_http_stream(media, http_server):
    """A stream URL goes through FFmpeg's network input: the same frames and landmarks as the file."""
    frames = list(iter_frames(f"{http_server}/{media['astronaut_mp4'].name}"))
    assert [f.index for f in frames] == list(range(12))
    ref = extract(media["astronaut_mp4"])
    np.testing.assert_array_equal(frames_to_sequence(frames, fps=25.0).data, ref.data)
    with pytest.raises(DataError, match="cannot open live source"):
        next(iter_frames(f"{http_server}/missing.mp4"))  # HTTP 404
