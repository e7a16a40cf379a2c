"""Training and evaluation: data (Samples, stream cache, splits), losses, metrics, the Lightning module,
``fit``, checkpoints, evaluation, ablation, adaptation, ONNX export and recognition.

Submodules are imported on demand (``from signfuse.train.fit import fit``) so that importing
``signfuse.train`` stays cheap.
"""
