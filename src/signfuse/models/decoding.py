"""CTC decoding, kept importable here for existing callers; it lives in :mod:`signfuse.ctc` (numpy only)."""

from ..ctc import MAX_BEAM, ctc_beam_decode, ctc_greedy_decode

__all__ = ["ctc_greedy_decode", "ctc_beam_decode", "MAX_BEAM"]
