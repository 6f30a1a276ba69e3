"""Near-duplicate texts by MinHash and locality-sensitive hashing (LSH).

A text's shingles are its overlapping 5-character windows after lower-casing and collapsing spaces;
its signature is a 64-value MinHash (``datasketch``, CRC-32 of each shingle). LSH splits a signature
into BANDS bands of ROWS values: two texts that agree on a whole band become candidates, which for
Jaccard similarity s happens with probability 1 − (1 − s^ROWS)^BANDS (0.999 at s = 0.8, 0.99 at 0.7,
0.64 at 0.5). Each candidate is then kept only if the share of equal signature values — the estimate
of s — reaches NEAR_DUPLICATE_JACCARD, so chains of merely similar texts do not form. The banding is
done here with numpy (sorted 64-bit band keys searched per text): rebuilding datasketch's index from
the stored signatures for every batch cost more than the rest of the ingest. The signature is kept on
the mention so later batches compare against it.
"""

from __future__ import annotations

import re
import zlib
from functools import cache

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


# Odd 64-bit constants (golden-ratio and xxHash primes) that mix a band's ROWS values into one key.
MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5], dtype=np.uint64)


def band_hashes(signatures: np.ndarray) -> np.ndarray:
    """An n × BANDS array of band keys: each band's ROWS values mixed into 64 bits (arithmetic wraps
    modulo 2^64; a rare collision only adds a candidate, which the similarity check then drops)."""
    grouped = np.asarray(signatures, dtype=np.uint64).reshape(len(signatures), BANDS, ROWS)
    with np.errstate(over="ignore"):
        return (grouped * MIX[:ROWS]).sum(axis=2, dtype=np.uint64)


class Index:
    """The stored signatures of a window, banded once with numpy (sorted band keys, searched per new
    text), and the batch's new signatures in a dict per band as they are added."""

    def __init__(self, keys: list[int], signatures: np.ndarray) -> None:
        self.keys = np.asarray(keys, dtype=np.int64)
        self.signatures = np.asarray(signatures, dtype=np.uint32).reshape(len(keys), NUM_PERM)
        hashes = band_hashes(self.signatures)
        self.order = np.argsort(hashes, axis=0, kind="stable")
        self.sorted = np.take_along_axis(hashes, self.order, axis=0)
        self.added: dict[int, np.ndarray] = {}
        self.buckets: list[dict[int, list[int]]] = [{} for _ in range(BANDS)]

    def add(self, key: int, values: np.ndarray) -> None:
        self.added[key] = values
        for bucket, band in zip(self.buckets, band_hashes(values.reshape(1, -1))[0].tolist(), strict=True):
            bucket.setdefault(band, []).append(key)

    def near(self, values: np.ndarray) -> list[int]:
        """Keys of the indexed signatures whose estimated similarity to ``values`` reaches the threshold."""
        bands = band_hashes(values.reshape(1, -1))[0]
        found: list[int] = []
        if len(self.keys):
            low = [int(np.searchsorted(self.sorted[:, b], bands[b], "left")) for b in range(BANDS)]
            high = [int(np.searchsorted(self.sorted[:, b], bands[b], "right")) for b in range(BANDS)]
            rows = {int(r) for b in range(BANDS) if high[b] > low[b] for r in self.order[low[b] : high[b], b]}
            if rows:
                picked = np.fromiter(rows, dtype=np.int64)
                shares = (self.signatures[picked] == values).mean(axis=1)
                found += [int(k) for k in self.keys[picked[shares >= NEAR_DUPLICATE_JACCARD]]]
        added = {k for bucket, band in zip(self.buckets, bands.tolist(), strict=True) for k in bucket.get(band, ())}
        found += [k for k in added if similarity(values, self.added[k]) >= NEAR_DUPLICATE_JACCARD]
        return found


def group_of(index: Index, key: int, values: np.ndarray, roots: dict[int, int]) -> int:
    """Add ``key`` to the index and return the root of its group: the smallest root among its verified
    near neighbours already indexed (their own roots from ``roots``), or ``key`` itself."""
    root = min((roots.get(other, other) for other in index.near(values)), default=key)
    index.add(key, values)
    roots[key] = root
    return root
