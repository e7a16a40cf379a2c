"""Fixtures shared by the training tests (the toy caches live in :mod:`tests.train.toy`)."""

from .toy import toy_cache, toy_ctc_cache  # noqa: F401  (pytest finds fixtures in a conftest's namespace)
