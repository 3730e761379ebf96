"""MinHash signatures and a banded LSH index (numpy; the scheme datasketch implements).

A signature is `num_perm` 32-bit minima of a universal hash family (multiply-shift over 64-bit
token hashes) applied to a set of tokens; the share of equal positions in two signatures
estimates the sets' Jaccard similarity. The index cuts signatures into `bands` of `rows`
positions: two sets collide when any band agrees, with probability 1 - (1 - J**rows)**bands, so
a query touches only colliding items, never the whole collection.
"""

from __future__ import annotations

import bisect
import hashlib
import operator
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

Signature = npt.NDArray[np.uint32]
EMPTY = np.uint32(0xFFFFFFFF)


@lru_cache(maxsize=8)
def _permutations(
    num_perm: int, seed: int
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)  # odd multipliers
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return a, b


def minhash(tokens: Iterable[str], num_perm: int = 64, seed: int = 1) -> Signature:
    """MinHash signature of a set of tokens; an empty set gives all-ones (it matches nothing)."""
    return minhash_encoded([t.encode("utf-8") for t in tokens], num_perm, seed)


def minhash_encoded(tokens: Iterable[bytes], num_perm: int = 64, seed: int = 1) -> Signature:
    """`minhash` of tokens given UTF-8 encoded (repeated tokens count once, as in a set).

    A token's hash is the 8-byte blake2b digest of its UTF-8 bytes, read as a little-endian
    64-bit integer: stable across processes (unlike `hash`), so stored signatures stay
    comparable. The digests are joined into one buffer: no Python int per token, and no set
    (a repeated hash does not change a minimum)."""
    blake2b = hashlib.blake2b
    digests = b"".join([blake2b(t, digest_size=8).digest() for t in tokens])
    hashes = np.frombuffer(digests, dtype="<u8").astype(np.uint64)
    if hashes.size == 0:
        return np.full(num_perm, EMPTY, dtype=np.uint32)
    a, b = _permutations(num_perm, seed)
    with np.errstate(over="ignore"):
        mixed = hashes[:, None] * a[None, :] + b[None, :]  # mod 2**64
    return (mixed >> np.uint64(32)).min(axis=0).astype(np.uint32)


def jaccard(a: Signature, b: Signature) -> float:
    """Jaccard similarity estimated from two signatures (0 when either set was empty)."""
    if a.size == 0 or bool((a == EMPTY).all()) or bool((b == EMPTY).all()):
        return 0.0
    return float(np.count_nonzero(a == b)) / a.size


def collision_probability(similarity: float, bands: int, rows: int) -> float:
    """Chance that two sets with this Jaccard similarity share at least one band."""
    return 1.0 - (1.0 - similarity**rows) ** bands


_MIX = np.uint64(0x9E3779B97F4A7C15)


def band_keys(signature: Signature, bands: int, rows: int) -> npt.NDArray[np.int64]:
    """One 64-bit key per band: the band's `rows` values mixed into one number (with one row,
    the value itself). The same in every process; the warehouse stores them (`story_bands`).
    An all-empty signature has no keys (it matches nothing)."""
    if signature.size < bands * rows:
        raise ValueError(
            f"signature has {signature.size} positions; the index needs {bands} bands x {rows} rows"
        )
    if signature.min() == EMPTY:  # all empty: EMPTY is the greatest uint32
        return np.empty(0, dtype=np.int64)
    values = signature[: bands * rows].astype(np.uint64).reshape(bands, rows)
    key = values[:, 0]  # 0 * _MIX + the first row's value
    if rows > 1:
        with np.errstate(over="ignore"):
            for j in range(1, rows):
                key = key * _MIX + values[:, j]  # mod 2**64
    return key.view(np.int64)


_second = operator.itemgetter(1)  # the key of a bucket's (order, key) item


@dataclass
class LSHIndex:
    """Banded LSH over MinHash signatures: insert keys, query candidate keys.

    With a `cap`, a bucket keeps only its `cap` greatest members by the `order` they were
    inserted with (e.g. the latest published): a bucket of a common value stops growing, so a
    query's work is bounded by bands x cap whatever the size of the collection."""

    bands: int
    rows: int
    cap: int | None = None
    _buckets: dict[tuple[int, int], list[tuple[Any, Hashable]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    size: int = 0

    def _keys(self, signature: Signature) -> list[tuple[int, int]]:
        return list(enumerate(band_keys(signature, self.bands, self.rows).tolist()))

    def insert(self, key: Hashable, signature: Signature, order: Any = 0) -> None:
        """Add one item under its signature (`order` ranks it in capped buckets)."""
        item, cap, buckets = (order, key), self.cap, self._buckets
        for band_key in self._keys(signature):
            bucket = buckets[band_key]
            # Items mostly come in order: one not below the last is where `insort` puts it.
            if cap is None or not bucket or not item < bucket[-1]:
                bucket.append(item)
            else:
                bisect.insort(bucket, item)
            if cap is not None and len(bucket) > cap:
                del bucket[0]
        self.size += 1

    def buckets(self, signature: Signature) -> list[list[Hashable]]:
        """The keys of each non-empty bucket `signature` falls in, one per agreeing band."""
        out = []
        get = self._buckets.get
        for band_key in self._keys(signature):
            bucket = get(band_key)
            if bucket:
                out.append(list(map(_second, bucket)))
        return out

    def query_counts(self, signature: Signature) -> Counter[Hashable]:
        """Keys sharing at least one band with `signature`, with how many bands they share
        (about bands * Jaccard for rows = 1)."""
        found: Counter[Hashable] = Counter()
        for bucket in self.buckets(signature):
            found.update(bucket)
        return found

    def query(self, signature: Signature) -> set[Hashable]:
        """Keys of every item sharing at least one band with `signature`."""
        return set(self.query_counts(signature))


def signature_to_list(signature: Signature) -> list[int]:
    """A signature as plain ints (for a UINTEGER[] column)."""
    return signature.tolist()  # type: ignore[no-any-return]


def signature_from_list(values: Sequence[int] | None, num_perm: int) -> Signature:
    """A stored signature back as an array (an absent one matches nothing)."""
    if not values:
        return np.full(num_perm, EMPTY, dtype=np.uint32)
    return np.asarray(values, dtype=np.uint32)
