"""Optional AU estimates from MediaPipe FaceLandmarker's 52 blendshapes (Tasks API).

``--blendshapes MODEL.task`` runs Google's FaceLandmarker bundle (face detector + 478-point mesh +
blendshape model) on the frames of a video or image. Nothing is downloaded: the caller gives the path of
a ``face_landmarker.task`` file. The blendshapes (ARKit-style names, scores 0..1) are mapped to the
geometric AUs with this table (``L``/``R`` pairs are averaged):

=====  ===================================================  ==========================================
AU     blendshapes                                          note
=====  ===================================================  ==========================================
AU01   browInnerUp
AU02   browOuterUpLeft, browOuterUpRight
AU04   browDownLeft, browDownRight
AU05   eyeWideLeft, eyeWideRight
AU06   cheekSquintLeft, cheekSquintRight
AU07   eyeSquintLeft, eyeSquintRight
AU09   noseSneerLeft, noseSneerRight
AU10   mouthUpperUpLeft, mouthUpperUpRight
AU12   mouthSmileLeft, mouthSmileRight
AU15   mouthFrownLeft, mouthFrownRight
AU17   mouthShrugLower
AU20   mouthStretchLeft, mouthStretchRight
AU23   mouthPressLeft, mouthPressRight                      closest shape; ARKit has no lip tightener
AU25   jawOpen - mouthClose (clipped at 0)                  lips apart = jaw open without lips closed
AU26   jawOpen
AU45   eyeBlinkLeft, eyeBlinkRight
=====  ===================================================  ==========================================

The blendshape scores are on their own 0..1 scale, so compare them with the geometric AUs by
correlation, not by value.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..errors import DataError, DependencyError, ParameterError
from ..io.media import IMAGE_EXTENSIONS
from ..sequence import Component, LandmarkSequence
from ..streams import Stream
from ..topology import FACE_POINTS_478
from ..validators import check_rate

__all__ = ["BLENDSHAPE_TO_AU", "run_face_landmarker", "blendshape_aus", "read_frames"]

log = logging.getLogger(__name__)

BLENDSHAPE_TO_AU: dict[str, tuple[str, ...]] = {
    "AU01": ("browInnerUp",),
    "AU02": ("browOuterUpLeft", "browOuterUpRight"),
    "AU04": ("browDownLeft", "browDownRight"),
    "AU05": ("eyeWideLeft", "eyeWideRight"),
    "AU06": ("cheekSquintLeft", "cheekSquintRight"),
    "AU07": ("eyeSquintLeft", "eyeSquintRight"),
    "AU09": ("noseSneerLeft", "noseSneerRight"),
    "AU10": ("mouthUpperUpLeft", "mouthUpperUpRight"),
    "AU12": ("mouthSmileLeft", "mouthSmileRight"),
    "AU15": ("mouthFrownLeft", "mouthFrownRight"),
    "AU17": ("mouthShrugLower",),
    "AU20": ("mouthStretchLeft", "mouthStretchRight"),
    "AU23": ("mouthPressLeft", "mouthPressRight"),
    "AU25": ("jawOpen", "-mouthClose"),
    "AU26": ("jawOpen",),
    "AU45": ("eyeBlinkLeft", "eyeBlinkRight"),
}


def run_face_landmarker(frames: Iterable[np.ndarray], *, model: str | Path, fps: float,
                        video: bool = True) -> tuple[LandmarkSequence, Stream]:
    """Run FaceLandmarker on RGB uint8 frames ``(H, W, 3)``.

    Returns the 478-point face mesh (pixels; z times the width, MediaPipe's convention) as a
    :class:`LandmarkSequence` and the 52 blendshape scores as a Stream ``"blendshapes"`` (NaN and
    masked out where no face was found). ``video=True`` uses tracking (frames of one video);
    ``video=False`` treats every frame as an independent image.
    """
    model = Path(model)
    if not model.is_file():
        raise ParameterError(f"blendshapes model {str(model)!r} is not a file (a MediaPipe face_landmarker.task)")
    fps = check_rate(fps)
    try:
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions
        from mediapipe.tasks.python import vision as mpv
    except ImportError as e:  # mediapipe belongs to the [vision] extra
        raise DependencyError("mediapipe", extra="vision", purpose="blendshapes") from e
    mode = mpv.RunningMode.VIDEO if video else mpv.RunningMode.IMAGE
    opts = mpv.FaceLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(model)), running_mode=mode,
                                     output_face_blendshapes=True, num_faces=1)
    pts, confs, scores = [], [], []
    names: list[str] | None = None
    size = None
    try:
        landmarker = mpv.FaceLandmarker.create_from_options(opts)
    except Exception as e:  # MediaPipe raises RuntimeError/ValueError for bad bundles
        raise DataError(f"cannot load FaceLandmarker model: {e}", path=model) from e
    with landmarker:
        for i, frame in enumerate(frames):
            frame = np.ascontiguousarray(frame[..., :3], dtype=np.uint8)
            h, w = frame.shape[:2]
            size = size or (w, h)
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=frame)
            res = landmarker.detect_for_video(image, int(round(i * 1000 / fps))) if video else landmarker.detect(image)
            if res.face_landmarks:
                lm = res.face_landmarks[0]
                pts.append(np.array([[p.x * w, p.y * h, p.z * w] for p in lm], np.float32))
                confs.append(np.ones(len(lm), np.float32))
                cats = res.face_blendshapes[0]
                names = names or [c.category_name for c in cats]
                scores.append(np.array([c.score for c in cats], np.float32))
            else:
                pts.append(np.zeros((478, 3), np.float32))
                confs.append(np.zeros(478, np.float32))
                scores.append(None)
    if not pts:
        raise DataError("no frames to run FaceLandmarker on")
    names = names or [f"blendshape_{k:02d}" for k in range(52)]
    bs = np.stack([s if s is not None else np.full(len(names), np.nan, np.float32) for s in scores])
    seq = LandmarkSequence((Component("FACE", FACE_POINTS_478),), np.stack(pts)[:, None], np.stack(confs)[:, None],
                           fps=fps, width=size[0], height=size[1])
    return seq, Stream("blendshapes", bs, tuple(names), fps, mask=np.isfinite(bs).all(axis=1))


def blendshape_aus(blend: Stream) -> Stream:
    """Map a ``"blendshapes"`` Stream to AU columns (``bs_AU01`` ...) with :data:`BLENDSHAPE_TO_AU`."""
    cols, names = [], []
    for au, shapes in BLENDSHAPE_TO_AU.items():
        pos = [blend.column(s) for s in shapes if not s.startswith("-")]
        neg = [blend.column(s[1:]) for s in shapes if s.startswith("-")]
        v = np.mean(pos, axis=0)
        if neg:
            v = np.clip(v - np.mean(neg, axis=0), 0.0, None)
        cols.append(v)
        names.append(f"bs_{au}")
    return Stream("au_blendshapes", np.stack(cols, axis=1), tuple(names), blend.fps, times=blend.times,
                  mask=blend.mask)


def read_frames(path: str | Path) -> tuple[list[np.ndarray], float, bool]:
    """Decode an image (one frame) or a video (PyAV) into RGB frames: ``(frames, fps, is_video)``.

    For images ``fps`` is 1.0 (one still frame has no rate; it is only the Stream's nominal rate).
    """
    path = Path(path)
    if path.suffix.lower() in IMAGE_EXTENSIONS:
        from skimage.io import imread

        try:
            img = imread(path)
        except Exception as e:
            raise DataError(f"not a readable image ({e})", path=path) from e
        if img.ndim == 2:
            img = np.repeat(img[:, :, None], 3, axis=2)
        return [img[:, :, :3].astype(np.uint8)], 1.0, False
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            fps = float(stream.average_rate or stream.guessed_rate or 0) or None
            frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    except (av.FFmpegError, IndexError) as e:
        raise DataError(f"cannot decode video ({e})", path=path) from e
    if not frames:
        raise DataError("the video has no frames", path=path)
    if fps is None:
        raise DataError("the video does not state its frame rate", path=path)
    return frames, fps, True
