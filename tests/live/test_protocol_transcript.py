"""Landmark-frame messages (layout, validation) and transcripts (segments, SRT, ELAN via pympi)."""

from __future__ import annotations

import numpy as np
import pytest

from signfuse.live import transcript as tr
from signfuse.live.protocol import (
    JPEG_HEADER,
    ProtocolError,
    parse_frame,
    parse_jpeg_header,
)

from .conftest import frame_message


def _msg(rng, **over):
    m = {"type": "frame", "id": 3, "t": 0.5, "w": 640, "h": 480,
         "pose": rng.uniform(0, 1, 33 * 4).tolist(), "face": None, "left": rng.uniform(0, 1, 63).tolist(),
         "right": None, "world": rng.uniform(-1, 1, 33 * 4).tolist()}
    m.update(over)
    return m


def test_frame_layout_matches_holistic(rng):
    """Pixels = normalized * size for image parts, world x/y scaled too (results_to_arrays' convention),
    missing parts zero with confidence 0; round trip through the page's message form."""
    from signfuse.vision.holistic import n_points

    m = _msg(rng)
    f = parse_frame(m)
    assert f.data.shape == (n_points(False), 3) and f.confidence.shape == (n_points(False),)
    pose = np.asarray(m["pose"], np.float32).reshape(33, 4)
    np.testing.assert_allclose(f.data[:33, 0], pose[:, 0] * 640, rtol=1e-6)
    np.testing.assert_allclose(f.data[:33, 1], pose[:, 1] * 480, rtol=1e-6)
    np.testing.assert_allclose(f.confidence[:33], pose[:, 3], rtol=1e-6)
    assert (f.confidence[33:33 + 468] == 0).all() and (f.data[33:33 + 468] == 0).all()       # no face
    assert (f.confidence[501:522] == 1).all() and (f.confidence[522:543] == 0).all()         # left, no right
    assert (f.index, f.time, f.width, f.height) == (3, 0.5, 640, 480)
    back = parse_frame(frame_message(f))
    np.testing.assert_allclose(back.data, f.data, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(back.confidence, f.confidence, rtol=1e-6)


@pytest.mark.parametrize("over, match", [
    ({"type": "hello"}, "expected a message"),
    ({"t": -1}, "'t'"), ({"t": float("nan")}, "'t'"), ({"t": "0"}, "'t'"),
    ({"id": -2}, "'id'"), ({"id": True}, "'id'"),
    ({"w": 0}, "'w'"), ({"h": 10**6}, "'h'"),
    ({"pose": [0.1] * 10}, "'pose' must be null or a list of 132"),
    ({"left": ["a"] * 63}, "numbers only"), ({"right": {"x": 1}}, "'right'"),
    ({"face": [float("inf")] * 1404}, "NaN or infinite"),
])
def test_malformed_frames(rng, over, match):
    with pytest.raises(ProtocolError, match=match):
        parse_frame(_msg(rng, **over))


def test_jpeg_header():
    jpeg = b"\xff\xd8\xff\xe0" + b"x" * 20
    assert parse_jpeg_header(JPEG_HEADER.pack(1.25, 7, 640, 480) + jpeg) == (1.25, 7, 640, 480, jpeg)
    with pytest.raises(ProtocolError, match="too short"):
        parse_jpeg_header(b"abc")
    with pytest.raises(ProtocolError, match="not a JPEG"):
        parse_jpeg_header(JPEG_HEADER.pack(1.0, 1, 64, 48) + b"\x89PNG" + b"x" * 20)
    with pytest.raises(ProtocolError, match="size"):
        parse_jpeg_header(JPEG_HEADER.pack(1.0, 1, 0, 48) + jpeg)


ISO = [  # isolated captions as the server sends them
    {"start": 0.0, "end": 2.0, "glosses": ["HELLO"], "sure": True, "text": "Hello."},
    {"start": 0.5, "end": 2.5, "glosses": ["HELLO"], "sure": True, "text": "Hello."},
    {"start": 1.0, "end": 3.0, "glosses": ["YOU"], "sure": False},
    {"start": 1.5, "end": 3.5, "glosses": ["THANKS"], "sure": True, "text": "Thank you."},
    {"start": 2.0, "end": 4.0, "glosses": ["HELLO"], "sure": True, "text": "Hello."},
]
CTC = [
    {"start": 0.0, "end": 1.0, "glosses": ["A"], "sentence": ["A"], "sentence_id": 0, "sentence_start": 0.0},
    {"start": 0.5, "end": 1.5, "glosses": ["A", "B"], "sentence": ["A", "B"], "sentence_id": 0,
     "sentence_start": 0.0, "text": "a b"},
    {"start": 1.0, "end": 2.0, "glosses": [], "sentence": [], "sentence_id": 1, "sentence_start": None},
    {"start": 2.5, "end": 3.5, "glosses": ["C"], "sentence": ["C"], "sentence_id": 1, "sentence_start": 2.5,
     "text": "c"},
]


def test_segments():
    s = tr.segments(ISO)
    assert [(x.glosses, x.start, x.end, x.text) for x in s] == [
        (("HELLO",), 0.0, 2.5, "Hello."), (("THANKS",), 2.5, 3.5, "Thank you."), (("HELLO",), 3.5, 4.0, "Hello.")]
    s = tr.segments(CTC)
    assert [(x.glosses, x.start, x.end, x.text) for x in s] == [(("A", "B"), 0.0, 1.5, "a b"), (("C",), 2.5, 3.5, "c")]
    assert tr.segments([]) == []


def test_text_srt_and_eaf(tmp_path):
    pympi = pytest.importorskip("pympi")
    segs = tr.segments(ISO)
    txt = tr.to_text(segs)
    assert txt.splitlines()[0] == "[00:00:00.000 - 00:00:02.500] HELLO  |  Hello."
    srt = tr.to_srt(segs)
    assert srt.split("\n\n")[0] == "1\n00:00:00,000 --> 00:00:02,500\nHello.\nHELLO"
    assert srt.count("-->") == 3
    p = tmp_path / "t.eaf"
    p.write_text(tr.to_eaf(segs), encoding="utf-8")
    eaf = pympi.Elan.Eaf(str(p))
    assert set(eaf.get_tier_names()) == {"glosses", "sentences"}
    assert sorted(eaf.get_annotation_data_for_tier("glosses")) == [(0, 2500, "HELLO"), (2500, 3500, "THANKS"),
                                                                   (3500, 4000, "HELLO")]
    assert sorted(eaf.get_annotation_data_for_tier("sentences"))[1] == (2500, 3500, "Thank you.")
    p.write_text(tr.to_eaf(tr.segments([dict(c, text=None) for c in ISO])), encoding="utf-8")
    assert list(pympi.Elan.Eaf(str(p)).get_tier_names()) == ["glosses"]   # no text, no sentence tier
