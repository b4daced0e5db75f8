"""What a linkage model compares, as data: fields, blocking rules, deterministic keys.

One `Spec` serves both modes: `pseudonymised` (tokens compared exactly, Bloom filters by
Dice) and `clear` (the same columns holding normalised clear text, the fuzzy level by
Jaro-Winkler) — so the cost of pseudonymisation is measured on an otherwise identical model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["pseudonymised", "clear"]
MODES: tuple[Mode, ...] = ("pseudonymised", "clear")


@dataclass(frozen=True)
class Fuzzy:
    """A name-like field: exact token, phonetic token, then similarity of the Bloom filter."""

    label: str
    token: str
    bloom: str
    phonetic: str | None = None
    thresholds: tuple[float, ...] = (0.85, 0.7, 0.55)


@dataclass(frozen=True)
class Exact:
    """A value compared for equality only (a token, a code)."""

    label: str
    column: str


@dataclass(frozen=True)
class Birth:
    """Birth date token, falling back to the birth year (and ±1 year) when dates differ."""

    label: str
    token: str
    year: str


@dataclass(frozen=True)
class Geo:
    """A hierarchical geographic code: same code, else same first `prefix` characters."""

    label: str
    column: str
    prefix: int = 2


Comparison = Fuzzy | Exact | Birth | Geo


@dataclass(frozen=True)
class Spec:
    """A linkage model: comparisons, blocking rules (each a tuple of columns that must be
    equal), EM training blocks, and columns whose shared value makes a match outright."""

    name: str
    comparisons: tuple[Comparison, ...]
    blocking: tuple[tuple[str, ...], ...]
    training: tuple[tuple[str, ...], ...]
    deterministic: tuple[str, ...] = ()
    extra_columns: tuple[str, ...] = field(default=())

    def bloom_fields(self) -> tuple[str, ...]:
        return tuple(c.bloom for c in self.comparisons if isinstance(c, Fuzzy))

    def input_columns(self) -> tuple[str, ...]:
        cols: list[str] = []
        for c in self.comparisons:
            if isinstance(c, Fuzzy):
                cols += [c.token, c.bloom] + ([c.phonetic] if c.phonetic else [])
            elif isinstance(c, Birth):
                cols += [c.token, c.year]
            else:
                cols.append(c.column)
        for rule in (*self.blocking, *self.training):
            cols += rule
        cols += self.deterministic + self.extra_columns
        return tuple(dict.fromkeys(cols))


VICTIM = Spec(
    name="victim",
    comparisons=(
        Exact("national_id", "tk_national_id"),
        Birth("birth", "tk_birth_date", "birth_year"),
        Fuzzy("given_names", "tk_given_names", "bf_given_names", "tk_given_phonetic"),
        Fuzzy("surnames", "tk_surnames", "bf_surnames", "tk_surname_phonetic"),
        Exact("sex", "sex"),
        Exact("nationality", "nationality"),
        Geo("residence", "residence_geo"),
    ),
    # Each rule is an equi-join, so blocks stay small at a million records; together they
    # let any single identifier be wrong (or missing) and still bring the pair together.
    blocking=(
        ("tk_national_id",),
        ("tk_birth_date", "tk_surname_phonetic"),
        ("tk_birth_date", "tk_given_phonetic"),
        ("tk_surnames", "birth_year"),
        ("tk_given_names", "tk_surname_phonetic"),
        ("tk_surnames", "tk_given_phonetic"),
        ("tk_given_names", "birth_year"),
        ("tk_given_phonetic", "tk_surname_phonetic"),
        ("tk_birth_date", "sex", "residence_geo"),
    ),
    training=(("tk_birth_date",), ("tk_surnames", "tk_given_names")),
    deterministic=("tk_national_id",),
)
