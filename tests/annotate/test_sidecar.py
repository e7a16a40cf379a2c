"""Landmark overlay data and suggestion lanes served beside a video."""

from __future__ import annotations

import json

import numpy as np
import pytest

from signfuse.annotate.sidecar import au_spans
from signfuse.streams import Stream

from .conftest import FPS, N_FRAMES


def _sequence(rng):
    from signfuse.sequence import Component, LandmarkSequence
    from signfuse.topology import HAND_EDGES, HAND_POINTS, POSE_EDGES, POSE_POINTS

    comps = (Component("POSE", POSE_POINTS, POSE_EDGES), Component("RIGHT_HAND", HAND_POINTS, HAND_EDGES))
    n = len(POSE_POINTS) + len(HAND_POINTS)
    data = rng.uniform(10, 150, size=(N_FRAMES, 1, n, 3)).astype(np.float32)
    data[:, :, :, 0] = np.arange(N_FRAMES)[:, None, None] + 10  # x of every point = frame + 10 px
    conf = np.ones((N_FRAMES, 1, n), np.float32)
    conf[7, 0, len(POSE_POINTS):] = 0  # the hand is missing in frame 7
    return LandmarkSequence(comps, data, conf, fps=FPS, width=160, height=120)


def test_landmarks_are_served_in_chunks(client, media_root, rng):
    from signfuse import io

    io.write(_sequence(rng), media_root / "clip.pose")
    r = client.get("/api/landmarks", params={"path": "clip.mp4", "start": 5, "count": 10})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["start"] == 5 and len(d["frames"]) == 10 and d["n_frames"] == N_FRAMES
    assert [c["name"] for c in d["components"]] == ["POSE", "RIGHT_HAND"]
    assert d["normalized"] is False and d["width"] == 160
    row = d["frames"][0]
    assert row[0] == pytest.approx(15.0)          # frame 5: x = 15
    hand0 = 2 * 33
    assert d["frames"][2][hand0] is None           # frame 7: hand missing
    assert d["frames"][3][hand0] == pytest.approx(18.0)
    assert client.get("/api/landmarks", params={"path": "sub/second.mp4"}).status_code == 404
    assert client.get("/api/videos").json()["videos"][0]["landmarks"] is True


def test_au_spans_known_answer():
    fps = 25.0
    v = np.zeros((100, 2), np.float32)
    v[20:40, 0] = 3.2     # AU12 at 3.2 of 5 -> intensity D (3.2 / 5 * 5 = 3.2 -> index 3)
    v[60:63, 1] = 0.9     # AU04 on a 0-1 scale: 0.9 -> E, 3 frames = 120 ms
    s = Stream("au", v, ("AU12", "AU04"), fps)
    spans = au_spans(s)
    assert [(x["value"], x["start_ms"], x["end_ms"]) for x in spans] == [("AU12D", 800, 1600), ("AU04E", 2400, 2520)]


def test_suggestions_from_face_motion_and_events_files(client, media_root):
    from signfuse import io

    t = np.arange(N_FRAMES) / FPS
    au = np.zeros(N_FRAMES)
    au[10:25] = 4.5
    lines = ["time,AU01,AU12,yaw"] + [f"{t[i]:.4f},0.0,{au[i]},0.0" for i in range(N_FRAMES)]
    (media_root / "clip.face.csv").write_text("\n".join(lines))
    speed = np.full(N_FRAMES, 0.05, np.float32)
    speed[15:35] = 2.0
    names = ("rh_speed", "rh_present", "lh_speed", "lh_present")
    vals = np.stack([speed, np.ones(N_FRAMES), np.zeros(N_FRAMES), np.zeros(N_FRAMES)], axis=1)
    io.write_stream(Stream("motion", vals, names, FPS), media_root / "clip.motion.parquet")
    (media_root / "clip.events.json").write_text(json.dumps([{"start": 0.2, "end": 0.8, "type": "head_shake"}]))
    r = client.get("/api/suggestions", params={"path": "clip.mp4"})
    assert r.status_code == 200
    lanes = {lane["id"]: lane for lane in r.json()["lanes"]}
    assert r.json()["errors"] == []
    au_lane = lanes["face-au"]
    assert au_lane["target_tier"] == "au" and "AU12" in au_lane["curves"]
    assert [(s["value"], s["start_ms"], s["end_ms"]) for s in au_lane["segments"]] == [("AU12E", 400, 1000)]
    assert lanes["events-file"]["segments"][0]["value"] == "head shake"
    # one events lane only: the file wins over events computed from the face curves
    assert [i for i in lanes if "events" in i] == ["events-file"]
    # one movement/hold lane per hand, each with its own speed curve
    moves = [(s["value"], s["start_ms"], s["end_ms"]) for s in lanes["motion-rh"]["segments"]]
    assert ("movement (right hand)", 600, 1400) in moves
    assert moves[0] == ("hold (right hand)", 0, 600)
    assert list(lanes["motion-rh"]["curves"]) == ["rh_speed"] and list(lanes["motion-lh"]["curves"]) == ["lh_speed"]
    assert lanes["motion-lh"]["segments"] == []  # the left hand is never present
    (media_root / "clip.events.json").unlink()
    lanes = {lane["id"]: lane for lane in client.get("/api/suggestions", params={"path": "clip.mp4"}).json()["lanes"]}
    assert "events-file" not in lanes


def test_audio_lanes_and_waveform(client, media_root):
    from signfuse import io
    from signfuse.testing.media import write_video

    n = 100
    t = np.arange(n) / 100.0
    f0 = np.where(t < 0.5, 200.0, 0.0)
    vals = np.stack([f0, (f0 > 0).astype(float), -20 - 10 * t], axis=1).astype(np.float32)
    io.write_stream(Stream("audio", vals, ("f0_hz", "voiced", "rms_db"), 100.0), media_root / "clip.audio.parquet")
    lanes = {lane["id"]: lane for lane in client.get("/api/suggestions", params={"path": "clip.mp4"}).json()["lanes"]}
    f0c = lanes["audio-f0"]["curves"]["f0_hz"]
    assert lanes["audio-f0"]["unit"] == "Hz" and f0c["v"][10] == 200.0 and f0c["v"][80] is None  # unvoiced: gap
    assert lanes["audio-energy"]["curves"]["rms_db"]["v"][0] == -20.0
    # the test video has no soundtrack: 404; a video with a 440 Hz tone has peaks near its amplitude
    assert client.get("/api/waveform", params={"path": "clip.mp4"}).status_code == 404
    sr = 16000
    y = (0.5 * np.sin(2 * np.pi * 440 * np.arange(sr) / sr)).astype(np.float32)
    frames = [np.zeros((64, 64, 3), np.uint8)] * 25
    write_video(media_root / "tone.mp4", frames, fps=25, audio=(y, sr))
    w = client.get("/api/waveform", params={"path": "tone.mp4"}).json()
    assert 0.9 < w["duration_s"] < 1.2 and len(w["min"]) == len(w["max"]) > 100
    mid = len(w["max"]) // 2
    assert 0.4 < w["max"][mid] < 0.6 and -0.6 < w["min"][mid] < -0.4
