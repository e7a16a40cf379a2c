"""Learning data: splits, vocabulary, normalization statistics, the torch dataset and the one collate.

Samples come from :mod:`signfuse.samples` (the stream cache); this module turns cache indices into
padded batches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import DataError, ParameterError
from ..samples import StreamCache

__all__ = [
    "signer_splits",
    "Vocabulary",
    "StreamDataset",
    "collate",
    "pad_collate",
    "stream_stats",
    "feature_stats",
    "LengthBucketBatchSampler",
]

log = logging.getLogger(__name__)


def signer_splits(
    records: Sequence[Mapping[str, Any]],
    *,
    val_fraction: float = 0.15,
    test_fraction: float = 0.2,
    seed: int = 0,
    signer_independent: bool = True,
) -> dict[str, list[int]]:
    """Indices of ``train``/``val``/``test``.

    The dataset's own ``split`` is used where every record has one (a warning is logged if a signer is
    in both train and test). Otherwise signers (when known and ``signer_independent``) are shuffled with
    ``seed`` and assigned whole to test, val, then train, so no signer is in two splits; without signer
    ids, samples are split at random.
    """
    n = len(records)
    splits: dict[str, list[int]] = {"train": [], "val": [], "test": []}
    alias = {"train": "train", "val": "val", "dev": "val", "validation": "val", "test": "test"}
    if n and all(str(r.get("split")).lower() in alias for r in records):
        for i, r in enumerate(records):
            splits[alias[str(r["split"]).lower()]].append(i)
        tr = {records[i].get("signer") for i in splits["train"]} - {None}
        te = {records[i].get("signer") for i in splits["test"]} - {None}
        if tr & te:
            log.warning("the dataset's splits share signers %s between train and test", sorted(tr & te)[:5])
        return splits
    rng = np.random.default_rng(seed)
    signers = sorted({str(r.get("signer")) for r in records if r.get("signer") is not None})
    if signer_independent and len(signers) >= 3 and all(r.get("signer") is not None for r in records):
        order = [signers[i] for i in rng.permutation(len(signers))]
        n_test = max(1, round(len(order) * test_fraction))
        n_val = max(1, round(len(order) * val_fraction)) if len(order) - n_test > 1 else 0
        role = {s: "test" for s in order[:n_test]}
        role.update({s: "val" for s in order[n_test : n_test + n_val]})
        for i, r in enumerate(records):
            splits[role.get(str(r["signer"]), "train")].append(i)
        return splits
    perm = rng.permutation(n)
    n_test, n_val = int(round(n * test_fraction)), int(round(n * val_fraction))
    splits["test"] = sorted(perm[:n_test].tolist())
    splits["val"] = sorted(perm[n_test : n_test + n_val].tolist())
    splits["train"] = sorted(perm[n_test + n_val :].tolist())
    return splits


@dataclass(frozen=True)
class Vocabulary:
    """Gloss labels in a fixed order (index = class id; CTC models shift by one for the blank)."""

    tokens: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(set(self.tokens)) != len(self.tokens):
            raise ParameterError("vocabulary has duplicate glosses")

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], *, task: str) -> Vocabulary:
        toks: set[str] = set()
        for r in records:
            if task == "isolated":
                if r.get("gloss") is not None:
                    toks.add(str(r["gloss"]))
            else:
                toks.update(str(g) for g in (r.get("glosses") or []))
        if len(toks) < 2:
            raise DataError(f"the training data has {len(toks)} class(es) {sorted(toks)}; recognition needs at least 2")
        return cls(tuple(sorted(toks)))

    def __len__(self) -> int:
        return len(self.tokens)

    def index(self, gloss: str, *, sample: str | None = None) -> int:
        try:
            return self._map[gloss]
        except KeyError:
            where = f" (sample {sample!r})" if sample else ""
            raise DataError(f"label {gloss!r}{where} is not in the model's vocabulary of {len(self)} glosses") from None

    @property
    def _map(self) -> dict[str, int]:
        m = self.__dict__.get("_m")
        if m is None:
            m = {t: i for i, t in enumerate(self.tokens)}
            object.__setattr__(self, "_m", m)
        return m


def feature_stats(arrays: Iterable[np.ndarray], *, max_rows: int | None = None) -> dict[str, list[float]]:
    """Per-column mean and std over the finite values of ``(T, F)`` arrays (the one normalization statistic
    of every task). Columns never seen get mean 0, std 1; near-constant columns std 1."""
    rows, total, width = [], 0, None
    for a in arrays:
        a = np.asarray(a, dtype=np.float64)
        width = a.shape[1] if a.ndim == 2 else width
        rows.append(a)
        total += len(a)
        if max_rows is not None and total > max_rows:
            break
    if width is None:
        raise DataError("no data to compute normalization statistics from")
    x = np.concatenate(rows, axis=0) if rows else np.zeros((0, width))
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: handled below
            mean = np.nanmean(x, axis=0) if len(x) else np.zeros(width)
            std = np.nanstd(x, axis=0) if len(x) else np.ones(width)
    mean = np.where(np.isfinite(mean), mean, 0.0)
    std = np.where(np.isfinite(std) & (std > 1e-6), std, 1.0)
    return {"mean": mean.tolist(), "std": std.tolist()}


def stream_stats(
    cache: StreamCache, indices: Sequence[int], *, max_frames: int = 200_000
) -> dict[str, dict[str, list[float]]]:
    """Per-stream feature mean and std over the valid, finite frames of ``indices`` (the training set)."""
    out = {}
    for s in cache.streams:

        def valid(s=s):
            for i in indices:
                v, m = cache[i]
                yield v[s][m[s]]

        st = (
            feature_stats(valid(), max_rows=max_frames)
            if indices
            else {"mean": [0.0] * len(cache.names[s]), "std": [1.0] * len(cache.names[s])}
        )
        out[s] = {k: np.asarray(v, np.float32).tolist() for k, v in st.items()}
    return out


class StreamDataset:
    """A torch-style dataset over cache indices: items are dicts with ``x``, ``mask``, ``label``/``labels``,
    ``domain`` and ``index``. Training items can be augmented (seeded per epoch and item).

    ``transform(values, masks, record) -> (values, masks)`` may rewrite streams (AdaIN re-styling...).
    """

    def __init__(
        self,
        cache: StreamCache,
        indices: Sequence[int],
        *,
        streams: Sequence[str],
        vocab: Vocabulary,
        task: str,
        max_frames: int | None = None,
        augment: bool = False,
        seed: int = 0,
        domains: Sequence[str] = (),
        transform: Callable | None = None,
        unlabeled: Iterable[int] = (),
    ):
        missing = [s for s in streams if s not in cache.streams]
        if missing:
            raise ParameterError(f"streams {missing} are not in the cache (it has {list(cache.streams)})")
        self.cache, self.indices, self.streams = cache, list(indices), tuple(streams)
        self.vocab, self.task, self.max_frames = vocab, task, max_frames
        self.augment, self.seed, self.epoch = augment, seed, 0
        self.domains = {d: i + 1 for i, d in enumerate(domains)}
        self.transform = transform
        self.unlabeled = set(int(i) for i in unlabeled)
        for i in self.indices:
            if i in self.unlabeled:
                continue  # labels must exist in the vocabulary (clear error up front)
            self._labels(cache.records[i])

    def __len__(self) -> int:
        return len(self.indices)

    def _labels(self, r: Mapping[str, Any]):
        if self.task == "isolated":
            if r.get("gloss") is None:
                raise DataError(f"sample {r['id']!r} has no gloss label")
            return self.vocab.index(str(r["gloss"]), sample=r["id"])
        return [self.vocab.index(str(g), sample=r["id"]) + 1 for g in (r.get("glosses") or [])]

    def __getitem__(self, k: int) -> dict:
        i = self.indices[k]
        r = self.cache.records[i]
        v, m = self.cache[i]
        v = {s: v[s] for s in self.streams}
        m = {s: m[s] for s in self.streams}
        if self.transform is not None:
            v, m = self.transform(v, m, r)
        from ..preprocess import augment_streams

        x, mask = augment_streams(
            v, m, seed=[self.seed, self.epoch, i] if self.augment else None, max_frames=self.max_frames
        )
        item = {"x": x, "mask": mask, "index": i, "domain": self.domains.get(r.get("domain"), 0)}
        if i in self.unlabeled:  # domain-adversarial target samples: no class label
            lab = -100 if self.task == "isolated" else []
        else:
            lab = self._labels(r)
        item["label" if self.task == "isolated" else "labels"] = lab
        return item


def pad_collate(items: Sequence[Mapping[str, Any]], *, pad_value: float = 0.0) -> dict[str, Any]:
    """One collate for every batch shape (pose-format's ``zero_pad_collator``): a list of dicts -> a dict.

    Arrays (time first) are padded to the longest with ``pad_value`` (boolean masks with ``False``) and
    stacked into tensors; nested dicts are collated key by key; numbers become a tensor; lists and other
    values stay a list (variable-length label sequences).
    """
    import torch

    out: dict[str, Any] = {}
    for key in items[0]:
        vals = [it[key] for it in items]
        v0 = vals[0]
        if isinstance(v0, Mapping):
            out[key] = pad_collate(vals, pad_value=pad_value)
        elif isinstance(v0, np.ndarray) and v0.ndim >= 1:
            T = max(len(v) for v in vals)
            a = np.full((len(vals), T) + v0.shape[1:], False if v0.dtype == np.bool_ else pad_value, dtype=v0.dtype)
            for b, v in enumerate(vals):
                a[b, : len(v)] = v
            out[key] = torch.from_numpy(a)
        elif isinstance(v0, (bool, int, np.integer)):
            out[key] = torch.tensor([int(v) for v in vals], dtype=torch.long)
        elif isinstance(v0, (float, np.floating)):
            out[key] = torch.tensor([float(v) for v in vals], dtype=torch.float32)
        else:
            out[key] = list(vals)
    return out


def collate(items: Sequence[dict]) -> dict:
    """Recognition batches: :func:`pad_collate` with streams as float32 and CTC label lists kept as lists."""
    items = [
        {
            **it,
            "x": {s: np.asarray(v, np.float32) for s, v in it["x"].items()},
            "mask": {s: np.asarray(v, np.bool_) for s, v in it["mask"].items()},
        }
        for it in items
    ]
    batch = pad_collate(items)
    if "labels" in batch:
        batch["labels"] = [list(v) for v in batch["labels"]]
    return batch


class LengthBucketBatchSampler:
    """Batches of similar length, in random order: less padding for the same number of steps.

    Each epoch shuffles the indices (``seed`` plus the epoch, so a resumed run draws what the killed one
    would have), cuts them into pools of ``pool`` batches, sorts each pool by ``lengths`` and cuts it
    into batches of ``batch_size``, then shuffles the batches (fairseq's and torchtext's bucket iterator,
    which :class:`torch.utils.data.DataLoader` has no option for). Every index is in exactly one batch per
    epoch; the batch count is ``ceil(n / batch_size)``, as with ``shuffle=True``.
    """

    def __init__(self, lengths: Sequence[int], batch_size: int, *, pool: int = 50, seed: int = 0):
        if int(batch_size) < 1 or int(pool) < 1:
            raise ParameterError(f"batch_size={batch_size} and pool={pool} must be positive integers")
        self.lengths = np.asarray(lengths, dtype=np.int64)
        self.batch_size, self.pool, self.seed = int(batch_size), int(pool), int(seed)
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return -(-len(self.lengths) // self.batch_size)

    def __iter__(self):
        rng = np.random.default_rng([self.seed, self.epoch])
        self.epoch += 1
        order = rng.permutation(len(self.lengths))
        span = self.batch_size * self.pool
        batches = []
        for s in range(0, len(order), span):
            chunk = order[s : s + span]
            chunk = chunk[np.argsort(self.lengths[chunk], kind="stable")]
            batches += [chunk[i : i + self.batch_size].tolist() for i in range(0, len(chunk), self.batch_size)]
        for j in rng.permutation(len(batches)):
            yield batches[j]
