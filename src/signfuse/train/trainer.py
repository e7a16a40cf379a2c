"""The one Lightning fit for every task: :class:`TrainerConfig` and :func:`fit_module`.

Recognition, audio-to-gesture, emotion and translation each define a small LightningModule with a
``signfuse_header()`` (kind, model name and kwargs, vocabulary: see :mod:`signfuse.models.checkpoint`)
and train through :func:`fit_module`, which gives all of them the same run folder::

    RUN/config.yaml                  the resolved configuration
    RUN/<ckpt_dir>/best.ckpt         best epoch by ``monitor`` (when there is validation data)
    RUN/<ckpt_dir>/last.ckpt         written at the end of *every* epoch, so a killed run resumes at the
                                     next epoch (``resume=True``)
    RUN/metrics.json                 per-epoch history of the logged metrics (``history_name``)
    RUN/csv/, RUN/tensorboard/       logs (a resumed session gets its own CSV folder)

Checkpoints are written atomically and read back with ``weights_only=True`` through a Lightning
``CheckpointIO`` plugin (:class:`SafeCheckpointIO`), so a crafted ``last.ckpt`` cannot run code even
when ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` is set, and a truncated one is a clear error naming it.
The accelerator defaults to ``auto`` (a GPU when there is one).
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataError, ParameterError

__all__ = [
    "TrainerConfig",
    "FitResult",
    "fit_module",
    "SafeCheckpointIO",
    "plain",
    "epoch_callback",
    "trainer_config",
    "ACCELERATORS",
    "PRECISIONS",
]

log = logging.getLogger(__name__)

ACCELERATORS = ("auto", "cpu", "gpu", "cuda", "mps")
PRECISIONS = ("32-true", "32", "16-mixed", "bf16-mixed", "16-true", "bf16-true", "64-true", "64")


def _positive_int(name: str, v: Any, *, minimum: int = 1) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
        raise ParameterError(f"{name}={v!r} must be an integer >= {minimum}")
    return v


@dataclass(frozen=True)
class TrainerConfig:
    """How to fit (not what): epochs, hardware, stopping, checkpoints. Validated on construction."""

    run_dir: Path
    epochs: int = 20
    ckpt_dir: Path | None = None  # default RUN/checkpoints
    monitor: str = "val_loss"
    mode: str = "min"
    patience: int | None = 10  # None: no early stopping
    max_minutes: float | None = None  # stop cleanly after this long (the best checkpoint is kept)
    accelerator: str = "auto"
    devices: int | str = 1
    num_nodes: int = 1
    strategy: str = "auto"
    precision: str = "32-true"
    gradient_clip_val: float | None = None
    seed: int = 0
    deterministic: bool = False
    progress: bool = True
    log_every_n_steps: int = 10
    threads: int | None = None
    overwrite: bool = False  # train into a folder that already has checkpoints
    history_name: str = "metrics.json"  # per-epoch history file in run_dir
    callbacks: tuple = field(default=(), compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "run_dir", Path(self.run_dir))
        if self.ckpt_dir is not None:
            object.__setattr__(self, "ckpt_dir", Path(self.ckpt_dir))
        _positive_int("epochs", self.epochs)
        _positive_int("num_nodes", self.num_nodes)
        _positive_int("log_every_n_steps", self.log_every_n_steps)
        if self.patience is not None:
            _positive_int("patience", self.patience, minimum=0)
        if self.threads is not None:
            _positive_int("threads", self.threads)
        if self.mode not in ("min", "max"):
            raise ParameterError(f"mode={self.mode!r} must be 'min' or 'max'")
        if self.max_minutes is not None and not (
            isinstance(self.max_minutes, (int, float)) and math.isfinite(self.max_minutes) and self.max_minutes > 0
        ):
            raise ParameterError(f"max_minutes={self.max_minutes!r} must be a positive number")
        if self.gradient_clip_val is not None and not (
            isinstance(self.gradient_clip_val, (int, float))
            and math.isfinite(self.gradient_clip_val)
            and self.gradient_clip_val > 0
        ):
            raise ParameterError(f"gradient_clip_val={self.gradient_clip_val!r} must be a positive number")
        acc = str(self.accelerator).lower()
        if acc not in ACCELERATORS:
            raise ParameterError(f"accelerator={self.accelerator!r} must be one of {', '.join(ACCELERATORS)}")
        if str(self.precision) not in PRECISIONS:
            raise ParameterError(f"precision={self.precision!r} must be one of {', '.join(PRECISIONS)}")
        if acc in ("gpu", "cuda"):
            import torch

            if not torch.cuda.is_available():
                raise ParameterError(
                    f"accelerator={self.accelerator!r} but no CUDA GPU is available here (use 'auto' or 'cpu')"
                )
        if isinstance(self.devices, int) and not isinstance(self.devices, bool):
            _positive_int("devices", self.devices)
        elif not (
            isinstance(self.devices, str) and (self.devices == "auto" or self.devices.replace(",", "").isdigit())
        ):
            raise ParameterError(f"devices={self.devices!r} must be a positive integer, 'auto' or a list like '0,1'")

    @property
    def checkpoint_dir(self) -> Path:
        return self.ckpt_dir if self.ckpt_dir is not None else self.run_dir / "checkpoints"


@dataclass
class FitResult:
    run_dir: Path
    best: Path | None
    last: Path | None
    metrics: dict
    config: dict
    history: list[dict] = field(default_factory=list)


def plain(v: Any) -> Any:
    """Plain Python values for YAML and ``weights_only`` checkpoints: paths as strings, numpy scalars and
    arrays as numbers and lists, tuples as lists; bytes (a sentencepiece model) and NaN are kept."""
    import numpy as np

    if isinstance(v, Mapping):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, os.PathLike):
        return os.fspath(v)
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    return v


def _safe_io_class():
    from lightning.pytorch.plugins.io import TorchCheckpointIO

    class SafeCheckpointIO(TorchCheckpointIO):
        """Atomic writes; ``weights_only=True`` reads whose failures name the file."""

        def save_checkpoint(self, checkpoint, path, storage_options=None):
            import torch

            from ..io import atomic_path

            with atomic_path(path) as tmp:
                torch.save(checkpoint, tmp)

        def load_checkpoint(self, path, map_location=None, weights_only=None):
            from ..models.checkpoint import read_torch_file

            return read_torch_file(path)

    return SafeCheckpointIO


def SafeCheckpointIO():  # noqa: N802  (a factory: Lightning is imported only when training)
    return _safe_io_class()()


def _callbacks():
    import lightning as L

    class Header(L.Callback):
        """Stores the module's ``signfuse_header()`` (plus config and version) in every checkpoint."""

        def __init__(self, config: Mapping[str, Any]):
            self.config = plain(dict(config))

        def on_save_checkpoint(self, trainer, pl_module, checkpoint):
            from ..models.checkpoint import make_header

            h = dict(pl_module.signfuse_header())
            checkpoint["signfuse"] = make_header(
                kind=h["kind"],
                model_name=h["model_name"],
                model_kwargs=plain(h["model_kwargs"]),
                vocab=plain(h.get("vocab")),
                config=self.config,
                extra=plain(h.get("extra") or {}),
            )

    class History(L.Callback):
        """Per-epoch metrics (numbered from 1), kept in checkpoints so a resumed run continues the list."""

        def __init__(self, path: Path):
            self.path, self.rows = path, []

        def _record(self, trainer):
            if trainer.sanity_checking:
                return
            row = {"epoch": int(trainer.current_epoch) + 1}
            for k, v in trainer.callback_metrics.items():
                try:
                    row[k] = float(v)
                except (TypeError, ValueError):
                    continue
            if self.rows and self.rows[-1]["epoch"] == row["epoch"]:
                self.rows[-1].update(row)
            else:
                self.rows.append(row)
            if trainer.is_global_zero:
                from ..io import atomic_path

                with atomic_path(self.path) as tmp:
                    tmp.write_text(json.dumps({"epochs": self.rows}, indent=2))

        def on_train_epoch_end(self, trainer, pl_module):
            self._record(trainer)

        def state_dict(self):
            return {"rows": self.rows}

        def load_state_dict(self, state):
            self.rows = list(state.get("rows") or [])

    class BatchSamplerEpoch(L.Callback):
        """Sets the epoch of a training loader's batch sampler that has ``set_epoch``
        (:class:`~signfuse.train.data.LengthBucketBatchSampler`): Lightning sets it on a loader's sampler
        only. Its batches are drawn at the epoch's first step, after this hook, so a resumed run draws
        the batches the killed one would have."""

        def on_train_epoch_start(self, trainer, pl_module):
            bs = getattr(trainer.train_dataloader, "batch_sampler", None)
            if callable(getattr(bs, "set_epoch", None)):
                bs.set_epoch(int(trainer.current_epoch))

    return Header, History, BatchSamplerEpoch


def epoch_callback(fn: Any) -> Any:
    """A Lightning callback calling ``fn(epoch, max_epochs, metrics)`` after every training epoch
    (epochs numbered from 1; ``metrics``: the logged scalars). For progress displays."""
    import lightning as L

    class _Epoch(L.Callback):
        def on_train_epoch_end(self, trainer, pl_module):
            m = {}
            for k, v in trainer.callback_metrics.items():
                try:
                    m[k] = float(v)
                except (TypeError, ValueError):
                    continue
            fn(int(trainer.current_epoch) + 1, int(trainer.max_epochs or 0), m)

    return _Epoch()


def _resume_version(csv_dir: Path) -> str:
    """A fresh CSV log folder per resumed session, so earlier metrics are kept."""
    n = 1
    while (csv_dir / f"resume{n}").exists():
        n += 1
    return f"resume{n}"


def fit_module(
    module: Any,
    train_loader: Any,
    val_loader: Any = None,
    *,
    trainer: TrainerConfig,
    config: Mapping[str, Any] | None = None,
    resume: bool = False,
    callbacks: Sequence[Any] = (),
) -> FitResult:
    """Fit ``module`` (a LightningModule with ``signfuse_header()``) as ``trainer`` says; see the module doc.

    Without validation data, ``best.ckpt`` is not written and early stopping is off.
    """
    import lightning as L
    import torch
    import yaml
    from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint
    from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger

    from ..io import atomic_path

    if not hasattr(module, "signfuse_header"):
        raise ParameterError(f"{type(module).__name__} has no signfuse_header(); every task module needs one")
    tc = trainer
    run_dir, ckpt_dir = tc.run_dir, tc.checkpoint_dir
    last = ckpt_dir / "last.ckpt"
    if resume and not last.is_file():
        raise DataError(
            f"nothing to resume: no {last.relative_to(run_dir) if last.is_relative_to(run_dir) else last}", path=run_dir
        )
    if not resume and not tc.overwrite and (last.is_file() or (ckpt_dir / "best.ckpt").is_file()):
        raise DataError(
            "this run folder already holds checkpoints; resume it (--resume) or overwrite it (--force)", path=run_dir
        )
    if tc.threads:
        torch.set_num_threads(int(tc.threads))
    cfg = plain(dict(config or {}))
    run_dir.mkdir(parents=True, exist_ok=True)
    with atomic_path(run_dir / "config.yaml") as tmp:
        tmp.write_text(yaml.safe_dump(cfg, sort_keys=True))
    Header, History, BatchSamplerEpoch = _callbacks()
    history = History(run_dir / tc.history_name)
    has_val = val_loader is not None
    cbs: list[Any] = [
        Header(cfg),
        history,
        BatchSamplerEpoch(),
        ModelCheckpoint(
            dirpath=ckpt_dir,
            filename="last",
            monitor=None,
            save_top_k=1,
            every_n_epochs=1,
            save_on_train_epoch_end=True,
            enable_version_counter=False,
        ),
    ]
    best_cb = None
    if has_val:
        best_cb = ModelCheckpoint(
            dirpath=ckpt_dir,
            filename="best",
            monitor=tc.monitor,
            mode=tc.mode,
            save_top_k=1,
            enable_version_counter=False,
        )
        cbs.append(best_cb)
        if tc.patience is not None:
            cbs.append(EarlyStopping(monitor=tc.monitor, mode=tc.mode, patience=int(tc.patience)))
    cbs += list(tc.callbacks) + list(callbacks)
    loggers = [
        CSVLogger(str(run_dir), name="csv", version=_resume_version(run_dir / "csv") if resume else ""),
        TensorBoardLogger(str(run_dir), name="tensorboard", version=""),
    ]
    t = L.Trainer(
        default_root_dir=str(run_dir),
        max_epochs=int(tc.epochs),
        accelerator=tc.accelerator,
        devices=tc.devices,
        num_nodes=int(tc.num_nodes),
        strategy=tc.strategy,
        precision=tc.precision,
        callbacks=cbs,
        logger=loggers,
        plugins=[SafeCheckpointIO()],
        max_time={"minutes": float(tc.max_minutes)} if tc.max_minutes else None,
        enable_progress_bar=bool(tc.progress),
        log_every_n_steps=int(tc.log_every_n_steps),
        enable_model_summary=False,
        deterministic=tc.deterministic,
        num_sanity_val_steps=0,
        gradient_clip_val=tc.gradient_clip_val,
    )
    L.seed_everything(int(tc.seed), workers=True, verbose=False)
    import warnings

    with warnings.catch_warnings():
        # the folder holds this run's own files (config, logs, an earlier session's checkpoints on resume)
        warnings.filterwarnings("ignore", message=r".*Checkpoint directory .* exists and is not empty.*")
        # --force (overwrite) asked for the old logs to go; a resumed session logs to a folder of its own
        warnings.filterwarnings("ignore", message=r".*Experiment logs directory .* exists and is not empty.*")
        t.fit(module, train_loader, val_loader, ckpt_path=str(last) if resume else None)
    best = Path(best_cb.best_model_path) if best_cb is not None and best_cb.best_model_path else None
    metrics = {}
    for k, v in t.callback_metrics.items():
        try:
            metrics[k] = float(v)
        except (TypeError, ValueError):
            continue
    metrics["epochs_run"] = int(t.current_epoch)
    return FitResult(
        run_dir=run_dir,
        best=best if best and best.is_file() else None,
        last=last if last.is_file() else None,
        metrics=metrics,
        config=cfg,
        history=list(history.rows),
    )


def trainer_config(cfg: Mapping[str, Any], **override: Any) -> TrainerConfig:
    """A :class:`TrainerConfig` from a task's resolved config dict (the keys it shares with it)."""
    names = set(TrainerConfig.__dataclass_fields__) - {"callbacks"}
    nullable = {"patience", "max_minutes"}  # None means "no early stopping" / "no time limit" there
    kw = {k: cfg[k] for k in names & set(cfg) if cfg[k] is not None or k in nullable}
    kw.update(override)
    return TrainerConfig(**kw)
