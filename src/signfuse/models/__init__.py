"""Models (``nn.Module``s only) and their registry.

Recognition models take ``dict[str, Tensor (B, T, F)]`` plus ``dict[str, BoolTensor (B, T)]`` masks keyed
by stream name and return a dict (``logits`` or ``frame_logits``/``lengths``, and ``embedding``).
Importing this package imports every model module (timm's layout), which registers the models.
"""

from . import a2g, baselines, emotion, hybrid, translation  # noqa: F401  (each registers its models)
from .registry import create_model, list_models, model_class, register_model

__all__ = ["create_model", "list_models", "model_class", "register_model"]
