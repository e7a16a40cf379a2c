"""The Lightning module for sign recognition (isolated: CE with label smoothing; continuous: CTC).

Optional domain-adversarial training (``adversarial > 0``): a domain classifier on the pooled encoder
output behind a gradient-reversal layer whose strength follows ``2 / (1 + exp(-10 p)) - 1``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

import lightning as L
import torch
import torch.nn.functional as F

from ..models import create_model
from ..models.grl import DomainClassifier, grl_lambda
from .losses import ctc_loss, label_smoothing_ce
from .metrics import ctc_greedy_decode, wer

__all__ = ["RecognitionModule"]

log = logging.getLogger(__name__)


class RecognitionModule(L.LightningModule):
    """Wraps a registry model; its hyper-parameters are everything a checkpoint needs to rebuild it."""

    def __init__(
        self,
        *,
        model_name: str,
        model_kwargs: Mapping[str, Any],
        task: str,
        vocab: Sequence[str],
        streams: Sequence[str],
        face_regions: Sequence[str] = (),
        fps: float | None = None,
        lr: float = 2e-3,
        weight_decay: float = 0.01,
        label_smoothing: float = 0.1,
        adversarial: float = 0.0,
        domains: Sequence[str] = (),
        warmup: float = 0.1,
        config: Mapping[str, Any] | None = None,
    ):
        super().__init__()
        self.save_hyperparameters()
        self.model = create_model(model_name, **dict(model_kwargs))
        self.task = task
        self.use_domain = bool(dict(model_kwargs).get("n_domains", 0))
        self.domain_clf = None
        if adversarial > 0:
            with torch.no_grad():
                dummy = {s: torch.zeros(1, 4, f) for s, f in self.model.in_dims.items()}
                dim = self.model.eval()(dummy)["embedding"].shape[-1]
            self.model.train()
            self.domain_clf = DomainClassifier(dim, len(domains) + 1)
        self.ctc_skipped = 0

    def signfuse_header(self) -> dict:
        """What :func:`~signfuse.train.trainer.fit_module` stores in every checkpoint (the one schema)."""
        hp = self.hparams
        return {
            "kind": "recognition",
            "model_name": hp.model_name,
            "model_kwargs": dict(hp.model_kwargs),
            "vocab": list(hp.vocab),
            "extra": {
                "task": hp.task,
                "streams": list(hp.streams),
                "face_regions": list(hp.face_regions),
                "fps": hp.fps,
            },
        }

    def forward(self, x, mask=None, domain=None):
        return self.model(x, mask, domain if self.use_domain else None)

    def _loss(self, batch, out):
        if self.task == "isolated":
            return label_smoothing_ce(out["logits"], batch["label"], smoothing=self.hparams.label_smoothing), 0
        r = ctc_loss(out["frame_logits"], out["lengths"], batch["labels"])
        return r.loss, len(r.skipped)

    def training_step(self, batch, batch_idx):
        out = self(batch["x"], batch["mask"], batch["domain"])
        loss, skipped = self._loss(batch, out)
        self.ctc_skipped += skipped
        B = len(batch["index"])
        if self.domain_clf is not None:
            total = max(1, int(self.trainer.estimated_stepping_batches or 1))
            lam = grl_lambda(min(1.0, self.global_step / total))
            dl = F.cross_entropy(self.domain_clf(out["embedding"], lam), batch["domain"])
            self.log("train_domain_loss", dl, batch_size=B)
            self.log("grl_lambda", lam, batch_size=B)
            loss = loss + self.hparams.adversarial * dl
        if not torch.isfinite(loss):
            raise FloatingPointError(f"non-finite training loss {loss.item()} at step {self.global_step}")
        self.log("train_loss", loss, prog_bar=True, batch_size=B)
        if self.task == "continuous":
            self.log("ctc_skipped", float(skipped), reduce_fx="sum", batch_size=B)
        return loss

    def validation_step(self, batch, batch_idx):
        out = self(batch["x"], batch["mask"], batch["domain"])
        loss, _ = self._loss(batch, out)
        B = len(batch["index"])
        self.log("val_loss", loss, prog_bar=True, batch_size=B, sync_dist=True)
        if self.task == "isolated":
            acc = (out["logits"].argmax(-1) == batch["label"]).float().mean()
            self.log("val_acc", acc, prog_bar=True, batch_size=B, sync_dist=True)
        else:
            lp = F.log_softmax(out["frame_logits"].float(), -1).detach().cpu().numpy()
            hyps = ctc_greedy_decode(lp, out["lengths"].cpu().numpy())
            w = wer(batch["labels"], hyps)["wer"] if any(batch["labels"]) else 0.0
            self.log("val_wer", float(w), prog_bar=True, batch_size=B, sync_dist=True)

    def configure_optimizers(self):
        params = list(self.parameters())
        opt = torch.optim.AdamW(params, lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)
        total = max(2, int(self.trainer.estimated_stepping_batches or 2))
        warm = max(1, int(total * min(0.5, max(0.0, self.hparams.warmup))))

        def factor(step: int) -> float:  # linear warm-up, then cosine decay to 2% of the peak
            if step < warm:
                return (step + 1) / warm
            p = min(1.0, (step - warm) / max(1, total - warm))
            return 0.02 + 0.98 * 0.5 * (1.0 + math.cos(math.pi * p))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}

    def on_train_epoch_start(self) -> None:
        loader = self.trainer.train_dataloader
        ds = getattr(loader, "dataset", None)
        if ds is not None and hasattr(ds, "epoch"):
            ds.epoch = self.current_epoch
