"""Geometric AUs against MediaPipe FaceLandmarker's blendshapes on real faces (needs the shared model)."""

import numpy as np
import pytest

pytest.importorskip("mediapipe", reason="needs the [vision] extra (mediapipe)")

from signfuse.errors import ParameterError  # noqa: E402
from signfuse.face import AU_NAMES  # noqa: E402
from signfuse.face.blendshapes import BLENDSHAPE_TO_AU, blendshape_aus, run_face_landmarker  # noqa: E402
from signfuse.streams import Stream  # noqa: E402

from .expressions import correlation_table  # noqa: E402


def test_table_covers_every_au():
    assert set(BLENDSHAPE_TO_AU) == set(AU_NAMES)


def test_mapping_known_values():
    names = ("jawOpen", "mouthClose", "browInnerUp")
    full = {n: 0.0 for n in {b.lstrip("-") for v in BLENDSHAPE_TO_AU.values() for b in v}}
    full.update(dict(zip(names, (0.6, 0.2, 0.3))))
    s = Stream("blendshapes", np.array([list(full.values())]), tuple(full), 30.0)
    au = blendshape_aus(s)
    assert au.column("bs_AU25")[0] == pytest.approx(0.4)
    assert au.column("bs_AU26")[0] == pytest.approx(0.6)
    assert au.column("bs_AU01")[0] == pytest.approx(0.3)


def test_missing_model_file(tmp_path):
    with pytest.raises(ParameterError, match="face_landmarker"):
        run_face_landmarker([np.zeros((8, 8, 3), np.uint8)], model=tmp_path / "none.task", fps=1.0)


@pytest.mark.slow
def test_geometric_aus_correlate_with_blendshapes(shared_models):
    t = correlation_table(shared_models / "face_landmarker.task")
    assert t["n_images"] >= 26
    r = {au: v["r"] for au, v in t["per_au"].items()}
    # the AUs these real faces exercise (smile vs no smile, warped brow raises and jaw drops)
    assert r["AU12"] > 0.9
    assert r["AU01"] > 0.6 and r["AU02"] > 0.6
    assert r["AU26"] > 0.5
