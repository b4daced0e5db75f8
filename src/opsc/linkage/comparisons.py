"""Splink comparisons and blocking rules built from a `Spec`, for either mode."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

from opsc.intake.pseudonym.bloom import LENGTH as BLOOM_LENGTH
from opsc.intake.pseudonym.bloom import K as BLOOM_K
from opsc.linkage.bloom import BloomNullLevel, DiceLevel
from opsc.linkage.spec import Birth, Comparison, Exact, Fuzzy, Geo, Mode, Near, Spec


def _fuzzy(c: Fuzzy, mode: Mode, n_words: Mapping[str, int]) -> ComparisonCreator:
    levels: list[ComparisonLevelCreator | dict[str, Any]] = []
    if mode == "pseudonymised":
        # Null when the Bloom filter is missing: the token is derived from the same name.
        levels.append(BloomNullLevel(c.bloom).configure(is_null_level=True))
    else:
        levels.append(cll.NullLevel(c.bloom))
    exact = cll.ExactMatchLevel(c.token)
    if c.term_frequency:
        # The level is its own exact-match level: no need for Splink to find it by parsing
        # SQL, which fails once a model saved from DuckDB is read in Spark's dialect.
        exact.configure(tf_adjustment_column=c.token, disable_tf_exact_match_detection=True)
    levels.append(exact)
    if c.phonetic:
        levels.append(cll.ExactMatchLevel(c.phonetic))
    if c.partial:
        # Above the similarity bands: a dropped second given name or maternal surname
        # leaves names far apart by bigrams but with the same first part.
        part = cll.ExactMatchLevel(c.partial)
        if c.term_frequency:
            part.configure(tf_adjustment_column=c.partial, disable_tf_exact_match_detection=True)
        levels.append(part)
    if mode == "pseudonymised":
        levels += [DiceLevel(c.bloom, n_words[c.bloom], t) for t in dice_thresholds(c)]
    else:
        levels += [cll.JaroWinklerLevel(c.bloom, t) for t in clear_thresholds(c)]
    levels.append(cll.ElseLevel())
    return cl.CustomComparison(levels, output_column_name=c.label)


def dice_thresholds(c: Fuzzy) -> tuple[float, ...]:
    """Dice of intake's balanced filters when about d bigrams differ: 1 - d·K/LENGTH."""
    return tuple(round(1 - d * BLOOM_K / BLOOM_LENGTH, 4) for d in c.bigram_differences)


def clear_thresholds(c: Fuzzy) -> tuple[float, ...]:
    """Jaro-Winkler bands for the clear-text evaluation mode: one band per Dice band, each
    0.05 lower, from the conventional 0.95 ("one slip") down."""
    return tuple(round(0.95 - 0.05 * i, 3) for i in range(len(c.bigram_differences)))


def _birth(c: Birth, mode: Mode, n_words: Mapping[str, int]) -> ComparisonCreator:
    near = c.approx or c.year
    return cl.CustomComparison(
        [
            cll.NullLevel(near),
            cll.ExactMatchLevel(c.token),
            cll.ExactMatchLevel(c.year),
            *([cll.ExactMatchLevel(c.approx)] if c.approx else []),
            # Explicit casts: Spark's ANSI mode refuses arithmetic on columns it typed loosely.
            cll.CustomLevel(
                f"ABS(CAST({near}_l AS INTEGER) - CAST({near}_r AS INTEGER)) <= 1",
                f"{near} within 1",
            ),
            cll.ElseLevel(),
        ],
        output_column_name=c.label,
    )


def _exact(c: Exact, mode: Mode, n_words: Mapping[str, int]) -> ComparisonCreator:
    null: ComparisonLevelCreator = cll.NullLevel(c.column)
    if c.unknown:
        codes = ", ".join("'" + u.replace("'", "''") + "'" for u in c.unknown)
        null = cll.CustomLevel(
            f"{c.column}_l IS NULL OR {c.column}_r IS NULL "
            f"OR {c.column}_l IN ({codes}) OR {c.column}_r IN ({codes})",
            f"{c.column} missing or unknown",
        ).configure(is_null_level=True)
    return cl.CustomComparison(
        [null, cll.ExactMatchLevel(c.column), cll.ElseLevel()],
        output_column_name=c.label,
    )


def _geo(c: Geo, mode: Mode, n_words: Mapping[str, int]) -> ComparisonCreator:
    return cl.CustomComparison(
        [
            cll.NullLevel(c.column),
            cll.ExactMatchLevel(c.column),
            cll.CustomLevel(
                f"substr({c.column}_l, 1, {c.prefix}) = substr({c.column}_r, 1, {c.prefix})",
                f"same first {c.prefix} characters of {c.column}",
            ),
            cll.ElseLevel(),
        ],
        output_column_name=c.label,
    )


def _near(c: Near, mode: Mode, n_words: Mapping[str, int]) -> ComparisonCreator:
    levels: list[ComparisonLevelCreator | dict[str, Any]] = [
        cll.NullLevel(c.column),
        cll.ExactMatchLevel(c.column),
    ]
    for step in c.steps:
        levels.append(
            cll.CustomLevel(
                f"ABS(CAST({c.column}_l AS BIGINT) - CAST({c.column}_r AS BIGINT)) <= {step}",
                f"{c.column} within {step}",
            )
        )
    levels.append(cll.ElseLevel())
    return cl.CustomComparison(levels, output_column_name=c.label)


_BUILDERS: dict[type, Callable[..., ComparisonCreator]] = {
    Near: _near,
    Fuzzy: _fuzzy,
    Birth: _birth,
    Exact: _exact,
    Geo: _geo,
}


def comparison(c: Comparison, mode: Mode, n_words: Mapping[str, int]) -> ComparisonCreator:
    return _BUILDERS[type(c)](c, mode, n_words)


def comparisons(
    spec: Spec, mode: Mode, n_words: Mapping[str, int]
) -> list[ComparisonCreator | dict[str, Any]]:
    return [comparison(c, mode, n_words) for c in spec.comparisons]


def rules(columns: tuple[tuple[str, ...], ...]) -> list[BlockingRuleCreator | dict[str, Any]]:
    return [block_on(*cols) for cols in columns]
