"""Near-duplicate texts by MinHash and locality-sensitive hashing (LSH).

A text's shingles are its overlapping 5-character windows after lower-casing and collapsing spaces;
its signature is a 64-value MinHash (``datasketch``, CRC-32 of each shingle). LSH splits a signature
into BANDS bands of ROWS values: two texts that agree on a whole band become candidates, which for
Jaccard similarity s happens with probability 1 − (1 − s^ROWS)^BANDS (0.999 at s = 0.8, 0.99 at 0.7, 0.64 at 0.5).
Each candidate is then kept only if the share of equal signature values — the estimate of s — reaches
NEAR_DUPLICATE_JACCARD, so chains of merely similar texts do not form. The banding is done here with
numpy, as bytes keys in a dict: rebuilding datasketch's index for every batch cost more than the rest
of the ingest. The signature is kept on the mention so later batches compare against it.
"""

from __future__ import annotations

import re
import zlib
from functools import cache
from typing import cast

import numpy as np
from datasketch import MinHash

NUM_PERM = 64
BANDS, ROWS = 16, 4
SHINGLE = 5
NEAR_DUPLICATE_JACCARD = 0.8
SEED = 1
SCHEME = "affine32"  # named, so a stored signature is read back with the scheme that made it


def shingles(text: str) -> set[bytes]:
    flat = re.sub(r"\s+", " ", text.lower()).strip()
    if len(flat) <= SHINGLE:
        return {flat.encode()}
    return {flat[i : i + SHINGLE].encode() for i in range(len(flat) - SHINGLE + 1)}


@cache
def permutations() -> tuple[np.ndarray, np.ndarray]:
    """The seeded permutations, drawn once per process (drawing them per text was a third of the cost)."""
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=zlib.crc32).permutations


def signature(text: str) -> np.ndarray:
    """The text's MinHash values (uint32). CRC-32 is stable across processes and releases (stored
    signatures depend on it) and fast in C."""
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=zlib.crc32, permutations=permutations())
    minhash.update_batch(list(shingles(text)))
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


def to_bytes(values: np.ndarray) -> bytes:
    return np.asarray(values, dtype=np.uint32).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """MinHash's estimate of the Jaccard similarity: the share of equal signature values."""
    return float(np.mean(a == b))


def band_keys(values: np.ndarray) -> list[bytes]:
    """One key per band: its ROWS values as bytes (rows of many signatures at once: ``bands_of``)."""
    return [row.tobytes() for row in values.reshape(BANDS, ROWS)]


def bands_of(signatures: np.ndarray) -> list[list[bytes]]:
    """Band keys of many signatures (an n × NUM_PERM array) in one numpy view: n lists of BANDS keys."""
    grouped = np.ascontiguousarray(signatures, dtype=np.uint32).reshape(len(signatures), BANDS, ROWS)
    return cast(list[list[bytes]], grouped.view(np.dtype((np.void, 4 * ROWS))).reshape(len(signatures), BANDS).tolist())


class Index:
    """Signatures by their bands (a dict per band); ``near`` answers the verified near-duplicates."""

    def __init__(self) -> None:
        self.buckets: list[dict[bytes, list[int]]] = [{} for _ in range(BANDS)]
        self.values: dict[int, np.ndarray] = {}

    def add_many(self, keys: list[int], signatures: np.ndarray) -> None:
        for key, values, bands in zip(keys, signatures, bands_of(signatures), strict=True):
            self.values[key] = values
            for bucket, band in zip(self.buckets, bands, strict=True):
                bucket.setdefault(band, []).append(key)

    def add(self, key: int, values: np.ndarray) -> None:
        self.add_many([key], values.reshape(1, -1))

    def near(self, values: np.ndarray) -> list[int]:
        bands = bands_of(values.reshape(1, -1))[0]
        candidates = list(
            {key for bucket, band in zip(self.buckets, bands, strict=True) for key in bucket.get(band, ())}
        )
        if not candidates:
            return []
        # The estimate of each candidate's Jaccard similarity, all in one comparison.
        shares = (np.stack([self.values[key] for key in candidates]) == values).mean(axis=1)
        return [key for key, share in zip(candidates, shares, strict=True) if share >= NEAR_DUPLICATE_JACCARD]


def group_of(index: Index, key: int, values: np.ndarray, roots: dict[int, int]) -> int:
    """Add ``key`` to the index and return the root of its group: the smallest root among its verified
    near neighbours already indexed (their own roots from ``roots``), or ``key`` itself."""
    root = min((roots.get(other, other) for other in index.near(values)), default=key)
    index.add(key, values)
    roots[key] = root
    return root
