from __future__ import annotations

import logging
from fractions import Fraction

import numpy as np
import pytest

from signfuse.errors import ParameterError
from signfuse.vision import HolisticRunner, decode, extract

from ._media import H, W, astronaut, moving_frames, write_video

N_POINTS = 33 + 468 + 21 + 21 + 33


@pytest.fixture(scope="module")
def astro_seq(media):
    return extract(media["astronaut_mp4"])


def test_video_layout_timing_and_size(astro_seq):
    seq = astro_seq
    assert seq.component_names == ("POSE", "FACE", "LEFT_HAND", "RIGHT_HAND", "POSE_WORLD")
    assert seq.data.shape == (12, 1, N_POINTS, 3)
    assert seq.fps == 25.0 and seq.times is None
    assert (seq.width, seq.height) == (W, H)


def test_person_and_face_found_hands_not(astro_seq):
    seq = astro_seq
    _, face_c = seq.component_data("FACE")
    assert np.all(face_c == 1.0)  # face found in every frame
    _, pose_c = seq.component_data("POSE")
    assert pose_c[:, 0, :11].mean() > 0.9  # head points clearly visible
    for hand in ("LEFT_HAND", "RIGHT_HAND"):  # her hands are not in view
        d, c = seq.component_data(hand)
        assert np.all(c == 0) and np.all(d == 0)
    # the nose lies inside the face mesh's bounding box, in pixels of the 320x240 frame
    nose = seq.point("POSE", "NOSE")[:, 0, :2]
    face, _ = seq.component_data("FACE")
    lo, hi = face[:, 0, :, :2].min(axis=1), face[:, 0, :, :2].max(axis=1)
    assert np.all((nose > lo) & (nose < hi))
    assert np.all((nose[:, 0] > 0) & (nose[:, 0] < W) & (nose[:, 1] > 0) & (nose[:, 1] < H))


def test_tracking_follows_the_known_motion(astro_seq):
    # the photo slides right by 2 px per frame: the face-mesh centre must too
    face, _ = astro_seq.component_data("FACE")
    cx = face[:, 0, :, 0].mean(axis=1)
    slope = np.polyfit(np.arange(len(cx)), cx, 1)[0]
    assert slope == pytest.approx(2.0, abs=0.5)
    cy = face[:, 0, :, 1].mean(axis=1)
    assert np.ptp(cy) < 3.0


def test_same_as_a_bare_pyav_mediapipe_loop(media, astro_seq):
    """extract() adds nothing to what MediaPipe says for the same decoded frames."""
    with HolisticRunner(static_image_mode=False) as runner:
        rows = [runner.process(f.image) for f in decode.iter_video_frames(media["astronaut_mp4"])]
    np.testing.assert_array_equal(astro_seq.data[:, 0], np.stack([r[0] for r in rows]))
    np.testing.assert_array_equal(astro_seq.confidence[:, 0], np.stack([r[1] for r in rows]))


def test_coordinates_follow_pose_format_convention():
    """Same numbers as pose-format's own MediaPipe loader (x*w, y*h, z raw; world x*w, y*h)."""
    from pose_format.utils.holistic import load_holistic

    img = astronaut()
    ours = extract(img)
    theirs = load_holistic(
        [img],
        fps=1,
        width=img.shape[1],
        height=img.shape[0],
        additional_holistic_config={"static_image_mode": True, "model_complexity": 1},
    )
    np.testing.assert_allclose(ours.data[0, 0], np.asarray(theirs.body.data[0, 0]), rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(ours.confidence[0, 0], np.asarray(theirs.body.confidence[0, 0]), atol=1e-6)


def test_image_file_static_mode_and_max_side(media):
    full = extract(media["astronaut_png"])
    assert full.n_frames == 1 and (full.width, full.height) == (512, 512) and full.fps == 1.0
    assert np.all(full.component_data("FACE")[1] == 1)
    small = extract(media["astronaut_png"], max_side=256)
    assert (small.width, small.height) == (512, 512)  # still in original pixels
    a = full.point("POSE", "NOSE")[0, 0, :2]
    b = small.point("POSE", "NOSE")[0, 0, :2]
    assert np.linalg.norm(a - b) < 8.0
    hopper = extract(media["hopper_jpg"])
    assert (hopper.width, hopper.height) == (512, 600)
    assert np.all(hopper.component_data("FACE")[1] == 1)


def test_refine_face_adds_iris_points(media):
    seq = extract(media["astronaut_png"], refine_face=True)
    d, c = seq.component_data("FACE")
    assert d.shape[2] == 478 and np.all(c == 1)
    # iris centres (468 right, 473 left) lie between the eye corners
    for centre, corners in ((468, (33, 133)), (473, (362, 263))):
        xs = sorted(d[0, 0, list(corners), 0])
        assert xs[0] < d[0, 0, centre, 0] < xs[1]


def test_nobody_visible_is_all_zero_with_warning(media, caplog):
    with caplog.at_level(logging.WARNING, logger="signfuse.vision.extract"):
        seq = extract(media["empty_scene_mp4"])
    assert seq.n_frames == 8 and np.all(seq.confidence == 0) and np.all(seq.data == 0)
    assert "nobody visible" in caplog.text


def test_variable_frame_rate_keeps_timestamps(tmp_path):
    pts = [0, 10, 20, 40, 50, 80, 90, 100, 130, 140]
    path = write_video(tmp_path / "vfr.mp4", moving_frames(astronaut(), len(pts)), pts=pts, time_base=Fraction(1, 250))
    seq = extract(path)
    np.testing.assert_allclose(seq.times, np.array(pts) / 250.0, atol=1e-6)
    assert seq.fps == pytest.approx(10 / 0.6, rel=1e-6)  # average rate from the container


def test_fps_sampling_and_frame_range(media):
    seq = extract(media["astronaut_mp4"], fps=10)
    assert seq.n_frames == 5 and seq.fps == 10.0
    np.testing.assert_allclose(seq.times, [0.0, 0.12, 0.2, 0.32, 0.4], atol=1e-6)
    part = extract(media["astronaut_mp4"], start_frame=4, end_frame=10)
    assert part.n_frames == 6 and part.times is None and part.fps == 25.0


@pytest.mark.parametrize("mc", [0, 2])
def test_unbundled_model_complexity_is_refused(mc):
    with pytest.raises(ParameterError, match="not bundled"):
        extract(astronaut(), model_complexity=mc)
    with pytest.raises(ParameterError, match="must be 1"):
        extract(astronaut(), model_complexity=3)


def test_bad_array_is_refused():
    with pytest.raises(ParameterError, match="RGB uint8"):
        extract(np.zeros((10, 10), np.uint8))


def test_truncated_faststart_mp4_is_an_error(tmp_path, media):
    """With the index at the start, a cut file decodes without an FFmpeg error but stops early.

    75 frames at 25/s cut in half: about 37 frames (1.5 s, 50%) are missing, a large shortfall."""
    import av

    from signfuse.errors import DataError

    rng = np.random.default_rng(0)  # noise frames: every frame takes about the same bytes
    frames = [rng.integers(0, 256, (H, W, 3), dtype=np.uint8) for _ in range(75)]
    path = tmp_path / "fast.mp4"
    with av.open(str(path), "w", options={"movflags": "faststart"}) as out:
        st = out.add_stream("libx264", rate=25)
        st.width, st.height, st.pix_fmt = W, H, "yuv420p"
        st.options = {"preset": "ultrafast"}
        for img in frames:
            for pkt in st.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)
    raw = path.read_bytes()
    assert raw.find(b"moov") < raw.find(b"mdat")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataError, match="truncated video: decoded .* of 75 frames"):
        extract(cut, model="holistic")


def _edit_list_mp4(path, *, frames: int = 40, hidden: int = 3):
    """A valid H.264 mp4 whose first ``hidden`` frames lie before time 0: the muxer writes an edit list
    (``elst``) that hides them, so the header announces ``frames`` and ``frames - hidden`` decode (as in
    phone videos)."""
    import av

    with av.open(str(path), "w") as out:
        st = out.add_stream("libx264", rate=25)
        st.width, st.height, st.pix_fmt = 64, 48, "yuv420p"
        st.options = {"preset": "ultrafast", "bf": "0"}
        packets = []
        for i in range(frames):
            img = np.full((48, 64, 3), (i * 5) % 256, np.uint8)
            packets += list(st.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
        packets += list(st.encode())
        step = packets[1].pts - packets[0].pts
        for pkt in packets:
            pkt.pts -= hidden * step
            pkt.dts -= hidden * step
            out.mux(pkt)
    return path


def test_edit_list_video_keeps_its_frames_with_a_warning(tmp_path, caplog):
    from signfuse.vision import decode

    path = _edit_list_mp4(tmp_path / "phone.mp4")
    assert b"elst" in path.read_bytes()
    info = decode.probe_video(path)
    assert info.n_frames == 40
    with caplog.at_level(logging.WARNING, logger="signfuse"):
        seq = extract(path, model="holistic")
    assert seq.n_frames == 37 and seq.fps == 25.0
    assert any("decoded 37 of the 40 frames" in r.getMessage() for r in caplog.records)


def test_shortfall_rule(tmp_path):
    """Large shortfall = more than 10% AND more than 1 s; anything less is a warning."""
    from signfuse.errors import DataError
    from signfuse.vision import decode
    from signfuse.vision.extract import _check_shortfall

    def info(n, fps):
        return decode.VideoInfo(width=8, height=8, fps=fps, n_frames=n, duration=n / fps, rotation=0, codec="h264")

    p = tmp_path / "v.mp4"
    _check_shortfall(p, decoded=95, info=info(98, 30.0), applies=True)  # 3%: kept
    _check_shortfall(p, decoded=50, info=info(100, 100.0), applies=True)  # 50% but 0.5 s: kept
    _check_shortfall(p, decoded=8900, info=info(9000, 30.0), applies=True)  # 3.3 s but 1.1%: kept
    with pytest.raises(DataError, match="truncated video: decoded 60 of 98"):
        _check_shortfall(p, decoded=60, info=info(98, 30.0), applies=True)  # 39%, 1.3 s
    _check_shortfall(p, decoded=10, info=info(98, 30.0), applies=False)  # a frame range: not judged


def test_sampling_above_the_video_rate_keeps_every_frame(media):
    seq = extract(media["astronaut_mp4"], fps=60)
    assert seq.n_frames == 12 and seq.fps == 25.0 and seq.times is None


def test_mediapipe_start_up_logs_are_silenced(capfd, monkeypatch):
    """MediaPipe's native start-up warnings do not reach stderr (unless asked for); our stderr still works."""
    import os
    import sys

    from signfuse.vision.holistic import HolisticRunner

    frames = moving_frames(astronaut(), 3)
    capfd.readouterr()
    with HolisticRunner(static_image_mode=False) as r:
        for f in frames:
            r.process(f)
    os.write(2, b"after\n")
    err = capfd.readouterr().err
    assert "W0000" not in err and "absl::InitializeLog" not in err and err.endswith("after\n")
    monkeypatch.setenv("SIGNFUSE_MEDIAPIPE_LOGS", "1")
    with HolisticRunner(static_image_mode=False) as r:
        r.process(frames[0])
    sys.stderr.flush()
    assert "W0000" in capfd.readouterr().err  # MediaPipe does log; the switch shows it
