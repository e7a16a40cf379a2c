"""Gloss -> text translation as a task of the one training stack (:func:`signfuse.train.trainer.fit_module`).

:func:`train_translation` reads the train and dev corpora (:func:`signfuse.translate.read_pairs`), trains
sentencepiece vocabularies on the training split only, fits a
:class:`~signfuse.models.translation.TranslationTransformer` with label-smoothed cross-entropy, selects
epochs by dev BLEU (greedy decoding), and writes the run folder::

    DIR/config.yaml   DIR/best.ckpt   DIR/last.ckpt (every epoch; ``resume=True`` continues)   DIR/metrics.json
    DIR/top/epoch_NNN.pt              weights of the ``average`` best epochs by dev BLEU
    DIR/averaged.ckpt, DIR/average.json   their average (checkpoint averaging), kept only when its dev
                                          BLEU beats best.ckpt's (the json says either way)
    DIR/train_time.json               wall and CPU seconds of each training session (resumes append)

The checkpoints are self-contained: both vocabularies travel as sentencepiece bytes in the header
(:meth:`TranslationModule.signfuse_header`), and :func:`signfuse.translate.load_translator` reads them
without Lightning.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightning as L
import torch
import torch.nn.functional as F

from ..errors import DataError, ParameterError
from ..models import create_model
from ..models import translation as _registers  # noqa: F401  (registers translation_transformer)
from ..translate.corpus import Pair, read_pairs
from ..translate.decode import greedy_decode
from ..translate.scoring import translation_scores
from ..translate.vocab import BOS, EOS, PAD, UNK, Vocab, normalize_text, respell_map, train_vocab

__all__ = [
    "DEFAULTS",
    "TranslationModule",
    "train_translation",
    "encode_pairs",
    "collate_pairs",
    "average_state_dicts",
    "resolve_translation_config",
]

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "train": None,
    "dev": None,
    "src_lang": "gloss",
    "tgt_lang": "de",
    "src_vocab_type": "word",
    "src_vocab_size": 4000,
    "tgt_vocab_type": "word",
    "tgt_vocab_size": 8000,
    # one vocabulary for lowercased glosses and text, one embedding table for both (the lexical hint:
    # PHOENIX glosses are German words, 18% of the training text's words are a lowercased gloss of their
    # sentence); the vocabulary type is tgt_vocab_type, its size src_vocab_size + tgt_vocab_size. The
    # default since 2026-12-04: with the F recipe below (run J) the best dev BLEU of 20 settings, 24.58 beam 5
    # against F's 23.99 (test 23.92 against 23.69), decoding as fast (benchmarks/results/translate_setting_j.md)
    "joint_vocab": True,
    # glosses are German words in ASCII spelling (KOENNEN for können, MAESSIG for mäßig): respell those
    # whose spelling with ä ö ü ß is a training target word (learned on the training split), so a joint
    # vocabulary gives gloss and word one embedding; lowercases the source (signfuse.translate.vocab).
    # On PHOENIX-2014T dev, 82% of gloss tokens are then a training text word (72% without), 85% with
    # src_split_hyphens. Both on since 2026-12-06 (setting B16 below)
    "src_respell": True,
    # split hyphenated glosses (IM-VERLAUF, NEG-HABEN) into their parts
    "src_split_hyphens": True,
    # chosen on PHOENIX-2014T dev within a 30-minute budget on a shared CPU (benchmarks/results/translate.md):
    # short warm-up and a narrow feed-forward beat ff=1024 / dropout 0.3 / warm-up 500 (16.1 vs 20.5 dev BLEU)
    # d=384 / ff=768 / 6 heads / dropout 0.3 on two threads (setting H4) gained 0.4 dev BLEU but decodes
    # 1.7-1.9x slower per sentence (live captions), so d=256 stays (benchmarks/results/translate_setting_h4.md)
    "dim": 256,
    "heads": 4,
    "enc_layers": 2,
    "dec_layers": 2,
    "ff": 512,
    "dropout": 0.2,
    "tie_embeddings": True,
    # batches of 16 with lr 1e-3 and 300 warm-up steps over 26 epochs, with src_respell and
    # src_split_hyphens (setting B16, the default since 2026-12-06): the best dev BLEU of 28 settings, 24.71
    # beam 5 against J's 24.58 (batches of 32, lr 1.5e-3, 150 warm-up steps, 30 epochs); test 23.96 against
    # 23.92, 17 CPU-minutes against 29 (benchmarks/results/translate_setting_b16.md). A seed replicate
    # scored 24.35 on dev: settings within about 0.4 of each other are not told apart
    "batch_size": 16,
    # batches of similar length (LengthBucketBatchSampler): same steps per epoch, 39% fewer padded tokens,
    # 1.5-1.7x faster steps on one thread; dev BLEU per epoch as with shuffled batches (runs D and B)
    "bucket": True,
    "lr": 1e-3,
    "warmup_steps": 300,
    # learning rate after warm-up: "linear" decay to zero at the end of `epochs` (budgeted training, Li et
    # al. 2020: anneal by the end of the budget; with it `patience` is off unless set, since stopping early
    # would skip the annealing) or "inverse_sqrt" (no fixed end). On PHOENIX-2014T dev, linear over 30
    # epochs 23.44 against inverse_sqrt 23.03 (runs F and D, greedy; benchmarks/results/translate.md)
    "schedule": "linear",
    "weight_decay": 0.01,
    "label_smoothing": 0.1,
    # training only: each source gloss becomes <unk> with this probability (word dropout, Sennrich & Zhang
    # 2019 for low-resource NMT; it also teaches the model the unknown glosses of a test set)
    "src_word_dropout": 0.0,
    # R-Drop (Liang et al. 2021): each batch runs twice with different dropout, and this weight times the
    # symmetric KL divergence of the two predictions joins the loss (0 = off; a step costs 2.1x). At weight 5
    # it learned far slower per epoch (dev 14.3 after 7 epochs against 20.5 without), so within 30 CPU
    # minutes it cannot catch up (run R, benchmarks/results/translate_setting_b16.md)
    "rdrop": 0.0,
    "epochs": 26,
    "patience": 12,
    "max_minutes": None,
    "seed": 0,
    "threads": None,
    "accelerator": "auto",
    "progress": False,
    "max_src_len": 128,
    "max_tgt_len": 128,
    # the length penalty a trained checkpoint decodes with until `signfuse translate tune` chooses beam and
    # alpha on dev (setting B16: beam 10, alpha 3.5, dev 25.19 against 23.84 at beam 5 / alpha 1.0; test 24.25,
    # benchmarks/results/translate_setting_b16_tuned.md); left at 1.0 so the demo's recipe stays as measured
    "alpha": 1.0,
    "average": 3,
    "val_max_sentences": None,
}


def resolve_translation_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """DEFAULTS updated by ``overrides``; an unknown key is a ParameterError listing the known ones."""
    cfg = dict(DEFAULTS)
    for k, v in dict(overrides or {}).items():
        if k not in DEFAULTS:
            raise ParameterError(f"unknown translation setting {k!r}; known: {', '.join(sorted(DEFAULTS))}")
        cfg[k] = v
    return cfg


def encode_pairs(
    pairs: Sequence[Pair], src: Vocab, tgt: Vocab, *, max_src_len: int, max_tgt_len: int
) -> list[tuple[list[int], list[int]]]:
    """``(source ids, target ids)`` of each pair, cut to the maximum lengths; targets get ``<s>``/``</s>``."""
    return [(src.encode(p.glosses)[:max_src_len], [BOS] + tgt.encode(p.text)[: max_tgt_len - 2] + [EOS]) for p in pairs]


def collate_pairs(batch: Sequence[tuple[list[int], list[int]]]) -> dict[str, torch.Tensor]:
    """Padded ``src (B, S)``, ``tgt_in (B, T)`` and ``tgt_out (B, T)`` (``tgt`` shifted by one)."""
    B = len(batch)
    S = max(1, max(len(s) for s, _ in batch))
    T = max(len(t) for _, t in batch) - 1
    src = torch.full((B, S), PAD, dtype=torch.long)
    tin = torch.full((B, T), PAD, dtype=torch.long)
    tout = torch.full((B, T), PAD, dtype=torch.long)
    for i, (s, t) in enumerate(batch):
        if s:
            src[i, : len(s)] = torch.tensor(s)
        tin[i, : len(t) - 1] = torch.tensor(t[:-1])
        tout[i, : len(t) - 1] = torch.tensor(t[1:])
    return {"src": src, "tgt_in": tin, "tgt_out": tout}


class TranslationModule(L.LightningModule):
    """Label-smoothed cross-entropy; validation reports ``val_loss`` and greedy-decoded ``val_bleu``."""

    def __init__(
        self,
        *,
        model_kwargs: Mapping[str, Any],
        src_vocab: Vocab,
        tgt_vocab: Vocab,
        dev_refs: Sequence[str] = (),
        lr: float = 1.5e-3,
        warmup_steps: int = 150,
        schedule: str = "inverse_sqrt",
        total_steps: int | None = None,
        weight_decay: float = 0.01,
        label_smoothing: float = 0.1,
        alpha: float = 1.0,
        src_word_dropout: float = 0.0,
        rdrop: float = 0.0,
        src_lang: str = "gloss",
        tgt_lang: str = "de",
    ):
        super().__init__()
        self.model_kwargs = dict(model_kwargs)
        self.model = create_model("translation_transformer", **self.model_kwargs)
        self.src_vocab, self.tgt_vocab = src_vocab, tgt_vocab
        self.dev_refs = list(dev_refs)
        self.lr, self.warmup_steps, self.weight_decay = float(lr), int(warmup_steps), float(weight_decay)
        self.label_smoothing, self.alpha = float(label_smoothing), float(alpha)
        if not 0.0 <= float(src_word_dropout) < 1.0:
            raise ParameterError(f"src_word_dropout={src_word_dropout} must be in [0, 1)")
        self.src_word_dropout = float(src_word_dropout)
        if not float(rdrop) >= 0.0:
            raise ParameterError(f"rdrop={rdrop} must be >= 0")
        self.rdrop = float(rdrop)
        if schedule not in ("inverse_sqrt", "linear"):
            raise ParameterError(f"schedule={schedule!r} must be 'inverse_sqrt' or 'linear'")
        if schedule == "linear" and not total_steps:
            raise ParameterError("schedule='linear' needs total_steps (epochs x batches per epoch)")
        self.schedule, self.total_steps = schedule, int(total_steps or 0)
        self.langs = (str(src_lang), str(tgt_lang))
        self._hyps: list[str] = []

    def signfuse_header(self) -> dict:
        return {
            "kind": "translation",
            "model_name": "translation_transformer",
            "model_kwargs": dict(self.model_kwargs),
            "vocab": {
                **self.src_vocab.header("src"),
                **self.tgt_vocab.header("tgt"),
                "src_lang": self.langs[0],
                "tgt_lang": self.langs[1],
            },
            "extra": {"alpha": self.alpha},
        }

    def _cross_entropy(self, logits: torch.Tensor, tgt_out: torch.Tensor) -> torch.Tensor:
        """Label-smoothed cross-entropy of ``logits (B, T, V)`` against ``tgt_out (B, T)``, padding ignored."""
        return F.cross_entropy(
            logits.reshape(-1, logits.shape[-1]).float(),
            tgt_out.reshape(-1),
            ignore_index=PAD,
            label_smoothing=self.label_smoothing,
        )

    def _loss(self, batch) -> torch.Tensor:
        return self._cross_entropy(self.model(batch["src"], batch["tgt_in"])["logits"], batch["tgt_out"])

    def _rdrop_loss(self, batch) -> torch.Tensor:
        """R-Drop: the batch twice in one forward pass (two dropout masks); the mean cross-entropy of both
        plus ``rdrop`` x the mean over target tokens of the symmetric KL divergence of the two
        predictions, ``(KL(p1||p2) + KL(p2||p1)) / 2``. Its scale matches :meth:`_loss` at ``rdrop=0``."""
        B = batch["src"].shape[0]
        logits = self.model(batch["src"].repeat(2, 1), batch["tgt_in"].repeat(2, 1))["logits"].float()  # (2B, T, V)
        ce = self._cross_entropy(logits, batch["tgt_out"].repeat(2, 1))
        logp = F.log_softmax(logits, dim=-1)
        p1, p2 = logp[:B], logp[B:]
        kl = 0.5 * (
            F.kl_div(p1, p2, reduction="none", log_target=True) + F.kl_div(p2, p1, reduction="none", log_target=True)
        )
        keep = batch["tgt_out"].ne(PAD)  # (B, T)
        kl = (kl.sum(-1) * keep).sum() / keep.sum().clamp(min=1)
        return ce + self.rdrop * kl

    def training_step(self, batch, batch_idx):
        if self.src_word_dropout > 0:
            src = batch["src"]
            drop = (torch.rand(src.shape, device=src.device) < self.src_word_dropout) & (src != PAD)
            batch = {**batch, "src": src.masked_fill(drop, UNK)}
        loss = self._rdrop_loss(batch) if self.rdrop > 0 else self._loss(batch)
        if not torch.isfinite(loss):
            raise FloatingPointError(f"non-finite training loss {loss.item()} at step {self.global_step}")
        self.log("train_loss", loss, prog_bar=True, batch_size=batch["src"].shape[0])
        return loss

    def validation_step(self, batch, batch_idx):
        B = batch["src"].shape[0]
        self.log("val_loss", self._loss(batch), prog_bar=True, batch_size=B)
        self._hyps += [self.tgt_vocab.decode(h.tokens) for h in greedy_decode(self.model, batch["src"])]

    def on_validation_epoch_start(self) -> None:
        self._hyps = []

    def on_validation_epoch_end(self) -> None:
        hyps = self._hyps
        if hyps and len(hyps) == len(self.dev_refs):
            self.log("val_bleu", float(translation_scores(hyps, self.dev_refs)["bleu"]), prog_bar=True)
        elif hyps:
            raise DataError(
                f"validation produced {len(hyps)} hypotheses for {len(self.dev_refs)} references "
                "(the dev loader must not shuffle or drop batches)"
            )

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.lr, betas=(0.9, 0.98), weight_decay=self.weight_decay)
        warm = max(1, self.warmup_steps)

        total = max(warm + 1, self.total_steps)

        def factor(step: int) -> float:  # linear warm-up, then inverse square root or linear decay to 0
            s = step + 1
            if s <= warm:
                return s / warm
            if self.schedule == "linear":
                return max(0.0, (total - s) / (total - warm))
            return math.sqrt(warm / s)

        sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


class _TopK(L.Callback):
    """Keeps the weights of the ``k`` best epochs by ``val_bleu`` in ``DIR/top/`` (for averaging).

    The index (``top/index.json``) is rewritten atomically after each file, so a killed run resumes with it.
    """

    def __init__(self, folder: Path, k: int):
        self.folder, self.k = Path(folder), int(k)

    def _index(self) -> list[dict]:
        f = self.folder / "index.json"
        try:
            return list(json.loads(f.read_text())["epochs"]) if f.is_file() else []
        except (ValueError, KeyError, OSError):
            return []

    def on_validation_end(self, trainer, pl_module) -> None:
        # not on_validation_epoch_end: Lightning runs the callbacks' epoch-end hooks before the module's,
        # which logs this epoch's val_bleu, so there the weights of epoch N got the score of epoch N-1
        if trainer.sanity_checking or self.k < 1 or "val_bleu" not in trainer.callback_metrics:
            return
        from ..io import atomic_path
        from ..models.checkpoint import write_torch_file

        bleu = float(trainer.callback_metrics["val_bleu"])
        epoch = int(trainer.current_epoch) + 1
        rows = [r for r in self._index() if r["epoch"] != epoch and (self.folder / r["file"]).is_file()]
        rows.sort(key=lambda r: -r["val_bleu"])
        if len(rows) >= self.k and bleu <= rows[self.k - 1]["val_bleu"]:
            return
        name = f"epoch_{epoch:03d}.pt"
        write_torch_file(
            {k: v.detach().cpu().clone() for k, v in pl_module.model.state_dict().items()}, self.folder / name
        )
        rows.append({"epoch": epoch, "val_bleu": bleu, "file": name})
        rows.sort(key=lambda r: -r["val_bleu"])
        keep, drop = rows[: self.k], rows[self.k :]
        with atomic_path(self.folder / "index.json") as tmp:
            tmp.write_text(json.dumps({"epochs": keep}, indent=1))
        for r in drop:
            (self.folder / r["file"]).unlink(missing_ok=True)


def average_state_dicts(state_dicts: Sequence[Mapping[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """Element-wise mean of several state dicts of one model (checkpoint averaging); integer buffers
    are taken from the first."""
    if not state_dicts:
        raise ParameterError("no state dicts to average")
    keys = list(state_dicts[0])
    for i, sd in enumerate(state_dicts[1:], start=1):
        if list(sd) != keys:
            raise DataError(f"state dict {i} has other parameters than the first; cannot average")
    out = {}
    for k in keys:
        v0 = state_dicts[0][k]
        if v0.is_floating_point():
            out[k] = torch.stack([sd[k].float() for sd in state_dicts]).mean(0).to(v0.dtype)
        else:
            out[k] = v0.clone()
    return out


@dataclass
class TranslationRun:
    run_dir: Path
    best: Path | None
    last: Path | None
    averaged: Path | None
    history: list[dict]
    metrics: dict
    wall_s: float
    cpu_s: float


def _dev_bleu(model, pairs_ids, refs, tgt_vocab: Vocab, *, batch_size: int = 64) -> float:
    model.eval()
    hyps = []
    for i in range(0, len(pairs_ids), batch_size):
        b = collate_pairs(pairs_ids[i : i + batch_size])
        hyps += [tgt_vocab.decode(h.tokens) for h in greedy_decode(model, b["src"])]
    return float(translation_scores(hyps, refs)["bleu"])


def _average_top(run_dir: Path, best: Path, dev_ids, dev_refs, tgt_vocab: Vocab) -> Path | None:
    """Average the kept epochs; keep ``averaged.ckpt`` only when its dev BLEU beats the best epoch's."""
    from ..io import atomic_path
    from ..models.checkpoint import build_model, read_checkpoint, read_torch_file, write_checkpoint

    idx = run_dir / "top" / "index.json"
    if not idx.is_file():
        return None
    rows = [r for r in json.loads(idx.read_text())["epochs"] if (run_dir / "top" / r["file"]).is_file()]
    report: dict[str, Any] = {"epochs": [r["epoch"] for r in rows], "selected_by": "dev BLEU (greedy)"}
    out = None
    if len(rows) >= 2:
        ck = read_checkpoint(best, kind="translation")
        avg = average_state_dicts([read_torch_file(run_dir / "top" / r["file"]) for r in rows])
        averaged = dataclasses.replace(ck, state_dict=avg)
        base_bleu = _dev_bleu(build_model(ck), dev_ids, dev_refs, tgt_vocab)
        avg_bleu = _dev_bleu(build_model(averaged), dev_ids, dev_refs, tgt_vocab)
        report.update({"best_dev_bleu": base_bleu, "averaged_dev_bleu": avg_bleu, "kept": avg_bleu > base_bleu})
        if avg_bleu > base_bleu:
            out = write_checkpoint(averaged, run_dir / "averaged.ckpt")
        else:
            (run_dir / "averaged.ckpt").unlink(missing_ok=True)
    else:
        report.update({"kept": False, "why": "fewer than 2 epochs kept"})
    with atomic_path(run_dir / "average.json") as tmp:
        tmp.write_text(json.dumps(report, indent=1))
    return out


def _train_vocabs(cfg: Mapping[str, Any], train_pairs: Sequence[Pair]) -> tuple[Vocab, Vocab]:
    """Source and target vocabularies from the training split (one joint vocabulary when ``joint_vocab``)."""
    sources, texts = [p.source for p in train_pairs], [p.text for p in train_pairs]
    lowercase = bool(cfg["joint_vocab"] or cfg["src_respell"])
    split = bool(cfg["src_split_hyphens"])
    respell = respell_map(sources, texts, lowercase=lowercase, split_hyphens=split) if cfg["src_respell"] else {}
    norm = [normalize_text(s, lowercase=lowercase, split_hyphens=split, respell=respell) for s in sources]
    if cfg["joint_vocab"]:
        joint = train_vocab(
            norm + texts,
            model_type=cfg["tgt_vocab_type"],
            vocab_size=int(cfg["src_vocab_size"]) + int(cfg["tgt_vocab_size"]),
        )
        return Vocab(joint.proto, lowercase=True, split_hyphens=split, respell=tuple(respell.items())), joint
    src = train_vocab(norm, model_type=cfg["src_vocab_type"], vocab_size=int(cfg["src_vocab_size"]))
    tgt = train_vocab(texts, model_type=cfg["tgt_vocab_type"], vocab_size=int(cfg["tgt_vocab_size"]))
    return Vocab(src.proto, lowercase=lowercase, split_hyphens=split, respell=tuple(respell.items())), tgt


def train_translation(
    train: str | Path,
    dev: str | Path,
    out: str | Path,
    *,
    resume: bool = False,
    overwrite: bool = False,
    **overrides: Any,
) -> TranslationRun:
    """Train a gloss -> text model (see the module docstring); ``overrides`` are keys of :data:`DEFAULTS`."""
    from torch.utils.data import DataLoader

    from .trainer import TrainerConfig, fit_module

    cfg = resolve_translation_config({**overrides, "train": str(train), "dev": str(dev)})
    if cfg["schedule"] == "linear" and "patience" not in overrides:
        cfg["patience"] = None
    out = Path(out)
    t0, c0 = time.perf_counter(), time.process_time()
    train_pairs = read_pairs(train, split="train", src_lang=cfg["src_lang"], tgt_lang=cfg["tgt_lang"])
    dev_pairs = read_pairs(dev, split="dev", src_lang=cfg["src_lang"], tgt_lang=cfg["tgt_lang"])
    if cfg["val_max_sentences"]:
        dev_pairs = dev_pairs[: int(cfg["val_max_sentences"])]
    if not train_pairs:
        raise DataError("no training sentences", path=train)
    if not dev_pairs:
        raise DataError("no dev sentences", path=dev)
    if resume:
        # the vocabularies of a resumed run are the ones its checkpoint was trained with
        from ..translate.translator import read_translation_checkpoint

        v = read_translation_checkpoint(out / "last.ckpt").vocab
        src_vocab, tgt_vocab = Vocab.from_header(v, "src"), Vocab.from_header(v, "tgt")
    else:
        src_vocab, tgt_vocab = _train_vocabs(cfg, train_pairs)
    kw = {
        "src_vocab": src_vocab.size,
        "tgt_vocab": tgt_vocab.size,
        "dim": int(cfg["dim"]),
        "heads": int(cfg["heads"]),
        "enc_layers": int(cfg["enc_layers"]),
        "dec_layers": int(cfg["dec_layers"]),
        "ff": int(cfg["ff"]),
        "dropout": float(cfg["dropout"]),
        "tie_embeddings": bool(cfg["tie_embeddings"]),
        "share_embeddings": bool(cfg["joint_vocab"]),
        "pad_id": PAD,
    }
    tr_ids = encode_pairs(
        train_pairs, src_vocab, tgt_vocab, max_src_len=int(cfg["max_src_len"]), max_tgt_len=int(cfg["max_tgt_len"])
    )
    dev_ids = encode_pairs(
        dev_pairs, src_vocab, tgt_vocab, max_src_len=int(cfg["max_src_len"]), max_tgt_len=int(cfg["max_tgt_len"])
    )
    dev_refs = [p.text for p in dev_pairs]
    if cfg["bucket"]:
        from .data import LengthBucketBatchSampler

        sampler = LengthBucketBatchSampler(
            [len(s) + len(t) for s, t in tr_ids], int(cfg["batch_size"]), seed=int(cfg["seed"])
        )
        train_loader = DataLoader(tr_ids, batch_sampler=sampler, collate_fn=collate_pairs)
    else:
        g = torch.Generator().manual_seed(int(cfg["seed"]))
        train_loader = DataLoader(
            tr_ids, batch_size=int(cfg["batch_size"]), shuffle=True, collate_fn=collate_pairs, generator=g
        )
    val_loader = DataLoader(dev_ids, batch_size=64, shuffle=False, collate_fn=collate_pairs)
    L.seed_everything(int(cfg["seed"]), verbose=False)
    module = TranslationModule(
        model_kwargs=kw,
        src_vocab=src_vocab,
        tgt_vocab=tgt_vocab,
        dev_refs=dev_refs,
        lr=float(cfg["lr"]),
        warmup_steps=int(cfg["warmup_steps"]),
        schedule=str(cfg["schedule"]),
        total_steps=int(cfg["epochs"]) * len(train_loader),
        weight_decay=float(cfg["weight_decay"]),
        label_smoothing=float(cfg["label_smoothing"]),
        alpha=float(cfg["alpha"]),
        src_word_dropout=float(cfg["src_word_dropout"]),
        rdrop=float(cfg["rdrop"]),
        src_lang=cfg["src_lang"],
        tgt_lang=cfg["tgt_lang"],
    )
    log.info(
        "translation: %d train / %d dev sentences, vocab %d -> %d, %.2fM parameters",
        len(train_pairs),
        len(dev_pairs),
        src_vocab.size,
        tgt_vocab.size,
        sum(p.numel() for p in module.model.parameters()) / 1e6,
    )
    tc = TrainerConfig(
        run_dir=out,
        ckpt_dir=out,
        epochs=int(cfg["epochs"]),
        monitor="val_bleu",
        mode="max",
        patience=cfg["patience"],
        max_minutes=cfg["max_minutes"],
        seed=int(cfg["seed"]),
        gradient_clip_val=1.0,
        accelerator=cfg["accelerator"],
        progress=bool(cfg["progress"]),
        threads=cfg["threads"],
        overwrite=overwrite,
    )
    cfg_out = {
        **cfg,
        "train_sentences": len(train_pairs),
        "dev_sentences": len(dev_pairs),
        "src_vocab_pieces": src_vocab.size,
        "tgt_vocab_pieces": tgt_vocab.size,
    }
    topk = _TopK(out / "top", int(cfg["average"]))
    res = fit_module(module, train_loader, val_loader, trainer=tc, config=cfg_out, resume=resume, callbacks=[topk])
    fit_wall, fit_cpu = time.perf_counter() - t0, time.process_time() - c0
    averaged = None
    if res.best is not None and int(cfg["average"]) >= 2:
        averaged = _average_top(out, res.best, dev_ids, dev_refs, tgt_vocab)
    _record_session(
        out,
        {
            "resume": bool(resume),
            "epochs_after": len(res.history),
            "fit_wall_s": round(fit_wall, 1),
            "fit_cpu_s": round(fit_cpu, 1),
            "wall_s": round(time.perf_counter() - t0, 1),
            "cpu_s": round(time.process_time() - c0, 1),
            "threads": torch.get_num_threads(),
            "load_end": [round(x, 2) for x in os.getloadavg()],
        },
    )
    return TranslationRun(
        run_dir=out,
        best=res.best,
        last=res.last,
        averaged=averaged,
        history=res.history,
        metrics=res.metrics,
        wall_s=time.perf_counter() - t0,
        cpu_s=time.process_time() - c0,
    )


def _record_session(out: Path, row: dict) -> None:
    """Append this session's wall and CPU time to ``DIR/train_time.json`` (a resumed run adds a row)."""
    from ..io import atomic_path

    f = out / "train_time.json"
    try:
        rows = list(json.loads(f.read_text())["sessions"]) if f.is_file() else []
    except (ValueError, KeyError, OSError):
        rows = []
    rows.append(row)
    with atomic_path(f) as tmp:
        tmp.write_text(json.dumps({"sessions": rows}, indent=1))
