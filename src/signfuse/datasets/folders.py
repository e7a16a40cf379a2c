"""Which entries a folder holds: the one detection of dataset folders.

:func:`entries_from_folder` recognises, in this order:

1. the embedded synthetic corpus (``corpus.json``);
2. a ``signfuse extract`` output folder (``manifest.jsonl``): each extracted landmark file, paired with
   the video it came from (its soundtrack is the audio; a frame range starts the audio at that frame);
3. any other folder: each ``NAME.pose`` / ``NAME.parquet`` with a video or audio file of the same stem.

Folders of kinds 2 and 3 carry no signer ids, so the split is assigned by a stable hash of the name
(80/10/10).
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

from ..errors import DataError
from ..io.manifest import MANIFEST_NAME, read_manifest
from ..io.media import AUDIO_EXTENSIONS, IMAGE_EXTENSIONS, VIDEO_EXTENSIONS
from .base import Entry

__all__ = ["entries_from_folder", "hash_split"]

#: landmark files without a frame rate of their own (Kaggle parquet) are read at this rate in folders
PARQUET_FPS = 30.0


def hash_split(name: str) -> str:
    """``"train"`` / ``"val"`` / ``"test"`` from a stable hash of ``name`` (80/10/10)."""
    h = zlib.crc32(name.encode()) % 10
    return "test" if h == 0 else "val" if h == 1 else "train"


def _from_manifest(root: Path, *, need_audio: bool) -> list[Entry]:
    entries = []
    for key, rec in read_manifest(root).items():
        if rec.get("status") != "ok" or not rec.get("output"):
            continue
        lm, src = root / rec["output"], Path(rec.get("path", ""))
        if not lm.exists():
            continue
        has_sound = src.is_file() and src.suffix.lower() not in IMAGE_EXTENSIONS  # a frame folder has none
        if need_audio and not has_sound:
            continue
        start = int(key.rsplit("#", 1)[1].split(":")[0]) if "#" in key else 0
        name = str(Path(rec["output"]).with_suffix(""))
        meta = {"audio": str(src), "audio_start_frame": start} if has_sound else {}
        entries.append(
            Entry(
                id=name,
                path=lm,
                signer=None,
                split=hash_split(name),
                fps=PARQUET_FPS if lm.suffix == ".parquet" else None,
                meta=meta,
            )
        )
    if not entries:
        what = "no extracted video (a video has the soundtrack)" if need_audio else "no extracted file"
        raise DataError(f"the extract manifest lists {what}", path=root / MANIFEST_NAME)
    return entries


def _media_pairs(root: Path) -> list[Entry]:
    media = sorted(VIDEO_EXTENSIONS | AUDIO_EXTENSIONS)
    entries = []
    for lm in sorted(list(root.rglob("*.pose")) + list(root.rglob("*.parquet"))):
        partner = next((lm.with_suffix(s) for s in media if lm.with_suffix(s).exists()), None)
        if partner is None:
            continue
        entries.append(
            Entry(
                id=lm.stem,
                path=lm,
                signer=None,
                split=hash_split(lm.stem),
                fps=PARQUET_FPS if lm.suffix == ".parquet" else None,
                meta={"audio": str(partner)},
            )
        )
    if not entries:
        raise DataError("no landmark file with a video or audio file of the same name", path=root)
    return entries


def entries_from_folder(root: str | os.PathLike[str], *, need_audio: bool = False) -> list[Entry]:
    """The entries of a dataset folder (see the module doc). ``need_audio``: keep only entries with sound."""
    root = Path(root)
    if not root.is_dir():
        raise DataError("not a folder", path=root)
    if (root / "corpus.json").is_file():
        from . import synthetic  # lazy: the generator pulls in more than an index needs

        return list(synthetic.load_corpus(root))
    if (root / MANIFEST_NAME).exists():
        return _from_manifest(root, need_audio=need_audio)
    from .mp_data import is_mp_data_root, read_mp_data_root

    if not need_audio and is_mp_data_root(root):  # <label>/<sequence>/<frame>.npy (train --data MP_Data)
        return read_mp_data_root(root)
    return _media_pairs(root)
