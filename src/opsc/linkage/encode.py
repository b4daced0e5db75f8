"""Intake's pseudonymiser applied to clear test data, for evaluation and fixtures.

Agencies run `opsc pseudonymise` (`opsc.intake.pseudonym`) with the national linkage key.
Linkage has no recipe of its own: the benchmarks (FEBRL, synthetic country) and the tests
call the very functions intake uses — `victim_tokens` for a victim row, its `Tokeniser`
for keyed tokens and its balanced `BloomEncoder` for filters — so the model is trained and
measured on exactly the tokens and Bloom filters the central store receives.

`ClearEncoder` runs the same functions with the keyed steps replaced by the identity: the
columns then hold normalised clear text, to measure what pseudonymisation costs.
"""

from __future__ import annotations

from typing import Any

from opsc.intake.pseudonym.bloom import BloomEncoder
from opsc.intake.pseudonym.keys import LinkageKey
from opsc.intake.pseudonym.normalise import normalise_id, normalise_name
from opsc.intake.pseudonym.phonetic import phonetic_key
from opsc.intake.pseudonym.stream import Tokeniser, victim_tokens

__all__ = ["ClearEncoder", "Encoder", "normalise", "normalise_id", "phonetic"]

KEY_VERSION = "eval"


def normalise(text: str | None) -> str:
    """Intake's name normalisation (upper case, no accents or particles)."""
    return normalise_name(text) if text else ""


def phonetic(text: str | None) -> str:
    """Intake's Spanish phonetic key of a name (every word, sorted)."""
    return phonetic_key(text) if text else ""


class Encoder:
    """Tokens and Bloom filters made by intake's code with `key` (bytes or a LinkageKey)."""

    def __init__(self, key: bytes | LinkageKey, version: str = KEY_VERSION) -> None:
        self.key = key if isinstance(key, LinkageKey) else LinkageKey(version, key)
        self.tokeniser = self._tokeniser()
        self._blooms: dict[str, Any] = {}

    def _tokeniser(self) -> Tokeniser:
        return Tokeniser(self.key)

    def _bloom_encoder(self, field: str) -> Any:
        return BloomEncoder(self.key, field)

    def token(self, value: str | None, purpose: str) -> str | None:
        """Intake's keyed token of an already normalised value (None when empty)."""
        return self.tokeniser.token(purpose, value or "") or None

    def bloom(self, value: str | None, field: str) -> str | None:
        """Intake's balanced Bloom filter of an already normalised value (None when empty)."""
        encoder = self._blooms.get(field)
        if encoder is None:
            encoder = self._blooms[field] = self._bloom_encoder(field)
        return str(encoder.encode(value or "")) or None

    def person(
        self,
        given_names: str | None,
        paternal_surname: str | None,
        maternal_surname: str | None,
        birth_date: str | None,
        national_id: str | None,
        age: str | int | None = None,
        date_offence: str | None = None,
    ) -> dict[str, str | int | None]:
        """The victim columns `opsc pseudonymise` writes for one row (empty -> None)."""
        clear = {
            "given_names": given_names or "",
            "paternal_surname": paternal_surname or "",
            "maternal_surname": maternal_surname or "",
            "birth_date": birth_date or "",
            "national_id": national_id or "",
            "age": "" if age is None else str(age),
        }
        out: dict[str, str | int | None] = {}
        for name, value in victim_tokens(self.tokeniser, clear, date_offence or "").items():
            if name in ("birth_year", "age_at_offence"):
                out[name] = int(value) if value else None
            else:
                out[name] = value or None
        return out


class _ClearTokeniser(Tokeniser):
    """Intake's tokeniser with the keyed hash replaced by the identity (evaluation only)."""

    def __init__(self, key: LinkageKey) -> None:
        super().__init__(key)
        self.given = _ClearBloom()  # type: ignore[assignment]
        self.surnames = _ClearBloom()  # type: ignore[assignment]

    def token(self, purpose: str, value: str) -> str:
        return value


class _ClearBloom:
    def encode(self, normalised: str) -> str:
        return normalised


class ClearEncoder(Encoder):
    """The same columns holding normalised clear text: for measuring what pseudonymisation
    costs on evaluation data only, never for real records."""

    def __init__(self) -> None:
        super().__init__(b"clear-text-evaluation-only", version="clear")

    def _tokeniser(self) -> Tokeniser:
        return _ClearTokeniser(self.key)

    def _bloom_encoder(self, field: str) -> Any:
        return _ClearBloom()
