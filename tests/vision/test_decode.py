from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from signfuse.errors import DataError, ParameterError
from signfuse.vision import decode

from ._media import H, W, astronaut, moving_frames, write_video


def test_probe_reads_size_rate_and_count(media):
    info = decode.probe_video(media["astronaut_mp4"])
    assert (info.width, info.height, info.fps, info.n_frames, info.rotation) == (W, H, 25.0, 12, 0)
    info = decode.probe_video(media["hopper_mkv"])
    assert (info.width, info.height, info.fps, info.codec) == (W, H, 30.0, "mpeg4")


def test_frames_have_index_time_and_pixels(media):
    frames = list(decode.iter_video_frames(media["astronaut_mp4"]))
    assert [f.index for f in frames] == list(range(12))
    np.testing.assert_allclose([f.time for f in frames], np.arange(12) / 25.0, atol=1e-9)
    assert frames[0].image.shape == (H, W, 3) and frames[0].image.dtype == np.uint8
    # the photo slides 2 px a frame: frame 5 is frame 4 shifted right by 2 (up to codec noise)
    a, b = frames[4].image.astype(int), frames[5].image.astype(int)
    err = [np.abs(np.roll(a, s, axis=1)[:, 40:-40] - b[:, 40:-40]).mean() for s in range(5)]
    assert int(np.argmin(err)) == 2


def test_sampling_range_and_downscale(media):
    sampled = list(decode.iter_video_frames(media["astronaut_mp4"], fps=10))
    # 25 fps sampled at 10 fps: first frame at or after each 0.1 s step
    assert [f.index for f in sampled] == [0, 3, 5, 8, 10]
    ranged = list(decode.iter_video_frames(media["astronaut_mp4"], start_frame=3, end_frame=7))
    assert [f.index for f in ranged] == [3, 4, 5, 6]
    small = next(decode.iter_video_frames(media["astronaut_mp4"], max_side=160))
    assert small.image.shape == (120, 160, 3)
    assert decode.scaled_size(1280, 720, 640) == (640, 360)
    assert decode.scaled_size(640, 360, 1000) == (640, 360)


def test_variable_frame_rate_timestamps(tmp_path):
    pts = [0, 10, 20, 40, 50, 80, 90, 100, 130, 140]
    path = write_video(tmp_path / "vfr.mp4", moving_frames(astronaut(), len(pts)), pts=pts, time_base=Fraction(1, 250))
    times = [f.time for f in decode.iter_video_frames(path)]
    np.testing.assert_allclose(times, np.array(pts) / 250.0, atol=1e-6)


def test_display_rotation_is_applied(tmp_path):
    frames = [np.ascontiguousarray(np.rot90(f, k=-1)) for f in moving_frames(astronaut(), 3)]
    path = write_video(tmp_path / "rot.mp4", frames, rotation=90)
    info = decode.probe_video(path)
    assert (info.width, info.height, info.rotation) == (W, H, 90)
    first = next(decode.iter_video_frames(path))
    upright = moving_frames(astronaut(), 3)[0]
    assert first.image.shape == (H, W, 3)
    assert np.abs(first.image.astype(int) - upright.astype(int)).mean() < 6


def _bad_codec_avi(tmp_path):
    path = write_video(tmp_path / "ok.avi", moving_frames(astronaut(), 3), codec="mpeg4")
    raw = path.read_bytes()
    assert raw.count(b"FMP4") == 2
    bad = tmp_path / "bad_codec.avi"
    bad.write_bytes(raw.replace(b"FMP4", b"ZQZQ"))  # a FourCC no FFmpeg decoder knows
    return bad


def test_bad_inputs_raise_data_error_with_reason(tmp_path, media):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp4"
    text.write_text("this is a text file, not a video\n")
    full = media["astronaut_mp4"].read_bytes()
    trunc = tmp_path / "trunc.mp4"
    trunc.write_bytes(full[: len(full) // 2])
    cases = {
        empty: "empty file",
        text: "not a readable video",
        trunc: "not a readable video",
        _bad_codec_avi(tmp_path): "cannot be decoded",
        tmp_path / "missing.mp4": "no such file",
    }
    for path, reason in cases.items():
        with pytest.raises(DataError, match=reason) as ei:
            list(decode.iter_video_frames(path))
        assert str(path) in str(ei.value)


def test_audio_only_file_has_no_video_stream(tmp_path):
    import av

    path = tmp_path / "audio.mp4"
    with av.open(str(path), "w") as out:
        st = out.add_stream("aac", rate=16000)
        fr = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        fr.sample_rate = 16000
        for pkt in st.encode(fr):
            out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)
    with pytest.raises(DataError, match="no video stream"):
        decode.probe_video(path)


def test_image_reading(media, tmp_path):
    img, w, h = decode.read_image(media["hopper_jpg"], max_side=300)
    assert (w, h) == (512, 600) and img.shape == (300, 256, 3)
    bad = tmp_path / "x.png"
    bad.write_text("not an image")
    with pytest.raises(DataError, match="not a readable image"):
        decode.read_image(bad)


def test_parameter_checks(media):
    with pytest.raises(ParameterError, match="max_side"):
        next(decode.iter_video_frames(media["astronaut_mp4"], max_side=4))
    with pytest.raises(ParameterError, match="fps"):
        next(decode.iter_video_frames(media["astronaut_mp4"], fps=0))
    with pytest.raises(ParameterError, match="end_frame"):
        next(decode.iter_video_frames(media["astronaut_mp4"], start_frame=5, end_frame=5))
