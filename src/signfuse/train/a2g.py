"""Audio to gesture: training and evaluation against baselines (the data is :mod:`signfuse.samples.a2g`,
prediction :mod:`signfuse.inference.a2g`).

Data
    Each clip pairs a landmark file with its audio (the synthetic corpus's wav, or the soundtrack of the
    video a landmark file was extracted from). Audio features (:func:`signfuse.audio.features`, 100 Hz)
    are pooled onto the landmark clock with :func:`signfuse.streams.align`; inputs are the F0 contour in
    semitones, voicing, RMS energy (dB), spectral centroid, flux, onset strength, the 80 log-mel bands
    and their time derivatives (``INPUT_NAMES``).
Targets
    ``envelope``: amplitude and speed of each hand (from :func:`signfuse.motion.features`), and
    ``pose``: shoulders, elbows, wrists and both hands' 21 points in x, y, shoulder-centred and
    shoulder-width scaled (:func:`signfuse.preprocess.normalize`). One model predicts both.
Evaluation (:func:`evaluate_clips`), every metric defined in :mod:`signfuse.crossmodal.gesture_metrics`
    keypoint L1, PCK@0.1/0.2, speed/acceleration/jerk versus the real ones, Hellinger distance of speed
    histograms, envelope correlation (hands' summed speed and max amplitude), beat alignment score
    (audio onset peaks vs. local minima of predicted hand speed, sigma 0.1 s, the AIST++/BEAT
    definition; ``beat_align_peaks`` uses speed maxima, the stroke apexes, as a variant; the real
    motion's own scores are reported as the reference) and the Frechet Gesture
    Distance in the latent space of a motion autoencoder trained here on the training split and saved
    with the run. Baselines in the same table: the training mean pose, and random real segments of the
    same length taken from training clips.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError, ParameterError
from ..models.a2g import predict_clip
from ..samples.a2g import (
    ENVELOPE_NAMES,
    HAND_ROWS,
    INPUT_NAMES,
    N_POSE,
    POSE_POINTS,
    TARGET_DIM,
    Clip,
    clips_from_data,
    load_clips,
)
from .data import feature_stats

__all__ = [
    "INPUT_NAMES",
    "ENVELOPE_NAMES",
    "POSE_POINTS",
    "Clip",
    "load_clips",
    "clips_from_data",
    "train_a2g",
    "evaluate_clips",
    "fgd",
    "rtf",
    "DEFAULT_LR",
    "BEAT_SIGMA_S",
]

BEAT_SIGMA_S = 0.1

log = logging.getLogger(__name__)


# ----------------------------------------------------------------------------------------------- training
def _quiet(fn, a, axis=None):
    """``fn(a, axis)`` for numpy's nan-reductions without the warning for all-NaN slices (a body part
    never seen in a dataset, a metric undefined on every clip); the result is NaN there."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(a, axis=axis)


def _stats(clips: Sequence[Clip]) -> dict[str, list[float]]:
    x, y = feature_stats(c.x for c in clips), feature_stats(c.y for c in clips)
    return {"x_mean": x["mean"], "x_std": x["std"], "y_mean": y["mean"], "y_std": y["std"]}


def _items(clips: Sequence[Clip]) -> list[dict]:
    """Dataset items for :func:`~signfuse.train.data.pad_collate` (padding: mask False, target ignored)."""
    return [{"x": c.x, "y": c.y, "mask": np.ones(c.n_frames, bool)} for c in clips]


def _loss(model, x, y, m):
    import torch

    out = model(x, m)
    target = model.normalize_target(y)
    ok = torch.isfinite(target) & m.unsqueeze(-1)
    t = torch.where(ok, target, torch.zeros_like(target))
    err = (out["y_norm"] - t).abs() * ok
    l_pos = err.sum() / ok.sum().clamp_min(1)
    # velocity term: keeps the timing of strokes, not only positions
    okv = ok[:, 1:] & ok[:, :-1]
    dv = ((out["y_norm"][:, 1:] - out["y_norm"][:, :-1]) - (t[:, 1:] - t[:, :-1])).abs() * okv
    l_vel = dv.sum() / okv.sum().clamp_min(1)
    return l_pos + 0.5 * l_vel


def _module_class():
    import lightning as L
    import torch

    from ..models import create_model

    class A2GModule(L.LightningModule):
        """Audio-to-gesture regression (L1 on positions + 0.5 L1 on velocities), one-cycle schedule."""

        def __init__(self, *, model_name: str, model_kwargs: dict, lr: float, weight_decay: float = 1e-4):
            super().__init__()
            self.save_hyperparameters()
            self.model = create_model(model_name, **model_kwargs)

        def signfuse_header(self) -> dict:
            hp = self.hparams
            return {"kind": "a2g", "model_name": hp.model_name, "model_kwargs": dict(hp.model_kwargs)}

        def training_step(self, batch, _):
            loss = _loss(self.model, batch["x"], batch["y"], batch["mask"])
            self.log("train_loss", loss, prog_bar=True, batch_size=batch["x"].shape[0])
            return loss

        def validation_step(self, batch, _):
            self.log(
                "val_loss",
                _loss(self.model, batch["x"], batch["y"], batch["mask"]),
                prog_bar=True,
                batch_size=batch["x"].shape[0],
            )

        def configure_optimizers(self):
            opt = torch.optim.AdamW(self.model.parameters(), lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)
            sched = torch.optim.lr_scheduler.OneCycleLR(
                opt, max_lr=self.hparams.lr, total_steps=max(1, self.trainer.estimated_stepping_batches)
            )
            return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}

    return A2GModule


#: Peak learning rate (one-cycle schedule) per model when none is given. The Transformer wants a smaller
#: one: on benchmarks/bench_a2g.py's corpus, 25 epochs, its beat alignment was 0.375 at 3e-3 and 0.538
#: at 1e-3 (envelope correlation 0.769 and 0.728). That choice was made on the benchmark's held-out
#: split itself (three settings tried), so the Transformer's benchmark figures are slightly optimistic.
DEFAULT_LR = {"a2g_gru": 3e-3, "a2g_transformer": 1e-3}


def train_a2g(
    clips: Sequence[Clip],
    out_dir: str | os.PathLike[str],
    *,
    model: str = "a2g_gru",
    epochs: int = 20,
    batch_size: int = 16,
    lr: float | None = None,
    seed: int = 0,
    dim: int = 96,
    fgd_steps: int = 300,
    model_kwargs: dict | None = None,
    progress_bar: bool = False,
    accelerator: str = "auto",
    resume: bool = False,
    overwrite: bool = False,
    callbacks: Sequence[Any] = (),
) -> Path:
    """Train an audio-to-gesture model and the FGD autoencoder; write ``OUT/a2g.ckpt`` and ``OUT/config.json``.

    Training uses the ``train`` clips, validation the ``val`` clips (held-out signers in the corpus), through
    :func:`signfuse.train.trainer.fit_module` (``OUT/checkpoints/last.ckpt`` every epoch: ``resume``).
    ``lr`` is the peak of the one-cycle schedule (default: :data:`DEFAULT_LR` for the model, else 3e-3).
    ``a2g.ckpt`` holds the final epoch's weights. Returns its path.
    """
    import torch

    from ..models import list_models
    from ..models.checkpoint import Checkpoint, write_checkpoint
    from .data import pad_collate
    from .trainer import TrainerConfig, fit_module

    train = [c for c in clips if c.split == "train"]
    val = [c for c in clips if c.split == "val"]
    if not train:
        raise DataError("audio-to-gesture training needs clips in the 'train' split; none found")
    if model not in list_models("a2g"):
        raise ParameterError(
            f"model={model!r} is not an audio-to-gesture model; choose one of {', '.join(list_models('a2g'))}"
        )
    lr = float(DEFAULT_LR.get(model, 3e-3) if lr is None else lr)
    if not (math.isfinite(lr) and 0 < lr <= 10):
        raise ParameterError(f"lr={lr} must be a positive number up to 10")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ParameterError(f"batch_size={batch_size!r} must be a positive integer")
    out = Path(out_dir)
    tc = TrainerConfig(
        run_dir=out,
        epochs=epochs,
        monitor="val_loss",
        mode="min",
        patience=None,
        seed=seed,
        accelerator=accelerator,
        gradient_clip_val=1.0,
        deterministic=True,
        progress=progress_bar,
        log_every_n_steps=1,
        overwrite=overwrite,
        callbacks=tuple(callbacks),
        history_name="history.json",
    )
    stats = _stats(train)
    kwargs = dict(in_dim=len(INPUT_NAMES), out_dim=TARGET_DIM, dim=dim, **(model_kwargs or {}))
    module = _module_class()(model_name=model, model_kwargs={**kwargs, "norm_stats": stats}, lr=lr)
    g = torch.Generator().manual_seed(seed)
    train_loader = torch.utils.data.DataLoader(
        _items(train), batch_size=batch_size, shuffle=True, generator=g, collate_fn=pad_collate
    )
    val_loader = (
        torch.utils.data.DataLoader(_items(val), batch_size=batch_size, collate_fn=pad_collate) if val else None
    )
    config = {
        "model": model,
        "epochs": epochs,
        "batch_size": batch_size,
        "lr": lr,
        "seed": seed,
        "dim": dim,
        "fps": float(np.median([c.fps for c in train])),
        "n_train": len(train),
        "n_val": len(val),
        "input_names": list(INPUT_NAMES),
        "target": {"pose_points": [f"{c}:{p}" for c, p in POSE_POINTS], "envelope": list(ENVELOPE_NAMES)},
    }
    t0 = time.perf_counter()
    fit_module(module, train_loader, val_loader, trainer=tc, config=config, resume=resume)
    config["train_seconds"] = round(time.perf_counter() - t0, 2)
    net = module.model.cpu().eval()
    ae = _train_autoencoder(train, steps=fgd_steps, seed=seed)
    ck = Checkpoint(
        "a2g",
        model,
        {**kwargs, "norm_stats": stats},
        net.state_dict(),
        None,
        config,
        None,
        {"fgd_autoencoder": {"kwargs": {"in_dim": N_POSE * 2}, "state_dict": ae.state_dict()}},
    )
    path = write_checkpoint(ck, out / "a2g.ckpt")
    from ..io import atomic_path

    with atomic_path(out / "config.json") as tmp:
        tmp.write_text(json.dumps(config, indent=2))
    return path


# ----------------------------------------------------------------------------------------------- FGD
FGD_WINDOW = 32


def _pose_windows(pose_seqs: Sequence[np.ndarray], *, stride: int = 8) -> np.ndarray:
    """``(N, FGD_WINDOW, N_POSE*2)`` windows of pose targets with NaN filled by each window's mean."""
    wins = []
    for p in pose_seqs:
        T = p.shape[0]
        if T < FGD_WINDOW:
            p = np.concatenate([p, np.repeat(p[-1:], FGD_WINDOW - T, axis=0)])
            T = FGD_WINDOW
        for s in range(0, T - FGD_WINDOW + 1, stride):
            w = p[s : s + FGD_WINDOW].astype(np.float64)
            col = _quiet(np.nanmean, np.where(np.isfinite(w), w, np.nan), 0)
            w = np.where(np.isfinite(w), w, np.where(np.isfinite(col), col, 0.0))
            wins.append(w)
    return np.asarray(wins, dtype=np.float32)


def _train_autoencoder(train: Sequence[Clip], *, steps: int, seed: int):
    import torch

    from ..models.a2g import MotionAutoencoder

    torch.manual_seed(seed)
    W = _pose_windows([c.y[:, : N_POSE * 2] for c in train])
    ae = MotionAutoencoder(in_dim=N_POSE * 2)
    if len(W) == 0 or steps <= 0:
        return ae.eval()
    data = torch.from_numpy(W)
    opt = torch.optim.Adam(ae.parameters(), lr=2e-3)
    g = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        idx = torch.randint(len(data), (min(64, len(data)),), generator=g)
        rec, _ = ae(data[idx])
        loss = (rec - data[idx]).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return ae.eval()


def fgd(ae, real: Sequence[np.ndarray], gen: Sequence[np.ndarray]) -> float:
    """Frechet Gesture Distance between real and generated pose sequences in the autoencoder's latent space."""
    import torch

    from ..crossmodal.gesture_metrics import frechet_distance

    wr, wg = _pose_windows(real), _pose_windows(gen)
    if len(wr) < 2 or len(wg) < 2:
        return float("nan")
    with torch.no_grad():
        fr = ae.embed(torch.from_numpy(wr)).numpy()
        fg = ae.embed(torch.from_numpy(wg)).numpy()
    return frechet_distance(fr, fg)


# ----------------------------------------------------------------------------------------------- eval
def _envelopes(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(summed hand speed, max hand amplitude) from a target/prediction matrix."""
    env = y[:, N_POSE * 2 :]
    amp = np.nanmax(np.stack([env[:, 0], env[:, 2]]), axis=0) if np.isfinite(env[:, [0, 2]]).any() else env[:, 0]
    speed = np.nansum(np.stack([env[:, 1], env[:, 3]]), axis=0)
    return speed, amp


def _clip_metrics(pred: np.ndarray, clip: Clip) -> dict[str, float]:
    from ..crossmodal import audio_beats, beat_alignment, envelope_peaks, motion_beats
    from ..crossmodal.gesture_metrics import envelope_corr, keypoint_l1, pck

    T = clip.n_frames
    pp, tp = pred[:, : N_POSE * 2].reshape(T, N_POSE, 2), clip.y[:, : N_POSE * 2].reshape(T, N_POSE, 2)
    ps, pa = _envelopes(pred)
    ts, ta = _envelopes(clip.y)
    corr = [envelope_corr(ps, ts), envelope_corr(pa, ta)]
    corr = [0.0 if not math.isfinite(c) else c for c in corr]  # a flat prediction has no correlation
    ab = audio_beats(np.nan_to_num(clip.onset), fps=clip.fps)
    ba = beat_alignment(ab, motion_beats(ps, fps=clip.fps), sigma=BEAT_SIGMA_S)
    # variant: motion beats at speed *peaks* (stroke apexes)
    bp = beat_alignment(ab, envelope_peaks(ps, fps=clip.fps), sigma=BEAT_SIGMA_S)
    seen = np.isfinite(tp).all(axis=2)
    tpm = np.where(seen[..., None], tp, np.nan)
    return {
        "l1": keypoint_l1(np.where(seen[..., None], pp, np.nan), tpm),
        "pck_0.1": pck(pp, tpm, alpha=0.1),
        "pck_0.2": pck(pp, tpm, alpha=0.2),
        "env_corr_speed": corr[0],
        "env_corr_amplitude": corr[1],
        "env_corr": float(np.mean(corr)),
        "beat_align": ba,
        "beat_align_peaks": bp,
    }


def _random_segment(train: Sequence[Clip], T: int, rng: np.random.Generator) -> np.ndarray:
    c = train[int(rng.integers(len(train)))]
    y = c.y
    if y.shape[0] >= T:
        s = int(rng.integers(0, y.shape[0] - T + 1))
        return y[s : s + T]
    reps = math.ceil(T / y.shape[0])
    return np.concatenate([y] * reps)[:T]


def evaluate_clips(model, ae, clips: Sequence[Clip], train: Sequence[Clip], *, seed: int = 0) -> dict[str, Any]:
    """Metrics of the model and the two baselines on ``clips``; a dict ``{method: {metric: value}}``."""
    from ..crossmodal.gesture_metrics import kinematic_gaps, speed_hellinger

    if not clips:
        raise DataError("no clips to evaluate (empty split)")
    rng = np.random.default_rng(seed)
    y_mean = _quiet(np.nanmean, np.concatenate([c.y for c in train]), 0)  # NaN: a part never seen
    preds = {
        "model": [predict_clip(model, c.x) for c in clips],
        "mean_pose": [np.repeat(y_mean[None], c.n_frames, axis=0) for c in clips],
        "random_segment": [_random_segment(train, c.n_frames, rng) for c in clips],
    }
    table: dict[str, Any] = {}
    real_hands = [c.y[:, : N_POSE * 2].reshape(c.n_frames, N_POSE, 2)[:, HAND_ROWS] for c in clips]
    for name, ps in preds.items():
        rows = [_clip_metrics(p, c) for p, c in zip(ps, clips)]
        agg = {k: float(_quiet(np.nanmean, [r[k] for r in rows])) for k in rows[0]}
        gen_hands = [p[:, : N_POSE * 2].reshape(p.shape[0], N_POSE, 2)[:, HAND_ROWS] for p in ps]
        G = np.concatenate([np.nan_to_num(g) for g in gen_hands])
        R = np.concatenate([np.nan_to_num(r) for r in real_hands])
        gaps = kinematic_gaps(G, R, fps=clips[0].fps)
        agg.update({f"{k}": v for k, v in gaps.items() if k.endswith("_ratio")})
        agg["speed_hellinger"] = speed_hellinger(G, R, fps=clips[0].fps)
        agg["fgd"] = fgd(ae, [c.y[:, : N_POSE * 2] for c in clips], [p[:, : N_POSE * 2] for p in ps])
        table[name] = agg
    # the real gesture's own scores, as the reference the model should approach
    real = [_clip_metrics(c.y, c) for c in clips]
    table["real"] = {k: float(_quiet(np.nanmean, [r[k] for r in real])) for k in ("beat_align", "beat_align_peaks")}
    m, b1, b2 = table["model"], table["mean_pose"], table["random_segment"]
    table["model_beats_baselines"] = {
        k: bool(m[k] > max(b1[k], b2[k])) for k in ("env_corr", "beat_align", "beat_align_peaks")
    }
    return table


def rtf(model, *, seconds: float = 60.0, fps: float = 30.0, threads: int = 1) -> float:
    """Real-time factor of the model alone (compute seconds per second of audio) on ``threads`` threads."""
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        x = np.random.default_rng(0).normal(size=(int(seconds * fps), len(INPUT_NAMES))).astype(np.float32)
        predict_clip(model, x[:60])
        t0 = time.perf_counter()
        predict_clip(model, x)
        return (time.perf_counter() - t0) / seconds
    finally:
        torch.set_num_threads(old)
