"""Prosody versus gesture: put both on one clock, correlate pairs with lags, align with DTW, score beats.

Pipeline of :func:`correlate`:

1. ``audio.features`` (100 Hz) and ``motion.features`` (video rate).
2. **One clock.** Both are sampled at the instants ``k / fps`` (default: the landmark rate). A video
   frame is the instant it was captured and an audio frame the centre of its analysis window (the
   audio features use centred frames), so both are treated as instants: the denser audio is first
   averaged over a ``1 / fps`` box centred on each instant (no aliasing), then linearly interpolated.
   This keeps the two modalities in phase to well under a frame, which recovering a lag within one
   frame needs.
3. **Signals.** Prosodic: ``f0`` (semitones, interpolated across unvoiced frames), ``energy`` (RMS dB,
   floored at -80), ``mel_delta`` (sum over mel bands of the positive frame-to-frame increase of the
   log-mel energy), ``centroid`` (Hz), ``onset``. Kinematic: ``hand_speed``, ``amplitude`` and
   ``acceleration`` of the *dominant* hand (the one with more movement energy), ``energy`` (both hands).
4. **Pairs** (default: F0 vs hand speed, energy vs amplitude, mel-delta energy vs acceleration,
   spectral centroid vs amplitude, energy vs hand speed): lagged Pearson correlation within
   ``+-max_lag_s``, the peak (sub-frame lag by parabolic refinement) and a circular-shift permutation
   p-value (:mod:`.xcorr`). **Positive lag: the voice follows the gesture.** By default the test is
   one-sided for *positive* coupling (``tail="positive"``: louder, higher, brighter with faster or
   larger movement): with rhythmic signals the correlation oscillates with the lag and a negative side
   lobe can be as large as the true peak, so picking the peak of ``|r|`` would jump between lobes.
   ``tail="both"`` tests ``|r|``.
5. **DTW** between the energy envelope and the hand-speed envelope (:mod:`.dtw`), band ``max_lag_s``.
6. **Beat alignment** (:mod:`.beats`): audio beats = onset peaks, motion beats = hand-speed minima
   (AIST++/BEAT), with the chance level from circularly shifted motion beats; also reported with
   hand-speed *maxima* as motion beats (``score_speed_peaks``), for data whose accents fall on stroke
   apexes rather than on the stops.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path

import numpy as np
from scipy.ndimage import uniform_filter1d

from ..errors import DataError, ParameterError
from ..sequence import LandmarkSequence
from ..streams import Stream
from ..validators import check_rate
from .beats import audio_beats, beat_alignment, beat_alignment_null, envelope_peaks, motion_beats
from .dtw import align_envelopes
from .xcorr import xcorr_test

__all__ = ["PAIRS", "correlate", "correlate_streams", "correlate_signals", "signals", "prosodic_signals",
           "kinematic_signals", "write_report", "LAG_CONVENTION"]

log = logging.getLogger(__name__)

PAIRS: tuple[tuple[str, str], ...] = (
    ("f0", "hand_speed"),
    ("energy", "amplitude"),
    ("mel_delta", "acceleration"),
    ("centroid", "amplitude"),
    ("energy", "hand_speed"),
)
LAG_CONVENTION = "positive lag: the audio signal follows the motion signal by lag_s seconds"


def _resample(t_src: np.ndarray, x: np.ndarray, src_fps: float, t_out: np.ndarray, fps: float) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if src_fps > fps * 1.01:
        w = int(round(src_fps / fps))
        if w > 1:
            x = uniform_filter1d(x, size=w, mode="nearest")
    return np.interp(t_out, t_src, x)


def _fill_invalid(x: np.ndarray, ok: np.ndarray) -> np.ndarray:
    if ok.all():
        return x
    if not ok.any():
        return np.zeros_like(x)
    idx = np.flatnonzero(ok)
    return np.interp(np.arange(x.size), idx, x[idx])


def prosodic_signals(audio: Stream) -> dict[str, np.ndarray]:
    """Prosodic signals at the audio stream's own rate (see the module doc), all finite."""
    names = set(audio.names)
    need = {"f0_semitones", "rms_db", "centroid"}
    if not need <= names:
        raise DataError(f"audio stream lacks {sorted(need - names)}; compute it with signfuse.audio.features")
    ok = audio.mask & np.all(np.isfinite(audio.values), axis=1)
    out: dict[str, np.ndarray] = {}
    f0 = audio.column("f0_semitones").astype(np.float64)
    voiced = (audio.column("voiced") > 0.5) if "voiced" in names else f0 > 0
    out["f0"] = _fill_invalid(f0, voiced & ok & np.isfinite(f0))
    out["energy"] = np.maximum(_fill_invalid(audio.column("rms_db").astype(np.float64), ok), -80.0)
    out["centroid"] = _fill_invalid(audio.column("centroid").astype(np.float64), ok)
    mel = [n for n in audio.names if n.startswith("mel_")]
    if mel:
        m = audio.select(mel).values.astype(np.float64)
        m = np.where(np.isfinite(m), m, np.nan)
        d = np.diff(m, axis=0, prepend=m[:1])
        out["mel_delta"] = _fill_invalid(np.nansum(np.maximum(d, 0.0), axis=1), ok)
    if "onset" in names:
        out["onset"] = _fill_invalid(audio.column("onset").astype(np.float64), ok)
    return out


def kinematic_signals(motion: Stream) -> dict[str, np.ndarray]:
    """Kinematic signals at the motion stream's rate: dominant hand ``hand_speed``, ``amplitude``,
    ``acceleration``, and both hands' ``energy``."""
    need = {"lh_speed", "rh_speed", "lh_energy", "rh_energy", "lh_present", "rh_present"}
    if not need <= set(motion.names):
        raise DataError(f"motion stream lacks {sorted(need - set(motion.names))}; use signfuse.motion.features")
    e = {h: float(np.sum(motion.column(f"{h}_energy"))) for h in ("lh", "rh")}
    dom = "rh" if e["rh"] >= e["lh"] else "lh"
    ok = motion.column(f"{dom}_present") > 0.5
    out = {"hand_speed": motion.column(f"{dom}_speed"), "amplitude": motion.column(f"{dom}_amplitude"),
           "acceleration": motion.column(f"{dom}_acc"),
           "energy": motion.column("hands_energy") if "hands_energy" in motion.names
           else motion.column("lh_energy") + motion.column("rh_energy")}
    out = {k: _fill_invalid(v.astype(np.float64), ok) for k, v in out.items()}
    return out


def signals(audio: Stream, motion: Stream, *, fps: float | None = None) -> tuple[float, dict, dict, str]:
    """Prosodic and kinematic signals on one clock of ``fps`` (default: the motion stream's rate).

    Returns ``(fps, prosodic, kinematic, dominant hand)``; every signal has the same length.
    """
    fps = float(motion.fps if fps is None else fps)
    fps = check_rate(fps)
    pa, ka = prosodic_signals(audio), kinematic_signals(motion)
    e = {h: float(np.sum(motion.column(f"{h}_energy"))) for h in ("lh", "rh")}
    dom = "right" if e["rh"] >= e["lh"] else "left"
    ta, tm = audio.time, motion.time
    if audio.n_frames < 2 or motion.n_frames < 2:
        raise DataError("audio and motion must each have at least two frames")
    start = max(ta[0], tm[0])
    end = min(ta[-1], tm[-1])
    n = int(math.floor((end - start) * fps + 1e-9)) + 1
    if n < 3:
        raise DataError(f"audio ({ta[0]:.2f}-{ta[-1]:.2f} s) and motion ({tm[0]:.2f}-{tm[-1]:.2f} s) overlap "
                        "by less than three frames")
    t = start + np.arange(n) / fps
    pro = {k: _resample(ta, v, audio.fps, t, fps) for k, v in pa.items()}
    kin = {k: _resample(tm, v, motion.fps, t, fps) for k, v in ka.items()}
    return fps, pro, kin, dom


def correlate_signals(prosodic: Mapping[str, np.ndarray], kinematic: Mapping[str, np.ndarray], *, fps: float,
                      pairs: Sequence[tuple[str, str]] = PAIRS, max_lag_s: float = 1.0, n_perm: int | None = None,
                      alpha: float = 0.05, sigma: float = 0.1, seed: int = 0, tail: str = "positive",
                      dtw_pair: tuple[str, str] | None = ("energy", "hand_speed"), dtw_max_s: float = 60.0) -> dict:
    """Correlate aligned signals (same length, same ``fps``); returns the report dict (JSON-able).

    DTW (quadratic memory) runs on at most the first ``dtw_max_s`` seconds."""
    lengths = {len(v) for v in list(prosodic.values()) + list(kinematic.values())}
    if len(lengths) != 1:
        raise ParameterError(f"all signals must have the same length, got lengths {sorted(lengths)}")
    n = lengths.pop()
    report: dict = {"fps": float(fps), "n_frames": int(n), "duration_s": n / float(fps), "max_lag_s": max_lag_s,
                    "lag_convention": LAG_CONVENTION, "alpha": alpha, "tail": tail, "pairs": []}
    for a_name, m_name in pairs:
        if a_name not in prosodic or m_name not in kinematic:
            log.warning("skipping pair %s/%s: signal not available", a_name, m_name)
            continue
        a, m = np.asarray(prosodic[a_name], float), np.asarray(kinematic[m_name], float)
        if np.std(a) == 0 or np.std(m) == 0:
            report["pairs"].append({"audio": a_name, "motion": m_name, "r": 0.0, "lag_s": 0.0, "p_value": 1.0,
                                    "significant": False, "note": "constant signal"})
            continue
        res = xcorr_test(m, a, fps=fps, max_lag_s=max_lag_s, n_perm=n_perm, seed=seed, tail=tail)
        p = res["p_value"]
        report["pairs"].append({
            "audio": a_name, "motion": m_name, "r": round(res["r"], 4), "lag_s": round(res["lag_s"], 4),
            "lag_frames": round(res["lag_s"] * fps, 3), "p_value": p, "n_shifts": res["n_shifts"],
            # the smallest p-value this length allows (shifts within the lag window share the peak)
            "p_floor": round(min(1.0, (2 * round(max_lag_s * fps) + 1) / n), 4),
            "significant": bool(p < alpha) if math.isfinite(p) else False,
            "lags_s": [round(float(x), 4) for x in res["lags_s"]],
            "curve": [round(float(x), 4) for x in res["curve"]]})
    if dtw_pair and dtw_pair[0] in prosodic and dtw_pair[1] in kinematic:
        nd = min(n, int(dtw_max_s * fps))
        d = align_envelopes(kinematic[dtw_pair[1]][:nd], prosodic[dtw_pair[0]][:nd], fps=fps, band_s=max_lag_s)
        report["dtw"] = {"audio": dtw_pair[0], "motion": dtw_pair[1], "seconds": round(nd / fps, 2),
                         "normalized_cost": round(d["normalized_cost"], 4),
                         "median_offset_s": round(d["median_offset_s"], 4), "warp_std_s": round(d["warp_std_s"], 4)}
    if "onset" in prosodic and "hand_speed" in kinematic:
        ab = audio_beats(prosodic["onset"], fps=fps)
        mb = motion_beats(kinematic["hand_speed"], fps=fps)
        score = beat_alignment(ab, mb, sigma=sigma)
        null = beat_alignment_null(ab, mb, duration=n / fps, sigma=sigma, seed=seed)
        # variant: strokes' speed *peaks* (apexes) as motion beats
        pk = envelope_peaks(kinematic["hand_speed"], fps=fps)
        score_pk = beat_alignment(ab, pk, sigma=sigma)
        null_pk = beat_alignment_null(ab, pk, duration=n / fps, sigma=sigma, seed=seed)

        def rnd(v):
            return None if math.isnan(v) else round(v, 4)
        report["beats"] = {"n_audio": int(ab.size), "n_motion": int(mb.size), "sigma_s": sigma,
                           "score": rnd(score), "chance": rnd(null),
                           "score_speed_peaks": rnd(score_pk), "chance_speed_peaks": rnd(null_pk)}
    return report


#: The highest common analysis rate: the cost grows with the square of the frame count, so a typo
#: (``fps=100000``) would run for hours instead of failing.
MAX_FPS = 1000.0


def _check_fps(fps: float | None) -> None:
    if fps is not None and not (isinstance(fps, (int, float)) and math.isfinite(fps) and 0 < fps <= MAX_FPS):
        raise ParameterError(f"fps={fps!r} must be a frame rate in (0, {MAX_FPS:g}] frames/s")


def correlate_streams(audio: Stream, motion: Stream, *, fps: float | None = None, out_dir: str | PathLike[str] | None = None,
                      **kw) -> dict:
    """:func:`correlate` for precomputed ``audio`` and ``motion`` Streams."""
    _check_fps(fps)
    fps, pro, kin, dom = signals(audio, motion, fps=fps)
    report = correlate_signals(pro, kin, fps=fps, **kw)
    report["dominant_hand"] = dom
    if out_dir is not None:
        write_report(report, pro, kin, out_dir)
    return report


def correlate(landmarks: LandmarkSequence, y: np.ndarray, *, sr: int, fps: float | None = None,
              max_lag_s: float = 1.0, pairs: Sequence[tuple[str, str]] = PAIRS, n_perm: int | None = None,
              alpha: float = 0.05, sigma: float = 0.1, seed: int = 0, smooth: bool = True, tail: str = "positive",
              out_dir: str | PathLike[str] | None = None) -> dict:
    """Correlate the prosody of ``y`` with the kinematics of ``landmarks`` (see the module doc).

    Parameters
    ----------
    landmarks:
        The signer's landmarks (time 0 = audio sample 0).
    y, sr:
        Mono waveform and its sample rate.
    fps:
        Common frame rate (default: ``landmarks.fps``).
    max_lag_s, pairs, n_perm, alpha:
        Lag window, ``(prosodic, kinematic)`` signal pairs, number of circular shifts (default: every
        admissible shift) and the significance level.
    sigma:
        Beat alignment tolerance in seconds.
    out_dir:
        When given, ``report.json``, ``xcorr.png`` and ``overlay.png`` are written there.

    Returns
    -------
    The report: per pair ``r``, ``lag_s``, ``p_value``, ``significant`` and the correlation curve;
    ``dtw`` and ``beats`` summaries; ``figures`` when written.
    """
    from .. import audio as _audio
    from .. import motion as _motion

    if not isinstance(landmarks, LandmarkSequence):
        raise ParameterError(f"landmarks must be a LandmarkSequence, got {type(landmarks).__name__}")
    _check_fps(fps)
    a = _audio.features(np.asarray(y), sr=sr)
    m = _motion.features(landmarks, smooth=smooth)
    return correlate_streams(a, m, fps=fps, out_dir=out_dir, max_lag_s=max_lag_s, pairs=pairs, n_perm=n_perm,
                             alpha=alpha, sigma=sigma, seed=seed, tail=tail)


def write_report(report: dict, prosodic: Mapping[str, np.ndarray], kinematic: Mapping[str, np.ndarray],
                 out_dir: str | PathLike[str], *, overlay_s: float = 20.0) -> list[Path]:
    """Write ``report.json`` and the figures (correlation versus lag; signals overlaid after the best
    lag, the first ``overlay_s`` seconds) into ``out_dir``; adds ``figures`` to ``report`` and returns
    their paths."""
    from .. import viz
    from ..io import atomic_path, save_figure

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pairs = [p for p in report["pairs"] if "curve" in p]
    figs: list[Path] = []
    if pairs:
        figs.append(save_figure(viz.xcorr_lags(pairs), out / "xcorr.png"))
        figs.append(save_figure(viz.signal_overlay(pairs, prosodic, kinematic, fps=report["fps"],
                                                   n_frames=report["n_frames"], overlay_s=overlay_s),
                                out / "overlay.png"))
    report["figures"] = [str(f) for f in figs]
    with atomic_path(out / "report.json") as tmp:
        Path(tmp).write_text(json.dumps(report, indent=2, default=_jsonable))
    return figs


def _jsonable(o):
    from ..io import jsonable
    return jsonable(o)
