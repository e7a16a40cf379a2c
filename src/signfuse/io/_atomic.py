"""Atomic file writes: write to a temporary name in the target folder, rename on success."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

from ..errors import DataError

__all__ = ["atomic_path"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it is renamed to ``path``.

    The temporary name keeps ``path``'s suffix (``.tmp-<id>.npz``), because some writers (``np.savez``)
    append a suffix when it is missing. If the body raises, the temporary file is removed and ``path``
    is left untouched, so a reader never sees a half-written file. The parent folder is created. Files
    get the user's umask (unlike ``tempfile.mkstemp``'s 0600). A write that the file system refuses (a
    read-only folder, a full disk, no permission) is one :class:`~signfuse.errors.DataError` naming
    ``path``, with no temporary file left and no second error chained to it.
    """
    target = Path(path)
    tmp = target.with_name(f".{target.stem}.tmp-{uuid.uuid4().hex[:12]}{target.suffix}")
    try:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            yield tmp
            os.replace(tmp, target)
        except OSError as e:
            if _is_write_failure(e, (tmp, target, target.parent)):
                raise DataError(f"cannot write: {e.strerror or e}", path=target) from None
            raise
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


_WRITE_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EISDIR,
                 errno.ENOTDIR}


def _is_write_failure(e: OSError, paths: Iterable[str | os.PathLike[str]]) -> bool:
    """An OSError about writing one of ``paths`` (not, say, a missing input read inside the block)."""
    names = {str(p) for p in paths}
    if e.filename is not None and str(e.filename) in names:
        return True
    return e.errno in _WRITE_ERRNOS


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = 110) -> Path:
    """Save a matplotlib figure atomically (format from the suffix, PNG by default); returns ``path``.

    ``fig`` is a :class:`matplotlib.figure.Figure` (as :mod:`signfuse.viz` builds them; nothing to close).
    A figure made through pyplot by the caller is closed afterwards so pyplot does not keep it; pyplot
    itself is never imported here (importing it picks a backend).
    """
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "png"
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=dpi, format=fmt)
    finally:
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None and getattr(fig, "number", None) is not None and plt.fignum_exists(fig.number):
            plt.close(fig)
    return path
