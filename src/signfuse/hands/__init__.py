"""Hand articulation: finger joint flexion, a handshape descriptor, hand-to-face and hand-to-hand distances.

>>> from signfuse import hands
>>> hands.flexion(seq)        # Stream "hand_flexion": 3 angles per finger per hand, degrees
>>> hands.handshape(seq)      # Stream "handshape": extension, spread, thumb contacts per hand
>>> hands.handshape_codes(seq, side="right")   # ["EEECC", ...]: one letter per finger
>>> hands.distances(seq)      # Stream "hand_distances": hand-face and hand-hand
"""

from .articulation import FINGERS, distances, flexion, handshape, handshape_codes

__all__ = ["flexion", "handshape", "handshape_codes", "distances", "FINGERS"]
