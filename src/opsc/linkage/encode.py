"""Pseudonymise clear identities the way institutions do, for evaluation and fixtures.

Agencies run `opsc pseudonymise` (the intake package) with the national linkage key. The
benchmarks (FEBRL, synthetic country) and the tests need the same transformation on clear
test data, so this module holds the recipe: normalise, then keyed HMAC-SHA256 tokens
(base64url, 43 characters) and Bloom filters of padded bigrams (base64).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

BLOOM_BITS = 512
BLOOM_HASHES = 10

_SPACES = re.compile(r"\s+")
_NOT_LETTER = re.compile(r"[^A-ZÑ ]")
# Spanish sound-alikes: pairs of spellings a clerk confuses when writing a name heard aloud.
_PHONETIC = (
    ("CH", "X"),
    ("LL", "Y"),
    ("QU", "K"),
    ("GUE", "GE"),
    ("GUI", "GI"),
    ("CE", "SE"),
    ("CI", "SI"),
    ("GE", "JE"),
    ("GI", "JI"),
    ("C", "K"),
    ("Z", "S"),
    ("V", "B"),
    ("W", "B"),
    ("Ñ", "N"),
    ("H", ""),
    ("I", "Y"),
)


def normalise(text: str | None) -> str:
    """Upper case, no accents (Ñ kept), letters and single spaces only."""
    if not text:
        return ""
    text = text.upper().replace("Ñ", "\0")
    text = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).replace("\0", "Ñ")
    return _SPACES.sub(" ", _NOT_LETTER.sub(" ", text)).strip()


def phonetic(text: str | None) -> str:
    """A Spanish phonetic key of the first word: sound-alike spellings and doubled letters merge."""
    words = normalise(text).split()
    if not words:
        return ""
    word = words[0]
    for a, b in _PHONETIC:
        word = word.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", word)


@dataclass(frozen=True)
class Encoder:
    """Keyed tokens and Bloom filters; `key` is the secret national linkage key."""

    key: bytes
    bloom_bits: int = BLOOM_BITS
    bloom_hashes: int = BLOOM_HASHES

    def token(self, value: str | None, purpose: str) -> str | None:
        """HMAC token of a normalised value; the purpose keeps equal values in different
        fields from producing equal tokens."""
        if not value:
            return None
        mac = hmac.new(self.key, f"{purpose}\x1f{value}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def bloom(self, value: str | None, purpose: str) -> str | None:
        """Bloom filter of the padded bigrams of a normalised value (double hashing)."""
        text = normalise(value)
        if not text:
            return None
        bits = bytearray(self.bloom_bits // 8)
        padded = f"_{text}_"
        for gram in {padded[i : i + 2] for i in range(len(padded) - 1)}:
            h = hmac.new(self.key, f"{purpose}\x1f{gram}".encode(), hashlib.sha256).digest()
            h1 = int.from_bytes(h[:8], "big")
            h2 = int.from_bytes(h[8:16], "big") | 1
            for i in range(self.bloom_hashes):
                pos = (h1 + i * h2) % self.bloom_bits
                bits[pos // 8] |= 0x80 >> (pos % 8)
        return base64.b64encode(bytes(bits)).decode()

    def person(
        self,
        given_names: str | None,
        surnames: str | None,
        birth_date: str | None,
        national_id: str | None,
    ) -> dict[str, str | int | None]:
        """The victim token columns of the store from one person's clear identifiers."""
        given, sur = normalise(given_names), normalise(surnames)
        year = int(birth_date[:4]) if birth_date and birth_date[:4].isdigit() else None
        ident = re.sub(r"[^0-9A-Z]", "", (national_id or "").upper())
        return {
            "tk_national_id": self.token(ident, "national_id"),
            "tk_birth_date": self.token(birth_date, "birth_date"),
            "tk_given_names": self.token(given, "given_names"),
            "tk_surnames": self.token(sur, "surnames"),
            "tk_given_phonetic": self.token(phonetic(given), "given_phonetic"),
            "tk_surname_phonetic": self.token(phonetic(sur), "surname_phonetic"),
            "bf_given_names": self.bloom(given, "given_names"),
            "bf_surnames": self.bloom(sur, "surnames"),
            "birth_year": year,
        }


class ClearEncoder(Encoder):
    """The same columns holding normalised clear text: for measuring what pseudonymisation
    costs on evaluation data only, never for real records."""

    def __init__(self) -> None:
        super().__init__(key=b"")

    def token(self, value: str | None, purpose: str) -> str | None:
        return value or None

    def bloom(self, value: str | None, purpose: str) -> str | None:
        return normalise(value) or None
