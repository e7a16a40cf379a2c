"""Every input format decodes to the same mono waveform (flac, ogg, mp3, a video's soundtrack)."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from signfuse.audio import load, pitch
from signfuse.errors import DataError
from signfuse.testing.audio import harmonic_glide

SR = 16000


@pytest.fixture(scope="module")
def voice():
    return harmonic_glide(140.0, 140.0, sr=SR, duration=1.0, n_harmonics=6, amplitude=0.4)


def _f0(y, sr):
    f0, _ = pitch(y, sr=sr)
    return float(np.nanmedian(f0))


@pytest.mark.parametrize("ext,fmt,subtype", [("flac", "FLAC", "PCM_16"), ("ogg", "OGG", "VORBIS"),
                                             ("mp3", "MP3", "MPEG_LAYER_III")])
def test_compressed_formats(tmp_path, voice, ext, fmt, subtype):
    p = tmp_path / f"v.{ext}"
    try:
        sf.write(p, voice, SR, format=fmt, subtype=subtype)
    except Exception as e:  # pragma: no cover - libsndfile without that encoder
        pytest.skip(f"soundfile cannot write {fmt}: {e}")
    y, sr = load(p)
    assert sr == SR and y.dtype == np.float32
    assert abs(y.size - voice.size) < 0.1 * SR            # codecs add a little priming/padding
    assert _f0(y, sr) == pytest.approx(140.0, rel=0.005)
    if ext == "flac":
        np.testing.assert_allclose(y, voice, atol=1.0 / 2 ** 14)   # lossless (16-bit)


def test_video_soundtrack(tmp_path, voice):
    import av

    p = tmp_path / "clip.mp4"
    rate = 44100
    from signfuse.audio import resample

    audio = resample(voice, sr_in=SR, sr_out=rate)
    with av.open(str(p), "w") as c:
        vs = c.add_stream("mpeg4", rate=25)
        vs.width, vs.height, vs.pix_fmt = 64, 48, "yuv420p"
        as_ = c.add_stream("aac", rate=rate)
        as_.layout = "stereo"
        for i in range(25):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 8, np.uint8), format="rgb24")
            for pkt in vs.encode(frame):
                c.mux(pkt)
        for pkt in vs.encode():
            c.mux(pkt)
        st = np.stack([audio, audio]).astype(np.float32)
        for s in range(0, st.shape[1], 1024):
            af = av.AudioFrame.from_ndarray(np.ascontiguousarray(st[:, s:s + 1024]), format="fltp", layout="stereo")
            af.sample_rate = rate
            for pkt in as_.encode(af):
                c.mux(pkt)
        for pkt in as_.encode():
            c.mux(pkt)
    y, sr = load(p)
    assert sr == SR and abs(y.size / sr - 1.0) < 0.1
    assert _f0(y, sr) == pytest.approx(140.0, rel=0.005)
    y44, sr44 = load(p, sr=None)
    assert sr44 == rate


def test_video_without_audio(tmp_path):
    import av

    p = tmp_path / "silent_video.mp4"
    with av.open(str(p), "w") as c:
        vs = c.add_stream("mpeg4", rate=25)
        vs.width, vs.height, vs.pix_fmt = 64, 48, "yuv420p"
        for _ in range(5):
            for pkt in vs.encode(av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")):
                c.mux(pkt)
        for pkt in vs.encode():
            c.mux(pkt)
    with pytest.raises(DataError, match="silent_video.mp4: has no audio stream"):
        load(p)


def test_bad_sr(tmp_path, voice):
    from signfuse.errors import ParameterError

    with pytest.raises(ParameterError, match="sr=-5"):
        load(tmp_path / "x.wav", sr=-5)
