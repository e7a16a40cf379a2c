"""One-off: build ``src/signfuse/assets/face_mesh.npz`` from MediaPipe run on scikit-image's astronaut.

The synthetic corpus needs a realistic 468-point face in MediaPipe's topology. Nothing may be
downloaded, so we take it from what is installed: MediaPipe 0.10.21's bundled face mesh (legacy
``mp.solutions.face_mesh``, static image mode), run once on ``skimage.data.astronaut()``.

The stored points are centred on the mean of the mesh and scaled so that the distance between the outer
eye corners (points 33 and 263) is 1; x to the image right, y down, z MediaPipe's relative depth on the
same scale. The mesh's contour and tesselation edges come from ``mp.solutions.face_mesh_connections``.
The runtime code only reads this file (no MediaPipe import).

Run:  .venv/bin/python scripts/make_face_asset.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def main() -> None:
    import mediapipe as mp
    from skimage.data import astronaut

    img = astronaut()  # (512, 512, 3) RGB uint8
    h, w = img.shape[:2]
    with mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True, max_num_faces=1, refine_landmarks=False, min_detection_confidence=0.5
    ) as fm:
        res = fm.process(img)
    if not res.multi_face_landmarks:
        raise SystemExit("MediaPipe found no face in astronaut()")
    lm = res.multi_face_landmarks[0].landmark
    pts = np.array([[p.x * w, p.y * h, p.z * w] for p in lm[:468]], dtype=np.float64)  # pixels
    pts -= pts.mean(axis=0)
    iod = np.linalg.norm(pts[33, :2] - pts[263, :2])
    pts /= iod
    conn = mp.solutions.face_mesh_connections

    def edges(s):
        return np.array(sorted(tuple(sorted(e)) for e in s), dtype=np.int16)

    out = Path(__file__).resolve().parents[1] / "src" / "signfuse" / "assets" / "face_mesh.npz"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.stem + ".tmp.npz")
    np.savez_compressed(
        tmp,
        points=pts.astype(np.float32),
        tesselation=edges(conn.FACEMESH_TESSELATION),
        contours=edges(conn.FACEMESH_CONTOURS),
        source=np.array(
            json.dumps(
                {
                    "image": "skimage.data.astronaut()",
                    "size": [w, h],
                    "mediapipe": mp.__version__,
                    "units": "outer-eye-corner distance 33-263 = 1",
                    "axes": "x right, y down, z depth (MediaPipe relative)",
                }
            )
        ),
    )
    tmp.replace(out)
    print(f"wrote {out} ({pts.shape[0]} points)")


if __name__ == "__main__":
    main()
