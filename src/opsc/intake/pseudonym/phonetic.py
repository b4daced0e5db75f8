"""A phonetic code for Spanish names, so 'Jiménez', 'Giménez' and 'Ximénez', or 'Valdez'
and 'Baldés', share one code. Rules follow Spanish (and Mexican) spelling, where b/v,
s/z/c(e,i), g(e,i)/j/x, ll/y, and silent h are the usual sources of variation."""

from __future__ import annotations

import re
from functools import lru_cache

from opsc.intake.pseudonym.normalise import normalise_name

# Ordered rewrite rules on an upper-case word without accents.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"PH", "F"),
        (r"CH", "1"),  # keep 'ch' apart from c/h handling, restored below
        (r"LL", "Y"),
        (r"QU", "K"),
        (r"GU(?=[EI])", "G"),
        (r"G(?=[EI])", "J"),
        (r"C(?=[EI])", "S"),
        (r"C", "K"),
        (r"Q", "K"),
        (r"Z", "S"),
        (r"^X", "J"),  # Ximena/Jimena; Xóchitl also lands here, consistently
        (r"X", "J"),
        (r"V", "B"),
        (r"W", "B"),
        (r"H", ""),
        (r"Y(?=[^AEIOU]|$)", "I"),  # y as a vowel: 'Maythe', 'Rey'
        (r"1", "CH"),
        (r"([A-Z])\1+", r"\1"),  # double letters: 'Rr', 'Ss'
    )
)


@lru_cache(maxsize=200_000)
def phonetic(word: str) -> str:
    """The code of one normalised word."""
    code = word
    for pattern, repl in _RULES:
        code = pattern.sub(repl, code)
    return code


@lru_cache(maxsize=200_000)
def phonetic_key(text: str) -> str:
    """Codes of every word of a name, sorted: word order does not change the key."""
    return " ".join(sorted(phonetic(w) for w in normalise_name(text).split()))
