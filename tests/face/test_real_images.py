"""Head pose and AUs on real photographs (scikit-image's astronaut, matplotlib's Grace Hopper)."""

import numpy as np
import pytest

pytest.importorskip("mediapipe", reason="needs the [vision] extra (mediapipe)")

from signfuse.face import features, head_pose  # noqa: E402

from .meshing import mesh_points, mesh_sequence, real_photos, rotate  # noqa: E402

ANGLES = (-30, -20, -10, 0, 10, 20, 30)


def turn(img: np.ndarray, amount: float) -> np.ndarray:
    """A real face "turned" in 2-D: the middle of the face (nose) slides sideways by ``amount`` half face
    widths while its outline stays, which is how a head turn looks in the image (positive: toward +x)."""
    from skimage.transform import warp

    p = mesh_points(img)[:468]
    cx, cy = p[:, 0].mean(), p[:, 1].mean()
    hw = (p[:, 0].max() - p[:, 0].min()) / 2

    def _inv(rc: np.ndarray) -> np.ndarray:
        u = np.clip((rc[:, 0] - cx) / hw, -1, 1)
        v = np.clip((rc[:, 1] - cy) / (1.4 * hw), -1, 1)
        out = rc.copy()
        out[:, 0] -= amount * hw * np.cos(np.pi / 2 * u) * np.cos(np.pi / 2 * v)
        return out

    return warp(img, _inv, preserve_range=True, mode="edge").astype(np.uint8)


@pytest.fixture(scope="module")
def photos():
    return real_photos()


@pytest.mark.parametrize("name", ["astronaut", "grace_hopper"])
def test_in_plane_rotation_gives_roll(photos, name):
    img = photos[name]
    pose = head_pose(mesh_sequence([rotate(img, a) for a in ANGLES]))
    assert np.isfinite(pose).all()
    roll0 = pose[ANGLES.index(0), 2]
    # rotating the photo counter-clockwise by a tilts the head top toward image -x: roll changes by -a
    np.testing.assert_allclose(pose[:, 2] - roll0, -np.array(ANGLES, float), atol=3.0)
    # pitch and yaw do not follow an in-plane rotation
    assert np.ptp(pose[:, 0]) < 4 and np.ptp(pose[:, 1]) < 4


@pytest.mark.parametrize("name", ["astronaut", "grace_hopper"])
def test_mirroring_flips_yaw(photos, name):
    img = photos[name]
    imgs = [turn(img, a) for a in (-0.3, 0.3)] + [rotate(img, 15)]
    pose = head_pose(mesh_sequence(imgs))
    mirrored = head_pose(mesh_sequence([im[:, ::-1] for im in imgs]))
    yaw, yaw_m = pose[:, 1], mirrored[:, 1]
    # nose moved toward image -x / +x: the signer turned to their right / left
    assert yaw[0] < -5 and yaw[1] > 5
    assert np.all(np.sign(yaw[:2]) == -np.sign(yaw_m[:2]))
    np.testing.assert_allclose(yaw_m, -yaw, atol=3.0)
    np.testing.assert_allclose(mirrored[:, 2], -pose[:, 2], atol=3.0)   # roll flips too


def test_aus_are_pose_invariant_and_mirror_symmetric(photos):
    img = photos["grace_hopper"]
    imgs = [rotate(img, a) for a in (-25, 0, 25)] + [img[:, ::-1]]
    s = features(mesh_sequence(imgs))
    aus = s.select(["AU01", "AU02", "AU04", "AU12", "AU25", "AU26"]).values
    assert np.isfinite(aus).all()
    # the same face rotated or mirrored: AUs stay within 0.35 (MediaPipe's own jitter on a changed image)
    assert np.abs(aus - aus[1]).max() < 0.35


def test_smile_reads_as_au12(photos):
    """The astronaut smiles with parted lips, Grace Hopper does not: AU12 and AU25 say so."""
    s = features(mesh_sequence([photos["astronaut"], photos["grace_hopper"]]))
    assert s.column("AU12")[0] - s.column("AU12")[1] > 1.5
    assert s.column("AU25")[0] - s.column("AU25")[1] > 0.5
    assert np.isfinite(s.column("gaze_x")).all()
