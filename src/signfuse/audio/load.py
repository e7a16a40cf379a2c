"""Reading audio: wav, flac, ogg, mp3 and the soundtrack of a video, all through PyAV (FFmpeg).

Every input becomes a mono ``float32`` waveform in ``[-1, 1]`` at the requested rate: channels are
averaged (mono mixdown) and the rate is converted with soxr (``HQ`` quality, linear phase). A file that
cannot be decoded, has no audio stream, holds no samples or holds NaN/inf samples raises
:class:`~signfuse.errors.DataError` naming the file.
"""

from __future__ import annotations

import logging
from os import PathLike
from pathlib import Path

import numpy as np

from ..errors import DataError, FormatError, ParameterError

__all__ = ["load", "resample"]

log = logging.getLogger(__name__)


def resample(y: np.ndarray, *, sr_in: int, sr_out: int) -> np.ndarray:
    """Resample a mono ``(samples,)`` float waveform with soxr (HQ); returns float32."""
    for name, v in (("sr_in", sr_in), ("sr_out", sr_out)):
        if not (isinstance(v, (int, np.integer)) and v > 0):
            raise ParameterError(f"resample(): {name}={v!r} must be a positive integer sample rate")
    y = np.asarray(y, dtype=np.float32)
    if sr_in == sr_out or y.size == 0:
        return y.copy()
    import soxr

    return np.asarray(soxr.resample(y, sr_in, sr_out, quality="HQ"), dtype=np.float32)


def _check_wav_length(p: Path) -> None:
    """Warn, naming the file, when a RIFF/WAVE file holds less audio than its ``data`` chunk header promises.

    FFmpeg decodes what is there without a word, so a truncated copy (a 60-byte file whose header says
    128 kB) would pass as a short recording. A size of 0 or 0xFFFFFFFF (a stream whose length was never
    written back) is not a promise and is not checked. Hand-written: a few header bytes, no library reads
    just the chunk sizes.
    """
    import struct

    try:
        with open(p, "rb") as f:
            head = f.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return
            size = p.stat().st_size
            pos = 12
            while pos + 8 <= size:
                f.seek(pos)
                cid, n = struct.unpack("<4sI", f.read(8))
                if cid == b"data":
                    have = size - pos - 8
                    if n not in (0, 0xFFFFFFFF) and n > have:
                        log.warning("%s: truncated WAV: its header promises %d bytes of audio, the file holds %d "
                                    "(%.0f%%); reading what is there", p, n, have, 100 * have / n)
                    return
                pos += 8 + n + (n & 1)
            log.warning("%s: WAV file without a complete data chunk (truncated?)", p)
    except OSError as e:
        raise DataError(f"cannot read: {e.strerror or e}", path=p) from None


def load(path: str | PathLike[str], *, sr: int | None = 16000) -> tuple[np.ndarray, int]:
    """Decode an audio file (or a video's first audio stream) to mono float32.

    Parameters
    ----------
    path:
        wav, flac, ogg, mp3, or any container FFmpeg reads that has an audio stream (mp4, mkv, webm...).
    sr:
        Output sample rate in Hz (default 16000). ``None`` keeps the file's own rate.

    Returns
    -------
    ``(y, sr)``: ``y`` is ``(samples,)`` float32, ``sr`` the rate of ``y``.

    Raises
    ------
    DataError
        The file is missing, empty, undecodable, has no audio stream, has no samples, or has NaN/inf
        samples. The message starts with the path.
    """
    if sr is not None and not (isinstance(sr, (int, np.integer)) and 0 < sr <= 384000):
        raise ParameterError(f"load(): sr={sr!r} must be a positive integer sample rate (Hz) or None")
    p = Path(path)
    if not p.is_file():
        raise DataError("no such file", path=p)
    if p.stat().st_size == 0:
        raise DataError("file is empty (0 bytes)", path=p)
    _check_wav_length(p)
    import av

    chunks: list[np.ndarray] = []
    try:
        with av.open(str(p)) as container:
            streams = container.streams.audio
            if not streams:
                raise DataError("has no audio stream", path=p)
            stream = streams[0]
            rate = int(stream.codec_context.sample_rate or stream.rate or 0)
            # Convert whatever sample format the codec gives to planar float32, keeping the channels.
            resampler = av.AudioResampler(format="fltp", layout=stream.codec_context.layout, rate=rate)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray())  # (channels, samples)
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray())
    except DataError:
        raise
    except (av.error.FFmpegError, ValueError, IndexError, OSError) as e:
        raise FormatError(f"cannot decode audio ({type(e).__name__}: {e})", path=p) from None
    if rate <= 0:
        raise FormatError("audio stream has no sample rate", path=p)
    if not chunks or sum(c.shape[-1] for c in chunks) == 0:
        raise DataError("contains no audio samples (zero-length audio)", path=p)
    x = np.concatenate(chunks, axis=-1)
    y = x.mean(axis=0, dtype=np.float64).astype(np.float32) if x.shape[0] > 1 else x[0].astype(np.float32)
    bad = ~np.isfinite(y)
    if bad.any():
        first = int(np.argmax(bad))
        raise DataError(f"{int(bad.sum())} NaN/inf samples (first at {first / rate:.3f} s); "
                        "repair or trim the file", path=p)
    log.info("%s: %d channel(s), %d Hz, %.2f s", p, x.shape[0], rate, y.size / rate)
    clipped = float(np.mean(np.abs(y) >= 0.999))
    if clipped > 0.001:
        log.warning("%s: %.1f%% of samples are clipped (|y| >= 0.999); spectral features include the "
                    "distortion", p, 100 * clipped)
    if sr is None or sr == rate:
        return y, rate
    return resample(y, sr_in=rate, sr_out=int(sr)), int(sr)

