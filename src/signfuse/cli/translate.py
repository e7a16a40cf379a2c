"""``signfuse translate train|eval|predict`` (gloss -> text) and ``signfuse score`` (gloss WER)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ._common import FORCE_HELP, console, existing_file, refuse_existing


@click.group("translate")
def translate() -> None:
    """Gloss -> text translation: train, evaluate, translate."""


def _quiet_lightning(ctx: click.Context) -> None:
    """Lightning's INFO banners only with -vv (as the group does for its Lightning commands; only
    ``translate train`` imports Lightning, so eval/predict/score start fast)."""
    import logging
    import warnings

    import lightning.pytorch  # noqa: F401  (sets its loggers when imported)

    root = ctx.find_root()
    if (root.params.get("verbose") or 0) < 2:
        for name in ("lightning", "lightning.pytorch", "lightning.fabric", "pytorch_lightning"):
            logging.getLogger(name).setLevel(logging.WARNING)
        warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\).*")
        warnings.filterwarnings("ignore", message=r".*exists and is not empty.*")


def _source(value: str) -> Path:
    return Path(value)


@translate.command("train")
@click.option(
    "--train",
    "train_src",
    required=True,
    help="Training corpus: PHOENIX-2014T csv, parallel-file PREFIX, or a synthetic corpus folder.",
)
@click.option("--dev", "dev_src", required=True, help="Dev corpus (same forms); selects the epoch by BLEU.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--epochs",
    default=None,
    type=click.IntRange(min=1),
    help="Epochs [26]; the learning rate decays to zero by the last.",
)
@click.option(
    "--max-minutes",
    default=None,
    type=click.FloatRange(min=0, min_open=True),
    help="Stop cleanly after this long; the best checkpoint is kept.",
)
@click.option("--src-lang", default="gloss", show_default=True, help="Suffix of the source parallel file.")
@click.option("--tgt-lang", default="de", show_default=True, help="Suffix of the target parallel file.")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a setting (dim, enc_layers, dropout, lr, tgt_vocab_type, ...); repeatable.",
)
@click.option("--threads", default=None, type=click.IntRange(min=1), help="torch threads (1 is best on a busy CPU).")
@click.option("--seed", default=None, type=int)
@click.option("--resume", is_flag=True, help="Continue the run in --out from its last.ckpt.")
@click.option("--force", is_flag=True, help="Train into a folder that already holds checkpoints.")
def train(
    train_src: str,
    dev_src: str,
    out_dir: Path,
    epochs: int | None,
    max_minutes: float | None,
    src_lang: str,
    tgt_lang: str,
    settings: tuple[str, ...],
    threads: int | None,
    seed: int | None,
    resume: bool,
    force: bool,
) -> None:
    """Train a gloss -> text Transformer; writes OUT/best.ckpt, config.yaml, metrics.json."""
    import yaml

    _quiet_lightning(click.get_current_context())

    from ..train.translation import train_translation

    over: dict = {"src_lang": src_lang, "tgt_lang": tgt_lang}
    for s in settings:
        key, sep, val = s.partition("=")
        if not sep:
            raise click.BadParameter(f"{s!r} is not KEY=VALUE", param_hint="--set")
        over[key.strip()] = yaml.safe_load(val)
    for k, v in (("epochs", epochs), ("max_minutes", max_minutes), ("threads", threads), ("seed", seed)):
        if v is not None:
            over[k] = v
    with console.status("training the translation model"):
        run = train_translation(_source(train_src), _source(dev_src), out_dir, resume=resume, overwrite=force, **over)
    best = max((r.get("val_bleu", float("nan")) for r in run.history), default=float("nan"))
    console.print(
        f"{len(run.history)} epochs, best dev BLEU (greedy) {best:.2f}; wall {run.wall_s:.0f} s, CPU {run.cpu_s:.0f} s"
    )
    console.print(f"best: {run.best}" + (f"; averaged: {run.averaged}" if run.averaged else ""))
    if run.best is not None:
        ckpts = " ".join(str(p) for p in (run.best, run.averaged) if p is not None)
        console.print(f"next, choose beam and length penalty on dev: signfuse translate tune {ckpts} --dev {dev_src}")


def _backend_options(f):
    opts = [
        click.option(
            "--backend",
            default="transformer",
            show_default=True,
            type=click.Choice(["transformer", "openai"]),
            help="transformer: the checkpoint CKPT; openai: an OpenAI-compatible chat server.",
        ),
        click.option(
            "--alpha",
            default=None,
            type=click.FloatRange(min=0),
            help="transformer: beam search's length penalty (larger: longer text)  [default: the checkpoint's]",
        ),
        click.option("--base-url", default=None, help="openai: the API root, e.g. http://127.0.0.1:8080/v1."),
        click.option("--model", "llm_model", default=None, help="openai: the model name the server serves."),
        click.option(
            "--examples",
            default=None,
            help="openai: training corpus for few-shot examples (retrieved by BM25 gloss overlap).",
        ),
        click.option(
            "--shots", default=5, show_default=True, type=click.IntRange(min=0), help="openai: examples per request."
        ),
        click.option("--sign-language", default="German Sign Language (DGS)", show_default=True),
        click.option("--target-language", default="German", show_default=True),
        click.option(
            "--timeout",
            default=60.0,
            show_default=True,
            type=click.FloatRange(min=0, min_open=True),
            help="openai: seconds per request.",
        ),
        click.option("--retries", default=3, show_default=True, type=click.IntRange(min=0)),
        click.option(
            "--api-key-env",
            default="OPENAI_API_KEY",
            show_default=True,
            help="openai: environment variable holding the API key (unset: no key is sent).",
        ),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def _make_backend(
    ckpt: str | None,
    backend: str,
    alpha: float | None,
    base_url: str | None,
    llm_model: str | None,
    examples: str | None,
    shots: int,
    sign_language: str,
    target_language: str,
    timeout: float,
    retries: int,
    api_key_env: str,
):
    import os

    if backend == "transformer":
        if not ckpt:
            raise click.UsageError("the transformer back end needs CKPT")
        p = Path(ckpt)
        if not p.is_file():
            raise click.BadParameter(f"{p}: no such file", param_hint="CKPT")
        from ..translate import load_translator

        tr = load_translator(p)
        if alpha is not None:
            tr.alpha = float(alpha)
        return tr
    if alpha is not None:
        raise click.UsageError("--alpha is the transformer back end's length penalty; the openai back end has none")
    if not base_url or not llm_model:
        raise click.UsageError("--backend openai needs --base-url and --model")
    from ..translate import LLMTranslator, read_pairs

    pairs = read_pairs(Path(examples), split="train") if examples else []
    return LLMTranslator(
        base_url,
        llm_model,
        examples=pairs,
        k=shots,
        sign_language=sign_language,
        target_language=target_language,
        timeout=timeout,
        retries=retries,
        api_key=os.environ.get(api_key_env) or None,
    )


@translate.command("eval")
@click.argument("ckpt", required=False)
@click.option("--test", "test_src", required=True, help="Test corpus (PHOENIX-2014T csv, parallel PREFIX, folder).")
@click.option(
    "--glosses",
    "pred",
    default=None,
    callback=existing_file,
    help="Input glosses from a recognizer (name|hypothesis) instead of the reference orth.",
)
@click.option(
    "--beam",
    default=None,
    type=click.IntRange(min=1),
    help="Beam width (1: greedy)  [default: the checkpoint's, 5 unless tuned]",
)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--src-lang", default="gloss", show_default=True)
@click.option("--tgt-lang", default="de", show_default=True)
@click.option("--force", is_flag=True, help=FORCE_HELP)
@_backend_options
def eval_cmd(
    ckpt: str | None,
    test_src: str,
    pred: Path | None,
    beam: int | None,
    out_dir: Path,
    src_lang: str,
    tgt_lang: str,
    force: bool,
    **backend,
) -> None:
    """Translate a test corpus; write OUT/hypotheses.txt and OUT/metrics.json (BLEU, chrF, ROUGE-L)."""
    refuse_existing(out_dir / "hypotheses.txt", out_dir / "metrics.json", force=force)
    from ..translate import evaluate_translation

    tr = _make_backend(ckpt, **backend)
    with console.status("translating"):
        m = evaluate_translation(
            tr,
            Path(test_src),
            out_dir=out_dir,
            glosses=pred,
            beam=beam,
            src_lang=src_lang,
            tgt_lang=tgt_lang,
            extra={"checkpoint": ckpt, "backend": backend["backend"]},
        )
    click.echo(
        json.dumps(
            {
                k: m[k]
                for k in (
                    "bleu",
                    "bleu1",
                    "bleu2",
                    "bleu3",
                    "bleu4",
                    "chrf",
                    "rouge_l",
                    "n",
                    "unknown_glosses",
                    "signature",
                )
            },
            indent=2,
            ensure_ascii=False,
        )
    )


@translate.command("predict")
@click.argument("args", nargs=-1, required=True, metavar="[CKPT] GLOSSES")
@click.option(
    "--beam", default=None, type=click.IntRange(min=1), help="Beam width (1: greedy)  [default: the checkpoint's]"
)
@_backend_options
def predict(args: tuple[str, ...], beam: int | None, **backend) -> None:
    """Print the translation of GLOSSES ("GLOSS GLOSS ..."), or of each stdin line when GLOSSES is '-'.
    CKPT is the transformer back end's checkpoint; `--backend openai` takes GLOSSES alone.

    Unknown glosses are reported on stderr."""
    if len(args) > 2:
        raise click.UsageError(f"expected [CKPT] GLOSSES, got {len(args)} arguments (quote the glosses)")
    if backend["backend"] == "transformer" and len(args) < 2:
        raise click.UsageError("expected CKPT GLOSSES (the transformer back end needs its checkpoint)")
    ckpt, glosses = (args[0], args[1]) if len(args) == 2 else (None, args[0])
    tr = _make_backend(ckpt, **backend)
    lines = sys.stdin.read().splitlines() if glosses == "-" else [glosses]
    results = tr.translate_batch(lines, beam=beam)
    for r in results:
        click.echo(r.text)
    unknown = [g for r in results for g in r.unknown]
    if unknown:
        console.print(f"{len(unknown)} unknown gloss(es) (translated as <unk>): {' '.join(dict.fromkeys(unknown))}")


def _existing_files(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[Path]:
    """click callback: each of several paths must be an existing file (:func:`existing_file`)."""
    return [p for v in values if (p := existing_file(ctx, param, v)) is not None]


@translate.command("tune")
@click.argument("ckpts", nargs=-1, required=True, callback=_existing_files)
@click.option("--dev", "dev_src", required=True, help="Dev corpus (PHOENIX-2014T csv, parallel PREFIX, folder).")
@click.option("--beam", "beams", multiple=True, type=click.IntRange(min=1), help="Beam widths to try (repeat)  [5, 10]")
@click.option(
    "--alpha", "alphas", multiple=True, type=click.FloatRange(min=0), help="Length penalties to try (repeat)  [0-4]"
)
@click.option(
    "--out",
    "out_path",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tuned checkpoint  [default: tuned.ckpt beside the first CKPT]",
)
@click.option("--src-lang", default="gloss", show_default=True)
@click.option("--tgt-lang", default="de", show_default=True)
@click.option("--force", is_flag=True, help=FORCE_HELP)
def tune(
    ckpts: list[Path],
    dev_src: str,
    beams: tuple[int, ...],
    alphas: tuple[float, ...],
    out_path: Path | None,
    src_lang: str,
    tgt_lang: str,
    force: bool,
) -> None:
    """Choose checkpoint, beam width and length penalty by dev BLEU; write them into one checkpoint.

    CKPTS are checkpoints of one run (best.ckpt, averaged.ckpt). The chosen one is written with its
    decoding to --out (and every score to OUT.json); translate eval/predict then decode as chosen.
    Tune on dev only: the test split must not choose its own settings."""
    from ..translate.evaluate import TUNE_ALPHAS, TUNE_BEAMS, tune_decoding, tuned_path

    out = out_path if out_path is not None else tuned_path(ckpts[0])
    refuse_existing(out, out.with_suffix(".json"), force=force)
    with console.status("decoding the dev corpus"):
        rep = tune_decoding(
            ckpts,
            Path(dev_src),
            out=out,
            beams=beams or TUNE_BEAMS,
            alphas=alphas or TUNE_ALPHAS,
            src_lang=src_lang,
            tgt_lang=tgt_lang,
        )
    c = rep["choice"]
    click.echo(
        json.dumps(
            {
                "checkpoint": c["checkpoint"],
                "beam": c["beam"],
                "alpha": c["alpha"],
                "dev_bleu": c["bleu"],
                "tried": len(rep["rows"]),
                "out": rep["out"],
            },
            indent=2,
        )
    )


@click.command("score")
@click.option("--ref", "ref", required=True, help="Reference corpus (PHOENIX-2014T csv, parallel PREFIX, folder).")
@click.option("--hyp", "hyp", required=True, callback=existing_file, help="Predictions: name|hypothesis.")
@click.option("--split", default=None, help="Split of a corpus folder (train, dev, test).")
def score(ref: str, hyp: Path, split: str | None) -> None:
    """Print JSON with the WER of gloss predictions and its substitutions, deletions, insertions, n."""
    from ..translate.evaluate import score_glosses

    click.echo(json.dumps(score_glosses(Path(ref), hyp, split=split), indent=2))
