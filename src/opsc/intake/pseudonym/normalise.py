"""Normalise Spanish names and identifiers before hashing, so spelling noise does not
change the token: case, accents, punctuation, spaces, particles, compound surnames."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Particles dropped inside names ("de la Cruz" = "Cruz"); never when they are the whole name.
PARTICLES = frozenset({"DE", "DEL", "LA", "LAS", "LOS", "Y", "E", "DA", "DI", "DO", "VAN", "VON"})
_NON_LETTERS = re.compile(r"[^A-Z ]+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=200_000)
def normalise_name(text: str) -> str:
    """'  María  de los Ángeles ' -> 'MARIA ANGELES'; 'Pérez-Gómez' -> 'PEREZ GOMEZ'."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = _SPACES.sub(" ", _NON_LETTERS.sub(" ", plain)).split()
    kept = [w for w in words if w not in PARTICLES]
    return " ".join(kept or words)


def split_surnames(paternal: str, maternal: str) -> tuple[str, str]:
    """Both surnames normalised; one field holding both ('Pérez Gómez', '') is split in two."""
    p, m = normalise_name(paternal), normalise_name(maternal)
    if p and not m and " " in p and not paternal.strip().lower().startswith(("de ", "del ")):
        first, _, rest = p.partition(" ")
        return first, rest
    if m and not p:
        return m, ""
    return p, m


def normalise_id(text: str) -> str:
    """National IDs: upper case, letters and digits only ('abcd-800101' -> 'ABCD800101')."""
    return re.sub(r"[^A-Z0-9]", "", text.upper())
