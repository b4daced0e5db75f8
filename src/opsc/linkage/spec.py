"""What a linkage model compares, as data: fields, blocking rules, deterministic keys.

One `Spec` serves both modes: `pseudonymised` (tokens compared exactly, Bloom filters by
Dice) and `clear` (the same columns holding normalised clear text, the fuzzy level by
Jaro-Winkler) — so the cost of pseudonymisation is measured on an otherwise identical model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from opsc.intake.definitions import PERSON_COLUMNS as STORED_PERSON

Mode = Literal["pseudonymised", "clear"]
MODES: tuple[Mode, ...] = ("pseudonymised", "clear")


@dataclass(frozen=True)
class Fuzzy:
    """A name-like field: exact token, phonetic token, then similarity of the Bloom filter.

    The fuzzy bands are counted in differing bigrams, not tuned on any answer: intake's
    balanced filters give Dice = 1 - (bits set by one name only) / LENGTH, and each bigram
    sets K bits, so "about d bigrams differ" is Dice >= 1 - d·K/LENGTH (one typo changes
    two to four bigrams). `term_frequency`: a shared common value (García) counts less
    than a shared rare one, from the frequency of the token in the data.

    `partial`: a token of one part of the name (the first given name, the paternal
    surname), compared below the exact and phonetic levels and above the similarity bands:
    a record that dropped the second given name or the maternal surname is far from the
    full one by bigrams but still agrees with it on that part.
    """

    label: str
    token: str
    bloom: str
    phonetic: str | None = None
    partial: str | None = None
    bigram_differences: tuple[int, ...] = (2, 4, 6, 9)
    term_frequency: bool = True


@dataclass(frozen=True)
class Exact:
    """A value compared for equality only (a token, a code); `unknown` codes count as
    missing (sex "U": not recorded, which is no evidence either way)."""

    label: str
    column: str
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True)
class Birth:
    """Birth date token, falling back to the birth year (and ±1 year) when dates differ.

    `approx`: a column holding the birth year, or — for records that give only the age —
    the year of the offence less the age (one year late when the birthday had not yet come),
    so age-only records still meet others within one year.
    """

    label: str
    token: str
    year: str
    approx: str | None = None


@dataclass(frozen=True)
class Geo:
    """A hierarchical geographic code: same code, else same first `prefix` characters."""

    label: str
    column: str
    prefix: int = 2


@dataclass(frozen=True)
class Near:
    """A number (an age, a date as a day number): equal, else within each step, else apart."""

    label: str
    column: str
    steps: tuple[int, ...]


Comparison = Fuzzy | Exact | Birth | Geo | Near


@dataclass(frozen=True)
class Spec:
    """A linkage model: comparisons, blocking rules (each a tuple of columns that must be
    equal), EM training blocks, and columns whose shared value makes a match outright."""

    name: str
    comparisons: tuple[Comparison, ...]
    blocking: tuple[tuple[str, ...], ...]
    training: tuple[tuple[str, ...], ...]
    deterministic: tuple[str, ...] = ()
    # Columns whose shared value marks pairs that are nearly all matches without making
    # them one: the match prior (λ) is estimated from them as from the deterministic keys.
    prior: tuple[str, ...] = ()
    extra_columns: tuple[str, ...] = field(default=())
    # A column two records of one entity never disagree on when both have it (national ID
    # token): clustering refuses to join records with different values.
    exclusive: str | None = None
    # Columns whose shared values mark records that are certainly different entities (one
    # institution lists a perpetrator once per case): such records are never clustered.
    distinct_within: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.deterministic and self.prior:
            raise ValueError(f"spec {self.name}: the prior comes from the deterministic keys")

    def term_frequency_columns(self) -> tuple[str, ...]:
        fuzzy = [c for c in self.comparisons if isinstance(c, Fuzzy) and c.term_frequency]
        return tuple(t for c in fuzzy for t in (c.token, c.partial) if t)

    def bloom_fields(self) -> tuple[str, ...]:
        return tuple(c.bloom for c in self.comparisons if isinstance(c, Fuzzy))

    def input_columns(self) -> tuple[str, ...]:
        cols: list[str] = []
        for c in self.comparisons:
            if isinstance(c, Fuzzy):
                cols += [c.token, c.bloom] + [t for t in (c.phonetic, c.partial) if t]
            elif isinstance(c, Birth):
                cols += [c.token, c.year] + ([c.approx] if c.approx else [])
            else:
                cols.append(c.column)
        for rule in (*self.blocking, *self.training):
            cols += rule
        cols += self.deterministic + self.prior + self.extra_columns + self.distinct_within
        return tuple(dict.fromkeys(cols))


VICTIM = Spec(
    name="victim",
    comparisons=(
        Exact("national_id", "tk_national_id"),
        Birth("birth", "tk_birth_date", "birth_year", "approx_birth_year"),
        Fuzzy(
            "given_names", "tk_given_names", "bf_given_names", "tk_given_phonetic", "tk_first_given"
        ),
        Fuzzy(
            "surnames", "tk_surnames", "bf_surnames", "tk_surname_phonetic", "tk_paternal_surname"
        ),
        Exact("sex", "sex", unknown=("U",)),
        Exact("nationality", "nationality"),
        Geo("residence", "residence_geo"),
    ),
    # Each rule is an equi-join, so blocks stay small at a million records; together they
    # let any single identifier be wrong (or missing) and still bring the pair together:
    # the ID; the birth date with either name's sound; exact either name with the other's
    # sound; both sounds; and, for records with only an age or a wrong date, either name's
    # sound with the birth year (±1, through the two year blocks) — the given name also
    # with the state, as common given names are shared by many children of one age; for
    # records with neither birth date nor age, either name's sound with the place; and, for
    # records that dropped the maternal surname or the second given name, the paternal
    # surname with the first given name's sound.
    blocking=(
        ("tk_national_id",),
        ("tk_birth_date", "tk_surname_phonetic"),
        ("tk_birth_date", "tk_given_phonetic"),
        ("tk_given_names", "tk_surname_phonetic"),
        ("tk_surnames", "tk_given_phonetic"),
        ("tk_given_phonetic", "tk_surname_phonetic"),
        ("tk_surname_phonetic", "year_block_even"),
        ("tk_surname_phonetic", "year_block_odd"),
        ("tk_given_phonetic", "year_block_even", "residence_state"),
        ("tk_given_phonetic", "year_block_odd", "residence_state"),
        ("tk_surname_phonetic", "residence_state"),
        ("tk_given_phonetic", "residence_geo", "sex"),
        ("tk_birth_date", "sex", "residence_geo"),
        ("tk_paternal_surname", "tk_first_given_phonetic"),
    ),
    training=(("tk_birth_date",), ("tk_surnames", "tk_given_names")),
    deterministic=("tk_national_id",),
    exclusive="tk_national_id",
)

# A case reported to several institutions: the police file, the prosecutor's file and the
# shelter's file of one offence. The strongest evidence is the child: cases whose victims
# fall in one victim cluster (from a victim linkage run) and whose offence dates are close.
# Without a linked victim, the date of the offence and the place must agree.
CASE = Spec(
    name="case",
    comparisons=(
        Exact("victim", "victim_cluster"),
        Near("offence_date", "offence_day", (7, 31)),
        Near("report_date", "reported_day", (7, 60)),
        Geo("place", "geo_code"),
        Exact("offence", "main_offence"),
        Exact("online", "online"),
    ),
    blocking=(("victim_cluster",), ("offence_day", "geo_code")),
    training=(("victim_cluster",), ("offence_day",)),
    # Two files of one linked child are mostly one case (a child in two cases is rarer);
    # EM alone cannot say how often, as that block is nearly all matches.
    prior=("victim_cluster",),
)


def _as_victims(*labels: str) -> tuple[Comparison, ...]:
    """The victim model's comparisons of these labels, reused as they are."""
    by_label = {c.label: c for c in VICTIM.comparisons}
    return tuple(by_label[label] for label in labels)


PERSON = _as_victims("birth", "given_names", "surnames", "sex", "nationality")
# What intake stores of any person (names, their parts and sounds, birth date and year),
# with the birth-year blocks linkage derives, sex and nationality.
PERSON_COLUMNS = frozenset(
    (*STORED_PERSON, "year_block_even", "year_block_odd", "sex", "nationality")
)

# Perpetrators who are natural persons, pseudonymised at the institution as children are:
# the national ID token decides outright; names, their sounds, Bloom filters and the birth
# date (or the birth year from the age) are compared as for victims, so one person is found
# across cases and institutions; inside one linked case (case linkage run) sex, nationality
# and role add evidence, and two perpetrators listed in one case file are never merged.
PERPETRATOR = Spec(
    name="perpetrator",
    comparisons=(
        Exact("identity", "tk_identity"),
        *PERSON,
        Exact("role", "role"),
        Exact("case", "case_cluster"),
    ),
    # The ID, the linked case, and the victim model's rules on names and birth date alone
    # (perpetrators' residence is not recorded): any single identifier may be wrong or
    # missing and the pair still meets.
    blocking=(
        ("tk_identity",),
        ("case_cluster",),
        *(rule for rule in VICTIM.blocking if set(rule) <= PERSON_COLUMNS),
    ),
    training=(("case_cluster",), ("tk_surnames", "tk_given_names"), ("tk_birth_date",)),
    deterministic=("tk_identity",),
    exclusive="tk_identity",
    distinct_within=("submission_id", "case_id"),
)

SPECS = {"victim": VICTIM, "case": CASE, "perpetrator": PERPETRATOR}
