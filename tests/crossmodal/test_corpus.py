"""Lag recovery on the embedded synthetic corpus, the unrelated-audio control, report files, CLI, demo."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from signfuse import audio, crossmodal, io, motion
from signfuse.datasets import synthetic
from signfuse.demo.audio_motion import concat_tracks

LAG = 0.2   # not the corpus default (0.12): the recovered lag must follow the generator's


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    synthetic.generate_corpus(d, signs=8, signers=3, sentences=8, samples_per_sign_per_signer=1, seed=5, lag_s=LAG)
    return d, synthetic.load_corpus(d)


def _read(e):
    return io.read(e.path, fps=e.fps) if str(e.path).endswith(".parquet") else io.read(e.path)


@pytest.fixture(scope="module")
def tracks(corpus):
    _, entries = corpus
    chosen = [e for e in entries if e.meta["kind"] == "continuous"] + \
             [e for e in entries if e.meta["kind"] == "isolated"][:12]
    pro, kin = [], []
    for e in chosen:
        y, sr = audio.load(e.meta["audio"])
        fps, p, k, _ = crossmodal.signals(audio.features(y, sr=sr), motion.features(_read(e)))
        pro.append(p)
        kin.append(k)
    return fps, pro, kin


def test_lag_recovered_within_one_frame(tracks):
    fps, pro, kin = tracks
    rep = crossmodal.correlate_signals(concat_tracks(pro), concat_tracks(kin), fps=fps)
    assert rep["duration_s"] > 45
    pair = next(p for p in rep["pairs"] if (p["audio"], p["motion"]) == ("f0", "hand_speed"))
    assert abs(pair["lag_s"] - LAG) * fps <= 1.0
    assert pair["r"] > 0.3 and pair["significant"]
    # energy carries the syllables too, whose stressed ones sit on the hand's stops: related, not a lagged copy
    energy = next(p for p in rep["pairs"] if (p["audio"], p["motion"]) == ("energy", "hand_speed"))
    assert energy["significant"]


def test_stressed_syllables_sit_on_the_hands_stops(corpus):
    """The corpus's second link: audio onsets line up with hand-speed minima (the beat-alignment score)
    clearly above chance (motion beats circularly shifted), and the generator's stress times are minima."""
    _, entries = corpus
    scores, nulls = [], []
    for e in [x for x in entries if x.meta["kind"] == "continuous"]:
        y, sr = audio.load(e.meta["audio"])
        af, mf = audio.features(y, sr=sr), motion.features(_read(e))
        fps, p, k, _ = crossmodal.signals(af, mf)
        ab = crossmodal.audio_beats(p["onset"], fps=fps)
        mb = crossmodal.motion_beats(k["hand_speed"], fps=fps)
        scores.append(crossmodal.beat_alignment(ab, mb))
        nulls.append(crossmodal.beat_alignment_null(ab, mb, duration=len(k["hand_speed"]) / fps))
        st = np.asarray(e.meta["stress_times_s"])
        assert st.size >= 1
        d = np.abs(st[:, None] - mb[None, :]).min(axis=1)
        assert np.median(d) <= 2.0 / fps
    assert np.mean(scores) > np.mean(nulls) + 0.05, (np.mean(scores), np.mean(nulls))


def test_unrelated_audio_is_not_significant(tracks):
    fps, pro, kin = tracks
    order = list(np.roll(np.arange(len(pro)), 3))            # every gesture meets another sample's voice
    rep = crossmodal.correlate_signals(concat_tracks(pro, order), concat_tracks(kin), fps=fps)
    assert not any(p["significant"] for p in rep["pairs"]), [(p["audio"], p["motion"], p["p_value"]) for p in rep["pairs"]]


def test_correlate_one_sample_writes_report(corpus, tmp_path):
    _, entries = corpus
    e = next(x for x in entries if x.meta["kind"] == "continuous")
    y, sr = audio.load(e.meta["audio"])
    rep = crossmodal.correlate(_read(e), y, sr=sr, out_dir=tmp_path / "rep", max_lag_s=0.5)
    assert {p["audio"] for p in rep["pairs"]} == {"f0", "energy", "mel_delta", "centroid"}
    saved = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert saved["pairs"][0]["lag_s"] == rep["pairs"][0]["lag_s"]
    for name in ("xcorr.png", "overlay.png"):
        assert (tmp_path / "rep" / name).read_bytes()[:4] == b"\x89PNG"
    assert "beats" in rep and 0 <= rep["beats"]["score"] <= 1


def test_cli_motion_and_correlate(corpus, tmp_path):
    from signfuse.cli import cli
    _, entries = corpus
    e = next(x for x in entries if x.meta["kind"] == "continuous")
    r = CliRunner().invoke(cli, ["motion", str(e.path), "--out", str(tmp_path / "m.parquet"),
                                 "--events", str(tmp_path / "ev.json")])
    assert r.exit_code == 0, r.output
    s = io.read_stream(tmp_path / "m.parquet")
    ref = motion.features(_read(e))
    np.testing.assert_allclose(s.values, ref.values, atol=1e-6)
    assert set(json.loads((tmp_path / "ev.json").read_text())) == {"taps", "segments"}
    r = CliRunner().invoke(cli, ["correlate", str(e.path), e.meta["audio"], "--out", str(tmp_path / "c")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "c" / "report.json").exists()
    r = CliRunner().invoke(cli, ["motion", str(tmp_path / "nope.pose"), "--out", str(tmp_path / "x.parquet")])
    assert r.exit_code != 0 and "no such file" in r.output


@pytest.mark.slow
def test_demo_stage(corpus, tmp_path):
    import shutil

    from signfuse.demo import DemoContext
    from signfuse.demo.audio_motion import stage
    src, _ = corpus
    shutil.copytree(src, tmp_path / "corpus")
    ctx = DemoContext(out_dir=tmp_path, quick=True)
    s = stage(ctx)
    assert s["true_lag_s"] == LAG
    assert s["lag_within_one_frame"]
    assert not s["unrelated_any_significant"]
    assert len(ctx.figures) >= 1 and (tmp_path / ctx.figures[0]["path"]).exists()
    json.dumps(s)


@pytest.mark.parametrize("fps", [20.0, 60.0])
def test_lag_recovered_on_other_common_rates(corpus, fps):
    """Down- and up-sampling both modalities to another clock keeps them in phase (within one frame)."""
    _, entries = corpus
    pro, kin = [], []
    for e in [x for x in entries if x.meta["kind"] == "continuous"]:
        y, sr = audio.load(e.meta["audio"])
        f, p, k, _ = crossmodal.signals(audio.features(y, sr=sr), motion.features(_read(e)), fps=fps)
        assert f == fps
        pro.append(p)
        kin.append(k)
    rep = crossmodal.correlate_signals(concat_tracks(pro), concat_tracks(kin), fps=fps, dtw_pair=None,
                                       pairs=[("f0", "hand_speed")])
    assert abs(rep["pairs"][0]["lag_s"] - LAG) * fps <= 1.0


@pytest.mark.slow
def test_cli_correlate_single_video(corpus, tmp_path):
    """A video with a soundtrack: landmarks from MediaPipe, audio from the same file."""
    pytest.importorskip("mediapipe", reason="needs the [vision] extra (mediapipe)")
    from signfuse.cli import cli
    from signfuse.io import render as render_mod
    _, entries = corpus
    e = next(x for x in entries if x.meta["kind"] == "continuous")
    y, sr = audio.load(e.meta["audio"])
    video = render_mod.render(_read(e)[:60], tmp_path / "clip.mp4", width=256, height=256, audio=(y[:2 * sr], sr))
    r = CliRunner().invoke(cli, ["correlate", str(video), "--out", str(tmp_path / "rep")])
    assert r.exit_code == 0, r.output
    rep = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert rep["fps"] == pytest.approx(30.0) and rep["duration_s"] > 1.5
