"""Training runs: configuration, data preparation, Lightning fitting with checkpoints, logs and resume.

A run directory holds ``config.yaml`` (the resolved configuration), ``checkpoints/best.ckpt`` and
``checkpoints/last.ckpt`` (written atomically, so a run killed with SIGKILL resumes from the last
complete epoch with ``resume=True``), ``csv/`` and ``tensorboard/`` logs, and ``summary.json``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..datasets import load_entries
from ..errors import DataError, ParameterError
from ..samples import DEFAULT_FACE_REGIONS, StreamCache, build_cache, parse_streams
from .data import StreamDataset, Vocabulary, collate, signer_splits, stream_stats
from .trainer import FitResult, plain

__all__ = [
    "DEFAULTS",
    "resolve_config",
    "prepare_data",
    "DataBundle",
    "fit",
    "FitResult",
    "make_loader",
    "held_out_splits",
    "check_signer_independent",
    "fold_signers",
    "unseen_labels",
]

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "data": None,
    "task": "isolated",
    "model": "hybrid",
    "streams": "hands,body,face",
    "face_regions": list(DEFAULT_FACE_REGIONS),
    "fps": None,  # only for landmark files without a frame rate (Kaggle parquet)
    "seed": 0,
    "epochs": 20,
    "batch_size": 32,
    "lr": 2e-3,
    "weight_decay": 0.01,
    "label_smoothing": 0.1,
    "max_frames": 96,
    "augment": True,
    "mirror": True,  # train on left/right mirrored twins too (left-handed signers)
    "model_kwargs": {},
    "adversarial": 0.0,
    "style_embedding": False,
    "signer_independent": True,
    "val_fraction": 0.15,
    "test_fraction": 0.2,
    "test_signers": None,  # signers held out as the test split (list or "A,B"); val from the others
    "folds": None,  # "loso": leave-one-signer-out, one model per signer (fit_folds)
    "run_dir": "runs/latest",
    "cache_dir": None,
    "accelerator": "auto",
    "devices": 1,
    "num_nodes": 1,
    "strategy": "auto",
    "precision": "32-true",
    "patience": 10,
    "num_workers": 0,
    "threads": None,
    "log_every_n_steps": 10,
    "progress": True,
    "max_minutes": None,
    "overwrite": False,  # train into a run folder that already has checkpoints
}


def _parse_value(v: Any) -> Any:
    """A command-line value as YAML, with the numbers YAML 1.1 leaves as strings (``1e-3``, ``nan``) as floats."""
    if isinstance(v, str):
        import yaml

        try:
            v = yaml.safe_load(v)
        except yaml.YAMLError:
            return v
        if isinstance(v, str):
            try:
                return float(v)
            except ValueError:
                return v
    return v


def resolve_config(
    config: str | os.PathLike[str] | Mapping[str, Any] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """DEFAULTS <- YAML file or mapping <- overrides (``model_kwargs.dim=64`` style dotted keys allowed).

    Unknown keys raise ParameterError (typos must not be ignored silently).
    """
    cfg = copy.deepcopy(DEFAULTS)
    layers: list[Mapping[str, Any]] = []
    if config is not None:
        if isinstance(config, Mapping):
            layers.append(config)
        else:
            import yaml

            p = Path(config)
            if not p.is_file():
                raise DataError("no such config file", path=p)
            try:
                loaded = yaml.safe_load(p.read_text()) or {}
            except yaml.YAMLError as e:
                raise DataError(f"invalid YAML: {e}", path=p) from None
            if not isinstance(loaded, Mapping):
                raise DataError("a config file must hold a mapping of keys to values", path=p)
            layers.append(loaded)
    if overrides:
        layers.append({k: _parse_value(v) for k, v in overrides.items()})
    for layer in layers:
        for key, value in layer.items():
            key = str(key).replace("-", "_")
            head, _, rest = key.partition(".")
            if head not in cfg:
                raise ParameterError(f"unknown config key {key!r}; known: {', '.join(sorted(cfg))}")
            if rest:
                if not isinstance(cfg[head], dict):
                    raise ParameterError(f"config key {head!r} is not a mapping; cannot set {key!r}")
                cfg[head] = {**cfg[head], rest: value}
            elif isinstance(cfg[head], dict) and isinstance(value, Mapping):
                cfg[head] = {**cfg[head], **dict(value)}
            else:
                cfg[head] = value
    cfg["streams"] = ",".join(parse_streams(cfg["streams"]))
    if cfg["task"] not in ("isolated", "continuous"):
        raise ParameterError(f"task={cfg['task']!r} must be 'isolated' or 'continuous'")
    if isinstance(cfg["face_regions"], str):
        cfg["face_regions"] = [s.strip() for s in cfg["face_regions"].split(",") if s.strip()]
    cfg["test_signers"] = _signer_list(cfg["test_signers"])
    if cfg["folds"] not in (None, "loso"):
        raise ParameterError(f"folds={cfg['folds']!r} must be 'loso' (leave one signer out) or empty")
    if cfg["folds"] and cfg["test_signers"]:
        raise ParameterError(
            "folds=loso holds out every signer in turn; it cannot be combined with test_signers="
            f"{','.join(cfg['test_signers'])}"
        )
    _validate(cfg)
    return cfg


def _signer_list(v: Any) -> list[str] | None:
    """``"A,B"`` / ``["A", "B"]`` / None -> a list of signer names (None when empty)."""
    if v is None or v is False:
        return None
    if isinstance(v, str):
        v = v.split(",")
    elif not isinstance(v, (list, tuple)):
        v = [v]
    out = [str(x).strip() for x in v if str(x).strip()]
    if len(set(out)) != len(out):
        raise ParameterError(f"test_signers={','.join(out)!r} names a signer twice")
    return out or None


def _number(
    cfg: Mapping[str, Any], key: str, *, low: float, high: float, low_open: bool = False, high_open: bool = False
) -> None:
    v = cfg[key]
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    ok = ok and (v > low if low_open else v >= low) and (v < high if high_open else v <= high)
    if not ok:
        lo, hi = ("(" if low_open else "[") + f"{low:g}", f"{high:g}" + (")" if high_open else "]")
        raise ParameterError(f"{key}={v!r} must be a number in {lo}, {hi}")


#: the largest value accepted for any integer model size argument (dim, layers, heads ...)
MAX_MODEL_INT = 4096


def _validate(cfg: dict[str, Any]) -> None:
    """Every value checked before any work starts (one ParameterError naming the key and the value)."""
    for k in ("epochs", "batch_size", "max_frames"):
        if isinstance(cfg[k], bool) or not isinstance(cfg[k], int) or cfg[k] < 1:
            raise ParameterError(f"{k}={cfg[k]!r} must be a positive integer")
    if (
        isinstance(cfg["num_workers"], bool)
        or not isinstance(cfg["num_workers"], int)
        or not 0 <= cfg["num_workers"] <= 64
    ):
        raise ParameterError(f"num_workers={cfg['num_workers']!r} must be an integer from 0 to 64")
    _number(cfg, "lr", low=0, high=10, low_open=True)
    _number(cfg, "weight_decay", low=0, high=10)
    _number(cfg, "label_smoothing", low=0, high=1, high_open=True)
    _number(cfg, "adversarial", low=0, high=100)
    _number(cfg, "val_fraction", low=0, high=1, high_open=True)
    _number(cfg, "test_fraction", low=0, high=1, high_open=True)
    if cfg["val_fraction"] + cfg["test_fraction"] >= 1:
        raise ParameterError(
            f"val_fraction + test_fraction = {cfg['val_fraction'] + cfg['test_fraction']:g} "
            "leaves nothing to train on (must be < 1)"
        )
    if cfg.get("fps") is not None:
        _number(cfg, "fps", low=0, high=1000, low_open=True)
    from ..models import list_models

    if cfg["model"] not in list_models("recognition"):
        raise ParameterError(
            f"model={cfg['model']!r} is not a recognition model; choose one of {', '.join(list_models('recognition'))}"
        )
    for k, v in (cfg.get("model_kwargs") or {}).items():
        if isinstance(v, int) and not isinstance(v, bool) and not 0 <= v <= MAX_MODEL_INT:
            raise ParameterError(f"model_kwargs.{k}={v!r} must be from 0 to {MAX_MODEL_INT}")
    from .trainer import trainer_config

    trainer_config(cfg)  # accelerator, devices, precision, patience ... (raises ParameterError)


@dataclass
class DataBundle:
    """A dataset ready for training: the cache, split indices, vocabulary, streams, statistics, domains."""

    cache: StreamCache
    splits: dict[str, list[int]]
    vocab: Vocabulary
    streams: tuple[str, ...]
    task: str
    stats: dict = field(default_factory=dict)
    domains: tuple[str, ...] = ()
    #: per held-out split, the samples left out because their label never occurs in training:
    #: ``{"test": {"count": n, "labels": [...], "ids": [...]}}`` (see :func:`unseen_labels`)
    unseen: dict = field(default_factory=dict)

    def records(self, split: str) -> list[dict]:
        return [self.cache.records[i] for i in self.splits[split]]


def open_cache_or_build(cfg: Mapping[str, Any], *, progress: Callable[[int, int], None] | None = None) -> StreamCache:
    """The stream cache for ``cfg['data']``: an existing cache folder is used as is; a dataset is cached."""
    data = cfg.get("data")
    if data is None:
        raise ParameterError("no dataset given (config key 'data' / --data)")
    p = Path(data)
    if (p / "index.json").is_file() and not (p / "corpus.json").is_file():
        return StreamCache(p)
    entries = load_entries(p, task=cfg["task"])
    kw = dict(
        streams=parse_streams(cfg["streams"]),
        face_regions=cfg["face_regions"],
        fps=cfg.get("fps"),
        mirror=bool(cfg.get("mirror")),
        progress=progress,
    )
    if cfg.get("cache_dir"):
        return build_cache(entries, cfg["cache_dir"], **kw)
    root = (p if p.is_dir() else p.parent) / ".signfuse_cache"
    try:
        return build_cache(entries, root, **kw)
    except DataError:
        if _writable(root):
            raise
    # a read-only dataset (a shared mount, a CD): cache it in the user's cache folder instead
    user = user_cache_dir() / "datasets" / hashlib.sha1(str(p.resolve()).encode()).hexdigest()[:16]
    log.warning("%s is not writable; caching the dataset in %s instead (pass --cache_dir to choose)", root, user)
    return build_cache(entries, user, **kw)


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/signfuse`` (default ``~/.cache/signfuse``): where read-only datasets are cached."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "signfuse"


def _writable(folder: Path) -> bool:
    """Whether a cache could be made in ``folder`` (or in its nearest existing parent)."""
    q = folder
    while not q.exists() and q != q.parent:
        q = q.parent
    return os.access(q, os.W_OK)


def dataset_splits(cfg: Mapping[str, Any], cache: StreamCache) -> dict[str, list[int]]:
    """Cache indices of train/val/test for ``cfg['task']`` (signer-independent by default)."""
    task = cfg["task"]
    keep = [
        i
        for i, r in enumerate(cache.records)
        if (r.get("gloss") is not None if task == "isolated" else r.get("glosses"))
        and not (r.get("meta") or {}).get("mirror_of")
    ]
    if not keep:
        raise DataError(f"the dataset has no samples labelled for the {task} task")
    recs = [cache.records[i] for i in keep]
    if cfg.get("test_signers"):
        sp = held_out_splits(recs, test_signers=cfg["test_signers"], val_fraction=cfg["val_fraction"], seed=cfg["seed"])
    else:
        sp = signer_splits(
            recs,
            val_fraction=cfg["val_fraction"],
            test_fraction=cfg["test_fraction"],
            seed=cfg["seed"],
            signer_independent=cfg["signer_independent"],
        )
    return {k: [keep[i] for i in v] for k, v in sp.items()}


def held_out_splits(
    records: Sequence[Mapping[str, Any]], *, test_signers: Sequence[str], val_fraction: float = 0.15, seed: int = 0
) -> dict[str, list[int]]:
    """Indices of ``train``/``val``/``test`` with the named signers as the whole test split.

    Validation comes from the other signers: whole signers (``val_fraction`` of them, at least one) when
    three or more remain, as :func:`~.data.signer_splits` does; with one or two remaining signers a
    seeded ``val_fraction`` of their samples (taking a whole signer would leave one, or none, to train
    on), so validation then shares signers with training but never with test.
    """
    test = [str(s) for s in test_signers]
    missing = [i for i, r in enumerate(records) if r.get("signer") is None]
    if missing:
        raise DataError(
            f"test_signers needs a signer on every sample; {len(missing)} samples have none "
            f"(e.g. {records[missing[0]].get('id')!r}); add a signer map or a signer array"
        )
    signers = sorted({str(r["signer"]) for r in records})
    unknown = [s for s in test if s not in signers]
    if unknown:
        raise ParameterError(f"test_signers {unknown} are not in the dataset; its signers: {', '.join(signers)}")
    rest = [s for s in signers if s not in test]
    if not rest:
        raise ParameterError(f"test_signers={','.join(test)} holds out every signer; nothing is left to train on")
    rng = np.random.default_rng(seed)
    splits: dict[str, list[int]] = {"train": [], "val": [], "test": []}
    if len(rest) >= 3:
        order = [rest[i] for i in rng.permutation(len(rest))]
        val = set(order[: max(1, round(len(rest) * val_fraction))])
        for i, r in enumerate(records):
            s = str(r["signer"])
            splits["test" if s in test else "val" if s in val else "train"].append(i)
    else:
        pool = []
        for i, r in enumerate(records):
            (splits["test"] if str(r["signer"]) in test else pool).append(i)
        perm = rng.permutation(len(pool))
        n_val = int(round(len(pool) * val_fraction))
        splits["val"] = sorted(pool[k] for k in perm[:n_val])
        splits["train"] = sorted(pool[k] for k in perm[n_val:])
    check_signer_independent(records, splits)
    return splits


def check_signer_independent(records: Sequence[Mapping[str, Any]], splits: Mapping[str, Sequence[int]]) -> None:
    """Raise DataError when a signer has samples in both the training and the test split."""

    def of(name: str) -> set[str]:
        return {str(records[i]["signer"]) for i in splits.get(name, ()) if records[i].get("signer") is not None}

    both = of("train") & of("test")
    if both:
        raise DataError(f"signers {sorted(both)} are in both the training and the test split")


def fold_signers(cfg: Mapping[str, Any], cache: StreamCache) -> list[str]:
    """The signers of the labelled, non-mirrored samples (one leave-one-signer-out fold each)."""
    task = cfg["task"]
    recs = [
        r
        for r in cache.records
        if (r.get("gloss") is not None if task == "isolated" else r.get("glosses"))
        and not (r.get("meta") or {}).get("mirror_of")
    ]
    if any(r.get("signer") is None for r in recs):
        raise DataError("folds=loso needs a signer on every sample; some have none (add a signer map or array)")
    signers = sorted({str(r["signer"]) for r in recs})
    if len(signers) < 2:
        raise DataError(f"folds=loso needs at least 2 signers; the dataset has {signers}")
    return signers


def unseen_labels(
    records: Sequence[Mapping[str, Any]], known: Mapping[str, int] | set[str], *, task: str
) -> tuple[list[int], dict[str, Any]]:
    """Split ``records`` into those whose labels are all in ``known`` (their positions) and a report of
    the rest: ``{"count": n, "labels": sorted labels never seen, "ids": sample ids}``."""
    ok, labels, ids = [], set(), []
    for k, r in enumerate(records):
        labs = [r["gloss"]] if task == "isolated" else (r.get("glosses") or [])
        new = {str(g) for g in labs if str(g) not in known}
        if new:
            labels |= new
            ids.append(str(r.get("id")))
        else:
            ok.append(k)
    return ok, {"count": len(ids), "labels": sorted(labels), "ids": ids}


def prepare_data(
    cfg: Mapping[str, Any], *, cache: StreamCache | None = None, progress: Callable[[int, int], None] | None = None
) -> DataBundle:
    """Cache, split (signer-independent by default), vocabulary and normalization statistics for ``cfg``."""
    streams = parse_streams(cfg["streams"])
    cache = cache or open_cache_or_build(cfg, progress=progress)
    missing = [s for s in streams if s not in cache.streams]
    if missing:
        raise ParameterError(f"streams {missing} are not in the dataset cache (it has {list(cache.streams)})")
    task = cfg["task"]
    splits = dataset_splits(cfg, cache)
    if cfg.get("mirror"):  # add the mirrored twins of the training samples
        twins = {
            (r.get("meta") or {}).get("mirror_of"): i
            for i, r in enumerate(cache.records)
            if (r.get("meta") or {}).get("mirror_of")
        }
        splits["train"] = splits["train"] + [
            twins[cache.records[i]["id"]] for i in splits["train"] if cache.records[i]["id"] in twins
        ]
    if not splits["train"]:
        raise DataError("the training split is empty")
    if not splits["val"]:
        log.warning("no validation split; validating on the training split")
        splits["val"] = list(splits["train"])
    vocab = Vocabulary.from_records([cache.records[i] for i in splits["train"]], task=task)
    # held-out samples whose labels the training split never saw are scored apart: reported, not dropped silently
    unseen: dict[str, dict] = {}
    for name in ("val", "test"):
        ok, rep = unseen_labels([cache.records[i] for i in splits[name]], vocab._map, task=task)
        if rep["count"]:
            log.warning(
                "%d %s samples have labels never seen in training (%s); they are scored apart",
                rep["count"],
                name,
                ", ".join(rep["labels"]),
            )
        unseen[name] = rep
        splits[name] = [splits[name][k] for k in ok]
    stats = stream_stats(cache, splits["train"])
    stats = {s: stats[s] for s in streams}
    domains = tuple(sorted({str(r["domain"]) for r in cache.records if r.get("domain")}))
    return DataBundle(
        cache=cache, splits=splits, vocab=vocab, streams=streams, task=task, stats=stats, domains=domains, unseen=unseen
    )


def make_loader(
    bundle: DataBundle,
    indices: Sequence[int],
    cfg: Mapping[str, Any],
    *,
    train: bool,
    transform: Callable | None = None,
    unlabeled: Sequence[int] = (),
):
    import torch
    from torch.utils.data import DataLoader

    if not indices:
        raise DataError("empty split: no samples to load")
    ds = StreamDataset(
        bundle.cache,
        indices,
        streams=bundle.streams,
        vocab=bundle.vocab,
        task=bundle.task,
        max_frames=cfg["max_frames"] if bundle.task == "isolated" else None,
        augment=bool(cfg["augment"]) and train,
        seed=cfg["seed"],
        domains=bundle.domains,
        transform=transform,
        unlabeled=unlabeled,
    )
    g = torch.Generator()
    g.manual_seed(int(cfg["seed"]))
    return DataLoader(
        ds,
        batch_size=cfg["batch_size"],
        shuffle=train,
        collate_fn=collate,
        generator=g,
        num_workers=cfg["num_workers"],
        drop_last=False,
        persistent_workers=cfg["num_workers"] > 0,
    )


def model_kwargs_for(cfg: Mapping[str, Any], bundle: DataBundle) -> dict:
    kw = dict(cfg.get("model_kwargs") or {})
    kw.update(
        in_dims={s: len(bundle.cache.names[s]) for s in bundle.streams},
        num_classes=len(bundle.vocab),
        task=bundle.task,
        norm_stats=bundle.stats,
    )
    if cfg.get("style_embedding"):
        kw["n_domains"] = len(bundle.domains)
    return kw


def fit(
    cfg: Mapping[str, Any],
    *,
    resume: bool = False,
    bundle: DataBundle | None = None,
    train_indices: Sequence[int] | None = None,
    val_indices: Sequence[int] | None = None,
    transform: Callable | None = None,
    init_state: Mapping[str, Any] | None = None,
    unlabeled_indices: Sequence[int] = (),
    callbacks: Sequence[Any] = (),
    progress: Callable[[int, int], None] | None = None,
) -> FitResult:
    """Train one model as ``cfg`` says (see :data:`DEFAULTS`); returns the run folder and checkpoints.

    ``bundle``/``train_indices``/``val_indices``/``transform``/``init_state`` let experiments (ablation,
    adaptation, fine-tuning) reuse one cache and choose the samples.
    """
    import torch

    from .module import RecognitionModule
    from .trainer import fit_module, trainer_config

    cfg = dict(cfg)
    if cfg.get("folds"):
        raise ParameterError(f"folds={cfg['folds']!r} trains one model per signer: use fit_folds (train --folds)")
    tc = trainer_config(
        cfg,
        monitor="val_acc" if cfg["task"] == "isolated" else "val_wer",
        mode="max" if cfg["task"] == "isolated" else "min",
        overwrite=bool(cfg.get("overwrite")),
        callbacks=tuple(callbacks),
    )
    if resume and not (tc.checkpoint_dir / "last.ckpt").is_file():
        raise DataError("nothing to resume: no checkpoints/last.ckpt", path=tc.run_dir)
    if cfg.get("threads"):
        torch.set_num_threads(int(cfg["threads"]))
    import lightning as L

    L.seed_everything(int(cfg["seed"]), workers=True, verbose=False)
    bundle = bundle or prepare_data(cfg, progress=progress)
    tr = list(train_indices) if train_indices is not None else bundle.splits["train"]
    va = list(val_indices) if val_indices is not None else bundle.splits["val"]
    if not tr:
        raise DataError("empty training split")
    module = RecognitionModule(
        model_name=cfg["model"],
        model_kwargs=model_kwargs_for(cfg, bundle),
        task=bundle.task,
        vocab=list(bundle.vocab.tokens),
        streams=list(bundle.streams),
        face_regions=list(cfg["face_regions"]),
        fps=bundle.cache.fps,
        lr=float(cfg["lr"]),
        weight_decay=float(cfg["weight_decay"]),
        label_smoothing=float(cfg["label_smoothing"]),
        adversarial=float(cfg["adversarial"]),
        domains=list(bundle.domains),
        config=plain(cfg),
    )
    if init_state is not None:
        _load_matching(module.model, init_state)
    train_loader = make_loader(
        bundle,
        tr + [i for i in unlabeled_indices if i not in set(tr)],
        cfg,
        train=True,
        transform=transform,
        unlabeled=unlabeled_indices,
    )
    val_loader = make_loader(bundle, va, cfg, train=False, transform=transform)
    res = fit_module(module, train_loader, val_loader, trainer=tc, config=cfg, resume=resume)
    metrics = dict(res.metrics)
    metrics["ctc_skipped"] = int(module.ctc_skipped)
    from ..io import atomic_path

    # "train" counts every training sample; "train_mirrored" how many of them are mirrored twins
    mirrored = sum(1 for i in tr if (bundle.cache.records[i].get("meta") or {}).get("mirror_of"))
    unseen = {k: {"count": v["count"], "labels": v["labels"]} for k, v in bundle.unseen.items()}
    metrics["unseen_labels"] = unseen.get("test", {"count": 0, "labels": []})
    with atomic_path(tc.run_dir / "summary.json") as tmp:
        tmp.write_text(
            json.dumps(
                {
                    "best": str(res.best) if res.best else None,
                    "last": str(res.last),
                    "metrics": metrics,
                    "vocab_size": len(bundle.vocab),
                    "train": len(tr),
                    "train_mirrored": mirrored,
                    "val": len(va),
                    "test": len(bundle.splits.get("test", ())),
                    "test_signers": cfg.get("test_signers"),
                    "unseen_labels": unseen,
                },
                indent=2,
            )
        )
    return FitResult(
        run_dir=res.run_dir, best=res.best, last=res.last, metrics=metrics, config=cfg, history=res.history
    )


def _load_matching(model: Any, state: Mapping[str, Any]) -> int:
    """Copy the tensors of ``state`` whose names and shapes match ``model`` (transfer learning: an isolated
    model's encoder into a CTC model, a pretrained model into a fine-tuning run). The model's own input
    normalization buffers are kept. Returns how many tensors were copied."""
    own = module_state = model.state_dict()
    take = {
        k: v
        for k, v in state.items()
        if k in own and tuple(own[k].shape) == tuple(v.shape) and not k.startswith(("mean_", "std_"))
    }
    if not take:
        raise ParameterError("init_state shares no parameter (name and shape) with the model")
    module_state.update(take)
    model.load_state_dict(module_state)
    log.info("initialized %d of %d tensors from init_state", len(take), len(own))
    return len(take)
