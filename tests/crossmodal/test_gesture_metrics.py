import numpy as np
import pytest

from signfuse import ParameterError
from signfuse.crossmodal.gesture_metrics import (
    envelope_corr,
    frechet_distance,
    hellinger,
    keypoint_l1,
    kinematic_gaps,
    kinematics,
    pck,
    speed_hellinger,
)


def test_l1_and_pck_known(rng):
    true = rng.normal(size=(20, 5, 2))
    assert keypoint_l1(true, true) == 0.0
    assert keypoint_l1(true + 0.5, true) == pytest.approx(0.5)
    # every joint off by exactly 1 unit, scale 10: inside at alpha 0.1 and 0.2, outside at 0.05
    shifted = true.copy()
    shifted[..., 0] += 1.0
    assert pck(shifted, true, alpha=0.1, scale=10.0) == 1.0
    assert pck(shifted, true, alpha=0.05, scale=10.0) == 0.0
    half = shifted.copy()
    half[:, :2, 0] += 5.0  # 2 of 5 joints far away
    assert pck(half, true, alpha=0.2, scale=10.0) == pytest.approx(3 / 5)
    with pytest.raises(ParameterError, match="alpha"):
        pck(true, true, alpha=0)


def test_kinematics_of_analytic_motion():
    fps = 50.0
    t = np.arange(200) / fps
    x = np.zeros((200, 1, 2))
    x[:, 0, 0] = 3.0 * t            # constant speed 3, zero acceleration
    k = kinematics(x, fps=fps)
    assert k["speed"] == pytest.approx(3.0)
    assert k["acceleration"] == pytest.approx(0.0, abs=1e-9)
    q = np.zeros((200, 1, 2))
    q[:, 0, 0] = 0.5 * 4.0 * t ** 2  # constant acceleration 4
    assert kinematics(q, fps=fps)["acceleration"] == pytest.approx(4.0, rel=1e-6)
    gaps = kinematic_gaps(2 * x, x, fps=fps)
    assert gaps["speed_ratio"] == pytest.approx(2.0)


def test_hellinger_bounds():
    assert hellinger([1, 0], [1, 0]) == pytest.approx(0.0)
    assert hellinger([1, 0], [0, 1]) == pytest.approx(1.0)
    assert 0 < hellinger([0.5, 0.5], [0.9, 0.1]) < 1
    with pytest.raises(ParameterError):
        hellinger([1, 0], [1, 0, 0])


def test_speed_hellinger_orders_by_similarity(rng):
    true = np.cumsum(rng.normal(size=(300, 4, 2)), axis=0)
    close = true + rng.normal(scale=0.05, size=true.shape)
    frozen = np.repeat(true[:1], 300, axis=0)
    assert speed_hellinger(close, true, fps=30) < speed_hellinger(frozen, true, fps=30)


def test_frechet_distance_known(rng):
    a = rng.normal(size=(4000, 3))
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    b = a + np.array([2.0, 0.0, 0.0])  # mean shift only: distance = |shift|^2
    assert frechet_distance(a, b) == pytest.approx(4.0, rel=1e-6)
    c = a * 2.0  # scale: trace term = sum (s1 - s2)^2 over the (near-identity) covariance
    assert frechet_distance(a, c) == pytest.approx(3.0, rel=0.1)


def test_envelope_corr():
    x = np.sin(np.linspace(0, 10, 200))
    assert envelope_corr(x, 2 * x + 1) == pytest.approx(1.0)
    assert envelope_corr(x, -x) == pytest.approx(-1.0)
    y = x.copy()
    y[:10] = np.nan
    assert envelope_corr(x, y) == pytest.approx(1.0)
