"""``extract``: a video, a frame folder, an image or an RGB array to a
:class:`~signfuse.sequence.LandmarkSequence`.

Videos and frame folders (image sequences, as RWTH-PHOENIX-Weather ships its videos) run MediaPipe
Holistic in video mode (tracking between frames); images and arrays run it in static mode (detection
only). Coordinates and confidences follow :mod:`signfuse.vision.holistic`
(pose-format's convention: pixels of the original image for x and y).

``model`` picks the landmark model: ``"holistic"`` (POSE, FACE, hands, POSE_WORLD), ``"hands"``
(MediaPipe Hands: LEFT_HAND and RIGHT_HAND only, with handedness; see :mod:`signfuse.vision.hands`) or
``"auto"`` (the default): Holistic, and Hands when Holistic finds no pose in any frame of the image or
video (a close-up of a hand has no body for Holistic to start from). The components of the result say
which model made it (:func:`signfuse.vision.hands.model_of`).

A video whose header announces more frames than decode (phone videos with an edit list announce a few
frames that are never shown) is kept with a warning; it is rejected as truncated only when decoding
fails or when the shortfall is large: more than :data:`TRUNCATION_SHARE` of the announced frames *and*
more than :data:`TRUNCATION_SECONDS` seconds. Frame timing comes from the
file's timestamps: ``fps`` is the stream's average rate (or the ``fps`` you sample at), and ``times``
holds the real timestamps (from 0 at the first extracted frame) whenever they differ from evenly spaced
frames by more than 1 ms (variable frame rate, sampling that cannot hit exact instants).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..errors import DataError, ParameterError
from ..sequence import LandmarkSequence
from . import decode
from .hands import MODELS, HandsRunner, hands_components
from .holistic import HolisticRunner, check_model_complexity, holistic_components

__all__ = ["extract", "extract_image", "extract_video", "NOBODY_WARNING", "TRUNCATION_SHARE", "TRUNCATION_SECONDS",
           "check_model"]

log = logging.getLogger(__name__)

NOBODY_WARNING = "nobody visible: no pose, face or hand was found in any frame"

#: A video is truncated when it decodes fewer frames than its header announces by more than this share ...
TRUNCATION_SHARE = 0.10
#: ... and by more than this many seconds (both must hold).
TRUNCATION_SECONDS = 1.0

# Timestamps that differ from index / fps by less than this are treated as evenly spaced.
_TIME_TOLERANCE_S = 1e-3


def check_model(model: str) -> str:
    """Raise :class:`ParameterError` unless ``model`` is one of :data:`~signfuse.vision.hands.MODELS`."""
    if model not in MODELS:
        raise ParameterError(f"model={model!r} must be one of {', '.join(MODELS)}")
    return model


def extract(source: str | Path | np.ndarray, *, refine_face: bool = False, max_side: int | None = None,
            fps: float | None = None, model_complexity: int = 1, start_frame: int = 0,
            end_frame: int | None = None, frame_rate: float | None = None,
            progress: Callable[[int], None] | None = None, model: str = "auto") -> LandmarkSequence:
    """Run MediaPipe Holistic (or Hands) on a video, a frame folder, an image file or an RGB image array.

    Parameters
    ----------
    source:
        A video path (mp4, mov, avi, mkv, webm, ...), a frame folder (one jpg/png per frame, natural
        order), an image path (jpg, png) or an RGB uint8 array ``(H, W, 3)``. Images and arrays give a
        one-frame sequence (static mode).
    refine_face:
        Predict the 10 iris points too (FACE has 478 points instead of 468).
    max_side:
        Downscale frames so the longer side is at most this many pixels before inference (faster on
        large videos). Coordinates are still in pixels of the original frame size.
    fps:
        Sample the video at this rate (at most the video's own rate: frames are never duplicated);
        ``None`` keeps every frame at the video's own rate.
    model_complexity:
        Must be 1, the Holistic pose model bundled with mediapipe 0.10.21.
    start_frame, end_frame:
        0-based frame range of the video (end exclusive), e.g. from a dataset index.
    frame_rate:
        Recording rate of a frame folder, which image files do not store (default
        :data:`~signfuse.vision.decode.DEFAULT_FRAME_FOLDER_FPS`, PHOENIX's 25); ignored for videos.
    progress:
        Called with the number of frames processed so far, every few frames.
    model:
        ``"auto"`` (Holistic, then Hands when no pose is found anywhere), ``"holistic"`` or ``"hands"``.

    Returns
    -------
    LandmarkSequence
        One person, dims 3. Holistic: components POSE, FACE, LEFT_HAND, RIGHT_HAND, POSE_WORLD; Hands:
        LEFT_HAND, RIGHT_HAND. ``width`` and ``height`` are the (upright) frame size. Images get ``fps=1``.
    """
    check_model_complexity(model_complexity)
    check_model(model)
    if isinstance(source, np.ndarray):
        return extract_image(source, refine_face=refine_face, max_side=max_side, model=model)
    path = Path(source)
    if path.is_dir():
        return extract_video(path, refine_face=refine_face, max_side=max_side, fps=fps, start_frame=start_frame,
                             end_frame=end_frame, progress=progress, frame_rate=frame_rate, model=model)
    if decode.is_image(path):
        if start_frame != 0 or end_frame not in (None, 1):
            raise ParameterError(f"start_frame/end_frame do not apply to the image {path}")
        return extract_image(path, refine_face=refine_face, max_side=max_side, model=model)
    return extract_video(path, refine_face=refine_face, max_side=max_side, fps=fps,
                         start_frame=start_frame, end_frame=end_frame, progress=progress, model=model)


def _no_pose(seq: LandmarkSequence) -> bool:
    return not bool((seq.component_data("POSE")[1] > 0).any())


def extract_image(image: str | Path | np.ndarray, *, refine_face: bool = False,
                  max_side: int | None = None, model: str = "auto") -> LandmarkSequence:
    """One image (path or RGB array) in static mode: a one-frame sequence at ``fps=1``."""
    check_model(model)
    if isinstance(image, np.ndarray):
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ParameterError(f"image must be an RGB uint8 array (H, W, 3), got {image.dtype} {image.shape}")
        height, width = image.shape[:2]
        sw, sh = decode.scaled_size(width, height, max_side)
        img = image
        if (sw, sh) != (width, height):
            from PIL import Image
            img = np.asarray(Image.fromarray(image).resize((sw, sh), Image.BILINEAR))
        name = "image array"
    else:
        img, width, height = decode.read_image(image, max_side=max_side)
        name = str(image)
    img = np.ascontiguousarray(img)
    seq = None
    if model in ("auto", "holistic"):
        with HolisticRunner(static_image_mode=True, refine_face=refine_face) as runner:
            data, conf = runner.process(img, width=width, height=height)
        seq = LandmarkSequence(components=holistic_components(refine_face=refine_face),
                               data=data[None, None], confidence=conf[None, None], fps=1.0,
                               width=int(width), height=int(height))
    if model == "hands" or (model == "auto" and _no_pose(seq)):
        with HandsRunner(static_image_mode=True) as runner:
            data, conf = runner.process(img, width=width, height=height)
        if model == "hands" or (conf > 0).any():
            if model == "auto":
                log.info("%s: Holistic found no pose; MediaPipe Hands found %d hand(s)", name,
                         int((conf > 0).sum() // 21))
            seq = LandmarkSequence(components=hands_components(), data=data[None, None],
                                   confidence=conf[None, None], fps=1.0, width=int(width), height=int(height))
    if not np.any(seq.confidence > 0):
        log.warning("%s: %s", name, NOBODY_WARNING)
    return seq


def _run_video(path: Path, runner, *, folder: bool, info, rate: float, fps: float | None, max_side: int | None,
               start_frame: int, end_frame: int | None, progress: Callable[[int], None] | None):
    if folder:
        frames = decode.iter_frame_folder(path, rate=rate, fps=fps, max_side=max_side, start_frame=start_frame,
                                          end_frame=end_frame)
    else:
        frames = decode.iter_video_frames(path, fps=fps, max_side=max_side, start_frame=start_frame,
                                          end_frame=end_frame)
    datas: list[np.ndarray] = []
    confs: list[np.ndarray] = []
    times: list[float] = []
    with runner:
        for frame in frames:
            d, c = runner.process(frame.image, width=info.width, height=info.height)
            datas.append(d)
            confs.append(c)
            times.append(frame.time)
            if progress is not None and len(datas) % 8 == 0:
                progress(len(datas))
    if progress is not None and len(datas) % 8:
        progress(len(datas))
    return datas, confs, times


def extract_video(path: str | Path, *, refine_face: bool = False, max_side: int | None = None,
                  fps: float | None = None, start_frame: int = 0, end_frame: int | None = None,
                  progress: Callable[[int], None] | None = None,
                  frame_rate: float | None = None, model: str = "auto") -> LandmarkSequence:
    """A video file or a frame folder in video mode (tracking). See :func:`extract`."""
    check_model(model)
    path = Path(path)
    folder = path.is_dir()
    rate = decode.DEFAULT_FRAME_FOLDER_FPS if frame_rate is None else frame_rate
    info = decode.probe_frame_folder(path, rate=rate) if folder else decode.probe_video(path)
    out_fps = info.fps if fps is None else min(float(fps), info.fps)   # sampling never adds frames
    run = dict(folder=folder, info=info, rate=rate, fps=fps, max_side=max_side, start_frame=start_frame,
               end_frame=end_frame, progress=progress)
    components = hands_components()
    if model in ("auto", "holistic"):
        datas, confs, times = _run_video(path, HolisticRunner(static_image_mode=False, refine_face=refine_face),
                                         **run)
        components = holistic_components(refine_face=refine_face)
        pose = slice(0, 33)
        if model == "auto" and datas and not any((c[pose] > 0).any() for c in confs):
            hd, hc, ht = _run_video(path, HandsRunner(static_image_mode=False), **run)
            if any((c > 0).any() for c in hc):
                log.info("%s: Holistic found no pose in any frame; using MediaPipe Hands", path)
                datas, confs, times, components = hd, hc, ht, hands_components()
    else:
        datas, confs, times = _run_video(path, HandsRunner(static_image_mode=False), **run)
    if not datas:
        where = f" in frames [{start_frame}, {end_frame})" if (start_frame or end_frame is not None) else ""
        raise DataError(f"no frames could be decoded{where}", path=path)
    _check_shortfall(path, decoded=len(datas) + start_frame, info=info,
                     applies=not folder and end_frame is None and fps is None)
    data = np.stack(datas)[:, None]
    conf = np.stack(confs)[:, None]
    t = np.asarray(times, dtype=np.float64)
    t = t - t[0]  # a clip (frame range, sampling) starts at time 0
    even = np.arange(len(t)) / out_fps
    keep_times = not np.allclose(t, even, rtol=0, atol=max(_TIME_TOLERANCE_S, 0.0))
    if not math.isfinite(out_fps) or out_fps <= 0:  # pragma: no cover - probe_video guarantees a rate
        raise DataError("video has no usable frame rate", path=path)
    if not np.any(conf > 0):
        log.warning("%s: %s", path, NOBODY_WARNING)
    return LandmarkSequence(components=components, data=data, confidence=conf,
                            fps=out_fps, times=t if keep_times else None, width=info.width, height=info.height)


def _check_shortfall(path: Path, *, decoded: int, info, applies: bool) -> None:
    """Fewer frames decoded than the header announces: an error when the shortfall is large, else a warning.

    A cut file whose index sits at the start (``faststart``) decodes without an error but stops early;
    a valid phone video with an edit list announces a few frames that are never shown. Decoder errors
    are raised while decoding; here only the count is judged (see the module doc).
    """
    if not applies or not info.n_frames or decoded >= info.n_frames:
        return
    missing = info.n_frames - decoded
    seconds = missing / info.fps
    if missing > TRUNCATION_SHARE * info.n_frames and seconds > TRUNCATION_SECONDS:
        raise DataError(f"truncated video: decoded {decoded} of {info.n_frames} frames announced by the header "
                        f"({missing} frames, {seconds:.1f} s missing)", path=path)
    log.warning("%s: decoded %d of the %d frames the header announces (%d missing, %.2f s; an edit list or "
                "an approximate header); keeping the decoded frames", path, decoded, info.n_frames, missing,
                seconds)
