"""Exceptions raised by signfuse.

Every error a user can cause derives from :class:`SignfuseError`, so a caller (and the CLI) can catch
one type. :class:`ParameterError` is also a :class:`ValueError` so that generic code that guards against
``ValueError`` keeps working.
"""

from __future__ import annotations

from os import PathLike

__all__ = [
    "SignfuseError",
    "ParameterError",
    "DataError",
    "FormatError",
    "DependencyError",
]


class SignfuseError(Exception):
    """Base class of every error raised on purpose by signfuse."""


class ParameterError(SignfuseError, ValueError):
    """A function or command was called with an invalid argument."""


class DataError(SignfuseError):
    """Input data are malformed or inconsistent.

    Parameters
    ----------
    message:
        What is wrong.
    path:
        The file that holds the bad data, if any. It is prefixed to the message so that a batch job
        can report which of many files failed.
    """

    def __init__(self, message: str, *, path: str | PathLike[str] | None = None) -> None:
        self.path = None if path is None else str(path)
        self.reason = message
        super().__init__(f"{self.path}: {message}" if self.path else message)


class FormatError(DataError):
    """A file could not be parsed as the format its name or content claims."""


class DependencyError(SignfuseError, ImportError):
    """An optional dependency is missing; the message says how to install it."""

    def __init__(self, package: str, extra: str | None = None, purpose: str = "") -> None:
        hint = f"pip install 'signfuse[{extra}]'" if extra else f"pip install {package}"
        what = f" for {purpose}" if purpose else ""
        super().__init__(f"{package} is required{what}; install it with: {hint}")
        self.package = package
