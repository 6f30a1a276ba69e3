"""Near-duplicate texts by MinHash and locality-sensitive hashing (``datasketch``).

A text's shingles are its overlapping 5-character windows after lower-casing and collapsing spaces;
two texts whose shingle sets have a Jaccard similarity of about NEAR_DUPLICATE_JACCARD or more land
in a common LSH bucket. The signature is kept on the mention so later batches compare against it.
"""

from __future__ import annotations

import re

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
SHINGLE = 5
NEAR_DUPLICATE_JACCARD = 0.7
SEED = 1
SCHEME = "affine32"  # named, so a stored signature is read back with the scheme that made it


def shingles(text: str) -> set[bytes]:
    flat = re.sub(r"\s+", " ", text.lower()).strip()
    if len(flat) <= SHINGLE:
        return {flat.encode()}
    return {flat[i : i + SHINGLE].encode() for i in range(len(flat) - SHINGLE + 1)}


def signature(text: str) -> MinHash:
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch(list(shingles(text)))
    return minhash


def to_bytes(minhash: MinHash) -> bytes:
    return np.asarray(minhash.hashvalues, dtype=np.uint32).tobytes()


def from_bytes(data: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashvalues=np.frombuffer(bytes(data), dtype=np.uint32))


def new_index() -> MinHashLSH:
    return MinHashLSH(threshold=NEAR_DUPLICATE_JACCARD, num_perm=NUM_PERM)


def group_of(index: MinHashLSH, key: int, minhash: MinHash, roots: dict[int, int], seen: dict[int, MinHash]) -> int:
    """Add ``key`` to the index and return the root of its group: the smallest root among the near
    neighbours already indexed (their own roots from ``roots``), or ``key`` itself. LSH only proposes
    candidates (some below the threshold share a band by chance): each is kept only if its estimated
    Jaccard similarity reaches NEAR_DUPLICATE_JACCARD, so chains of merely similar texts do not form."""
    near = [
        roots.get(other, other)
        for other in index.query(minhash)
        if minhash.jaccard(seen[other]) >= NEAR_DUPLICATE_JACCARD
    ]
    index.insert(key, minhash)
    seen[key] = minhash
    root = min(near, default=key)
    roots[key] = root
    return root
