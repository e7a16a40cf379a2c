"""signfuse: multimodal sign-language understanding.

The three values that flow through the library are :class:`LandmarkSequence` (what a camera saw),
:class:`Stream` (one named, time-stamped feature matrix) and :class:`Sample` (an example with labels
and aligned streams). Subpackages are imported on demand: ``signfuse.io``, ``signfuse.vision``, ...
"""

from .errors import DataError, FormatError, ParameterError, SignfuseError
from .sequence import Component, LandmarkSequence
from .streams import Sample, Stream, align

__version__ = "0.2.0"

__all__ = [
    "Component", "LandmarkSequence", "Stream", "Sample", "align",
    "SignfuseError", "ParameterError", "DataError", "FormatError", "__version__",
]
