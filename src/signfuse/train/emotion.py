"""Tri-modal emotion / intensity recognition: gesture kinematics, face, voice prosody.

Streams (all on the landmark clock, one sample = one clip):

``gesture``  from :func:`signfuse.motion.features`: speed, acceleration, jerk, amplitude, energy and
             presence of each hand and the head, plus both hands' summed speed and energy
``face``     :func:`signfuse.face.features`: head pose and action-unit intensities
``voice``    :func:`signfuse.audio.features` pooled onto the landmark clock: F0 (semitones), voicing,
             RMS energy, spectral centroid, flux, zero-crossing rate, onset strength, 13 MFCCs

Labels: ``emotion`` (the sample's emotion class) or ``intensity`` (movement intensity in three bins:
low < 1/3 <= mid < 2/3 <= high).

:func:`run_experiment` trains one model per single stream and one per fusion (early, late, cross-modal
attention; :mod:`signfuse.models.emotion`) with the same seed, reports accuracy and macro-F1 on the test
split (held-out signers), and the robustness of each fusion model when one modality is missing at test
time: *zeroed* (the stream's raw values set to 0, mask kept: a dead sensor) or *dropped* (the stream
absent, masked out).
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import DataError, ParameterError
from ..streams import align

__all__ = ["STREAMS", "LABELS", "EmotionSample", "load_samples", "samples_from_data", "train_classifier",
           "evaluate", "run_experiment", "load_emotion", "predict_file"]

log = logging.getLogger(__name__)

STREAMS = ("gesture", "face", "voice")
LABELS = ("emotion", "intensity")
INTENSITY_BINS = ("low", "mid", "high")
_GESTURE_COLS = tuple(f"{t}_{c}" for t in ("lh", "rh", "head") for c in ("speed", "acc", "jerk", "amplitude", "energy", "present")) \
    + ("hands_speed", "hands_energy")
_VOICE_COLS = ("f0_semitones", "voicing", "rms_db", "centroid", "flux", "zcr", "onset") + tuple(f"mfcc_{i:02d}" for i in range(13))


@dataclass
class EmotionSample:
    id: str
    split: str
    signer: str | None
    label: str
    x: dict[str, np.ndarray]       # stream -> (T, F) float32, NaN where unknown
    mask: dict[str, np.ndarray]    # stream -> (T,) bool


def _label(entry: Any, target: str) -> str:
    meta = entry.meta or {}
    if target == "emotion":
        if not meta.get("emotion"):
            raise DataError(f"sample {entry.id} has no emotion label", path=entry.path)
        return str(meta["emotion"])
    v = meta.get("intensity")
    if v is None or not math.isfinite(float(v)):
        raise DataError(f"sample {entry.id} has no intensity value", path=entry.path)
    return INTENSITY_BINS[min(2, int(float(v) * 3))]


def sample_streams(seq, wav: np.ndarray | None, sr: int | None) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The three streams of one clip, on the landmark clock."""
    from .. import face, motion
    from ..audio import features as audio_features

    T = seq.n_frames
    xs, ms = {}, {}
    g = motion.features(seq).select(_GESTURE_COLS)
    xs["gesture"], ms["gesture"] = g.values, g.mask
    if seq.has("FACE"):
        f = face.features(seq)
        xs["face"], ms["face"] = f.values, f.mask
    if wav is not None:
        a = audio_features(wav, sr=sr, hop_ms=10.0).select(_VOICE_COLS)
        a = align([a], fps=seq.fps, duration=T / seq.fps)[a.name]
        v = np.full((T, a.n_features), np.nan, np.float32)
        m = np.zeros(T, bool)
        v[:a.n_frames], m[:a.n_frames] = a.values[:T], a.mask[:T]
        xs["voice"], ms["voice"] = v, m
    return xs, ms


def load_samples(entries: Sequence[Any], *, target: str = "emotion",
                 progress: Callable[[int, int], None] | None = None) -> list[EmotionSample]:
    """Read entries into samples; broken files are logged and skipped."""
    from .. import io
    from ..audio import load

    if target not in LABELS:
        raise ParameterError(f"target={target!r} must be one of {LABELS}")
    out = []
    for i, e in enumerate(entries):
        try:
            p = Path(e.path)
            seq = io.read(p, fps=e.fps) if p.suffix == ".parquet" else io.read(p)
            apath = (e.meta or {}).get("audio")
            wav, sr = load(apath, sr=16000) if apath else (None, None)
            xs, ms = sample_streams(seq, wav, sr)
            out.append(EmotionSample(e.id, e.split or "train", e.signer, _label(e, target), xs, ms))
        except DataError as err:
            log.warning("skipping %s: %s", e.id, err)
        if progress:
            progress(i + 1, len(entries))
    return out


def samples_from_data(data: str | os.PathLike[str], *, target: str = "emotion", kinds: Sequence[str] = ("isolated",),
                      limit_per_split: int | None = None, seed: int = 0,
                      progress: Callable[[int, int], None] | None = None) -> list[EmotionSample]:
    """Samples from a synthetic corpus folder (entries with emotion/intensity labels)."""
    root = Path(data)
    if not (root / "corpus.json").exists():
        raise DataError("emotion training needs a corpus with emotion labels (corpus.json not found)", path=root)
    from ..datasets.synthetic import load_corpus
    entries = [e for e in load_corpus(root) if (e.meta or {}).get("kind") in kinds]
    if limit_per_split:
        rng = np.random.default_rng(seed)
        picked = []
        for split in ("train", "val", "test"):
            es = [e for e in entries if e.split == split]
            idx = rng.permutation(len(es))[:limit_per_split]
            picked += [es[i] for i in sorted(idx)]
        entries = picked
    return load_samples(entries, target=target, progress=progress)


# ----------------------------------------------------------------------------------------------- training
def _stats(samples: Sequence[EmotionSample], streams: Sequence[str]) -> dict[str, dict[str, list[float]]]:
    out = {}
    for s in streams:
        X = np.concatenate([smp.x[s][smp.mask[s]] for smp in samples if s in smp.x]).astype(np.float64)
        m, sd = np.nanmean(X, 0), np.nanstd(X, 0)
        out[s] = {"mean": np.where(np.isfinite(m), m, 0.0).tolist(),
                  "std": np.where(np.isfinite(sd) & (sd > 1e-6), sd, 1.0).tolist()}
    return out


def _batch(samples: Sequence[EmotionSample], streams: Sequence[str], classes: Sequence[str], *,
           missing: dict[str, str] | None = None):
    import torch
    T = max(max(v.shape[0] for v in s.x.values()) for s in samples)
    x, m = {}, {}
    for st in streams:
        if missing and missing.get(st) == "dropped":
            continue
        F = next(s.x[st].shape[1] for s in samples if st in s.x)
        xv = np.zeros((len(samples), T, F), np.float32)
        mv = np.zeros((len(samples), T), bool)
        for k, s in enumerate(samples):
            if st in s.x:
                n = s.x[st].shape[0]
                xv[k, :n], mv[k, :n] = s.x[st], s.mask[st]
        if missing and missing.get(st) == "zeroed":
            xv[:] = 0.0
            mv[:, :] = True
        x[st], m[st] = torch.from_numpy(xv), torch.from_numpy(mv)
    y = torch.tensor([classes.index(s.label) for s in samples], dtype=torch.long)
    return x, m, y


class _Loader:
    def __init__(self, samples, streams, classes, batch_size, seed):
        self.samples, self.streams, self.classes, self.bs, self.seed, self.epoch = samples, streams, classes, batch_size, seed, 0

    def __iter__(self):
        order = np.arange(len(self.samples)) if self.seed is None else \
            np.random.default_rng(self.seed + self.epoch).permutation(len(self.samples))
        self.epoch += 1
        for i in range(0, len(order), self.bs):
            yield _batch([self.samples[j] for j in order[i:i + self.bs]], self.streams, self.classes)

    def __len__(self):
        return math.ceil(len(self.samples) / self.bs)


def train_classifier(samples: Sequence[EmotionSample], *, streams: Sequence[str], fusion: str, classes: Sequence[str],
                     epochs: int = 20, batch_size: int = 32, lr: float = 2e-3, seed: int = 0, dim: int = 64,
                     modality_dropout: float = 0.0, label_smoothing: float = 0.1):
    """Train one :class:`~signfuse.models.emotion.EmotionFusion` with Lightning; returns the model (eval mode)."""
    import lightning as L
    import torch

    from ..models import create_model

    train = [s for s in samples if s.split == "train"]
    if not train:
        raise DataError("no samples in the 'train' split")
    if len(set(s.label for s in train)) < 2:
        raise DataError(f"the training split has a single class ({train[0].label!r}); nothing to learn")
    for st in streams:
        if st not in STREAMS:
            raise ParameterError(f"unknown stream {st!r}; known: {STREAMS}")
        if not any(st in s.x for s in train):
            raise DataError(f"no training sample has the {st!r} stream")
    L.seed_everything(seed, workers=True, verbose=False)
    in_dims = {st: next(s.x[st].shape[1] for s in train if st in s.x) for st in streams}
    net = create_model("emotion", in_dims=in_dims, num_classes=len(classes), fusion=fusion, dim=dim,
                       modality_dropout=modality_dropout if len(streams) > 1 else 0.0,
                       norm_stats=_stats(train, streams))

    class Module(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.model = net

        def training_step(self, batch, _):
            x, m, y = batch
            loss = torch.nn.functional.cross_entropy(self.model(x, m)["logits"], y, label_smoothing=label_smoothing)
            self.log("train_loss", loss, batch_size=len(y))
            return loss

        def configure_optimizers(self):
            opt = torch.optim.AdamW(self.model.parameters(), lr=lr, weight_decay=1e-3)
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=max(1, self.trainer.estimated_stepping_batches))
            return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}

    trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, deterministic=True,
                        gradient_clip_val=1.0, num_sanity_val_steps=0, log_every_n_steps=1)
    trainer.fit(Module(), _Loader(train, list(streams), list(classes), batch_size, seed))
    return net.eval()


def evaluate(model, samples: Sequence[EmotionSample], classes: Sequence[str], *,
             missing: dict[str, str] | None = None, batch_size: int = 64) -> dict[str, float]:
    """Accuracy and macro-F1 (over the classes present in ``samples``)."""
    import torch

    if not samples:
        raise DataError("no samples to evaluate (empty split)")
    preds, ys = [], []
    with torch.no_grad():
        for i in range(0, len(samples), batch_size):
            x, m, y = _batch(samples[i:i + batch_size], list(model.streams), classes, missing=missing)
            preds.append(model(x, m)["logits"].argmax(-1).numpy())
            ys.append(y.numpy())
    p, y = np.concatenate(preds), np.concatenate(ys)
    return {"accuracy": float(np.mean(p == y)), "macro_f1": macro_f1(y, p)}


def macro_f1(y: np.ndarray, p: np.ndarray) -> float:
    """Macro-averaged F1 over the classes that occur in ``y`` or ``p``."""
    f1s = []
    for c in np.union1d(y, p):
        tp = np.sum((p == c) & (y == c))
        fp = np.sum((p == c) & (y != c))
        fn = np.sum((p != c) & (y == c))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s)) if f1s else float("nan")


def run_experiment(samples: Sequence[EmotionSample], out_dir: str | os.PathLike[str], *, epochs: int = 20,
                   seed: int = 0, fusions: Sequence[str] = ("early", "late", "cross"),
                   streams: Sequence[str] = STREAMS, target: str = "emotion") -> dict[str, Any]:
    """Single streams and every fusion, same seed; the table (also ``OUT/emotion_table.json``) and checkpoints."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    classes = sorted({s.label for s in samples})
    test = [s for s in samples if s.split == "test"] or [s for s in samples if s.split == "val"]
    if not test:
        raise DataError("no samples in the test (or val) split")
    streams = [st for st in streams if any(st in s.x for s in samples)]
    if not streams:
        raise DataError("none of the requested streams is present in the samples")
    table: dict[str, Any] = {"classes": classes, "target": target, "n_train": sum(s.split == "train" for s in samples),
                             "n_test": len(test), "rows": {}, "robustness": {}}
    t0 = time.perf_counter()
    for st in streams:
        m = train_classifier(samples, streams=[st], fusion="single", classes=classes, epochs=epochs, seed=seed)
        table["rows"][st] = evaluate(m, test, classes)
    for fu in (fusions if len(streams) > 1 else ()):
        m = train_classifier(samples, streams=streams, fusion=fu, classes=classes, epochs=epochs, seed=seed,
                             modality_dropout=0.2)
        table["rows"][f"fusion_{fu}"] = evaluate(m, test, classes)
        rob = {}
        for st in streams:
            for how in ("zeroed", "dropped"):
                rob[f"{st}_{how}"] = evaluate(m, test, classes, missing={st: how})
        table["robustness"][f"fusion_{fu}"] = rob
        _save(m, out / f"emotion_{fu}.ckpt", classes=classes, fusion=fu, target=target)
    table["train_seconds"] = round(time.perf_counter() - t0, 1)
    singles = {k: v for k, v in table["rows"].items() if not k.startswith("fusion_")}
    fused = {k: v for k, v in table["rows"].items() if k.startswith("fusion_")}
    best_single = max(singles, key=lambda k: singles[k]["accuracy"])
    table["best_single"] = best_single
    if fused:
        best_fusion = max(fused, key=lambda k: fused[k]["accuracy"])
        table["best_fusion"] = best_fusion
        table["fusion_beats_best_single"] = bool(fused[best_fusion]["accuracy"] > singles[best_single]["accuracy"])
    tmp = out / "emotion_table.json.tmp"
    tmp.write_text(json.dumps(table, indent=2))
    os.replace(tmp, out / "emotion_table.json")
    return table


def _save(model, path: Path, *, classes, fusion, target) -> Path:
    from ..models.checkpoint import write_torch_file
    ck = {"kind": "emotion", "model": "emotion", "fusion": fusion, "target": target, "classes": list(classes),
          "kwargs": {"in_dims": dict(model.in_dims), "num_classes": model.num_classes, "fusion": fusion,
                     "dim": model.encoders[0].proj[0].out_features}, "state_dict": model.state_dict()}
    return write_torch_file(ck, path)


def load_emotion(path: str | os.PathLike[str]):
    """``(model, checkpoint dict)`` from a checkpoint written by :func:`run_experiment`."""
    from ..models import create_model
    from ..models.checkpoint import read_torch_file

    ck = read_torch_file(path, kind="emotion")
    net = create_model("emotion", **ck["kwargs"])
    net.load_state_dict(ck["state_dict"])
    return net.eval(), ck


def predict_file(ckpt: str | os.PathLike[str], landmarks: str | os.PathLike[str], *,
                 audio: str | os.PathLike[str] | None = None, fps: float | None = None) -> dict[str, float]:
    """Class probabilities for one landmark file (plus its audio, when the model uses voice)."""
    import torch

    from .. import io
    from ..audio import load

    model, ck = load_emotion(ckpt)
    p = Path(landmarks)
    seq = io.read(p, fps=fps) if p.suffix == ".parquet" else io.read(p)
    wav, sr = load(audio, sr=16000) if audio else (None, None)
    xs, ms = sample_streams(seq, wav, sr)
    x = {k: torch.from_numpy(np.array(v[None], dtype=np.float32)) for k, v in xs.items() if k in model.streams}
    m = {k: torch.from_numpy(np.array(ms[k][None])) for k in x}
    with torch.no_grad():
        prob = torch.softmax(model(x, m)["logits"][0], -1).numpy()
    return {c: float(v) for c, v in sorted(zip(ck["classes"], prob), key=lambda t: -t[1])}
