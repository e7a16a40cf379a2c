"""WLASL v0.3 (``WLASL_v0.3.json`` / ``asl100.json`` ...) and its ``nslt_*.json`` split files.

The JSON is a list of ``{gloss, instances: [{bbox, fps, frame_start, frame_end, instance_id, signer_id,
source, split, url, variation_id, video_id}]}``; ``frame_start`` is 1-based and ``frame_end`` inclusive,
``-1`` meaning the end of the video. An entry's frames are 0-based with an exclusive end, so
``frame_start=1, frame_end=55`` becomes ``start_frame=0, end_frame=55``. Videos are ``<video_id>.mp4``.

A split file (``nslt_100.json``: ``{video_id: {subset, action: [class, start, end]}}``) selects the
videos of a subset (``nslt_100`` = the first 100 glosses) and gives their split and class index.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from ..errors import FormatError
from .base import Entry, normalize_split, read_json, resolve

__all__ = ["read_wlasl", "read_nslt_split"]


def read_nslt_split(path: str | PathLike[str]) -> dict[str, dict]:
    """``{video_id: {"split", "class_index", "start_frame", "end_frame"}}`` from an ``nslt_*.json`` file."""
    raw = read_json(path)
    if not isinstance(raw, dict):
        raise FormatError("an nslt split file is a JSON object {video_id: {subset, action}}", path=path)
    out = {}
    for vid, rec in raw.items():
        if not isinstance(rec, dict) or "subset" not in rec or "action" not in rec:
            raise FormatError(f"video {vid!r}: expected {{subset, action}}, got {str(rec)[:80]}", path=path)
        action = rec["action"]
        if (
            not isinstance(action, list)
            or len(action) != 3
            or not all(isinstance(a, int) and not isinstance(a, bool) for a in action)
        ):
            raise FormatError(f"video {vid!r}: action must be [class, start, end] integers", path=path)
        cls, start, end = action
        out[str(vid)] = {
            "split": normalize_split(rec["subset"]),
            "class_index": cls,
            "start_frame": max(start - 1, 0),
            "end_frame": None if end == -1 else end,
        }
    return out


def read_wlasl(
    json_path: str | PathLike[str],
    *,
    root: str | PathLike[str] | None = None,
    split_file: str | PathLike[str] | None = None,
) -> list[Entry]:
    """Entries of a WLASL v0.3 JSON file, one per video instance.

    Parameters
    ----------
    json_path:
        ``WLASL_v0.3.json`` or a subset such as ``asl100.json``.
    root:
        Folder of the videos (``<root>/<video_id>.mp4``); paths are relative when ``None``.
    split_file:
        Optional ``nslt_*.json``: keep only its videos, with its split and class index.

    ``meta`` holds ``class_index`` (the gloss's position in the JSON list, the WLASL class id),
    ``instance_id``, ``variation_id``, ``source``, ``url`` and ``bbox``.
    """
    json_path = Path(json_path)
    raw = read_json(json_path)
    if not isinstance(raw, list):
        raise FormatError("a WLASL file is a JSON list of {gloss, instances}", path=json_path)
    split = read_nslt_split(split_file) if split_file is not None else None
    entries: list[Entry] = []
    for ci, item in enumerate(raw):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("gloss"), str)
            or not isinstance(item.get("instances"), list)
        ):
            raise FormatError(f"item {ci}: expected {{gloss: str, instances: list}}", path=json_path)
        gloss = item["gloss"]
        for inst in item["instances"]:
            try:
                vid = str(inst["video_id"])
                start, end = inst["frame_start"], inst["frame_end"]
                fps = inst.get("fps")
                if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
                    raise TypeError("frame_start/frame_end must be integers")
                if fps is not None and (isinstance(fps, bool) or not isinstance(fps, (int, float)) or fps <= 0):
                    raise TypeError(f"fps {fps!r} must be a positive number")
                meta = {
                    "class_index": ci,
                    "instance_id": inst.get("instance_id"),
                    "variation_id": inst.get("variation_id"),
                    "source": inst.get("source"),
                    "url": inst.get("url"),
                    "bbox": inst.get("bbox"),
                }
                signer = inst.get("signer_id")
                sp = normalize_split(inst.get("split"))
            except (KeyError, TypeError) as e:
                raise FormatError(f"gloss {gloss!r}: bad instance {str(inst)[:120]} ({e})", path=json_path) from None
            start_frame, end_frame = max(start - 1, 0), (None if end == -1 else end)
            if split is not None:
                if vid not in split:
                    continue
                s = split[vid]
                sp = s["split"]
                meta["nslt_class_index"] = s["class_index"]
            entries.append(
                Entry(
                    id=vid,
                    path=resolve(root, f"{vid}.mp4"),
                    signer=None if signer is None else str(signer),
                    split=sp,
                    gloss=gloss,
                    start_frame=start_frame,
                    end_frame=end_frame,
                    fps=None if fps is None else float(fps),
                    domain=inst.get("source"),
                    meta=meta,
                )
            )
    return entries
