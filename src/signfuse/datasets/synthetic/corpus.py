"""Generate the embedded synthetic corpus to disk in real dataset formats, and load it back.

Layout of ``out_dir``::

    corpus.json                      vocabulary, signers -> region, splits, minimal pairs, lag_s, fps, seed
    metadata.jsonl                   one line per sample: every generative factor
    isolated/train.csv               Kaggle ASL Signs: path,participant_id,sequence_id,sign
    isolated/sign_to_prediction_index_map.json
    isolated/landmarks/<participant_id>/<sequence_id>.parquet   (543 rows per frame)
    continuous/<name>.pose           pose-format files
    continuous/corpus.csv            PHOENIX-2014T style: name|video|start|end|speaker|orth|translation
    continuous/corpus.{train,dev,test}.csv   the same, per split (as PHOENIX-2014T ships it)
    audio/<sample id>.wav            16 kHz mono PCM

Everything is a pure function of the arguments: the same seed gives byte-identical files. Splits are
by signer (:func:`~.signers.assign_splits`): test signers never appear in train.
"""

from __future__ import annotations

import csv
import io as _io
import json
import logging
import wave
from os import PathLike
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ...errors import DataError, ParameterError
from .generator import EMOTIONS, synthesize
from .signers import REGIONS, assign_splits, make_signers
from .translation import sentence_type, spoken_sentence
from .vocab import make_vocabulary

__all__ = ["generate_corpus", "load_corpus", "read_metadata", "read_corpus_info", "write_wav", "read_wav",
           "CORPUS_VERSION"]

log = logging.getLogger(__name__)
CORPUS_VERSION = 2
FPS = 30.0
SR = 16000
_PHOENIX_SPLIT = {"train": "train", "val": "dev", "test": "test"}


def _sample_seed(seed: int, kind: int, index: int) -> int:
    return int(np.random.SeedSequence([int(seed), kind, index]).generate_state(1)[0])


def write_wav(path: str | PathLike[str], y: np.ndarray, *, sr: int) -> Path:
    """16-bit PCM mono wav, written atomically."""
    from ...io import atomic_path

    pcm = (np.clip(np.asarray(y, dtype=np.float64), -1.0, 1.0) * 32767.0).round().astype("<i2")
    with atomic_path(path) as tmp:
        with wave.open(str(tmp), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(int(sr))
            w.writeframes(pcm.tobytes())
    return Path(path)


def read_wav(path: str | PathLike[str]) -> tuple[np.ndarray, int]:
    """Read a 16-bit PCM mono wav written by :func:`write_wav`: ``(y float32, sr)``."""
    try:
        with wave.open(str(path), "rb") as w:
            if w.getsampwidth() != 2 or w.getnchannels() != 1:
                raise DataError("expected 16-bit mono PCM", path=path)
            sr = w.getframerate()
            y = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32767.0
    except (wave.Error, EOFError, OSError) as e:
        raise DataError(f"not a readable wav file ({e})", path=path) from e
    return y, sr


def _atomic_text(path: Path, text: str) -> None:
    from ...io import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _psv(rows: list[list[Any]], header: list[str]) -> str:
    buf = _io.StringIO()
    w = csv.writer(buf, delimiter="|", lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def generate_corpus(out_dir: str | PathLike[str], *, signs: int = 40, signers: int = 8, sentences: int = 200,
                    seed: int = 0, samples_per_sign_per_signer: int = 2, lag_s: float = 0.12,
                    progress: Callable[[int, int], None] | None = None) -> Path:
    """Generate the corpus into ``out_dir`` (created; existing corpus files are overwritten).

    Returns ``out_dir``. ``progress(done, total)`` is called after every sample.
    """
    from ... import io as sio

    for name, v, lo in (("signs", signs, 2), ("signers", signers, 1), ("sentences", sentences, 0),
                        ("samples_per_sign_per_signer", samples_per_sign_per_signer, 0)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < lo:
            raise ParameterError(f"{name}={v!r} must be an integer >= {lo}")
    if samples_per_sign_per_signer == 0 and sentences == 0:
        raise ParameterError("samples_per_sign_per_signer=0 and sentences=0 would make an empty corpus")
    if not (isinstance(lag_s, (int, float)) and 0.0 <= lag_s < 1.0):
        raise ParameterError(f"lag_s={lag_s!r} must be in [0, 1) seconds")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ParameterError(f"out_dir={out} exists and is not a folder")
    vocab = make_vocabulary(int(signs), seed=seed)
    people = make_signers(int(signers), seed=seed)
    splits = assign_splits(people)
    by_gloss = {s.gloss: s for s in vocab}
    n_iso = len(people) * len(vocab) * int(samples_per_sign_per_signer)
    total = n_iso + int(sentences)
    done = 0
    (out / "isolated" / "landmarks").mkdir(parents=True, exist_ok=True)
    (out / "continuous").mkdir(parents=True, exist_ok=True)
    (out / "audio").mkdir(parents=True, exist_ok=True)
    meta_lines: list[str] = []
    iso_rows: list[list[Any]] = []

    def draw_condition(rng: np.random.Generator) -> tuple[str, float, dict[str, float]]:
        emotion = EMOTIONS[int(rng.integers(len(EMOTIONS)))]
        intensity = round(float(rng.uniform(0.1, 1.0)), 3)
        cw = {k: round(float(rng.uniform(0.15, 1.3)), 3) for k in ("motion", "face", "voice")}
        return emotion, intensity, cw

    index = 0
    for signer in people:
        for sign in vocab:
            for rep in range(int(samples_per_sign_per_signer)):
                sseed = _sample_seed(seed, 1, index)
                rng = np.random.default_rng(sseed)
                emotion, intensity, cw = draw_condition(rng)
                seq, y, sr, factors = synthesize([sign], signer, seed=sseed, emotion=emotion, intensity=intensity,
                                                 fps=FPS, lag_s=lag_s, sr=SR, channel_weights=cw)
                seq_id = 100000 + index
                sid = f"iso_{seq_id}"
                rel = f"landmarks/{signer.id}/{seq_id}.parquet"
                sio.write_kaggle_parquet(seq, out / "isolated" / rel)
                write_wav(out / "audio" / f"{sid}.wav", y, sr=sr)
                iso_rows.append([rel, int(signer.id), seq_id, sign.gloss])
                meta = {"id": sid, "kind": "isolated", "split": splits[signer.id], "signer": signer.id,
                        "region": signer.region, "handedness": signer.handedness, "gloss": sign.gloss,
                        "glosses": [sign.gloss], "nonmanual": sign.nonmanual, "minimal_pair": sign.minimal_pair,
                        "path": f"isolated/{rel}", "audio": f"audio/{sid}.wav", "sequence_id": seq_id,
                        "repetition": rep, "seed": sseed, "emotion": emotion, "intensity": intensity,
                        "sign": sign.to_dict(), **{k: v for k, v in factors.items()
                                                   if k not in ("signer", "region", "handedness", "emotion", "intensity")}}
                meta_lines.append(json.dumps(meta, sort_keys=True))
                index += 1
                done += 1
                if progress is not None:
                    progress(done, total)
    cont_rows: dict[str, list[list[Any]]] = {"train": [], "val": [], "test": []}
    all_rows: list[list[Any]] = []
    for k in range(int(sentences)):
        sseed = _sample_seed(seed, 2, k)
        rng = np.random.default_rng(sseed)
        signer = people[k % len(people)]  # round robin: every signer (so every split) gets sentences
        n_signs = int(rng.integers(2, 7))
        chosen = [vocab[int(i)] for i in rng.integers(0, len(vocab), size=n_signs)]
        emotion, intensity, cw = draw_condition(rng)
        seq, y, sr, factors = synthesize(chosen, signer, seed=sseed, emotion=emotion, intensity=intensity,
                                         fps=FPS, lag_s=lag_s, sr=SR, channel_weights=cw)
        name = f"sent_{k:05d}"
        sio.write_pose(seq, out / "continuous" / f"{name}.pose")
        write_wav(out / "audio" / f"{name}.wav", y, sr=sr)
        glosses = [s.gloss for s in chosen]
        # the translation is a pure function of the glosses and markers: no random numbers are drawn here
        nonmanuals = [s.nonmanual for s in chosen]
        row = [name, f"{name}.pose", -1, -1, signer.id, " ".join(glosses), spoken_sentence(glosses, nonmanuals)]
        cont_rows[splits[signer.id]].append(row)
        all_rows.append(row)
        markers = [s.nonmanual for s in chosen if s.nonmanual != "none"]
        meta = {"id": name, "kind": "continuous", "split": splits[signer.id], "signer": signer.id,
                "region": signer.region, "handedness": signer.handedness, "gloss": None, "glosses": glosses,
                "nonmanual": ",".join(dict.fromkeys(markers)) or "none",
                "minimal_pair": next((s.gloss for s in chosen if s.minimal_pair), None),
                "path": f"continuous/{name}.pose", "audio": f"audio/{name}.wav", "seed": sseed,
                "emotion": emotion, "intensity": intensity, "sign": [s.to_dict() for s in chosen],
                "translation": row[6], "sentence_type": sentence_type(nonmanuals),
                **{k2: v for k2, v in factors.items() if k2 not in ("signer", "region", "handedness", "emotion", "intensity")}}
        meta_lines.append(json.dumps(meta, sort_keys=True))
        done += 1
        if progress is not None:
            progress(done, total)
    buf = _io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["path", "participant_id", "sequence_id", "sign"])
    w.writerows(iso_rows)
    _atomic_text(out / "isolated" / "train.csv", buf.getvalue())
    _atomic_text(out / "isolated" / "sign_to_prediction_index_map.json",
                 json.dumps({s.gloss: i for i, s in enumerate(vocab)}, indent=1))
    header = ["name", "video", "start", "end", "speaker", "orth", "translation"]
    _atomic_text(out / "continuous" / "corpus.csv", _psv(all_rows, header))
    for split, rows in cont_rows.items():
        _atomic_text(out / "continuous" / f"corpus.{_PHOENIX_SPLIT[split]}.csv", _psv(rows, header))
    _atomic_text(out / "metadata.jsonl", "\n".join(meta_lines) + ("\n" if meta_lines else ""))
    pairs = sorted({tuple(sorted((s.gloss, s.minimal_pair))) for s in vocab if s.minimal_pair})
    info = {
        "version": CORPUS_VERSION, "seed": int(seed), "fps": FPS, "sr": SR, "lag_s": float(lag_s),
        "lag_convention": "the F0 contour and slow energy envelope follow the dominant-wrist speed by lag_s seconds",
        "stress_convention": "stressed syllables start where the dominant hand stops after a movement "
                             "(prominent wrist-speed minima, metadata stress_times_s)",
        "coordinates": "MediaPipe normalized image units: x, y in [0, 1] of a square frame; z relative",
        "counts": {"signs": len(vocab), "signers": len(people), "isolated": n_iso, "continuous": int(sentences)},
        "emotions": list(EMOTIONS),
        "vocabulary": [s.to_dict() for s in vocab],
        "signers": [s.to_dict() for s in people],
        "signer_region": {s.id: s.region for s in people},
        "splits": splits,
        "regions": {r.name: {"amplitude": r.amplitude, "speed": r.speed, "expressiveness": r.expressiveness,
                             "height_shift": r.height_shift} for r in REGIONS},
        "minimal_pairs": [{"signs": list(p), "marker": next(by_gloss[g].nonmanual for g in p if by_gloss[g].nonmanual != "none")}
                          for p in pairs],
        "files": {"isolated": "isolated/train.csv", "label_map": "isolated/sign_to_prediction_index_map.json",
                  "continuous": "continuous/corpus.csv", "metadata": "metadata.jsonl", "audio": "audio/"},
    }
    _atomic_text(out / "corpus.json", json.dumps(info, indent=1, sort_keys=True))
    log.info("synthetic corpus: %d isolated + %d continuous samples in %s", n_iso, sentences, out)
    return out


def read_corpus_info(corpus_dir: str | PathLike[str]) -> dict:
    """``corpus.json`` of a generated corpus."""
    p = Path(corpus_dir) / "corpus.json"
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError("no corpus.json here: not a synthetic corpus (generate one with `signfuse synth`)",
                        path=p.parent) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise DataError(f"bad JSON ({e})", path=p) from e


def read_metadata(corpus_dir: str | PathLike[str]) -> list[dict]:
    """Every sample's factors from ``metadata.jsonl`` (paths relative to the corpus folder)."""
    p = Path(corpus_dir) / "metadata.jsonl"
    out = []
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise DataError("no metadata.jsonl here: not a synthetic corpus", path=p.parent) from None
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise DataError(f"line {i}: bad JSON ({e})", path=p) from e
    return out


def load_corpus(corpus_dir: str | PathLike[str]) -> list:
    """All samples (isolated first, then continuous) as :class:`signfuse.datasets.Entry`.

    ``Entry.domain`` is the signer's region and ``Entry.split`` follows held-out signers. ``Entry.meta``
    holds ``kind``, ``audio`` (absolute wav path), ``emotion``, ``intensity``, ``region``, ``nonmanual``,
    ``minimal_pair``, ``lag_s``, ``handedness``, ``sr`` and, for continuous samples, ``sign_frames``
    (per-sign stroke ``[start, end)`` frames).
    """
    from ..base import Entry

    root = Path(corpus_dir)
    info = read_corpus_info(root)
    try:
        return [_entry(root, m, info, Entry) for m in read_metadata(root)]
    except (KeyError, TypeError, ValueError) as e:
        raise DataError(f"metadata.jsonl is missing or has a bad field ({type(e).__name__}: {e}); "
                        "regenerate the corpus", path=root / "metadata.jsonl") from e


def _entry(root: Path, m: dict, info: dict, Entry) -> Any:
    """One metadata line -> Entry."""
    meta = {"kind": m["kind"], "audio": str(root / m["audio"]), "emotion": m["emotion"],
            "intensity": m["intensity"], "region": m["region"], "nonmanual": m["nonmanual"],
            "minimal_pair": m["minimal_pair"], "lag_s": m["lag_s"], "handedness": m["handedness"],
            "sr": m["sr"], "sign_frames": [[s["start_frame"], s["end_frame"]] for s in m["signs"]],
            "accent_times_s": m["accent_times_s"],
            "stress_times_s": m.get("stress_times_s", []), "corpus_seed": info["seed"]}
    if m["kind"] == "isolated":
        meta["sequence_id"] = m["sequence_id"]
    return Entry(id=m["id"], path=root / m["path"], signer=m["signer"], split=m["split"],
                 gloss=m["gloss"], glosses=tuple(m["glosses"]) if m["kind"] == "continuous" else None,
                 fps=float(m["fps"]), domain=m["region"], meta=meta)
