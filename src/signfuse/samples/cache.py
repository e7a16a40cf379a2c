"""The stream cache: every stream of every sample packed end to end in one float32 file per stream
(plus a mask file) and an ``index.json``, opened with ``np.memmap`` so workers share pages and loading
costs nothing next to the model. Built once per (entries, streams, options) and reused."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..errors import DataError
from ..io.jsonfmt import jsonable
from ..streams import Sample, Stream
from .builders import DEFAULT_FACE_REGIONS, _mask, build_samples, parse_streams

__all__ = ["StreamCache", "build_cache", "CACHE_VERSION"]

log = logging.getLogger(__name__)

CACHE_VERSION = 1


def _jsonable(v: Any) -> Any:
    return jsonable(v)


class StreamCache:
    """Packed, memory-mapped streams of a dataset. ``cache[i]`` -> ``(values: dict, masks: dict)``.

    ``cache.records[i]`` holds the sample's labels and metadata (id, signer, domain, split, gloss,
    glosses, emotion, intensity, meta, n_frames).
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        idx = self.path / "index.json"
        if not idx.is_file():
            raise DataError("not a stream cache (no index.json)", path=self.path)
        try:
            info = json.loads(idx.read_text())
        except json.JSONDecodeError as e:
            raise DataError(f"corrupt cache index: {e}", path=idx) from None
        self.info = info
        self.records: list[dict] = info["records"]
        self.streams: tuple[str, ...] = tuple(info["streams"])
        self.names: dict[str, list[str]] = info["names"]
        self.fps: float = info["fps"]
        total = int(info["total_frames"])
        self._offsets = np.array([r["offset"] for r in self.records], dtype=np.int64)
        self._lengths = np.array([r["n_frames"] for r in self.records], dtype=np.int64)
        self._values = {s: np.memmap(self.path / f"{s}.f32", dtype=np.float32, mode="r",
                                     shape=(total, len(self.names[s]))) if total else np.zeros((0, len(self.names[s])), np.float32)
                        for s in self.streams}
        self._masks = {s: np.memmap(self.path / f"{s}.mask", dtype=np.bool_, mode="r", shape=(total,))
                       if total else np.zeros(0, bool) for s in self.streams}

    def __len__(self) -> int:
        return len(self.records)

    def dims(self) -> dict[str, int]:
        return {s: len(self.names[s]) for s in self.streams}

    def __getitem__(self, i: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        a, n = int(self._offsets[i]), int(self._lengths[i])
        return ({s: np.asarray(self._values[s][a: a + n]) for s in self.streams},
                {s: np.asarray(self._masks[s][a: a + n]) for s in self.streams})

    def sample(self, i: int) -> Sample:
        v, m = self[i]
        r = self.records[i]
        return Sample(id=r["id"], streams={s: Stream(s, v[s], tuple(self.names[s]), self.fps, mask=m[s]) for s in self.streams},
                      signer=r["signer"], domain=r["domain"], split=r["split"], gloss=r["gloss"],
                      glosses=tuple(r["glosses"]) if r["glosses"] else None, emotion=r["emotion"],
                      intensity=r["intensity"], meta=r["meta"])

    @classmethod
    def write(cls, samples: Sequence[Sample], path: str | os.PathLike[str], *, streams: Sequence[str],
              extra: Mapping[str, Any] | None = None) -> "StreamCache":
        """Pack ``samples`` into a cache folder at ``path`` (written to a temporary folder, then renamed)."""
        streams = tuple(streams)
        if not samples:
            raise DataError("no samples to cache")
        fps = None
        names: dict[str, list[str]] = {}
        for smp in samples:
            for s in streams:
                if s not in smp.streams:
                    raise DataError(f"sample {smp.id!r} has no stream {s!r}")
                st = smp.streams[s]
                if names.setdefault(s, list(st.names)) != list(st.names):
                    raise DataError(f"sample {smp.id!r}: stream {s!r} has different features than earlier samples")
                fps = fps or st.fps
        target = Path(path)
        tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:8]}")
        try:
            tmp.mkdir(parents=True)
        except OSError as e:  # a read-only dataset folder, a full disk
            raise DataError(f"cannot write the stream cache: {e.strerror or e}", path=target) from None
        try:
            records, off = [], 0
            for smp in samples:
                n = smp.n_frames
                records.append({"id": smp.id, "signer": smp.signer, "domain": smp.domain, "split": smp.split,
                                "gloss": smp.gloss, "glosses": list(smp.glosses) if smp.glosses else None,
                                "emotion": smp.emotion, "intensity": smp.intensity, "meta": _jsonable(dict(smp.meta)),
                                "offset": off, "n_frames": n})
                off += n
            for s in streams:
                with open(tmp / f"{s}.f32", "wb") as fv, open(tmp / f"{s}.mask", "wb") as fm:
                    for smp in samples:
                        st = smp.streams[s]
                        n = smp.n_frames
                        v = np.full((n, len(names[s])), np.nan, np.float32)
                        mk = np.zeros(n, np.bool_)
                        k = min(n, st.n_frames)
                        v[:k], mk[:k] = st.values[:k], _mask(st)[:k]
                        fv.write(np.ascontiguousarray(v).tobytes())
                        fm.write(mk.tobytes())
            info = {"version": CACHE_VERSION, "streams": list(streams), "names": names, "fps": fps,
                    "total_frames": off, "records": records, "extra": _jsonable(dict(extra or {}))}
            (tmp / "index.json").write_text(json.dumps(info))
            if target.exists():
                shutil.rmtree(target)
            os.replace(tmp, target)
        except OSError as e:
            raise DataError(f"cannot write the stream cache: {e.strerror or e}", path=target) from None
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return cls(target)


def _cache_key(entries: Sequence[Any], streams: Sequence[str], face_regions: Sequence[str], normalize: bool,
               fps: float | None, mirror: bool = False) -> str:
    h = hashlib.sha1()
    h.update(json.dumps([CACHE_VERSION, list(streams), list(face_regions), normalize, fps, mirror]).encode())
    for e in entries:
        p = Path(e.path)
        try:
            st = p.stat()
            stamp = (st.st_size, int(st.st_mtime))
        except OSError:
            stamp = None
        h.update(json.dumps([e.id, str(p), stamp, e.start_frame, e.end_frame, e.gloss,
                             list(e.glosses or []), e.split, e.signer, e.domain]).encode())
    return h.hexdigest()[:16]


def build_cache(entries: Sequence[Any], cache_root: str | os.PathLike[str], *, streams: Sequence[str],
                face_regions: Sequence[str] = DEFAULT_FACE_REGIONS, normalize: bool = True, fps: float | None = None,
                mirror: bool = False, progress: Callable[[int, int], None] | None = None) -> StreamCache:
    """The cache of ``entries`` with ``streams`` under ``cache_root`` (built once, reused while the files
    and options are unchanged)."""
    streams = parse_streams(streams)
    entries = list(entries)
    if not entries:
        raise DataError("no dataset entries to cache (empty dataset or split?)")
    key = _cache_key(entries, streams, face_regions, normalize, fps, mirror)
    path = Path(cache_root) / key
    if (path / "index.json").is_file():
        try:
            return StreamCache(path)
        except (DataError, KeyError, ValueError) as e:
            log.warning("rebuilding unreadable cache %s (%s)", path, e)
    samples = build_samples(entries, streams=streams, fps=fps, face_regions=face_regions, normalize=normalize,
                            mirror=mirror, progress=progress)
    return StreamCache.write(samples, path, streams=streams)


