"""Recognition models (``nn.Module``s) and their registry.

Models take ``dict[str, Tensor (B, T, F)]`` plus ``dict[str, BoolTensor (B, T)]`` masks keyed by
stream name and return a dict (``logits`` or ``frame_logits``/``lengths``, and ``embedding``).
"""

from .registry import create_model, list_models, model_class, register_model

__all__ = ["create_model", "list_models", "model_class", "register_model"]
