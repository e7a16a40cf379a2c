"""Known-answer tests of the embedded synthetic corpus (signfuse.datasets.synthetic)."""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from signfuse import io as sio
from signfuse.datasets import synthetic
from signfuse.datasets.synthetic import face as facemod
from signfuse.datasets.synthetic.generator import EMOTION_MOTION, SHAKE_HZ
from signfuse.datasets.synthetic.hands import hand_local_points, handshape_angles, place_hand
from signfuse.datasets.synthetic.vocab import Sign
from signfuse.errors import DataError, ParameterError

TINY = dict(signs=6, signers=3, sentences=4, samples_per_sign_per_signer=1)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    return synthetic.generate_corpus(out, seed=3, lag_s=0.12, **TINY)


@pytest.fixture(scope="module")
def signers():
    return synthetic.make_signers(5, seed=0)


def _sign(nonmanual: str = "none", **kw) -> Sign:
    base = dict(gloss="TEST", handshape="B", handshape_end=None, orientation="out", location="chest",
                movement="line", direction="out", size=0.25, nonmanual=nonmanual, duration=0.6)
    base.update(kw)
    return Sign(**base)


def _face(seq) -> np.ndarray:
    d, c = seq.component_data("FACE")
    pts = d[:, 0].astype(np.float64).copy()
    pts[c[:, 0] <= 0] = np.nan
    return pts


def _brow_height(pts: np.ndarray) -> np.ndarray:
    """Brow height above the eye corners, in eye-corner distances (IOD), per frame."""
    with warnings.catch_warnings():  # frames with a dropped face are all-NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        corners = np.nanmean(pts[:, [33, 133, 263, 362], 1], axis=1)
        brows = np.nanmean(pts[:, list(facemod.BROW_POINTS), 1], axis=1)
    iod = np.linalg.norm(pts[:, 263, :2] - pts[:, 33, :2], axis=1)
    return (corners - brows) / iod


# ----------------------------------------------------------------------------- hands
def test_flat_hand_fingertips_at_known_positions():
    loc = hand_local_points(handshape_angles("B")[None])[0]
    # straight middle finger: tip = knuckle + sum of phalanges along +y, in the palm plane
    assert loc[12, 1] == pytest.approx(loc[9, 1] + 0.24 + 0.14 + 0.095, abs=1e-9)
    assert loc[12, 0] == pytest.approx(loc[9, 0], abs=1e-9) and loc[12, 2] == pytest.approx(0.0, abs=1e-9)
    angles = handshape_angles("B").copy()
    angles[5] = 90.0  # middle MCP flexed 90 degrees: the finger points out of the palm (+z)
    bent = hand_local_points(angles[None])[0]
    assert bent[12, 2] == pytest.approx(0.24 + 0.14 + 0.095, abs=1e-9)
    assert bent[12, 1] == pytest.approx(bent[9, 1], abs=1e-9)


def test_fist_is_more_compact_than_open_hand():
    span = {h: np.linalg.norm(hand_local_points(handshape_angles(h)[None])[0][[8, 12, 16, 20]], axis=1).mean()
            for h in ("5", "S", "B")}
    assert span["S"] < 0.6 * span["B"] and span["S"] < 0.6 * span["5"]


def test_place_hand_right_and_left_are_mirror_images():
    loc = hand_local_points(handshape_angles("L")[None])
    f, n = np.array([[0.0, -1.0, 0.0]]), np.array([[0.0, 0.0, -1.0]])
    right = place_hand(loc, wrist=np.zeros((1, 3)), finger_dir=f, palm_normal=n, is_left=False, length=1.0)
    left = place_hand(loc, wrist=np.zeros((1, 3)), finger_dir=f * [-1, 1, 1], palm_normal=n * [-1, 1, 1],
                      is_left=True, length=1.0)
    np.testing.assert_allclose(left, right * np.array([-1.0, 1.0, 1.0]), atol=1e-12)
    assert right[0, 4, 0] > 0.3  # right hand, palm to the viewer: the thumb points to image +x


def test_unknown_handshape_is_a_parameter_error():
    with pytest.raises(ParameterError, match="handshape"):
        handshape_angles("Q")


# ----------------------------------------------------------------------------- face
def test_brow_raise_rises_by_recorded_amount(signers):
    # an expressive signer (large raise); head sway and jitter add about +-0.01 IOD to the measurement
    seq, _, _, f = synthetic.synthesize_sign(_sign("brow_raise"), signers[1], seed=11, emotion="neutral")
    ev = f["nonmanual_events"][0]
    h = _brow_height(_face(seq))
    rest = np.nanmedian(h[: ev["start_frame"]])
    peak = np.nanmedian(h[ev["full_start_frame"]:ev["full_end_frame"]])
    assert peak - rest == pytest.approx(ev["amounts"]["brow_raise"], rel=0.1)
    assert ev["amounts"]["brow_raise"] > 0.1


def test_brow_furrow_lowers_brows_by_recorded_amount(signers):
    seq, _, _, f = synthetic.synthesize_sign(_sign("brow_furrow"), signers[1], seed=12, emotion="neutral")
    ev = f["nonmanual_events"][0]
    h = _brow_height(_face(seq))
    drop = np.nanmedian(h[: ev["start_frame"]]) - np.nanmedian(h[ev["full_start_frame"]:ev["full_end_frame"]])
    assert drop == pytest.approx(ev["amounts"]["brow_furrow"], rel=0.12)


def test_head_shake_yaw_oscillates_at_its_frequency(signers):
    seq, _, _, f = synthetic.synthesize_sign(_sign("head_shake", duration=1.0), signers[2], seed=13, emotion="neutral")
    ev = f["nonmanual_events"][0]
    yaw = facemod.yaw_proxy(np.nan_to_num(_face(seq)))
    win = yaw[ev["full_start_frame"]:ev["full_end_frame"]]
    centred = win - np.median(yaw[: ev["start_frame"]])
    crossings = np.count_nonzero(np.diff(np.sign(centred)) != 0)
    dur = len(win) / seq.fps
    assert crossings >= 3
    assert crossings / (2 * dur) == pytest.approx(SHAKE_HZ, rel=0.35)
    # the same sign without a marker barely turns the head
    seq0, _, _, _ = synthetic.synthesize_sign(_sign("none", duration=1.0), signers[2], seed=13, emotion="neutral")
    yaw0 = facemod.yaw_proxy(np.nan_to_num(_face(seq0)))
    assert np.ptp(win) > 3 * np.ptp(yaw0[ev["full_start_frame"]:ev["full_end_frame"]])


def test_head_nod_moves_nose_down(signers):
    seq, _, _, f = synthetic.synthesize_sign(_sign("head_nod", duration=1.0), signers[0], seed=14, emotion="neutral")
    ev = f["nonmanual_events"][0]
    pts = _face(seq)
    iod = np.linalg.norm(pts[:, 263, :2] - pts[:, 33, :2], axis=1)
    nose = (pts[:, 1, 1] - np.nanmean(pts[:, [33, 263], 1], axis=1)) / iod
    assert np.nanmax(nose[ev["full_start_frame"]:ev["full_end_frame"]]) > np.nanmedian(nose[: ev["start_frame"]]) + 0.05


def test_blinks_close_the_eyes(signers):
    signer = replace(signers[0], blink_rate=2.0)
    seq, _, _, f = synthetic.synthesize_sign(_sign(), signer, seed=15, emotion="neutral")
    assert f["blinks_s"], "a 2/s blink rate gives blinks in a 1.5 s clip"
    pts = _face(seq)
    gap = np.mean(pts[:, list(facemod.LOWER_LID), 1] - pts[:, list(facemod.UPPER_LID), 1], axis=1)  # NaN if dropped
    k = int(round((f["blinks_s"][0] + 0.075) * seq.fps))
    assert gap[k] < 0.45 * np.nanmax(gap)


# ----------------------------------------------------------------------------- manual channel, pairs, emotion
def test_minimal_pairs_differ_only_in_the_nonmanual_marker(signers):
    vocab = synthetic.make_vocabulary(20, seed=5)
    pairs = [(s, next(t for t in vocab if t.gloss == s.minimal_pair)) for s in vocab if s.minimal_pair and s.nonmanual == "none"]
    assert len(pairs) == 4
    for a, b in pairs:
        assert a.manual() == b.manual() and a.nonmanual != b.nonmanual
        sa, _, _, fa = synthetic.synthesize_sign(a, signers[1], seed=7, emotion="neutral")
        sb, _, _, fb = synthetic.synthesize_sign(b, signers[1], seed=7, emotion="neutral")
        ha, ma = sa.select(["LEFT_HAND", "RIGHT_HAND"]).to_array()
        hb, mb = sb.select(["LEFT_HAND", "RIGHT_HAND"]).to_array()
        both = ma & mb
        diff = np.abs(ha - hb)[both]
        # same manual trajectory: differences are the landmark noise only (hand jitter sd = 0.6 * noise)
        assert diff.mean() < 2.0 * 0.6 * signers[1].noise
        # while the faces differ clearly during the marker
        ev = fb["nonmanual_events"][0]
        fa_, fb_ = _face(sa)[ev["full_start_frame"]:ev["full_end_frame"]], _face(sb)[ev["full_start_frame"]:ev["full_end_frame"]]
        assert np.nanmax(np.abs(fa_ - fb_)) > 10 * 0.3 * signers[1].noise  # face jitter sd = 0.3 * noise


def test_different_signs_differ_in_the_hands(signers):
    vocab = synthetic.make_vocabulary(12, seed=2)
    a, b = vocab[0], next(s for s in vocab if s.manual() != vocab[0].manual() and s.location != vocab[0].location)
    sa, _, _, _ = synthetic.synthesize_sign(a, signers[0], seed=1)
    sb, _, _, _ = synthetic.synthesize_sign(b, signers[0], seed=1)
    n = min(sa.n_frames, sb.n_frames)
    ha, ma = sa[:n].select(["RIGHT_HAND"]).to_array()
    hb, mb = sb[:n].select(["RIGHT_HAND"]).to_array()
    assert np.abs(ha - hb)[ma & mb].mean() > 10 * signers[0].noise


def test_emotion_scales_movement_by_the_documented_factor(signers):
    sign = _sign()
    out = {e: synthetic.synthesize_sign(sign, signers[0], seed=21, emotion=e, intensity=0.8,
                                        channel_weights={"motion": 1.0})[3] for e in ("angry", "sad")}
    ratio = out["angry"]["amplitude"] / out["sad"]["amplitude"]
    expect = (1 + EMOTION_MOTION["angry"][0] * 0.8) / (1 + EMOTION_MOTION["sad"][0] * 0.8)
    assert ratio == pytest.approx(expect, rel=2e-3)
    assert out["angry"]["voice"]["gain_db"] > out["sad"]["voice"]["gain_db"]


def test_taps_touch_the_surface_at_the_recorded_frames(signers):
    sign = _sign(movement="taps", direction=None, size=0.1, repeat=3, force=0.8, duration=0.75)
    signer = replace(signers[1], noise=0.0, drop_rate=0.0)
    seq, _, _, f = synthetic.synthesize_sign(sign, signer, seed=5, emotion="neutral")
    info = f["signs"][0]
    assert info["tap_type"] == "hand-body" and len(info["tap_frames"]) == 3
    # taps go into the body (+z, away from the camera): the wrist is deepest at each contact
    z = seq.point("POSE", "RIGHT_WRIST")[:, 0, 2]
    for k in info["tap_frames"]:
        lo, hi = max(k - 3, 0), k + 4
        assert abs(int(np.argmax(z[lo:hi])) + lo - k) <= 1
    assert np.ptp(z[info["start_frame"]:info["end_frame"]]) > 0.5 * 0.1 * signer.shoulder_width


def test_left_handed_signer_signs_with_the_left_hand(signers):
    lefty = replace(signers[0], handedness="left")
    seq, _, _, _ = synthetic.synthesize_sign(_sign(size=0.3), lefty, seed=3)
    travel = {h: np.nanmax(np.nan_to_num(seq.point("POSE", f"{h}_WRIST")[:, 0, 1])) -
                 np.nanmin(seq.point("POSE", f"{h}_WRIST")[:, 0, 1]) for h in ("LEFT", "RIGHT")}
    assert travel["LEFT"] > 3 * travel["RIGHT"]


def test_coordinates_are_normalized_image_units(signers):
    seq, _, _, f = synthetic.synthesize_sign(_sign(), signers[3], seed=4)
    seen = seq.confidence[:, 0] > 0
    xy = seq.data[:, 0, :, :2][seen]
    assert xy.min() >= 0.0 and xy.max() <= 1.0
    assert seq.fps == 30.0 and 30 <= seq.n_frames <= 75  # about 1-2.5 s
    # legs are below the frame: missing, never drawn at made-up places
    assert np.all(seq.confidence[:, 0, 25:33] == 0)


# ----------------------------------------------------------------------------- audio
def _lag_of_peak(speed: np.ndarray, fps: float, track: np.ndarray, times: np.ndarray) -> float:
    grid = np.arange(0, len(speed) / fps, 0.01)
    a = np.interp(grid, np.arange(len(speed)) / fps, speed)
    b = np.interp(grid, times, track)
    lags = np.arange(-50, 51)
    r = [np.corrcoef(a[: len(a) - L], b[L:])[0, 1] if L >= 0 else np.corrcoef(a[-L:], b[: len(b) + L])[0, 1]
         for L in lags]
    return float(lags[int(np.nanargmax(r))] * 0.01)


@pytest.mark.parametrize("lag_s", [0.0, 0.2])
def test_pitch_accents_follow_wrist_speed_by_lag(signers, lag_s):
    import parselmouth
    vocab = synthetic.make_vocabulary(12, seed=1)
    signer = signers[1]
    seq, y, sr, f = synthetic.synthesize(vocab[:4], signer, seed=9, emotion="happy", intensity=0.8, lag_s=lag_s)
    assert sr == 16000 and len(y) == pytest.approx(seq.n_frames / seq.fps * sr, abs=2)
    pitch = parselmouth.Sound(y.astype(np.float64), sampling_frequency=sr).to_pitch(
        time_step=0.01, pitch_floor=60, pitch_ceiling=600)
    f0 = pitch.selected_array["frequency"]
    assert np.mean(f0 > 0) > 0.9
    st = 12 * np.log2(np.where(f0 > 0, f0, np.nan) / 100.0)
    st = np.where(np.isnan(st), np.nanmean(st), st)
    wrist = seq.point("POSE", "RIGHT_WRIST")[:, 0, :2].astype(np.float64)
    speed = np.linalg.norm(np.gradient(wrist, axis=0), axis=1) * seq.fps
    est = _lag_of_peak(speed, seq.fps, st, pitch.xs())
    assert abs(est - lag_s) <= 1.0 / seq.fps
    # the recorded accent times are the stroke speed peaks plus the lag
    assert f["accent_times_s"] == pytest.approx([p / seq.fps + lag_s for p in f["stroke_peak_frames"]], abs=1e-3)
    # stressed syllables start at the hand's stops: the observed (noisy) wrist speed is low around each
    # recorded stress time, and the median stress frame sits in the slowest quarter of the clip
    st = np.round(np.asarray(f["stress_times_s"]) * seq.fps).astype(int)
    assert st.size >= 1
    slow = np.percentile(speed, 25)
    for i in st:
        assert speed[max(0, i - 2):i + 3].min() <= slow
    assert np.median(speed[st]) <= np.percentile(speed, 40)


def test_syllable_envelope_puts_stressed_onsets_on_the_stress_times():
    from signfuse.datasets.synthetic.audio import stress_times, syllable_envelope

    sr = 1000
    t = np.arange(3 * sr) / sr
    env = syllable_envelope(t, np.array([0.8, 2.0]), rate=4.0)
    assert env.min() >= 0.1 - 1e-12 and env.max() <= 1.0 + 1e-12
    # full level 25 ms after each stress onset, silence-floor just before it
    for s0 in (0.8, 2.0):
        assert env[int((s0 + 0.025) * sr)] == pytest.approx(1.0, abs=0.02)
        assert env[int((s0 - 0.001) * sr)] < 0.6
    # unstressed syllables in between (4 Hz over 1.2 s: 3 of them), none reaching the stressed level
    mid = env[int(0.9 * sr):int(1.95 * sr)]
    assert 0.25 < mid.max() < 0.5
    # without stress times the syllables still run (free phase), all unstressed
    free = syllable_envelope(t, np.zeros(0), rate=4.0, phase=0.1)
    assert 0.25 < free.max() < 0.5
    # stress times are the prominent speed minima, not the jitter
    fps = 30.0
    x = np.arange(90) / fps
    speed = 1 + np.cos(2 * np.pi * x / 1.0) + 0.01 * np.sin(2 * np.pi * 7 * x)    # minima at 0.5, 1.5, 2.5 s
    np.testing.assert_allclose(stress_times(speed, fps=fps), [0.5, 1.5, 2.5], atol=1.5 / fps)
    assert stress_times(np.ones(50), fps=fps).size == 0


def test_voice_pitch_follows_signer_and_emotion(signers):
    import parselmouth
    sign = _sign()
    med = {}
    for emo in ("sad", "surprised"):
        _, y, sr, f = synthetic.synthesize_sign(sign, signers[0], seed=2, emotion=emo, intensity=1.0,
                                               channel_weights={"voice": 1.0})
        f0 = parselmouth.Sound(y.astype(np.float64), sampling_frequency=sr).to_pitch(
            time_step=0.01, pitch_floor=60, pitch_ceiling=600).selected_array["frequency"]
        med[emo] = np.median(f0[f0 > 0])
    base = signers[0].f0_hz
    assert base * 0.75 < med["sad"] < base * 1.15
    assert med["surprised"] > med["sad"] * 2 ** (4 / 12)


# ----------------------------------------------------------------------------- corpus files
def test_corpus_layout_and_foundation_readers(corpus):
    from signfuse.datasets import read_asl_signs, read_phoenix_t

    info = json.loads((corpus / "corpus.json").read_text())
    assert info["fps"] == 30.0 and info["lag_s"] == 0.12 and info["seed"] == 3
    assert set(info["signer_region"].values()) == {"north", "south", "coast"}
    assert (corpus / "isolated" / "train.csv").read_text().splitlines()[0] == "path,participant_id,sequence_id,sign"
    iso = read_asl_signs(corpus / "isolated" / "train.csv",
                         map_json=corpus / "isolated" / "sign_to_prediction_index_map.json")
    assert len(iso) == 6 * 3
    label_map = json.loads((corpus / "isolated" / "sign_to_prediction_index_map.json").read_text())
    assert sorted(label_map) == sorted(s["gloss"] for s in info["vocabulary"])
    cont = read_phoenix_t(corpus / "continuous" / "corpus.csv")
    meta = {m["id"]: m for m in synthetic.read_metadata(corpus)}
    assert len(cont) == 4
    for e in cont:
        assert list(e.glosses) == meta[e.id]["glosses"] and e.signer == meta[e.id]["signer"]
        assert 2 <= len(e.glosses) <= 6
    first = (corpus / "continuous" / "corpus.csv").read_text().splitlines()[0]
    assert first == "name|video|start|end|speaker|orth|translation"


def test_written_landmarks_equal_the_generator_output(corpus):
    meta = synthetic.read_metadata(corpus)
    info = synthetic.read_corpus_info(corpus)
    vocab = {s["gloss"]: Sign.from_dict(s) for s in info["vocabulary"]}
    people = {s["id"]: synthetic.Signer.from_dict(s) for s in info["signers"]}
    for m in (meta[0], next(x for x in meta if x["kind"] == "continuous")):
        signs = [vocab[g] for g in m["glosses"]]
        seq, y, sr, f = synthetic.synthesize(signs, people[m["signer"]], seed=m["seed"], emotion=m["emotion"],
                                             intensity=m["intensity"], lag_s=m["lag_s"], channel_weights=m["channel_weights"])
        back = sio.read(corpus / m["path"])
        assert back.n_frames == m["frames"] == seq.n_frames
        np.testing.assert_array_equal(back.confidence > 0, seq.confidence > 0)
        seen = seq.confidence > 0
        np.testing.assert_array_equal(back.data[seen], seq.data[seen])
        wav, wsr = synthetic.read_wav(corpus / m["audio"])
        assert wsr == 16000 and len(wav) == len(y)
        assert np.max(np.abs(wav - y)) < 1.0 / 32767 + 1e-6


def test_missing_points_are_nan_in_the_parquet(corpus):
    import pyarrow.parquet as pq

    m = next(x for x in synthetic.read_metadata(corpus) if x["kind"] == "isolated")
    t = pq.read_table(corpus / m["path"]).to_pandas()
    assert len(t) == 543 * m["frames"]
    legs = t[(t["type"] == "pose") & (t["landmark_index"] >= 25)]
    assert legs["x"].isna().all()
    dropped = m["dropped_frames"]["RIGHT_HAND"]
    rh = t[(t["type"] == "right_hand")]
    assert rh[rh["frame"].isin(dropped)]["x"].isna().all()
    assert rh[~rh["frame"].isin(dropped)]["x"].notna().all()


def test_load_corpus_entries(corpus):
    entries = synthetic.load_corpus(corpus)
    assert len(entries) == 6 * 3 + 4
    by_split: dict[str, set] = {}
    for e in entries:
        by_split.setdefault(e.split, set()).add(e.signer)
        assert e.domain == e.meta["region"] and e.path.exists() and Path(e.meta["audio"]).exists()
        assert e.meta["kind"] in ("isolated", "continuous") and e.fps == 30.0
        assert 0.0 <= e.meta["intensity"] <= 1.0 and e.meta["lag_s"] == 0.12
        assert e.meta["handedness"] in ("left", "right") and isinstance(e.meta["nonmanual"], str)
        assert (e.gloss is None) == (e.meta["kind"] == "continuous")
    assert set(by_split) == {"train", "val", "test"}
    assert not (by_split["train"] & by_split["test"]) and not (by_split["train"] & by_split["val"])
    assert any(e.meta["minimal_pair"] for e in entries)


def test_open_index_detects_the_corpus(corpus):
    from signfuse.datasets import open_index

    assert len(open_index(corpus)) == 6 * 3 + 4


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    small = dict(signs=4, signers=2, sentences=2, samples_per_sign_per_signer=1)
    a = synthetic.generate_corpus(tmp_path / "a", seed=7, **small)
    b = synthetic.generate_corpus(tmp_path / "b", seed=7, **small)
    c = synthetic.generate_corpus(tmp_path / "c", seed=8, **small)

    def digest(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file()}

    da, db, dc = digest(a), digest(b), digest(c)
    assert da == db
    assert da["metadata.jsonl"] != dc["metadata.jsonl"]


def test_bad_arguments_are_parameter_errors(tmp_path, signers):
    with pytest.raises(ParameterError, match="signs"):
        synthetic.generate_corpus(tmp_path, signs=1)
    with pytest.raises(ParameterError, match="lag_s"):
        synthetic.generate_corpus(tmp_path, lag_s=-0.1)
    with pytest.raises(ParameterError, match="emotion"):
        synthetic.synthesize_sign(_sign(), signers[0], seed=0, emotion="bored")
    with pytest.raises(ParameterError, match="intensity"):
        synthetic.synthesize_sign(_sign(), signers[0], seed=0, intensity=2.0)
    with pytest.raises(DataError, match="corpus"):
        synthetic.load_corpus(tmp_path)


def test_splits_hold_out_signers():
    people = synthetic.make_signers(8, seed=0)
    splits = synthetic.assign_splits(people)
    assert sorted(splits.values()).count("test") == 2 and sorted(splits.values()).count("val") == 1
    assert {p.region for p in people} == {"north", "south", "coast"}
    assert any(p.handedness == "left" for p in people)


def test_synth_cli(tmp_path):
    import json

    from click.testing import CliRunner

    from signfuse.cli import cli

    res = CliRunner().invoke(cli, ["synth", str(tmp_path / "c"), "--signs", "3", "--signers", "2",
                                   "--sentences", "1", "--samples-per-sign", "1", "--seed", "4"])
    assert res.exit_code == 0, res.output
    line = [ln for ln in res.output.splitlines() if ln.startswith("{")][-1]
    assert json.loads(line)["isolated"] == 6
    assert len(synthetic.load_corpus(tmp_path / "c")) == 7


def test_face_asset_is_a_mediapipe_mesh():
    p = facemod.face_rest()
    assert p.shape == (468, 3)
    assert np.linalg.norm(p[263, :2] - p[33, :2]) == pytest.approx(1.0, abs=1e-5)  # IOD units
    assert p[263, 0] > 0 > p[33, 0]  # the signer's left eye is on image +x
    assert p[list(facemod.BROW_POINTS), 1].mean() < p[[33, 263], 1].mean() < p[13, 1] < p[152, 1]  # brows, eyes, lips, chin
    assert p[1, 2] < p[234, 2]  # nose tip nearer the camera than the cheek edge (z away from the camera)
    edges = facemod.face_edges("tesselation")
    assert edges.shape == (2556, 2) and edges.max() == 467


def test_load_corpus_reports_bad_metadata(tmp_path, corpus):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(corpus, bad, ignore=shutil.ignore_patterns("*.parquet", "*.pose", "*.wav"))
    (bad / "metadata.jsonl").write_text('{"id": "x"}\n')
    with pytest.raises(DataError, match="metadata.jsonl"):
        synthetic.load_corpus(bad)
    (bad / "metadata.jsonl").write_text("{not json\n")
    with pytest.raises(DataError, match="line 1"):
        synthetic.load_corpus(bad)


def test_regional_variants_are_stable_shared_by_pairs_and_rendered(signers):
    from signfuse.datasets.synthetic.vocab import VARIANT_FRACTION, regional_variant

    vocab = synthetic.make_vocabulary(60, seed=4)
    for region in ("north", "south", "coast"):
        changed = [s for s in vocab if regional_variant(s, region) is not s]
        assert 0.5 * VARIANT_FRACTION < len(changed) / len(vocab) < 2 * VARIANT_FRACTION
        for s in changed:
            v = regional_variant(s, region)
            assert v.handshape != s.handshape and v.gloss == s.gloss
            assert v.manual() | {"handshape": s.handshape} == s.manual()     # only the handshape differs
            assert regional_variant(s, region) == v                           # stable
    by_gloss = {s.gloss: s for s in vocab}
    for s in vocab:                                                           # minimal pairs vary together
        if s.minimal_pair and s.minimal_pair in by_gloss:
            for region in ("north", "south", "coast"):
                assert (regional_variant(s, region).handshape ==
                        regional_variant(by_gloss[s.minimal_pair], region).handshape)
    # the generator renders the region's form and records it
    s = next(x for x in vocab if regional_variant(x, signers[0].region) is not x)
    _, _, _, f = synthetic.synthesize_sign(s, signers[0], seed=1)
    assert f["signs"][0]["regional_handshape"] == regional_variant(s, signers[0].region).handshape
    plain = next(x for x in vocab if regional_variant(x, signers[0].region) is x)
    assert synthetic.synthesize_sign(plain, signers[0], seed=1)[3]["signs"][0]["regional_handshape"] is None
