import numpy as np
import pytest

from signfuse.errors import ParameterError
from signfuse.face import events, features
from signfuse.face.events import spans
from signfuse.streams import Stream

from .synthface import face_frames, face_seq

FPS = 30.0


def _stream(T: int, **cols: np.ndarray) -> Stream:
    names = ["pitch", "yaw", "roll", "AU01", "AU02", "AU04", "AU45"]
    v = np.zeros((T, len(names)), np.float32)
    for k, x in cols.items():
        v[:, names.index(k)] = x
    return Stream("au", v, tuple(names), FPS)


def test_spans_hysteresis():
    x = np.array([0, 0.5, 1.2, 0.7, 0.3, 0.8, 0.9, 0.2, np.nan, 1.5])
    assert spans(x, on=1.0, off=0.5) == [(2, 4), (9, 10)]


def test_brow_raise_and_furrow_spans():
    T = 120
    raise_ = np.zeros(T)
    raise_[30:60] = 0.8
    furrow = np.zeros(T)
    furrow[80:95] = 0.6
    evs = events(_stream(T, AU01=raise_, AU02=raise_, AU04=furrow))
    got = [(e["type"], e["start_frame"], e["end_frame"]) for e in evs]
    assert got == [("brow_raise", 30, 60), ("brow_furrow", 80, 95)]
    assert evs[0]["start"] == pytest.approx(1.0) and evs[0]["end"] == pytest.approx(2.0)
    # a marker covering most of the recording: the edges are the neutral, the median is not
    long = np.zeros(T)
    long[15:110] = 0.6
    assert [e["type"] for e in events(_stream(T, AU04=long))] == ["brow_furrow"]
    assert events(_stream(T, AU04=long), center="median") == []  # there the median is the furrow itself
    # too short to count
    short = np.zeros(T)
    short[10:12] = 1.0
    assert events(_stream(T, AU01=short, AU02=short)) == []


def test_head_shake_and_nod_from_oscillation():
    T = 150
    t = np.arange(T) / FPS
    yaw = np.where((t >= 1.0) & (t < 2.5), 12 * np.sin(2 * np.pi * 2.0 * (t - 1.0)), 0.0)  # 3 cycles at 2 Hz
    pitch = np.where((t >= 3.5) & (t < 4.5), 8 * np.sin(2 * np.pi * 2.0 * (t - 3.5)), 0.0)
    evs = events(_stream(T, yaw=yaw + 3.0, pitch=pitch))  # a constant turn is not a shake
    kinds = [e["type"] for e in evs]
    assert kinds == ["head_shake", "head_nod"]
    shake, nod = evs
    assert 0.9 <= shake["start"] <= 1.25 and 2.25 <= shake["end"] <= 2.6
    assert shake["amplitude"] > 18
    assert 3.4 <= nod["start"] <= 3.75 and 4.25 <= nod["end"] <= 4.6
    # a single slow turn is not a shake
    turn = np.clip((t - 1) * 20, 0, 30)
    assert [e for e in events(_stream(T, yaw=turn)) if e["type"] == "head_shake"] == []


def test_single_nod_but_not_a_lasting_tilt():
    T = 120
    t = np.arange(T) / FPS
    bump = np.where((t >= 1.0) & (t < 1.6), 14 * np.sin(np.pi * (t - 1.0) / 0.6), 0.0)  # down and back up
    evs = events(_stream(T, pitch=bump))
    assert [e["type"] for e in evs] == ["head_nod"]
    assert 0.9 <= evs[0]["start"] <= 1.1 and 1.5 <= evs[0]["end"] <= 1.7
    tilt = np.clip((t - 1.0) * 30, 0, 15)  # tips down and stays
    assert events(_stream(T, pitch=tilt)) == []
    small = bump * 0.4  # 5.6 degrees: below single_nod_deg
    assert events(_stream(T, pitch=small)) == []


def test_blinks():
    T = 90
    a45 = np.zeros(T)
    a45[20:24] = 0.9
    a45[50:80] = 0.9  # eyes closed for a second: not a blink
    evs = events(_stream(T, AU45=a45))
    assert [(e["type"], e["start_frame"], e["end_frame"]) for e in evs] == [("blink", 20, 24)]


def test_events_from_face_geometry_with_lost_frames():
    T = 90
    t = np.arange(T) / FPS
    yaw = np.where((t > 1) & (t < 2.5), 15 * np.sin(2 * np.pi * 2 * (t - 1)), 0.0)
    up = np.where((t > 0.3) & (t < 0.9), 0.08, 0.0)
    present = np.ones(T, bool)
    present[5] = False
    s = features(face_seq(face_frames(T, yaw=yaw, brow_up=up), present=present))
    kinds = {e["type"] for e in events(s)}
    assert kinds == {"head_shake", "brow_raise"}


def test_bad_parameters():
    with pytest.raises(ParameterError, match="center"):
        events(_stream(10), center="mean")
    with pytest.raises(ParameterError, match="min_swings"):
        events(_stream(10), min_swings=1)
    with pytest.raises(ParameterError, match="swing_deg"):
        events(_stream(10), swing_deg=-1)
