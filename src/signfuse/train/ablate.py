"""Stream ablation: train and evaluate one model per stream set with the same seeds, splits and vocabulary.

Reports overall top-1 and top-1 on minimal-pair signs (signs that differ from another sign only in a
non-manual marker), so it shows what each modality adds.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from ..samples import parse_streams

__all__ = ["parse_stream_sets", "ablate", "ablate_folds", "ablation_table"]

log = logging.getLogger(__name__)


def parse_stream_sets(spec: str | Sequence[Sequence[str]]) -> list[tuple[str, ...]]:
    """``"hands;hands,body;hands,body,face"`` -> list of stream tuples (each validated)."""
    sets = [p for p in spec.split(";") if p.strip()] if isinstance(spec, str) else list(spec)
    if not sets:
        raise ParameterError("streams_sets must list at least one stream set, e.g. 'hands;hands,face'")
    return [parse_streams(s) for s in sets]


def ablation_table(rows: Sequence[Mapping[str, Any]], *, classes: int | None = None) -> str:
    """A markdown table of accuracies (higher is better: ↑); with ``classes``, a last row of chance levels."""
    lines = [
        "| streams | top-1 ↑ | top-5 ↑ | per-class top-1 ↑ | minimal-pair top-1 ↑ | non-pair top-1 ↑ |",
        "|---|---|---|---|---|---|",
    ]

    def f(v):
        return "-" if v is None else f"{100 * v:.1f}%"

    for r in rows:
        lines.append(
            f"| {r['streams']} | {f(r['top1'])} | {f(r.get('top5'))} | {f(r.get('top1_per_class'))} | "
            f"{f(r.get('minimal_pair_top1'))} | {f(r.get('non_pair_top1'))} |"
        )
    if classes:
        c1, c5 = 1 / classes, min(5, classes) / classes
        lines.append(f"| chance ({classes} classes) | {f(c1)} | {f(c5)} | {f(c1)} | {f(c1)} | {f(c1)} |")
    return "\n".join(lines)


def ablate(
    cfg: Mapping[str, Any],
    stream_sets: str | Sequence[Sequence[str]],
    out_dir: str | os.PathLike[str],
    *,
    progress: Callable[[str], None] | None = None,
    bundle=None,
    pretrained: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Train/evaluate each stream set; writes ``ablation.json``, ``ablation.md`` and ``ablation.png``.

    ``cfg['test_signers']`` holds those signers out as the test split; ``cfg['folds'] == "loso"`` runs the
    whole ablation once per held-out signer (``OUT_DIR/fold_<signer>``) and writes ``folds.json`` /
    ``folds.md`` with each stream set's top-1 per fold, mean and std (see :func:`ablate_folds`).
    Test samples whose labels training never saw are counted in ``unseen_labels``.

    ``pretrained`` maps a stream set (``"hands,body,face"``) to an already trained
    :class:`~.checkpoint.Recognizer` with the same settings, which is evaluated instead of retrained.
    """
    from ..models.recognizer import load_checkpoint
    from .evaluate import evaluate
    from .fit import fit, prepare_data

    sets = parse_stream_sets(stream_sets)
    if cfg["task"] != "isolated":
        raise ParameterError("ablate compares isolated recognition accuracy; use task=isolated")
    if cfg.get("folds") == "loso":
        if pretrained:
            raise ParameterError("pretrained models cannot be reused across leave-one-signer-out folds")
        return ablate_folds(cfg, sets, out_dir, progress=progress)
    union = tuple(dict.fromkeys(s for st in sets for s in st))
    base_cfg = dict(cfg, streams=",".join(union))
    bundle = bundle or prepare_data(base_cfg)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for st in sets:
        name = ",".join(st)
        if progress:
            progress(f"ablation: {name}")
        if pretrained and name in pretrained:
            rec = pretrained[name]
        else:
            sub = replace(bundle, streams=st, stats={s: bundle.stats[s] for s in st})
            run = dict(cfg, streams=name, run_dir=str(out / name.replace(",", "+")))
            res = fit(run, bundle=sub)
            rec = load_checkpoint(res.best or res.last)
        if not bundle.splits["test"]:
            raise ParameterError("the test split is empty (every test sample has a label training never saw?)")
        m = evaluate(rec, bundle.cache, bundle.splits["test"], domains=bundle.domains)
        rows.append(
            {
                "streams": name,
                **{
                    k: m.get(k)
                    for k in (
                        "top1",
                        "top5",
                        "top1_per_class",
                        "minimal_pair_top1",
                        "minimal_pair_n",
                        "non_pair_top1",
                        "n",
                    )
                },
            }
        )
        log.info("ablation %s: %s", name, rows[-1])
    unseen = bundle.unseen.get("test", {"count": 0, "labels": []})
    result = {
        "rows": rows,
        "seed": cfg["seed"],
        "model": cfg["model"],
        "test_n": len(bundle.splits["test"]),
        "classes": len(bundle.vocab),
        "test_signers": cfg.get("test_signers"),
        "unseen_labels": {"count": unseen["count"], "labels": unseen["labels"]},
    }
    from ..io import atomic_path

    with atomic_path(out / "ablation.json") as tmp:
        tmp.write_text(json.dumps(result, indent=2))
    with atomic_path(out / "ablation.md") as tmp:
        tmp.write_text(ablation_table(rows, classes=len(bundle.vocab)) + "\n")
    from .. import viz
    from ..io import save_figure

    result["figure"] = str(
        save_figure(viz.ablation_bars(rows, chance=1 / max(1, len(bundle.vocab))), out / "ablation.png")
    )
    return result


def ablate_folds(
    cfg: Mapping[str, Any],
    stream_sets: str | Sequence[Sequence[str]],
    out_dir: str | os.PathLike[str],
    *,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Leave-one-signer-out ablation: :func:`ablate` per held-out signer into ``OUT_DIR/fold_<signer>``;
    ``folds.json`` / ``folds.md`` hold ``top1[<streams>]`` (and top-5, per-class top-1) per fold, mean, std."""
    from .fit import open_cache_or_build
    from .folds import run_folds

    sets = parse_stream_sets(stream_sets)
    union = ",".join(dict.fromkeys(s for st in sets for s in st))
    base = dict(cfg, streams=union, folds=None)
    cache = open_cache_or_build(base)

    def one(fold_cfg: dict, signer: str) -> dict:
        from .fit import prepare_data

        bundle = prepare_data(fold_cfg, cache=cache)
        r = ablate(fold_cfg, sets, fold_cfg["run_dir"], progress=progress, bundle=bundle)
        row: dict[str, Any] = {}
        for k in ("top1", "top5", "top1_per_class"):
            row.update({f"{k}[{x['streams']}]": x.get(k) for x in r["rows"]})
        row.update(n=r["test_n"], unseen_count=r["unseen_labels"]["count"], unseen_labels=r["unseen_labels"]["labels"])
        return row

    res = run_folds(base, one, out_dir, cache=cache, progress=progress, what="ablation fold")
    return {
        **res,
        "rows": [
            {
                "streams": ",".join(st),
                "top1": res["mean"].get(f"top1[{','.join(st)}]"),
                "top5": res["mean"].get(f"top5[{','.join(st)}]"),
                "top1_per_class": res["mean"].get(f"top1_per_class[{','.join(st)}]"),
            }
            for st in sets
        ],
    }
