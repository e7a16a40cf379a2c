"""Parallel gloss/text corpora: PHOENIX-2014T csv, line-aligned files, the synthetic corpus, ``open_index``.

:func:`read_pairs` accepts

- a PHOENIX-2014T csv (``name|video|start|end|speaker|orth|translation``, one split per file);
- a prefix ``PREFIX`` of line-aligned files ``PREFIX.<src_lang>`` + ``PREFIX.<tgt_lang>`` (``train.gloss``
  + ``train.de``, the layout of most public translation code), or one of those two files itself;
- a synthetic corpus folder (``corpus.json``): ``split`` picks ``continuous/corpus.{train,dev,test}.csv``;
- any index that :func:`~signfuse.datasets.open_index` reads whose entries have glosses and a
  ``meta["translation"]``.

:func:`read_gloss_predictions` reads a recognizer's output (``name|hypothesis``, the layout of
``stmc_predictions.*.csv``).
"""

from __future__ import annotations

import csv
import io as _io
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

from ..errors import DataError, FormatError, ParameterError

__all__ = ["Pair", "read_pairs", "read_gloss_predictions", "PHOENIX_T_HEADER", "SPLIT_FILES"]

PHOENIX_T_HEADER = ("name", "video", "start", "end", "speaker", "orth", "translation")
SPLIT_FILES = {"train": "train", "val": "dev", "dev": "dev", "test": "test"}


@dataclass(frozen=True)
class Pair:
    """One sentence: its id, gloss sequence and spoken-language text."""

    id: str
    glosses: tuple[str, ...]
    text: str
    signer: str | None = None

    @property
    def source(self) -> str:
        return " ".join(self.glosses)


def _read_lines(path: Path) -> list[str]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError("no such file", path=path) from None
    except OSError as e:
        raise DataError(f"cannot read file: {e}", path=path) from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise FormatError(f"not UTF-8 text ({e})", path=path) from e
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln.rstrip("\r") for ln in lines]


def _read_psv(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    lines = _read_lines(path)
    if not any(ln.strip() for ln in lines):
        raise FormatError("empty file", path=path)
    rows = list(csv.reader(_io.StringIO("\n".join(lines)), delimiter="|", quoting=csv.QUOTE_NONE))
    head = [c.strip() for c in rows[0]]
    missing = [c for c in required if c not in head]
    if missing:
        sep = next((name for s, name in ((",", "comma"), ("\t", "tab"), (";", "semicolon"))
                    if rows[0] and len(head) == 1 and s in rows[0][0]), None)
        hint = f"; the header looks {sep}-separated, expected '|'" if sep else ""
        raise FormatError(f"wrong columns: missing {missing} (found {head}, expected {list(required)}){hint}",
                          path=path)
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in r):
            continue
        if len(r) != len(head):
            raise FormatError(f"line {i}: {len(r)} fields, the header has {len(head)}", path=path)
        out.append({k: v.strip() for k, v in zip(head, r)})
    return out


def _read_phoenix_t(path: Path) -> list[Pair]:
    rows = _read_psv(path, ("name", "orth", "translation"))
    return [Pair(id=r["name"], glosses=tuple(r["orth"].split()), text=" ".join(r["translation"].split()),
                 signer=r.get("speaker")) for r in rows]


def _read_parallel(src: Path, tgt: Path) -> list[Pair]:
    a, b = _read_lines(src), _read_lines(tgt)
    if len(a) != len(b):
        raise FormatError(f"{len(a)} lines, but {tgt} has {len(b)}: parallel files must be line-aligned", path=src)
    if not a:
        raise FormatError("empty file", path=src)
    return [Pair(id=f"{src.stem}-{i + 1}", glosses=tuple(s.split()), text=" ".join(t.split()))
            for i, (s, t) in enumerate(zip(a, b))]


def _split_key(split: str | None, *, path: Path) -> str:
    if split is None:
        raise ParameterError(f"{path} is a corpus folder: say which split to read (train, dev or test)")
    key = SPLIT_FILES.get(str(split).lower())
    if key is None:
        raise ParameterError(f"split={split!r} must be one of train, dev (val), test")
    return key


def read_pairs(source: str | PathLike[str], *, split: str | None = None, src_lang: str = "gloss",
               tgt_lang: str = "de") -> list[Pair]:
    """Gloss/text pairs of one split of a corpus (see the module docstring for the accepted layouts).

    ``split`` is needed only for a folder; for a file it is ignored (a file is one split). A missing file
    or split, wrong columns and misaligned parallel files raise :class:`~signfuse.errors.DataError`
    naming the file.
    """
    p = Path(source)
    if p.is_dir():
        key = _split_key(split, path=p)
        if (p / "corpus.json").exists():
            f = p / "continuous" / f"corpus.{key}.csv"
            if not f.exists():
                raise DataError(f"the synthetic corpus has no {key} split (expected {f.name})", path=f.parent)
            return _read_phoenix_t(f)
        for cand in (f"PHOENIX-2014-T.{key}.corpus.csv", f"corpus.{key}.csv", f"{key}.csv"):
            if (p / cand).exists():
                return _read_phoenix_t(p / cand)
        if (p / f"{key}.{src_lang}").exists() or (p / f"{key}.{tgt_lang}").exists():
            return _read_parallel(p / f"{key}.{src_lang}", p / f"{key}.{tgt_lang}")
        raise DataError(f"no {key} split here (looked for PHOENIX-2014-T.{key}.corpus.csv, corpus.{key}.csv, "
                        f"{key}.{src_lang} + {key}.{tgt_lang})", path=p)
    # parallel files: PREFIX, PREFIX.<src>, or PREFIX.<tgt>
    for prefix in (p, p.with_suffix("") if p.suffix.lstrip(".") in (src_lang, tgt_lang) else None):
        if prefix is None:
            continue
        s, t = Path(f"{prefix}.{src_lang}"), Path(f"{prefix}.{tgt_lang}")
        if s.exists() or t.exists():
            if p.exists() and p not in (s, t):
                break  # an existing file that merely has siblings: read it as a table
            return _read_parallel(s, t)
    if not p.exists():
        raise DataError(f"no such corpus file (nor {p.name}.{src_lang} + {p.name}.{tgt_lang})", path=p)
    first = next((ln for ln in _read_lines(p) if ln.strip()), "")
    if "|" in first and {"orth", "translation"} <= {c.strip() for c in first.split("|")}:
        return _read_phoenix_t(p)
    from ..datasets import open_index

    try:
        entries = open_index(p)
    except DataError as e:
        raise FormatError(f"not a translation corpus: expected a PHOENIX-2014T csv with columns "
                          f"{'|'.join(PHOENIX_T_HEADER)} or parallel files ({e.reason})", path=p) from None
    pairs = [Pair(id=e.id, glosses=tuple(e.glosses), text=" ".join(str(e.meta["translation"]).split()), signer=e.signer)
             for e in entries if e.glosses is not None and e.meta.get("translation") is not None]
    if not pairs:
        raise FormatError("an index without glosses and translations (needs orth and translation columns)", path=p)
    return pairs


def read_gloss_predictions(path: str | PathLike[str]) -> dict[str, tuple[str, ...]]:
    """``name -> glosses`` of a recognizer output file ``name|hypothesis`` (one row per sentence)."""
    p = Path(path)
    rows = _read_psv(p, ("name", "hypothesis"))
    out: dict[str, tuple[str, ...]] = {}
    for r in rows:
        if r["name"] in out:
            raise FormatError(f"sentence {r['name']!r} appears twice", path=p)
        out[r["name"]] = tuple(r["hypothesis"].split())
    return out
