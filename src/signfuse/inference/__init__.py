"""Inference: recognize (file, video, live), ONNX export and runtime, and the recognition checkpoint loader.

Importing this package never imports Lightning; ``recognize MODEL.onnx`` imports neither torch nor
Lightning. The audio-to-gesture and emotion predictors are :func:`signfuse.inference.a2g.predict_audio`
and :func:`signfuse.inference.emotion.predict_file`.
"""

from .recognize import load_model, recognize, recognize_live

__all__ = ["load_model", "recognize", "recognize_live"]
