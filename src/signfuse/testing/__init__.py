"""Known-answer fixtures for tests and for users checking their own pipelines.

Each submodule builds inputs whose right answer is known analytically (a sequence with a known
velocity, a chirp with a known pitch, ...). They are seeded and small.
"""
