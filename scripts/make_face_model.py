"""One-off: build ``src/signfuse/assets/face_model_3d.npy``, the 3-D face model used for head pose (PnP).

MediaPipe 0.10.21's wheel does not ship ``canonical_face_model.obj`` (it lives only inside the
FaceLandmarker ``.task`` bundles, which are not part of the package), so the model is built from the
mesh, from what is installed and offline:

1. MediaPipe's legacy face mesh (static image mode) on two real photographs, scikit-image's
   ``astronaut()`` and matplotlib's ``grace_hopper.jpg``; each gives 468 points (x, y in pixels,
   z = MediaPipe's relative depth times the image width, i.e. on the same scale as x).
2. Each mesh is scaled so the outer eye corners (33, 263) are 1 apart; the second is aligned to the
   first (similarity Procrustes on all points) and the two are averaged.
3. The average is made exactly left-right symmetric: the mirror partner of every point is found
   (nearest neighbour of the mirrored mesh, checked to be an involution), the symmetry plane is fitted,
   and each point is averaged with its mirrored partner.
4. Axes: x along the symmetry-plane normal toward the signer's left (image +x for a frontal face),
   y the image's "down" as the two photographs saw the faces, made orthogonal to x (so pitch 0 is
   the head held as in these two upright portrait photos, looking into the camera), z = x cross y
   (away from the camera).
   Origin: the mean of the points; units: outer-eye-corner distance = 1.

The saved array is ``(468, 3)`` float32. The mirror pairs are saved next to it as
``face_mirror_468.npy`` (``(468,)`` int16: index of each point's mirror partner).

Run:  .venv/bin/python scripts/make_face_model.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

ASSETS = Path(__file__).resolve().parents[1] / "src" / "signfuse" / "assets"


def _mesh(img: np.ndarray) -> np.ndarray:
    import mediapipe as mp

    h, w = img.shape[:2]
    with mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True, max_num_faces=1, refine_landmarks=False, min_detection_confidence=0.5
    ) as fm:
        res = fm.process(np.ascontiguousarray(img[:, :, :3]))
    if not res.multi_face_landmarks:
        raise SystemExit("MediaPipe found no face")
    lm = res.multi_face_landmarks[0].landmark
    pts = np.array([[p.x * w, p.y * h, p.z * w] for p in lm[:468]], dtype=np.float64)
    pts -= pts.mean(axis=0)
    return pts / np.linalg.norm(pts[33] - pts[263])


def _procrustes(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Similarity-align ``src`` onto ``dst`` (both (N, 3), centred)."""
    u, s, vt = np.linalg.svd(src.T @ dst)
    d = np.sign(np.linalg.det(u @ vt))
    D = np.diag([1.0, 1.0, d])
    R = u @ D @ vt
    scale = np.trace(np.diag(s) @ D) / np.sum(src**2)
    return scale * src @ R


def _mirror_pairs(p: np.ndarray) -> np.ndarray:
    from scipy.spatial import cKDTree

    q = p - p.mean(axis=0)
    # initial symmetry-plane normal: the eye-corner direction
    n = q[263] - q[33]
    n /= np.linalg.norm(n)
    for _ in range(10):
        m = q - 2 * np.outer(q @ n, n)  # mirror through the plane x.n = 0
        _, pair = cKDTree(q).query(m)
        # refit the plane normal from matched pairs: q_i - q_pair(i) is along n
        d = q - q[pair]
        d = d[np.linalg.norm(d, axis=1) > 1e-3]
        d *= np.sign(d @ n)[:, None]
        n = d.mean(axis=0)
        n /= np.linalg.norm(n)
        # the plane passes through the centroid of the matched midpoints
        q = q - ((0.5 * (q + q[pair])).mean(axis=0) @ n) * n
    if not np.array_equal(pair[pair], np.arange(len(p))):
        bad = np.flatnonzero(pair[pair] != np.arange(len(p)))
        raise SystemExit(f"mirror matching is not one-to-one for points {bad.tolist()}")
    return pair


def main() -> None:
    import matplotlib.cbook as cbook
    from skimage.data import astronaut
    from skimage.io import imread

    a = _mesh(astronaut())
    g = _mesh(imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)))
    avg = 0.5 * (a + _procrustes(g, a))
    pair = _mirror_pairs(avg)
    # symmetry plane normal from pairs, then symmetrize
    q = avg - avg.mean(axis=0)
    d = q - q[pair]
    keep = np.linalg.norm(d, axis=1) > 1e-3
    d = d[keep] * np.sign(d[keep] @ (q[263] - q[33]))[:, None]
    nx = d.mean(axis=0)
    nx /= np.linalg.norm(nx)
    mirror = q[pair] - 2 * np.outer(q[pair] @ nx, nx)
    sym = 0.5 * (q + mirror)
    # canonical axes
    up = np.array([0.0, 1.0, 0.0])  # image "down" as the photos saw the face
    ny = up - (up @ nx) * nx
    ny /= np.linalg.norm(ny)
    nz = np.cross(nx, ny)
    R = np.stack([nx, ny, nz])  # rows: new axes
    model = sym @ R.T
    model -= model.mean(axis=0)
    model /= np.linalg.norm(model[263] - model[33])
    # exact symmetry after the rotation
    model[:, 0] = 0.5 * (model[:, 0] - model[pair, 0])
    model[:, 1:] = 0.5 * (model[:, 1:] + model[pair, 1:])
    ASSETS.mkdir(parents=True, exist_ok=True)
    for name, arr in (("face_model_3d.npy", model.astype(np.float32)), ("face_mirror_468.npy", pair.astype(np.int16))):
        out = ASSETS / name
        tmp = out.with_name(out.stem + ".tmp.npy")
        np.save(tmp, arr)
        tmp.replace(out)
        print(f"wrote {out} {arr.shape}")
    print(
        "nose tip",
        model[1],
        "left eye outer (263)",
        model[263],
        "self-paired points",
        int(np.sum(pair == np.arange(468))),
    )


if __name__ == "__main__":
    main()
