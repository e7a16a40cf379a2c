"""Real photographs with small synthetic expression changes, for comparing geometric and blendshape AUs.

The changes are smooth image warps around the landmarks of the face (found by MediaPipe's face mesh):
``brow``: the brows (and the skin around them) slide up by ``amount`` eye-corner distances;
``jaw``: everything below the lips' midline slides down (the jaw drops, the lips part).
Together with in-plane rotations and mirror images they make a small, varied set of real faces.
"""

from __future__ import annotations

import numpy as np

from .meshing import mesh_points, real_photos, rotate


def warp_expression(img: np.ndarray, *, brow: float = 0.0, jaw: float = 0.0) -> np.ndarray:
    from skimage.transform import warp

    p = mesh_points(img)
    if p is None:
        raise ValueError("no face in the image")
    iod = float(np.linalg.norm(p[263, :2] - p[33, :2]))
    cx = float(p[:468, 0].mean())
    hw = float(p[:468, 0].max() - p[:468, 0].min()) / 2
    brow_y = float(p[[105, 334, 66, 296, 70, 300], 1].mean())
    mouth_y = float(p[[13, 14], 1].mean())
    chin_y = float(p[152, 1])

    def _inv(rc: np.ndarray) -> np.ndarray:
        c, r = rc[:, 0], rc[:, 1]
        across = np.clip(1 - ((c - cx) / (1.1 * hw)) ** 2, 0, None)
        out = rc.copy()
        if brow:
            bump = np.exp(-0.5 * ((r - brow_y + 0.5 * brow * iod) / (0.35 * iod)) ** 2)
            out[:, 1] += brow * iod * bump * across  # sample below: content moves up
        if jaw:
            below = np.clip((r - mouth_y) / (0.08 * iod), 0, 1) * np.clip((chin_y + 0.8 * iod - r) / (0.5 * iod), 0, 1)
            out[:, 1] -= jaw * iod * below * np.clip(1 - ((c - cx) / (1.3 * hw)) ** 2, 0, None)
        return out

    return warp(img, _inv, preserve_range=True, mode="edge").astype(np.uint8)


def expression_set() -> list[tuple[str, np.ndarray]]:
    """``[(label, RGB image)]``: two photos x (as is, brow raises, jaw drops, rotations) x (as is, mirrored)."""
    out = []
    for name, img in real_photos().items():
        variants = [("orig", img)]
        variants += [(f"brow{a:+.2f}", warp_expression(img, brow=a)) for a in (0.08, 0.16)]
        variants += [(f"jaw{a:+.2f}", warp_expression(img, jaw=a)) for a in (0.1, 0.2)]
        variants += [(f"rot{a:+d}", rotate(img, a)) for a in (-20, 20)]
        for label, v in variants:
            out.append((f"{name}/{label}", v))
            out.append((f"{name}/{label}/mirror", np.ascontiguousarray(v[:, ::-1])))
    return out


def correlation_table(model_path) -> dict:
    """Run FaceLandmarker on :func:`expression_set`; correlate geometric AUs with blendshape AUs."""
    from signfuse.face import features
    from signfuse.face.blendshapes import blendshape_aus, run_face_landmarker

    items = expression_set()
    seq, blend = run_face_landmarker([im for _, im in items], model=model_path, fps=1.0, video=False)
    geo = features(seq)
    bs = blendshape_aus(blend)
    ok = geo.mask & bs.mask
    rows = {}
    for au in [n for n in geo.names if n.startswith("AU")]:
        g, b = geo.column(au)[ok].astype(float), bs.column(f"bs_{au}")[ok].astype(float)
        r = float(np.corrcoef(g, b)[0, 1]) if g.std() > 1e-6 and b.std() > 1e-6 else float("nan")
        rows[au] = {"r": r, "geo_sd": float(g.std()), "bs_sd": float(b.std())}
    return {"n_images": int(ok.sum()), "labels": [lab for lab, _ in items], "per_au": rows, "geo": geo, "bs": bs}
