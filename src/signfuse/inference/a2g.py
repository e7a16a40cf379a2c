"""Audio-to-gesture prediction from a checkpoint (no Lightning): :func:`load_a2g`, :func:`predict_audio`."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import DataError
from ..models.a2g import predict_clip
from ..samples.a2g import ENVELOPE_NAMES, N_POSE, POSE_POINTS, audio_inputs
from ..streams import Stream

if TYPE_CHECKING:
    from torch import nn

    from ..models.a2g import MotionAutoencoder
    from ..sequence import LandmarkSequence

__all__ = ["load_a2g", "predict_audio", "prediction_to_sequence", "predict_clip"]


def load_a2g(path: str | os.PathLike[str]) -> tuple[nn.Module, MotionAutoencoder, dict[str, Any]]:
    """``(model, FGD autoencoder, config)`` from an ``a2g.ckpt`` (any signfuse version)."""
    from ..models.a2g import MotionAutoencoder
    from ..models.checkpoint import build_model, read_checkpoint

    ck = read_checkpoint(path, kind="a2g")
    net = build_model(ck)
    ae_state = (ck.extra or {}).get("fgd_autoencoder") or {}
    ae = MotionAutoencoder(**(ae_state.get("kwargs") or {"in_dim": N_POSE * 2}))
    if ae_state.get("state_dict"):
        ae.load_state_dict(ae_state["state_dict"])
    ae.eval()
    return net, ae, dict(ck.config)


def prediction_to_sequence(pred: np.ndarray, *, fps: float) -> LandmarkSequence:
    """A drawable :class:`LandmarkSequence` (POSE, LEFT_HAND, RIGHT_HAND) from a prediction.

    Predictions are in shoulder units centred between the shoulders; they are placed in a unit image
    (x = 0.5 + 0.2 u, y = 0.4 + 0.2 v) so that renderers and viewers show them; points that are not
    predicted (face, legs) have confidence 0.
    """
    from ..sequence import Component, LandmarkSequence
    from ..topology import HAND_EDGES, HAND_POINTS, POSE_EDGES, POSE_POINTS as MP_POSE

    T = pred.shape[0]
    comps = (Component("POSE", MP_POSE, POSE_EDGES), Component("LEFT_HAND", HAND_POINTS, HAND_EDGES),
             Component("RIGHT_HAND", HAND_POINTS, HAND_EDGES))
    data = np.zeros((T, 1, 75, 3), np.float32)
    conf = np.zeros((T, 1, 75), np.float32)
    xy = pred[:, :N_POSE * 2].reshape(T, N_POSE, 2)
    for k, (comp, point) in enumerate(POSE_POINTS):
        idx = MP_POSE.index(point) if comp == "POSE" else (33 if comp == "LEFT_HAND" else 54) + int(point)
        data[:, 0, idx, 0] = 0.5 + 0.2 * xy[:, k, 0]
        data[:, 0, idx, 1] = 0.4 + 0.2 * xy[:, k, 1]
        conf[:, 0, idx] = np.isfinite(xy[:, k]).all(axis=1)
    return LandmarkSequence(comps, np.nan_to_num(data), conf, fps=fps, width=512, height=512)


def predict_audio(ckpt: str | os.PathLike[str], audio_path: str | os.PathLike[str], *, out: str | os.PathLike[str],
                  render: str | os.PathLike[str] | None = None, envelope_out: str | os.PathLike[str] | None = None) -> dict[str, str | int]:
    """Predict gesture for an audio (or video) file; write ``out`` (a landmark file) and optionally a video."""
    from .. import io
    from ..audio import load

    model, _, cfg = load_a2g(ckpt)
    fps = float(cfg["fps"])
    y, sr = load(audio_path, sr=16000)
    n = int(math.floor(len(y) / sr * fps))
    if n < 1:
        raise DataError(f"audio is too short ({len(y) / sr:.3f} s) for one frame at {fps:g} fps", path=audio_path)
    x, _ = audio_inputs(y, sr=sr, fps=fps, n_frames=n)
    pred = predict_clip(model, x)
    seq = prediction_to_sequence(pred, fps=fps)
    written: dict[str, str | int] = {"landmarks": str(io.write(seq, out))}
    if envelope_out:
        env = Stream("a2g_envelope", pred[:, N_POSE * 2:], ENVELOPE_NAMES, fps)
        written["envelope"] = str(io.write_stream(env, envelope_out))
    if render:
        from ..io.render import render as render_video
        written["video"] = str(render_video(seq, Path(render), audio=(y, sr)))  # render() starts with Path(out)
    written["frames"] = n
    return written
