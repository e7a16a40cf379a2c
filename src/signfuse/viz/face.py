"""Face figures: head pose and action-unit curves over time, detected events as shaded spans."""

from __future__ import annotations

from collections.abc import Sequence

from ..streams import Stream
from ._fig import figure

__all__ = ["face_features"]

_EVENT_COLOURS = {"brow_raise": "tab:green", "brow_furrow": "tab:red", "head_shake": "tab:purple",
                  "head_nod": "tab:orange", "blink": "tab:gray"}


def face_features(stream: Stream, *, events: Sequence[dict] = (), aus: Sequence[str] | None = None,
                  title: str | None = None):
    """Two panels: head pose (degrees) on top, AU intensities below, ``events`` as shaded spans.

    ``stream`` is a Stream from :func:`signfuse.face.features`; ``events`` the dicts of
    :func:`signfuse.face.events` (``type``, ``start``, ``end`` in seconds).
    """
    from matplotlib.patches import Patch

    t = stream.time
    fig = figure(figsize=(11, 5.5))
    ax_pose, ax_au = fig.subplots(2, 1, sharex=True)
    for name in ("pitch", "yaw", "roll"):
        if name in stream.names:
            ax_pose.plot(t, stream.column(name), label=name, lw=1.2)
    ax_pose.set_ylabel("head pose (deg)")
    ax_pose.grid(alpha=0.3)
    names = list(aus) if aus is not None else [n for n in ("AU01", "AU02", "AU04", "AU12", "AU25", "AU26", "AU45")
                                               if n in stream.names]
    for name in names:
        ax_au.plot(t, stream.column(name), label=name, lw=1.0)
    ax_au.set_ylabel("AU intensity")
    ax_au.set_xlabel("time (s)")
    ax_au.grid(alpha=0.3)
    spans: dict[str, str] = {}
    for ev in events:
        c = _EVENT_COLOURS.get(ev["type"], "tab:blue")
        ax = ax_au if ev["type"] in ("brow_raise", "brow_furrow", "blink") else ax_pose
        ax.axvspan(ev["start"], ev["end"], color=c, alpha=0.15, lw=0)
        spans.setdefault(ev["type"], c)
    missing = ~stream.mask
    if missing.any() and t.size:
        ax_pose.fill_between(t, 0, 1, where=missing, transform=ax_pose.get_xaxis_transform(), color="k",
                             alpha=0.08, step="mid", lw=0)
    # legends beside the axes, never over the curves; the shaded spans get their own legend
    ax_pose.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False, title="head pose",
                   title_fontsize=8)
    ax_au.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False, title="action units",
                 title_fontsize=8)
    patches = [Patch(color=c, alpha=0.3, label=k.replace("_", " ")) for k, c in spans.items()]
    if missing.any():
        patches.append(Patch(color="k", alpha=0.15, label="no face found"))
    if patches:
        fig.legend(handles=patches, loc="outside lower center", ncol=len(patches), fontsize=8, frameon=False,
                   title="shaded: detected events", title_fontsize=8)
    if title:
        fig.suptitle(title)
    return fig
