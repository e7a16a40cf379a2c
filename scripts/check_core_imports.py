"""Run inside a core install (no extras): the library imports, and the heavy extras stay out.

Used by scripts/check_core_install.sh. Exits non-zero when a module fails to import, when an extra's
package is installed although nothing asked for it, or when a feature that needs an extra fails with
anything but errors.DependencyError naming that extra.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

# The extras' packages (pyproject.toml [project.optional-dependencies]); none may come with the core.
HEAVY = ("mediapipe", "fastapi", "uvicorn", "starlette", "ray", "onnxruntime", "onnx", "onnxscript")
# What the core install promises: formats, features, training, inference.
CORE = (
    "signfuse",
    "signfuse.io",
    "signfuse.datasets",
    "signfuse.preprocess",
    "signfuse.vision",
    "signfuse.face",
    "signfuse.hands",
    "signfuse.audio",
    "signfuse.motion",
    "signfuse.crossmodal",
    "signfuse.samples",
    "signfuse.models",
    "signfuse.train",
    "signfuse.inference",
    "signfuse.viz",
    "signfuse.demo",
    "signfuse.cli",
)


def _exercise() -> None:
    import tempfile
    from pathlib import Path

    import numpy as np
    import torch

    from signfuse import audio, face, io, motion
    from signfuse.models import create_model
    from signfuse.testing.audio import tone
    from signfuse.testing.motion import holistic_sequence

    seq = holistic_sequence(fps=30.0, n_frames=20)
    with tempfile.TemporaryDirectory() as d:
        for ext in ("pose", "parquet", "npz"):
            back = io.read(io.write(seq, Path(d) / f"s.{ext}"), fps=30.0 if ext == "parquet" else None)
            if back.n_frames != seq.n_frames:
                raise RuntimeError(f".{ext}: {back.n_frames} frames read back, {seq.n_frames} written")
    motion.features(seq)
    face.features(seq)
    feats = audio.features(tone(220.0, sr=16000, duration=0.5), sr=16000)
    if not np.isfinite(feats.values).all():
        raise RuntimeError("audio features of a tone are not finite")
    model = create_model("lstm", in_dims={"hands": 6}, num_classes=3, dim=8)
    out = model({"hands": torch.randn(2, 5, 6)})["logits"]
    out.sum().backward()


def main() -> int:
    failed = []
    installed = [m for m in HEAVY if importlib.util.find_spec(m) is not None]
    if installed:
        failed.append(f"the core install brought extras' packages: {installed}")
    for name in CORE:
        try:
            importlib.import_module(name)
        except Exception as e:  # report every failure, not just the first
            failed.append(f"import {name}: {type(e).__name__}: {e}")
        else:
            print(f"ok: import {name}")
    loaded = sorted(m for m in HEAVY if m in sys.modules)
    print(f"heavy modules imported: {loaded or 'none'}")
    if loaded:
        failed.append(f"heavy modules were imported: {loaded}")

    # A feature that needs an extra says which one.
    from signfuse.errors import DependencyError

    try:
        from signfuse.vision.holistic import HolisticRunner

        HolisticRunner(static_image_mode=True)
    except DependencyError as e:
        if "signfuse[vision]" not in str(e):
            failed.append(f"landmark extraction without mediapipe: the hint does not name [vision]: {e}")
        else:
            print(f"ok: without mediapipe: {e}")
    except Exception as e:
        failed.append(f"landmark extraction without mediapipe: {type(e).__name__}: {e} (expected DependencyError)")
    else:
        failed.append("landmark extraction ran without mediapipe?")

    # The core paths run (not only import) on whatever numpy the core install brought (numpy 2 in CI).
    try:
        _exercise()
    except Exception as e:
        failed.append(f"core round trip: {type(e).__name__}: {e}")
    else:
        print("ok: .pose / parquet / npz round trips, motion, face and audio features, a model step")

    import numpy

    print(f"numpy {numpy.__version__}, python {sys.version.split()[0]}")
    for line in failed:
        print(f"FAIL: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
