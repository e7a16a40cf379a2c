"""MediaPipe Hands on real photos and videos (MediaPipe's own sample files in ../shared/data/real/hands)."""

from __future__ import annotations

import collections
import json

import numpy as np
import pytest

from signfuse import hands
from signfuse.vision import extract
from signfuse.vision.hands import HandsRunner, model_of, prepare_small


@pytest.fixture(scope="module")
def real_hands(shared_data):
    d = shared_data / "real" / "hands"
    if not (d / "thumbs_up.png").is_file():
        pytest.skip(f"MediaPipe's sample hand photos not found in {d}")
    return d


def _normalized(seq, comp):
    d, c = seq.component_data(comp)
    return d[0, 0] / np.array([seq.width, seq.height, 1.0]), c[0, 0]


def test_thumbs_up_matches_mediapipes_expected_landmarks(real_hands):
    seq = extract(real_hands / "thumbs_up.png")                # auto: Holistic sees no body, Hands finds the hand
    assert model_of(seq) == "hands" and seq.component_names == ("LEFT_HAND", "RIGHT_HAND")
    expected = np.array(json.loads((real_hands / "thumbs_up.expected_hand_landmarks.json").read_text())["landmarks"])
    got, conf = _normalized(seq, "RIGHT_HAND")                  # MediaPipe's "Left" = the signer's right hand
    assert np.all(conf > 0.9) and np.all(seq.component_data("LEFT_HAND")[1] == 0)
    err = np.linalg.norm(got[:, :2] - expected[:, :2], axis=1).mean()
    assert err <= 0.02, f"mean 2-D error {err:.4f}"
    assert np.abs(got[:, 2] - expected[:, 2]).mean() <= 0.02
    ext = hands.handshape(seq).select([f"right_{f}_ext" for f in hands.FINGERS]).values[0]
    assert ext[0] > 0.7 and np.all(ext[1:] < 0.4), ext         # thumb extended, the other four flexed
    assert hands.handshape_codes(seq, side="right") == ["ECCCC"]


def test_holistic_alone_finds_nobody_in_the_close_up(real_hands):
    seq = extract(real_hands / "thumbs_up.png", model="holistic")
    assert model_of(seq) == "holistic" and not (seq.confidence > 0).any()


def test_test_image_handedness_is_left(real_hands):
    from signfuse.vision import decode

    img, w, h = decode.read_image(real_hands / "hand_landmarker_test_image.jpg")
    with HandsRunner(static_image_mode=True) as runner:
        data, conf = runner.process(img)
        assert runner.last_labels == (None, "Left")             # MediaPipe's label, as its own test expects
    seq = extract(real_hands / "hand_landmarker_test_image.jpg", model="hands")
    assert np.all(seq.component_data("RIGHT_HAND")[1] > 0.9)
    assert hands.handshape_codes(seq, side="right") == ["ECCCC"]        # a thumb up
    up = extract(real_hands / "hand_thumb_up.jpg", model="hands")       # the other hand, also a thumb up
    assert np.all(up.component_data("LEFT_HAND")[1] > 0.9) and hands.handshape_codes(up, side="left") == ["ECCCC"]


def test_small_crop_padding_maps_back_to_the_original_pixels(real_hands):
    from PIL import Image

    im = Image.open(real_hands / "thumbs_up.png").convert("RGB")
    small = np.asarray(im.resize((120, 80), Image.BILINEAR))
    padded, border = prepare_small(small, pad=0.75)
    assert border == 90 and padded.shape == (80 + 180, 120 + 180, 3)
    np.testing.assert_array_equal(padded[border:border + 80, border:border + 120], small)
    seq = extract(small, model="hands")
    assert (seq.width, seq.height) == (120, 80)
    expected = np.array(json.loads((real_hands / "thumbs_up.expected_hand_landmarks.json").read_text())["landmarks"])
    got, conf = _normalized(seq, "RIGHT_HAND")
    assert np.all(conf > 0)
    assert np.linalg.norm(got[:, :2] - expected[:, :2], axis=1).mean() < 0.05


@pytest.mark.slow
# code: one letter per finger, thumb first (E extended, C curled, ? not checked: the gesture video's index
# finger is half bent, on the E/B/C boundary)
@pytest.mark.parametrize("name,side,code,min_found", [("hand_landmarker_test_video.mp4", "RIGHT_HAND", "EEEEE", 0.95),
                                                      ("gesture_test_video.mp4", "RIGHT_HAND", "E?CCC", 0.8)])
def test_hand_videos_consistent_over_frames(real_hands, name, side, code, min_found):
    seq = extract(real_hands / name, model="hands", fps=5)      # every 5th frame: fast, still tracking
    assert seq.n_frames >= 35
    found = {c: (seq.component_data(c)[1][:, 0] > 0).all(axis=1) for c in ("LEFT_HAND", "RIGHT_HAND")}
    assert found[side].mean() >= min_found
    any_hand = found["LEFT_HAND"] | found["RIGHT_HAND"]
    assert found[side][any_hand].mean() >= 0.9                  # handedness does not flip between frames
    codes = hands.handshape_codes(seq, side=side.split("_")[0].lower())
    seen = [c for c, f in zip(codes, found[side]) if f]
    for i, want in enumerate(code):                             # each finger keeps its state in most frames
        if want != "?":
            share = np.mean([c[i] == want for c in seen])
            assert share >= 0.8, (hands.FINGERS[i], collections.Counter(seen))
    fl = hands.flexion(seq).select([f"{side.split('_')[0].lower()}_{f}_{j}" for f in hands.FINGERS for j in (1, 2, 3)])
    v = fl.values[found[side]]
    assert np.nanmedian(np.abs(np.diff(v, axis=0))) < 10.0       # degrees between sampled frames


def test_auto_falls_back_to_hands_only_without_a_pose(media):
    seq = extract(media["astronaut_mp4"])                       # a body: Holistic's output is kept
    assert model_of(seq) == "holistic"
