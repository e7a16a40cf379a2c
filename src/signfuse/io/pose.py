"""``.pose`` files through the pose-format package (versions 0.0, 0.1 and 0.2; dims 1-4).

Reading maps pose-format / OpenPose component names to signfuse's canonical ones
(``POSE_LANDMARKS`` -> ``POSE``, ``hand_left_keypoints_2d`` -> ``LEFT_HAND`` ...) and OpenPose point
names to MediaPipe-style ones. Writing uses pose-format's names (``POSE_LANDMARKS`` ...) and the
current file version (0.2), so pose-format, its viewers and other tools read our files.

The body is checked against the header before pose-format parses it, so a truncated file is an error
instead of a silently shorter (or misaligned) sequence.
"""

from __future__ import annotations

import logging
import math
import struct
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError, FormatError, SignfuseError
from ..sequence import LandmarkSequence
from ..topology import POSE_FORMAT_NAMES, canonical_component
from ._atomic import atomic_path
from ._checks import canonical_points, check_component, check_fps, make_component

__all__ = ["read_pose", "write_pose", "read_pose_with_version"]

log = logging.getLogger(__name__)

_SUPPORTED_VERSIONS = (0.0, 0.1, 0.2)
_POINT_FORMATS = {1: "XC", 2: "XYC", 3: "XYZC", 4: "XYZKC"}
_COLORS = {"POSE": (255, 0, 0), "FACE": (128, 0, 0), "LEFT_HAND": (0, 255, 0), "RIGHT_HAND": (0, 0, 255),
           "POSE_WORLD": (255, 128, 0)}


def _check_body_size(header: Any, buf: bytes, offset: int, version: float, path: str | PathLike[str]) -> None:
    """Check that the bytes after the header hold what the header promises."""
    points = sum(len(c.points) for c in header.components)
    dims = header.num_dims()
    left = len(buf) - offset
    if version == 0.0:
        if left < 4:
            raise FormatError("truncated file: no body after the header", path=path)
        fps, frames = struct.unpack_from("<HH", buf, offset)
        check_fps(fps, path=path)
        if frames * 2 > left - 4:
            raise FormatError(f"truncated file: header says {frames} frames, body has {left} bytes", path=path)
        return
    per_value = points * (dims + 1) * 4
    if version == 0.1:
        if left < 6:
            raise FormatError("truncated file: no body after the header", path=path)
        fps, frames16, people = struct.unpack_from("<HHH", buf, offset)
        check_fps(fps, path=path)
        body = left - 6
        if people == 0:
            if body:
                raise FormatError("body holds data for 0 people", path=path)
            return
        per_frame = people * per_value
        if body % per_frame:
            raise FormatError(f"truncated file: {body} body bytes is not a whole number of "
                              f"{per_frame}-byte frames", path=path)
        if (body // per_frame) % 65536 != frames16:
            raise FormatError(f"truncated file: header says {frames16} frames, body holds {body // per_frame}",
                              path=path)
        return
    if left < 10:
        raise FormatError("truncated file: no body after the header", path=path)
    fps, frames, people = struct.unpack_from("<fIH", buf, offset)
    check_fps(fps, path=path)
    need = frames * people * per_value
    if left - 10 < need:
        raise FormatError(f"truncated file: {frames} frames x {people} people x {points} points need "
                          f"{need} bytes, the body has {left - 10}", path=path)
    if left - 10 > need:
        log.warning("%s: %d bytes after the last frame were ignored", path, left - 10 - need)


def read_pose_with_version(path: str | PathLike[str]) -> tuple[LandmarkSequence, float]:
    """Read a ``.pose`` file; also return its file version (0.0, 0.1 or 0.2)."""
    from pose_format.numpy import NumPyPoseBody
    from pose_format.pose_header import PoseHeader
    from pose_format.utils.reader import BufferReader

    path = Path(path)
    try:
        buf = path.read_bytes()
    except OSError as e:
        raise DataError(f"cannot read file: {e.strerror or e}", path=path) from e
    if not buf:
        raise FormatError("empty file", path=path)
    reader = BufferReader(buf)
    try:
        header = PoseHeader.read(reader)
    except Exception as e:  # pose-format raises struct.error, UnicodeDecodeError, ValueError ...
        raise FormatError(f"not a .pose file or truncated header ({type(e).__name__}: {e})", path=path) from e
    version = round(float(header.version), 3) if math.isfinite(header.version) else header.version
    if version not in _SUPPORTED_VERSIONS:
        raise FormatError(f"unsupported .pose version {header.version!r} (supported: 0.0, 0.1, 0.2)", path=path)
    if not header.components:
        raise FormatError("the header lists no components", path=path)
    for c in header.components:
        if len(c.format) < 2 or not c.points:
            raise FormatError(f"component {c.name!r} has point format {c.format!r} and {len(c.points)} points",
                              path=path)
    dims = header.num_dims()
    if not 1 <= dims <= 4:
        raise FormatError(f"{dims} dimensions per point (supported: 1-4)", path=path)
    if version != 0.0 and any(len(c.format) - 1 != dims for c in header.components):
        raise FormatError("components have different point formats", path=path)

    comps = []
    for c in header.components:
        name = canonical_component(c.name)
        points = canonical_points(name, c.points)
        check_component(name, points, path=path)
        comps.append(make_component(name, points, [tuple(limb) for limb in c.limbs], path=path))
    if len({c.name for c in comps}) != len(comps):
        raise FormatError(f"duplicate components {[c.name for c in header.components]}", path=path)

    _check_body_size(header, buf, reader.read_offset, version, path)
    try:
        body = NumPyPoseBody.read(header, reader)
    except SignfuseError:
        raise
    except Exception as e:
        raise FormatError(f"cannot read the body ({type(e).__name__}: {e})", path=path) from e

    data = np.asarray(np.ma.getdata(body.data), dtype=np.float32)
    conf = np.asarray(np.ma.getdata(body.confidence), dtype=np.float32)
    if data.ndim != 4 or conf.shape != data.shape[:3]:
        raise FormatError(f"body has shape {data.shape}, confidence {conf.shape}", path=path)
    conf = np.where(np.isfinite(conf), np.clip(conf, 0.0, None), 0.0).astype(np.float32)
    fps = check_fps(body.fps, path=path)
    dims_ = header.dimensions
    try:
        seq = LandmarkSequence(tuple(comps), data, conf, fps,
                               width=int(dims_.width) or None, height=int(dims_.height) or None)
    except SignfuseError as e:
        raise DataError(str(e), path=path) from e
    return seq, float(version)


def read_pose(path: str | PathLike[str]) -> LandmarkSequence:
    """Read a ``.pose`` file (any of versions 0.0, 0.1, 0.2) into a :class:`LandmarkSequence`."""
    return read_pose_with_version(path)[0]


def write_pose(seq: LandmarkSequence, path: str | PathLike[str]) -> Path:
    """Write ``seq`` as a pose-format file (version 0.2), atomically; returns the path.

    Component names are pose-format's (``POSE_LANDMARKS`` ...); width and height come from the
    sequence (0 when unknown). pose-format stores no timestamps: a variable-rate sequence is written at
    its nominal fps (with a warning).
    """
    from pose_format import Pose
    from pose_format.numpy import NumPyPoseBody
    from pose_format.pose_header import PoseHeader, PoseHeaderComponent, PoseHeaderDimensions

    path = Path(path)
    if seq.times is not None:
        log.warning("%s: .pose stores no timestamps; writing %d frames at %g fps", path, seq.n_frames, seq.fps)
    fmt = _POINT_FORMATS[seq.dims]
    components = [
        PoseHeaderComponent(POSE_FORMAT_NAMES.get(c.name, c.name), list(c.points), [tuple(e) for e in c.edges],
                            [_COLORS.get(c.name, (255, 255, 255))], fmt)
        for c in seq.components
    ]
    w, h = seq.width or 0, seq.height or 0
    header = PoseHeader(0.2, PoseHeaderDimensions(w, h, 0), components)
    data = np.where(seq.confidence[..., None] > 0, seq.data, np.float32(0)).astype(np.float32)
    body = NumPyPoseBody(seq.fps, data, np.ascontiguousarray(seq.confidence, dtype=np.float32))
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            Pose(header, body).write(f)
    return path
