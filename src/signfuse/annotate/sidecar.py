"""Files beside a video that the page shows: landmarks (overlay) and signal curves (suggestion lanes).

* Landmarks: ``clip.pose`` / ``clip.parquet`` (from ``signfuse extract``), read with
  :func:`signfuse.io.read` and served in frame chunks as JSON (x, y per point, ``null`` when missing).
* Face: ``clip.face.parquet`` (a Stream file from :func:`signfuse.io.write_stream`) or ``clip.face.csv``
  (a ``time`` column plus feature columns). AU columns become curve lanes; AU activity spans become
  suggestions for the action-unit tier (``AU12C``: number plus an intensity A-E from the peak value on
  the FACS 0-5 scale, or 0-1 when the curve never exceeds 1); :func:`signfuse.face.events` gives
  brow raise/furrow, head shake/nod and blink suggestions for the non-manual tier.
* Motion: ``clip.motion.parquet|csv`` (the ``motion`` Stream): :func:`signfuse.motion.segments` gives
  movement/hold phases of each hand, suggested for the notes tier.
* ``clip.events.json``: a list of ``{"start": s, "end": s, "type": "brow_raise"}`` from any tool
  (``signfuse face --events`` writes one). When it exists it is *the* non-manual events lane; the
  events computed from the face curves are shown only when there is no such file (so the same events
  never appear in two lanes).
* ``clip.audio.parquet`` (``signfuse audio`` output): an F0 lane (Hz, voiced frames only) and an
  energy lane (RMS dB).
* The waveform comes from the video's own soundtrack (:func:`waveform`): min/max peaks per bucket.

Every function takes ``root``: a sidecar file that links outside it is refused (see
:func:`signfuse.annotate.store.check_inside`), and error texts name files by their name, not their
absolute path.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError, FormatError, SignfuseError
from ..streams import Stream
from .store import audio_file, events_file, face_file, landmark_file, motion_file, public_message

__all__ = ["landmark_chunk", "suggestions", "read_stream_file", "au_spans", "waveform"]

log = logging.getLogger(__name__)

MAX_CHUNK = 600
MAX_CURVE_POINTS = 4000

_NONMANUAL = {"brow_raise": "brow raise", "brow_furrow": "brow furrow", "head_shake": "head shake",
              "head_nod": "head nod", "blink": "blink", "mouth": "mouth", "mouth_open": "mouth"}

_lock = threading.Lock()
_seq_cache: "OrderedDict[tuple[str, int, int], Any]" = OrderedDict()


def _load_sequence(path: Path, *, fps: float | None):
    from .. import io as sio

    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    with _lock:
        if key in _seq_cache:
            _seq_cache.move_to_end(key)
            return _seq_cache[key]
    try:
        seq = sio.read(path)
    except SignfuseError as e:
        if path.suffix == ".parquet" and fps:
            seq = sio.read(path, fps=fps)
        else:
            raise e
    with _lock:
        _seq_cache[key] = seq
        while len(_seq_cache) > 2:
            _seq_cache.popitem(last=False)
    return seq


def landmark_chunk(video: Path, *, start: int, count: int, fps: float | None = None,
                   root: Path | None = None) -> dict[str, Any] | None:
    """Frames ``[start, start + count)`` of the landmark file beside ``video`` as JSON, or ``None``.

    Returns ``{"fps", "n_frames", "start", "width", "height", "normalized", "components": [{"name",
    "offset", "n", "edges"}], "frames": [[x0, y0, x1, y1, ...] | null per frame]}`` with ``null`` for
    missing points (confidence 0). ``normalized`` is True when coordinates are image fractions.
    """
    lm = landmark_file(video, root=root)
    if lm is None:
        return None
    seq = _load_sequence(lm, fps=fps)
    count = max(1, min(int(count), MAX_CHUNK))
    start = max(0, int(start))
    stop = min(seq.n_frames, start + count)
    xy = np.asarray(seq.data[start:stop, 0, :, :2], dtype=np.float64)
    conf = np.asarray(seq.confidence[start:stop, 0], dtype=np.float64)
    finite = np.isfinite(xy)
    normalized = bool(finite.any() and np.nanmax(np.abs(np.where(finite, xy, 0))) <= 2.0)
    digits = 4 if normalized else 1
    frames: list[list[float | None] | None] = []
    for f in range(stop - start):
        row: list[float | None] = []
        ok = (conf[f] > 0) & finite[f].all(axis=1)
        if not ok.any():
            frames.append(None)
            continue
        vals = np.round(xy[f], digits)
        for p in range(vals.shape[0]):
            if ok[p]:
                row += [float(vals[p, 0]), float(vals[p, 1])]
            else:
                row += [None, None]
        frames.append(row)
    comps, off = [], 0
    for c in seq.components:
        comps.append({"name": c.name, "offset": off, "n": c.n_points, "edges": [list(e) for e in c.edges]})
        off += c.n_points
    return {"fps": seq.fps, "n_frames": seq.n_frames, "start": start, "width": seq.width, "height": seq.height,
            "normalized": normalized, "components": comps, "frames": frames}


def read_stream_file(path: Path, *, name: str, fps: float | None) -> Stream:
    """A Stream from a parquet Stream file or a CSV with a ``time`` (or ``frame``) column."""
    if path.suffix == ".parquet":
        from ..io import read_stream

        return read_stream(path)
    import pandas as pd

    try:
        df = pd.read_csv(path)
    except Exception as e:  # noqa: BLE001 - report any parser error as a format error
        raise FormatError(f"not a readable CSV ({e})", path=path) from e
    cols = {c.lower(): c for c in df.columns}
    if "time" in cols:
        t = df[cols["time"]].to_numpy(np.float64)
    elif "timestamp" in cols:
        t = df[cols["timestamp"]].to_numpy(np.float64)
    elif "frame" in cols and fps:
        t = df[cols["frame"]].to_numpy(np.float64) / fps
    else:
        raise FormatError("needs a 'time' column (seconds), or 'frame' and a known video frame rate", path=path)
    skip = {cols.get(k) for k in ("time", "timestamp", "frame", "valid", "success", "confidence")}
    names = [c for c in df.columns if c not in skip and np.issubdtype(df[c].dtype, np.number)]
    d = np.diff(t)
    d = d[np.isfinite(d) & (d > 0)]
    s_fps = float(1.0 / np.median(d)) if d.size else (fps or 25.0)
    mask = df[cols["valid"]].to_numpy(bool) if "valid" in cols else None
    if mask is None and "success" in cols:
        mask = df[cols["success"]].to_numpy() > 0
    return Stream(name, df[names].to_numpy(np.float32), tuple(names), s_fps, times=t, mask=mask)


def _curve(t: np.ndarray, v: np.ndarray, mask: np.ndarray) -> dict[str, list]:
    step = max(1, math.ceil(t.size / MAX_CURVE_POINTS))
    tt = t[::step]
    vv = np.where(mask, v, np.nan)[::step]
    return {"t": [round(float(x), 3) for x in tt],
            "v": [None if not np.isfinite(x) else round(float(x), 4) for x in vv]}


def au_spans(stream: Stream, *, min_duration_s: float = 0.1) -> list[dict[str, Any]]:
    """Activity spans of each AU column: ``{"start_ms", "end_ms", "value": "AU12C", "score"}``.

    A span is where the curve, minus its median, exceeds ``max(3 * MAD-sigma, 10 % of the scale)``;
    the scale is 5 (FACS intensity) unless the curve stays within [0, 1]. Intensity letters split the
    scale into fifths of the peak: A (trace) .. E (maximum).
    """
    out: list[dict[str, Any]] = []
    t = stream.time
    for i, name in enumerate(stream.names):
        up = name.upper()
        if not up.startswith("AU"):
            continue
        digits = "".join(ch for ch in up[2:4] if ch.isdigit())
        if not digits:
            continue
        v = stream.values[:, i].astype(np.float64)
        ok = stream.mask & np.isfinite(v)
        if ok.sum() < 3:
            continue
        scale = 1.0 if np.nanmax(v[ok]) <= 1.0 + 1e-6 else 5.0
        med = float(np.median(v[ok]))
        sigma = 1.4826 * float(np.median(np.abs(v[ok] - med)))
        thr = max(3 * sigma, 0.1 * scale)
        active = ok & ((v - med) > thr)
        edges = np.diff(np.concatenate([[0], active.astype(np.int8), [0]]))
        for s, e in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
            if e - s < max(1, round(min_duration_s * stream.fps)):
                continue
            peak = float(np.max(v[s:e]))
            level = "ABCDE"[min(4, max(0, int(peak / scale * 5 - 1e-9)))]
            out.append({"start_ms": int(round(t[s] * 1000)), "end_ms": int(round((t[e - 1] + 1 / stream.fps) * 1000)),
                        "value": f"AU{int(digits):02d}{level}", "score": round(peak, 3)})
    out.sort(key=lambda d: d["start_ms"])
    return out


def suggestions(video: Path, *, fps: float | None, root: Path | None = None) -> dict[str, Any]:
    """All suggestion and curve lanes for ``video``: ``{"lanes": [...], "errors": [...]}``.

    A lane is ``{"id", "label", "source", "target_tier", "segments": [{"start_ms", "end_ms", "value",
    "score"}]}`` and, for curve lanes, ``"curves": {column: {"t": [...], "v": [...]}}`` with an optional
    ``"unit"``. Lanes: ``face-au``, one non-manual events lane (``events-file`` when the file exists,
    else ``face-events``), ``motion-rh`` / ``motion-lh`` (one movement/hold lane per hand), ``audio-f0``
    and ``audio-energy``.
    """
    from .store import UnsafePathError

    lanes: list[dict[str, Any]] = []
    errors: list[str] = []

    def find(fn):
        try:
            return fn(video, root=root)
        except UnsafePathError as e:
            errors.append(str(e))
            return None

    def note(f: Path, e: Exception, what: str = "") -> None:
        msg = str(e)
        if root is not None:
            msg = public_message(msg, root)
        errors.append(f"{f.name}: {what}{msg}")

    ff, ef, mf, af = find(face_file), find(events_file), find(motion_file), find(audio_file)
    if ff is not None:
        try:
            s = read_stream_file(ff, name="au", fps=fps)
            t = s.time
            curves = {n: _curve(t, s.values[:, i], s.mask) for i, n in enumerate(s.names)
                      if n.upper().startswith("AU") or n in ("pitch", "yaw", "roll", "mouth_open")}
            lanes.append({"id": "face-au", "label": "AU suggestions", "source": ff.name, "target_tier": "au",
                          "segments": au_spans(s), "curves": curves})
            if ef is None:
                try:
                    from ..face.events import events as face_events

                    evs = face_events(s)
                except (ImportError, AttributeError):
                    evs = []
                except SignfuseError as e:
                    note(ff, e, "events: ")
                    evs = []
                if evs:
                    lanes.append(_event_lane("face-events", "Non-manual events", ff.name, evs))
        except (SignfuseError, ValueError) as e:
            note(ff, e)
    if ef is not None:
        try:
            evs = json.loads(ef.read_text(encoding="utf-8"))
            if isinstance(evs, dict) and isinstance(evs.get("events"), list):
                evs = evs["events"]
            if not isinstance(evs, list):
                raise DataError("expected a JSON list of events")
            lanes.append(_event_lane("events-file", "Non-manual events", ef.name, evs))
        except (ValueError, SignfuseError, UnicodeDecodeError) as e:
            note(ef, e)
    if mf is not None:
        try:
            s = read_stream_file(mf, name="motion", fps=fps)
            from ..motion.segments import segments as motion_segments

            label = {"rh": "right hand", "lh": "left hand"}
            for hand in ("rh", "lh"):
                if f"{hand}_speed" not in s.names:
                    continue
                segs = motion_segments(s, targets=[hand]) if f"{hand}_present" in s.names else []
                lanes.append({"id": f"motion-{hand}", "label": f"Move/hold {hand.upper()}", "source": mf.name,
                              "target_tier": "notes",
                              "segments": [{"start_ms": int(round(g["start"] * 1000)),
                                            "end_ms": int(round(g["end"] * 1000)),
                                            "value": f"{g['kind']} ({label[hand]})",
                                            "label": g["kind"],
                                            "score": round(float(g.get("peak_speed", 0.0)), 3)}
                                           for g in segs if g["kind"] != "absent"],
                              "curves": {f"{hand}_speed": _curve(s.time, s.column(f"{hand}_speed"), s.mask)},
                              "unit": "sw/s"})
        except (SignfuseError, ValueError, ImportError) as e:
            note(mf, e)
    if af is not None:
        try:
            s = read_stream_file(af, name="audio", fps=fps)
            t = s.time
            if "f0_hz" in s.names:
                f0 = s.column("f0_hz").astype(np.float64)
                voiced = s.column("voiced") > 0.5 if "voiced" in s.names else f0 > 0
                lanes.append({"id": "audio-f0", "label": "F0", "source": af.name, "target_tier": None,
                              "segments": [], "curves": {"f0_hz": _curve(t, f0, s.mask & voiced)}, "unit": "Hz"})
            if "rms_db" in s.names:
                lanes.append({"id": "audio-energy", "label": "Energy", "source": af.name, "target_tier": None,
                              "segments": [], "curves": {"rms_db": _curve(t, s.column("rms_db"), s.mask)},
                              "unit": "dB"})
        except (SignfuseError, ValueError) as e:
            note(af, e)
    return {"lanes": lanes, "errors": errors}


_wave_cache: "OrderedDict[tuple[str, int, int], dict[str, Any]]" = OrderedDict()

MAX_WAVE_BUCKETS = 20_000
WAVE_SR = 8000


def waveform(video: Path, *, max_buckets: int = MAX_WAVE_BUCKETS) -> dict[str, Any] | None:
    """Min/max peaks of ``video``'s soundtrack: ``{"sr", "duration_s", "bucket_s", "min": [...],
    "max": [...]}`` (at most ``max_buckets`` buckets of at least 5 ms), or ``None`` without audio.

    Decoded with PyAV and reduced frame by frame (mono, 8 kHz), so memory stays bounded whatever
    the length (:func:`signfuse.audio.load` would hold the whole waveform; here it is written out
    because only the peaks are needed). Results are cached per file.
    """
    import av

    st = video.stat()
    key = (str(video), st.st_mtime_ns, st.st_size)
    with _lock:
        if key in _wave_cache:
            return _wave_cache[key]
    mins: list[np.ndarray] = []
    maxs: list[np.ndarray] = []
    try:
        with av.open(str(video)) as c:
            if not c.streams.audio:
                return None
            a = c.streams.audio[0]
            dur = (float(a.duration * a.time_base) if a.duration is not None and a.time_base is not None
                   else (c.duration / 1_000_000 if c.duration else 3600.0))
            per = max(int(0.005 * WAVE_SR), math.ceil(dur * WAVE_SR / max(1, int(max_buckets))))
            resampler = av.AudioResampler(format="flt", layout="mono", rate=WAVE_SR)
            carry = np.zeros(0, np.float32)
            n = 0

            def take(x: np.ndarray, final: bool = False) -> np.ndarray:
                buf = np.concatenate([carry, x]) if carry.size else x
                k = buf.size // per
                if k:
                    blocks = buf[: k * per].reshape(k, per)
                    mins.append(blocks.min(axis=1))
                    maxs.append(blocks.max(axis=1))
                rest = buf[k * per:]
                if final and rest.size:
                    mins.append(rest.min(keepdims=True))
                    maxs.append(rest.max(keepdims=True))
                    rest = rest[:0]
                return rest

            for frame in c.decode(a):
                for out in resampler.resample(frame):
                    x = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                    n += x.size
                    carry = take(x)
            for out in resampler.resample(None):
                x = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                n += x.size
                carry = take(x)
            take(np.zeros(0, np.float32), final=True)
    except (av.error.FFmpegError, ValueError, IndexError, OSError) as e:
        log.info("no waveform for %s: %s", video.name, e)
        return None
    if n == 0:
        return None
    lo = np.nan_to_num(np.concatenate(mins)) if mins else np.zeros(0)
    hi = np.nan_to_num(np.concatenate(maxs)) if maxs else np.zeros(0)
    out = {"sr": WAVE_SR, "duration_s": round(n / WAVE_SR, 4), "bucket_s": per / WAVE_SR,
           "min": np.round(lo, 3).tolist(), "max": np.round(hi, 3).tolist()}
    with _lock:
        _wave_cache[key] = out
        while len(_wave_cache) > 4:
            _wave_cache.popitem(last=False)
    return out


def _event_lane(lane_id: str, label: str, source: str, evs: list[Any]) -> dict[str, Any]:
    segs = []
    for ev in evs:
        if not isinstance(ev, dict):
            continue
        try:
            s, e = float(ev["start"]), float(ev["end"])
        except (KeyError, TypeError, ValueError):
            continue
        kind = str(ev.get("type") or ev.get("label") or ev.get("kind") or "event")
        if not (math.isfinite(s) and math.isfinite(e)) or e < s:
            continue
        segs.append({"start_ms": int(round(s * 1000)), "end_ms": int(round(e * 1000)),
                     "value": _NONMANUAL.get(kind, kind.replace("_", " ")),
                     "score": round(float(ev.get("amplitude", 0.0) or 0.0), 3)})
    segs.sort(key=lambda d: d["start_ms"])
    return {"id": lane_id, "label": label, "source": source, "target_tier": "nonmanual", "segments": segs}
