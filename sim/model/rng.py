"""Named random streams: one SeedSequence per replication, one independent stream per element.

A stream is keyed by (seed, replication, name), so adding, removing or changing one stochastic
element never shifts another element's numbers. The same element has the same numbers in two
scenarios that differ elsewhere: common random numbers for paired comparisons.
"""

from __future__ import annotations

import hashlib

import numpy as np


def _name_key(name: str) -> tuple[int, int]:
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:8], "little")


class Streams:
    """Factory of named numpy Generators for one replication."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = int(seed)
        self.replication = int(replication)

    def get(self, name: str) -> np.random.Generator:
        seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(self.replication, *_name_key(name)))
        return np.random.Generator(np.random.PCG64(seq))
