"""MinHash signatures and a banded LSH index (numpy; the scheme datasketch implements).

A signature is `num_perm` 32-bit minima of a universal hash family (multiply-shift over 64-bit
token hashes) applied to a set of tokens; the share of equal positions in two signatures
estimates the sets' Jaccard similarity. The index cuts signatures into `bands` of `rows`
positions: two sets collide when any band agrees, with probability 1 - (1 - J**rows)**bands, so
a query touches only colliding items, never the whole collection.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

Signature = npt.NDArray[np.uint32]
EMPTY = np.uint32(0xFFFFFFFF)


def token_hash(token: str) -> int:
    """A stable 64-bit hash of a token (the same in every process, unlike `hash`)."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")


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
    hashes = np.fromiter({token_hash(t) for t in tokens}, dtype=np.uint64)
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


@dataclass
class LSHIndex:
    """Banded LSH over MinHash signatures: insert keys, query candidate keys."""

    bands: int
    rows: int
    _buckets: dict[tuple[int, bytes], list[Hashable]] = field(
        default_factory=lambda: defaultdict(list)
    )
    size: int = 0

    def _keys(self, signature: Signature) -> list[tuple[int, bytes]]:
        if signature.size < self.bands * self.rows:
            raise ValueError(
                f"signature has {signature.size} positions; the index needs "
                f"{self.bands} bands x {self.rows} rows"
            )
        if bool((signature == EMPTY).all()):
            return []
        r = self.rows
        return [(i, signature[i * r : (i + 1) * r].tobytes()) for i in range(self.bands)]

    def insert(self, key: Hashable, signature: Signature) -> None:
        """Add one item under its signature."""
        for band_key in self._keys(signature):
            self._buckets[band_key].append(key)
        self.size += 1

    def query_counts(self, signature: Signature) -> Counter[Hashable]:
        """Keys sharing at least one band with `signature`, with how many bands they share
        (about bands * Jaccard for rows = 1)."""
        found: Counter[Hashable] = Counter()
        for band_key in self._keys(signature):
            bucket = self._buckets.get(band_key)
            if bucket:
                found.update(bucket)
        return found

    def query(self, signature: Signature) -> set[Hashable]:
        """Keys of every item sharing at least one band with `signature`."""
        found: set[Hashable] = set()
        for band_key in self._keys(signature):
            bucket = self._buckets.get(band_key)
            if bucket:
                found.update(bucket)
        return found


def signature_to_list(signature: Signature) -> list[int]:
    """A signature as plain ints (for a UINTEGER[] column)."""
    return [int(v) for v in signature]


def signature_from_list(values: Sequence[int] | None, num_perm: int) -> Signature:
    """A stored signature back as an array (an absent one matches nothing)."""
    if not values:
        return np.full(num_perm, EMPTY, dtype=np.uint32)
    return np.asarray(values, dtype=np.uint32)
