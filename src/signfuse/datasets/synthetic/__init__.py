"""The embedded synthetic signing corpus: the default data of every demo and test.

So that everything runs with no download, signfuse ships a generator of realistic landmark data written in real formats (Kaggle ASL Signs parquet for isolated signs,
pose-format ``.pose`` + a PHOENIX-2014T-style CSV for continuous sentences), with a paired 16 kHz voice
track whose F0 contour follows hand speed by a known lag and whose stressed syllables start where the
hand stops.

>>> from signfuse.datasets import synthetic
>>> synthetic.generate_corpus("corpus", signs=40, signers=8, sentences=200, seed=0)  # doctest: +SKIP
>>> entries = synthetic.load_corpus("corpus")                                        # doctest: +SKIP

Modules: :mod:`.hands` (kinematic hand, handshapes as joint angles), :mod:`.face` (468-point mesh with
brows, eyelids, mouth, head), :mod:`.vocab` (signs, minimal pairs), :mod:`.signers` (signers, regions),
:mod:`.audio` (voice), :mod:`.generator` (one sample), :mod:`.translation` (spoken-language sentences),
:mod:`.corpus` (files).
"""

from .corpus import CORPUS_VERSION, generate_corpus, load_corpus, read_corpus_info, read_metadata, read_wav, write_wav
from .generator import EMOTIONS, synthesize, synthesize_sign
from .signers import REGIONS, Region, Signer, assign_splits, make_signers
from .vocab import NONMANUALS, Sign, make_vocabulary

__all__ = ["generate_corpus", "load_corpus", "read_corpus_info", "read_metadata", "read_wav", "write_wav",
           "synthesize", "synthesize_sign", "make_vocabulary", "make_signers", "assign_splits", "Sign", "Signer",
           "Region", "REGIONS", "EMOTIONS", "NONMANUALS", "CORPUS_VERSION"]
