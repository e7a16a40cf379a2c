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
    "signfuse.models",
    "signfuse.train",
    "signfuse.cli",
)


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

    import numpy

    print(f"numpy {numpy.__version__}, python {sys.version.split()[0]}")
    for line in failed:
        print(f"FAIL: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
