"""MediaPipe Hands (``mediapipe.solutions.hands``, bundled in the same wheel as Holistic) as numpy arrays.

Holistic finds hands only through the body: on a close-up of a hand (a photo of a handshape, a cropped
fingerspelling clip) its pose model sees nobody and it returns nothing. The Hands solution detects
palms directly, so it is the model for hands without a body.

Output layout and coordinates
-----------------------------
Two components, ``LEFT_HAND`` 21 and ``RIGHT_HAND`` 21 (MediaPipe hand topology), coordinates as in
:mod:`signfuse.vision.holistic`: ``x * width``, ``y * height`` in pixels of the original image, ``z`` as
MediaPipe gives it. A file with exactly these two components was made by this model (see
:func:`model_of`): that is how a ``.pose`` file, whose header has no free metadata, records it.

Handedness
----------
MediaPipe Hands labels each hand assuming the image is *mirrored* (a selfie view): on an ordinary,
unmirrored photo or video its ``"Left"`` is the person's right hand. signfuse stores hands as the
signer's own, like Holistic does (checked on MediaPipe's sample photos: the hand Hands calls "Left" is
the one Holistic puts in ``RIGHT_HAND``), so a hand labelled ``"Left"`` goes to ``RIGHT_HAND``. The
confidence of every point of a found hand is MediaPipe's handedness score (the probability of that
label, in ``(0, 1]``); 0 marks a hand that was not found. When both hands get the same label, the one
with the higher score keeps it and the other takes the free side.

Small crops
-----------
The palm detector was trained on camera frames in which a hand fills a modest part of the view; a
100x100 photo filled by one hand is a poor fit. Images whose longer side is below
:data:`SMALL_MAX_SIDE` are padded with a border of the image's mean colour (:func:`prepare_small`;
coordinates are mapped back to the original pixels). In static mode the pads of :data:`SMALL_PADS`
are tried in order until a hand is found. Measured on 200 of the Sign Language Digits photos (100x100,
seed 0; ``benchmarks/results/real.md``, section 1): as is 84% found; one border of 0.25 to 1.0 times
the side 89-92%, 1.5 times 80%; upscaling to 256 or 512 px *lowered* the rate (80-82%), so images are
not upscaled; the cascade 0.75, 0.5, 1.0 found 98.5% (98.1% of all 2,062 photos). See
``benchmarks/results/real.md`` for the full set.
"""

from __future__ import annotations

import logging

import numpy as np

from ..errors import DependencyError, ParameterError
from ..sequence import Component, LandmarkSequence
from ..topology import HAND_EDGES, HAND_POINTS, LEFT_HAND, RIGHT_HAND
from .holistic import _native_stderr_silenced

__all__ = ["HandsRunner", "hands_components", "model_of", "prepare_small", "MODELS", "SMALL_MAX_SIDE",
           "SMALL_PADS"]

log = logging.getLogger(__name__)

#: The landmark models ``extract`` knows: ``auto`` is Holistic, falling back to Hands when no pose is found.
MODELS: tuple[str, ...] = ("auto", "holistic", "hands")
#: Images whose longer side is below this many pixels count as small crops and get a border.
SMALL_MAX_SIDE = 256
#: Borders tried around a small image (static mode: in order, until a hand is found), as a fraction of
#: its longer side on each side.
SMALL_PADS: tuple[float, ...] = (0.75, 0.5, 1.0)


def hands_components() -> tuple[Component, ...]:
    """The two components of a Hands sequence, in storage order."""
    return (Component(LEFT_HAND, HAND_POINTS, HAND_EDGES), Component(RIGHT_HAND, HAND_POINTS, HAND_EDGES))


def model_of(seq: LandmarkSequence) -> str:
    """Which extraction model a sequence's components say made it: ``"hands"`` or ``"holistic"``.

    Sequences read from other tools (Kaggle parquet, MP_Data) report ``"holistic"`` when they have a
    pose or face component, else ``"hands"``.
    """
    names = set(seq.component_names)
    return "hands" if names <= {LEFT_HAND, RIGHT_HAND} else "holistic"


def prepare_small(image: np.ndarray, *, pad: float) -> tuple[np.ndarray, int]:
    """Pad an RGB image with a border of its mean colour, ``pad`` times its longer side on each side.

    Returns ``(image', border)``: a point at ``(u, v)`` pixels of ``image'`` is at
    ``(u - border, v - border)`` in ``image``.
    """
    if not (isinstance(pad, (int, float)) and 0.0 <= pad <= 4.0):
        raise ParameterError(f"pad={pad!r} must be a number between 0 and 4")
    h, w = image.shape[:2]
    border = int(round(pad * max(h, w)))
    if not border:
        return image, 0
    fill = image.reshape(-1, image.shape[-1]).mean(axis=0).round().astype(np.uint8)
    out = np.empty((h + 2 * border, w + 2 * border, image.shape[2]), np.uint8)
    out[:] = fill
    out[border:border + h, border:border + w] = image
    return out, border


class HandsRunner:
    """A MediaPipe Hands graph (2 hands, the bundled full model); use as a context manager.

    Parameters
    ----------
    static_image_mode:
        ``True`` for unrelated images (palm detection on every frame), ``False`` for video (tracking).
    small_max_side, small_pads:
        Small-crop handling (module doc): images whose longer side is below ``small_max_side`` get the
        borders ``small_pads`` (static mode: tried in order; video: the first); ``small_pads=()`` turns it off.
    """

    def __init__(self, *, static_image_mode: bool, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5, small_max_side: int = SMALL_MAX_SIDE,
                 small_pads: tuple[float, ...] = SMALL_PADS) -> None:
        for name, v in (("min_detection_confidence", min_detection_confidence),
                        ("min_tracking_confidence", min_tracking_confidence)):
            if not 0.0 <= float(v) <= 1.0:
                raise ParameterError(f"{name}={v!r} must be between 0 and 1")
        try:
            from mediapipe.python.solutions import hands as mp_hands
        except ImportError as e:  # mediapipe belongs to the [vision] extra
            raise DependencyError("mediapipe==0.10.21", extra="vision", purpose="hand landmark extraction") from e
        self.static_image_mode = bool(static_image_mode)
        self.small_max_side, self.small_pads = int(small_max_side), tuple(float(p) for p in small_pads)
        with _native_stderr_silenced():
            self._graph = mp_hands.Hands(static_image_mode=self.static_image_mode, max_num_hands=2,
                                         model_complexity=1,
                                         min_detection_confidence=float(min_detection_confidence),
                                         min_tracking_confidence=float(min_tracking_confidence))
        self._frames = 0
        self.last_pad = 0.0
        #: MediaPipe's own labels ("Left"/"Right", mirrored convention) of the last frame, in slot order.
        self.last_labels: tuple[str | None, str | None] = (None, None)

    def process(self, image: np.ndarray, *, width: int | None = None,
                height: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Landmarks of one RGB uint8 image: ``(data (42, 3), confidence (42,))``, LEFT_HAND then RIGHT_HAND.

        ``width``/``height`` are the pixel size the coordinates are expressed in (default: the image's
        own size; pass the original size when ``image`` was downscaled).
        """
        if self._graph is None:
            raise ParameterError("this HandsRunner is closed")
        h, w = image.shape[:2]
        width = w if width is None else width
        height = h if height is None else height
        pads: tuple[float, ...] = (0.0,)
        if self.small_pads and max(h, w) < self.small_max_side:
            pads = self.small_pads if self.static_image_mode else self.small_pads[:1]
        for pad in pads:
            img, border = prepare_small(image, pad=pad) if pad else (image, 0)
            ph, pw = img.shape[:2]
            if self._frames < 2:
                with _native_stderr_silenced():
                    results = self._graph.process(img)
            else:
                results = self._graph.process(img)
            self._frames += 1
            if results.multi_hand_landmarks:
                break
        #: the border that found the hand(s) (the last one tried when none was found)
        self.last_pad = pad
        data = np.zeros((42, 3), np.float32)
        conf = np.zeros(42, np.float32)
        found = []
        for lms, cls in zip(results.multi_hand_landmarks or [], results.multi_handedness or []):
            c = cls.classification[0]
            pts = np.array([(p.x, p.y, p.z) for p in lms.landmark], dtype=np.float64)
            # normalized in the prepared image -> pixels of the prepared image -> original pixels -> output units
            pts[:, 0] = (pts[:, 0] * pw - border) / w * width
            pts[:, 1] = (pts[:, 1] * ph - border) / h * height
            pts[:, 2] *= pw / w       # MediaPipe's z is on the scale of the (padded) image's normalized x
            # MediaPipe's "Left" (mirrored convention) is the signer's right hand on an unmirrored image
            found.append((float(c.score), 1 if c.label == "Left" else 0, c.label, pts))
        labels: list[str | None] = [None, None]
        for score, slot, label, pts in sorted(found, key=lambda t: -t[0])[:2]:
            if labels[slot] is not None:
                slot = 1 - slot
            labels[slot] = label
            data[slot * 21:(slot + 1) * 21] = pts
            conf[slot * 21:(slot + 1) * 21] = max(score, 1e-3)
        self.last_labels = (labels[0], labels[1])
        return data, conf

    def close(self) -> None:
        if self._graph is not None:
            self._graph.close()
            self._graph = None

    def __enter__(self) -> HandsRunner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
