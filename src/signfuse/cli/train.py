"""``signfuse train | eval | recognize | ablate | adapt | export``: thin commands over :mod:`signfuse.train`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import ParameterError
from ._common import FORCE_HELP, ProgressCallback, console, existing_file, existing_input, refuse_existing

__all__ = ["train", "eval_cmd", "recognize", "ablate", "adapt", "export"]

_CTX = {"ignore_unknown_options": True, "allow_extra_args": True}


def _overrides(args: list[str]) -> dict[str, str]:
    """``--key value`` / ``--key=value`` pairs after the known options (``--model-kwargs.dim 64``)."""
    out: dict[str, str] = {}
    i = 0
    while i < len(args):
        a = args[i]
        if not a.startswith("--") or len(a) < 3:
            raise ParameterError(f"unexpected argument {a!r}; overrides look like --key value")
        key = a[2:]
        if "=" in key:
            key, val = key.split("=", 1)
            i += 1
        elif i + 1 < len(args) and not args[i + 1].startswith("--"):
            val = args[i + 1]
            i += 2
        else:
            val = "true"
            i += 1
        out[key.replace("-", "_")] = val
    return out


def _common_cfg(data, task, model, streams, config, extra, *, test_signers=None, folds=None) -> dict:
    from ..train.fit import resolve_config

    ov = _overrides(extra)
    for k, v in (
        ("data", data),
        ("task", task),
        ("model", model),
        ("streams", streams),
        ("test_signers", test_signers),
        ("folds", folds),
    ):
        if v is not None:
            ov[k] = v
    if isinstance(ov.get("test_signers"), str):  # keep "1,2" a list of names, not a YAML number
        ov["test_signers"] = [s for s in ov["test_signers"].split(",")]
    return resolve_config(config, ov)


def _signer_options(f):
    """``--test-signers A,B`` and ``--folds loso`` (config keys ``test_signers`` / ``folds``)."""
    f = click.option(
        "--folds",
        type=click.Choice(["loso"]),
        default=None,
        help="loso: leave one signer out, one model per signer (run folder per fold); "
        "writes folds.json / folds.md with each fold, the mean and the std.  [default: none]",
    )(f)
    f = click.option(
        "--test-signers",
        default=None,
        help="Comma-separated signers held out as the test split (validation from the others).  "
        "[default: none: the dataset's split, or signers drawn with the seed]",
    )(f)
    return f


def _unseen_line(u) -> str | None:
    if u and u.get("count"):
        return (
            f"{u['count']} test samples have labels never seen in training (scored apart): "
            f"{', '.join(map(str, u.get('labels', [])))}"
        )
    return None


#: recognition models (listed here so that --help imports no torch; a test keeps it equal to the registry)
RECOGNITION_MODELS = ("conv_transformer", "hybrid", "lstm", "transformer")


@click.command(context_settings={**_CTX, "show_default": True})
@click.option(
    "--data",
    type=click.Path(exists=True),
    help="Corpus folder, dataset index, extract output folder or "
    "stream cache.  [default: the data key of --config, or of RUN_DIR/config.yaml with --resume]",
)
@click.option("--task", type=click.Choice(["isolated", "continuous"]), default=None, help="[default: isolated]")
@click.option("--model", default=None, help=f"Recognition model: {', '.join(RECOGNITION_MODELS)}. [default: hybrid]")
@click.option(
    "--streams",
    default=None,
    help="Comma-separated streams (hands, body, face, au, audio, motion, "
    "hand_flexion, handshape, gesture, voice, and <stream>_vel / _acc). [default: hands,body,face]",
)
@click.option("--epochs", type=click.IntRange(min=1), default=None, help="[default: 20]")
@click.option(
    "--accelerator",
    type=click.Choice(["auto", "cpu", "gpu", "cuda", "mps"]),
    default=None,
    help="Where to train; auto uses a GPU when there is one. [default: auto]",
)
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="YAML config (its keys override the defaults).  [default: none]",
)
@click.option(
    "--run-dir", type=click.Path(file_okay=False), default=None, help="Output folder of the run. [default: runs/latest]"
)
@click.option("--resume", is_flag=True, help="Continue from RUN_DIR/checkpoints/last.ckpt.")
@click.option("--force", is_flag=True, help="Overwrite a run folder that already holds checkpoints.")
@_signer_options
@click.pass_context
def train(
    ctx: click.Context,
    data,
    task,
    model,
    streams,
    epochs,
    accelerator,
    config,
    run_dir,
    resume,
    force,
    test_signers,
    folds,
) -> None:
    """Train a recognition model. Extra --key value pairs override any config key (e.g. --lr 1e-3,
    --batch_size 16, --model_kwargs.dim 64, --patience 5, --max_frames 64); see the README for all keys."""
    from ..train.fit import fit
    from ..train.folds import fit_folds, folds_table
    from ..train.trainer import epoch_callback
    from ._common import EpochProgress

    extra = list(ctx.args)
    if run_dir:
        extra += ["--run_dir", run_dir]
    for k, v in (("epochs", epochs), ("accelerator", accelerator)):
        if v is not None:
            extra += [f"--{k}", str(v)]
    if force:
        extra += ["--overwrite", "true"]
    if resume and run_dir and not data and (Path(run_dir) / "config.yaml").is_file() and config is None:
        config = str(Path(run_dir) / "config.yaml")
    cfg = _common_cfg(
        data, task, model, streams, config, extra + ["--progress", "false"], test_signers=test_signers, folds=folds
    )
    if cfg.get("folds") == "loso":
        if resume:
            raise ParameterError(
                "--resume applies to one run; --folds loso skips the folds folds.json "
                "already holds when run again without --force"
            )
        with ProgressCallback("caching streams") as prog, EpochProgress("training", share=prog) as ep:
            r = fit_folds(cfg, progress=lambda m: console.print(m), callbacks=[epoch_callback(ep)], cache_progress=prog)
        console.print(f"[green]done[/green]: {cfg['run_dir']}/folds.json")
        click.echo(folds_table(r, keys=["top1", "top5", "top1_per_class", "top5_per_class", "n"]))
        return
    with ProgressCallback("caching streams") as prog, EpochProgress("training", share=prog) as ep:
        res = fit(cfg, resume=resume, progress=prog, callbacks=[epoch_callback(ep)])
    console.print(f"[green]done[/green]: {res.run_dir}  best={res.best}")
    counts = _sample_counts(Path(res.run_dir))
    if counts:
        console.print(counts, highlight=False)
    line = _unseen_line(res.metrics.get("unseen_labels"))
    if line:
        console.print(line)
    click.echo(
        json.dumps(
            {"run_dir": str(res.run_dir), "best": str(res.best), "last": str(res.last), "metrics": res.metrics},
            indent=2,
        )
    )


def _sample_counts(run_dir: Path) -> str | None:
    """ "samples: train 40 (+40 mirrored), val 10" from the run's summary.json (None when it has no counts)."""
    try:
        d = json.loads((run_dir / "summary.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(d.get("train"), int):
        return None
    mirrored = int(d.get("train_mirrored") or 0)
    train = f"{d['train'] - mirrored} (+{mirrored} mirrored)" if mirrored else str(d["train"])
    return f"samples: train {train}, val {d.get('val', '?')}"


def eval_summary(m: dict, *, split: str = "test") -> str:
    """One line for a person: "test: top-1 94.4% (151/160), top-5 99.4%", or the WER with its parts."""
    if m.get("task") == "isolated" and "top1" in m:
        n = int(m.get("n", 0))
        line = f"{split}: top-1 {100 * m['top1']:.1f}% ({round(m['top1'] * n)}/{n})"
        if m.get("top5") is not None:
            line += f", top-5 {100 * m['top5']:.1f}%"
        return line
    w = m.get("beam") or m.get("greedy")
    if w:
        how = f"beam {w['width']}" if "width" in w else "greedy"
        return (
            f"{split}: WER {100 * w['wer']:.1f}% ({w['n_sub']} sub, {w['n_del']} del, {w['n_ins']} ins "
            f"of {w['n_ref']} glosses in {w['n_seq']} sentences; {how})"
        )
    return f"{split}: evaluated"


@click.command(name="eval")
@click.argument("checkpoint", callback=existing_file)
@click.option("--data", type=click.Path(exists=True), default=None, help="Dataset (default: the training data).")
@click.option("--split", type=click.Choice(["train", "val", "test"]), default="test")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for metrics.json and figures.  [default: RUN/eval_SPLIT, RUN/eval_SPLIT_SIGNERS with --test-signers]",
)
@click.option("--beam", type=click.IntRange(0, 256), default=0, help="CTC beam width (0: greedy only).")
@click.option(
    "--test-signers",
    default=None,
    help="Comma-separated signers to test on (default: the checkpoint's own test split, e.g. its fold).",
)
@click.option("--force", is_flag=True, help=FORCE_HELP)
def eval_cmd(checkpoint, data, split, out_dir, beam, test_signers, force) -> None:
    """Evaluate CHECKPOINT on a split; writes metrics.json and figures. Samples whose labels the model
    never learned are counted apart (unseen_labels) and the rest are scored."""
    from ..train.evaluate import evaluate_checkpoint

    if out_dir is None:  # one folder per split and signer choice, so evaluating on another signer keeps the first
        tag = f"_{'+'.join(x.strip() for x in test_signers.split(','))}" if test_signers else ""
        out_dir = str(Path(checkpoint).parent.parent / f"eval_{split}{tag}")
    refuse_existing(Path(out_dir) / "metrics.json", force=force)
    with ProgressCallback("caching streams", transient=True) as prog:
        m = evaluate_checkpoint(
            checkpoint,
            data=data,
            split=split,
            out_dir=out_dir,
            beam=beam,
            progress=prog,
            test_signers=test_signers.split(",") if test_signers else None,
        )
    m.pop("confusion_matrix", None)
    if m.get("unseen_labels"):
        m["unseen_labels"] = {k: v for k, v in m["unseen_labels"].items() if k != "ids"}
        line = _unseen_line(m["unseen_labels"])
        if line:
            console.print(line.replace("test samples", f"{split} samples"))
    console.print(eval_summary(m, split=split), highlight=False)
    click.echo(json.dumps(m, indent=2))


@click.command()
@click.argument("model_path", callback=existing_file)
@click.argument("input_path")
@click.option("--top-k", type=click.IntRange(1, 1000), default=5, show_default=True)
@click.option(
    "--beam", type=click.IntRange(0, 256), default=0, help="CTC beam width for continuous models (0: greedy)."
)
@click.option("--fps", type=float, default=None, help="Frame rate of Kaggle parquet inputs without one.")
@click.option(
    "--live",
    is_flag=True,
    help="INPUT_PATH is a camera index, a stream URL or a video read as a stream: print a result every --hop seconds.",
)
@click.option(
    "--window",
    "window_s",
    type=click.FloatRange(min=0, min_open=True),
    default=2.0,
    show_default=True,
    help="Live: seconds of frames each result looks at.",
)
@click.option(
    "--hop",
    "hop_s",
    type=click.FloatRange(min=0, min_open=True),
    default=0.5,
    show_default=True,
    help="Live: seconds between results.",
)
@click.option("--max-frames", type=click.IntRange(min=1), default=None, help="Live: stop after this many frames.")
@click.option(
    "--force",
    is_flag=True,
    help="Answer even when the body parts the model needs were mostly not detected in the input.",
)
@click.option(
    "--translate",
    "translate_ckpt",
    default=None,
    callback=existing_file,
    help="A translation checkpoint (signfuse translate train): also print the sentence.",
)
def recognize(
    model_path, input_path, top_k, beam, fps, live, window_s, hop_s, max_frames, force, translate_ckpt
) -> None:
    """Recognize signs in INPUT_PATH (landmark file or video) with a checkpoint or an ONNX file.

    With --live, INPUT_PATH is a camera index (0), a stream URL (rtsp://, http://) or a video file, and
    one line per --hop seconds shows the source time and the top glosses of the last --window seconds.
    """
    if live:
        from ..inference.recognize import recognize_live

        for r in recognize_live(
            model_path,
            input_path,
            window_s=window_s,
            hop_s=hop_s,
            top_k=top_k,
            beam=beam,
            max_frames=max_frames,
            translate=translate_ckpt,
        ):
            shown = (
                " ".join(f"{t['gloss']} {t['probability']:.2f}" for t in r["top"])
                if "top" in r
                else " ".join(r["glosses"])
            )
            said = f"  \u201c{r['text']}\u201d" if r.get("text") else ""
            click.echo(f"{r['time']:8.2f} s  {shown}{said}  ({r['latency_ms']:.0f} ms)")
        return
    existing_input(None, None, input_path)
    from ..inference.recognize import recognize as run
    from ..quality import format_rates

    r = run(model_path, input_path, top_k=top_k, beam=beam, fps=fps, force=force, translate=translate_ckpt)
    console.print(
        f"detected in {r['frames']} frames: {format_rates(r['detection'], ('pose', 'face', 'hands'))}", highlight=False
    )
    if r["task"] == "isolated":
        if beam:
            console.print("note: --beam applies to continuous (CTC) models only; this model is isolated")
        for t in r["top"]:
            click.echo(f"{t['gloss']}\t{t['probability']:.4f}")
    elif r["glosses"]:
        click.echo(" ".join(r["glosses"]))
    else:
        console.print(f"no sign recognized in {r['frames']} frames (the model predicted only blanks)")
    if "text" in r:
        click.echo(r["text"])


def _with_epochs(args: list[str], epochs: int | None) -> list[str]:
    return args + ["--epochs", str(epochs)] if epochs is not None else args


@click.command(context_settings={**_CTX, "show_default": True})
@click.option(
    "--data",
    type=click.Path(exists=True),
    required=True,
    help="Corpus folder, dataset index, extract output folder or stream cache.",
)
@click.option(
    "--streams-sets", required=True, help='Stream sets separated by ";", e.g. "hands;hands,body;hands,body,face".'
)
@click.option("--model", default=None, help=f"Recognition model: {', '.join(RECOGNITION_MODELS)}. [default: hybrid]")
@click.option("--epochs", type=click.IntRange(min=1), default=None, help="Epochs per stream set. [default: 20]")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="YAML config (its keys override the defaults).  [default: none]",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="runs/ablation",
    help="Output folder (ablation.json, ablation.md, ablation.png, one run folder per set).",
)
@click.option("--force", is_flag=True, help="Retrain into run folders that already hold checkpoints.")
@_signer_options
@click.pass_context
def ablate(ctx, data, streams_sets, model, epochs, config, out_dir, force, test_signers, folds) -> None:
    """Train and evaluate each stream set with the same seeds; writes a table. Extra --key value pairs
    override any config key, as in train."""
    from ..train.ablate import ablate as run
    from ..train.ablate import ablation_table, parse_stream_sets
    from ..train.folds import folds_table

    sets = parse_stream_sets(streams_sets)
    union = ",".join(dict.fromkeys(s for st in sets for s in st))
    cfg = _common_cfg(
        data,
        "isolated",
        model,
        union,
        config,
        _with_epochs(list(ctx.args), epochs) + (["--overwrite", "true"] if force else []),
        test_signers=test_signers,
        folds=folds,
    )
    r = run(cfg, sets, out_dir, progress=lambda m: console.print(m))
    if "folds" in r:
        click.echo(folds_table(r, keys=[f"top1[{','.join(st)}]" for st in sets]) + "\n\nmean over folds:")
    else:
        line = _unseen_line(r.get("unseen_labels"))
        if line:
            console.print(line)
    click.echo(ablation_table(r["rows"], classes=r.get("classes")))


@click.command(context_settings={**_CTX, "show_default": True})
@click.option(
    "--data",
    type=click.Path(exists=True),
    required=True,
    help="Corpus folder, dataset index or stream cache with a domain (region) per signer.",
)
@click.option("--source", default=None, help="Training region.  [default: the first region, sorted by name]")
@click.option("--target", default=None, help="Test region.  [default: the second region]")
@click.option("--methods", default="none,instance,adain,adversarial,finetune", help="Comma-separated methods.")
@click.option("--k-shot", type=click.IntRange(0, 10_000), default=2, help="Target samples per class for finetune.")
@click.option("--streams", default=None, help="Comma-separated streams.  [default: hands,body,face]")
@click.option("--epochs", type=click.IntRange(min=1), default=None, help="Epochs per method.  [default: 20]")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="YAML config (its keys override the defaults).  [default: none]",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="runs/adapt",
    help="Output folder (adaptation.json, adaptation.md).",
)
@click.option("--force", is_flag=True, help="Retrain into run folders that already hold checkpoints.")
@_signer_options
@click.pass_context
def adapt(
    ctx, data, source, target, methods, k_shot, streams, epochs, config, out_dir, force, test_signers, folds
) -> None:
    """Train on region SOURCE, test on region TARGET with each adaptation method. Extra --key value pairs
    override any config key, as in train. --test-signers names the TARGET signers to test on; --folds loso
    tests on each TARGET signer in turn."""
    from ..train.adapt import adapt as run
    from ..train.adapt import adaptation_table
    from ..train.folds import folds_table

    if source is not None and source == target:
        raise click.BadParameter(
            f"--source {source} and --target {target} are the same region; adaptation "
            "trains on one region and tests on another",
            param_hint="--target",
        )
    cfg = _common_cfg(
        data,
        "isolated",
        None,
        streams,
        config,
        _with_epochs(list(ctx.args), epochs) + (["--overwrite", "true"] if force else []),
        test_signers=test_signers,
        folds=folds,
    )
    r = run(
        cfg,
        out_dir,
        source=source,
        target=target,
        methods=[m.strip() for m in methods.split(",") if m.strip()],
        k_shot=k_shot,
        progress=lambda m: console.print(m),
    )
    if "folds" in r:
        click.echo(folds_table(r) + "\n\nmean over folds:")
    click.echo(
        f"train on {r['source']}, test on {r['target']}\n"
        + adaptation_table(r["rows"], source=r["source"], target=r["target"], classes=r.get("classes"))
    )


@click.command()
@click.argument("checkpoint", callback=existing_file)
@click.option("--format", "fmt", type=click.Choice(["onnx"]), default="onnx")
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None)
@click.option("--opset", type=click.IntRange(9, 21), default=17, show_default=True, help="ONNX opset version.")
@click.option("--force", is_flag=True, help=FORCE_HELP)
def export(checkpoint, fmt, out_path, opset, force) -> None:
    """Export CHECKPOINT to ONNX (dynamic sequence length), checked against PyTorch."""
    from ..inference.export import export_onnx

    out_path = out_path or str(Path(checkpoint).with_suffix(".onnx"))
    refuse_existing(out_path, force=force)
    info = export_onnx(checkpoint, out_path, opset=opset)
    click.echo(json.dumps(info, indent=2))
