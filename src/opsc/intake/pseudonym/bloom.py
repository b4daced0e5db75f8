"""Field-level Bloom filters (CLK style) for fuzzy comparison of pseudonymised names.

Each bigram of the padded name sets K bits chosen by a keyed HMAC of the bigram ("random
hashing": positions are independent, unlike double hashing, which pattern-mining attacks
exploit). The filter is then *balanced*: concatenated with its complement and permuted by
a keyed permutation, so every filter has the same number of ones and bit frequencies no
longer reveal frequent bigrams. Dice similarity of two balanced filters falls as their
names differ, which is what linkage needs.
"""

from __future__ import annotations

import base64
import random

from opsc.intake.pseudonym.keys import Hmac, LinkageKey

LENGTH = 500  # bits before balancing; the balanced filter has 2 * LENGTH = 1000 bits
K = 15  # bits per bigram: 15 positions of 2 bytes each from one 32-byte HMAC
CACHE_LIMIT = 100_000


class BloomEncoder:
    """Encodes the names of one field (the field name salts the hashing)."""

    def __init__(self, key: LinkageKey, field: str, length: int = LENGTH, k: int = K) -> None:
        if k > 16:
            raise ValueError("k is at most 16 (positions come from one SHA-256 digest)")
        self._key = key.derive(f"bloom/{field}")
        self.length = length
        self.k = k
        order = list(range(2 * length))
        random.Random(key.derive(f"bloom-permutation/{field}")).shuffle(order)
        self._perm = order  # bit p goes to order[p]; its complement bit to order[length + p]
        self._all_complement = 0
        for p in range(length):
            self._all_complement |= 1 << order[length + p]
        self._cache: dict[str, tuple[int, int]] = {}
        self._mac = Hmac(self._key)
        self._encoded: dict[str, str] = {}

    def _masks(self, bigram: str) -> tuple[int, int]:
        cached = self._cache.get(bigram)
        if cached is not None:
            return cached
        digest = self._mac.digest(bigram.encode())
        ones = 0
        complement = 0
        for i in range(self.k):
            p = int.from_bytes(digest[2 * i : 2 * i + 2], "big") % self.length
            ones |= 1 << self._perm[p]
            complement |= 1 << self._perm[self.length + p]
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()  # bounded memory on files with many distinct names
        self._cache[bigram] = (ones, complement)
        return ones, complement

    def bits(self, normalised: str) -> int:
        """The balanced filter as an integer of 2 * length bits (0 for an empty name)."""
        if not normalised:
            return 0
        ones = 0
        complement = 0
        for gram in bigrams(normalised):
            a, b = self._masks(gram)
            ones |= a
            complement |= b
        return ones | (self._all_complement ^ complement)

    def encode(self, normalised: str) -> str:
        if not normalised:
            return ""
        cached = self._encoded.get(normalised)
        if cached is None:
            raw = self.bits(normalised).to_bytes(2 * self.length // 8, "big")
            cached = base64.b64encode(raw).decode()
            if len(self._encoded) >= CACHE_LIMIT:
                self._encoded.clear()
            self._encoded[normalised] = cached
        return cached


def ones(encoded: str) -> int:
    """Number of bits set in a base64 filter (the same for every balanced filter)."""
    return int.from_bytes(base64.b64decode(encoded), "big").bit_count()


def bigrams(text: str) -> list[str]:
    """Bigrams of each word padded with '_' ('ANA' -> _A AN NA A_)."""
    grams: list[str] = []
    for word in text.split():
        padded = f"_{word}_"
        grams.extend(padded[i : i + 2] for i in range(len(padded) - 1))
    return grams


def dice(a: str, b: str) -> float:
    """Dice similarity of two base64 filters (1.0 = identical)."""
    x = int.from_bytes(base64.b64decode(a), "big")
    y = int.from_bytes(base64.b64decode(b), "big")
    total = x.bit_count() + y.bit_count()
    return 2 * (x & y).bit_count() / total if total else 0.0
