import json

import numpy as np
import pytest

from signfuse import io
from signfuse.cli import cli
from signfuse.sequence import Component, LandmarkSequence
from signfuse.topology import HAND_POINTS

from .synthface import face_frames, face_seq


def _read_csv(path):
    import pandas as pd

    return pd.read_csv(path)


@pytest.fixture
def face_file(tmp_path):
    T = 60
    t = np.arange(T) / 30.0
    up = np.where((t > 0.5) & (t < 1.2), 0.08, 0.0)
    present = np.ones(T, bool)
    present[[3, 40]] = False
    path = tmp_path / "face.npz"
    io.write(face_seq(face_frames(T, brow_up=up, yaw=5.0), present=present), path)
    return path


def test_face_command_writes_csv_plot_events(face_file, tmp_path, runner):
    out, png, ev = tmp_path / "f.csv", tmp_path / "f.png", tmp_path / "ev.json"
    res = runner.invoke(cli, ["face", str(face_file), "--out", str(out), "--plot", str(png), "--events", str(ev)])
    assert res.exit_code == 0, res.output
    df = _read_csv(out)
    assert list(df.columns[:6]) == ["frame", "time", "face_present", "pitch", "yaw", "roll"]
    assert "AU01" in df.columns and "AU45" in df.columns and "mouth_open" in df.columns
    assert len(df) == 60 and df["time"].iloc[30] == pytest.approx(1.0)
    lost = df["face_present"] == 0
    assert list(df.index[lost]) == [3, 40] and df.loc[lost, "AU01"].isna().all() and df.loc[lost, "yaw"].isna().all()
    assert df.loc[~lost, "yaw"].to_numpy() == pytest.approx(5.0, abs=0.1)
    assert png.stat().st_size > 1000
    assert [e["type"] for e in json.loads(ev.read_text())] == ["brow_raise"]


def test_face_command_baselines(face_file, tmp_path, runner):
    out = tmp_path / "f.csv"
    res = runner.invoke(cli, ["face", str(face_file), "--out", str(out), "--baseline", "first"])
    assert res.exit_code == 0, res.output
    assert _read_csv(out)["yaw"].dropna().abs().max() < 0.1  # the first frame's pose is the neutral
    neutral = tmp_path / "neutral.npz"
    io.write(face_seq(face_frames(5, brow_up=0.08)), neutral)
    res = runner.invoke(cli, ["face", str(face_file), "--out", str(out), "--baseline", str(neutral), "--force"])
    assert res.exit_code == 0, res.output
    assert _read_csv(out)["AU01"].iloc[0] == pytest.approx(-0.8, abs=0.03)
    res = runner.invoke(cli, ["face", str(face_file), "--out", str(out), "--baseline", "nonsense"])
    assert res.exit_code != 0 and "--baseline" in res.output


def test_landmarks_without_face_are_a_clear_error(tmp_path, runner):
    seq = LandmarkSequence((Component("RIGHT_HAND", HAND_POINTS),), np.ones((3, 1, 21, 3)), np.ones((3, 1, 21)), fps=25)
    path = tmp_path / "hands.npz"
    io.write(seq, path)
    res = runner.invoke(cli, ["face", str(path), "--out", str(tmp_path / "x.csv")])
    assert res.exit_code != 0
    assert "no FACE component" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "x.csv").exists()


def test_blendshapes_need_pixels(face_file, tmp_path, shared_models, runner):
    res = runner.invoke(
        cli,
        [
            "face",
            str(face_file),
            "--out",
            str(tmp_path / "x.csv"),
            "--blendshapes",
            str(shared_models / "face_landmarker.task"),
        ],
    )
    assert res.exit_code != 0 and "video or image" in res.output


def test_image_with_blendshapes(tmp_path, shared_models, runner):
    from skimage.data import astronaut
    from skimage.io import imsave

    img = tmp_path / "astronaut.png"
    imsave(img, astronaut())
    out = tmp_path / "a.csv"
    res = runner.invoke(
        cli, ["face", str(img), "--out", str(out), "--blendshapes", str(shared_models / "face_landmarker.task")]
    )
    assert res.exit_code == 0, res.output
    df = _read_csv(out)
    assert len(df) == 1 and df["face_present"][0] == 1
    assert df["bs_AU12"][0] > 0.5 and df["AU12"][0] > 0.5  # she smiles, both ways of measuring agree
    assert "gaze_x" in df.columns


def test_not_an_image(tmp_path, shared_models, runner):
    bad = tmp_path / "bad.png"
    bad.write_text("this is not an image")
    res = runner.invoke(
        cli,
        [
            "face",
            str(bad),
            "--out",
            str(tmp_path / "x.csv"),
            "--blendshapes",
            str(shared_models / "face_landmarker.task"),
        ],
    )
    assert res.exit_code != 0 and "bad.png" in res.output and "Traceback" not in res.output


@pytest.mark.slow
def test_video_input_is_extracted_first(tmp_path, runner):
    pytest.importorskip("mediapipe", reason="needs the [vision] extra (mediapipe)")
    import av
    from skimage.data import astronaut
    from skimage.transform import rotate

    video = tmp_path / "turning.mp4"
    angles = [0, 15, 0, 0, -15, 0]
    with av.open(str(video), "w") as c:
        st = c.add_stream("libx264", rate=10)
        st.width, st.height, st.pix_fmt = 512, 512, "yuv420p"
        for i, a in enumerate(angles):
            fr = rotate(astronaut(), a, mode="edge", preserve_range=True).astype(np.uint8)
            if i == 2:
                fr = np.zeros_like(fr)  # nobody in this frame
            for p in st.encode(av.VideoFrame.from_ndarray(fr, format="rgb24")):
                c.mux(p)
        for p in st.encode():
            c.mux(p)
    out = tmp_path / "v.csv"
    res = runner.invoke(cli, ["face", str(video), "--out", str(out)])
    assert res.exit_code == 0, res.output
    df = _read_csv(out)
    assert list(df["face_present"]) == [1, 1, 0, 1, 1, 1]
    assert df.loc[2, ["pitch", "yaw", "roll", "AU01", "AU45"]].isna().all()
    roll = df["roll"].to_numpy()
    assert roll[1] - roll[0] == pytest.approx(-15, abs=3) and roll[4] - roll[0] == pytest.approx(15, abs=3)
    assert "gaze_x" in df.columns  # extracted with the refined (iris) face mesh


def test_mostly_missing_face_is_refused_unless_forced(tmp_path, runner):
    T = 20
    present = np.zeros(T, bool)
    present[:6] = True  # the face in 6 of 20 frames (30%)
    path = tmp_path / "rare.npz"
    io.write(face_seq(face_frames(T), present=present), path)
    out = tmp_path / "r.csv"
    res = runner.invoke(cli, ["face", str(path), "--out", str(out)])
    assert res.exit_code == 1 and not out.exists()
    assert "rare.npz" in res.output and "mostly missing: face 30% of 20 frames" in res.output
    assert "--allow-missing" in res.output and "Traceback" not in res.output
    # --force only overwrites outputs: it does not silence the missing face
    res = runner.invoke(cli, ["face", str(path), "--out", str(out), "--force"])
    assert res.exit_code == 1 and not out.exists() and "mostly missing" in res.output
    res = runner.invoke(cli, ["face", str(path), "--out", str(out), "--allow-missing"])
    assert res.exit_code == 0, res.output
    assert "detection: face 30%" in res.output and len(_read_csv(out)) == T
