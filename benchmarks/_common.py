"""Helpers shared by the benchmark scripts: describing the machine, the date stamp, writing a result file.

Standard library only, so a script may import it before it sets thread variables and loads numpy.
Scripts import it as ``from _common import ...`` after putting this folder on ``sys.path``.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
import subprocess
from pathlib import Path


def cpu_model(fallback: str | None = None) -> str:
    """The first "model name" in /proc/cpuinfo; else ``fallback``, or (when it is None)
    ``platform.processor()`` or "unknown"."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    if fallback is not None:
        return fallback
    return platform.processor() or "unknown"


def nproc(*, default: str = "?", drop_env: str | None = None) -> str:
    """Output of ``nproc`` (``default`` if it prints nothing or cannot run).

    ``nproc`` honours OMP_NUM_THREADS (and OMP_THREAD_LIMIT); ``drop_env`` removes the environment
    variables whose names start with it for that one call, e.g. ``"OMP_"`` or ``"OMP_NUM_THREADS"``.
    """
    env = None if drop_env is None else {k: v for k, v in os.environ.items() if not k.startswith(drop_env)}
    try:
        out = subprocess.run(["nproc"], capture_output=True, text=True, env=env).stdout.strip()
    except OSError:
        return default
    return out or default


def machine(
    *, cpus: str | int | None = None, python: bool = False, system: bool = False, fallback: str = "unknown"
) -> str:
    """``"<cpus> CPUs (nproc), <CPU model>"``, then optionally ``", Python X.Y.Z"`` and ``", <OS> <release>"``.

    ``cpus`` defaults to the output of ``nproc``; ``fallback`` is the CPU model when /proc/cpuinfo has none.
    """
    text = f"{nproc() if cpus is None else cpus} CPUs (nproc), {cpu_model(fallback)}"
    if python:
        text += f", Python {platform.python_version()}"
    if system:
        text += f", {platform.system()} {platform.release()}"
    return text


def utc_stamp() -> str:
    """The current time as ``YYYY-MM-DD HH:MM UTC``."""
    return f"{_dt.datetime.now(_dt.UTC):%Y-%m-%d %H:%M} UTC"


def write_result(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (a hidden temporary file beside it, then ``os.replace``),
    creating the parent folder."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, out)
    return out


def time_block(log: str | os.PathLike) -> dict:
    """``{"cpu_s", "wall_s"}`` (user + system, elapsed) from the ``/usr/bin/time -v`` block in ``log``;
    a key is missing when its line is."""
    text = Path(log).read_text(errors="replace")
    out = {}
    u = re.search(r"User time \(seconds\): ([\d.]+)", text)
    k = re.search(r"System time \(seconds\): ([\d.]+)", text)
    w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
    if u and k:
        out["cpu_s"] = float(u.group(1)) + float(k.group(1))
    if w:
        parts = [float(x) for x in w.group(1).split(":")]
        out["wall_s"] = sum(p * 60**i for i, p in enumerate(reversed(parts)))
    return out
