"""Demo stage ``translation``: sign -> gloss -> text on held-out signers, with and without the face.

The corpus's sentences have spoken-language translations whose meaning depends on the non-manual markers
(:mod:`signfuse.datasets.synthetic.translation`): a head shake makes a sentence negative, raised brows a
yes/no question, furrowed brows a wh-question. In the glosses those markers show up only where a sign
differs from its minimal-pair twin by the marker alone (``HEFENI`` / ``HEFENI-NEG``), so a recognizer
that does not see the face cannot tell those signs apart, and the sentence loses its negation or its
question. This stage measures that:

1. a gloss -> text model (:func:`signfuse.train.translation.train_translation`) on the training
   sentences' reference glosses;
2. the continuous (CTC) recognizer of the ``continuous`` stage (hands, body and face), and the same
   recipe trained here without the face (hands and body, initialised from the ``ablation`` stage's
   hands+body isolated model, as the ``continuous`` stage starts from the isolated model);
3. on the held-out signers' sentences: BLEU-4 and chrF (sacreBLEU) of text from the reference glosses
   (the translation model's ceiling), from the glosses recognized with the face, and without it; and,
   on the sentences whose markers change their type, how often the translation has the right type.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

__all__ = ["stage", "findings", "tables", "sentence_kind", "AFTER"]

#: stages whose results this one reads (the runner starts it only after them)
AFTER = ("continuous", "ablation")

SETTINGS = {
    "full": {"mt_epochs": 80, "mt_dim": 128, "ctc_epochs": 40},
    "quick": {"mt_epochs": 3, "mt_dim": 32, "ctc_epochs": 2},
}


def sentence_kind(text: str) -> str:
    """What a spoken sentence of the synthetic grammar is: ``wh``, ``question``, ``negative`` or ``statement``."""
    t = f" {text.strip().lower()} "
    if t.strip().startswith("what ") and t.rstrip().endswith("?"):
        return "wh"
    if t.rstrip().endswith("?"):
        return "question"
    if " not " in t:
        return "negative"
    return "statement"


def _ckpt(run: Path) -> Path | None:
    for name in ("best.ckpt", "last.ckpt"):
        if (run / "checkpoints" / name).is_file():
            return run / "checkpoints" / name
    return None


def stage(ctx) -> dict[str, Any]:
    """Train the translation model and a face-blind recognizer, translate the held-out sentences three ways."""
    import torch

    from ..errors import DataError
    from ..models.decoding import ctc_greedy_decode
    from ..models.recognizer import load_checkpoint
    from ..train.evaluate import predict
    from ..train.fit import fit, prepare_data
    from ..train.translation import train_translation
    from ..translate import load_translator
    from ..translate.scoring import translation_scores
    from . import recognition

    S = SETTINGS["quick" if ctx.quick else "full"]
    out = ctx.stage_dir("translation")
    corpus = ctx.corpus_dir
    rec_dir = Path(ctx.out_dir) / "recognition"
    with_face = _ckpt(rec_dir / "continuous")
    if with_face is None:
        raise DataError(
            "the translation stage uses the continuous stage's model: run that stage first "
            "(signfuse demo --stage continuous --stage translation)",
            path=rec_dir / "continuous",
        )
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    t_all = time.perf_counter()
    try:
        # 1. gloss -> text on the reference glosses of the training signers
        ctx.progress("gloss -> text model")
        run = train_translation(
            corpus,
            corpus,
            out / "model",
            epochs=S["mt_epochs"],
            patience=None,
            # the recipe the demo's figures were measured with (README), not the PHOENIX defaults
            schedule="inverse_sqrt",
            bucket=False,
            joint_vocab=False,
            src_respell=False,
            src_split_hyphens=False,
            dim=S["mt_dim"],
            heads=4 if S["mt_dim"] >= 64 else 2,
            enc_layers=2,
            dec_layers=2,
            ff=4 * S["mt_dim"],
            dropout=0.1,
            batch_size=32,
            lr=2e-3,
            warmup_steps=150,
            threads=1,
            overwrite=True,
            seed=ctx.seed,
        )
        tr = load_translator(run.best)
        # 2. the recognizer without the face: the recognition stage's CTC recipe on hands and body
        ctx.progress("continuous recognizer without the face")
        st = recognition.setup(ctx)
        cfg_nf = dict(
            recognition.continuous_config(st, streams="hands,body", run_dir=out / "continuous_no_face"),
            epochs=S["ctc_epochs"],
            overwrite=True,
        )
        bundle_nf = prepare_data(cfg_nf)
        init = _ckpt(rec_dir / "ablation" / "hands+body")
        init_state = load_checkpoint(init).model.state_dict() if init else None
        res_nf = fit(cfg_nf, bundle=bundle_nf, init_state=init_state)
        recognizers = {
            "with face": load_checkpoint(with_face),
            "without face": load_checkpoint(res_nf.best or res_nf.last),
        }
        # 3. the held-out signers' sentences, translated from reference and recognized glosses
        ctx.progress("translating the held-out sentences")
        test = bundle_nf.splits["test"] or bundle_nf.splits["val"]
        if not test:
            raise DataError("the corpus has no held-out sentences to translate", path=corpus)
        recs = [bundle_nf.cache.records[i] for i in test]
        meta = _translations(corpus)
        refs = [meta[r["id"]] for r in recs]
        glosses = {"reference glosses": [list(r["glosses"]) for r in recs]}
        for name, rec in recognizers.items():
            bundle = (
                bundle_nf
                if name == "without face"
                else prepare_data(
                    recognition.continuous_config(st, streams="hands,body,face", run_dir=rec_dir / "continuous")
                )
            )
            ids = {rr["id"]: k for k, rr in enumerate(bundle.cache.records)}
            idx = [ids[r["id"]] for r in recs]
            pr = predict(rec, bundle.cache, idx)
            seqs = [ctc_greedy_decode(lp)[0] for lp in pr["log_probs"]]
            glosses[f"recognized {name}"] = [[rec.vocab[t - 1] for t in s] for s in seqs]
        rows, examples = {}, []
        kinds_ref = [sentence_kind(t) for t in refs]
        marked = [k for k, kind in enumerate(kinds_ref) if kind != "statement"]
        texts = {}
        for name, gl in glosses.items():
            hyp = [t.text for t in tr.translate_batch(gl, beam=4)]
            texts[name] = hyp
            sc = translation_scores(hyp, refs)
            kinds = [sentence_kind(t) for t in hyp]
            rows[name] = {
                "bleu": sc["bleu"],
                "chrf": sc["chrf"],
                "type_accuracy": (sum(kinds[k] == kinds_ref[k] for k in marked) / len(marked) if marked else None),
            }
        for k in marked[:3] or list(range(min(3, len(refs)))):
            examples.append(
                {
                    "id": recs[k]["id"],
                    "reference": refs[k],
                    **{n: {"glosses": " ".join(glosses[n][k]), "text": texts[n][k]} for n in glosses},
                }
            )
    finally:
        torch.set_num_threads(threads)
    summary = {
        "n_test": len(refs),
        "n_marked": len(marked),
        "rows": rows,
        "examples": examples,
        "translation_model": {"epochs": S["mt_epochs"], "dim": S["mt_dim"], "dev_bleu": run.metrics.get("val_bleu")},
        "signature": translation_scores(texts["reference glosses"], refs).get("signature"),
        "seconds": round(time.perf_counter() - t_all, 1),
    }
    (out / "translation.json").write_text(json.dumps(summary, indent=2))
    from .. import io, viz

    fig = io.save_figure(
        viz.translation_bars(rows, n=len(refs), n_marked=len(marked)), out / "translation.png", dpi=100
    )
    ctx.figure(
        fig,
        "Sign -> gloss -> text on held-out signers: from reference glosses, and recognized with and without the face",
    )
    return summary


def _translations(corpus: Path) -> dict[str, str]:
    """Sentence id -> reference translation, from the corpus's PHOENIX-2014T style tables."""
    from ..errors import DataError
    from ..translate.corpus import read_pairs

    refs: dict[str, str] = {}
    for split in ("train", "dev", "test"):
        try:
            refs.update({p.id: p.text for p in read_pairs(corpus, split=split)})
        except DataError:  # a corpus without this split
            continue
    return refs


def findings(s: dict[str, Any], *, quick: bool = False) -> list[dict]:
    """BLEU with and without the face, against the reference-gloss ceiling; sentence-type accuracy."""
    from .report import UNTRUSTED, finding

    r = s["rows"]
    wf, nf, ref = r["recognized with face"], r["recognized without face"], r["reference glosses"]
    ta, tb = wf.get("type_accuracy"), nf.get("type_accuracy")
    small = s["n_marked"] < 10
    why = "; ".join(
        w
        for w in (
            "quick mode: a few epochs on a tiny corpus" if quick else "",
            f"only {s['n_marked']} sentences whose markers change their type" if small else "",
        )
        if w
    )
    types = (
        f"; the sentence type (negation, question) is right in {100 * ta:.0f}% with the face and "
        f"{100 * tb:.0f}% without"
        if ta is not None and tb is not None
        else ""
    )
    return [
        finding(
            "translation",
            f"sign -> gloss -> text on held-out signers: BLEU-4 {wf['bleu']:.1f} with the "
            f"face, {nf['bleu']:.1f} without it (from reference glosses {ref['bleu']:.1f})" + types,
            n=s["n_test"],
            chance="BLEU 0 (no word right)",
            evidence=f"chrF {wf['chrf']:.1f} vs {nf['chrf']:.1f}; {s['n_marked']} sentences with a marker",
            meaning="the face carries negation and questions: a recognizer that ignores it loses them in "
            "the translation"
            if (tb is not None and ta is not None and ta > tb)
            else "the face did not change the translations here",
            verdict=UNTRUSTED if quick else ("weak" if small else "trusted"),
            why=why,
        )
    ]


def tables(s: dict[str, Any]) -> list[dict]:
    from .report import table

    rows = [{"input": k, **v, "_class": "baseline" if k == "reference glosses" else ""} for k, v in s["rows"].items()]
    tabs = [
        table(
            "Translation of the held-out signers' sentences (higher is better)",
            [
                ("input", "glosses from", "str"),
                ("bleu", "BLEU-4", "f2"),
                ("chrf", "chrF", "f2"),
                ("type_accuracy", "sentence type right", "pct"),
            ],
            rows,
            note=f"{s['n_test']} sentences; sentence type over the {s['n_marked']} whose markers make them "
            f"negative or a question. sacreBLEU {s.get('signature') or ''}",
        )
    ]
    ex = []
    for e in s["examples"]:
        ex.append({"what": "reference", "text": e["reference"]})
        for n in ("reference glosses", "recognized with face", "recognized without face"):
            if n in e:
                ex.append({"what": f"{n}: {e[n]['glosses']}", "text": e[n]["text"]})
    if ex:
        tabs.append(table("Examples", [("what", "input", "str"), ("text", "translation", "str")], ex))
    return tabs
