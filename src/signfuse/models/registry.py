"""Model registry: ``register_model`` / ``create_model(name, **kwargs)`` / ``list_models``.

The registry is a leaf (timm's ``_registry.py``): it imports no model module. ``signfuse.models``
(``__init__``) imports every model module, which registers its classes; importing anything under
``signfuse.models`` runs that ``__init__`` first, so the registry is always full. Each model class
says what it is for in a ``kind`` class attribute (``recognition``, ``a2g``, ``emotion``,
``translation``), which :func:`list_models` filters on.

Every recognition model takes ``x: dict[str, Tensor (B, T, F)]`` and ``mask: dict[str, BoolTensor (B, T)]``
keyed by stream name, and returns a dict with ``"logits"`` ``(B, C)`` (isolated) or ``"frame_logits"``
``(B, T', C + 1)`` with ``"lengths"`` ``(B,)`` (continuous, CTC blank at index 0), plus ``"embedding"``
``(B, D)`` (pooled encoder output, used by domain classifiers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ..errors import ParameterError

if TYPE_CHECKING:  # the registry stays a leaf at run time: it imports neither torch nor any model
    from torch import nn

__all__ = ["register_model", "create_model", "list_models", "model_class"]

_REGISTRY: dict[str, Callable[..., Any]] = {}


def register_model(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Class decorator: make ``create_model(name, ...)`` build this class."""
    def deco(cls: Callable[..., Any]) -> Callable[..., Any]:
        if name in _REGISTRY and _REGISTRY[name] is not cls:
            raise ParameterError(f"model name {name!r} is already registered by {_REGISTRY[name]!r}")
        _REGISTRY[name] = cls
        return cls
    return deco


KINDS = ("recognition", "a2g", "emotion", "translation")


def list_models(kind: str | None = None) -> list[str]:
    """Names of the registered models, sorted; ``kind`` keeps those of one kind (e.g. ``"recognition"``:
    dict of streams in, glosses out)."""
    if kind is None:
        return sorted(_REGISTRY)
    if kind not in KINDS:
        raise ParameterError(f"kind={kind!r} must be None or one of {', '.join(KINDS)}")
    return sorted(n for n, c in _REGISTRY.items() if getattr(c, "kind", None) == kind)


def model_class(name: str) -> Callable[..., Any]:
    if name not in _REGISTRY:
        raise ParameterError(f"unknown model {name!r}; known models: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


def create_model(name: str, **kwargs: Any) -> nn.Module:
    """Build a registered model by name; an unknown name raises ``ParameterError`` listing the known ones."""
    cls = model_class(name)
    try:
        return cls(**kwargs)
    except TypeError as e:
        raise ParameterError(f"model {name!r}: {e}") from None
