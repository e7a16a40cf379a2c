"""Private test helper: MediaPipe's face mesh on an RGB image -> LandmarkSequence (FACE 478, pixels).

Stands in for ``signfuse.vision.extract`` so these tests do not depend on the vision area's progress.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from signfuse.sequence import Component, LandmarkSequence
from signfuse.topology import FACE_POINTS_478


@lru_cache(maxsize=1)
def _face_mesh():
    import mediapipe as mp

    return mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True, max_num_faces=1, refine_landmarks=True, min_detection_confidence=0.5
    )


def mesh_points(img: np.ndarray) -> np.ndarray | None:
    """``(478, 3)`` pixel coordinates (z scaled by the width) or None when no face is found."""
    img = np.ascontiguousarray(img[:, :, :3])
    h, w = img.shape[:2]
    res = _face_mesh().process(img)
    if not res.multi_face_landmarks:
        return None
    lm = res.multi_face_landmarks[0].landmark
    return np.array([[p.x * w, p.y * h, p.z * w] for p in lm], dtype=np.float32)


def mesh_sequence(images: list[np.ndarray], *, fps: float = 30.0) -> LandmarkSequence:
    """One frame per image; a frame without a face gets confidence 0."""
    pts = np.zeros((len(images), 1, 478, 3), np.float32)
    conf = np.zeros((len(images), 1, 478), np.float32)
    for i, img in enumerate(images):
        p = mesh_points(img)
        if p is not None:
            pts[i, 0], conf[i, 0] = p, 1.0
    h, w = images[0].shape[:2]
    return LandmarkSequence((Component("FACE", FACE_POINTS_478),), pts, conf, fps=fps, width=w, height=h)


def real_photos() -> dict[str, np.ndarray]:
    import matplotlib.cbook as cbook
    from skimage.data import astronaut
    from skimage.io import imread

    return {
        "astronaut": astronaut(),
        "grace_hopper": imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))[:, :, :3],
    }


def rotate(img: np.ndarray, angle: float) -> np.ndarray:
    """Rotate counter-clockwise by ``angle`` degrees about the centre, keeping the size (edge padded)."""
    from skimage.transform import rotate as _rotate

    return (_rotate(img, angle, mode="edge", preserve_range=True)).astype(np.uint8)
