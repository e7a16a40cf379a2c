"""Non-manual events over time from a face-feature Stream (:func:`signfuse.face.features`).

Every event is a dict ``{"type", "start_frame", "end_frame", "start", "end", "peak", "amplitude"}``:
frames are 0-based with ``end_frame`` exclusive, ``start``/``end`` are seconds (the stream's clock),
``peak`` the frame of the largest value and ``amplitude`` its size (AU units or degrees).

Rules (defaults in :func:`events`' signature):

``brow_raise``  mean(AU01, AU02) above ``brow_threshold`` for at least ``min_duration_s``.
``brow_furrow`` AU04 above ``brow_threshold`` for at least ``min_duration_s``.
    Both use hysteresis: a span starts above the threshold and lasts while the signal stays above half
    of it. Each signal is first centred on a per-recording neutral, so no baseline is needed:
    ``center="edges"`` (default) takes the median of the first and last 20% of the frames with a face
    (signs and sentences start and end at rest, and a marker may cover most of a sign);
    ``center="median"`` the median of all frames (right when markers cover less than half the
    recording); ``center=None`` uses the values as they are (streams computed with a baseline).
``head_shake`` / ``head_nod``  yaw / pitch, detrended by a centred 1-s moving median, swings back and
    forth: at least ``min_swings`` alternating extrema (3 = e.g. left-right-left), each at least
    ``swing_deg`` from the previous one and at most ``max_swing_gap_s`` after it. The span runs from
    the first to the last extremum, widened by half the mean gap on each side. A single nod also
    counts: one down-and-back-up pitch excursion of at least ``single_nod_deg`` (peak prominence)
    lasting at most ``max_single_nod_s`` (at 90% of its height); a head that tips down and stays
    is not a nod.
``blink``  AU45 (eye closure) above ``blink_threshold`` for at most ``max_blink_s``.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ..streams import Stream

__all__ = ["events", "spans"]


def spans(x: np.ndarray, *, on: float, off: float) -> list[tuple[int, int]]:
    """Hysteresis spans ``[(start, end_exclusive)]`` where ``x`` rises above ``on`` and stays above ``off``.

    NaN counts as below. Vectorized except for the (short) loop over candidate spans.
    """
    x = np.nan_to_num(np.asarray(x, dtype=np.float64), nan=-np.inf)
    above_off = x > off
    # runs of above_off
    d = np.diff(np.concatenate([[0], above_off.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    if starts.size == 0:
        return []
    # keep runs that reach `on`
    peak = np.maximum.reduceat(x, starts) if x.size else np.array([])
    return [(int(s), int(e)) for s, e, p in zip(starts, ends, peak) if p > on]


def _moving_median(x: np.ndarray, w: int) -> np.ndarray:
    from scipy.ndimage import median_filter

    return median_filter(x, size=max(1, w), mode="nearest")


def _fill_nan(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = np.isfinite(x)
    if not ok.any():
        return np.zeros_like(x), ok
    idx = np.arange(x.size)
    return np.interp(idx, idx[ok], x[ok]), ok


def _oscillations(
    x: np.ndarray, ok: np.ndarray, *, fps: float, swing: float, max_gap_s: float, min_swings: int
) -> list[tuple[int, int, float]]:
    """Runs of alternating extrema in ``x`` -> ``[(start, end, peak-to-peak)]``."""
    from scipy.signal import find_peaks

    hi, _ = find_peaks(x, prominence=swing / 2)
    lo, _ = find_peaks(-x, prominence=swing / 2)
    ext = np.sort(np.concatenate([hi, lo]))
    if ext.size < min_swings:
        return []
    is_hi = np.zeros(x.size, bool)
    is_hi[hi] = True
    # merge consecutive extrema of the same kind (keep the more extreme)
    keep: list[int] = []
    for e in ext.tolist():
        if keep and is_hi[keep[-1]] == is_hi[e]:
            if (is_hi[e] and x[e] > x[keep[-1]]) or (not is_hi[e] and x[e] < x[keep[-1]]):
                keep[-1] = e
            continue
        keep.append(e)
    ext = np.array(keep)
    max_gap = max_gap_s * fps
    out: list[tuple[int, int, float]] = []
    run = [int(ext[0])]
    for prev, cur in zip(ext[:-1], ext[1:]):
        good = cur - prev <= max_gap and abs(x[cur] - x[prev]) >= swing and ok[prev : cur + 1].all()
        if good:
            run.append(int(cur))
        else:
            if len(run) >= min_swings:
                out.append(_run_span(run, x))
            run = [int(cur)]
    if len(run) >= min_swings:
        out.append(_run_span(run, x))
    return out


def _single_nods(
    x: np.ndarray, ok: np.ndarray, taken: list[tuple[int, int, float]], *, fps: float, height: float, max_s: float
) -> list[tuple[int, int, float]]:
    """Lone downward pitch excursions (positive pitch = down) not inside an oscillation already found."""
    from scipy.signal import find_peaks

    peaks, prop = find_peaks(x, prominence=height, width=(1, max(1.0, max_s * fps)), rel_height=0.9)
    out = []
    for p, lo, hi, prom in zip(peaks, prop["left_ips"], prop["right_ips"], prop["prominences"]):
        s, e = int(np.floor(lo)), min(x.size, int(np.ceil(hi)) + 1)
        if not ok[s:e].all() or any(a <= p < b for a, b, _ in taken):
            continue
        out.append((s, e, float(prom)))
    return out


def _run_span(run: list[int], x: np.ndarray) -> tuple[int, int, float]:
    half = int(round(np.mean(np.diff(run)) / 2))
    vals = x[run]
    return max(0, run[0] - half), min(x.size, run[-1] + half + 1), float(vals.max() - vals.min())


def events(
    stream: Stream,
    *,
    brow_threshold: float = 0.35,
    min_duration_s: float = 0.1,
    center: str | None = "edges",
    swing_deg: float = 4.0,
    max_swing_gap_s: float = 0.45,
    min_swings: int = 3,
    single_nod_deg: float = 8.0,
    max_single_nod_s: float = 1.0,
    blink_threshold: float = 0.5,
    max_blink_s: float = 0.5,
) -> list[dict]:
    """Brow raise / furrow spans, head shakes and nods, blinks, sorted by start frame (rules above)."""
    if center not in (None, "median", "edges"):
        raise ParameterError(f"center={center!r} must be 'edges', 'median' or None")
    for name, v in (
        ("brow_threshold", brow_threshold),
        ("swing_deg", swing_deg),
        ("blink_threshold", blink_threshold),
        ("min_duration_s", min_duration_s),
        ("max_swing_gap_s", max_swing_gap_s),
        ("max_blink_s", max_blink_s),
        ("single_nod_deg", single_nod_deg),
        ("max_single_nod_s", max_single_nod_s),
    ):
        if not (np.isfinite(v) and v >= 0):
            raise ParameterError(f"{name}={v!r} must be a non-negative number")
    if min_swings < 2:
        raise ParameterError(f"min_swings={min_swings} must be at least 2")
    fps = stream.fps
    t = stream.time
    T = stream.n_frames
    ok = stream.mask.copy()
    out: list[dict] = []

    def col(name: str) -> np.ndarray | None:
        return stream.column(name).astype(np.float64) if name in stream.names else None

    def add(kind: str, s: int, e: int, sig: np.ndarray) -> None:
        seg = sig[s:e]
        p = s + int(np.nanargmax(np.abs(seg))) if np.isfinite(seg).any() else s
        end_t = float(t[e - 1] + 1.0 / fps) if e > 0 else 0.0
        out.append(
            {
                "type": kind,
                "start_frame": int(s),
                "end_frame": int(e),
                "start": float(t[s]),
                "end": end_t,
                "peak": int(p),
                "amplitude": float(np.nan_to_num(sig[p])),
            }
        )

    def centred(x: np.ndarray) -> np.ndarray:
        x = np.where(ok, x, np.nan)
        seen = np.flatnonzero(np.isfinite(x))
        if center is None or seen.size == 0:
            return x
        if center == "median":
            return x - np.median(x[seen])
        k = max(3, int(round(0.2 * seen.size)))
        edge = np.concatenate([seen[:k], seen[-k:]])
        return x - np.median(x[edge])

    min_len = max(1, int(round(min_duration_s * fps)))
    a1, a2, a4 = col("AU01"), col("AU02"), col("AU04")
    if a1 is not None and a2 is not None:
        raise_sig = centred(0.5 * (a1 + a2))
        for s, e in spans(raise_sig, on=brow_threshold, off=brow_threshold / 2):
            if e - s >= min_len:
                add("brow_raise", s, e, raise_sig)
    if a4 is not None:
        furrow = centred(a4)
        for s, e in spans(furrow, on=brow_threshold, off=brow_threshold / 2):
            if e - s >= min_len:
                add("brow_furrow", s, e, furrow)
    for kind, name in (("head_shake", "yaw"), ("head_nod", "pitch")):
        x = col(name)
        if x is None or T < 3:
            continue
        xf, good = _fill_nan(np.where(ok, x, np.nan))
        if not good.any():
            continue
        xd = xf - _moving_median(xf, int(round(fps)) | 1)
        found = _oscillations(xd, good, fps=fps, swing=swing_deg, max_gap_s=max_swing_gap_s, min_swings=min_swings)
        if kind == "head_nod" and single_nod_deg > 0:
            found += _single_nods(xd, good, found, fps=fps, height=single_nod_deg, max_s=max_single_nod_s)
        for s, e, amp in found:
            add(kind, s, e, xd)
            out[-1]["amplitude"] = amp
    a45 = col("AU45")
    if a45 is not None:
        closure = np.where(ok, a45, np.nan)
        max_len = max(1, int(round(max_blink_s * fps)))
        for s, e in spans(closure, on=blink_threshold, off=blink_threshold):
            if e - s <= max_len:
                add("blink", s, e, closure)
    out.sort(key=lambda ev: (ev["start_frame"], ev["type"]))
    return out
