"""Fixtures of the live-captions tests: tiny trained models (isolated and continuous, checkpoint and
ONNX) on a small synthetic corpus, built once per session, and helpers for videos and frames."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

STREAMS = "hands,face"


def _fit(corpus: Path, out: Path, *, task: str):
    from signfuse.train.fit import fit, resolve_config

    cfg = resolve_config({"data": str(corpus), "task": task, "streams": STREAMS, "epochs": 1, "batch_size": 8,
                          "progress": False, "run_dir": str(out / "run"), "cache_dir": str(out / "cache"),
                          "model_kwargs": {"dim": 16, "heads": 2, "transformer_layers": 1}})
    return fit(cfg).last


@pytest.fixture(scope="session")
def live_corpus(tmp_path_factory) -> Path:
    synthetic = pytest.importorskip("signfuse.datasets.synthetic")
    d = tmp_path_factory.mktemp("live_corpus")
    synthetic.generate_corpus(d, signs=4, signers=4, sentences=8, samples_per_sign_per_signer=1, seed=0)
    return d


@pytest.fixture(scope="session")
def isolated_model(live_corpus, tmp_path_factory) -> dict[str, Path]:
    """A 1-epoch isolated recognizer on hands + face, as a checkpoint and as ONNX."""
    from signfuse.inference.export import export_onnx

    tmp = tmp_path_factory.mktemp("live_iso")
    ckpt = _fit(live_corpus, tmp, task="isolated")
    export_onnx(ckpt, tmp / "iso.onnx")
    return {"ckpt": ckpt, "onnx": tmp / "iso.onnx"}


@pytest.fixture(scope="session")
def continuous_model(live_corpus, tmp_path_factory) -> Path:
    """A 1-epoch continuous (CTC) recognizer on hands + face (checkpoint)."""
    return _fit(live_corpus, tmp_path_factory.mktemp("live_ctc"), task="continuous")


def holistic_layout(seq) -> tuple[np.ndarray, np.ndarray]:
    """``(data (T, 576, 3), confidence (T, 576))`` of a sequence in the live (Holistic) layout: its
    components placed by name, the ones it lacks (e.g. POSE_WORLD in the synthetic corpus) missing."""
    from signfuse.vision.holistic import holistic_components

    comps = holistic_components()
    n = sum(c.n_points for c in comps)
    data = np.zeros((seq.n_frames, n, 3), np.float32)
    conf = np.zeros((seq.n_frames, n), np.float32)
    k = 0
    have = {c.name for c in seq.components}
    for c in comps:
        if c.name in have:
            part = seq.select([c.name])
            data[:, k:k + c.n_points] = part.data[:, 0, :, :3]
            conf[:, k:k + c.n_points] = part.confidence[:, 0]
        k += c.n_points
    return data, conf


def sequence_frames(seq, *, start: int = 0, count: int | None = None):
    """LiveFrames (time from the sequence's fps) of a landmark file, as the page would send them."""
    from signfuse.vision import LiveFrame

    data, conf = holistic_layout(seq)
    stop = seq.n_frames if count is None else min(seq.n_frames, start + count)
    return [LiveFrame(index=i, time=(i - start) / seq.fps, data=data[i], confidence=conf[i],
                      width=seq.width or 640, height=seq.height or 480, latency=0.0) for i in range(start, stop)]


def frame_message(f) -> dict:
    """The page's JSON message for one LiveFrame (the inverse of protocol.parse_frame)."""
    n = f.data.shape[0]
    n_face = n - 33 - 21 - 21 - 33
    cuts = {"pose": (0, 33, 4), "face": (33, 33 + n_face, 3), "left": (33 + n_face, 54 + n_face, 3),
            "right": (54 + n_face, 75 + n_face, 3), "world": (75 + n_face, n, 4)}
    msg = {"type": "frame", "id": int(f.index), "t": float(f.time), "w": int(f.width), "h": int(f.height)}
    for key, (a, b, dims) in cuts.items():
        c = f.confidence[a:b]
        if not (c > 0).any():
            msg[key] = None
            continue
        d = f.data[a:b].astype(np.float64).copy()
        d[:, 0] /= f.width
        d[:, 1] /= f.height
        if dims == 4:
            d = np.concatenate([d, c[:, None]], 1)
        msg[key] = d.ravel().tolist()
    return msg


def to_y4m(src: Path, dst: Path, *, max_frames: int, max_side: int = 480, fps: int = 25) -> Path:
    """Re-encode ``src`` as a raw YUV4MPEG2 file (what chromium's fake camera reads), downscaled."""
    import av

    with av.open(str(src)) as inp:
        vs = inp.streams.video[0]
        out = av.open(str(dst), "w", format="yuv4mpegpipe")
        st = None
        for n, frame in enumerate(inp.decode(vs)):
            if st is None:
                s = min(1.0, max_side / max(frame.width, frame.height))
                w, h = int(frame.width * s) // 2 * 2, int(frame.height * s) // 2 * 2
                st = out.add_stream("rawvideo", rate=Fraction(fps, 1))
                st.width, st.height, st.pix_fmt = w, h, "yuv420p"
            img = frame.reformat(width=st.width, height=st.height, format="yuv420p")
            img.pts, img.time_base = n, Fraction(1, fps)
            for p in st.encode(img):
                out.mux(p)
            if n + 1 >= max_frames:
                break
        for p in st.encode(None):
            out.mux(p)
        out.close()
    return dst
