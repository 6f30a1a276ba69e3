"""Near-duplicate texts by MinHash and locality-sensitive hashing (LSH).

A text's shingles are its overlapping 5-character windows after lower-casing and collapsing spaces;
its signature is a 64-value MinHash (datasketch's seeded "affine32" permutations of the CRC-32 of each
shingle). LSH splits the first BANDS × ROWS values of a signature into BANDS bands of ROWS values: two
texts that agree on a whole band become candidates, which for Jaccard similarity s happens with
probability 1 − (1 − s^ROWS)^BANDS (0.985 at s = 0.8, 0.997 at 0.85, 0.9998 at 0.9). Each candidate is
then kept only if the share of equal values over the whole signature — the estimate of s — reaches
NEAR_DUPLICATE_JACCARD, so chains of merely similar texts do not form. Eight bands rather than sixteen
halve the index rows a mention costs (the largest single cost of the ingest, P5b); a pair near the
threshold is decided by the estimate's noise (its standard deviation is 0.05 at s = 0.8 over 64
values) far more than by the bands it may miss.

Everything here works on a whole batch at once with numpy. CRC-32 of a fixed-length window is an affine
map of its bytes, so the CRC-32 of every 5-byte window of a batch of ASCII texts is five table lookups
and XORs over one array (other texts are hashed shingle by shingle with zlib; both give the same values,
which the tests check against datasketch). The band keys of a stored mention are kept in their own
indexed table (``MentionBand``), each filed under the period the mention was published in (``filed``), so a
batch finds its candidates with one indexed lookup instead of reading every signature of the window.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import cache

import numpy as np
from datasketch import MinHash

NUM_PERM = 64
BANDS, ROWS = 8, 4
SHINGLE = 5
NEAR_DUPLICATE_JACCARD = 0.8
SEED = 1
SCHEME = "affine32"  # named, so a stored signature is read back with the scheme that made it
NEW_KEY_OFFSET = 10**15  # group keys of a batch's new mentions: above every stored id, so stored roots win
# Shingles hashed at once: a chunk holds CHUNK_WINDOWS × NUM_PERM × 4 bytes, here 1 MB, which stays in
# the processor's cache (50,000 windows, 12.8 MB, ran 2–3× slower a text).
CHUNK_WINDOWS = 4_096


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def shingles(text: str) -> set[bytes]:
    flattened = flat(text)
    if len(flattened) <= SHINGLE:
        return {flattened.encode()}
    return {flattened[i : i + SHINGLE].encode() for i in range(len(flattened) - SHINGLE + 1)}


@cache
def permutations() -> tuple[np.ndarray, np.ndarray]:
    """The seeded permutations (uint32), drawn once per process."""
    a, b = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=zlib.crc32).permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


@cache
def crc_tables() -> tuple[np.ndarray, int]:
    """CRC-32 over SHINGLE bytes is affine: crc(x) = crc(0…0) ^ ⊕_j T_j[x_j], with T_j[v] the change
    that byte value v at position j makes. Returns the SHINGLE × 256 tables and crc(0…0)."""
    zero = zlib.crc32(bytes(SHINGLE))
    tables = np.zeros((SHINGLE, 256), dtype=np.uint32)
    for position in range(SHINGLE):
        for value in range(256):
            window = bytearray(SHINGLE)
            window[position] = value
            tables[position, value] = zlib.crc32(bytes(window)) ^ zero
    return tables, zero


def permuted(hashes: np.ndarray) -> np.ndarray:
    """Each 32-bit shingle hash under every permutation (len × NUM_PERM), as datasketch's affine32 does:
    the MurmurHash3 finaliser once, then a·h + b wrapping at 2^32."""
    a, b = permutations()
    h = np.array(hashes, dtype=np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    values = np.multiply.outer(h, a)
    values += b  # in place: no second len × NUM_PERM array
    return values


def signature(text: str) -> np.ndarray:
    """One text's MinHash values (uint32)."""
    return signatures([text])[0]


def signatures(texts: list[str]) -> np.ndarray:
    """The MinHash values of each text (len × NUM_PERM, uint32). The minimum over a text's shingles does
    not depend on repeats, so windows need not be made unique."""
    flats = [flat(t) for t in texts]
    found = np.empty((len(texts), NUM_PERM), dtype=np.uint32)
    fast = [i for i, f in enumerate(flats) if len(f) > SHINGLE and f.isascii()]
    for i in sorted(set(range(len(texts))) - set(fast)):
        hashes = np.fromiter((zlib.crc32(s) for s in shingles(flats[i])), dtype=np.uint32)
        found[i] = permuted(hashes).min(axis=0)
    for chunk in window_chunks(fast, [len(flats[i]) - SHINGLE + 1 for i in fast]):
        found[chunk] = ascii_signatures([flats[i] for i in chunk])
    return found


def window_chunks(indices: list[int], windows: list[int]) -> Iterable[list[int]]:
    chunk: list[int] = []
    total = 0
    for i, count in zip(indices, windows, strict=True):
        if chunk and total + count > CHUNK_WINDOWS:
            yield chunk
            chunk, total = [], 0
        chunk.append(i)
        total += count
    if chunk:
        yield chunk


def ascii_signatures(flats: list[str]) -> np.ndarray:
    """Signatures of ASCII texts longer than a shingle: every window's CRC-32 from the byte tables."""
    tables, zero = crc_tables()
    data = np.frombuffer("".join(flats).encode("ascii"), dtype=np.uint8)
    lengths = np.fromiter((len(f) for f in flats), dtype=np.int64, count=len(flats))
    counts = lengths - SHINGLE + 1
    text_starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    window_starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    # Window k of text t starts at text_starts[t] + k; its place among all windows is window_starts[t] + k.
    starts = np.arange(int(counts.sum())) + np.repeat(text_starts - window_starts, counts)
    hashes = np.full(len(starts), zero, dtype=np.uint32)
    for position in range(SHINGLE):
        hashes ^= tables[position][data[starts + position]]
    return np.minimum.reduceat(permuted(hashes), window_starts, axis=0)


def to_bytes(values: np.ndarray) -> bytes:
    return np.asarray(values, dtype=np.uint32).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """MinHash's estimate of the Jaccard similarity: the share of equal signature values."""
    return float(np.mean(a == b))


# Odd 64-bit constants (golden-ratio and xxHash primes) that mix a band's ROWS values into one key.
MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5], dtype=np.uint64)


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """An n × BANDS array of band keys (int64, as the database stores them): each band's ROWS values
    mixed into 64 bits, arithmetic wrapping modulo 2^64. A rare collision, within a band or across two,
    only adds a candidate, which the similarity check then drops."""
    banded = np.asarray(signatures, dtype=np.uint64)[:, : BANDS * ROWS]
    grouped = banded.reshape(len(signatures), BANDS, ROWS)
    with np.errstate(over="ignore"):
        return (grouped * MIX[:ROWS]).sum(axis=2, dtype=np.uint64).view(np.int64)


PAIRS_AT_ONCE = 100_000  # candidate pairs compared at once (each holds two signatures)


def candidate_pairs(keys: np.ndarray, other: np.ndarray, *, earlier_only: bool = False) -> np.ndarray:
    """Every (row of ``keys``, row of ``other``) pair that shares a band key, once (k × 2, int64); with
    ``earlier_only`` (``other`` is ``keys`` itself) only pairs whose second row comes first."""
    found = []
    rows = np.arange(len(keys))
    for band in range(BANDS):
        order = np.argsort(other[:, band], kind="stable")
        ordered = other[order, band]
        low = np.searchsorted(ordered, keys[:, band], "left")
        counts = np.searchsorted(ordered, keys[:, band], "right") - low
        firsts = np.cumsum(counts) - counts
        matched = order[np.repeat(low - firsts, counts) + np.arange(int(counts.sum()))]
        codes = np.repeat(rows, counts) * len(other) + matched  # one int64 a pair: unique in one pass
        found.append(codes[matched < np.repeat(rows, counts)] if earlier_only else codes)
    codes = np.unique(np.concatenate(found))
    return np.stack([codes // max(len(other), 1), codes % max(len(other), 1)], axis=1)


def verified(new: np.ndarray, pairs: np.ndarray, against: np.ndarray) -> np.ndarray:
    """The pairs (new row, ``against`` row) whose estimated similarity reaches the threshold."""
    kept = []
    for start in range(0, len(pairs), PAIRS_AT_ONCE):
        chunk = pairs[start : start + PAIRS_AT_ONCE]
        shares = (new[chunk[:, 0]] == against[chunk[:, 1]]).mean(axis=1)
        kept.append(chunk[shares >= NEAR_DUPLICATE_JACCARD])
    return np.concatenate(kept) if kept else np.empty((0, 2), dtype=np.int64)


def group_roots(new: np.ndarray, stored: np.ndarray, stored_roots: list[int]) -> list[int | None]:
    """For each new signature (in order), the root of the group it joins: the smallest root among its
    verified neighbours, stored or earlier in the batch, where a stored root is its id and a root new
    in this batch is NEW_KEY_OFFSET + its position (so stored roots win); None when it starts a group.
    ``stored`` are the signatures of the candidates the database found, ``stored_roots`` their roots."""
    keys = band_keys(new)
    groups = np.arange(len(new), dtype=np.int64) + NEW_KEY_OFFSET
    if len(stored):
        near = verified(new, candidate_pairs(keys, band_keys(stored)), stored)
        np.minimum.at(groups, near[:, 0], np.asarray(stored_roots, dtype=np.int64)[near[:, 1]])
    earlier: dict[int, list[int]] = {}
    for i, e in verified(new, candidate_pairs(keys, keys, earlier_only=True), new).tolist():
        earlier.setdefault(i, []).append(e)
    for i in sorted(earlier):  # in batch order: an earlier neighbour's group is final before it is read
        groups[i] = min(int(groups[i]), *(int(groups[e]) for e in earlier[i]))
    return [None if group == NEW_KEY_OFFSET + i else group for i, group in enumerate(groups.tolist())]


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


PERIOD = timedelta(weeks=4)  # band keys are filed by the period a mention was published in
PERIOD_SHIFT = 40  # a filed key: the period in the bits above, the band key's low 40 bits below


def week_of(moment: datetime) -> int:
    """Weeks from 1970-01-01 (UTC) to ``moment``."""
    return (moment - EPOCH) // timedelta(weeks=1)


def period_of(moment: datetime) -> int:
    """Periods from 1970-01-01 (UTC) to ``moment``. A period of four weeks holds a 28-day window in two
    (rarely three), so a batch looks each key up under two periods where weeks took five."""
    return (moment - EPOCH) // PERIOD


def filed(keys: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """Band keys (n × BANDS) filed under a period each (n): one int64 a band, the period in the high bits,
    so the index keeps one batch's entries (all published close together) next to each other, and a
    lookup is one equality on one column. Keeping 40 bits of a key only adds a candidate where two differ
    in the rest (about one pair in 10^12), which the similarity check then drops."""
    low = np.asarray(keys, dtype=np.int64) & np.int64((1 << PERIOD_SHIFT) - 1)
    return (np.asarray(periods, dtype=np.int64).reshape(-1, 1) << np.int64(PERIOD_SHIFT)) | low
