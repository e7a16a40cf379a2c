"""MediaPipe Holistic (``mediapipe.solutions.holistic``) turned into numpy arrays.

Only ``model_complexity=1`` is supported: it is the pose model bundled in the ``mediapipe==0.10.21``
wheel (``pose_landmark_full.tflite``). Complexity 0 (lite) and 2 (heavy) are *not* bundled and MediaPipe
would download them from the network at run time, which signfuse never does.

Output layout and coordinates
-----------------------------
One frame gives ``(points, 3)`` coordinates and ``(points,)`` confidences, components in this order:
``POSE`` 33, ``FACE`` 468 (478 with ``refine_face``), ``LEFT_HAND`` 21, ``RIGHT_HAND`` 21,
``POSE_WORLD`` 33. The convention is pose-format's ``load_holistic`` (so files written by
``signfuse extract`` match files made with pose-format's ``video_to_pose``):

* image components (POSE, FACE, hands): ``x * width``, ``y * height`` in pixels of the *original* image
  (before any ``max_side`` downscaling), ``z`` as MediaPipe gives it (relative depth, roughly the scale
  of normalized x; multiply by ``width`` for pixel-comparable depth);
* ``POSE_WORLD``: MediaPipe's metric world landmarks with x and y multiplied by ``width`` and
  ``height`` and z unchanged, exactly as pose-format stores them (divide x by ``width`` and y by
  ``height`` to get metres, origin at the hip centre);
* confidence: MediaPipe's ``visibility`` for POSE and POSE_WORLD, 1 for every point of a found face or
  hand, 0 (with coordinates 0) for every point of a part that was not found.

"Left" and "right" hands are the signer's own, as MediaPipe Holistic reports them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from functools import lru_cache

import numpy as np

from ..errors import DependencyError, ParameterError
from ..sequence import Component
from ..topology import (
    FACE,
    FACE_POINTS_468,
    FACE_POINTS_478,
    HAND_EDGES,
    HAND_POINTS,
    LEFT_HAND,
    POSE,
    POSE_EDGES,
    POSE_POINTS,
    POSE_WORLD,
    RIGHT_HAND,
)

__all__ = ["SUPPORTED_MODEL_COMPLEXITY", "check_model_complexity", "holistic_components", "n_points",
           "HolisticRunner", "results_to_arrays"]

log = logging.getLogger(__name__)

SUPPORTED_MODEL_COMPLEXITY = 1


def check_model_complexity(model_complexity: int) -> None:
    """Raise :class:`ParameterError` unless ``model_complexity`` is 1 (the bundled model)."""
    if model_complexity == SUPPORTED_MODEL_COMPLEXITY and not isinstance(model_complexity, bool):
        return
    if model_complexity in (0, 2):
        which = "lite" if model_complexity == 0 else "heavy"
        raise ParameterError(
            f"model_complexity={model_complexity} is not supported: the {which} pose model "
            f"(pose_landmark_{which}.tflite) is not bundled with mediapipe==0.10.21 and MediaPipe would "
            "download it from the internet at run time, which signfuse never does; use model_complexity=1 "
            "(the bundled pose_landmark_full model)")
    raise ParameterError(f"model_complexity={model_complexity!r} must be 1 (the only bundled Holistic pose model)")


def n_points(refine_face: bool) -> int:
    return 33 + (478 if refine_face else 468) + 21 + 21 + 33


@lru_cache(maxsize=2)
def _face_edges(refine_face: bool) -> tuple[tuple[int, int], ...]:
    try:
        from mediapipe.python.solutions import face_mesh_connections as fmc
    except ImportError:  # edges are only for drawing; without MediaPipe the mesh has none
        return ()
    edges = {tuple(sorted((int(a), int(b)))) for a, b in fmc.FACEMESH_TESSELATION}
    if refine_face:
        edges |= {tuple(sorted((int(a), int(b)))) for a, b in fmc.FACEMESH_IRISES}
    return tuple(sorted(edges))


def holistic_components(*, refine_face: bool = False) -> tuple[Component, ...]:
    """The five components of a Holistic sequence, in storage order."""
    return (
        Component(POSE, POSE_POINTS, POSE_EDGES),
        Component(FACE, FACE_POINTS_478 if refine_face else FACE_POINTS_468, _face_edges(bool(refine_face))),
        Component(LEFT_HAND, HAND_POINTS, HAND_EDGES),
        Component(RIGHT_HAND, HAND_POINTS, HAND_EDGES),
        Component(POSE_WORLD, POSE_POINTS, POSE_EDGES),
    )


def _landmarks(lms, n: int, *, visibility: bool) -> tuple[np.ndarray, np.ndarray]:
    if lms is None:
        return np.zeros((n, 3), np.float32), np.zeros(n, np.float32)
    pts = lms.landmark
    if visibility:
        a = np.array([(p.x, p.y, p.z, p.visibility) for p in pts], dtype=np.float32)
        return a[:, :3], a[:, 3]
    a = np.array([(p.x, p.y, p.z) for p in pts], dtype=np.float32)
    return a, np.ones(len(a), np.float32)


def results_to_arrays(results, *, width: int, height: int, refine_face: bool) -> tuple[np.ndarray, np.ndarray]:
    """Convert one Holistic result to ``(data (points, 3), confidence (points,))`` (see module doc)."""
    n_face = 478 if refine_face else 468
    parts = [
        _landmarks(results.pose_landmarks, 33, visibility=True),
        _landmarks(results.face_landmarks, n_face, visibility=False),
        _landmarks(results.left_hand_landmarks, 21, visibility=False),
        _landmarks(results.right_hand_landmarks, 21, visibility=False),
        _landmarks(results.pose_world_landmarks, 33, visibility=True),
    ]
    fd, fc = parts[1]
    if fd.shape[0] != n_face:  # refine_face=False never yields iris points, but guard the layout anyway
        fd2, fc2 = np.zeros((n_face, 3), np.float32), np.zeros(n_face, np.float32)
        k = min(n_face, fd.shape[0])
        fd2[:k], fc2[:k] = fd[:k], fc[:k]
        parts[1] = (fd2, fc2)
    data = np.concatenate([p[0] for p in parts])
    conf = np.concatenate([p[1] for p in parts])
    data[:, 0] *= width
    data[:, 1] *= height
    data[conf <= 0] = 0.0
    return data, np.clip(conf, 0.0, 1.0)


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Send the process's file descriptor 2 to /dev/null for a moment.

    MediaPipe's C++ code logs a dozen absl warnings while a graph starts and runs its first frame
    ("Feedback manager requires a model with a single signature ...", "Using NORM_RECT without
    IMAGE_DIMENSIONS ..."); they are not about the user's data and bury the CLI's output. Python-level
    errors are raised as exceptions, not printed, so nothing of ours is lost. Set
    ``SIGNFUSE_MEDIAPIPE_LOGS=1`` to see MediaPipe's logs.
    """
    if os.environ.get("SIGNFUSE_MEDIAPIPE_LOGS"):
        yield
        return
    try:
        sys.stderr.flush()
        saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError, AttributeError):     # no usable fd 2: nothing to silence
        yield
        return
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


class HolisticRunner:
    """A MediaPipe Holistic graph with signfuse's settings; use as a context manager.

    Parameters
    ----------
    static_image_mode:
        ``True`` for unrelated images (detection on every frame), ``False`` for video (tracking).
    refine_face:
        Also predict the 10 iris points (FACE has 478 points).
    model_complexity:
        Must be 1 (see :func:`check_model_complexity`).
    """

    def __init__(self, *, static_image_mode: bool, refine_face: bool = False, model_complexity: int = 1,
                 min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5) -> None:
        check_model_complexity(model_complexity)
        for name, v in (("min_detection_confidence", min_detection_confidence),
                        ("min_tracking_confidence", min_tracking_confidence)):
            if not 0.0 <= float(v) <= 1.0:
                raise ParameterError(f"{name}={v!r} must be between 0 and 1")
        try:
            from mediapipe.python.solutions import holistic as mp_holistic
        except ImportError as e:  # mediapipe belongs to the [vision] extra
            raise DependencyError("mediapipe==0.10.21", extra="vision", purpose="landmark extraction") from e
        self.refine_face = bool(refine_face)
        self.static_image_mode = bool(static_image_mode)
        with _native_stderr_silenced():
            self._graph = mp_holistic.Holistic(
                static_image_mode=self.static_image_mode, model_complexity=SUPPORTED_MODEL_COMPLEXITY,
                smooth_landmarks=True, enable_segmentation=False, refine_face_landmarks=self.refine_face,
                min_detection_confidence=float(min_detection_confidence),
                min_tracking_confidence=float(min_tracking_confidence))
        self._frames = 0

    def process(self, image: np.ndarray, *, width: int | None = None,
                height: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Landmarks of one RGB uint8 image ``(H, W, 3)``.

        ``width``/``height`` are the pixel size the coordinates are expressed in (default: the image's
        own size; pass the original size when ``image`` was downscaled).
        """
        if self._graph is None:
            raise ParameterError("this HolisticRunner is closed")
        h, w = image.shape[:2]
        if self._frames < 2:          # the graph's start-up warnings come with its first frames
            with _native_stderr_silenced():
                results = self._graph.process(image)
        else:
            results = self._graph.process(image)
        self._frames += 1
        return results_to_arrays(results, width=w if width is None else width,
                                 height=h if height is None else height, refine_face=self.refine_face)

    def close(self) -> None:
        if self._graph is not None:
            self._graph.close()
            self._graph = None

    def __enter__(self) -> HolisticRunner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
