"""The layer order of signfuse, written once as data (DESIGN.md, "Layers").

A module may import modules of its own layer or of lower-numbered layers, never higher ones; a peer
import is allowed only if it creates no import cycle. ``tests/test_layers.py`` parses every module's
imports (lazy ones inside functions included) and fails on any import that climbs a layer or closes a
cycle, so a new package must be given a layer here before it can land.

Packages listed here that do not exist yet (``samples``, ``inference``, ``viz``, ``demo``, ``translate``,
``live``) are where the code is going; listing them first keeps the table ahead of the moves.
"""

from __future__ import annotations

__all__ = ["LAYERS", "LAZY_ONLY", "ONLY_IN", "NEVER", "IMPORTABLE_FROM", "layer_of"]

# module or package (dotted, under signfuse) -> layer; the longest matching prefix wins.
LAYERS: dict[str, float] = {
    # 1. the data model and small leaf modules
    "signfuse": 1,  # the package's __init__: re-exports the data model
    "signfuse._layers": 1,
    "signfuse.errors": 1,
    "signfuse.topology": 1,
    "signfuse.sequence": 1,
    "signfuse.streams": 1,
    "signfuse.validators": 1,
    "signfuse.quality": 1,
    "signfuse.assets": 1,  # bundled data files
    "signfuse.ctc": 1,  # CTC greedy/beam decoding on numpy (training metrics and torch-free inference)
    # 2. every file format, one atomic writer
    "signfuse.io": 2,
    # 3. dataset indexes, pure transforms, figures
    "signfuse.datasets": 3,
    "signfuse.preprocess": 3,
    "signfuse.viz": 3,
    # 4. features -> Stream
    "signfuse.vision": 4,
    "signfuse.face": 4,
    "signfuse.hands": 4,
    "signfuse.audio": 4,
    "signfuse.motion": 4,
    # 5.
    "signfuse.crossmodal": 5,
    # 6. Entry -> Sample for every task; stream builders; cache
    "signfuse.samples": 6,
    # 7. nn.Modules, the leaf registry, the checkpoint schema; and the text side of translation (corpora,
    # sentencepiece vocabularies, seq2seq decoding, BLEU/chrF/ROUGE, the LLM back end, the Translator):
    # it needs only models and below, and the translation task (train) and captions (inference, live)
    # build on it, so it sits beside models rather than above train
    "signfuse.models": 7,
    "signfuse.translate": 7,
    # test fixtures: may import anything below train, and nothing in the library imports them
    # except demo and cli (layer 11)
    "signfuse.testing": 7.5,
    # 8. one fit, task modules, losses, metrics
    "signfuse.train": 8,
    # 9. no Lightning: recognize (file, video, live; with translation), export, predictors
    "signfuse.inference": 9,
    # 10. web apps
    "signfuse.annotate": 10,
    "signfuse.live": 10,
    "signfuse.web": 10,  # small helpers the web apps share (Host checks); imports nothing
    # 11. thin front ends
    "signfuse.demo": 11,
    "signfuse.cli": 11,
}

# Heavy optional dependencies (each belongs to an extra): imported only inside the function that needs
# them, so that every signfuse module imports on the core install; the function raises
# errors.DependencyError with the install hint.
LAZY_ONLY: tuple[str, ...] = (
    "mediapipe",
    "ray",
    "onnxruntime",
    "onnx",
    "onnxscript",
    "fastapi",
    "uvicorn",
    "starlette",
)

# Third-party packages that only some signfuse packages may import, even lazily (type-only imports under
# ``if TYPE_CHECKING`` are exempt).
ONLY_IN: dict[str, tuple[str, ...]] = {
    # figures are built in viz with the Figure API (testing reads matplotlib's sample data)
    "matplotlib": ("signfuse.viz", "signfuse.testing"),
    # one Lightning fit lives in train; models and inference never import it
    "lightning": ("signfuse.train", "signfuse.demo", "signfuse.cli"),
    "pytorch_lightning": ("signfuse.train", "signfuse.demo", "signfuse.cli"),
}

# Imports no signfuse module makes: pyplot keeps global figure state (STYLE.md, "Figures without global
# state").
NEVER: tuple[str, ...] = ("matplotlib.pyplot",)

# signfuse modules that only modules of this layer or above may import: the synthetic corpus is demo
# and test data; feature code (layers 4, 5) takes its input from the caller, and demo stages live in
# signfuse.demo.
IMPORTABLE_FROM: dict[str, float] = {
    "signfuse.datasets.synthetic": 6,
}


def layer_of(module: str) -> float | None:
    """The layer of a dotted ``signfuse`` module name, or None when no entry covers it.

    The bare ``"signfuse"`` entry is the package's ``__init__`` only; it covers no submodule, so a new
    package without an entry has no layer (and the layer test says so) instead of silently layer 1.
    """
    if module == "signfuse":
        return LAYERS[module]
    parts = module.split(".")
    for n in range(len(parts), 1, -1):
        layer = LAYERS.get(".".join(parts[:n]))
        if layer is not None:
            return layer
    return None
