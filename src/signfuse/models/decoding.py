"""CTC decoding, re-exported from :mod:`signfuse.ctc` (its home: numpy only, no torch)."""

from ..ctc import MAX_BEAM, ctc_beam_decode, ctc_greedy_decode

__all__ = ["ctc_greedy_decode", "ctc_beam_decode", "MAX_BEAM"]
