"""Audio-to-gesture samples: an entry's audio features and gesture targets on the landmark clock.

Inputs (``INPUT_NAMES``): :func:`signfuse.audio.features` (100 Hz) pooled onto the landmark clock with
:func:`signfuse.streams.align`: F0 in semitones, voicing, RMS energy (dB), spectral centroid, flux,
onset strength, the 80 log-mel bands and their time derivatives. Targets: ``pose`` (shoulders,
elbows, wrists and both hands' 21 points, x and y, shoulder-centred and scaled by
:func:`signfuse.preprocess.normalize`) then ``envelope`` (amplitude and speed of each hand, from
:func:`signfuse.motion.features`); NaN where unseen.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from ..errors import DataError, ParameterError
from ..streams import align
from ..datasets import read_entry

if TYPE_CHECKING:
    from ..sequence import LandmarkSequence

__all__ = ["INPUT_NAMES", "ENVELOPE_NAMES", "POSE_POINTS", "N_POSE", "TARGET_DIM", "HAND_ROWS", "Clip",
           "audio_inputs", "gesture_targets", "load_clip", "load_clips", "clips_from_data"]

log = logging.getLogger(__name__)

_SCALARS = ("f0_semitones", "voicing", "rms_db", "centroid", "flux", "onset")
N_MELS = 80
INPUT_NAMES: tuple[str, ...] = (_SCALARS + tuple(f"mel_{i:02d}" for i in range(N_MELS))
                                + tuple(f"dmel_{i:02d}" for i in range(N_MELS)))
ENVELOPE_NAMES = ("lh_amplitude", "lh_speed", "rh_amplitude", "rh_speed")
POSE_POINTS: tuple[tuple[str, str | int], ...] = (
    tuple(("POSE", p) for p in ("LEFT_SHOULDER", "RIGHT_SHOULDER", "LEFT_ELBOW", "RIGHT_ELBOW", "LEFT_WRIST", "RIGHT_WRIST"))
    + tuple(("LEFT_HAND", i) for i in range(21)) + tuple(("RIGHT_HAND", i) for i in range(21)))
N_POSE = len(POSE_POINTS)
TARGET_DIM = N_POSE * 2 + len(ENVELOPE_NAMES)
HAND_ROWS = slice(6, N_POSE)            # rows of POSE_POINTS that are hand points


@dataclass
class Clip:
    """One paired clip on the landmark clock: inputs ``x (T, F)``, targets ``y (T, O)`` (NaN = unknown)."""

    id: str
    split: str
    signer: str | None
    fps: float
    x: np.ndarray
    y: np.ndarray
    onset: np.ndarray          # (T,) onset strength on the same clock, for beats

    @property
    def n_frames(self) -> int:
        return int(self.x.shape[0])


# ----------------------------------------------------------------------------------------------- data
def audio_inputs(y: np.ndarray, *, sr: int, fps: float, n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """``(x (n_frames, len(INPUT_NAMES)), onset (n_frames,))`` from a waveform, on a ``fps`` clock."""
    from ..audio import features

    st = features(y, sr=sr, hop_ms=10.0)
    cols = list(_SCALARS) + [f"mel_{i:02d}" for i in range(N_MELS)]
    st = st.select(cols)
    aligned = align([st], fps=fps, duration=n_frames / fps)[st.name]
    v = aligned.values.astype(np.float64)
    if v.shape[0] < n_frames:   # audio shorter than the video: unknown frames
        v = np.vstack([v, np.full((n_frames - v.shape[0], v.shape[1]), np.nan)])
    v = v[:n_frames]
    mel = v[:, len(_SCALARS):]
    filled = np.where(np.isfinite(mel), mel, np.nanmean(mel, axis=0) if np.isfinite(mel).any() else 0.0)
    dmel = np.gradient(filled, axis=0) * fps if n_frames > 1 else np.zeros_like(filled)
    x = np.concatenate([v, dmel], axis=1).astype(np.float32)
    return x, x[:, _SCALARS.index("onset")].copy()


def gesture_targets(seq: LandmarkSequence) -> np.ndarray:
    """``(T, TARGET_DIM)``: normalized pose x, y of ``POSE_POINTS`` then ``ENVELOPE_NAMES``; NaN where unseen."""
    from .. import motion, preprocess

    norm = preprocess.normalize(seq)
    T = seq.n_frames
    pose = np.full((T, N_POSE, 2), np.nan, dtype=np.float64)
    for k, (comp, point) in enumerate(POSE_POINTS):
        if not norm.has(comp):
            continue
        xy = norm.point(comp, point)[:, 0, :2]
        seen = norm.point_confidence(comp, point)[:, 0] > 0
        pose[seen, k] = xy[seen]
    mst = motion.features(seq)
    env = np.stack([mst.column(n) for n in ENVELOPE_NAMES], axis=1).astype(np.float64)
    present = np.stack([mst.column("lh_present"), mst.column("lh_present"), mst.column("rh_present"),
                        mst.column("rh_present")], axis=1) > 0
    env[~present] = np.nan
    return np.concatenate([pose.reshape(T, -1), env], axis=1).astype(np.float32)


def load_clip(entry: Any, *, audio_path: str | os.PathLike[str] | None = None) -> Clip:
    """Read one entry's landmarks and audio into a :class:`Clip`."""
    from ..audio import load

    path = Path(entry.path)
    start = int(entry.start_frame or 0)
    seq = read_entry(entry)
    apath = audio_path or (entry.meta.get("audio") if entry.meta else None)
    if not apath:
        raise DataError("no audio paired with this landmark file (meta['audio'] is empty)", path=path)
    wav, sr = load(apath, sr=16000)
    offset = int(round(start / seq.fps * sr)) if start else 0
    a_start = int((entry.meta or {}).get("audio_start_frame") or 0)
    if a_start:              # landmarks extracted from a frame range: the audio starts at that frame
        from ..vision.decode import probe_video
        offset += int(round(a_start / probe_video(Path(apath)).fps * sr))
    x, onset = audio_inputs(wav[offset:], sr=sr, fps=seq.fps, n_frames=seq.n_frames)
    return Clip(entry.id, entry.split or "train", entry.signer, float(seq.fps), x, gesture_targets(seq), onset)


def load_clips(entries: Sequence[Any], *, progress: Callable[[int, int], None] | None = None) -> list[Clip]:
    """Load clips, skipping (and logging) entries whose files are broken."""
    out = []
    for i, e in enumerate(entries):
        try:
            out.append(load_clip(e))
        except DataError as err:
            log.warning("skipping %s: %s", e.id, err)
        if progress:
            progress(i + 1, len(entries))
    return out


def clips_from_data(data: str | os.PathLike[str], *, limit: int | None = None, seed: int = 0,
                    progress: Callable[[int, int], None] | None = None) -> list[Clip]:
    """Clips from a synthetic corpus folder, or a folder of ``signfuse extract`` outputs.

    A ``signfuse extract`` output folder (it has ``manifest.jsonl``) pairs each extracted landmark file
    with the video it came from, whose soundtrack is the audio (a frame range from a dataset index
    starts the audio at that frame). Any other folder pairs each ``NAME.pose``/``NAME.parquet`` with a
    video or audio file of the same stem beside it. Such folders carry no signer ids, so the split is
    assigned by a stable hash of the name (80/10/10). ``limit`` keeps a seeded random subset of that
    many entries (all splits alike).
    """
    from ..datasets import entries_from_folder

    root = Path(data)
    if not root.is_dir():
        raise ParameterError(f"--data {root}: not a folder")
    entries = [e for e in entries_from_folder(root, need_audio=True)]
    if limit and limit < len(entries):
        keep = np.sort(np.random.default_rng(seed).permutation(len(entries))[:limit])
        entries = [entries[i] for i in keep]
    return load_clips(entries, progress=progress)


